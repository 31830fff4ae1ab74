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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub limit: Option<i64>,
}

/// The hub's trail, newest first.
pub async fn audit_trail(State(state): State<AppState>, Query(q): Query<Limit>) -> ApiResult {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.hub.store.trail().latest(limit).await?).into_response())
}
