//! The worker: claims due jobs of the kinds it knows (up to its concurrency), runs each
//! under a lease it keeps alive with heartbeats, and finishes it fenced by that lease. It
//! also re-queues jobs whose lease expired on any instance. See `weft_store::jobs` for the
//! locking rules.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use weft_store::{Claimed, JobStatus, Lease};

use crate::Hub;
use crate::error::HubResult;
use crate::runtime::handlers::{JobContext, JobError, Registry};
use crate::runtime::supervisor::panic_text;

/// How long a handler told to stop (its lease is gone) may take before it is aborted.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// How long a busy worker may hold off claiming a few free slots, so that under load it
/// claims several jobs in one write instead of one write per finished job. An idle or
/// half-idle worker claims at once; this only adds latency when nearly every slot is taken.
const CLAIM_GATHER: Duration = Duration::from_millis(3);

/// How one worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names the lease owner: unique per worker (host, process, random tail).
    pub id: String,
    /// Jobs run at the same time.
    pub concurrency: usize,
    /// How long a lease lasts without a heartbeat; heartbeats come every third of it.
    pub lease: Duration,
    /// How often to look for due jobs when nothing wakes the worker.
    pub poll: Duration,
    /// How long running jobs may take to finish after shutdown begins before they are
    /// given back to the queue.
    pub shutdown_grace: Duration,
}

pub(crate) async fn run(
    hub: Hub,
    registry: Arc<Registry>,
    config: WorkerConfig,
    shutdown: CancellationToken,
) -> HubResult<()> {
    let kinds = registry.kinds();
    let limit = config.concurrency.max(1);
    let lease_ms = config.lease.as_millis() as i64;
    let mut running = JoinSet::new();
    let mut last_reap = None::<Instant>;
    let mut last_claim = Instant::now();
    // Below this many free slots a busy worker waits up to CLAIM_GATHER for more.
    let gather_below = (limit / 4).max(1);
    // Set on a database failure, so the loop pauses instead of spinning.
    let mut pause = false;
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        while running.try_join_next().is_some() {}
        let mut claimed_all_free_slots = false;
        if !pause {
            if last_reap.is_none_or(|at: Instant| at.elapsed() >= config.poll) {
                match hub.store.jobs().reap_expired(hub.clock.now_ms()).await {
                    Ok(ids) if !ids.is_empty() => {
                        tracing::warn!(jobs = ?ids, "re-queued jobs whose worker lost its lease")
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "could not reap expired leases"),
                }
                last_reap = Some(Instant::now());
            }
            let free = limit.saturating_sub(running.len());
            let gathering = free < gather_below && last_claim.elapsed() < CLAIM_GATHER;
            if free > 0 && !gathering {
                last_claim = Instant::now();
                match hub
                    .store
                    .jobs()
                    .claim(
                        &config.id,
                        &kinds,
                        free as i64,
                        lease_ms,
                        hub.clock.now_ms(),
                    )
                    .await
                {
                    Ok(claimed) => {
                        claimed_all_free_slots = claimed.len() == free;
                        metrics::counter!("weft_jobs_claimed_total")
                            .increment(claimed.len() as u64);
                        for job in claimed {
                            running.spawn(run_one(
                                hub.clone(),
                                registry.clone(),
                                job,
                                config.clone(),
                                shutdown.clone(),
                            ));
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "could not claim jobs; pausing");
                        pause = true;
                    }
                }
            }
        }
        if claimed_all_free_slots && !pause {
            // There may be more due work: look again at once.
            continue;
        }
        let free = limit.saturating_sub(running.len());
        let wait = if pause {
            config.poll * 2
        } else if free > 0 && free < gather_below {
            CLAIM_GATHER.saturating_sub(last_claim.elapsed())
        } else {
            config.poll
        };
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = hub.wake.notified() => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        pause = false;
    }
    // Shutting down: running jobs get the grace period, then they are aborted (each gives
    // its job back to the queue first, see `run_one`).
    let deadline = tokio::time::sleep(config.shutdown_grace);
    tokio::pin!(deadline);
    while !running.is_empty() {
        tokio::select! {
            _ = running.join_next() => {}
            _ = &mut deadline => break,
        }
    }
    running.shutdown().await;
    Ok(())
}

/// Runs one claimed job to its end: done, failed (retry or dead), given back, or stopped
/// because its lease was lost.
async fn run_one(
    hub: Hub,
    registry: Arc<Registry>,
    claimed: Claimed,
    config: WorkerConfig,
    shutdown: CancellationToken,
) {
    let Claimed { job, lease } = claimed;
    let (id, kind, attempt, policy) = (job.id, job.kind.clone(), lease.attempt, job.retry);
    let jobs = hub.store.jobs();
    let Some(handler) = registry.handler(&kind) else {
        // Only claimed kinds are registered, so this is a bug; say so on the job.
        let _ = jobs
            .fail(
                &lease,
                &format!("no handler for kind {kind}"),
                None,
                hub.clock.now_ms(),
            )
            .await;
        return;
    };
    let stop = CancellationToken::new();
    let heartbeat = tokio::spawn(keep_alive(
        hub.clone(),
        lease.clone(),
        config.lease,
        stop.clone(),
    ));
    let started = Instant::now();
    let context = JobContext::new(
        hub.clone(),
        job,
        lease.clone(),
        config.id.clone(),
        stop.clone(),
    );
    let mut task = tokio::spawn(handler(context.clone()));
    let outcome = tokio::select! {
        joined = &mut task => Some(joined),
        _ = stop.cancelled() => None,
        _ = shutdown.cancelled() => {
            // Finish within the grace period, or give the job back unfinished.
            tokio::select! {
                joined = &mut task => Some(joined),
                _ = stop.cancelled() => None,
                _ = tokio::time::sleep(config.shutdown_grace.saturating_sub(Duration::from_millis(250))) => {
                    task.abort();
                    let reason = format!("attempt {attempt} interrupted: worker {} shut down", config.id);
                    match jobs.release(&lease, &reason, hub.clock.now_ms()).await {
                        Ok(true) => tracing::info!(job = id, %kind, "gave an unfinished job back to the queue"),
                        Ok(false) => {}
                        Err(error) => tracing::warn!(job = id, %error, "could not give a job back; its lease will expire"),
                    }
                    heartbeat.abort();
                    return;
                }
            }
        }
    };
    heartbeat.abort();
    let now = hub.clock.now_ms();
    let seconds = started.elapsed().as_secs_f64();
    let (label, written) = match outcome {
        // The handler's own transaction completed the job (fenced by the lease).
        Some(Ok(Ok(_))) if context.was_completed() => ("succeeded", Ok(true)),
        None => {
            // Give the handler a moment to stop by itself (it sees `stop`), then abort it.
            if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
                task.abort();
            }
            tracing::info!(job = id, %kind, "stopped: the job was cancelled or its lease was lost");
            ("stopped", Ok(true))
        }
        Some(Ok(Ok(result))) => (
            "succeeded",
            jobs.complete(&lease, result.as_ref(), now).await,
        ),
        Some(Ok(Err(error))) => {
            let retry_at = match &error {
                JobError::Permanent(_) => None,
                JobError::Retry(_) => Some(now + policy.delay_ms(attempt)),
                JobError::RetryAfter { after, .. } => {
                    Some(now + policy.delay_ms(attempt).max(after.as_millis() as i64))
                }
            };
            finish_failed(&hub, &lease, &kind, &error.to_string(), retry_at).await
        }
        Some(Err(join)) => {
            let text = if join.is_panic() {
                format!("panicked: {}", panic_text(join.into_panic()))
            } else {
                "the job's task was aborted".to_owned()
            };
            finish_failed(
                &hub,
                &lease,
                &kind,
                &text,
                Some(now + policy.delay_ms(attempt)),
            )
            .await
        }
    };
    match written {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            job = id,
            %kind,
            "finished after losing its lease: the outcome was discarded (another worker owns the job now)"
        ),
        Err(error) => {
            tracing::warn!(job = id, %error, "could not record the job's outcome; its lease will expire and it runs again")
        }
    }
    metrics::counter!("weft_jobs_finished_total", "kind" => kind.clone(), "outcome" => label)
        .increment(1);
    metrics::histogram!("weft_job_seconds", "kind" => kind).record(seconds);
}

async fn finish_failed(
    hub: &Hub,
    lease: &Lease,
    kind: &str,
    error: &str,
    retry_at: Option<i64>,
) -> (&'static str, Result<bool, weft_store::StoreError>) {
    match hub
        .store
        .jobs()
        .fail(lease, error, retry_at, hub.clock.now_ms())
        .await
    {
        Ok(Some(JobStatus::Dead)) => {
            tracing::error!(job = lease.job_id, kind, error, "job failed for good");
            ("dead", Ok(true))
        }
        Ok(Some(_)) => {
            tracing::warn!(
                job = lease.job_id,
                kind,
                error,
                "job attempt failed; it will be retried"
            );
            ("retry", Ok(true))
        }
        Ok(None) => ("failed", Ok(false)),
        Err(e) => ("failed", Err(e)),
    }
}

/// Extends the lease every third of its length; cancels `stop` when the lease is gone.
async fn keep_alive(hub: Hub, lease: Lease, length: Duration, stop: CancellationToken) {
    let every = (length / 3).max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(every).await;
        match hub
            .store
            .jobs()
            .heartbeat(&lease, length.as_millis() as i64, hub.clock.now_ms())
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                stop.cancel();
                return;
            }
            // The database is away: keep trying; if the lease expires meanwhile, the next
            // heartbeat that gets through says so.
            Err(error) => tracing::warn!(job = lease.job_id, %error, "heartbeat failed"),
        }
    }
}
