//! `/oauth2/authorize/v4` (a consent page with Accept and Deny) and `/oauth2/token` (code
//! exchange and refresh with rotation), answering errors in the RFC 6749 shape.
// Handlers here answer errors as ready HTTP responses; boxing them would only add noise.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use chrono::Duration;
use serde_json::json;
use wrike_api::Scope;

use crate::sim::Sim;
use crate::world::CodeGrant;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/oauth2/authorize/v4", get(consent_page))
        .route("/oauth2/authorize/v4/decision", post(decision))
        .route("/oauth2/token", post(token))
        .with_state(sim)
}

fn page_error(status: StatusCode, message: &str) -> Response {
    (status, Html(format!("<!doctype html><title>Wrike (simulated)</title><h1>Authorization error</h1><p id=\"error\">{}</p>", escape(message)))).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Checks client, redirect URI, scopes and a PKCE challenge; returns (redirect_uri, scopes).
fn validate(
    sim: &Sim,
    q: &HashMap<String, String>,
) -> Result<(Option<String>, Vec<Scope>), Response> {
    let client_id = q
        .get("client_id")
        .ok_or_else(|| page_error(StatusCode::BAD_REQUEST, "client_id is required"))?;
    if q.get("response_type").map(String::as_str) != Some("code") {
        return Err(page_error(
            StatusCode::BAD_REQUEST,
            "response_type must be code",
        ));
    }
    let world = sim.read();
    let app = world
        .apps
        .iter()
        .find(|a| &a.client_id == client_id)
        .ok_or_else(|| {
            page_error(
                StatusCode::BAD_REQUEST,
                &format!("Unknown client_id {client_id}"),
            )
        })?;
    let redirect = q.get("redirect_uri").cloned();
    let redirect_ok = match (&redirect, app.redirect_uris.as_slice()) {
        (Some(uri), []) => {
            uri.starts_with("http://127.0.0.1") || uri.starts_with("http://localhost")
        }
        (Some(uri), registered) => registered.contains(uri),
        (None, [_]) => true,
        (None, _) => false,
    };
    if !redirect_ok {
        return Err(page_error(
            StatusCode::BAD_REQUEST,
            "Redirect uri is missing or invalid",
        ));
    }
    let redirect = redirect.or_else(|| app.redirect_uris.first().cloned());
    let mut scopes = Scope::parse_list(q.get("scope").map(String::as_str).unwrap_or(""));
    if let Some(bad) = scopes.iter().find(|s| !s.is_known()) {
        return Err(page_error(
            StatusCode::BAD_REQUEST,
            &format!("Unknown scope {bad}"),
        ));
    }
    if scopes.is_empty() {
        scopes.push(Scope::Default);
    }
    // PKCE (RFC 7636): only S256 is taken; a challenge without it is refused.
    if q.contains_key("code_challenge")
        && q.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return Err(page_error(
            StatusCode::BAD_REQUEST,
            "code_challenge_method must be S256",
        ));
    }
    Ok((redirect, scopes))
}

async fn consent_page(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (_, scopes) = match validate(&sim, &q) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let world = sim.read();
    let preselect = q.get("accountId");
    let mut options = String::new();
    for account in &world.accounts {
        if preselect.is_some_and(|p| p != account.id()) {
            continue;
        }
        for user in account.users.iter().filter(|u| u.is_active()) {
            options.push_str(&format!(
                "<option value=\"{}|{}\">{} {} &lt;{}&gt; ({}{})</option>",
                account.id(),
                user.id(),
                escape(&user.contact.first_name),
                escape(&user.contact.last_name),
                escape(&user.email()),
                escape(&account.account.name),
                if user.is_admin() { ", admin" } else { "" }
            ));
        }
    }
    let hidden: String = [
        "client_id",
        "redirect_uri",
        "state",
        "scope",
        "response_type",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .filter_map(|k| {
        q.get(*k).map(|v| {
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(v)
            )
        })
    })
    .collect();
    let scope_items: String = scopes
        .iter()
        .map(|s| format!("<li class=\"scope\">{}</li>", s.as_str()))
        .collect();
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorize application - Wrike (simulated)</title></head><body>\
         <h1>Allow {client} to access your Wrike account?</h1><p>It asks for these scopes:</p><ul id=\"scopes\">{scope_items}</ul>\
         <form method=\"post\" action=\"/oauth2/authorize/v4/decision\">{hidden}\
         <label>Sign in as <select name=\"user\" id=\"user\">{options}</select></label>\
         <button type=\"submit\" name=\"decision\" value=\"accept\" id=\"accept\">Accept</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form></body></html>",
        client = escape(q.get("client_id").map(String::as_str).unwrap_or("")),
    ))
    .into_response()
}

fn redirect_with(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(uri) {
        Ok(url) => url,
        Err(_) => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Redirect uri is missing or invalid",
            );
        }
    };
    for (k, v) in pairs {
        url.query_pairs_mut().append_pair(k, v);
    }
    Redirect::to(url.as_str()).into_response()
}

async fn decision(
    State(sim): State<Arc<Sim>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (redirect, scopes) = match validate(&sim, &form) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let Some(redirect) = redirect else {
        return page_error(
            StatusCode::BAD_REQUEST,
            "Redirect uri is missing or invalid",
        );
    };
    let state = form.get("state").cloned().unwrap_or_default();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if !state.is_empty() {
            pairs.push(("state", state.clone()));
        }
        pairs
    };
    if form.get("decision").map(String::as_str) != Some("accept") {
        let pairs = with_state(vec![
            ("error", "access_denied".into()),
            ("error_description", "Request denied by user".into()),
        ]);
        return redirect_with(
            &redirect,
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        );
    }
    let Some((account_id, user_id)) = form.get("user").and_then(|u| u.split_once('|')) else {
        return page_error(StatusCode::BAD_REQUEST, "Choose a user to sign in as");
    };
    let code = crate::ids::secret(32);
    {
        let mut world = sim.write();
        if !world
            .account(account_id)
            .and_then(|a| a.user(user_id))
            .is_some_and(|u| u.is_active())
        {
            return page_error(StatusCode::BAD_REQUEST, "That user cannot sign in");
        }
        world.codes.insert(
            code.clone(),
            CodeGrant {
                account_id: account_id.into(),
                user_id: user_id.into(),
                scopes,
                client_id: form.get("client_id").cloned().unwrap_or_default(),
                redirect_uri: form.get("redirect_uri").cloned(),
                code_challenge: form.get("code_challenge").cloned(),
                expires_at: sim.clock.now() + Duration::minutes(10),
            },
        );
    }
    let pairs = with_state(vec![("code", code)]);
    redirect_with(
        &redirect,
        &pairs
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /oauth2/token`, written to the request log like API calls; injected faults on
/// `/oauth2/token` apply here too (a slow, failing or garbled token endpoint).
async fn token(State(sim): State<Arc<Sim>>, Form(form): Form<HashMap<String, String>>) -> Response {
    let grant = form.get("grant_type").cloned();
    let fault = crate::faults::take(&mut sim.faults.lock().expect("fault lock"), "/oauth2/token");
    let response = match &fault {
        Some(f) if f.kind != crate::faults::FaultKind::Slow => crate::gate::fault_response(f),
        slow => {
            if let Some(f) = slow {
                tokio::time::sleep(std::time::Duration::from_millis(f.delay_ms.unwrap_or(0))).await;
            }
            exchange(&sim, form)
        }
    };
    let entry = crate::sim::LoggedRequest {
        seq: 0,
        at: sim.clock.now(),
        method: "POST".into(),
        path: "/oauth2/token".into(),
        query: grant.map(|g| format!("grant_type={g}")),
        status: response.status().as_u16(),
        data_center: String::new(),
        token: None,
        account_id: None,
        fault: fault.map(|f| format!("{:?}", f.kind)),
    };
    sim.log.lock().expect("log lock").push(entry);
    response
}

fn exchange(sim: &Sim, form: HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let client_id = get("client_id");
    let authorized = sim
        .read()
        .apps
        .iter()
        .any(|a| a.client_id == client_id && a.client_secret == get("client_secret"));
    if !authorized {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Client authentication failed",
        );
    }
    let now = sim.clock.now();
    let mut world = sim.write();
    let (account_id, user_id, scopes) = match get("grant_type") {
        "authorization_code" => {
            // A code is single-use: it is gone whether or not the exchange succeeds.
            let Some(grant) = world.codes.remove(get("code")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Authorization code is invalid",
                );
            };
            if grant.expires_at <= now || grant.client_id != client_id {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Authorization code is invalid",
                );
            }
            if grant.redirect_uri.is_some()
                && grant.redirect_uri.as_deref() != form.get("redirect_uri").map(String::as_str)
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "redirect_uri does not match the authorization request",
                );
            }
            if let Some(challenge) = &grant.code_challenge
                && wrike_api::oauth::pkce_challenge(get("code_verifier")) != *challenge
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "code_verifier does not match the code_challenge",
                );
            }
            (grant.account_id, grant.user_id, grant.scopes)
        }
        "refresh_token" => {
            let Some(grant) = world.refresh_tokens.remove(get("refresh_token")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Refresh token is invalid or revoked",
                );
            };
            if grant.client_id != client_id {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Refresh token was issued to another client",
                );
            }
            (grant.account_id, grant.user_id, grant.scopes)
        }
        "" => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            );
        }
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type {other} is not supported"),
            );
        }
    };
    let Some(dc) = world
        .account(&account_id)
        .filter(|a| a.user(&user_id).is_some_and(|u| u.is_active()))
        .map(|a| a.data_center)
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The user is no longer active in the account",
        );
    };
    let (access, refresh) = sim.issue_tokens(
        &mut world,
        &account_id,
        &user_id,
        scopes,
        Some(client_id.to_owned()),
    );
    drop(world);
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": sim.config.token_lifetime.as_secs(),
        "host": sim.data_center(dc).host,
    }))
    .into_response()
}
