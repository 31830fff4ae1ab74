//! Every request gets an id (answered in `X-Request-Id`, shown with every server error), a
//! time limit (a request that takes longer, body included, is answered 408), is counted and
//! timed for `/metrics` by route pattern, and, when it failed inside, is logged once here
//! with the internal detail the answer leaves out.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What went wrong inside a failed request, for the log only: error conversions attach it
/// to the response, `observe` logs it with the request id.
#[derive(Debug, Clone)]
pub struct Internal(pub String);

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered (empty outside a request).
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

pub async fn observe(request: Request, next: Next, limit: std::time::Duration) -> Response {
    // Unique enough to find a request in the logs; not a secret, so no OS randomness.
    let id = format!("{:016x}", fastrand::u64(..));
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let started = std::time::Instant::now();
    let answered =
        tokio::time::timeout(limit, REQUEST_ID.scope(id.clone(), next.run(request))).await;
    // Plain text; `error::uniform`, outside this layer, gives it the hub's error shape.
    let mut response = answered.unwrap_or_else(|_| {
        (
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "the request took too long",
        )
            .into_response()
    });
    let status = response.status();
    if let Some(Internal(detail)) = response.extensions().get::<Internal>() {
        tracing::error!(request_id = %id, %method, %route, status = status.as_u16(), error = %detail, "request failed");
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    metrics::counter!("weft_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.as_u16().to_string()).increment(1);
    metrics::histogram!("weft_http_request_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}
