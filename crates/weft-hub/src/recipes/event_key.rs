//! A Wrike event's identity, which makes "the same event never starts a recipe twice" hold
//! for deliveries repeated by Wrike and for events the sweep rebuilds.

use serde_json::Value;

/// One Wrike event's identity: the same change delivered twice has the same key. Wrike
/// sends no event id, so the key is the event's type, subject, author and time, and what
/// changed; a task's creation is keyed by the task.
pub fn wrike_event_key(event: &Value) -> String {
    let text = |k: &str| event.get(k).and_then(Value::as_str);
    let subject = text("taskId").or(text("folderId")).unwrap_or("-");
    // A task is created once: its creation is keyed by the task alone, so a delivery and
    // the sweep (which rebuilds the event from a listing) agree.
    if text("eventType") == Some("TaskCreated") {
        return format!("wrike:TaskCreated:{subject}");
    }
    let digest = hex::encode(&sha2_digest(event.to_string().as_bytes())[..12]);
    format!(
        "wrike:{}:{subject}:{digest}",
        text("eventType").unwrap_or("event")
    )
}

pub(crate) fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).to_vec()
}
