//! Signing in and out of the web UI. The sign-in form carries a double-submit cookie in
//! place of a session's CSRF token; repeated failures are throttled per account and per
//! address, and the page says when to try again.

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use weft_hub::access::{self, SignIn};
use weft_hub::sso;

use super::{Layout, PageResult, render};
use crate::forms::FormData;
use crate::guard::{Caller, Via};
use crate::security::{ClientAddress, Cookies, cookie, safe_next};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: String,
    next: String,
    login_csrf: String,
    /// Single sign-on is configured: the page offers it first.
    sso: bool,
    /// Where its link goes. A link, not a form: a form's redirect to the provider would
    /// break the page's `form-action 'self'`.
    sso_href: String,
    /// Everyone may sign in with a password (off: only the break-glass Admins).
    passwords: bool,
}

fn login_form(
    state: &AppState,
    cookies: Cookies,
    error: &str,
    next: &str,
    status: StatusCode,
) -> PageResult {
    let login_csrf = weft_core::secrets::random_token();
    let page = LoginPage {
        layout: Layout::anonymous("Sign in"),
        error: error.to_owned(),
        next: safe_next(next),
        login_csrf: login_csrf.clone(),
        sso: state.hub.sso.is_some(),
        sso_href: format!(
            "/sso/start?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &safe_next(next))
                .finish()
        ),
        passwords: state.hub.policy.local_passwords,
    };
    let mut response = render(page, status)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies.set(cookies.login(), Some(&login_csrf), 1800, "Strict"),
    );
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn login_page(State(state): State<AppState>, Query(q): Query<Next>) -> PageResult {
    let cookies = Cookies::of(&state.config);
    login_form(
        &state,
        cookies,
        "",
        q.next.as_deref().unwrap_or("/"),
        StatusCode::OK,
    )
}

/// "in 2 minutes", "in 45 seconds": when a throttled sign-in may be tried again.
fn wait_for_people(seconds: i64) -> String {
    match seconds {
        s if s >= 120 => format!("in {} minutes", (s + 59) / 60),
        s if s >= 60 => "in a minute".to_owned(),
        s => format!("in {} seconds", s.max(1)),
    }
}

pub async fn login(
    State(state): State<AppState>,
    Extension(ClientAddress(source)): Extension<ClientAddress>,
    headers: HeaderMap,
    form: FormData,
) -> PageResult {
    let cookies = Cookies::of(&state.config);
    let next = form.get("next");
    let expected = cookie(&headers, cookies.login()).unwrap_or_default();
    if expected.is_empty() || expected != form.get("login_csrf") {
        return login_form(
            &state,
            cookies,
            "The sign-in form expired; please try again.",
            &next,
            StatusCode::FORBIDDEN,
        );
    }
    let lifetime = state.config.session_lifetime.as_secs() as i64;
    let opened = match access::sign_in(
        &state.hub,
        &form.get("username"),
        &form.raw("password"),
        lifetime,
        &source,
    )
    .await?
    {
        SignIn::Opened(opened) => opened,
        SignIn::Refused => {
            return login_form(
                &state,
                cookies,
                "Wrong username or password.",
                &next,
                StatusCode::UNAUTHORIZED,
            );
        }
        SignIn::Throttled { retry_after_s } => {
            let message = format!(
                "Too many failed sign-ins. Try again {}.",
                wait_for_people(retry_after_s)
            );
            let mut page = login_form(
                &state,
                cookies,
                &message,
                &next,
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            page.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s.max(1)));
            return Ok(page);
        }
    };
    Ok(signed_in(
        cookies,
        &opened.cookie_value,
        lifetime,
        &next,
        cookies.login(),
        "Strict",
    ))
}

/// The answer that ends a sign-in: the session cookie set, the sign-in's own cookie
/// (`spent`, set with `spent_same_site`) removed, and the browser sent on.
fn signed_in(
    cookies: Cookies,
    session: &str,
    lifetime: i64,
    next: &str,
    spent: &str,
    spent_same_site: &str,
) -> axum::response::Response {
    let mut response = Redirect::to(&safe_next(next)).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies.set(cookies.session(), Some(session), lifetime, "Lax"),
    );
    headers.append(
        header::SET_COOKIE,
        cookies.set(spent, None, 0, spent_same_site),
    );
    response
}

/// Begins a single sign-on: to the identity provider, with this browser's state in a
/// cookie. A provider that cannot be reached is said so on the sign-in page (503), where
/// break-glass sign-in still works.
pub async fn sso_start(State(state): State<AppState>, Query(q): Query<Next>) -> PageResult {
    let cookies = Cookies::of(&state.config);
    let next = q.next.as_deref().unwrap_or("/");
    match sso::begin(&state.hub, &safe_next(next)).await? {
        sso::Began::Redirect {
            url,
            state: sso_state,
        } => {
            let mut response = Redirect::to(&url).into_response();
            // Lax: the provider sends the browser back with a top-level GET.
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies.set(cookies.sso(), Some(&sso_state), 600, "Lax"),
            );
            Ok(response)
        }
        sso::Began::Unavailable(reason) => {
            tracing::warn!(%reason, "single sign-on is unavailable");
            login_form(
                &state,
                cookies,
                &format!("Single sign-on is unavailable: {reason}."),
                next,
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    }
}

#[derive(serde::Deserialize)]
pub struct SsoAnswer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The identity provider's answer: a code to exchange, or why it refused.
pub async fn sso_callback(
    State(state): State<AppState>,
    Extension(ClientAddress(source)): Extension<ClientAddress>,
    headers: HeaderMap,
    Query(answer): Query<SsoAnswer>,
) -> PageResult {
    let cookies = Cookies::of(&state.config);
    // Forbidden, not Unauthorized: the hub asks for nothing more; the sign-in failed.
    let refused =
        |message: String| login_form(&state, cookies, &message, "/", StatusCode::FORBIDDEN);
    if let Some(error) = answer.error {
        let detail = answer
            .error_description
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return refused(format!(
            "The identity provider did not sign you in ({error}{detail})."
        ));
    }
    let (Some(code), Some(sso_state)) = (answer.code, answer.state) else {
        return refused("The identity provider's answer has no code or state.".into());
    };
    let lifetime = state.config.session_lifetime.as_secs() as i64;
    let kept = cookie(&headers, cookies.sso());
    match sso::finish(
        &state.hub,
        &code,
        &sso_state,
        kept.as_deref(),
        lifetime,
        &source,
    )
    .await?
    {
        sso::Finished::Opened { session, next } => Ok(signed_in(
            cookies,
            &session.cookie_value,
            lifetime,
            &next,
            cookies.sso(),
            "Lax",
        )),
        sso::Finished::Refused(why) => refused(format!("Single sign-on refused: {why}.")),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    if let Via::Session { id_hash, .. } = &caller.via {
        access::sign_out(&state.hub, id_hash).await?;
    }
    let cookies = Cookies::of(&state.config);
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies.set(cookies.session(), None, 0, "Lax"),
    );
    Ok(response)
}
