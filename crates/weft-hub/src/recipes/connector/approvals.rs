//! Wrike approvals beyond listing, asking and cancelling: read one, change one.

use serde_json::Value;
use wrike_api::WrikeClient;
use wrike_api::requests::ApprovalUpdate;

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{day, flag, id, opt_text, strings, to_output};

/// One approval with its decisions.
pub async fn get(client: &WrikeClient, input: &Value) -> ActionResult {
    let id = id(input, "id")?;
    let found = client
        .approvals_by_ids(&[id])
        .await
        .map_err(|e| ActionError::from_wrike(&format!("GET /approvals/{id}"), e))?;
    match found.first() {
        Some(a) => to_output(a),
        None => Err(ActionError::permanent(format!("no approval {id}"))),
    }
}

/// Changes what Wrike's API lets change; decisions are the approvers' to make in Wrike.
pub async fn update(client: &WrikeClient, input: &Value) -> ActionResult {
    let approval = id(input, "id")?;
    let list = |name: &str| -> Result<Option<Vec<String>>, ActionError> {
        let ids = strings(input, name)?;
        Ok((!ids.is_empty()).then_some(ids))
    };
    let update = ApprovalUpdate {
        description: opt_text(input, "description")?,
        due_date: day(input, "dueDate")?,
        add_approvers: list("addApprovers")?,
        remove_approvers: list("removeApprovers")?,
        auto_finish_on_approve: flag(input, "autoFinishOnApprove")?,
        auto_finish_on_reject: flag(input, "autoFinishOnReject")?,
        finished: flag(input, "finished")?,
    };
    let changed = client
        .update_approval(approval, &update)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("PUT /approvals/{approval}"), e))?;
    to_output(&changed)
}
