//! The weekly digest (each member's own setting, and a preview) and the renewal reminders
//! sent, over the JSON API.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use weft_hub::connections;
use weft_hub::usage::{digest, reminders};

use super::ApiJson;
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::notices::{DigestPreview, DigestRequest, DigestSetting, ReminderEntry};

/// Whether the caller gets the weekly digest, and where
#[utoipa::path(get, path = "/api/v1/me/digest", tag = "usage",
    responses((status = 200, body = DigestSetting)))]
pub async fn digest_setting(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiJson<DigestSetting> {
    Ok(Json(
        digest::subscription(&state.hub, &caller.user.id)
            .await?
            .into(),
    ))
}

/// Get the weekly digest at an address (Admins and Analysts), from the next Monday 08:00 UTC
#[utoipa::path(put, path = "/api/v1/me/digest", tag = "usage", request_body = DigestRequest,
    responses((status = 200, body = DigestSetting)))]
pub async fn subscribe_digest(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<DigestRequest>,
) -> ApiJson<DigestSetting> {
    let subscription = digest::subscribe(&state.hub, &caller.user.id, &body.email).await?;
    Ok(Json(Some(subscription).into()))
}

/// Stop the weekly digest
#[utoipa::path(delete, path = "/api/v1/me/digest", tag = "usage",
    responses((status = 204, description = "No digest from now on")))]
pub async fn unsubscribe_digest(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<StatusCode, ApiError> {
    digest::unsubscribe(&state.hub, &caller.user.id, &caller.user.username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This week's digest as it would be sent now
#[utoipa::path(get, path = "/api/v1/usage/digest", tag = "usage",
    responses((status = 200, body = DigestPreview)))]
pub async fn digest_preview(State(state): State<AppState>) -> ApiJson<DigestPreview> {
    let digest = digest::compose(&state.hub).await?;
    Ok(Json(DigestPreview::of(
        digest,
        &state.hub.policy.public_url,
    )))
}

/// The renewal reminders sent for a connection, newest first
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/reminders", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 200, body = Vec<ReminderEntry>)))]
pub async fn reminders_sent(
    State(state): State<AppState>,
    Path(connection): Path<String>,
) -> ApiJson<Vec<ReminderEntry>> {
    let connection = connections::find(&state.hub, &connection).await?;
    let sent = reminders::sent(&state.hub, &connection.id).await?;
    Ok(Json(sent.iter().map(ReminderEntry::from).collect()))
}
