//! Reclaiming idle seats: deactivate users, or change their type or role, one user or a
//! filtered set. Always two steps: a dry run makes a plan (who, from what, to what; nothing
//! is sent to Wrike), then an Admin confirms it and the hub applies exactly that plan, one
//! Wrike call per user, keeping each call's result. Both steps go in the hub's trail. A plan
//! is applied at most once, and not after it expires. A policy's flagged people become
//! plans here too (`plan_policy`), so policies only judge and never plan.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use weft_core::health::FailureClass;
use weft_core::policy::{Change, Verdict};
use weft_store::{Connection, ReclaimItem, ReclaimPlan, SortBy, UserRow};
use wrike_api::models::Role;
use wrike_api::requests::{ProfileUpdate, UserUpdate};

use super::reports::{self, ReportRequest};
use super::{freshness, policies};
use crate::error::{HubError, HubResult};
use crate::{Hub, connections, trail, wrike};

/// How long a plan may wait for its confirmation.
pub const PLAN_LIFETIME_S: i64 = 3600;
/// Most users one plan may change.
pub const MAX_USERS: i64 = 1000;

/// What to do to each user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action", content = "target")]
pub enum Action {
    Deactivate,
    /// Change the user type (a user type id of the account).
    SetType(String),
    /// Change the role (`User` or `Collaborator`).
    SetRole(String),
}

impl Action {
    /// Parses `deactivate`, `set_type` with a target, or `set_role` with a target.
    pub fn parse(action: &str, target: Option<&str>) -> HubResult<Action> {
        let target = target.map(str::trim).filter(|t| !t.is_empty());
        match (action, target) {
            ("deactivate", _) => Ok(Action::Deactivate),
            ("set_type", Some(t)) => Ok(Action::SetType(t.to_owned())),
            ("set_role", Some(t)) => Ok(Action::SetRole(t.to_owned())),
            ("set_type" | "set_role", None) => Err(HubError::invalid(format!(
                "action {action} needs a target (a user type id, or User or Collaborator)"
            ))),
            (other, _) => Err(HubError::invalid(format!(
                "action: '{other}' is not deactivate, set_type or set_role"
            ))),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Action::Deactivate => "deactivate",
            Action::SetType(_) => "set_type",
            Action::SetRole(_) => "set_role",
        }
    }

    fn target(&self) -> Option<String> {
        match self {
            Action::Deactivate => None,
            Action::SetType(t) | Action::SetRole(t) => Some(t.clone()),
        }
    }
}

/// Who a plan is for: named users, or everyone a report request selects.
#[derive(Debug, Clone)]
pub enum Selection {
    Users(Vec<String>),
    Filter(Box<ReportRequest>),
}

/// The dry run: works out who would change and how, and keeps that as a plan.
pub async fn plan(
    hub: &Hub,
    actor: &str,
    connection: &Connection,
    action: Action,
    selection: Selection,
) -> HubResult<ReclaimPlan> {
    let plan = draft(hub, actor, connection, action, selection, PLAN_LIFETIME_S).await?;
    hub.store.usage().create_reclaim(&plan).await?;
    trail::record(
        hub,
        actor,
        "usage.reclaim.plan",
        &connection.name,
        None,
        Some(serde_json::json!({"plan": plan.id, "action": plan.action, "target": plan.target, "users": plan.items.len()})),
    )
    .await?;
    Ok(plan)
}

/// A plan worked out but not stored, waiting `lifetime_s` for its confirmation once stored
/// (the reclaim dialogue stores its plans with the people they carry out).
pub async fn draft(
    hub: &Hub,
    actor: &str,
    connection: &Connection,
    action: Action,
    selection: Selection,
    lifetime_s: i64,
) -> HubResult<ReclaimPlan> {
    super::freshness::require_fresh(hub, connection, "planning a reclaim").await?;
    let store = hub.store.usage();
    let types = store.user_types(&connection.id).await?;
    let type_title = |id: Option<&str>| {
        id.and_then(|id| types.iter().find(|t| t.id == id))
            .map(|t| t.title.clone())
            .or_else(|| id.map(str::to_owned))
            .unwrap_or_else(|| "no user type".into())
    };
    match &action {
        Action::SetType(t) if !types.iter().any(|x| &x.id == t) => {
            return Err(HubError::invalid(format!(
                "target: {t} is not a user type of {}; its user types are {}",
                connection.name,
                types
                    .iter()
                    .map(|t| format!("{} ({})", t.title, t.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Action::SetRole(r) if !matches!(r.as_str(), "User" | "Collaborator") => {
            return Err(HubError::invalid(format!(
                "target: role '{r}' is not User or Collaborator"
            )));
        }
        _ => {}
    }
    let users: Vec<UserRow> = match selection {
        Selection::Users(ids) => {
            if ids.is_empty() {
                return Err(HubError::invalid("users: name at least one user"));
            }
            let mut found = Vec::new();
            for id in ids {
                let user = store
                    .user(&connection.id, &id)
                    .await?
                    .filter(|u| u.kind == "Person")
                    .ok_or_else(|| {
                        HubError::not_found(format!("user {id} in {}", connection.name))
                    })?;
                found.push(user);
            }
            found
        }
        Selection::Filter(request) => {
            let mut request = *request;
            request.connections = vec![connection.id.clone()];
            request.filter.active = Some(true);
            request.filter.deleted = Some(false);
            let report =
                reports::users(hub, &request, SortBy::LastActivity, false, MAX_USERS + 1, 0)
                    .await?;
            if report.page.total > MAX_USERS {
                return Err(HubError::invalid(format!(
                    "the filter selects {} users; narrow it to at most {MAX_USERS}",
                    report.page.total
                )));
            }
            report.page.rows
        }
    };
    let me = connection.identity.user_id.clone();
    let mut items = Vec::new();
    for u in users {
        let before = match &action {
            Action::Deactivate => if u.active { "active" } else { "deactivated" }.to_owned(),
            Action::SetType(_) => type_title(u.user_type_id.as_deref()),
            Action::SetRole(_) => u.role.clone().unwrap_or_default(),
        };
        let after = match &action {
            Action::Deactivate => "deactivated".to_owned(),
            Action::SetType(t) => type_title(Some(t)),
            Action::SetRole(r) => r.clone(),
        };
        // Some changes cannot or should not be made; the plan says so instead of trying.
        let skip = if u.owner {
            Some("the account owner's seat is never changed")
        } else if u.id == me {
            Some("this is the user the connection runs as")
        } else if before == after {
            Some("already so")
        } else {
            None
        };
        items.push(ReclaimItem {
            user_id: u.id.clone(),
            name: format!("{} {}", u.first_name, u.last_name)
                .trim()
                .to_owned(),
            email: u.email.clone(),
            user_type_id: u.user_type_id.clone(),
            before,
            after,
            last_activity_at: u.last_activity_at,
            result: skip.map(|_| "skipped".to_owned()),
            message: skip.map(str::to_owned),
        });
    }
    if items.is_empty() {
        return Err(HubError::invalid(
            "no user matches; nothing to reclaim".to_owned(),
        ));
    }
    let now = hub.clock.now_s();
    let plan = ReclaimPlan {
        id: crate::new_id("rcl"),
        connection_id: connection.id.clone(),
        action: action.name().to_owned(),
        target: action.target(),
        items,
        status: "planned".into(),
        created_by: actor.to_owned(),
        created_at: now,
        expires_at: now + lifetime_s,
        applied_by: None,
        applied_at: None,
        cancelled_by: None,
        cancelled_at: None,
    };
    Ok(plan)
}

pub async fn get(hub: &Hub, id: &str) -> HubResult<ReclaimPlan> {
    hub.store
        .usage()
        .reclaim(id)
        .await?
        .ok_or_else(|| HubError::not_found(format!("reclaim plan {id}")))
}

/// Applies a plan once, on an Admin's confirmation: one Wrike call per user, each result
/// kept. A failure of the connection itself stops the run; the users not reached are marked
/// skipped with the reason.
pub async fn apply(hub: &Hub, actor: &str, id: &str) -> HubResult<ReclaimPlan> {
    let store = hub.store.usage();
    let plan = get(hub, id).await?;
    if plan.status == "planned" {
        let connection = crate::connections::by_id(hub, &plan.connection_id).await?;
        super::freshness::require_fresh(hub, &connection, &format!("applying reclaim plan {id}"))
            .await?;
    }
    let now = hub.clock.now_s();
    if !store.start_reclaim(id, actor, now).await? {
        let why = match plan.status.as_str() {
            "planned" => "it expired; make a new plan with a dry run".to_owned(),
            other => format!("it is {other}"),
        };
        return Err(HubError::Conflict(format!(
            "reclaim plan {id} cannot be applied: {why}"
        )));
    }
    let done = carry_out(hub, actor, &get(hub, id).await?).await;
    settled(hub, id).await;
    done
}

/// Carries on applying a plan whose applier stopped part way (its process was killed): the
/// people without a result are changed now. Wrike's changes are idempotent (deactivating a
/// deactivated user, setting the type a user has), so the one in flight when it stopped is
/// safe to send again. Only for a plan the caller started itself (its job's lease says so).
pub async fn resume(hub: &Hub, actor: &str, id: &str) -> HubResult<ReclaimPlan> {
    let plan = get(hub, id).await?;
    if plan.status != "applying" {
        return Err(HubError::Conflict(format!(
            "reclaim plan {id} is {}, not being applied",
            plan.status
        )));
    }
    let done = carry_out(hub, actor, &plan).await;
    settled(hub, id).await;
    done
}

/// Tells whoever follows a plan (the reclaim dialogue) that its people's results changed.
/// A failure to queue it is logged: the plan itself is done, and the dialogue's own jobs
/// look again.
async fn settled(hub: &Hub, id: &str) {
    let request = crate::jobs::Request::new(
        crate::jobs::kinds::RECLAIM_SETTLED,
        serde_json::json!({"plan": id}),
    )
    .dedupe(format!("reclaim-settled:{id}:{}", hub.clock.now_ms()));
    if let Err(e) = crate::jobs::enqueue(hub, &format!("reclaim plan {id}"), request).await {
        tracing::warn!(error = %e, plan = id, "queueing what follows a reclaim plan");
    }
}

async fn carry_out(hub: &Hub, actor: &str, plan: &ReclaimPlan) -> HubResult<ReclaimPlan> {
    let store = hub.store.usage();
    let id = plan.id.as_str();
    let connection = crate::connections::by_id(hub, &plan.connection_id).await?;
    let action = Action::parse(&plan.action, plan.target.as_deref())?;
    let mut items = plan.items.clone();
    // What each change saves is priced at the costs entered now, for the ledger.
    let costs = store.renewal(&plan.connection_id).await?;
    let client = wrike::patient_client(hub, &connection).await?;
    let account_id = connection.identity.account_id.clone();
    let mut stopped: Option<String> = None;
    for index in 0..items.len() {
        let item = &mut items[index];
        if item.result.is_some() {
            continue;
        }
        if let Some(reason) = &stopped {
            item.result = Some("skipped".into());
            item.message = Some(reason.clone());
            continue;
        }
        let update = match &action {
            Action::Deactivate => UserUpdate::Active(false),
            Action::SetType(t) => UserUpdate::UserType(t.clone()),
            Action::SetRole(r) => UserUpdate::Profile(ProfileUpdate {
                account_id: account_id.clone(),
                role: Role::from(r.as_str()),
                external: false,
            }),
        };
        match client.update_user(&item.user_id, &update).await {
            Ok(_) => {
                item.result = Some("ok".into());
                item.message = None;
                let (active, user_type, role) = match &action {
                    Action::Deactivate => (Some(false), None, None),
                    Action::SetType(t) => (None, Some(t.as_str()), None),
                    Action::SetRole(r) => (None, None, Some(r.as_str())),
                };
                store
                    .update_person(&connection.id, &item.user_id, active, user_type, role)
                    .await?;
                super::savings::record(hub, plan, item, costs.as_ref(), actor).await?;
            }
            Err(e) => {
                let error = HubError::wrike(format!("changing {}", item.name), e);
                item.result = Some("failed".into());
                item.message = Some(error.to_string());
                if let HubError::Wrike { class, .. } = &error
                    && (*class == FailureClass::TokenRejected
                        || *class == FailureClass::WrongDataCenter
                        || class.is_transient())
                {
                    stopped = Some(format!("not attempted: {error}"));
                }
            }
        }
        store.record_reclaim(id, &items, "applying").await?;
    }
    store.record_reclaim(id, &items, "applied").await?;
    let count = |r: &str| {
        items
            .iter()
            .filter(|i| i.result.as_deref() == Some(r))
            .count()
    };
    trail::record(
        hub,
        actor,
        "usage.reclaim.apply",
        &connection.name,
        Some(serde_json::json!({"plan": id})),
        Some(
            serde_json::json!({"plan": id, "action": plan.action, "target": plan.target,
            "ok": count("ok"), "failed": count("failed"), "skipped": count("skipped")}),
        ),
    )
    .await?;
    get(hub, id).await
}

/// Cancels a plan that was not applied.
pub async fn cancel(hub: &Hub, actor: &str, id: &str) -> HubResult<ReclaimPlan> {
    let plan = get(hub, id).await?;
    if !hub
        .store
        .usage()
        .cancel_reclaim(id, actor, hub.clock.now_s())
        .await?
    {
        return Err(HubError::Conflict(format!(
            "reclaim plan {id} is {} and cannot be cancelled",
            plan.status
        )));
    }
    trail::record(
        hub,
        actor,
        "usage.reclaim.cancel",
        &plan.connection_id,
        None,
        Some(serde_json::json!({"plan": id})),
    )
    .await?;
    settled(hub, id).await;
    get(hub, id).await
}

/// The result an item gets when someone takes it out of a plan before confirming.
pub const EXCLUDED: &str = "excluded";

/// Takes people out of a plan that is still waiting for its confirmation: they are kept in
/// the plan, marked excluded with who did it, and never sent to Wrike.
pub async fn exclude(
    hub: &Hub,
    actor: &str,
    id: &str,
    user_ids: &[String],
) -> HubResult<ReclaimPlan> {
    let plan = get(hub, id).await?;
    if plan.status != "planned" || plan.expires_at < hub.clock.now_s() {
        return Err(HubError::Conflict(format!(
            "reclaim plan {id} is {}: people can be excluded only before it is confirmed",
            if plan.status == "planned" {
                "expired"
            } else {
                plan.status.as_str()
            }
        )));
    }
    for user in user_ids {
        if !plan.items.iter().any(|i| &i.user_id == user) {
            return Err(HubError::invalid(format!(
                "user {user} is not in reclaim plan {id}"
            )));
        }
    }
    let mut items = plan.items.clone();
    let mut excluded = 0;
    for item in items.iter_mut() {
        if user_ids.contains(&item.user_id) && item.result.is_none() {
            item.result = Some(EXCLUDED.into());
            item.message = Some(format!("excluded by {actor} before confirming"));
            excluded += 1;
        }
    }
    if !hub.store.usage().replan_reclaim(id, &items).await? {
        return Err(HubError::Conflict(format!(
            "reclaim plan {id} was confirmed or cancelled meanwhile"
        )));
    }
    trail::record(
        hub,
        actor,
        "usage.reclaim.exclude",
        &plan.connection_id,
        None,
        Some(serde_json::json!({"plan": id, "excluded": excluded})),
    )
    .await?;
    settled(hub, id).await;
    get(hub, id).await
}

/// What a plan would save a year (or cost, when negative) at the account's entered costs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanSaving {
    pub currency: String,
    pub cents: i64,
    /// People the saving counts (not skipped, excluded or failed).
    pub people: usize,
}

/// A plan's saving: deactivating frees each seat at its type's cost; changing the type
/// saves the difference between the two types' costs; making someone a collaborator frees
/// the seat, making a collaborator a user costs one. None when no costs are entered.
pub async fn saving(hub: &Hub, plan: &ReclaimPlan) -> HubResult<Option<PlanSaving>> {
    let Some(costs) = hub.store.usage().renewal(&plan.connection_id).await? else {
        return Ok(None);
    };
    let counted: Vec<&ReclaimItem> = plan
        .items
        .iter()
        .filter(|i| matches!(i.result.as_deref(), None | Some("ok")))
        .collect();
    let cents = counted
        .iter()
        .map(|i| {
            super::savings::change_saving(
                &costs,
                &plan.action,
                plan.target.as_deref(),
                i.user_type_id.as_deref(),
            )
        })
        .sum();
    Ok(Some(PlanSaving {
        currency: costs.currency,
        cents,
        people: counted.len(),
    }))
}

/// A plan's action in words, with user types by name: "Change the user type to Light User".
pub async fn headline(hub: &Hub, plan: &ReclaimPlan) -> HubResult<String> {
    Ok(match (plan.action.as_str(), plan.target.as_deref()) {
        ("deactivate", _) => "Deactivate".to_owned(),
        ("set_type", Some(t)) => {
            let types = hub.store.usage().user_types(&plan.connection_id).await?;
            let name = types
                .iter()
                .find(|x| x.id == t)
                .map_or_else(|| format!("user type {t}"), |x| x.title.clone());
            format!("Change the user type to {name}")
        }
        ("set_role", Some(r)) => format!("Change the role to {r}"),
        (other, _) => other.to_owned(),
    })
}

/// Past plans, newest first: of one connection, or of every one.
pub async fn list(hub: &Hub, connection: Option<&str>, limit: i64) -> HubResult<Vec<ReclaimPlan>> {
    let limit = limit.clamp(1, 500);
    Ok(match connection {
        Some(name) => {
            let c = crate::connections::find(hub, name).await?;
            hub.store.usage().reclaims(&c.id, limit).await?
        }
        None => hub.store.usage().all_reclaims(limit).await?,
    })
}

/// One page of past plans, newest first (of one connection, or of every one), and how
/// many there are.
pub async fn page(
    hub: &Hub,
    connection: Option<&str>,
    limit: i64,
    offset: i64,
) -> HubResult<(Vec<ReclaimPlan>, i64)> {
    let connection_id = match connection {
        Some(name) => Some(crate::connections::find(hub, name).await?.id),
        None => None,
    };
    Ok(hub
        .store
        .usage()
        .reclaim_page(connection_id.as_deref(), limit, offset)
        .await?)
}

/// A plan's people as CSV (formula-safe): who, from what, to what, and what Wrike answered.
pub fn csv(plan: &ReclaimPlan) -> HubResult<Vec<u8>> {
    use super::export::{defuse, iso};
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| HubError::Internal(format!("writing CSV: {e}"));
    out.write_record([
        "plan",
        "user_id",
        "name",
        "email",
        "before",
        "after",
        "last_activity",
        "result",
        "message",
    ])
    .map_err(failed)?;
    for i in &plan.items {
        let record = [
            plan.id.clone(),
            i.user_id.clone(),
            i.name.clone(),
            i.email.clone().unwrap_or_default(),
            i.before.clone(),
            i.after.clone(),
            iso(i.last_activity_at),
            i.result.clone().unwrap_or_else(|| "planned".into()),
            i.message.clone().unwrap_or_default(),
        ];
        out.write_record(record.iter().map(|c| defuse(c)))
            .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| HubError::Internal(format!("writing CSV: {e}")))
}

/// Turns what a policy flags now into reclaim plans (one per change: a deactivation, each
/// target type), for an Admin to confirm like any other plan. Refused on stale data.
pub async fn plan_policy(
    hub: &Hub,
    actor: &str,
    name: &str,
) -> HubResult<Vec<weft_store::ReclaimPlan>> {
    let evaluation = policies::evaluate(hub, name, false).await?;
    let connection = connections::find(hub, &evaluation.connection_id).await?;
    freshness::require_fresh(
        hub,
        &connection,
        &format!("planning policy {name}'s reclaims"),
    )
    .await?;
    let mut by_change: BTreeMap<String, (Action, Vec<String>)> = BTreeMap::new();
    for p in &evaluation.people {
        let Verdict::Flagged { change, .. } = &p.judged.verdict else {
            continue;
        };
        let action = match change {
            Change::Deactivate => Action::Deactivate,
            Change::SetType { id, .. } => Action::SetType(id.clone()),
            Change::SetRole { role } => Action::SetRole(role.clone()),
        };
        by_change
            .entry(format!("{action:?}"))
            .or_insert_with(|| (action, Vec::new()))
            .1
            .push(p.judged.person_id.clone());
    }
    if by_change.is_empty() {
        return Err(HubError::invalid(format!(
            "policy {name} flags nobody on {} now; nothing to reclaim",
            connection.name
        )));
    }
    let mut plans = Vec::new();
    for (_, (action, users)) in by_change {
        for chunk in users.chunks(MAX_USERS as usize) {
            plans.push(
                plan(
                    hub,
                    actor,
                    &connection,
                    action.clone(),
                    Selection::Users(chunk.to_vec()),
                )
                .await?,
            );
        }
    }
    trail::record(
        hub,
        actor,
        "usage.policy.reclaim",
        name,
        None,
        Some(serde_json::json!({"plans": plans.iter().map(|p| &p.id).collect::<Vec<_>>(), "flagged": evaluation.tally.flagged})),
    )
    .await?;
    Ok(plans)
}
