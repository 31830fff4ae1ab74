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
use weft_core::health::FailureClass;
use weft_store::{Connection, source};
use wrike_api::WrikeClient;

use super::{audit, people, work};
use crate::error::{HubError, HubResult};
use crate::jobs::{self, Request, kinds};
use crate::{Hub, wrike};

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Where the first backfill starts (Unix seconds); the policy's `backfill_days` before
    /// now when absent. Once a backfill has started, its start is kept.
    pub since: Option<i64>,
    /// Records per page for paged listings (Wrike serves at most 1,000).
    pub page_size: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            since: None,
            page_size: 1000,
        }
    }
}

/// Where a running sync is, for progress bars and the UI.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub source: String,
    /// 1-based position of the source among all of them.
    pub step: usize,
    pub steps: usize,
    /// How much of this source's range is read, 0 to 1.
    pub fraction: f64,
    /// Records and items stored by this sync so far.
    pub records: u64,
    pub requests: u64,
}

impl SyncProgress {
    /// The whole sync's progress, 0 to 1.
    pub fn overall(&self) -> f64 {
        if self.steps == 0 {
            return 0.0;
        }
        ((self.step.saturating_sub(1)) as f64 + self.fraction.clamp(0.0, 1.0)) / self.steps as f64
    }
}

/// Who watches a sync (a progress bar, log lines, nobody).
pub trait ProgressSink: Send + Sync {
    fn progress(&self, progress: &SyncProgress);
    /// A line worth telling a person (a source finished, one is unavailable).
    fn line(&self, text: &str);
}

/// Watches nothing.
pub struct Silent;

impl ProgressSink for Silent {
    fn progress(&self, _: &SyncProgress) {}
    fn line(&self, _: &str) {}
}

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

/// What a source reader needs.
pub(crate) struct SyncCtx<'a> {
    pub hub: &'a Hub,
    pub connection: &'a Connection,
    pub owner: &'a str,
    pub client: WrikeClient,
    pub options: &'a SyncOptions,
    pub stop: CancellationToken,
    progress: Arc<Mutex<SyncProgress>>,
    sink: Arc<dyn ProgressSink>,
}

impl SyncCtx<'_> {
    pub fn now(&self) -> i64 {
        self.hub.clock.now_s()
    }

    /// Moves this source's progress and tells the sink.
    pub fn advance(&self, fraction: f64, records: u64, requests: u64) {
        let snapshot = {
            let mut p = self.progress.lock().unwrap_or_else(|e| e.into_inner());
            p.fraction = fraction.clamp(0.0, 1.0);
            p.records += records;
            p.requests += requests;
            p.clone()
        };
        self.sink.progress(&snapshot);
    }

    pub fn line(&self, text: &str) {
        self.sink.line(text);
    }

    /// Stops a reader between pages when the sync is stopped or lost its lease.
    pub fn check_stop(&self) -> HubResult<()> {
        if self.stop.is_cancelled() {
            return Err(HubError::Conflict(format!(
                "the sync of {} stopped before it finished; the next one resumes from its last stored page",
                self.connection.name
            )));
        }
        Ok(())
    }

    /// Where dated sources start on their first sync.
    pub async fn backfill_from(&self) -> HubResult<i64> {
        let store = self.hub.store.usage();
        let state = store.sync_state(&self.connection.id).await?;
        if let Some(from) = state.and_then(|s| s.backfill_from) {
            return Ok(from);
        }
        let from = self
            .options
            .since
            .unwrap_or_else(|| self.now() - self.hub.policy.backfill_days * 86_400);
        store.set_backfill_from(&self.connection.id, from).await?;
        Ok(from)
    }
}

/// How a source reader ended when it did not fail the whole sync.
pub(crate) enum SourceEnd {
    Done {
        records: u64,
        requests: u64,
    },
    /// The plan, a right or a scope is missing: what, and how to fix it.
    Unavailable {
        message: String,
        requests: u64,
    },
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

/// Splits a Wrike failure of an optional source: a missing plan, right or scope makes the
/// source unavailable (with `why`); anything else fails the sync.
pub(crate) fn optional(
    error: HubError,
    why: impl FnOnce(FailureClass) -> String,
    requests: u64,
) -> HubResult<SourceEnd> {
    match &error {
        HubError::Wrike {
            class: class @ (FailureClass::ScopeMissing | FailureClass::PlanOrRightMissing),
            ..
        } => Ok(SourceEnd::Unavailable {
            message: why(*class),
            requests,
        }),
        _ => Err(error),
    }
}

/// A Wrike failure in a sync, classified, naming the source.
pub(crate) fn failed(ctx: &SyncCtx<'_>, what: &str, error: wrike_api::WrikeError) -> HubError {
    HubError::wrike(
        format!("syncing {} of {}", what, ctx.connection.name),
        error,
    )
}
