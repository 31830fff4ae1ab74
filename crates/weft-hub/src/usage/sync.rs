//! One sync of one connection: the account and its subscription, user types, people, the
//! audit log and work activity (tasks, comments, timelogs), in that order.
//!
//! - One at a time per connection, across instances: a lease in the store, extended by a
//!   heartbeat; every page is written only under it (see `weft_store::usage`).
//! - Crash-safe: each page is stored with its checkpoint in one transaction, so a killed sync
//!   resumes from its last stored page, and records are keyed by id, so nothing is stored
//!   twice.
//! - Optional sources (user types, the audit log, account-wide comments) may be missing on a
//!   plan or a token; the sync records exactly what is missing and how to fix it, and goes
//!   on. A failure of the connection itself (token rejected, wrong data center, Wrike down
//!   past the client's retries) stops the sync and asks for a health probe, rather than
//!   retrying in a storm.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use weft_store::{Connection, source};

pub use super::context::{ProgressSink, Silent, SyncOptions, SyncProgress};
use super::context::{SourceEnd, SyncCtx};
use super::{audit, people, work};
use crate::error::{HubError, HubResult};
use crate::jobs::{self, Request, kinds};
use crate::{Hub, wrike};

/// How one source went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceReport {
    pub source: String,
    /// `ok`, `unavailable` (plan, right or scope missing) or `failed`.
    pub status: String,
    pub message: Option<String>,
    pub records: u64,
    pub requests: u64,
    pub seconds: f64,
}

/// How a sync went.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub connection_id: String,
    pub connection: String,
    /// `ok`, `partial` (some sources unavailable) or `failed`.
    pub outcome: String,
    pub sources: Vec<SourceReport>,
    pub requests: u64,
    pub seconds: f64,
    pub message: Option<String>,
}

/// Syncs `connection` now, as `owner` (a worker, or `cli:...`). Refused when another sync
/// of the same connection holds the lease.
pub async fn run(
    hub: &Hub,
    connection: &Connection,
    owner: &str,
    options: &SyncOptions,
    sink: Arc<dyn ProgressSink>,
    stop: CancellationToken,
) -> HubResult<SyncReport> {
    let store = hub.store.usage();
    let now = hub.clock.now_s();
    let began = now;
    let lease = hub.policy.sync_lease_s.max(1);
    if !store
        .claim_sync(&connection.id, owner, now, now + lease)
        .await?
    {
        let holder = store.sync_state(&connection.id).await?;
        let (who, since) = holder
            .map(|s| {
                (
                    s.lease_owner.unwrap_or_default(),
                    s.started_at.unwrap_or(now),
                )
            })
            .unwrap_or_default();
        return Err(HubError::Busy(format!(
            "a sync of {} is already running ({who}, for {}s); one sync per connection runs at a time",
            connection.name,
            now - since
        )));
    }
    store.reset_request_counts(&connection.id).await?;
    let started = Instant::now();
    let progress = Arc::new(Mutex::new(SyncProgress {
        steps: STEPS.len(),
        ..SyncProgress::default()
    }));
    // The heartbeat keeps the lease and publishes progress; losing the lease stops the sync.
    let lost = stop.child_token();
    // Scoped to this sync: stopped and awaited when it ends.
    #[allow(clippy::disallowed_methods)]
    let beat = {
        let (hub, id, owner, progress, lost) = (
            hub.clone(),
            connection.id.clone(),
            owner.to_owned(),
            progress.clone(),
            lost.clone(),
        );
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = lost.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_millis(lease as u64 * 250)) => {}
                }
                let snapshot = {
                    let p = progress.lock().unwrap_or_else(|e| e.into_inner());
                    serde_json::to_string(&*p).unwrap_or_default()
                };
                let until = hub.clock.now_s() + lease;
                match hub
                    .store
                    .usage()
                    .heartbeat_sync(&id, &owner, until, &snapshot)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(connection = %id, "a sync lost its lease; stopping it");
                        lost.cancel();
                        break;
                    }
                    Err(e) => tracing::warn!(connection = %id, error = %e, "sync heartbeat failed"),
                }
            }
        })
    };
    let outcome = match wrike::patient_client(hub, connection).await {
        Ok(client) => {
            let ctx = SyncCtx {
                hub,
                connection,
                owner,
                client,
                options,
                stop: lost.clone(),
                progress: progress.clone(),
                sink,
            };
            steps(&ctx).await
        }
        Err(e) => Err((Vec::new(), e)),
    };
    lost.cancel();
    let _ = beat.await;
    let now = hub.clock.now_s();
    let seconds = started.elapsed().as_secs_f64();
    match outcome {
        Ok(sources) => {
            let partial = sources.iter().any(|s| s.status != "ok");
            let outcome = if partial { "partial" } else { "ok" };
            let message = partial.then(|| {
                sources
                    .iter()
                    .filter_map(|s| s.message.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            store
                .release_sync(&connection.id, owner, outcome, message.as_deref(), now)
                .await?;
            if let Err(e) = store.refresh_statistics().await {
                tracing::warn!(error = %e, "refreshing the planner's statistics after a sync");
            }
            recount_periods(hub, connection, now).await;
            // A failed snapshot costs the renewal plan one comparison, not the sync.
            if let Err(e) = super::renewal::snapshot(hub, connection).await {
                tracing::warn!(connection = %connection.id, error = %e, "keeping the seats after a sync");
            }
            // Likewise, a ledger not reconciled now is reconciled by the next sync.
            if let Err(e) = super::savings::reconcile(hub, connection, began).await {
                tracing::warn!(connection = %connection.id, error = %e, "netting out restored savings after a sync");
            }
            Ok(SyncReport {
                connection_id: connection.id.clone(),
                connection: connection.name.clone(),
                outcome: outcome.into(),
                requests: sources.iter().map(|s| s.requests).sum(),
                sources,
                seconds,
                message,
            })
        }
        Err((_, error)) => {
            let message = error.to_string();
            store
                .release_sync(&connection.id, owner, "failed", Some(&message), now)
                .await?;
            recount_periods(hub, connection, now).await;
            if let HubError::Wrike { class, .. } = &error
                && class.needs_action()
            {
                // The connection itself broke: let its health say so at once.
                let probe =
                    Request::new(kinds::HEALTH_PROBE, json!({"connectionId": connection.id}))
                        .dedupe(format!("health.probe:{}:sync:{now}", connection.id));
                if let Err(e) =
                    jobs::enqueue(hub, &format!("sync of {}", connection.name), probe).await
                {
                    tracing::warn!(error = %e, "could not ask for a health probe");
                }
            }
            Err(error)
        }
    }
}

const STEPS: [&str; 7] = [
    source::ACCOUNT,
    source::USER_TYPES,
    source::USERS,
    source::AUDIT_LOG,
    source::TASKS,
    source::COMMENTS,
    source::TIMELOGS,
];

async fn steps(ctx: &SyncCtx<'_>) -> Result<Vec<SourceReport>, (Vec<SourceReport>, HubError)> {
    let store = ctx.hub.store.usage();
    let mut reports = Vec::new();
    let mut plan = None;
    for (i, name) in STEPS.iter().enumerate() {
        {
            let mut p = ctx.progress.lock().unwrap_or_else(|e| e.into_inner());
            p.source = (*name).to_owned();
            p.step = i + 1;
            p.fraction = 0.0;
        }
        ctx.advance(0.0, 0, 0);
        let began = Instant::now();
        let result = match *name {
            source::ACCOUNT => people::account(ctx).await.map(|(end, p)| {
                plan = p;
                end
            }),
            source::USER_TYPES => people::user_types(ctx).await,
            source::USERS => people::users(ctx).await,
            source::AUDIT_LOG => audit::read(ctx, plan.as_ref()).await,
            source::TASKS => work::tasks(ctx).await,
            source::COMMENTS => work::comments(ctx).await,
            _ => work::timelogs(ctx).await,
        };
        let now = ctx.now();
        let report = match result {
            Ok(SourceEnd::Done { records, requests }) => {
                store
                    .finish_source(&ctx.connection.id, name, "ok", None, requests as i64, now)
                    .await
                    .map_err(|e| (reports.clone(), e.into()))?;
                SourceReport {
                    source: (*name).to_owned(),
                    status: "ok".into(),
                    message: None,
                    records,
                    requests,
                    seconds: began.elapsed().as_secs_f64(),
                }
            }
            Ok(SourceEnd::Unavailable { message, requests }) => {
                ctx.line(&format!("{name}: unavailable: {message}"));
                store
                    .finish_source(
                        &ctx.connection.id,
                        name,
                        "unavailable",
                        Some(&message),
                        requests as i64,
                        now,
                    )
                    .await
                    .map_err(|e| (reports.clone(), e.into()))?;
                SourceReport {
                    source: (*name).to_owned(),
                    status: "unavailable".into(),
                    message: Some(message),
                    records: 0,
                    requests,
                    seconds: began.elapsed().as_secs_f64(),
                }
            }
            Err(error) => {
                let message = error.to_string();
                let _ = store
                    .finish_source(&ctx.connection.id, name, "failed", Some(&message), 0, now)
                    .await;
                return Err((reports, error));
            }
        };
        ctx.advance(1.0, 0, 0);
        reports.push(report);
    }
    Ok(reports)
}

/// Recounts the active people per period that trends read, for what a sync wrote (a
/// failed one too); after the planner's statistics are fresh, which the recount's joins
/// need on PostgreSQL. A failure costs trends their speed (they count activity days
/// meanwhile), not the sync.
async fn recount_periods(hub: &Hub, connection: &Connection, now: i64) {
    if let Err(e) = hub
        .store
        .usage()
        .refresh_period_counts(&connection.id, weft_core::usage::day_of(now))
        .await
    {
        tracing::warn!(connection = %connection.id, error = %e, "recounting active people per period");
    }
}
