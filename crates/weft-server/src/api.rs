//! The JSON API (`/api/v1`), for scripts and other systems, authenticated by API tokens.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use weft_core::roles::Role;
use weft_core::scope_plan::{self, Feature};
use weft_hub::{connections, monitor, users, util};
use weft_store::{ApiToken, NewAuditEntry};

use crate::AppState;
use crate::auth::{Caller, hash_secret};
use crate::error::ApiError;

type ApiResult = Result<Response, ApiError>;

pub async fn me(Extension(caller): Extension<Caller>) -> Json<Value> {
    Json(json!({"username": caller.user.username, "role": caller.user.role}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

/// Creates an API token for the caller, with the caller's role. Shown once.
pub async fn issue_token(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> Result<(ApiToken, String), ApiError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(ApiError::bad_request(
            "a token needs a name of 1 to 64 characters",
        ));
    }
    let secret = format!("wft_{}", weft_core::secrets::random_token());
    let token = ApiToken {
        id: util::new_id("tok"),
        user_id: caller.user.id.clone(),
        name: name.to_owned(),
        token_hash: hash_secret(&secret),
        created_at: util::now(),
    };
    state.hub.store.create_api_token(token.clone()).await?;
    state
        .hub
        .store
        .append_audit(NewAuditEntry {
            at: util::now(),
            actor: caller.user.username.clone(),
            action: "api_token.create".into(),
            target: name.to_owned(),
            before: None,
            after: Some(json!({"id": token.id})),
        })
        .await?;
    Ok((token, secret))
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewToken>,
) -> ApiResult {
    let (token, secret) = issue_token(&state, &caller, &body.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": token.id, "name": token.name, "token": secret})),
    )
        .into_response())
}

pub async fn connections(State(state): State<AppState>) -> ApiResult {
    let all = state.hub.store.list_connections().await?;
    let items: Vec<Value> = all
        .iter()
        .map(|c| json!({"connection": c, "warnings": connections::hygiene(c, &all)}))
        .collect();
    Ok(Json(items).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewConnectionBody {
    pub name: String,
    #[serde(default = "default_data_center")]
    pub data_center: String,
    /// The permanent token. Sent in the body, never in the URL.
    pub token: String,
    #[serde(default)]
    pub features: Vec<String>,
}

fn default_data_center() -> String {
    "us".into()
}

pub fn parse_features(names: &[String]) -> Result<Vec<Feature>, ApiError> {
    names
        .iter()
        .map(|f| Feature::parse(f).map_err(ApiError::bad_request))
        .collect()
}

pub async fn add_connection(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewConnectionBody>,
) -> ApiResult {
    let features = parse_features(&body.features)?;
    let added = connections::add(
        &state.hub,
        &caller.user.username,
        &body.name,
        &body.data_center,
        SecretString::from(body.token),
        features,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    pub features: String,
}

pub async fn plan(Query(q): Query<PlanQuery>) -> ApiResult {
    let names: Vec<String> = q
        .features
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Json(scope_plan::plan(&parse_features(&names)?)).into_response())
}

pub async fn remove_connection(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    connections::remove(state.hub.store.as_ref(), &caller.user.username, &id)
        .await
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, format!("{e:#}")))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn check_connection(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let connection = connections::find(state.hub.store.as_ref(), &id)
        .await
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, format!("{e:#}")))?;
    let health = monitor::probe(&state.hub, &connection).await?;
    Ok(Json(health).into_response())
}

/// Connections that need attention now: what the UI banner shows.
pub async fn alerts(State(state): State<AppState>) -> ApiResult {
    Ok(Json(weft_hub::alerts::needing_attention(state.hub.store.as_ref()).await?).into_response())
}

pub async fn users(State(state): State<AppState>) -> ApiResult {
    Ok(Json(state.hub.store.list_users().await?).into_response())
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
    let user = users::add(
        state.hub.store.as_ref(),
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

pub async fn audit_trail(State(state): State<AppState>, Query(q): Query<Limit>) -> ApiResult {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.hub.store.audit_trail(limit).await?).into_response())
}
