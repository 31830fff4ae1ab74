//! Signing in and out of the web UI.

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use weft_hub::access;

use super::{Layout, PageResult, render};
use crate::forms::FormData;
use crate::guard::{Caller, LOGIN_COOKIE, Via, cookie, session_cookie};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: String,
    next: String,
    login_csrf: String,
}

fn safe_next(next: &str) -> String {
    // Only paths on this hub: never an open redirect.
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn login_form(error: &str, next: &str, status: StatusCode) -> PageResult {
    let login_csrf = weft_core::secrets::random_token();
    let page = LoginPage {
        layout: Layout::anonymous("Sign in"),
        error: error.to_owned(),
        next: safe_next(next),
        login_csrf: login_csrf.clone(),
    };
    let mut response = render(page, status)?;
    let set = format!(
        "{LOGIN_COOKIE}={login_csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=1800"
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, set.parse().expect("ascii cookie"));
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn login_page(Query(q): Query<Next>) -> PageResult {
    login_form("", q.next.as_deref().unwrap_or("/"), StatusCode::OK)
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: FormData,
) -> PageResult {
    let next = form.get("next");
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != form.get("login_csrf") {
        return login_form(
            "The sign-in form expired; please try again.",
            &next,
            StatusCode::FORBIDDEN,
        );
    }
    let lifetime = state.config.session_lifetime.as_secs();
    let Some(opened) = access::sign_in(
        &state.hub,
        &form.get("username"),
        &form.raw("password"),
        lifetime as i64,
    )
    .await?
    else {
        return login_form(
            "Wrong username or password.",
            &next,
            StatusCode::UNAUTHORIZED,
        );
    };
    let mut response = Redirect::to(&safe_next(&next)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(
            Some(&opened.cookie_value),
            lifetime,
            state.config.secure_cookies,
        )
        .parse()
        .expect("ascii cookie"),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        format!("{LOGIN_COOKIE}=; Path=/login; Max-Age=0")
            .parse()
            .expect("ascii cookie"),
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
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(None, 0, state.config.secure_cookies)
            .parse()
            .expect("ascii cookie"),
    );
    Ok(response)
}
