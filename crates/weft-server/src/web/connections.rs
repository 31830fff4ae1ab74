//! The connections page: the list with health, hygiene and planner gaps; adding a
//! connection with a permanent token or by OAuth in the browser (pick scopes, Default
//! always or select all; Wrike's consent page; back with a code); checking and removing;
//! and the secrets recipes read (set, removed; values never shown). Each connection has a
//! page of its own: health, scopes, whom it runs as, the token's age, the last sync, the
//! recipes using it, and "replace token" for a permanent token that stopped working.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use weft_core::roles::Permission;
use weft_core::scope_plan::Feature;
use weft_hub::{HubError, connections, consent, health};
use wrike_api::Scope;

use super::{Layout, PageResult, layout, render};
use crate::error::{ApiError, PageError};
use crate::forms::FormData;
use crate::guard::Caller;
use crate::state::AppState;

pub struct ConnectionRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub account: String,
    pub runs_as: String,
    pub admin: bool,
    pub features: String,
    pub health: String,
    pub warnings: Vec<String>,
    /// What the scope planner says is missing for the connection's features.
    pub missing: Vec<String>,
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ConnectionsPage {
    layout: Layout,
    rows: Vec<ConnectionRow>,
    can_manage: bool,
    oauth_enabled: bool,
    scopes: Vec<(&'static str, &'static str)>,
    features: Vec<FeatureChoice>,
    secrets: Vec<weft_hub::recipes::secrets::SecretInfo>,
    error: String,
    notice: String,
}

/// A use a connection can be for, with what it needs: the scopes (ticked for you when you
/// choose it) and the rights in Wrike that no scope can grant.
pub struct FeatureChoice {
    pub name: &'static str,
    pub description: &'static str,
    pub scopes: String,
    pub rights: Vec<&'static str>,
}

fn feature_choices() -> Vec<FeatureChoice> {
    Feature::ALL
        .iter()
        .map(|f| {
            let needs = weft_core::scope_plan::plan(&[*f]);
            FeatureChoice {
                name: f.as_str(),
                description: f.describe(),
                scopes: needs
                    .scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                rights: needs.rights.iter().map(|r| r.describe()).collect(),
            }
        })
        .collect()
}

async fn connections_page(
    state: &AppState,
    caller: &Caller,
    error: &str,
    notice: &str,
    status: StatusCode,
) -> PageResult {
    let all = weft_hub::connections::list(&state.hub).await?;
    let rows = all.iter().map(|c| row_of(c, &all)).collect();
    let page = ConnectionsPage {
        layout: layout(state, caller, "Connections").await?,
        rows,
        can_manage: caller.user.role.allows(Permission::ManageConnections),
        oauth_enabled: state.hub.oauth.is_some(),
        scopes: Scope::KNOWN
            .iter()
            .filter(|s| **s != Scope::Default)
            .map(|s| (s.as_str(), weft_core::scope_plan::describe_scope(s)))
            .collect(),
        features: feature_choices(),
        secrets: weft_hub::recipes::secrets::list(&state.hub).await?,
        error: error.to_owned(),
        notice: notice.to_owned(),
    };
    render(page, status)
}

/// The scope planner's view of a stored connection: granted scopes are known for OAuth
/// connections; the admin flag is known from the identity.
fn planner_gaps(c: &weft_store::Connection) -> Vec<String> {
    let features: Vec<Feature> = c
        .features
        .iter()
        .filter_map(|f| Feature::parse(f).ok())
        .collect();
    let granted: Option<Vec<Scope>> = (c.kind == weft_store::ConnectionKind::OAuth)
        .then(|| c.scopes.iter().map(|s| Scope::from(s.as_str())).collect());
    let facts = weft_core::scope_plan::AccountFacts {
        plan: None,
        admin: Some(c.identity.admin),
        activity_reports: None,
    };
    weft_core::scope_plan::missing(&features, granted.as_deref(), &facts)
        .into_iter()
        .map(|m| match m {
            weft_core::scope_plan::Missing::Scope { scope, for_feature } => {
                format!("scope {scope} (for {for_feature})")
            }
            weft_core::scope_plan::Missing::Right { right, for_feature } => {
                format!("{right:?} (for {for_feature})")
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "connection.html")]
struct ConnectionPage {
    layout: Layout,
    c: ConnectionRow,
    api_base: String,
    permanent: bool,
    healthy: bool,
    /// Health in detail: failure class, Wrike's message, when it was checked, since when failing.
    health_detail: Vec<(&'static str, String)>,
    scopes: String,
    token_age: String,
    /// When an OAuth access token expires (refreshed before it does).
    token_expires: String,
    added: String,
    last_sync: String,
    recipes: Vec<(String, &'static str)>,
    can_manage: bool,
    /// For an OAuth connection: what a new consent asks for again (its scopes and uses).
    granted_scopes: Vec<String>,
    features: Vec<String>,
    oauth_enabled: bool,
    error: String,
    notice: String,
}

/// "3 days ago", "5 hours ago", "just now": how long before `now` a moment was.
fn ago(now: i64, then: i64) -> String {
    let seconds = (now - then).max(0);
    let (n, unit) = match seconds {
        s if s < 60 => return "just now".into(),
        s if s < 3_600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3_600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A moment as "3 days ago (2026-12-03 10:00:00 UTC)".
fn moment(now: i64, at: i64) -> String {
    format!("{} ({} UTC)", ago(now, at), super::timestamp(at))
}

fn row_of(c: &weft_store::Connection, all: &[weft_store::Connection]) -> ConnectionRow {
    ConnectionRow {
        id: c.id.clone(),
        name: c.name.clone(),
        kind: c.kind.as_str(),
        account: format!("{} ({})", c.identity.account_name, c.identity.account_id),
        runs_as: format!("{} <{}>", c.identity.user_name, c.identity.user_email),
        admin: c.identity.admin,
        features: c.features.join(", "),
        health: health::describe(c.health.as_ref()),
        warnings: connections::hygiene(c, all),
        missing: planner_gaps(c),
    }
}

async fn connection_view(
    state: &AppState,
    caller: &Caller,
    id: &str,
    error: &str,
    notice: &str,
    status: StatusCode,
) -> PageResult {
    let hub = &state.hub;
    let c = connections::find(hub, id).await?;
    let all = weft_hub::connections::list(hub).await?;
    let now = hub.clock.now_s();
    let mut health_detail = Vec::new();
    if let Some(h) = &c.health {
        health_detail.push(("Last checked", moment(now, h.checked_at)));
        if let Some(class) = h.class {
            health_detail.push((
                "Failure",
                format!("{} ({})", class.as_str(), class.advice()),
            ));
        }
        if let Some(message) = h.message.as_ref().filter(|m| !m.is_empty()) {
            health_detail.push(("Wrike said", message.clone()));
        }
        if let Some(since) = h.failing_since {
            health_detail.push(("Failing since", moment(now, since)));
        }
    } else {
        health_detail.push(("Last checked", "never".into()));
    }
    let token_expires = if c.kind == weft_store::ConnectionKind::OAuth {
        let expires = connections::access_token_expiry(hub, &c).await?;
        expires.map_or_else(
            || "unknown".into(),
            |at| format!("{} UTC (refreshed before then)", super::timestamp(at)),
        )
    } else {
        String::new()
    };
    let last_sync = match weft_hub::usage::reports::sync_state(hub, &c.id).await? {
        Some(s) if s.running(now) => "running now".to_owned(),
        Some(s) => match (s.finished_at, s.outcome.as_deref()) {
            (Some(at), Some(outcome)) => format!(
                "{outcome}, {}{}",
                moment(now, at),
                s.message.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            _ => "never finished".into(),
        },
        None => "never".into(),
    };
    let recipes = weft_hub::recipes::library::list(hub)
        .await?
        .into_iter()
        .filter(|r| r.connection_name == c.name)
        .map(|r| (r.name, r.state.as_str()))
        .collect();
    let page = ConnectionPage {
        layout: layout(state, caller, "Connection").await?,
        api_base: c.api_base.clone(),
        permanent: c.kind == weft_store::ConnectionKind::Permanent,
        healthy: c.health.as_ref().is_some_and(|h| h.is_healthy()),
        health_detail,
        scopes: if c.kind == weft_store::ConnectionKind::OAuth {
            c.scopes.join(", ")
        } else {
            "a permanent token carries every right of the user it belongs to".into()
        },
        token_age: c
            .token_set_at
            .map_or_else(|| "unknown".into(), |at| moment(now, at)),
        token_expires,
        added: format!("{} by {}", moment(now, c.created_at), c.created_by),
        last_sync,
        recipes,
        can_manage: caller.user.role.allows(Permission::ManageConnections),
        granted_scopes: c.scopes.clone(),
        features: c.features.clone(),
        oauth_enabled: state.hub.oauth.is_some(),
        error: error.to_owned(),
        notice: notice.to_owned(),
        c: row_of(&c, &all),
    };
    render(page, status)
}

/// A connection's own page.
pub async fn connection(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<Notice>,
) -> PageResult {
    let notice = q.notice.as_deref().unwrap_or("");
    connection_view(&state, &caller, &id, "", notice, StatusCode::OK).await
}

/// Replaces a permanent token from the connection's page: the new token must belong to the
/// same Wrike account; the connection is checked at once, so recipes paused on it go on.
pub async fn replace_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let connection = connections::find(&state.hub, &id).await?;
    let token = form.get("token");
    let replaced = if token.trim().is_empty() {
        Err(HubError::invalid("paste the new permanent token"))
    } else {
        connections::replace_token(
            &state.hub,
            &caller.user.username,
            &connection,
            SecretString::from(token.trim().to_owned()),
        )
        .await
    };
    match replaced {
        Ok(connection) => {
            let health = health::probe(&state.hub, &connection).await?;
            let notice = format!(
                "New token stored; the connection is {}",
                health.state.as_str()
            );
            Ok(Redirect::to(&format!(
                "/connections/{}?notice={}",
                connection.id,
                url::form_urlencoded::byte_serialize(notice.as_bytes()).collect::<String>()
            ))
            .into_response())
        }
        Err(e) => {
            let error = ApiError::from(e);
            if error.status.is_server_error() {
                return Err(error.into());
            }
            connection_view(&state, &caller, &id, &error.message, "", error.status).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

pub async fn connections(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Notice>,
) -> PageResult {
    connections_page(
        &state,
        &caller,
        "",
        q.notice.as_deref().unwrap_or(""),
        StatusCode::OK,
    )
    .await
}

fn features_of(form: &FormData) -> Result<Vec<Feature>, String> {
    form.all("feature")
        .iter()
        .map(|f| Feature::parse(f))
        .collect()
}

pub async fn add_permanent(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let data_center = match form.get("data_center").as_str() {
        "custom" => form.get("api_url"),
        other => other.to_owned(),
    };
    let token = form.get("token");
    let result = match features_of(&form) {
        Err(e) => Err(HubError::Invalid(e)),
        Ok(_) if token.is_empty() => Err(HubError::invalid("paste the permanent token")),
        Ok(features) => {
            connections::add(
                &state.hub,
                &caller.user.username,
                &form.get("name"),
                &data_center,
                SecretString::from(token),
                features,
            )
            .await
        }
    };
    match result {
        Ok(added) => Ok(Redirect::to(&format!(
            "/connections?notice=Added+{}",
            added.connection.name
        ))
        .into_response()),
        Err(e) => {
            let error = ApiError::from(e);
            if error.status.is_server_error() {
                return Err(error.into());
            }
            connections_page(&state, &caller, &error.message, "", error.status).await
        }
    }
}

/// Checks a connection now; back to its own page when asked from there, else to the list.
pub async fn check_connection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let connection = connections::find(&state.hub, &id).await?;
    health::probe(&state.hub, &connection).await?;
    Ok(if form.get("back") == "page" {
        Redirect::to(&format!("/connections/{}", connection.id))
    } else {
        Redirect::to("/connections")
    }
    .into_response())
}

pub async fn remove_connection(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let connection = connections::find(&state.hub, &id).await?;
    let removed = connections::remove(&state.hub, &caller.user.username, connection).await?;
    Ok(Redirect::to(&format!("/connections?notice=Removed+{}", removed.name)).into_response())
}

pub async fn oauth_start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> Result<Response, PageError> {
    let scopes: Vec<Scope> = if form.get("select_all") == "1" {
        Scope::KNOWN.to_vec()
    } else {
        form.all("scope")
            .iter()
            .map(|s| Scope::from(s.as_str()))
            .collect()
    };
    let features = features_of(&form).map_err(ApiError::bad_request)?;
    let consent = consent::begin(
        &state.hub,
        &caller.user,
        &form.get("name"),
        scopes,
        features,
    )
    .await?;
    Ok(Redirect::to(consent.as_str()).into_response())
}

pub async fn oauth_callback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(mut q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let answer = consent::Answer {
        state: q.remove("state").unwrap_or_default(),
        code: q.remove("code"),
        error: q
            .remove("error")
            .map(|e| (e, q.remove("error_description").unwrap_or_default())),
    };
    let added = consent::complete(&state.hub, &caller.user, answer).await?;
    Ok(Redirect::to(&format!(
        "/connections?notice=Connected+{}",
        added.connection.name
    ))
    .into_response())
}

/// Sets a recipe secret from the form: its name, value and hosts (separated by commas or
/// spaces). The value is not shown again.
pub async fn set_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let name = form.get("name");
    let hosts: Vec<String> = form
        .get("hosts")
        .split([',', ' '])
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect();
    let value = SecretString::from(form.get("value"));
    match weft_hub::recipes::secrets::set(&state.hub, &caller.acting(), &name, &value, &hosts).await
    {
        Ok(info) => Ok(
            Redirect::to(&format!("/connections?notice=Secret+{}+set", info.name)).into_response(),
        ),
        Err(e) => {
            let error = ApiError::from(e);
            if error.status.is_server_error() {
                return Err(error.into());
            }
            connections_page(&state, &caller, &error.message, "", error.status).await
        }
    }
}

pub async fn remove_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    match weft_hub::recipes::secrets::remove(&state.hub, &caller.acting(), &name).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/connections?notice=Secret+{name}+removed")).into_response())
        }
        Err(e) => {
            let error = ApiError::from(e);
            if error.status.is_server_error() {
                return Err(error.into());
            }
            connections_page(&state, &caller, &error.message, "", error.status).await
        }
    }
}
