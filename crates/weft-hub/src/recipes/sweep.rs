//! The sweep behind webhook triggers on `TaskCreated`. Wrike gives up on a delivery the
//! hub did not take (the hub down, the network cut) and suspends a hook that keeps failing;
//! what it did not deliver is not sent again. So each time the hub checks its hooks, it also
//! lists the tasks created in each hook's scope since the last check and starts a run for
//! any that no delivery started. A creation is the one change a listing shows exactly (the
//! task and its `createdDate`); a `TaskCreated` run is keyed by its task alone, so a
//! delivery and the sweep never start it twice. Other events cannot be rebuilt from a
//! listing: a recipe that must see every change of another kind polls.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use weft_core::recipe::WebhookTrigger;
use weft_store::RecipeRecord;
use wrike_api::WrikeClient;

use super::poll::{read_pages, stamp};
use super::runs;
use crate::Hub;
use crate::error::HubResult;

/// The event the sweep rebuilds.
const TASK_CREATED: &str = "TaskCreated";
/// How far behind the last sweep each sweep starts (a task created in the second the last
/// listing was read, clocks a little apart).
const OVERLAP_SECONDS: i64 = 120;

/// Whether the trigger listens for task creations (no `events` means all of them).
pub fn wants(spec: &WebhookTrigger) -> bool {
    spec.events.is_empty() || spec.events.iter().any(|e| e == TASK_CREATED)
}

/// Where the sweep starts: from the moment the recipe starts, not its scope's history. A
/// hook registered again (Wrike lost it) keeps the sweep's place, so what was created
/// meanwhile is still found; stopping the recipe forgets it.
pub async fn begin(hub: &Hub, record: &RecipeRecord) -> HubResult<()> {
    if hub.store.recipes().cursor(record.id).await?.is_some() {
        return Ok(());
    }
    let now = hub.clock.now();
    hub.store
        .recipes()
        .set_cursor(record.id, &stamp(now), now.timestamp())
        .await?;
    Ok(())
}

/// Starts a run for each task created in the hook's scope since the last sweep that no
/// delivery started; returns how many it started.
pub async fn created_tasks(
    hub: &Hub,
    client: &WrikeClient,
    record: &RecipeRecord,
    spec: &WebhookTrigger,
    webhook_id: &str,
) -> HubResult<usize> {
    if !wants(spec) {
        return Ok(0);
    }
    let now = hub.clock.now();
    let Some(cursor) = hub
        .store
        .recipes()
        .cursor(record.id)
        .await?
        .and_then(|c| DateTime::parse_from_rfc3339(&c).ok())
        .map(|d| d.with_timezone(&Utc))
    else {
        return begin(hub, record).await.map(|()| 0);
    };
    let from = cursor - Duration::seconds(OVERLAP_SECONDS);
    let (path, mut params): (String, Vec<(String, String)>) = match (&spec.folder, &spec.space) {
        (Some(folder), _) => (
            format!("folders/{folder}/tasks"),
            vec![("descendants".into(), spec.recursive.to_string())],
        ),
        (None, Some(space)) => (format!("spaces/{space}/tasks"), Vec::new()),
        (None, None) => ("tasks".into(), Vec::new()),
    };
    params.push((
        "createdDate".into(),
        json!({"start": stamp(from)}).to_string(),
    ));
    params.push(("fields".into(), "[\"authorIds\"]".into()));
    params.push(("pageSize".into(), "1000".into()));
    let what = format!("listing new tasks for recipe {}", record.name);
    let tasks = read_pages(client, &path, params, &what).await?;
    let mut started = 0;
    for task in tasks {
        let text = |k: &str| task.get(k).and_then(Value::as_str);
        let (Some(id), Some(created)) = (text("id"), text("createdDate")) else {
            continue;
        };
        let author = task
            .get("authorIds")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or(Value::Null);
        // The event Wrike would have delivered, marked as rebuilt by the sweep.
        let event = json!({
            "taskId": id,
            "webhookId": webhook_id,
            "eventAuthorId": author,
            "eventType": TASK_CREATED,
            "lastUpdatedDate": created,
            "weftCaughtUp": true,
        });
        let key = super::event_key::wrike_event_key(&event);
        if matches!(
            runs::start(hub, record, &key, event, "webhook sweep").await?,
            weft_store::RunStarted::New { .. }
        ) {
            started += 1;
        }
    }
    hub.store
        .recipes()
        .set_cursor(record.id, &stamp(now), now.timestamp())
        .await?;
    if started > 0 {
        tracing::warn!(recipe = %record.name, started, "started runs for task creations no webhook delivered");
    }
    Ok(started)
}
