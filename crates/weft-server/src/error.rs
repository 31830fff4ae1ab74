//! Failures as HTTP answers, in one place: JSON for the API, a page for the web UI. A
//! `HubError` maps to its status here. Callers see what they did wrong (4xx) or, for
//! failures of the hub and its database (5xx), a request id and no internal text; the
//! internal text goes to the log, written by the request middleware (`telemetry`).
//! `uniform` puts the failures the framework answers itself (malformed JSON, a wrong
//! content type, a bad path or query parameter, a method not allowed) into the same shape.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use weft_hub::HubError;
use weft_store::StoreError;

use crate::telemetry::{Internal, current_request_id};

/// An API failure: `{"error": "...", "code": "...", "requestId": "..."}` with a status; the
/// code is the status's name in snake case (`bad_request`, `not_found`, ...), the request id
/// the one in `X-Request-Id` and the logs.
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
        self.respond(current_request_id())
    }
}

impl ApiError {
    /// The answer, naming `request_id` (the request's, from `X-Request-Id`).
    fn respond(self, request_id: String) -> Response {
        let body = json!({
            "error": self.message,
            "code": code_of(self.status),
            "requestId": request_id,
        });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(detail) = self.internal {
            response.extensions_mut().insert(Internal(detail));
        }
        response
    }
}

/// `bad_request`, `not_found`, `unsupported_media_type`: a status's name as a stable code.
fn code_of(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace(['-', '\''], "")
        .replace(' ', "_")
}

/// The longest framework answer read back to be reshaped (they are one line).
const REJECTION_BYTES: usize = 16 * 1024;

/// Gives every failure the hub's shape: a failure answered as plain text or with no body
/// (the framework's own rejections, a timeout) becomes the JSON error under `/api/` and the
/// error page elsewhere, keeping its status and its other headers (`Allow` on a 405), and
/// naming the request id `telemetry` gave it. Answers already JSON or HTML (the hub's
/// errors, a form shown again with its error) pass untouched. The outermost layer.
pub async fn uniform(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, REJECTION_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("failed").to_lowercase()
    } else {
        text
    };
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let error = ApiError::new(status, message);
    let shaped = if api {
        error.respond(request_id)
    } else {
        PageError(error).respond(request_id)
    };
    let (shaped_parts, shaped_body) = shaped.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    for (name, value) in &shaped_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, shaped_body)
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
        self.respond(current_request_id())
    }
}

impl PageError {
    fn respond(self, request_id: String) -> Response {
        let ApiError {
            status,
            message,
            internal,
        } = self.0;
        let reference = if status.is_server_error() {
            format!(
                "<p>Reference for the logs: <code id=request-id>{}</code></p>",
                escape(&request_id)
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
