//! The team and API tokens in the JSON API: Admins manage users (role, disabled, password,
//! sessions, removal); everyone manages their own tokens and password, Admins everyone's
//! tokens.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use weft_core::roles::Role;
use weft_hub::{HubError, access};

use super::{ApiJson, Paging};
use crate::error::ApiError;
use crate::guard::{Caller, Via};
use crate::security::no_store;
use crate::state::AppState;
use crate::wire::{self, Page, SessionsEnded};

/// The team: every user with their role
#[utoipa::path(get, path = "/api/v1/users", tag = "team", params(Paging),
    responses((status = 200, body = Page<wire::team::User>)))]
pub async fn users(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiJson<Page<wire::team::User>> {
    let all = access::users(&state.hub).await?;
    Ok(Json(paging.slice(all.iter().map(Into::into).collect())?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewUserBody {
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    pub role: Role,
    /// The first password; required unless the user signs in through single sign-on.
    #[schema(write_only, min_length = 10)]
    pub password: Option<String>,
    /// How the user signs in (default `password`). `sso`: through the identity provider,
    /// whose person of this username or e-mail is linked at their first sign-in.
    pub sign_in: Option<SignInBody>,
}

#[derive(Deserialize, ToSchema, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum SignInBody {
    Password,
    Sso,
}

/// Add a user with a role and a first password, or one who signs in through single sign-on
#[utoipa::path(post, path = "/api/v1/users", tag = "team", request_body = NewUserBody,
    responses((status = 201, body = wire::team::User)))]
pub async fn add_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewUserBody>,
) -> Result<(StatusCode, Json<wire::team::User>), ApiError> {
    let actor = &caller.user.username;
    let user = match (body.sign_in, body.password) {
        (Some(SignInBody::Sso), None) => {
            access::add_sso_user(&state.hub, actor, &body.username, body.role).await?
        }
        (Some(SignInBody::Sso), Some(_)) => {
            return Err(HubError::invalid(
                "password: a user who signs in through single sign-on has no password here",
            )
            .into());
        }
        (_, Some(password)) => {
            access::add_user(
                &state.hub,
                actor,
                &body.username,
                body.role,
                SecretString::from(password),
            )
            .await?
        }
        (_, None) => {
            return Err(HubError::invalid(
                "password: required (or signIn: sso for single sign-on)",
            )
            .into());
        }
    };
    Ok((StatusCode::CREATED, Json((&user).into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub role: Option<Role>,
    /// True disables the user (their sessions and tokens stop working); false enables.
    pub disabled: Option<bool>,
}

/// Change a user's role, or disable or enable them (by id or name)
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "team",
    params(("id" = String, Path, description = "The user's id or name")),
    request_body = UserChange,
    responses((status = 200, body = wire::team::User)))]
pub async fn change_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(change): Json<UserChange>,
) -> ApiJson<wire::team::User> {
    let actor = &caller.user.username;
    let mut user = access::find_user(&state.hub, &id).await?;
    if let Some(role) = change.role {
        user = access::set_role(&state.hub, actor, &user.id, role).await?;
    }
    match change.disabled {
        Some(true) => user = access::disable_user(&state.hub, actor, &user.id).await?,
        Some(false) => user = access::enable_user(&state.hub, actor, &user.id).await?,
        None => {}
    }
    Ok(Json((&user).into()))
}

/// Remove a user with their sessions and tokens
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "team",
    params(("id" = String, Path, description = "The user's id or name")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    access::remove_user(&state.hub, &caller.user.username, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    #[schema(write_only, min_length = 10)]
    pub password: String,
}

/// Set a user's password (their sessions end)
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "team",
    params(("id" = String, Path, description = "The user's id or name")),
    request_body = NewPassword,
    responses((status = 204, description = "Set")))]
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<NewPassword>,
) -> Result<StatusCode, ApiError> {
    access::reset_password(
        &state.hub,
        &caller.user.username,
        &id,
        SecretString::from(body.password),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End every session of a user
#[utoipa::path(post, path = "/api/v1/users/{id}/sign-out", tag = "team",
    params(("id" = String, Path, description = "The user's id or name")),
    responses((status = 200, body = SessionsEnded)))]
pub async fn sign_out_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiJson<SessionsEnded> {
    let user = access::find_user(&state.hub, &id).await?;
    let ended = access::sign_out_everywhere(&state.hub, &caller.user.username, &user).await?;
    Ok(Json(SessionsEnded {
        sessions_ended: ended,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(write_only)]
    pub current: String,
    #[schema(write_only, min_length = 10)]
    pub new: String,
}

/// Change one's own password (the other sessions end)
#[utoipa::path(post, path = "/api/v1/me/password", tag = "team",
    request_body = PasswordChange,
    responses((status = 204, description = "Changed")))]
pub async fn change_own_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
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
    Ok(StatusCode::NO_CONTENT)
}

/// End every session of the caller
#[utoipa::path(post, path = "/api/v1/me/sign-out-everywhere", tag = "team",
    responses((status = 200, body = SessionsEnded)))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiJson<SessionsEnded> {
    let ended =
        access::sign_out_everywhere(&state.hub, &caller.user.username, &caller.user).await?;
    Ok(Json(SessionsEnded {
        sessions_ended: ended,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewTokenBody {
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// Days until it expires; never when absent.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

/// Create an API token with the caller's role (its secret is shown once)
#[utoipa::path(post, path = "/api/v1/tokens", tag = "team", request_body = NewTokenBody,
    responses((status = 201, body = wire::team::NewToken)))]
pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewTokenBody>,
) -> Result<Response, ApiError> {
    let (token, secret) = access::issue_api_token(
        &state.hub,
        &caller.user.username,
        &caller.user,
        &body.name,
        body.expires_in_days,
    )
    .await?;
    let answer = wire::team::NewToken {
        id: token.id,
        name: token.name,
        expires_at: token.expires_at.map(wire::time),
        token: secret,
    };
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    no_store(&mut response);
    Ok(response)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokensQuery {
    /// Everyone's tokens (Admins only).
    pub all: Option<bool>,
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The caller's API tokens; everyone's with all=true (Admins)
#[utoipa::path(get, path = "/api/v1/tokens", tag = "team", params(TokensQuery),
    responses((status = 200, body = Page<wire::team::Token>)))]
pub async fn tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<TokensQuery>,
) -> ApiJson<Page<wire::team::Token>> {
    let listed = access::list_tokens(&state.hub, &caller.user, q.all.unwrap_or(false)).await?;
    let paging = Paging {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(paging.slice(listed.iter().map(Into::into).collect())?))
}

/// Revoke an API token (one's own; Admins: anyone's)
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "team",
    params(("id" = String, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    access::revoke_token(&state.hub, &caller.user.username, Some(&caller.user), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
