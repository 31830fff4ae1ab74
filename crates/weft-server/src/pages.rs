//! The server-rendered web UI. Every form carries the session's CSRF token (checked by the
//! guard before any handler runs); the login form uses a double-submit cookie instead.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Extension, FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use secrecy::SecretString;
use weft_core::roles::{Permission, Role};
use weft_core::scope_plan::Feature;
use weft_hub::{connections, monitor, users, util};
use weft_store::{NewAuditEntry, NewSession};
use wrike_api::Scope;

use crate::AppState;
use crate::auth::{Caller, LOGIN_COOKIE, Via, cookie, hash_secret, session_cookie};
use crate::error::{ApiError, PageError};

type PageResult = Result<Response, PageError>;

/// HTML-escapes text for the few pages built without a template.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A form body with repeated fields kept (checkbox groups).
pub struct FormData(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("unreadable form: {e}")))?;
        Ok(FormData(
            url::form_urlencoded::parse(&bytes).into_owned().collect(),
        ))
    }
}

impl FormData {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

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
    pub banners: Vec<weft_hub::alerts::Attention>,
}

async fn layout(
    state: &AppState,
    caller: Option<&Caller>,
    title: &'static str,
) -> Result<Layout, ApiError> {
    let Some(caller) = caller else {
        return Ok(Layout {
            title,
            signed_in: false,
            username: String::new(),
            role: "",
            csrf: String::new(),
            can_connections: false,
            can_team: false,
            can_audit: false,
            banners: Vec::new(),
        });
    };
    let role = caller.user.role;
    // Everyone signed in sees broken connections: recipes that depend on them are paused.
    let banners = weft_hub::alerts::needing_attention(state.hub.store.as_ref()).await?;
    Ok(Layout {
        title,
        signed_in: true,
        username: caller.user.username.clone(),
        role: role.as_str(),
        csrf: caller.csrf().to_owned(),
        can_connections: role.allows(Permission::ViewConnections),
        can_team: role.allows(Permission::ManageTeam),
        can_audit: role.allows(Permission::ViewAuditTrail),
        banners,
    })
}

fn render(template: impl Template, status: StatusCode) -> PageResult {
    let html = template.render().map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("rendering the page: {e}"),
        )
    })?;
    Ok((status, Html(html)).into_response())
}

fn timestamp(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map_or_else(
        || seconds.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn metrics(State(state): State<AppState>) -> Response {
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
        include_str!("../templates/weft.css"),
    )
        .into_response()
}

pub async fn not_found() -> PageError {
    PageError(ApiError::new(StatusCode::NOT_FOUND, "no such page"))
}

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
        layout: Layout {
            title: "Sign in",
            signed_in: false,
            username: String::new(),
            role: "",
            csrf: String::new(),
            can_connections: false,
            can_team: false,
            can_audit: false,
            banners: Vec::new(),
        },
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
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let Some(user) =
        users::authenticate(state.hub.store.as_ref(), &form.get("username"), &password).await?
    else {
        return login_form(
            "Wrong username or password.",
            &next,
            StatusCode::UNAUTHORIZED,
        );
    };
    let session = weft_core::secrets::random_token();
    let lifetime = state.config.session_lifetime.as_secs();
    let now = util::now();
    state
        .hub
        .store
        .create_session(NewSession {
            id_hash: hash_secret(&session),
            user_id: user.id.clone(),
            csrf: weft_core::secrets::random_token(),
            created_at: now,
            expires_at: now + lifetime as i64,
        })
        .await?;
    state
        .hub
        .store
        .append_audit(NewAuditEntry {
            at: now,
            actor: user.username.clone(),
            action: "session.login".into(),
            target: user.username.clone(),
            before: None,
            after: None,
        })
        .await?;
    let mut response = Redirect::to(&safe_next(&next)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        session_cookie(Some(&session), lifetime, state.config.secure_cookies)
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
        state.hub.store.delete_session(id_hash).await?;
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

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    connections: usize,
    broken: usize,
}

pub async fn dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let all = state.hub.store.list_connections().await?;
    let broken = all
        .iter()
        .filter(|c| c.health.as_ref().is_some_and(|h| !h.healthy))
        .count();
    render(
        DashboardPage {
            layout: layout(&state, Some(&caller), "Home").await?,
            connections: all.len(),
            broken,
        },
        StatusCode::OK,
    )
}

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
    scopes: Vec<&'static str>,
    features: Vec<&'static str>,
    error: String,
    notice: String,
}

async fn connections_page(
    state: &AppState,
    caller: &Caller,
    error: &str,
    notice: &str,
    status: StatusCode,
) -> PageResult {
    let all = state.hub.store.list_connections().await?;
    let rows = all
        .iter()
        .map(|c| ConnectionRow {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: c.kind.as_str(),
            account: format!("{} ({})", c.identity.account_name, c.identity.account_id),
            runs_as: format!("{} <{}>", c.identity.user_name, c.identity.user_email),
            admin: c.identity.admin,
            features: c.features.join(", "),
            health: connections::describe(c.health.as_ref()),
            warnings: connections::hygiene(c, &all),
            missing: planner_gaps(c),
        })
        .collect();
    let page = ConnectionsPage {
        layout: layout(state, Some(caller), "Connections").await?,
        rows,
        can_manage: caller.user.role.allows(Permission::ManageConnections),
        oauth_enabled: state.hub.oauth.is_some(),
        scopes: Scope::KNOWN
            .iter()
            .filter(|s| **s != Scope::Default)
            .map(|s| s.as_str())
            .collect(),
        features: Feature::ALL.iter().map(|f| f.as_str()).collect(),
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
    let token = form
        .0
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let result = match features_of(&form) {
        Err(e) => Err(anyhow::anyhow!(e)),
        Ok(_) if token.is_empty() => Err(anyhow::anyhow!("paste the permanent token")),
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
            connections_page(
                &state,
                &caller,
                &format!("{e:#}"),
                "",
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

pub async fn check_connection(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let connection = connections::find(state.hub.store.as_ref(), &id)
        .await
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, format!("{e:#}")))?;
    monitor::probe(&state.hub, &connection).await?;
    Ok(Redirect::to("/connections").into_response())
}

pub async fn remove_connection(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let removed = connections::remove(state.hub.store.as_ref(), &caller.user.username, &id)
        .await
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, format!("{e:#}")))?;
    Ok(Redirect::to(&format!("/connections?notice=Removed+{}", removed.name)).into_response())
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    users: Vec<(String, &'static str)>,
    error: String,
}

async fn team_page(
    state: &AppState,
    caller: &Caller,
    error: &str,
    status: StatusCode,
) -> PageResult {
    let users = state
        .hub
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.username, u.role.as_str()))
        .collect();
    render(
        TeamPage {
            layout: layout(state, Some(caller), "Team").await?,
            users,
            error: error.to_owned(),
        },
        status,
    )
}

pub async fn team(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    team_page(&state, &caller, "", StatusCode::OK).await
}

pub async fn add_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let result = match Role::parse(&form.get("role")) {
        Ok(role) => users::add(
            state.hub.store.as_ref(),
            &caller.user.username,
            &form.get("username"),
            role,
            SecretString::from(password),
        )
        .await
        .map(drop),
        Err(e) => Err(anyhow::anyhow!(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/team").into_response()),
        Err(e) => team_page(&state, &caller, &format!("{e:#}"), StatusCode::BAD_REQUEST).await,
    }
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditRow>,
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let entries = state
        .hub
        .store
        .audit_trail(200)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: timestamp(e.at),
            actor: e.actor,
            action: e.action,
            target: e.target,
            before: e.before.map(|v| v.to_string()).unwrap_or_default(),
            after: e.after.map(|v| v.to_string()).unwrap_or_default(),
        })
        .collect();
    render(
        AuditPage {
            layout: layout(&state, Some(&caller), "Audit trail").await?,
            entries,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<(String, String)>,
    new_token: String,
}

async fn tokens_page(state: &AppState, caller: &Caller, new_token: String) -> PageResult {
    let tokens = state
        .hub
        .store
        .list_api_tokens(&caller.user.id)
        .await?
        .into_iter()
        .map(|t| (t.name, timestamp(t.created_at)))
        .collect();
    render(
        TokensPage {
            layout: layout(state, Some(caller), "API tokens").await?,
            tokens,
            new_token,
        },
        StatusCode::OK,
    )
}

pub async fn tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    tokens_page(&state, &caller, String::new()).await
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let (_, secret) = crate::api::issue_token(&state, &caller, &form.get("name")).await?;
    tokens_page(&state, &caller, secret).await
}
