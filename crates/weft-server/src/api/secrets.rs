//! Recipe secrets in the JSON API: listed without their values, set (a value and the hosts
//! steps may send it to), removed. A value goes in and never comes out.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use weft_hub::recipes::secrets;

use super::ApiResult;
use crate::guard::Caller;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> ApiResult {
    Ok(Json(secrets::list(&state.hub).await?).into_response())
}

/// `PUT /api/v1/secrets/{name}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetBody {
    pub value: String,
    /// Where steps may send it: host names, `*.domain`, or `*`.
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

pub async fn set(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(body): Json<SetBody>,
) -> ApiResult {
    let value = secrecy::SecretString::from(body.value);
    let info = secrets::set(&state.hub, &caller.acting(), &name, &value, &body.hosts).await?;
    Ok(Json(info).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult {
    secrets::remove(&state.hub, &caller.acting(), &name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
