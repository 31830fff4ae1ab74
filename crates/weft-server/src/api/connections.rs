//! Connections in the JSON API: list, add (permanent token), plan, check, remove, alerts.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use weft_core::scope_plan::{self, Feature};
use weft_hub::{connections, health};

use super::{ApiJson, Paging};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// Connections with their hygiene warnings
#[utoipa::path(get, path = "/api/v1/connections", tag = "connections", params(Paging),
    responses((status = 200, body = Page<wire::connections::Listed>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiJson<Page<wire::connections::Listed>> {
    let all = weft_hub::connections::list(&state.hub).await?;
    Ok(Json(paging.slice(wire::connections::listing(&all))?))
}

/// A connection with a permanent token.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewConnectionBody {
    /// Its name in weft (recipes name it).
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// `us`, `us2`, `eu` or an API URL.
    #[serde(default = "default_data_center")]
    pub data_center: String,
    /// The permanent token. Sent in the body, never in the URL.
    #[schema(write_only, min_length = 1)]
    pub token: String,
    /// The features it is for; their scopes and rights are checked.
    #[serde(default)]
    pub features: Vec<Feature>,
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

/// Add a connection with a permanent token (checked against Wrike first)
#[utoipa::path(post, path = "/api/v1/connections", tag = "connections",
    request_body = NewConnectionBody,
    responses((status = 201, body = wire::connections::Added)))]
pub async fn add(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<NewConnectionBody>,
) -> Result<(StatusCode, Json<wire::connections::Added>), ApiError> {
    let added = connections::add(
        &state.hub,
        &caller.user.username,
        &body.name,
        &body.data_center,
        SecretString::from(body.token),
        body.features,
    )
    .await?;
    Ok((StatusCode::CREATED, Json((&added).into())))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Features, comma separated: usage_analytics, reclaim, invitations, read_work,
    /// write_work, webhooks, groups.
    pub features: String,
}

/// The least scopes and Wrike rights some features need
#[utoipa::path(get, path = "/api/v1/connections/plan", tag = "connections", params(PlanQuery),
    responses((status = 200, body = wire::connections::ScopePlan)))]
pub async fn plan(Query(q): Query<PlanQuery>) -> ApiJson<wire::connections::ScopePlan> {
    let names: Vec<String> = q
        .features
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Json((&scope_plan::plan(&parse_features(&names)?)).into()))
}

/// Remove a connection (by id or name)
#[utoipa::path(delete, path = "/api/v1/connections/{id}", tag = "connections",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let connection = connections::find(&state.hub, &id).await?;
    connections::remove(&state.hub, &caller.user.username, connection).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Probe a connection now; alerts on a change
#[utoipa::path(post, path = "/api/v1/connections/{id}/check", tag = "connections",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 200, body = wire::connections::Health)))]
pub async fn check(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiJson<wire::connections::Health> {
    let connection = connections::find(&state.hub, &id).await?;
    let health = health::probe(&state.hub, &connection).await?;
    Ok(Json((&health).into()))
}

/// Connections that need attention now: what the UI banner shows
#[utoipa::path(get, path = "/api/v1/alerts", tag = "connections", params(Paging),
    responses((status = 200, body = Page<wire::connections::Attention>)))]
pub async fn alerts(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiJson<Page<wire::connections::Attention>> {
    let all = health::needing_attention(&state.hub).await?;
    Ok(Json(paging.slice(all.iter().map(Into::into).collect())?))
}
