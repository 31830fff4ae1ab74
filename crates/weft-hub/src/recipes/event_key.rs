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

/// What started a run, for people: who ran it by hand or reran it, else the trigger its event
/// key names (`wrike:TYPE:SUBJECT:...`, `poll:OBJECT:ID:...`, `schedule:AT`, `http:ID`,
/// `hub:EVENT:...`).
pub fn describe_start(run: &weft_store::Run) -> String {
    let by_hand = |who: &str| {
        if run.hand_made {
            format!("{who}, by hand, with a trigger event written by hand")
        } else {
            format!("{who}, by hand")
        }
    };
    if let Some(of) = run.rerun_of {
        let who = run.started_by.as_deref().unwrap_or("someone");
        return format!("{who}, rerun of run {of}");
    }
    if let Some(who) = &run.started_by {
        return by_hand(who);
    }
    let mut parts = run.event_key.splitn(4, ':');
    let (kind, a, b) = (parts.next(), parts.next(), parts.next());
    match (kind, a, b) {
        (Some("wrike"), Some(event), Some(subject)) => {
            format!("Wrike event {event} on {subject}")
        }
        (Some("poll"), Some(object), Some(id)) => format!("poll: changed {object} {id}"),
        // The occurrence holds colons itself (a time): everything after the prefix.
        (Some("schedule"), _, _) => format!(
            "schedule, due {}",
            run.event_key.trim_start_matches("schedule:")
        ),
        (Some("http"), Some(id), _) => format!("HTTP call {id}"),
        (Some("hub"), Some(event), _) => format!("hub event {event}"),
        (Some("manual"), _, _) => by_hand("someone"),
        _ => run.event_key.clone(),
    }
}

#[cfg(test)]
mod describe_tests {
    use super::describe_start;

    fn run(key: &str, by: Option<&str>, hand_made: bool, rerun_of: Option<i64>) -> weft_store::Run {
        weft_store::Run {
            id: 7,
            recipe_id: 1,
            recipe_name: "r".into(),
            version: 1,
            event_key: key.into(),
            trigger_event: serde_json::Value::Null,
            status: weft_store::RunStatus::Failed,
            next_step: 0,
            outputs: serde_json::json!({}),
            error: None,
            rerun_of,
            started_by: by.map(str::to_owned),
            hand_made,
            created_ms: 0,
            updated_ms: 0,
            finished_ms: None,
        }
    }

    #[test]
    fn a_run_says_who_or_what_started_it() {
        for (run, said) in [
            (
                run("manual:x9", Some("cli:ops as dana"), false, None),
                "cli:ops as dana, by hand",
            ),
            (
                run("manual:x9", Some("alice"), true, None),
                "alice, by hand, with a trigger event written by hand",
            ),
            (
                run("rerun:3:99", Some("bob"), false, Some(3)),
                "bob, rerun of run 3",
            ),
            (
                run("wrike:TaskStatusChanged:IEAB:0a1b", None, false, None),
                "Wrike event TaskStatusChanged on IEAB",
            ),
            (
                run("wrike:TaskCreated:IEAB", None, false, None),
                "Wrike event TaskCreated on IEAB",
            ),
            (
                run("poll:tasks:IEAC:2026-12-01T10:00:00Z", None, false, None),
                "poll: changed tasks IEAC",
            ),
            (
                run("schedule:2026-12-07T09:00:00Z", None, false, None),
                "schedule, due 2026-12-07T09:00:00Z",
            ),
            (run("http:msg_1", None, false, None), "HTTP call msg_1"),
            (
                run("hub:user.inactive:c:u:5", None, false, None),
                "hub event user.inactive",
            ),
        ] {
            assert_eq!(describe_start(&run), said);
        }
    }
}
