//! The undated sources of a sync, read whole each time: the account with its subscription,
//! the user types, and the people.

use std::collections::BTreeMap;

use weft_core::health::FailureClass;
use weft_store::{AccountSnapshot, PersonRow, UserTypeRow};
use wrike_api::models::{Contact, Plan};
use wrike_api::requests::ContactsQuery;

use super::context::{SourceEnd, SyncCtx, failed, optional};
use crate::error::HubResult;

/// `GET /account?fields=["subscription"]`: the plan, `userLimit` and `paid` (the last two
/// only for admins).
pub(crate) async fn account(ctx: &SyncCtx<'_>) -> HubResult<(SourceEnd, Option<Plan>)> {
    let account = ctx
        .client
        .account(&["subscription"])
        .await
        .map_err(|e| failed(ctx, "the account", e))?;
    let subscription = account.subscription.as_ref();
    let snapshot = AccountSnapshot {
        account_id: account.id.clone(),
        name: account.name.clone(),
        plan: subscription.map(|s| s.plan.as_str().to_owned()),
        user_limit: subscription.and_then(|s| s.user_limit).map(i64::from),
        paid: subscription.and_then(|s| s.paid),
        suspended: subscription.and_then(|s| s.suspended),
        expiry_date: subscription.and_then(|s| s.expiry_date.clone()),
        raw: serde_json::to_string(&account).unwrap_or_default(),
    };
    ctx.hub
        .store
        .usage()
        .save_account(&ctx.connection.id, &snapshot, ctx.now())
        .await?;
    let plan = subscription.map(|s| s.plan.clone());
    Ok((
        SourceEnd::Done {
            records: 1,
            requests: 1,
        },
        plan,
    ))
}

/// `GET /user_types`, where the plan has them.
pub(crate) async fn user_types(ctx: &SyncCtx<'_>) -> HubResult<SourceEnd> {
    let types = match ctx.client.user_types().await {
        Ok(types) => types,
        Err(e) => {
            return optional(
                failed(ctx, "user types", e),
                |class| {
                    match class {
                    FailureClass::ScopeMissing => "user types need a broader token scope (reconnect with Default or amReadOnlyUser); seats are counted by role only".into(),
                    _ => "this plan has no user types (Wrike answered not_allowed); seats are counted by role only".into(),
                }
                },
                1,
            );
        }
    };
    let rows: Vec<UserTypeRow> = types
        .iter()
        .map(|t| UserTypeRow {
            id: t.id.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            license_type: t.license_type.clone(),
            raw: serde_json::to_string(t).unwrap_or_default(),
        })
        .collect();
    ctx.hub
        .store
        .usage()
        .save_user_types(&ctx.connection.id, &rows)
        .await?;
    Ok(SourceEnd::Done {
        records: rows.len() as u64,
        requests: 1,
    })
}

/// `GET /contacts` twice: as listed, and with `deleted=true`. Wrike documents the flag only
/// as a "deleted flag filter"; whether it adds deleted contacts or returns only them, the
/// union of both listings (by id) holds everyone.
pub(crate) async fn users(ctx: &SyncCtx<'_>) -> HubResult<SourceEnd> {
    let mut everyone: BTreeMap<String, Contact> = BTreeMap::new();
    for deleted in [None, Some(true)] {
        let query = ContactsQuery {
            deleted,
            ..Default::default()
        };
        let listed = ctx
            .client
            .contacts(&query)
            .await
            .map_err(|e| failed(ctx, "the people", e))?;
        for contact in listed {
            everyone.insert(contact.id.clone(), contact);
        }
        ctx.check_stop()?;
    }
    let rows: Vec<PersonRow> = everyone.values().map(person_row).collect();
    let saved = ctx
        .hub
        .store
        .usage()
        .save_people(&ctx.connection.id, &rows, ctx.now())
        .await?;
    if saved.vanished > 0 {
        ctx.line(&format!(
            "users: {} contact(s) no longer listed by Wrike, now marked deleted",
            saved.vanished
        ));
    }
    Ok(SourceEnd::Done {
        records: rows.len() as u64,
        requests: 2,
    })
}

fn person_row(c: &Contact) -> PersonRow {
    let profile = c.primary_profile();
    PersonRow {
        id: c.id.clone(),
        kind: c.contact_type.as_str().to_owned(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email().map(str::to_owned),
        company_name: c.company_name.clone(),
        title: c.title.clone(),
        role: profile.map(|p| p.role.as_str().to_owned()),
        user_type_id: c.user_type_id.clone(),
        external: profile.is_some_and(|p| p.external),
        admin: profile.is_some_and(|p| p.admin),
        owner: profile.is_some_and(|p| p.owner),
        active: c.is_active() && !c.deleted,
        deleted: c.deleted,
        timezone: c.timezone.clone(),
        locale: c.locale.clone(),
        raw: serde_json::to_string(c).unwrap_or_default(),
    }
}
