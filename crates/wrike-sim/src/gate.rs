//! The gate every `/api/v4` request passes, in Wrike's order: credentials before routing
//! (an unknown path with a bad token is 401, not 404), then the data center (300), the rate
//! limit (429) and the scopes of the matched route (403). It also applies injected faults
//! and writes the request log.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, OriginalUri, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::{FaultKind, take};
use crate::reply::ApiError;
use crate::scopes;
use crate::sim::{Caller, LoggedRequest, Sim};

/// Which data center a listener serves; set per listener.
#[derive(Debug, Clone, Copy)]
pub struct DcIndex(pub usize);

fn bearer(req: &Request) -> Option<String> {
    if let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned());
    }
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
}

/// `GET ...?method=PUT`: Wrike's override for clients that cannot send other methods.
/// Applied in front of the router, since routing dispatches on the method.
pub fn method_override<B>(mut req: axum::http::Request<B>) -> axum::http::Request<B> {
    if req.method() != Method::GET {
        return req;
    }
    let wanted = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "method")
            .map(|(_, v)| v.to_ascii_uppercase())
    });
    match wanted.as_deref() {
        Some("POST") => *req.method_mut() = Method::POST,
        Some("PUT") => *req.method_mut() = Method::PUT,
        Some("DELETE") => *req.method_mut() = Method::DELETE,
        _ => {}
    }
    req
}

pub async fn gate(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let dc = req
        .extensions()
        .get::<DcIndex>()
        .copied()
        .unwrap_or(DcIndex(0));
    let method = req.method().clone();
    // Inside the nested API router the URI has lost its `/api/v4` prefix; log and match
    // faults on the path the client actually called.
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path().to_owned(), |u| u.path().to_owned());
    let query = req.uri().query().map(str::to_owned);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let token = bearer(&req);
    let mut entry = LoggedRequest {
        seq: 0,
        at: sim.clock.now(),
        method: method.to_string(),
        path: path.clone(),
        query: query.map(|q| redact_query(&q)),
        status: 0,
        data_center: sim.data_center(dc.0).name,
        token: token
            .as_deref()
            .map(|t| wrike_api::tokens::fingerprint(&secrecy::SecretString::from(t.to_owned()))),
        account_id: None,
        fault: None,
    };

    let fault = take(&mut sim.faults.lock().expect("fault lock"), &path);
    let response = match fault {
        Some(fault) if fault.kind != FaultKind::Slow => {
            entry.fault = Some(format!("{:?}", fault.kind));
            fault_response(&fault)
        }
        slow => {
            if let Some(fault) = slow {
                entry.fault = Some("Slow".into());
                tokio::time::sleep(Duration::from_millis(fault.delay_ms.unwrap_or(0))).await;
            }
            match admit(&sim, dc, &method, route.as_deref(), token.as_deref()) {
                Ok(caller) => {
                    entry.account_id = Some(caller.account_id.clone());
                    req.extensions_mut().insert(caller);
                    next.run(req).await
                }
                Err(mut err) => {
                    // Wrike serves 401 on real routes as text/plain (observed live).
                    err.text_plain = err.status == StatusCode::UNAUTHORIZED && route.is_some();
                    err.into_response()
                }
            }
        }
    };
    entry.status = response.status().as_u16();
    sim.log.lock().expect("log lock").push(entry);
    response
}

fn admit(
    sim: &Sim,
    dc: DcIndex,
    method: &Method,
    route: Option<&str>,
    token: Option<&str>,
) -> Result<Caller, ApiError> {
    let grant = sim.authenticate(token)?;
    let account_dc = sim
        .read()
        .account(&grant.account_id)
        .map(|a| a.data_center)
        .unwrap_or(0);
    if account_dc != dc.0 {
        let right = sim.data_center(account_dc);
        return Err(ApiError::new(
            StatusCode::MULTIPLE_CHOICES,
            "invalid_request",
            &format!(
                "This account is served by {}; use https://{}/api/v4",
                right.host, right.host
            ),
        ));
    }
    if let Err(wait) = sim.spend_budget(token.unwrap_or_default()) {
        let mut refused = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "Rate limit exceeded, try again later",
        );
        if sim
            .rate_retry_after
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            refused.retry_after = Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        return Err(refused);
    }
    if let Some(route) = route {
        let needed = scopes::required(method, route);
        if !scopes::satisfied(&grant.scopes, needed) {
            let names: Vec<&str> = needed.iter().map(|s| s.as_str()).collect();
            return Err(ApiError::forbidden(&format!(
                "Access token scope does not allow this method; it needs one of: {}",
                names.join(", ")
            )));
        }
    }
    Ok(Caller {
        account_id: grant.account_id,
        user_id: grant.user_id,
    })
}

pub(crate) fn fault_response(fault: &crate::faults::Fault) -> Response {
    match fault.kind {
        FaultKind::ServerError => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Internal server error",
        )
        .into_response(),
        FaultKind::RateLimit => {
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "IP or access token exceeded limit: 400 requests per minute",
            );
            err.retry_after = fault.retry_after;
            err.into_response()
        }
        FaultKind::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"kind\":\"tasks\",\"data\":[{\"id\":\"IEAA",
        )
            .into_response(),
        FaultKind::Drop => {
            // A body that fails before its first byte makes the server abort the connection.
            let failing = futures::stream::once(async {
                Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by fault injection",
                ))
            });
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_LENGTH, "64")
                .body(Body::from_stream(failing))
                .expect("static response")
        }
        FaultKind::Slow => unreachable!("slow faults delay and pass through"),
    }
}

/// Query strings are logged without `access_token` values.
fn redact_query(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| {
            if k == "access_token" {
                format!("{k}=[redacted]")
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Unknown API paths (reached only with valid credentials).
pub async fn unknown_method() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "method_not_found",
        "Method not found",
    )
}
