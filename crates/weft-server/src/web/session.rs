//! Signing in and out of the web UI. The sign-in form carries a double-submit cookie in
//! place of a session's CSRF token; repeated failures are throttled per account and per
//! address, and the page says when to try again.

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use weft_hub::access::{self, SignIn};

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
}

fn login_form(cookies: Cookies, error: &str, next: &str, status: StatusCode) -> PageResult {
    let login_csrf = weft_core::secrets::random_token();
    let page = LoginPage {
        layout: Layout::anonymous("Sign in"),
        error: error.to_owned(),
        next: safe_next(next),
        login_csrf: login_csrf.clone(),
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
            let mut page = login_form(cookies, &message, &next, StatusCode::TOO_MANY_REQUESTS)?;
            page.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s.max(1)));
            return Ok(page);
        }
    };
    let mut response = Redirect::to(&safe_next(&next)).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies.set(
            cookies.session(),
            Some(&opened.cookie_value),
            lifetime,
            "Lax",
        ),
    );
    headers.append(
        header::SET_COOKIE,
        cookies.set(cookies.login(), None, 0, "Strict"),
    );
    Ok(response)
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
