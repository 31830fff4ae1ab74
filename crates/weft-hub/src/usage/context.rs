//! What every source reader of a sync shares: the options, the progress and who watches
//! it, the context a reader works in, and how a reader ends (done, or unavailable on this
//! plan or token). `sync` drives the readers (`people`, `audit`, `work`); they depend on
//! this module only, never on `sync`.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use weft_core::health::FailureClass;
use weft_store::Connection;
use wrike_api::WrikeClient;

use crate::Hub;
use crate::error::{HubError, HubResult};

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

/// What a source reader needs.
pub(crate) struct SyncCtx<'a> {
    pub hub: &'a Hub,
    pub connection: &'a Connection,
    pub owner: &'a str,
    pub client: WrikeClient,
    pub options: &'a SyncOptions,
    pub stop: CancellationToken,
    pub progress: Arc<Mutex<SyncProgress>>,
    pub sink: Arc<dyn ProgressSink>,
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
