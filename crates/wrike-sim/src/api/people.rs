//! Account, contacts and users, user types, groups, invitations, access roles.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use serde_json::Value;
use wrike_api::models::*;

use super::{
    admin_caller, by_ids, ip_for_api, mutate, read, refuse_unsimulated, requested_fields,
    require_admin, split_ids,
};
use crate::generate::audit_record;
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope, envelope_values, shape};
use crate::sim::{Caller, Sim};
use crate::world::{AccountData, SimUser};

pub async fn version(p: Params) -> ApiResult {
    p.allow(&[])?;
    envelope("version", vec![Version { major: 4, minor: 0 }])
}

pub async fn account(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&["fields", "metadata"])?;
    refuse_unsimulated(&p, &["metadata"])?;
    let fields = requested_fields(&p, &["subscription", "metadata", "customFields"])?;
    read(&sim, &c, |account, user| {
        let mut view = account.account.clone();
        if fields.iter().any(|f| f == "subscription") {
            let admin = user.is_admin();
            view.subscription = Some(Subscription {
                plan: account.plan.clone(),
                suspended: Some(false),
                paid: admin.then_some(account.plan != Plan::Free),
                user_limit: admin.then_some(account.user_limit),
                expiry_date: None,
            });
        }
        if fields.iter().any(|f| f == "metadata") {
            view.metadata = Some(Vec::new());
        }
        if fields.iter().any(|f| f == "customFields") {
            view.custom_fields = Some(account.custom_fields.clone());
        }
        envelope("accounts", vec![view])
    })
}

const CONTACT_OPT_IN: &[&str] = &[
    "metadata",
    "workScheduleId",
    "currentBillRate",
    "currentCostRate",
    "jobRoleId",
];

fn contact_view(
    account: &AccountData,
    contact: &Contact,
    caller: &str,
    fields: &[String],
) -> Value {
    let mut view = contact.clone();
    view.me = (contact.id == caller).then_some(true);
    if view.metadata.is_none() {
        view.metadata = Some(Vec::new());
    }
    let _ = account;
    shape(&view, &["metadata"], fields)
}

fn group_contacts(account: &AccountData) -> Vec<Contact> {
    account
        .groups
        .iter()
        .map(|g| Contact {
            id: g.id.clone(),
            first_name: g.title.clone(),
            last_name: String::new(),
            contact_type: ContactType::Group,
            profiles: vec![Profile {
                account_id: account.id().to_owned(),
                email: None,
                role: Role::User,
                external: false,
                admin: false,
                owner: false,
                active: None,
            }],
            avatar_url: g.avatar_url.clone(),
            timezone: Some("Z".into()),
            locale: Some("en".into()),
            deleted: false,
            me: None,
            member_ids: Some(g.member_ids.clone()),
            metadata: Some(Vec::new()),
            my_team: g.my_team,
            title: None,
            company_name: None,
            phone: None,
            location: None,
            work_schedule_id: None,
            primary_email: None,
            user_type_id: None,
            job_role_id: None,
            current_bill_rate: None,
            current_cost_rate: None,
        })
        .collect()
}

pub async fn contacts(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "me",
        "deleted",
        "types",
        "fields",
        "metadata",
        "updatedDate",
        "workScheduleId",
    ])?;
    refuse_unsimulated(&p, &["metadata", "updatedDate", "workScheduleId"])?;
    let me = p.bool("me")?.unwrap_or(false);
    let deleted = p.bool("deleted")?;
    let deleted_only = sim
        .contacts_deleted_only
        .load(std::sync::atomic::Ordering::Relaxed);
    let types: Option<Vec<ContactType>> = p
        .list("types")?
        .map(|t| t.iter().map(|s| ContactType::from(s.as_str())).collect());
    if let Some(unknown) = types.iter().flatten().find(|t| !t.is_known()) {
        return Err(ApiError::invalid_parameter(
            "types",
            &format!("unknown contact type '{unknown}'"),
        ));
    }
    let fields = requested_fields(&p, CONTACT_OPT_IN)?;
    read(&sim, &c, |account, _| {
        let mut all: Vec<Contact> = account.users.iter().map(|u| u.contact.clone()).collect();
        all.extend(group_contacts(account));
        let data = all
            .iter()
            .filter(|ct| !me || ct.id == c.user_id)
            .filter(|ct| match deleted {
                Some(true) if deleted_only => ct.deleted,
                Some(true) => true,
                Some(false) | None => !ct.deleted,
            })
            .filter(|ct| types.as_ref().is_none_or(|t| t.contains(&ct.contact_type)))
            .map(|ct| contact_view(account, ct, &c.user_id, &fields))
            .collect();
        envelope_values("contacts", data)
    })
}

pub async fn contacts_by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["fields"])?;
    let ids = split_ids(&ids)?;
    let fields = requested_fields(&p, CONTACT_OPT_IN)?;
    read(&sim, &c, |account, _| {
        let mut all: Vec<Contact> = account.users.iter().map(|u| u.contact.clone()).collect();
        all.extend(group_contacts(account));
        let data: Vec<_> = by_ids(&all, &ids, |ct| &ct.id, "Contact")?
            .into_iter()
            .map(|ct| contact_view(account, ct, &c.user_id, &fields))
            .collect();
        envelope_values("contacts", data)
    })
}

pub async fn user(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        let user = account
            .user(&id)
            .ok_or_else(|| ApiError::not_found(&format!("User {id}")))?;
        envelope_values(
            "users",
            vec![contact_view(
                account,
                &user.contact,
                &c.user_id,
                &["metadata".into()],
            )],
        )
    })
}

/// `PUT /users/{id}` and `PUT /users/{ids}`: exactly one of `profile`, `userTypeId`,
/// `active`; several ids only with `active`. Admins only. Deactivation revokes the user's
/// tokens, as a password change does.
pub async fn update_users(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["profile", "userTypeId", "active"])?;
    let ids = split_ids(&ids)?;
    let given: Vec<&str> = ["profile", "userTypeId", "active"]
        .into_iter()
        .filter(|n| p.has(n))
        .collect();
    if given.is_empty() {
        return Err(ApiError::parameter_required(
            "profile, userTypeId or active",
        ));
    }
    if given.len() > 1 {
        return Err(ApiError::invalid_request(&format!(
            "Parameters {} cannot be combined; send one per request",
            given.join(" and ")
        )));
    }
    if ids.len() > 1 && given[0] != "active" {
        return Err(ApiError::invalid_request(
            "Only 'active' can be changed for several users at once",
        ));
    }
    let active = p.bool("active")?;
    let user_type = p.text("userTypeId");
    let profile: Option<Value> = p.raw_json("profile")?;
    let data = mutate(&sim, &c, |account, ctx| {
        let caller = admin_caller(account, ctx)?;
        for id in &ids {
            account
                .user(id)
                .ok_or_else(|| ApiError::not_found(&format!("User {id}")))?;
        }
        if let Some(type_id) = &user_type
            && !account.user_types.iter().any(|t| &t.id == type_id)
        {
            return Err(ApiError::invalid_parameter(
                "userTypeId",
                &format!("no user type {type_id} in this account"),
            ));
        }
        let mut changed = Vec::new();
        for id in &ids {
            let seq = account.allocate();
            let account_id = account.id().to_owned();
            let target = account.user_mut(id).expect("checked above");
            let mut audit = None;
            if let Some(active) = active {
                if !active && target.profile().owner {
                    return Err(ApiError::not_allowed(
                        "The account owner cannot be deactivated",
                    ));
                }
                if target.profile().active != Some(active) {
                    target.profile_mut().active = Some(active);
                    audit = Some(if active {
                        AuditOperation::UserActivated
                    } else {
                        AuditOperation::UserDeactivated
                    });
                }
            }
            if let Some(type_id) = &user_type {
                target.contact.user_type_id = Some(type_id.clone());
                audit = Some(AuditOperation::UserRoleChanged);
            }
            if let Some(profile) = &profile {
                let role = profile
                    .get("role")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ApiError::invalid_parameter("profile", "needs role"))?;
                if !matches!(role, "User" | "Collaborator") {
                    return Err(ApiError::invalid_parameter(
                        "profile",
                        &format!("unknown role '{role}'"),
                    ));
                }
                if profile
                    .get("accountId")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a != account_id)
                {
                    return Err(ApiError::invalid_parameter(
                        "profile",
                        "accountId is not this account",
                    ));
                }
                target.profile_mut().role = Role::from(role);
                target.profile_mut().external = profile
                    .get("external")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                audit = Some(AuditOperation::UserRoleChanged);
            }
            let target = target.clone();
            if let Some(op) = audit {
                let name = format!("{} {}", target.contact.first_name, target.contact.last_name);
                // Role and type changes say what the user became, as Wrike's records do.
                let mut details = serde_json::Map::new();
                if op == AuditOperation::UserRoleChanged {
                    details.insert("User Role".into(), target.profile().role.as_str().into());
                    if let Some(type_id) = &target.contact.user_type_id {
                        details.insert("User Type Id".into(), type_id.clone().into());
                    }
                }
                let record = audit_record(
                    &account_id,
                    seq,
                    op,
                    &caller,
                    ctx.now,
                    ip_for_api(),
                    Some((AuditObjectType::User, &name, id)),
                    details,
                );
                account.push_audit(record);
            }
            changed.push(target);
        }
        Ok((changed, Vec::new()))
    })?;
    if active == Some(false) {
        let mut world = sim.write();
        for user in &data {
            world.revoke_user(&c.account_id, user.id());
        }
    }
    let views = data.iter().map(|u| shape(&u.contact, &[], &[])).collect();
    envelope_values("users", views)
}

pub async fn user_types(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        if matches!(account.plan, Plan::Free | Plan::Premium) {
            return Err(ApiError::not_allowed(
                "User types are not available on this plan",
            ));
        }
        envelope("userTypes", account.user_types.clone())
    })
}

pub async fn groups(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&["fields", "metadata"])?;
    refuse_unsimulated(&p, &["metadata"])?;
    let fields = requested_fields(&p, &["metadata"])?;
    read(&sim, &c, |account, _| {
        envelope_values(
            "groups",
            account
                .groups
                .iter()
                .map(|g| shape(g, &["metadata"], &fields))
                .collect(),
        )
    })
}

pub async fn groups_by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["fields"])?;
    let fields = requested_fields(&p, &["metadata"])?;
    read(&sim, &c, |account, _| {
        let group = account
            .groups
            .iter()
            .find(|g| g.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Group {id}")))?;
        envelope_values("groups", vec![shape(group, &["metadata"], &fields)])
    })
}

pub async fn invitations(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, user| {
        require_admin(user)?;
        envelope("invitations", account.invitations.clone())
    })
}

fn check_role_and_external(role: &Option<String>, external: Option<bool>) -> Result<(), ApiError> {
    if let Some(role) = role {
        if !matches!(role.as_str(), "User" | "Collaborator") {
            return Err(ApiError::invalid_parameter(
                "role",
                &format!("expected User or Collaborator, got '{role}'"),
            ));
        }
        if role == "Collaborator" && external == Some(true) {
            return Err(ApiError::invalid_parameter(
                "external",
                "only valid with role User",
            ));
        }
    }
    Ok(())
}

pub async fn create_invitation(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "email",
        "firstName",
        "lastName",
        "role",
        "external",
        "userTypeId",
        "subject",
        "message",
    ])?;
    let email = p.required("email")?;
    if !email.contains('@') || email.contains(' ') {
        return Err(ApiError::invalid_parameter(
            "email",
            &format!("'{email}' is not an e-mail address"),
        ));
    }
    let role = p.text("role");
    let external = p.bool("external")?;
    check_role_and_external(&role, external)?;
    let user_type = p.text("userTypeId");
    let invitation =
        mutate(&sim, &c, |account, ctx| {
            let inviter = account
                .user(&ctx.user_id)
                .cloned()
                .ok_or_else(|| ApiError::forbidden("unknown caller"))?;
            require_admin(&inviter)?;
            if matches!(account.plan, Plan::Free) && (p.has("subject") || p.has("message")) {
                return Err(ApiError::not_allowed(
                    "Custom invitation messages are not available on the Free plan",
                ));
            }
            if account
                .users
                .iter()
                .any(|u| u.email().eq_ignore_ascii_case(&email) && !u.contact.deleted)
            {
                return Err(ApiError::invalid_parameter(
                    "email",
                    &format!("{email} is already a member of this account"),
                ));
            }
            if account.invitations.iter().any(|i| {
                i.email.eq_ignore_ascii_case(&email) && i.status == InvitationStatus::Pending
            }) {
                return Err(ApiError::invalid_parameter(
                    "email",
                    &format!("{email} already has a pending invitation"),
                ));
            }
            if let Some(type_id) = &user_type
                && !account.user_types.iter().any(|t| &t.id == type_id)
            {
                return Err(ApiError::invalid_parameter(
                    "userTypeId",
                    &format!("no user type {type_id} in this account"),
                ));
            }
            let seq = account.allocate();
            let invitation = Invitation {
                id: crate::ids::entity(account.id(), "IV", seq),
                account_id: Some(account.id().to_owned()),
                first_name: p.text("firstName"),
                last_name: p.text("lastName"),
                email: email.clone(),
                status: InvitationStatus::Pending,
                inviter_user_id: Some(inviter.id().to_owned()),
                invitation_date: Some(ctx.now),
                resolved_date: None,
                role: Role::from(role.as_deref().unwrap_or("User")),
                external: external.unwrap_or(false),
                user_type_id: user_type.clone(),
            };
            account.invitations.push(invitation.clone());
            let record = audit_record(
                account.id(),
                seq,
                AuditOperation::InvitationSend,
                &inviter,
                ctx.now,
                ip_for_api(),
                Some((AuditObjectType::Invitation, &email, &invitation.id)),
                serde_json::Map::new(),
            );
            account.push_audit(record);
            Ok((invitation, Vec::new()))
        })?;
    envelope("invitations", vec![invitation])
}

pub async fn update_invitation(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["resend", "role", "external", "userTypeId"])?;
    let role = p.text("role");
    let external = p.bool("external")?;
    check_role_and_external(&role, external)?;
    let resend = p.bool("resend")?.unwrap_or(false);
    let user_type = p.text("userTypeId");
    let invitation = mutate(&sim, &c, |account, ctx| {
        admin_caller(account, ctx)?;
        let invitation = account
            .invitations
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Invitation {id}")))?;
        if invitation.status != InvitationStatus::Pending && (resend || role.is_some()) {
            return Err(ApiError::invalid_request(&format!(
                "Invitation {id} is {} and can no longer be changed",
                invitation.status
            )));
        }
        if let Some(role) = &role {
            invitation.role = Role::from(role.as_str());
        }
        if let Some(external) = external {
            invitation.external = external;
        }
        if let Some(type_id) = &user_type {
            invitation.user_type_id = Some(type_id.clone());
        }
        if resend {
            invitation.invitation_date = Some(ctx.now);
        }
        Ok((invitation.clone(), Vec::new()))
    })?;
    envelope("invitations", vec![invitation])
}

pub async fn delete_invitation(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    mutate(&sim, &c, |account, ctx| {
        admin_caller(account, ctx)?;
        let before = account.invitations.len();
        account.invitations.retain(|i| i.id != id);
        if account.invitations.len() == before {
            return Err(ApiError::not_found(&format!("Invitation {id}")));
        }
        Ok(((), Vec::new()))
    })?;
    envelope::<Value>("invitations", Vec::new())
}

pub async fn access_roles(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        envelope("accessRoles", account.access_roles.clone())
    })
}

/// A group's members as given: each must be a person of the account.
fn members_of(account: &AccountData, p: &Params, name: &str) -> Result<Vec<String>, ApiError> {
    let ids = p.list(name)?.unwrap_or_default();
    if let Some(unknown) = ids.iter().find(|id| account.user(id).is_none()) {
        return Err(ApiError::invalid_parameter(
            name,
            &format!("no user {unknown} in this account"),
        ));
    }
    Ok(ids)
}

/// Appends the audit record of a change to group `group` made by the caller.
fn audit_group(
    account: &mut AccountData,
    caller: &SimUser,
    now: chrono::DateTime<chrono::Utc>,
    operation: AuditOperation,
    group: &Group,
    details: &[(&str, String)],
) {
    let seq = account.allocate();
    let record = audit_record(
        account.id(),
        seq,
        operation,
        caller,
        now,
        ip_for_api(),
        Some((AuditObjectType::Group, &group.title, &group.id)),
        details
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
            .collect(),
    );
    account.push_audit(record);
}

/// `POST /groups` (admins): `title`, and optionally `members`, `parent` and `metadata`.
pub async fn create_group(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&["title", "members", "parent", "avatar", "metadata"])?;
    refuse_unsimulated(&p, &["avatar"])?;
    let title = p.required("title")?;
    let metadata: Option<Vec<Metadata>> = p.json("metadata")?;
    let group = mutate(&sim, &c, |account, ctx| {
        let caller = admin_caller(account, ctx)?;
        let members = members_of(account, &p, "members")?;
        let parent = p.text("parent");
        if let Some(parent) = &parent
            && !account.groups.iter().any(|g| &g.id == parent)
        {
            return Err(ApiError::invalid_parameter(
                "parent",
                &format!("no group {parent}"),
            ));
        }
        let seq = account.allocate();
        let group = Group {
            id: crate::ids::group(100_000 + seq),
            account_id: Some(account.id().to_owned()),
            title: title.clone(),
            member_ids: members,
            child_ids: Vec::new(),
            parent_ids: parent.iter().cloned().collect(),
            avatar_url: None,
            my_team: Some(false),
            metadata: metadata.clone(),
        };
        if let Some(parent) = &parent
            && let Some(p) = account.groups.iter_mut().find(|g| &g.id == parent)
        {
            p.child_ids.push(group.id.clone());
        }
        account.groups.push(group.clone());
        audit_group(
            account,
            &caller,
            ctx.now,
            AuditOperation::GroupCreated,
            &group,
            &[],
        );
        Ok((group, Vec::new()))
    })?;
    envelope("groups", vec![group])
}

/// `PUT /groups/{id}` (admins): `title`, `addMembers`, `removeMembers`, `parent`, `metadata`.
pub async fn update_group(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "title",
        "addMembers",
        "removeMembers",
        "addInvitations",
        "removeInvitations",
        "parent",
        "avatar",
        "metadata",
    ])?;
    refuse_unsimulated(
        &p,
        &["addInvitations", "removeInvitations", "avatar", "parent"],
    )?;
    let title = p.text("title");
    let metadata: Option<Vec<Metadata>> = p.json("metadata")?;
    let group = mutate(&sim, &c, |account, ctx| {
        let caller = admin_caller(account, ctx)?;
        let add = members_of(account, &p, "addMembers")?;
        let remove = p.list("removeMembers")?.unwrap_or_default();
        let group = account
            .groups
            .iter_mut()
            .find(|g| g.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Group {id}")))?;
        let mut audits = Vec::new();
        if let Some(title) = &title
            && title != &group.title
        {
            audits.push((
                AuditOperation::GroupRenamed,
                vec![("Old Title", group.title.clone())],
            ));
            group.title = title.clone();
        }
        for member in &add {
            if !group.member_ids.contains(member) {
                group.member_ids.push(member.clone());
                audits.push((
                    AuditOperation::GroupMemberAdded,
                    vec![("Member", member.clone())],
                ));
            }
        }
        for member in &remove {
            if group.member_ids.contains(member) {
                group.member_ids.retain(|m| m != member);
                audits.push((
                    AuditOperation::GroupMemberRemoved,
                    vec![("Member", member.clone())],
                ));
            }
        }
        if let Some(metadata) = &metadata {
            group.metadata = Some(metadata.clone());
        }
        let group = group.clone();
        for (operation, details) in audits {
            let details: Vec<(&str, String)> = details;
            audit_group(account, &caller, ctx.now, operation, &group, &details);
        }
        Ok((group, Vec::new()))
    })?;
    envelope("groups", vec![group])
}

/// `DELETE /groups/{id}` (admins): answers with the group deleted.
pub async fn delete_group(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let group = mutate(&sim, &c, |account, ctx| {
        let caller = admin_caller(account, ctx)?;
        let group = account
            .groups
            .iter()
            .find(|g| g.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("Group {id}")))?;
        account.groups.retain(|g| g.id != id);
        for other in account.groups.iter_mut() {
            other.child_ids.retain(|c| c != &id);
            other.parent_ids.retain(|c| c != &id);
        }
        audit_group(
            account,
            &caller,
            ctx.now,
            AuditOperation::GroupDeleted,
            &group,
            &[],
        );
        Ok((group, Vec::new()))
    })?;
    envelope("groups", vec![group])
}
