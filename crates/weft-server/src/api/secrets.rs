//! Recipe secrets in the JSON API: listed without their values, set (a value and the hosts
//! steps may send it to), removed. A value goes in and never comes out.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use weft_hub::recipes::secrets;

use super::{ApiJson, Paging};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// Recipe secrets (never their values): where steps may send each, who set it, and the
/// recipes that read it
#[utoipa::path(get, path = "/api/v1/secrets", tag = "recipes", params(Paging),
    responses((status = 200, body = Page<wire::recipes::Secret>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiJson<Page<wire::recipes::Secret>> {
    let all = secrets::list(&state.hub).await?;
    Ok(Json(paging.slice(all.iter().map(Into::into).collect())?))
}

/// `PUT /api/v1/secrets/{name}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBody {
    /// The value, never shown again.
    #[schema(write_only, min_length = 1)]
    pub value: String,
    /// Where steps may send it: host names, `*.domain`, or `*`.
    #[schema(min_items = 1)]
    pub hosts: Vec<String>,
}

impl std::fmt::Debug for SetBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetBody")
            .field("value", &"[redacted]")
            .field("hosts", &self.hosts)
            .finish()
    }
}

/// Set a recipe secret, read in templates as secrets.NAME: its value (never shown again)
/// and the hosts http.request steps may send it to
#[utoipa::path(put, path = "/api/v1/secrets/{name}", tag = "recipes",
    params(("name" = String, Path, description = "The secret's name: letters, digits and _")),
    request_body = SetBody,
    responses((status = 200, body = wire::recipes::Secret)))]
pub async fn set(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(body): Json<SetBody>,
) -> ApiJson<wire::recipes::Secret> {
    let value = secrecy::SecretString::from(body.value);
    let info = secrets::set(&state.hub, &caller.acting(), &name, &value, &body.hosts).await?;
    Ok(Json((&info).into()))
}

/// Remove a recipe secret no recipe reads (409 naming the recipes that do)
#[utoipa::path(delete, path = "/api/v1/secrets/{name}", tag = "recipes",
    params(("name" = String, Path, description = "The secret's name")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    secrets::remove(&state.hub, &caller.acting(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
