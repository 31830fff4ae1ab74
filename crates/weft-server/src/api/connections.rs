//! Connections in the JSON API: list, add (permanent token), plan, check, remove, alerts.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use secrecy::SecretString;
use serde::Deserialize;
use weft_core::scope_plan::{self, Feature};
use weft_hub::{connections, health};

use super::ApiResult;
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> ApiResult {
    let all = state.hub.store.connections().list().await?;
    Ok(Json(connections::listing(&all)).into_response())
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

pub async fn add(
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

pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let connection = connections::by_id(&state.hub, &id).await?;
    connections::remove(&state.hub, &caller.user.username, connection).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn check(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let connection = connections::by_id(&state.hub, &id).await?;
    let health = health::probe(&state.hub, &connection).await?;
    Ok(Json(health).into_response())
}

/// Connections that need attention now: what the UI banner shows.
pub async fn alerts(State(state): State<AppState>) -> ApiResult {
    Ok(Json(health::needing_attention(&state.hub).await?).into_response())
}
