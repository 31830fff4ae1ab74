//! Responses in Wrike's shapes: the `{"kind", "data"}` envelope and the error body.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

/// An API error as Wrike reports it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
    /// Wrike serves 401 bodies on known routes as `text/plain`.
    pub text_plain: bool,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, description: &str) -> Self {
        ApiError {
            status,
            code,
            description: description.to_owned(),
            text_plain: false,
            retry_after: None,
        }
    }
    pub fn invalid_request(description: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    pub fn invalid_parameter(name: &str, why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            &format!("Parameter '{name}' is invalid: {why}"),
        )
    }
    pub fn parameter_required(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "parameter_required",
            &format!("Parameter '{name}' is required"),
        )
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            &format!("{what} not found"),
        )
    }
    pub fn forbidden(description: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "access_forbidden", description)
    }
    pub fn not_allowed(description: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "not_allowed", description)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"errorDescription": self.description, "error": self.code}).to_string();
        let mut response = (self.status, body).into_response();
        let content_type = if self.text_plain {
            "text/plain; charset=UTF-8"
        } else {
            "application/json; charset=UTF-8"
        };
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// `{"kind": kind, "data": [...]}`.
pub fn envelope<T: Serialize>(kind: &str, data: Vec<T>) -> ApiResult {
    Ok(Json(json!({"kind": kind, "data": data})).into_response())
}

/// The envelope of already-shaped values (after opt-in field filtering).
pub fn envelope_values(kind: &str, data: Vec<Value>) -> ApiResult {
    Ok(Json(json!({"kind": kind, "data": data})).into_response())
}

/// Serializes a model and removes the fields the caller did not opt into.
pub fn shape<T: Serialize>(item: &T, opt_in: &[&str], requested: &[String]) -> Value {
    let mut value = serde_json::to_value(item).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for field in opt_in {
            if !requested.iter().any(|r| r == field) {
                map.remove(*field);
            }
        }
    }
    value
}
