//! The polling trigger: on its schedule, a recipe asks Wrike for the items of its kind
//! changed since its cursor (`updatedDate`) and starts one run per change.
//!
//! The cursor is the latest `updatedDate` seen, kept per recipe. Each poll reads from a
//! little before it (Wrike's dates have whole seconds, and an edit can land in the second
//! just read), and a change's run is keyed by the item and its `updatedDate`, so the overlap
//! starts nothing twice. A recipe polls from the moment it starts: earlier history is not
//! replayed.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use weft_core::recipe::{PollObject, Trigger};
use weft_store::{RecipeRecord, RecipeState};

use super::{records, runs};
use crate::error::{HubError, HubResult};
use crate::runtime::handlers::{JobContext, JobResult};
use crate::{Hub, connections, wrike};

/// Job kind of one poll of one recipe.
pub const POLL: &str = "recipe.poll";

/// How far behind the cursor each poll starts.
const OVERLAP_SECONDS: i64 = 5;
/// Most pages read in one poll (the rest waits for the next).
const MAX_PAGES: usize = 20;

pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The `recipe.poll` job.
pub async fn handle(ctx: JobContext) -> JobResult {
    let recipe_id = ctx.job.payload["recipe"].as_i64().unwrap_or_default();
    let polled = poll(&ctx.hub, recipe_id).await?;
    Ok(Some(json!({"started": polled})))
}

/// Polls one recipe once; returns how many runs it started.
pub async fn poll(hub: &Hub, recipe_id: i64) -> HubResult<usize> {
    let Some(record) = hub.store.recipes().get(recipe_id).await? else {
        return Ok(0);
    };
    if record.state == RecipeState::Stopped {
        return Ok(0);
    }
    let recipe = records::parsed(&record)?;
    let Trigger::Poll(spec) = &recipe.trigger.value else {
        return Ok(0);
    };
    let now = hub.clock.now();
    let cursor = match hub.store.recipes().cursor(recipe_id).await? {
        Some(c) => DateTime::parse_from_rfc3339(&c)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(now),
        None => {
            // First poll: the recipe starts from now.
            hub.store
                .recipes()
                .set_cursor(recipe_id, &stamp(now), now.timestamp())
                .await?;
            return Ok(0);
        }
    };
    let connection = connections::find(hub, &recipe.connection.value).await?;
    let client = wrike::client_for(hub, &connection).await?;
    let from = cursor - Duration::seconds(OVERLAP_SECONDS);
    let range = json!({"start": stamp(from)}).to_string();
    let (path, mut params): (String, Vec<(String, String)>) = match (spec.object, &spec.folder) {
        (PollObject::Tasks, Some(folder)) => (
            format!("folders/{folder}/tasks"),
            vec![("updatedDate".into(), range)],
        ),
        (PollObject::Tasks, None) => ("tasks".into(), vec![("updatedDate".into(), range)]),
        (PollObject::Folders | PollObject::Projects, folder) => {
            let path = folder
                .as_ref()
                .map_or("folders".to_owned(), |f| format!("folders/{f}/folders"));
            let mut params = vec![("updatedDate".into(), range)];
            if spec.object == PollObject::Projects {
                params.push(("project".into(), "true".into()));
            }
            (path, params)
        }
        (PollObject::Comments, _) => {
            let end = stamp(now + Duration::seconds(1));
            (
                "comments".into(),
                vec![(
                    "updatedDate".into(),
                    json!({"start": stamp(from), "end": end}).to_string(),
                )],
            )
        }
        (PollObject::Timelogs, _) => ("timelogs".into(), vec![("updatedDate".into(), range)]),
    };
    if spec.object == PollObject::Tasks {
        params.push(("pageSize".into(), "1000".into()));
        params.push((
            "fields".into(),
            "[\"responsibleIds\",\"parentIds\",\"description\"]".into(),
        ));
    }
    let what = format!(
        "polling {} for recipe {}",
        spec.object.as_str(),
        record.name
    );
    let items = read_pages(&client, &path, params, &what).await?;
    let mut latest = cursor;
    let mut started = 0;
    for item in items {
        let Some(updated) = item
            .get("updatedDate")
            .and_then(Value::as_str)
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&Utc))
        else {
            continue;
        };
        if updated < from {
            continue;
        }
        latest = latest.max(updated);
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_owned();
        let key = format!("poll:{}:{id}:{}", spec.object.as_str(), stamp(updated));
        let event = json!({"object": spec.object.as_str(), "id": id, "updatedDate": stamp(updated), "item": item});
        if matches!(
            runs::start(hub, &record, &key, event, "poll").await?,
            weft_store::RunStarted::New { .. }
        ) {
            started += 1;
        }
    }
    hub.store
        .recipes()
        .set_cursor(recipe_id, &stamp(latest), now.timestamp())
        .await?;
    Ok(started)
}

/// Every item of a listing, page after page (at most `MAX_PAGES`; the rest waits for the
/// next read, which starts from the cursor).
pub(crate) async fn read_pages(
    client: &wrike_api::WrikeClient,
    path: &str,
    params: Vec<(String, String)>,
    what: &str,
) -> HubResult<Vec<Value>> {
    let mut items: Vec<Value> = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        // Follow-ups send the first request's parameters again with the token (see
        // `WrikeClient::pages`).
        let mut page_params = params.clone();
        if let Some(t) = &token {
            page_params.push(("nextPageToken".into(), t.clone()));
        }
        let page = client
            .call_json(Method::GET, path, page_params)
            .await
            .map_err(|e| HubError::wrike(what.to_owned(), e))?;
        if let Some(data) = page.get("data").and_then(Value::as_array) {
            items.extend(data.iter().cloned());
        }
        token = page
            .get("nextPageToken")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(items)
}

/// Forgets a recipe's cursor (when it stops), so it starts from "now" when started again.
pub async fn reset(hub: &Hub, record: &RecipeRecord) -> HubResult<()> {
    hub.store.recipes().clear_cursor(record.id).await?;
    Ok(())
}
