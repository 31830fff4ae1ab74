//! Attachment files: read one's metadata, get a link to its file, upload a new version.

use serde_json::{Value, json};
use wrike_api::WrikeClient;

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{file_upload, id, to_output};

/// An attachment's metadata.
pub async fn get(client: &WrikeClient, input: &Value) -> ActionResult {
    let id = id(input, "id")?;
    let found = client
        .attachments(&[id])
        .await
        .map_err(|e| ActionError::from_wrike(&format!("GET /attachments/{id}"), e))?;
    match found.first() {
        Some(a) => to_output(a),
        None => Err(ActionError::permanent(format!("no attachment {id}"))),
    }
}

/// A link to the file that works without a token; Wrike keeps it for 24 hours.
pub async fn url(client: &WrikeClient, input: &Value) -> ActionResult {
    let id = id(input, "id")?;
    let url = client
        .attachment_url(id)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("GET /attachments/{id}/url"), e))?;
    Ok(json!({"id": id, "url": url, "validHours": 24}))
}

/// A new version of the attachment's file.
pub async fn update(client: &WrikeClient, input: &Value) -> ActionResult {
    let id = id(input, "id")?;
    let file = file_upload(input)?;
    let changed = client
        .update_attachment(id, &file)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("PUT /attachments/{id}"), e))?;
    to_output(&changed)
}
