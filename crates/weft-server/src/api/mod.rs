//! The JSON API (`/api/v1`), for scripts and other systems, authenticated by API tokens:
//! the caller, tokens, the team and the trail here; connections and jobs in their modules.

pub mod connections;
pub mod jobs;

use axum::Json;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use weft_core::roles::Role;
use weft_hub::access;

use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;

pub type ApiResult = Result<Response, ApiError>;

pub async fn me(Extension(caller): Extension<Caller>) -> Json<Value> {
    Json(json!({"username": caller.user.username, "role": caller.user.role}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

/// Creates an API token for the caller, with the caller's role. Shown once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewToken>,
) -> ApiResult {
    let (token, secret) = access::issue_api_token(&state.hub, &caller.user, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": token.id, "name": token.name, "token": secret})),
    )
        .into_response())
}

pub async fn users(State(state): State<AppState>) -> ApiResult {
    Ok(Json(state.hub.store.access().users().await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    pub role: String,
    pub password: String,
}

pub async fn add_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewUserBody>,
) -> ApiResult {
    let role = Role::parse(&body.role).map_err(ApiError::bad_request)?;
    let user = access::add_user(
        &state.hub,
        &caller.user.username,
        &body.username,
        role,
        SecretString::from(body.password),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
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
