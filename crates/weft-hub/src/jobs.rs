//! Jobs as people and other services see them: enqueue background work, list and inspect
//! it, and retry or cancel it (recorded in the trail). Running jobs is the runtime's part.

use serde_json::{Value, json};
use weft_store::{Enqueued, Job, JobFilter, JobStatus, NewJob, RetryPolicy};

use crate::error::{HubError, HubResult};
use crate::{Hub, trail};

/// Kinds the hub itself runs.
pub mod kinds {
    /// Enqueues one `health.probe` per connection (fired by the `health.probe` schedule).
    pub const HEALTH_ROUND: &str = "health.round";
    /// Probes one connection: `{"connectionId": ...}`.
    pub const HEALTH_PROBE: &str = "health.probe";
    /// Deletes finished jobs past their retention.
    pub const JOBS_PURGE: &str = "jobs.purge";
    /// Deletes expired sessions, OAuth consents and API tokens.
    pub const ACCESS_PURGE: &str = "access.purge";
    /// Does nothing (optionally after `{"sleepMs": N}`): proves workers are alive, measures
    /// the queue.
    pub const NOOP: &str = "hub.noop";
    /// A connection broke or recovered: `{"connectionId", "event", "key", "alert"}`. Recipes
    /// react to it (hub-event triggers; paused recipes go on after a recovery).
    pub const CONNECTION_EVENT: &str = "recipe.connection_event";
    /// A usage sync finished: `{"connectionId", "key", "report"}`. Recipes react to it
    /// (`sync_finished` triggers, seats that became inactive).
    pub const SYNC_FINISHED: &str = "recipe.sync_finished";
    /// A reclaim plan was applied, cancelled or had people excluded: `{"plan"}`. The reclaim
    /// dialogue brings the people it carried out up to date.
    pub const RECLAIM_SETTLED: &str = "usage.dialogue.settle";
    /// A usage sync finished: `{"connectionId", "policy"}` per policy whose dialogue may
    /// change (people who became active leave it, newly idle ones join).
    pub const DIALOGUE_ROUND: &str = "usage.dialogue.round";

    /// Routine work a listing hides unless asked: the health rounds and probes run every
    /// minute for every connection and would bury everything else.
    pub const ROUTINE: &[&str] = &[HEALTH_ROUND, HEALTH_PROBE];
}

/// A job to enqueue, with the defaults most work wants.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: String,
    pub payload: Value,
    pub dedupe_key: Option<String>,
    pub priority: i64,
    /// Delay before the first attempt.
    pub delay_ms: i64,
    pub retry: RetryPolicy,
}

impl Request {
    pub fn new(kind: &str, payload: Value) -> Request {
        Request {
            kind: kind.to_owned(),
            payload,
            dedupe_key: None,
            priority: 0,
            delay_ms: 0,
            retry: RetryPolicy::default(),
        }
    }

    pub fn dedupe(mut self, key: impl Into<String>) -> Request {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn priority(mut self, priority: i64) -> Request {
        self.priority = priority;
        self
    }

    pub fn retry(mut self, retry: RetryPolicy) -> Request {
        self.retry = retry;
        self
    }
}

/// Enqueues a job for any instance to run, and wakes this instance's workers.
pub async fn enqueue(hub: &Hub, origin: &str, request: Request) -> HubResult<Enqueued> {
    let now = hub.clock.now_ms();
    let enqueued = hub
        .store
        .jobs()
        .enqueue(
            &NewJob {
                kind: request.kind,
                payload: request.payload,
                dedupe_key: request.dedupe_key,
                origin: origin.to_owned(),
                priority: request.priority,
                run_at_ms: now.saturating_add(request.delay_ms.max(0)),
                retry: request.retry,
            },
            now,
        )
        .await?;
    hub.wake.notify_waiters();
    Ok(enqueued)
}

pub async fn list(hub: &Hub, filter: &JobFilter) -> HubResult<Vec<Job>> {
    Ok(hub.store.jobs().list(filter).await?)
}

/// How many jobs match a filter on every page together.
pub async fn count(hub: &Hub, filter: &JobFilter) -> HubResult<i64> {
    Ok(hub.store.jobs().count(filter).await?)
}

pub async fn get(hub: &Hub, id: i64) -> HubResult<Job> {
    hub.store
        .jobs()
        .get(id)
        .await?
        .ok_or_else(|| HubError::not_found(format!("job {id}")))
}

/// How many jobs are in each status (every status listed, zeros included).
pub async fn counts(hub: &Hub) -> HubResult<Vec<(JobStatus, i64)>> {
    let found = hub.store.jobs().counts().await?;
    Ok(JobStatus::ALL
        .into_iter()
        .map(|s| {
            (
                s,
                found.iter().find(|(f, _)| *f == s).map_or(0, |(_, n)| *n),
            )
        })
        .collect())
}

/// Queues a dead or cancelled job again, now, with fresh attempts.
pub async fn retry(hub: &Hub, actor: &str, id: i64) -> HubResult<Job> {
    let before = get(hub, id).await?;
    let job = hub.store.jobs().retry(id, hub.clock.now_ms()).await?;
    trail::record(
        hub,
        actor,
        "job.retry",
        &format!("job {id} ({})", job.kind),
        Some(json!({"status": before.status, "attempts": before.attempts, "lastError": before.last_error})),
        Some(json!({"status": job.status})),
    )
    .await?;
    hub.wake.notify_waiters();
    Ok(job)
}

/// Cancels a queued or running job; a running one stops at its next heartbeat.
pub async fn cancel(hub: &Hub, actor: &str, id: i64) -> HubResult<Job> {
    let before = get(hub, id).await?;
    let job = hub.store.jobs().cancel(id, hub.clock.now_ms()).await?;
    trail::record(
        hub,
        actor,
        "job.cancel",
        &format!("job {id} ({})", job.kind),
        Some(json!({"status": before.status})),
        Some(json!({"status": job.status})),
    )
    .await?;
    Ok(job)
}
