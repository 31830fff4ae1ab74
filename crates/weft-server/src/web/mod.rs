//! The server-rendered web UI. Every form carries the session's CSRF token (checked by the
//! guard before any handler runs); the sign-in form uses a double-submit cookie instead.
//! Pages are grouped by area; this module holds the layout every page shares.

pub mod connections;
pub mod dialogues;
pub mod jobs;
pub mod policies;
pub mod recipes;
pub mod savings;
pub mod session;
pub mod team;
pub mod usage;

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use weft_core::roles::Permission;
use weft_hub::health::{self, Attention};

use crate::error::{ApiError, PageError};
use crate::guard::Caller;
use crate::state::AppState;

pub type PageResult = Result<Response, PageError>;

/// What the base template shows around every page.
pub struct Layout {
    pub title: &'static str,
    pub signed_in: bool,
    pub username: String,
    pub role: &'static str,
    pub csrf: String,
    pub can_connections: bool,
    pub can_team: bool,
    pub can_audit: bool,
    pub can_jobs: bool,
    pub can_usage: bool,
    pub can_recipes: bool,
    pub banners: Vec<Attention>,
    /// Runs waiting at an approval step, for those who may approve them (0 for others).
    pub approvals_waiting: i64,
    /// On usage pages: when each connection's sources last synced.
    pub freshness: Vec<FreshLine>,
}

/// One connection's data as a usage page tells it: the last successful sync of each source,
/// and why it is too old to act on, if it is.
pub struct FreshLine {
    pub connection: String,
    pub sources: String,
    pub stale: String,
}

impl Layout {
    /// The layout of a page shown to someone not signed in.
    pub fn anonymous(title: &'static str) -> Layout {
        Layout {
            title,
            signed_in: false,
            username: String::new(),
            role: "",
            csrf: String::new(),
            can_connections: false,
            can_team: false,
            can_audit: false,
            can_jobs: false,
            can_usage: false,
            can_recipes: false,
            banners: Vec::new(),
            freshness: Vec::new(),
            approvals_waiting: 0,
        }
    }
}

pub async fn layout(
    state: &AppState,
    caller: &Caller,
    title: &'static str,
) -> Result<Layout, ApiError> {
    let role = caller.user.role;
    // Everyone signed in sees connections in trouble: recipes that depend on them pause.
    let banners = health::needing_attention(&state.hub).await?;
    // An approval has a deadline: those who may give it see that one waits on every page.
    let approvals_waiting = if role.allows(Permission::ApproveRuns) {
        weft_hub::recipes::runs::awaiting_approval(&state.hub).await?
    } else {
        0
    };
    Ok(Layout {
        title,
        signed_in: true,
        username: caller.user.username.clone(),
        role: role.as_str(),
        csrf: caller.csrf().to_owned(),
        can_connections: role.allows(Permission::ViewConnections),
        can_team: role.allows(Permission::ManageTeam),
        can_audit: role.allows(Permission::ViewAuditTrail),
        can_jobs: role.allows(Permission::ViewJobs),
        can_usage: role.allows(Permission::ViewAnalytics),
        can_recipes: role.allows(Permission::ViewRecipes),
        banners,
        approvals_waiting,
        freshness: Vec::new(),
    })
}

/// The layout of a usage page: with the last successful sync of each source of every
/// connection, so nobody reads a figure without knowing how old it is.
pub async fn usage_layout(
    state: &AppState,
    caller: &Caller,
    title: &'static str,
) -> Result<Layout, ApiError> {
    let mut page = layout(state, caller, title).await?;
    for connection in weft_hub::connections::list(&state.hub).await? {
        let f = weft_hub::usage::freshness::of(&state.hub, &connection).await?;
        let sources = f
            .sources
            .iter()
            .map(|s| match s.last_success_at {
                Some(at) => format!("{} {} UTC", s.source, timestamp(at)),
                None => format!("{} never ({})", s.source, s.status),
            })
            .collect::<Vec<_>>()
            .join(" · ");
        page.freshness.push(FreshLine {
            connection: connection.name,
            sources,
            stale: f.stale.unwrap_or_default(),
        });
    }
    Ok(page)
}

pub fn render(template: impl Template, status: StatusCode) -> PageResult {
    let html = template.render().map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("rendering the page: {e}"),
        )
    })?;
    Ok((status, Html(html)).into_response())
}

/// A moment as a `<time>` element: UTC text the reader's browser rewrites into their own
/// format and time zone (`weft.js`); without the script the UTC text stays.
pub fn time_element(seconds: i64) -> String {
    match chrono::DateTime::from_timestamp(seconds, 0) {
        Some(t) => format!(
            "<time datetime=\"{}\">{}</time>",
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            t.format("%Y-%m-%d %H:%M:%S")
        ),
        None => seconds.to_string(),
    }
}

pub fn timestamp(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map_or_else(
        || seconds.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: whether this instance can take traffic (the database, its schema, the key, the
/// background tasks), each condition with what was seen; 503 when one fails, for a load
/// balancer to send requests elsewhere.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let readiness = weft_hub::readiness::of(&state.hub).await;
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(readiness)).into_response()
}

/// `/metrics` on the hub's port: refused when metrics have a listener of their own, and
/// asking for the bearer token when one is set.
pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if state.config.metrics_elsewhere {
        return (
            StatusCode::NOT_FOUND,
            "metrics are served on their own listener",
        )
            .into_response();
    }
    if let Some(token) = &state.config.metrics_token {
        use secrecy::ExposeSecret;
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !crate::guard::constant_eq(given, token.expose_secret()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need the metrics token",
            )
                .into_response();
        }
    }
    render_metrics(&state)
}

/// The Prometheus text of this process.
pub fn render_metrics(state: &AppState) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed",
        )
            .into_response(),
    }
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/weft.css"),
    )
        .into_response()
}

/// The one script of the UI: the connect form ticks the scopes a chosen use needs.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../templates/weft.js"),
    )
        .into_response()
}

/// The recipe files' JSON Schema, for editors (`# yaml-language-server: $schema=...`): the
/// file's shape with every action's inputs and outputs, made once from the catalog.
pub async fn recipe_schema() -> Response {
    static SCHEMA: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = SCHEMA.get_or_init(|| {
        serde_json::to_string_pretty(&weft_core::recipe::json_schema()).unwrap_or_default()
    });
    (
        [
            (header::CONTENT_TYPE, "application/schema+json"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        text.as_str(),
    )
        .into_response()
}

/// No route: the JSON error under `/api/`, the error page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no such API route: {}", uri.path()),
        )
        .into_response()
    } else {
        PageError(ApiError::new(StatusCode::NOT_FOUND, "no such page")).into_response()
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    connections: usize,
    broken: usize,
}

/// Home: the seat-usage dashboard for those who see analytics; connections at a glance
/// for everyone else.
pub async fn dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    if caller.user.role.allows(Permission::ViewAnalytics) {
        let params = crate::api::usage::UsageParams::parse(&q)?;
        return usage::dashboard(&state, &caller, params).await;
    }
    let all = weft_hub::connections::list(&state.hub).await?;
    let broken = all
        .iter()
        .filter(|c| c.health.as_ref().is_some_and(|h| !h.is_healthy()))
        .count();
    render(
        DashboardPage {
            layout: layout(&state, &caller, "Home").await?,
            connections: all.len(),
            broken,
        },
        StatusCode::OK,
    )
}
