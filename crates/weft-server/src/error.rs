//! Failures as HTTP answers, in one place: JSON for the API, a page for the web UI. A
//! `HubError` maps to its status here. Callers see what they did wrong (4xx) or, for
//! failures of the hub and its database (5xx), a request id and no internal text; the
//! internal text goes to the log, written by the request middleware (`telemetry`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use weft_hub::HubError;
use weft_store::StoreError;

use crate::telemetry::{Internal, current_request_id};

/// An API failure: `{"error": "...", "requestId": "..."}` with a status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// Kept out of the answer; logged with the request id.
    pub internal: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            internal: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn internal(status: StatusCode, public: &str, detail: String) -> ApiError {
        ApiError {
            status,
            message: public.to_owned(),
            internal: Some(detail),
        }
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::NotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, e.to_string()),
            HubError::Conflict(message) | HubError::Busy(message) => {
                ApiError::new(StatusCode::CONFLICT, message)
            }
            HubError::Invalid(message) => ApiError::bad_request(message),
            HubError::Forbidden(message) => ApiError::new(StatusCode::FORBIDDEN, message),
            // Wrike down or busy is the upstream's failure; a refusal is about the input.
            HubError::Wrike { class, .. } if class.is_transient() => {
                ApiError::new(StatusCode::BAD_GATEWAY, e.to_string())
            }
            HubError::Wrike { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            HubError::Store(StoreError::Unavailable { .. }) => ApiError::internal(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; try again shortly",
                e.to_string(),
            ),
            HubError::Store(_) | HubError::Internal(_) => ApiError::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
                e.to_string(),
            ),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        HubError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = current_request_id();
        let mut body = json!({"error": self.message});
        if self.status.is_server_error() {
            body["requestId"] = json!(request_id);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(detail) = self.internal {
            response.extensions_mut().insert(Internal(detail));
        }
        response
    }
}

/// A web UI failure: a small page that says what went wrong.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let ApiError {
            status,
            message,
            internal,
        } = self.0;
        let reference = if status.is_server_error() {
            format!(
                "<p>Reference for the logs: <code id=request-id>{}</code></p>",
                escape(&current_request_id())
            )
        } else {
            String::new()
        };
        let body = format!(
            "<!doctype html><meta charset=utf-8><title>weft</title><link rel=stylesheet href=/static/weft.css><main><h1>{status}</h1><p id=error>{}</p>{reference}<p><a href=/>Back</a></p></main>",
            escape(&message)
        );
        let mut response = (status, Html(body)).into_response();
        if let Some(detail) = internal {
            response.extensions_mut().insert(Internal(detail));
        }
        response
    }
}

/// HTML-escapes text for the few pages built without a template.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
