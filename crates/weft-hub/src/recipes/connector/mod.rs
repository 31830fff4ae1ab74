//! The Wrike actions that call the typed client, by family: folders and projects (get,
//! search, copy), templates (blueprints, custom item types), custom fields, people and
//! groups, timelogs, attachment files, and approvals. Each takes the connection's client
//! and the step's evaluated input and answers the step's output.

pub mod approvals;
pub mod fields;
pub mod files;
pub mod folders;
pub mod people;
pub mod templates;
pub mod timelogs;

use std::time::Duration;

use wrike_api::WrikeClient;
use wrike_api::models::{AsyncJob, AsyncJobStatus};

use super::failure::ActionError;

/// Longest an async job (a copy, a blueprint launch) may take before the step gives up
/// (and is retried by its policy).
const JOB_WAIT: Duration = Duration::from_secs(120);

/// Polls Wrike's async job `job` until it completes, backing off; fails when it fails or
/// outlasts `JOB_WAIT`. `what` names the work in messages ("the copy of F").
pub(crate) async fn wait_for_job(
    client: &WrikeClient,
    job: &AsyncJob,
    what: &str,
) -> Result<AsyncJob, ActionError> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(200);
    loop {
        let state = client
            .async_job(&job.id)
            .await
            .map_err(|e| ActionError::from_wrike(&format!("GET /async_job/{}", job.id), e))?;
        match state.status {
            Some(AsyncJobStatus::Completed) => return Ok(state),
            Some(AsyncJobStatus::Failed) => {
                return Err(ActionError::permanent(format!(
                    "Wrike's {what} failed: {}",
                    state.error_message.as_deref().unwrap_or("no reason given")
                )));
            }
            _ if started.elapsed() >= JOB_WAIT => {
                return Err(ActionError::permanent(format!(
                    "Wrike's {what} did not finish within {} s (job {})",
                    JOB_WAIT.as_secs(),
                    job.id
                )));
            }
            _ => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// What an async job made, by its result's field (`folderId`, `taskId`). Wrike does not
/// document the result's shape, so a job that names nothing is not an error: the step's
/// output then carries the job alone.
pub(crate) fn made_id(job: &AsyncJob, field: &str) -> Option<String> {
    job.result
        .as_ref()
        .and_then(|r| r.get(field))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// Case-insensitive "holds" for the title filters.
pub(crate) fn holds(text: &str, part: Option<&str>) -> bool {
    part.is_none_or(|p| text.to_lowercase().contains(&p.to_lowercase()))
}
