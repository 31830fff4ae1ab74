//! The one way the hub writes its trail: who did what to which target, with the state
//! before and after. Every change made through the hub's services lands here.

use serde_json::Value;
use weft_store::NewTrailEntry;

use crate::Hub;
use crate::error::HubResult;

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
