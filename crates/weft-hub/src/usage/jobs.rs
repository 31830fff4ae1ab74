//! Syncs as jobs: `usage.round` (the schedule, hourly by default) enqueues one `usage.sync`
//! per connection; `usage.sync` runs one. A sync that finds another one of the same
//! connection running succeeds without doing anything: the running one covers it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use weft_core::schedule::Cadence;
use weft_store::{Connection, RetryPolicy, ScheduleSpec};

use super::sync::{self, Silent, SyncOptions};
use crate::error::HubError;
use crate::jobs::{self, Request};
use crate::runtime::handlers::{JobContext, JobError, JobResult, Registry};
use crate::{Hub, connections};

pub const ROUND: &str = "usage.round";
pub const SYNC: &str = "usage.sync";

pub fn register(registry: &mut Registry) {
    registry.register(ROUND, round).register(SYNC, run_sync);
}

/// The sync schedule.
pub fn schedule(every: Duration) -> Result<ScheduleSpec, String> {
    Ok(ScheduleSpec {
        name: "usage.sync".into(),
        kind: ROUND.into(),
        payload: json!({}),
        cadence: Cadence::every_seconds(every.as_secs())?,
        priority: 0,
        retry: RetryPolicy::ONCE,
        enabled: true,
    })
}

/// The job that syncs one connection, retried with backoff when Wrike or the database fail
/// transiently.
pub fn sync_request(connection_id: &str, dedupe: String, since: Option<i64>) -> Request {
    Request::new(SYNC, json!({"connectionId": connection_id, "since": since}))
        .dedupe(dedupe)
        .retry(RetryPolicy {
            max_attempts: 4,
            backoff_ms: 60_000,
            backoff_max_ms: 900_000,
        })
}

async fn round(ctx: JobContext) -> JobResult {
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
            sync_request(
                &connection.id,
                format!("usage.sync:{}:{}", connection.id, ctx.job.id),
                None,
            ),
        )
        .await?;
    }
    Ok(Some(json!({"connections": all.len()})))
}

async fn run_sync(ctx: JobContext) -> JobResult {
    let id = ctx.job.payload["connectionId"]
        .as_str()
        .ok_or_else(|| JobError::Permanent("the payload has no connectionId".into()))?;
    let connection = match connections::by_id(&ctx.hub, id).await {
        Ok(connection) => connection,
        Err(HubError::NotFound { .. }) => {
            return Ok(Some(json!({"skipped": "the connection was removed"})));
        }
        Err(other) => return Err(other.into()),
    };
    let options = SyncOptions {
        since: ctx.job.payload.get("since").and_then(Value::as_i64),
        ..SyncOptions::default()
    };
    let owner = format!("{}/job-{}", ctx.worker, ctx.job.id);
    let mut waited = false;
    loop {
        let outcome = sync::run(
            &ctx.hub,
            &connection,
            &owner,
            &options,
            Arc::new(Silent),
            ctx.stop.clone(),
        )
        .await;
        match outcome {
            Ok(report) => {
                let report = serde_json::to_value(&report).unwrap_or_default();
                synced(
                    &ctx.hub,
                    &connection,
                    &format!("job-{}", ctx.job.id),
                    &report,
                )
                .await;
                return Ok(Some(report));
            }
            Err(HubError::Busy(message)) => {
                // The sync holding the connection may be this job's own earlier attempt, on
                // a worker that died mid-way: this attempt waits for that lease to run out
                // (it keeps its own job lease meanwhile) and syncs then. Any other sync
                // does the work itself.
                let left = if waited {
                    None
                } else {
                    earlier_attempt_holds(&ctx, &connection.id).await?
                };
                let Some(left) = left else {
                    return Ok(Some(json!({"skipped": message})));
                };
                waited = true;
                tokio::select! {
                    _ = tokio::time::sleep(left) => {}
                    _ = ctx.stop.cancelled() => {
                        return Err(JobError::Retry(format!("stopped while an earlier attempt's sync lease ran out: {message}")));
                    }
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// How long until the sync lease runs out, when an earlier attempt of this job holds it
/// (its owner names the job); none when another sync holds it.
async fn earlier_attempt_holds(
    ctx: &JobContext,
    connection_id: &str,
) -> Result<Option<Duration>, JobError> {
    let state = ctx
        .hub
        .store
        .usage()
        .sync_state(connection_id)
        .await
        .map_err(HubError::from)?;
    let suffix = format!("/job-{}", ctx.job.id);
    Ok(state
        .filter(|s| {
            s.lease_owner
                .as_deref()
                .is_some_and(|o| o.ends_with(&suffix))
        })
        .map(|s| {
            let left = s.lease_expires_at.unwrap_or(0) - ctx.hub.clock.now_s();
            Duration::from_secs(left.clamp(0, 3_600) as u64 + 1)
        }))
}

/// What follows a finished sync of `connection` (by a job or the CLI; `key` names the sync):
/// a job for the recipes that react to it (those on `sync_finished`, and those on
/// `user_inactive`, which look for seats that crossed their threshold), and a round of
/// each reclaim dialogue of the connection's policies. A failure to enqueue
/// it is logged: the sync itself is done.
pub async fn synced(hub: &Hub, connection: &Connection, key: &str, report: &Value) {
    let request = crate::jobs::Request::new(
        crate::jobs::kinds::SYNC_FINISHED,
        json!({"connectionId": connection.id, "connection": connection.name, "key": key, "report": report}),
    )
    .dedupe(format!("sync-finished:{}:{key}", connection.id));
    if let Err(e) = crate::jobs::enqueue(hub, &format!("usage sync {key}"), request).await {
        tracing::warn!(error = %e, "queueing what follows a finished sync");
    }
    if let Err(e) = super::dialogue::after_sync(hub, &connection.id).await {
        tracing::warn!(error = %e, "queueing the reclaim dialogues' rounds after a sync");
    }
}
