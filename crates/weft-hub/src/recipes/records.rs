//! Stored recipes as the other recipe modules need them: a stored file parsed again, and a
//! recipe's state changed with its entry in the trail.

use serde_json::json;
use weft_core::recipe::{self, Recipe};
use weft_store::{RecipeRecord, RecipeState};

use crate::error::{HubError, HubResult};
use crate::{Hub, trail};

/// Parses a stored recipe's current file.
pub fn parsed(record: &RecipeRecord) -> HubResult<Recipe> {
    recipe::parse(
        &format!("hub/{} v{}", record.name, record.version),
        &record.source,
    )
    .map_err(|p| HubError::Internal(format!("the stored recipe does not parse any more: {p}")))
}

pub async fn set_state(
    hub: &Hub,
    actor: &str,
    record: &RecipeRecord,
    state: RecipeState,
    reason: Option<&str>,
) -> HubResult<RecipeRecord> {
    hub.store
        .recipes()
        .set_state(record.id, state, reason, actor, hub.clock.now_s())
        .await?;
    if state != record.state {
        trail::record(
            hub,
            actor,
            &format!("recipe.{}", state.as_str()),
            &format!("recipe {}", record.name),
            Some(json!({"state": record.state, "reason": record.state_reason})),
            Some(json!({"state": state, "reason": reason})),
        )
        .await?;
    }
    hub.store
        .recipes()
        .by_name(&record.name)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("recipe {:?}", record.name),
        })
}
