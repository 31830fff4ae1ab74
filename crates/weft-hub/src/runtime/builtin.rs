//! The jobs the hub runs for itself: health probes (a round fans out one probe per
//! connection), purging finished jobs and expired access, and a no-op that proves workers
//! are alive.

use std::time::Duration;

use serde_json::{Value, json};
use weft_core::schedule::Cadence;
use weft_store::{RetryPolicy, ScheduleSpec};

use crate::error::HubError;
use crate::jobs::{self, Request, kinds};
use crate::runtime::Retention;
use crate::runtime::handlers::{JobContext, JobError, JobResult, Registry};
use crate::{connections, health};

/// Probes outrank other work: a broken connection should be noticed even on a busy hub.
const PROBE_PRIORITY: i64 = 10;

/// Adds the hub's own kinds to `registry`.
pub fn register(registry: &mut Registry) {
    registry
        .register(kinds::HEALTH_ROUND, health_round)
        .register(kinds::HEALTH_PROBE, health_probe)
        .register(kinds::JOBS_PURGE, purge)
        .register(kinds::ACCESS_PURGE, purge_access)
        .register(kinds::NOOP, noop);
}

/// The hub's own schedules: a health round every `probe_every`, purges every hour.
pub fn schedules(probe_every: Duration, keep: Retention) -> Result<Vec<ScheduleSpec>, String> {
    let ms = |d: Duration| d.as_millis() as i64;
    Ok(vec![
        ScheduleSpec {
            name: "health.probe".into(),
            kind: kinds::HEALTH_ROUND.into(),
            payload: json!({}),
            cadence: Cadence::every_seconds(probe_every.as_secs())?,
            priority: PROBE_PRIORITY,
            retry: RetryPolicy::ONCE,
            enabled: true,
        },
        ScheduleSpec {
            name: "jobs.purge".into(),
            kind: kinds::JOBS_PURGE.into(),
            payload: json!({
                "keepDoneMs": ms(keep.jobs_done),
                "keepDeadMs": ms(keep.jobs_dead),
                "keepRunsMs": ms(keep.runs_done),
                "keepFailedRunsMs": ms(keep.runs_failed),
            }),
            cadence: Cadence::every_seconds(3600)?,
            priority: 0,
            retry: RetryPolicy::ONCE,
            enabled: true,
        },
        ScheduleSpec {
            name: "access.purge".into(),
            kind: kinds::ACCESS_PURGE.into(),
            payload: json!({}),
            cadence: Cadence::every_seconds(3600)?,
            priority: 0,
            retry: RetryPolicy::ONCE,
            enabled: true,
        },
    ])
}

async fn health_round(ctx: JobContext) -> JobResult {
    let all = ctx
        .hub
        .store
        .connections()
        .list()
        .await
        .map_err(HubError::from)?;
    for connection in &all {
        jobs::enqueue(
            &ctx.hub,
            &format!("job {}", ctx.job.id),
            Request::new(kinds::HEALTH_PROBE, json!({"connectionId": connection.id}))
                .dedupe(format!("health.probe:{}:{}", connection.id, ctx.job.id))
                .priority(PROBE_PRIORITY)
                .retry(RetryPolicy::ONCE),
        )
        .await?;
    }
    Ok(Some(json!({"connections": all.len()})))
}

async fn health_probe(ctx: JobContext) -> JobResult {
    let id = ctx.job.payload["connectionId"]
        .as_str()
        .ok_or_else(|| JobError::Permanent("the payload has no connectionId".into()))?;
    let connection = match connections::find(&ctx.hub, id).await {
        Ok(connection) => connection,
        // Removed since the round began: nothing to probe.
        Err(HubError::NotFound { .. }) => {
            return Ok(Some(json!({"skipped": "the connection was removed"})));
        }
        Err(other) => return Err(other.into()),
    };
    let health = health::probe(&ctx.hub, &connection).await?;
    Ok(Some(
        json!({"connection": connection.name, "state": health.state, "class": health.class}),
    ))
}

/// Deletes finished jobs and recipe runs older than the retention in the payload (the
/// defaults for a payload written before a field existed).
async fn purge(ctx: JobContext) -> JobResult {
    let now = ctx.hub.clock.now_ms();
    let defaults = Retention::default();
    let keep = |name: &str, default: Duration| {
        ctx.job.payload[name]
            .as_i64()
            .unwrap_or(default.as_millis() as i64)
    };
    let deleted = ctx
        .hub
        .store
        .jobs()
        .purge(
            now - keep("keepDoneMs", defaults.jobs_done),
            now - keep("keepDeadMs", defaults.jobs_dead),
        )
        .await
        .map_err(HubError::from)?;
    let runs = ctx
        .hub
        .store
        .recipes()
        .purge_runs(
            now - keep("keepRunsMs", defaults.runs_done),
            now - keep("keepFailedRunsMs", defaults.runs_failed),
        )
        .await
        .map_err(HubError::from)?;
    Ok(Some(json!({"deleted": deleted, "runsDeleted": runs})))
}

async fn purge_access(ctx: JobContext) -> JobResult {
    let deleted = ctx
        .hub
        .store
        .access()
        .purge_expired(ctx.hub.clock.now_s())
        .await
        .map_err(HubError::from)?;
    Ok(Some(json!({"deleted": deleted})))
}

async fn noop(ctx: JobContext) -> JobResult {
    if let Some(ms) = ctx.job.payload.get("sleepMs").and_then(Value::as_u64) {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(ms.min(3_600_000))) => {}
            _ = ctx.stop.cancelled() => return Err(JobError::Retry("stopped while sleeping".into())),
        }
    }
    Ok(Some(json!({"worker": ctx.worker})))
}
