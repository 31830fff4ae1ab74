//! The per-route guard: who is calling (an API token, `Authorization: Bearer wft_...`, for
//! the JSON API; a session cookie for the web UI), whether the route's declared access
//! admits their role, and the CSRF token of every state-changing request made with a
//! session.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use weft_hub::access::{hash_secret, session_caller, token_caller};
use weft_store::User;

use crate::error::{ApiError, PageError};
use crate::policy::Access;
use crate::security::{Cookies, cookie};
use crate::state::AppState;

/// Largest form body read to check its CSRF token.
const MAX_FORM: usize = 1 << 20;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session { id_hash: String, csrf: String },
    ApiToken,
}

/// The signed-in caller, set by `guard` for the handlers.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
}

impl Caller {
    /// Who the trail records for this caller's changes.
    pub fn actor(&self) -> String {
        self.user.username.clone()
    }

    /// The caller as the services judge them: name and role.
    pub fn acting(&self) -> weft_hub::Actor {
        weft_hub::Actor::new(self.user.username.clone(), self.user.role)
    }

    /// The session's CSRF token, for forms.
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::ApiToken => "",
        }
    }
}

/// Resolves the caller from an API token or a session cookie.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or("")
            .trim();
        return Ok(token_caller(&state.hub, token).await?.map(|user| Caller {
            user,
            via: Via::ApiToken,
        }));
    }
    if let Some(session) = cookie(headers, Cookies::of(&state.config).session()) {
        return Ok(session_caller(&state.hub, &session)
            .await?
            .map(|(user, csrf)| Caller {
                user,
                via: Via::Session {
                    id_hash: hash_secret(&session),
                    csrf,
                },
            }));
    }
    Ok(None)
}

fn is_api(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

fn refuse(api: bool, status: StatusCode, message: &str, path: &str) -> Response {
    match (api, status) {
        (true, _) => ApiError::new(status, message).into_response(),
        (false, StatusCode::UNAUTHORIZED) => Redirect::to(&format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
        ))
        .into_response(),
        (false, _) => PageError(ApiError::new(status, message)).into_response(),
    }
}

/// The per-route guard: resolves the caller, checks the route's access and, for sessions,
/// the CSRF token of state-changing requests.
pub async fn guard(
    State((state, access)): State<(AppState, Access)>,
    request: Request,
    next: Next,
) -> Response {
    let api = is_api(&request);
    let path = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let caller = match resolve(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let needs_user = access != Access::Public;
    let Some(caller) = caller else {
        if needs_user {
            return refuse(
                api,
                StatusCode::UNAUTHORIZED,
                "authentication required: a session or an API token",
                &path,
            );
        }
        return next.run(request).await;
    };
    if let Access::Needs(permission) = access
        && !caller.user.role.allows(permission)
    {
        return refuse(
            api,
            StatusCode::FORBIDDEN,
            &format!("the {} role may not do this", caller.user.role.as_str()),
            &path,
        );
    }
    let mut request = request;
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if let Via::Session { csrf, .. } = &caller.via
        && changes_state
    {
        match check_csrf(request, csrf).await {
            Ok(checked) => request = checked,
            Err(response) => return response,
        }
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Accepts the token from `X-CSRF-Token` or a `csrf` form field; the body is read and put
/// back for the handler.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, Response> {
    let forbidden = || {
        PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong; reload the page and try again",
        ))
        .into_response()
    };
    if let Some(token) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_eq(token, expected) {
            Ok(request)
        } else {
            Err(forbidden())
        };
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM).await.map_err(|_| {
        PageError(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "form too large",
        ))
        .into_response()
    })?;
    let given = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !constant_eq(&given, expected) {
        return Err(forbidden());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Compares secrets in time that does not depend on where they differ.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
