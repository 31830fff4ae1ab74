//! The team and API tokens in the JSON API: Admins manage users (role, disabled, password,
//! sessions, removal); everyone manages their own tokens and password, Admins everyone's
//! tokens.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;
use weft_core::roles::Role;
use weft_hub::access;

use super::ApiResult;
use crate::error::ApiError;
use crate::guard::{Caller, Via};
use crate::security::no_store;
use crate::state::AppState;

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
pub struct UserChange {
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

/// Changes a user's role and/or disables or enables them.
pub async fn change_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(change): Json<UserChange>,
) -> ApiResult {
    let actor = &caller.user.username;
    let mut user = access::find_user(&state.hub, &id).await?;
    if let Some(role) = change.role {
        let role = Role::parse(&role).map_err(ApiError::bad_request)?;
        user = access::set_role(&state.hub, actor, &user.id, role).await?;
    }
    match change.disabled {
        Some(true) => user = access::disable_user(&state.hub, actor, &user.id).await?,
        Some(false) => user = access::enable_user(&state.hub, actor, &user.id).await?,
        None => {}
    }
    Ok(Json(user).into_response())
}

pub async fn remove_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    access::remove_user(&state.hub, &caller.user.username, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub password: String,
}

/// An Admin sets a user's password; the user's sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<NewPassword>,
) -> ApiResult {
    access::reset_password(
        &state.hub,
        &caller.user.username,
        &id,
        SecretString::from(body.password),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn sign_out_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let user = access::find_user(&state.hub, &id).await?;
    let ended = access::sign_out_everywhere(&state.hub, &caller.user.username, &user).await?;
    Ok(Json(json!({"sessionsEnded": ended})).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// The caller changes their own password; their other sessions end.
pub async fn change_own_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PasswordChange>,
) -> ApiResult {
    let this_session = match &caller.via {
        Via::Session { id_hash, .. } => Some(id_hash.as_str()),
        Via::ApiToken => None,
    };
    access::change_own_password(
        &state.hub,
        &caller.user,
        &body.current,
        SecretString::from(body.new),
        this_session,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let ended =
        access::sign_out_everywhere(&state.hub, &caller.user.username, &caller.user).await?;
    Ok(Json(json!({"sessionsEnded": ended})).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    pub expires_in_days: Option<u32>,
}

/// Creates an API token for the caller, with the caller's role. The secret is shown once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewToken>,
) -> ApiResult {
    let (token, secret) = access::issue_api_token(
        &state.hub,
        &caller.user.username,
        &caller.user,
        &body.name,
        body.expires_in_days,
    )
    .await?;
    let mut response = (
        StatusCode::CREATED,
        Json(json!({"id": token.id, "name": token.name, "expiresAt": token.expires_at, "token": secret})),
    )
        .into_response();
    no_store(&mut response);
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensQuery {
    /// Everyone's tokens (Admins only).
    pub all: Option<bool>,
}

pub async fn tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<TokensQuery>,
) -> ApiResult {
    let listed = access::list_tokens(&state.hub, &caller.user, q.all.unwrap_or(false)).await?;
    Ok(Json(listed).into_response())
}

/// Revokes a token: one's own, or anyone's for an Admin.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    access::revoke_token(&state.hub, &caller.user.username, Some(&caller.user), &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
