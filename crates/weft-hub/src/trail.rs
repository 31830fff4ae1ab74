//! The one way the hub writes its trail: who did what to which target, with the state
//! before and after. Every change made through the hub's services lands here; the trail
//! pages and API read it through here too.

use serde_json::Value;
use weft_store::{NewTrailEntry, TrailEntry, TrailFilter};

use crate::Hub;
use crate::error::HubResult;

/// Appends many entries (actor, action, target, after) in one transaction, stamped with
/// the hub's clock.
pub async fn record_many(
    hub: &Hub,
    entries: Vec<(String, String, String, Value)>,
) -> HubResult<()> {
    let at = hub.clock.now_s();
    let entries: Vec<NewTrailEntry> = entries
        .into_iter()
        .map(|(actor, action, target, after)| NewTrailEntry {
            at,
            actor,
            action,
            target,
            before: None,
            after: Some(after),
        })
        .collect();
    hub.store.trail().append_many(&entries).await?;
    Ok(())
}

/// Appends one entry, stamped with the hub's clock.
pub async fn record(
    hub: &Hub,
    actor: &str,
    action: &str,
    target: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> HubResult<()> {
    hub.store
        .trail()
        .append(NewTrailEntry {
            at: hub.clock.now_s(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            before,
            after,
        })
        .await?;
    Ok(())
}

/// One page of the entries a filter selects, newest first.
pub async fn search(hub: &Hub, filter: &TrailFilter) -> HubResult<Vec<TrailEntry>> {
    Ok(hub.store.trail().search(filter).await?)
}

/// How many entries a filter selects on every page together.
pub async fn count(hub: &Hub, filter: &TrailFilter) -> HubResult<i64> {
    Ok(hub.store.trail().count(filter).await?)
}

/// Every action the trail holds, for the filter's choices.
pub async fn actions(hub: &Hub) -> HubResult<Vec<String>> {
    Ok(hub.store.trail().actions().await?)
}
