//! What a job kind does: a handler gets the job and a context, and returns a result to keep
//! or an error that says whether to retry. The registry maps kinds to handlers; workers
//! only claim kinds they can run.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use weft_core::health::FailureClass;
use weft_store::{Job, Lease};
use wrike_api::WrikeError;

use crate::Hub;
use crate::error::HubError;

/// What a running job can reach.
#[derive(Clone)]
pub struct JobContext {
    pub hub: Hub,
    pub job: Job,
    /// This worker's id.
    pub worker: String,
    /// Cancelled when the lease is lost (the job was cancelled, or another worker took it
    /// over) or the hub shuts down; long jobs check it between steps.
    pub stop: CancellationToken,
    /// The lease this attempt runs under.
    pub lease: Lease,
    /// Set by a handler that completed its job in its own transaction (fenced by `lease`),
    /// so the worker does not write the completion a second time.
    completed: Arc<AtomicBool>,
}

impl JobContext {
    pub fn new(hub: Hub, job: Job, lease: Lease, worker: String, stop: CancellationToken) -> Self {
        JobContext {
            hub,
            job,
            worker,
            stop,
            lease,
            completed: Arc::default(),
        }
    }

    /// Says that the job was completed by the handler's own write (see `completed`).
    pub fn mark_completed(&self) {
        self.completed.store(true, Ordering::SeqCst);
    }

    pub(crate) fn was_completed(&self) -> bool {
        self.completed.load(Ordering::SeqCst)
    }
}

/// Why a job attempt failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt after the policy's backoff.
    #[error("{0}")]
    Retry(String),
    /// Worth another attempt, not before `after` (e.g. Wrike's `Retry-After`).
    #[error("{message}")]
    RetryAfter { message: String, after: Duration },
    /// No retry can help (a bad payload, a missing right): the job is dead at once.
    #[error("{0}")]
    Permanent(String),
}

impl From<HubError> for JobError {
    fn from(e: HubError) -> Self {
        let retry_after = match &e {
            HubError::Wrike {
                class: FailureClass::RateLimited,
                error:
                    WrikeError::RateLimited {
                        retry_after: Some(after),
                    },
                ..
            } => Some(*after),
            _ => None,
        };
        match (retry_after, e.is_transient()) {
            (Some(after), _) => JobError::RetryAfter {
                message: e.to_string(),
                after,
            },
            (None, true) => JobError::Retry(e.to_string()),
            (None, false) => JobError::Permanent(e.to_string()),
        }
    }
}

pub type JobResult = Result<Option<Value>, JobError>;

type HandlerFn = Arc<dyn Fn(JobContext) -> BoxFuture<'static, JobResult> + Send + Sync>;

/// Job kinds and their handlers.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<String, HandlerFn>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds (or replaces) the handler of `kind`.
    pub fn register<F, Fut>(&mut self, kind: &str, handler: F) -> &mut Registry
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        self.handlers
            .insert(kind.to_owned(), Arc::new(move |ctx| Box::pin(handler(ctx))));
        self
    }

    pub fn kinds(&self) -> Vec<String> {
        self.handlers.keys().cloned().collect()
    }

    pub(crate) fn handler(&self, kind: &str) -> Option<HandlerFn> {
        self.handlers.get(kind).cloned()
    }
}
