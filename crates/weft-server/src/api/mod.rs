//! The JSON API (`/api/v1`), for scripts and other systems, authenticated by API tokens:
//! the caller and the trail here; the team and tokens, connections and jobs in their
//! modules.

pub mod connections;
pub mod jobs;
pub mod recipes;
pub mod secrets;
pub mod team;
pub mod usage;

use axum::Json;
use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;

pub type ApiResult = Result<Response, ApiError>;

pub async fn me(Extension(caller): Extension<Caller>) -> Json<Value> {
    Json(json!({"username": caller.user.username, "role": caller.user.role}))
}

/// Filters of the trail: who (part of the actor), what (an action, or a family ending in
/// `.`), since and until (RFC 3339), and `before` (an entry id: the page after it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailQuery {
    pub limit: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub before: Option<i64>,
}

/// The hub's trail, newest first.
pub async fn audit_trail(State(state): State<AppState>, Query(q): Query<TrailQuery>) -> ApiResult {
    let filter = weft_store::TrailFilter {
        actor: q.actor,
        action: q.action,
        since: q.since.map(|t| t.timestamp()),
        until: q.until.map(|t| t.timestamp()),
        before_id: q.before,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
    };
    Ok(Json(state.hub.store.trail().search(&filter).await?).into_response())
}
