//! Supervised tasks: a background task that returns, fails or panics is logged and started
//! again after a growing pause, until the runtime shuts down. Nothing stops silently; each
//! task's state is kept in `Liveness` for the readiness probe.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::HubResult;

/// A task that ran this long counts as healthy, and its next failure restarts it quickly.
const STEADY: Duration = Duration::from_secs(60);
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// Which background tasks of this process run now, and why the others do not: what the
/// readiness probe reports. Empty when no runtime runs in the process.
#[derive(Debug, Clone, Default)]
pub struct Liveness(Arc<Mutex<BTreeMap<&'static str, Option<String>>>>);

impl Liveness {
    fn set(&self, task: &'static str, down: Option<String>) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(task, down);
    }

    /// Every task known, with why it is down (none: it runs).
    pub fn tasks(&self) -> Vec<(&'static str, Option<String>)> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .map(|(name, down)| (*name, down.clone()))
            .collect()
    }
}

/// Runs `make()` as a task, and again whenever it ends while `shutdown` is not cancelled.
/// The task should return `Ok(())` once `shutdown` is cancelled. `liveness` says whether it
/// runs.
pub fn supervise<F, Fut>(
    name: &'static str,
    shutdown: CancellationToken,
    liveness: Liveness,
    mut make: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = HubResult<()>> + Send + 'static,
{
    tokio::spawn(async move {
        let mut pause = FIRST_PAUSE;
        loop {
            let started = Instant::now();
            liveness.set(name, None);
            let outcome = tokio::spawn(make()).await;
            if shutdown.is_cancelled() {
                liveness.set(name, Some("the runtime is stopping".into()));
                return;
            }
            let why = match outcome {
                Ok(Ok(())) => {
                    tracing::warn!(task = name, "background task stopped by itself; restarting");
                    "stopped by itself".to_owned()
                }
                Ok(Err(error)) => {
                    tracing::error!(task = name, %error, "background task failed; restarting");
                    format!("failed: {error}")
                }
                Err(join) if join.is_panic() => {
                    let panic = panic_text(join.into_panic());
                    tracing::error!(task = name, %panic, "background task panicked; restarting");
                    format!("panicked: {panic}")
                }
                Err(_) => {
                    tracing::error!(task = name, "background task was cancelled; restarting");
                    "cancelled".to_owned()
                }
            };
            metrics::counter!("weft_task_restarts_total", "task" => name).increment(1);
            if started.elapsed() >= STEADY {
                pause = FIRST_PAUSE;
            }
            liveness.set(
                name,
                Some(format!("{why}; restarting in {} ms", pause.as_millis())),
            );
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(LONGEST_PAUSE);
        }
    })
}

/// The message of a panic payload.
pub fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast::<&'static str>()
            .map(|s| (*s).to_owned())
            .unwrap_or_else(|_| "a panic without a message".into()),
    }
}
