//! The `user_inactive` hub event: after each usage sync of a connection, the paid, active
//! seats that crossed a running recipe's idle threshold since its last look each start one
//! run.
//!
//! "Crossed since the last look" is read off the synced activity: a seat idle for `days`
//! now whose last activity was less than `days` before the previous look. The look's time is
//! kept as the recipe's cursor, set when the recipe starts, so seats already idle then are
//! not announced (the `usage.inactive_users` action lists those). A run is keyed by the user
//! and their last activity: one run per stretch of idleness, however many syncs see it.
//! Never-active users are left to the reports' "never active" list.

use chrono::{SecondsFormat, TimeZone, Utc};
use serde_json::{Value, json};
use weft_core::recipe::{HubEvent, Recipe, Trigger};
use weft_store::{Connection, RecipeRecord, RecipeState, SortBy, UserFilter, UserRow};

use super::{records, runs};
use crate::Hub;
use crate::error::HubResult;
use crate::usage::reports::{self, ReportRequest};

const DAY: i64 = 86_400;
/// Users read per page of the report.
const PAGE: i64 = 1_000;

/// The idle threshold when `recipe` is started by `user_inactive`.
fn threshold(recipe: &Recipe) -> Option<u32> {
    match &recipe.trigger.value {
        Trigger::Hub(t) if t.event == HubEvent::UserInactive => Some(t.inactive_days()),
        _ => None,
    }
}

/// Marks where a `user_inactive` recipe starts looking from (now), when it starts.
pub(crate) async fn start_looking(hub: &Hub, record: &RecipeRecord) -> HubResult<()> {
    let now = hub.clock.now_s();
    hub.store
        .recipes()
        .set_cursor(record.id, &now.to_string(), now)
        .await?;
    Ok(())
}

/// Starts the runs of every running `user_inactive` recipe on `connection` for the seats that
/// crossed its threshold since its last look; returns how many started.
pub async fn after_sync(hub: &Hub, connection: &Connection) -> HubResult<usize> {
    let mut started = 0;
    for record in hub.store.recipes().list().await? {
        if record.state == RecipeState::Stopped || record.trigger_kind != "hub" {
            continue;
        }
        let recipe = records::parsed(&record)?;
        let on_this = [&connection.name, &connection.id].contains(&&recipe.connection.value);
        if let Some(days) = threshold(&recipe).filter(|_| on_this) {
            started += look(hub, &record, connection, days).await?;
        }
    }
    Ok(started)
}

async fn look(
    hub: &Hub,
    record: &RecipeRecord,
    connection: &Connection,
    days: u32,
) -> HubResult<usize> {
    let now = hub.clock.now_s();
    let store = hub.store.recipes();
    let last_look = store
        .cursor(record.id)
        .await?
        .and_then(|c| c.parse::<i64>().ok());
    let Some(last_look) = last_look else {
        // Started before this event existed, or its cursor was reset: look from now on.
        start_looking(hub, record).await?;
        return Ok(0);
    };
    let crossed_after = last_look - i64::from(days) * DAY;
    let request = ReportRequest {
        connections: vec![connection.id.clone()],
        filter: UserFilter {
            paid: Some(true),
            active: Some(true),
            idle_days: Some(i64::from(days)),
            ever_active: Some(true),
            ..UserFilter::default()
        },
        signals: None,
        policy: None,
    };
    let mut started = 0;
    let mut offset = 0;
    loop {
        let report =
            reports::users(hub, &request, SortBy::LastActivity, true, PAGE, offset).await?;
        let rows = report.page.rows;
        for user in &rows {
            let Some(at) = user.last_activity_at.filter(|at| *at > crossed_after) else {
                continue;
            };
            let key = format!(
                "hub:{}:{}:{}:{at}",
                HubEvent::UserInactive.as_str(),
                connection.id,
                user.id
            );
            let event = event_of(connection, user, at, days, now);
            if matches!(
                runs::start(hub, record, &key, event, "hub event").await?,
                weft_store::RunStarted::New { .. }
            ) {
                started += 1;
            }
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
        offset += PAGE;
    }
    store.set_cursor(record.id, &now.to_string(), now).await?;
    Ok(started)
}

/// The trigger event of one seat that became inactive.
fn event_of(
    connection: &Connection,
    user: &UserRow,
    last_activity: i64,
    days: u32,
    now: i64,
) -> Value {
    let stamp = |s: i64| {
        Utc.timestamp_opt(s, 0)
            .single()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
    };
    json!({
        "event": HubEvent::UserInactive.as_str(),
        "connection": connection.name,
        "connectionId": connection.id,
        "days": days,
        "user": {
            "id": user.id,
            "name": format!("{} {}", user.first_name, user.last_name).trim(),
            "email": user.email,
            "userTypeId": user.user_type_id,
            "userType": user.user_type,
            "role": user.role,
            "lastActivityAt": stamp(last_activity),
            "idleDays": (now - last_activity) / DAY,
        },
    })
}
