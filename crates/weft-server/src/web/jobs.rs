//! The jobs pages: background work by kind, status and time, one job's whole record, and
//! retry or cancel for those whose role allows it (Admins and Operators).

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use weft_core::roles::Permission;
use weft_hub::jobs;
use weft_store::{Job, JobStatus};

use super::{PageResult, layout, render, time_element};
use crate::api::jobs::JobQuery;
use crate::guard::Caller;
use crate::state::AppState;

/// One job as the pages show it.
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub status: &'static str,
    pub attempts: String,
    pub origin: String,
    pub created: String,
    pub run_at: String,
    pub finished: String,
    pub worker: String,
    pub error: String,
    pub can_retry: bool,
    pub can_cancel: bool,
}

/// A moment in milliseconds as a `<time>` element the reader's browser localises.
fn millis(ms: i64) -> String {
    time_element(ms.div_euclid(1000))
}

impl JobRow {
    fn of(job: &Job) -> JobRow {
        JobRow {
            id: job.id,
            kind: job.kind.clone(),
            status: job.status.as_str(),
            attempts: format!("{} of {}", job.attempts, job.retry.max_attempts),
            origin: job.origin.clone(),
            created: millis(job.created_ms),
            run_at: millis(job.run_at_ms),
            finished: job.finished_ms.map(millis).unwrap_or_default(),
            worker: job.lease_owner.clone().unwrap_or_default(),
            error: job.last_error.clone().unwrap_or_default(),
            can_retry: matches!(job.status, JobStatus::Dead | JobStatus::Cancelled),
            can_cancel: matches!(job.status, JobStatus::Queued | JobStatus::Running),
        }
    }
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    layout: super::Layout,
    rows: Vec<JobRow>,
    counts: Vec<(&'static str, i64)>,
    statuses: Vec<&'static str>,
    kind: String,
    status: String,
    since: String,
    until: String,
    next_before: Option<i64>,
    /// Routine jobs (health probes) are shown too.
    routine: bool,
    error: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<JobQuery>,
) -> PageResult {
    let (rows, next_before, error, status) = match q.filter() {
        Ok(filter) => {
            let found = jobs::list(&state.hub, &filter).await?;
            let next = (found.len() as i64 == filter.limit)
                .then(|| found.last().map(|j| j.id))
                .flatten();
            (
                found.iter().map(JobRow::of).collect(),
                next,
                String::new(),
                StatusCode::OK,
            )
        }
        Err(e) => (Vec::new(), None, e.message, StatusCode::BAD_REQUEST),
    };
    let counts = jobs::counts(&state.hub)
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str(), n))
        .collect();
    let page = JobsPage {
        layout: layout(&state, &caller, "Jobs").await?,
        rows,
        counts,
        statuses: JobStatus::ALL.iter().map(|s| s.as_str()).collect(),
        kind: q.kind.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        since: q.since.unwrap_or_default(),
        until: q.until.unwrap_or_default(),
        next_before,
        routine: q.routine.unwrap_or(false),
        error,
    };
    render(page, status)
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    layout: super::Layout,
    job: JobRow,
    payload: String,
    result: String,
    dedupe_key: String,
    can_act: bool,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> PageResult {
    let job = jobs::get(&state.hub, id).await?;
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let page = JobPage {
        layout: layout(&state, &caller, "Job").await?,
        payload: pretty(&job.payload),
        result: job.result.as_ref().map(pretty).unwrap_or_default(),
        dedupe_key: job.dedupe_key.clone().unwrap_or_default(),
        job: JobRow::of(&job),
        can_act: caller.user.role.allows(Permission::RerunJobs),
    };
    render(page, StatusCode::OK)
}

pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> PageResult {
    jobs::retry(&state.hub, &caller.user.username, id).await?;
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> PageResult {
    jobs::cancel(&state.hub, &caller.user.username, id).await?;
    Ok(Redirect::to(&format!("/jobs/{id}")).into_response())
}
