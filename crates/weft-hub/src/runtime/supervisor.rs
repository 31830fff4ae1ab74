//! Supervised tasks: a background task that returns, fails or panics is logged and started
//! again after a growing pause, until the runtime shuts down. Nothing stops silently.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::HubResult;

/// A task that ran this long counts as healthy, and its next failure restarts it quickly.
const STEADY: Duration = Duration::from_secs(60);
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);

/// Runs `make()` as a task, and again whenever it ends while `shutdown` is not cancelled.
/// The task should return `Ok(())` once `shutdown` is cancelled.
pub fn supervise<F, Fut>(
    name: &'static str,
    shutdown: CancellationToken,
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
            let outcome = tokio::spawn(make()).await;
            if shutdown.is_cancelled() {
                return;
            }
            match outcome {
                Ok(Ok(())) => {
                    tracing::warn!(task = name, "background task stopped by itself; restarting")
                }
                Ok(Err(error)) => {
                    tracing::error!(task = name, %error, "background task failed; restarting")
                }
                Err(join) if join.is_panic() => {
                    let panic = panic_text(join.into_panic());
                    tracing::error!(task = name, %panic, "background task panicked; restarting");
                }
                Err(_) => tracing::error!(task = name, "background task was cancelled; restarting"),
            }
            metrics::counter!("weft_task_restarts_total", "task" => name).increment(1);
            if started.elapsed() >= STEADY {
                pause = FIRST_PAUSE;
            }
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
