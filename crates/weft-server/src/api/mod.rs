//! The JSON API (`/api/v1`), for scripts and other systems, authenticated by API tokens:
//! the caller, the trail and the paging every list shares here; the team and tokens,
//! connections, jobs, recipes, secrets and usage in their modules. Every handler answers
//! with a type from `wire` and describes itself for the OpenAPI document (`openapi`).

pub mod connections;
pub mod dialogues;
pub mod jobs;
pub mod notices;
pub mod policies;
pub mod recipes;
pub mod secrets;
pub mod team;
pub mod usage;

use axum::Json;
use axum::extract::{Extension, Query, State};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

pub type ApiResult = Result<Response, ApiError>;
/// A JSON answer of the wire type `T`, or the API's error.
pub type ApiJson<T> = Result<Json<T>, ApiError>;

/// The page of a short list read by position.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page (100 unless given).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many items to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

impl Paging {
    /// The page of `all` these parameters ask for, or an error naming the bad one.
    pub fn slice<T>(&self, all: Vec<T>) -> Result<Page<T>, ApiError> {
        let limit = cursor_limit(self.limit)?;
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(ApiError::bad_request(format!(
                "offset={offset}: expected 0 or more"
            )));
        }
        Ok(Page::slice(all, limit, offset))
    }
}

/// A page's size: 100 unless given, from 1 to 1000 (refused otherwise, by name).
pub(crate) fn cursor_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(100),
        Some(n) if (1..=1000).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(format!(
            "limit={n}: expected a whole number from 1 to 1000"
        ))),
    }
}

/// A cursor given back: the id the next page starts below.
pub(crate) fn parse_cursor(cursor: Option<&str>) -> Result<Option<i64>, ApiError> {
    match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "cursor={text:?} is not a cursor: give back a nextCursor"
            ))
        }),
    }
}

/// The caller's user name and role
#[utoipa::path(get, path = "/api/v1/me", tag = "team",
    responses((status = 200, body = wire::team::Me)))]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<wire::team::Me> {
    Json(wire::team::Me {
        username: caller.user.username.clone(),
        role: caller.user.role,
    })
}

/// Filters of the trail: who (part of the actor), what (an action, or a family ending in
/// `.`), since and until, and the page.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailQuery {
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Part of who did it (`cli:`, a user name).
    pub actor: Option<String>,
    /// An action (`connection.add`), or a family ending in `.` (`usage.`).
    pub action: Option<String>,
    /// At or after (RFC 3339).
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Before (RFC 3339).
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// A `nextCursor` from the page before.
    pub cursor: Option<String>,
}

/// The hub's audit trail, newest first
#[utoipa::path(get, path = "/api/v1/audit-trail", tag = "team", params(TrailQuery),
    responses((status = 200, body = Page<wire::team::TrailEntry>)))]
pub async fn audit_trail(
    State(state): State<AppState>,
    Query(q): Query<TrailQuery>,
) -> ApiJson<Page<wire::team::TrailEntry>> {
    let mut filter = weft_store::TrailFilter {
        actor: q.actor,
        action: q.action,
        since: q.since.map(|t| t.timestamp()),
        until: q.until.map(|t| t.timestamp()),
        before_id: None,
        limit: cursor_limit(q.limit)?,
    };
    let total = weft_hub::trail::count(&state.hub, &filter).await?;
    filter.before_id = parse_cursor(q.cursor.as_deref())?;
    let found = weft_hub::trail::search(&state.hub, &filter).await?;
    Ok(Json(Page::by_cursor(
        found.iter().map(Into::into).collect(),
        total,
        filter.limit,
        |e: &wire::team::TrailEntry| e.id.clone(),
    )))
}
