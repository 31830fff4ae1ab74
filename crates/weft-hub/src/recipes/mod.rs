//! Recipes: automations on Wrike events, run by the hub as durable jobs.
//!
//! `library` keeps recipe files (check, plan, apply, export, versions, start and stop);
//! `triggers` sets a running recipe's trigger up (a Wrike webhook with a secret, a schedule)
//! and turns what arrives into runs (`inbound` checks other systems' signed calls); `poll` is the polling trigger; `idle` is the
//! `user_inactive` hub event, looked for after each usage sync; `runs` carries each run
//! from step to step as `recipe.run` jobs, each step's templates evaluated by `prepare`
//! within the run's bounds; `actions` is what each catalog action does (`connector` the
//! typed Wrike families, `inputs` reading a step's input, `failure` what a failure means); `secrets` are the
//! values recipes read by name and may send only to their hosts;
//! `testing` runs a recipe file's own tests.

pub mod actions;
pub mod connector;
pub mod event_key;
pub mod failure;
pub mod idle;
pub mod inbound;
pub mod inputs;
pub mod library;
pub mod poll;
pub mod prepare;
pub mod privilege;
pub mod records;
pub mod runs;
pub mod secrets;
pub mod sweep;
pub mod testing;
pub mod triggers;

use serde_json::json;

use crate::runtime::handlers::{JobContext, JobError, JobResult, Registry};

/// The recipe job kinds.
pub fn register(registry: &mut Registry) {
    registry
        .register(runs::RUN, runs::handle)
        .register(triggers::FIRE, fire)
        .register(triggers::HOOKS, check_hooks)
        .register(crate::jobs::kinds::CONNECTION_EVENT, connection_event)
        .register(crate::jobs::kinds::SYNC_FINISHED, sync_finished)
        .register(poll::POLL, poll::handle);
}

/// One occurrence of a recipe's schedule: one run, keyed by the occurrence.
async fn fire(ctx: JobContext) -> JobResult {
    let recipe_id = ctx.job.payload["recipe"]
        .as_i64()
        .ok_or_else(|| JobError::Permanent("the payload has no recipe".into()))?;
    let occurrence = ctx
        .job
        .dedupe_key
        .clone()
        .unwrap_or_else(|| format!("job-{}", ctx.job.id));
    let started = triggers::fire(&ctx.hub, recipe_id, &occurrence)
        .await
        .map_err(JobError::from)?;
    Ok(Some(json!({"run": started.map(|s| s.run_id())})))
}

/// The periodic look at recipe webhooks.
pub fn hooks_schedule(every: std::time::Duration) -> Result<weft_store::ScheduleSpec, String> {
    Ok(weft_store::ScheduleSpec {
        name: triggers::HOOKS.into(),
        kind: triggers::HOOKS.into(),
        payload: json!({}),
        cadence: weft_core::schedule::Cadence::every_seconds(every.as_secs())?,
        priority: 0,
        retry: weft_store::RetryPolicy::ONCE,
        enabled: true,
    })
}

async fn check_hooks(ctx: JobContext) -> JobResult {
    let checked = triggers::check_hooks(&ctx.hub)
        .await
        .map_err(JobError::from)?;
    Ok(Some(
        json!({"repaired": checked.repaired, "caughtUp": checked.caught_up}),
    ))
}

/// A connection broke or recovered: recipes with that hub trigger run, and after a recovery
/// the recipes paused on the connection go on.
/// A usage sync finished: the recipes on `sync_finished` start, and those on `user_inactive`
/// look for seats that crossed their threshold.
async fn sync_finished(ctx: JobContext) -> JobResult {
    let p = &ctx.job.payload;
    let id = p["connectionId"].as_str().unwrap_or_default();
    let key = p["key"].as_str().unwrap_or_default();
    let connection = match crate::connections::by_id(&ctx.hub, id).await {
        Ok(c) => c,
        // Removed since: nothing follows.
        Err(crate::HubError::NotFound { .. }) => {
            return Ok(Some(json!({"skipped": "no such connection"})));
        }
        Err(e) => return Err(e.into()),
    };
    let payload = json!({"connectionId": connection.id, "connection": connection.name, "report": p["report"]});
    let started = triggers::hub_event(
        &ctx.hub,
        weft_core::recipe::HubEvent::SyncFinished,
        key,
        payload,
    )
    .await
    .map_err(JobError::from)?;
    idle::after_sync(&ctx.hub, &connection)
        .await
        .map_err(JobError::from)?;
    Ok(Some(json!({"started": started})))
}

async fn connection_event(ctx: JobContext) -> JobResult {
    let p = &ctx.job.payload;
    let id = p["connectionId"].as_str().unwrap_or_default();
    let event = match p["event"].as_str() {
        Some("connection_recovered") => weft_core::recipe::HubEvent::ConnectionRecovered,
        Some("connection_broken") => weft_core::recipe::HubEvent::ConnectionBroken,
        other => {
            return Err(JobError::Permanent(format!(
                "unknown connection event {other:?}"
            )));
        }
    };
    let key = p["key"].as_str().unwrap_or_default();
    let started = triggers::hub_event(&ctx.hub, event, key, p["alert"].clone())
        .await
        .map_err(JobError::from)?;
    let mut resumed = 0;
    if event == weft_core::recipe::HubEvent::ConnectionRecovered
        && let Ok(connection) = crate::connections::by_id(&ctx.hub, id).await
    {
        resumed = runs::resume_connection(&ctx.hub, &connection)
            .await
            .map_err(JobError::from)?;
    }
    Ok(Some(json!({"started": started, "resumed": resumed})))
}
