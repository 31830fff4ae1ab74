//! Jobs in the JSON API: list by kind, status and time; show one; retry or cancel one.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use weft_hub::jobs;
use weft_store::{JobFilter, JobStatus};

use super::{ApiJson, cursor_limit, parse_cursor};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// `GET /api/v1/jobs` query; also the web page's filter form.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// A job kind (`usage.sync`, `recipe.run`, ...).
    pub kind: Option<String>,
    /// queued, running, succeeded, dead or cancelled.
    #[param(value_type = Option<JobStatus>)]
    pub status: Option<String>,
    /// Created at or after: RFC 3339 (`2026-11-29T10:00:00Z`) or a date (`2026-11-29`).
    pub since: Option<String>,
    /// Created before, same forms.
    pub until: Option<String>,
    /// A `nextCursor` from the page before.
    #[serde(alias = "before")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Also the routine jobs (health rounds and probes), hidden unless asked for by this
    /// or by their kind.
    pub routine: Option<bool>,
}

pub(crate) fn instant_ms(name: &str, text: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis());
    }
    Err(ApiError::bad_request(format!(
        "{name}={text:?} is not a time: use RFC 3339 (2026-11-29T10:00:00Z) or a date (2026-11-29)"
    )))
}

impl JobQuery {
    /// The store filter, or an error naming the parameter that is wrong.
    pub fn filter(&self) -> Result<JobFilter, ApiError> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let status = match blank(&self.status) {
            None => None,
            Some(s) => Some(JobStatus::parse(&s).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "status={s:?} is unknown: use queued, running, succeeded, dead or cancelled"
                ))
            })?),
        };
        Ok(JobFilter {
            kind: blank(&self.kind),
            status,
            since_ms: blank(&self.since)
                .map(|s| instant_ms("since", &s))
                .transpose()?,
            until_ms: blank(&self.until)
                .map(|s| instant_ms("until", &s))
                .transpose()?,
            before_id: parse_cursor(self.cursor.as_deref())?,
            hide_kinds: if self.routine.unwrap_or(false) || blank(&self.kind).is_some() {
                Vec::new()
            } else {
                jobs::kinds::ROUTINE
                    .iter()
                    .map(|k| (*k).to_owned())
                    .collect()
            },
            limit: cursor_limit(self.limit)?,
        })
    }
}

/// Jobs by kind, status and time, newest first
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(JobQuery),
    responses((status = 200, body = Page<wire::jobs::Job>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<JobQuery>,
) -> ApiJson<Page<wire::jobs::Job>> {
    let filter = q.filter()?;
    let total = jobs::count(
        &state.hub,
        &JobFilter {
            before_id: None,
            ..filter.clone()
        },
    )
    .await?;
    let found = jobs::list(&state.hub, &filter).await?;
    Ok(Json(Page::by_cursor(
        found.iter().map(Into::into).collect(),
        total,
        filter.limit,
        |j: &wire::jobs::Job| j.id.clone(),
    )))
}

/// One job
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = wire::jobs::Job)))]
pub async fn show(State(state): State<AppState>, Path(id): Path<i64>) -> ApiJson<wire::jobs::Job> {
    Ok(Json((&jobs::get(&state.hub, id).await?).into()))
}

/// Run a dead or cancelled job again
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = wire::jobs::Job)))]
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiJson<wire::jobs::Job> {
    Ok(Json(
        (&jobs::retry(&state.hub, &caller.user.username, id).await?).into(),
    ))
}

/// Cancel a queued or running job
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 200, body = wire::jobs::Job)))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiJson<wire::jobs::Job> {
    Ok(Json(
        (&jobs::cancel(&state.hub, &caller.user.username, id).await?).into(),
    ))
}
