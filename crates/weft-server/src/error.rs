//! Failures as HTTP answers: JSON for the API, a page for the web UI. Logged here once.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// An API failure: `{"error": "..."}` with a status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        // Service errors carry messages meant for people ("a connection named x already
        // exists", "Wrike refused the token ..."); they are answered as bad requests.
        ApiError::bad_request(format!("{e:#}"))
    }
}

impl From<weft_store::StoreError> for ApiError {
    fn from(e: weft_store::StoreError) -> Self {
        match e {
            weft_store::StoreError::NotFound { what } => ApiError::not_found(&what),
            weft_store::StoreError::Conflict { what } => {
                ApiError::new(StatusCode::CONFLICT, format!("{what} already exists"))
            }
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), message = %self.message, "request failed");
        }
        (self.status, Json(json!({"error": self.message}))).into_response()
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
        let message = crate::pages::escape(&self.0.message);
        let body = format!(
            "<!doctype html><meta charset=utf-8><title>weft</title><link rel=stylesheet href=/static/weft.css><main><h1>{}</h1><p id=error>{message}</p><p><a href=/>Back</a></p></main>",
            self.0.status
        );
        (self.0.status, Html(body)).into_response()
    }
}
