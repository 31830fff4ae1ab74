//! The scheduler: every tick, each due schedule's occurrence becomes a job (deduplicated by
//! occurrence) and the schedule moves on (compare-and-swap), so however many instances tick,
//! each occurrence runs once. See `weft_store::schedules`.

use std::time::Duration;

use chrono::DateTime;
use tokio_util::sync::CancellationToken;
use weft_store::{Enqueued, NewJob, ScheduleSpec};

use crate::Hub;
use crate::error::{HubError, HubResult};

pub(crate) async fn run(hub: Hub, tick: Duration, shutdown: CancellationToken) -> HubResult<()> {
    loop {
        if let Err(error) = tick_once(&hub).await {
            tracing::warn!(%error, "scheduler tick failed");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

/// Fires every due occurrence; returns how many new jobs it enqueued.
pub async fn tick_once(hub: &Hub) -> HubResult<usize> {
    let now = hub.clock.now();
    let now_ms = now.timestamp_millis();
    let mut fired = 0;
    for schedule in hub.store.schedules().due(now_ms).await? {
        let due_ms = schedule.next_run_ms;
        let due = DateTime::from_timestamp_millis(due_ms).unwrap_or(now);
        let Some(next) = schedule.spec.cadence.next_after(due, now) else {
            tracing::warn!(schedule = %schedule.spec.name, "the schedule has no next occurrence");
            continue;
        };
        let job = NewJob {
            kind: schedule.spec.kind.clone(),
            payload: schedule.spec.payload.clone(),
            dedupe_key: Some(schedule.occurrence_key(due_ms)),
            origin: format!("schedule {}", schedule.spec.name),
            priority: schedule.spec.priority,
            run_at_ms: due_ms,
            retry: schedule.spec.retry,
        };
        let enqueued = hub.store.jobs().enqueue(&job, now_ms).await?;
        hub.store
            .schedules()
            .advance(
                &schedule.spec.name,
                due_ms,
                next.timestamp_millis(),
                enqueued.id(),
                now_ms,
            )
            .await?;
        if matches!(enqueued, Enqueued::New(_)) {
            fired += 1;
        }
    }
    if fired > 0 {
        hub.wake.notify_waiters();
    }
    Ok(fired)
}

/// Creates or updates a schedule; its first occurrence follows its cadence.
pub async fn declare(hub: &Hub, spec: &ScheduleSpec) -> HubResult<()> {
    let now = hub.clock.now();
    let first = spec.cadence.first(now).ok_or_else(|| {
        HubError::invalid(format!(
            "schedule {}: {} never fires",
            spec.name,
            spec.cadence.describe()
        ))
    })?;
    hub.store
        .schedules()
        .upsert(spec, first.timestamp_millis(), now.timestamp_millis())
        .await?;
    Ok(())
}
