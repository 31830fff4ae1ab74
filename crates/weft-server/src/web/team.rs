//! The team (Admins: add, change role, disable or enable, reset a password, sign out
//! everywhere, remove), the hub's trail, each user's API tokens (Admins see everyone's),
//! and one's own account (password, sign out everywhere).

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use weft_core::roles::{Permission, Role};
use weft_hub::{HubError, access};

use super::{Layout, PageResult, layout, render, timestamp};
use crate::error::{ApiError, PageError};
use crate::forms::FormData;
use crate::guard::{Caller, Via};
use crate::security::{Cookies, no_store};
use crate::state::AppState;

/// A person's mistake shown on the page it came from; anything else as an error page.
fn on_page(e: HubError) -> Result<(String, StatusCode), PageError> {
    let error = ApiError::from(e);
    if error.status.is_server_error() {
        return Err(error.into());
    }
    Ok((error.message, error.status))
}

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub role: &'static str,
    pub status: &'static str,
    /// Signs in through the identity provider (no password here to reset).
    pub sso: bool,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    users: Vec<UserRow>,
    /// Single sign-on is configured: users may be added for it.
    sso: bool,
    roles: Vec<&'static str>,
    error: String,
    notice: String,
}

async fn team_page(
    state: &AppState,
    caller: &Caller,
    error: &str,
    notice: &str,
    status: StatusCode,
) -> PageResult {
    let users = weft_hub::access::users(&state.hub)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username,
            role: u.role.as_str(),
            status: if u.disabled_at.is_some() {
                "disabled"
            } else {
                "enabled"
            },
            sso: u.sign_in == weft_store::SignInMethod::Sso,
        })
        .collect();
    render(
        TeamPage {
            layout: layout(state, caller, "Team").await?,
            users,
            sso: state.hub.sso.is_some(),
            roles: vec!["admin", "analyst", "operator"],
            error: error.to_owned(),
            notice: notice.to_owned(),
        },
        status,
    )
}

#[derive(serde::Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

pub async fn team(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Notice>,
) -> PageResult {
    team_page(
        &state,
        &caller,
        "",
        q.notice.as_deref().unwrap_or(""),
        StatusCode::OK,
    )
    .await
}

/// Runs a change of the team and shows the team page again: with a notice, or the error.
async fn team_change<F>(state: &AppState, caller: &Caller, change: F) -> PageResult
where
    F: Future<Output = Result<String, HubError>>,
{
    match change.await {
        Ok(notice) => Ok(Redirect::to(&format!(
            "/team?notice={}",
            url::form_urlencoded::byte_serialize(notice.as_bytes()).collect::<String>()
        ))
        .into_response()),
        Err(e) => {
            let (message, status) = on_page(e)?;
            team_page(state, caller, &message, "", status).await
        }
    }
}

pub async fn add_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let role = Role::parse(&form.get("role")).map_err(HubError::Invalid)?;
        let username = form.get("username");
        let user = if form.get("sign_in") == "sso" {
            access::add_sso_user(&state.hub, &actor, &username, role).await?
        } else {
            access::add_user(
                &state.hub,
                &actor,
                &username,
                role,
                SecretString::from(form.raw("password")),
            )
            .await?
        };
        Ok(format!("Added {}", user.username))
    })
    .await
}

pub async fn set_role(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let role = Role::parse(&form.get("role")).map_err(HubError::Invalid)?;
        let user = access::set_role(&state.hub, &actor, &id, role).await?;
        Ok(format!("{} is now {}", user.username, user.role.as_str()))
    })
    .await
}

pub async fn disable(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let user = access::disable_user(&state.hub, &actor, &id).await?;
        Ok(format!("Disabled {}; their sessions ended", user.username))
    })
    .await
}

pub async fn enable(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let user = access::enable_user(&state.hub, &actor, &id).await?;
        Ok(format!("Enabled {}", user.username))
    })
    .await
}

pub async fn reset_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let user = access::reset_password(
            &state.hub,
            &actor,
            &id,
            SecretString::from(form.raw("password")),
        )
        .await?;
        Ok(format!(
            "Set a new password for {}; their sessions ended",
            user.username
        ))
    })
    .await
}

pub async fn sign_out_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let user = access::find_user(&state.hub, &id).await?;
        let ended = access::sign_out_everywhere(&state.hub, &actor, &user).await?;
        Ok(format!("Ended {ended} sessions of {}", user.username))
    })
    .await
}

pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let actor = caller.user.username.clone();
    team_change(&state, &caller, async {
        let user = access::remove_user(&state.hub, &actor, &id).await?;
        Ok(format!("Removed {}", user.username))
    })
    .await
}

pub struct AuditRow {
    /// A `<time>` element (HTML the hub wrote).
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Vec<(String, String)>,
    pub after: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditRow>,
    filter: AuditQuery,
    /// The link to the next (older) page, keeping the filters; empty on the last page.
    older: String,
    error: String,
    /// Every action on the trail, offered in the "what" filter.
    actions: Vec<String>,
}

/// The trail page's filters, as the form sends them.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub what: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: Option<i64>,
}

/// Entries a page of the trail shows.
const AUDIT_PAGE: i64 = 100;

impl AuditQuery {
    /// The store's filter, or what is wrong with the form.
    fn filter(&self) -> Result<weft_store::TrailFilter, String> {
        let day = |name: &str, text: &str| -> Result<Option<i64>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| {
                    Some(
                        d.and_hms_opt(0, 0, 0)
                            .unwrap_or_default()
                            .and_utc()
                            .timestamp(),
                    )
                })
                .map_err(|_| format!("{name}: {text:?} is not a date (YYYY-MM-DD)"))
        };
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(weft_store::TrailFilter {
            actor: text(&self.who),
            action: text(&self.what),
            since: day("from", &self.from)?,
            // `to` is inclusive: up to the end of that day.
            until: day("to", &self.to)?.map(|t| t + 86_400),
            before_id: self.before,
            limit: AUDIT_PAGE,
        })
    }

    /// This query's link with `before` set to a cursor.
    fn link_before(&self, before: i64) -> String {
        let pairs = [
            ("who", self.who.as_str()),
            ("what", self.what.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ];
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            query.append_pair(name, value);
        }
        query.append_pair("before", &before.to_string());
        format!("/audit?{}", query.finish())
    }
}

/// A change's before or after as `name: value` lines. Amounts kept in cents (a key ending in
/// `Cents`, or `typeCosts`) show as money in the value's currency.
fn readable(value: Option<&serde_json::Value>) -> Vec<(String, String)> {
    use serde_json::Value;
    let Some(value) = value else {
        return Vec::new();
    };
    let Value::Object(map) = value else {
        return vec![(String::new(), value.to_string())];
    };
    let currency = map.get("currency").and_then(Value::as_str).unwrap_or("");
    let money = |cents: &Value| match cents.as_i64() {
        Some(c) => weft_core::usage::money(c, currency).trim().to_owned(),
        None => cents.to_string(),
    };
    map.iter()
        .map(|(key, v)| {
            let lower = key.to_ascii_lowercase();
            let shown = if lower.ends_with("cents") {
                money(v)
            } else if lower == "typecosts" || lower == "type_costs" {
                match v {
                    Value::Object(costs) => costs
                        .iter()
                        .map(|(t, c)| format!("{t}: {}", money(c)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                }
            } else {
                match v {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                }
            };
            (key.trim_end_matches("Cents").to_owned(), shown)
        })
        .collect()
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    axum::extract::Query(query): axum::extract::Query<AuditQuery>,
) -> PageResult {
    let (found, error) = match query.filter() {
        Ok(filter) => (
            weft_hub::trail::search(&state.hub, &filter).await?,
            String::new(),
        ),
        Err(error) => (Vec::new(), error),
    };
    let older = match found.last() {
        Some(last) if found.len() as i64 == AUDIT_PAGE => query.link_before(last.id),
        _ => String::new(),
    };
    let entries = found
        .into_iter()
        .map(|e| AuditRow {
            at: super::time_element(e.at),
            before: readable(e.before.as_ref()),
            after: readable(e.after.as_ref()),
            actor: e.actor,
            action: e.action,
            target: e.target,
        })
        .collect();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        AuditPage {
            layout: layout(&state, &caller, "Audit trail").await?,
            entries,
            filter: query,
            older,
            error,
            actions: weft_hub::trail::actions(&state.hub).await?,
        },
        status,
    )
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub username: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    all: bool,
    new_token: String,
    error: String,
}

#[derive(serde::Deserialize)]
pub struct TokensQuery {
    all: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    caller: &Caller,
    all: bool,
    new_token: String,
    error: &str,
    status: StatusCode,
) -> PageResult {
    let tokens = access::list_tokens(&state.hub, &caller.user, all)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.token.id,
            name: t.token.name,
            username: t.username,
            created: timestamp(t.token.created_at),
            expires: t.token.expires_at.map_or_else(|| "never".into(), timestamp),
            last_used: t
                .token
                .last_used_at
                .map_or_else(|| "never".into(), timestamp),
        })
        .collect();
    let shows_secret = !new_token.is_empty();
    let mut response = render(
        TokensPage {
            layout: layout(state, caller, "API tokens").await?,
            tokens,
            all,
            new_token,
            error: error.to_owned(),
        },
        status,
    )?;
    if shows_secret {
        no_store(&mut response);
    }
    Ok(response)
}

pub async fn tokens(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<TokensQuery>,
) -> PageResult {
    let all = q.all.is_some_and(|v| v == "1" || v == "true");
    tokens_page(&state, &caller, all, String::new(), "", StatusCode::OK).await
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let days = form.get("expires_in_days");
    let expires = match days.as_str() {
        "" => Ok(None),
        text => text.parse::<u32>().map(Some).map_err(|_| {
            HubError::invalid(format!(
                "expires after {text:?} days: give a whole number of days"
            ))
        }),
    };
    let issued = match expires {
        Ok(expires) => {
            access::issue_api_token(
                &state.hub,
                &caller.user.username,
                &caller.user,
                &form.get("name"),
                expires,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match issued {
        Ok((_, secret)) => tokens_page(&state, &caller, false, secret, "", StatusCode::OK).await,
        Err(e) => {
            let (message, status) = on_page(e)?;
            tokens_page(&state, &caller, false, String::new(), &message, status).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    access::revoke_token(&state.hub, &caller.user.username, Some(&caller.user), &id).await?;
    Ok(Redirect::to("/tokens").into_response())
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    error: String,
    notice: String,
    /// Whether the weekly digest is for this member (Admins and Analysts).
    digest_offered: bool,
    /// Where the digest goes; empty when it does not.
    digest_email: String,
}

async fn account_page(
    state: &AppState,
    caller: &Caller,
    error: &str,
    notice: &str,
    status: StatusCode,
) -> PageResult {
    let digest_offered = caller.user.role.allows(Permission::ViewAnalytics);
    let digest_email = if digest_offered {
        weft_hub::usage::digest::subscription(&state.hub, &caller.user.id)
            .await?
            .map(|s| s.email)
            .unwrap_or_default()
    } else {
        String::new()
    };
    render(
        AccountPage {
            layout: layout(state, caller, "Account").await?,
            error: error.to_owned(),
            notice: notice.to_owned(),
            digest_offered,
            digest_email,
        },
        status,
    )
}

/// Turns the weekly digest on (at the address given) or off.
pub async fn set_digest(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let result = if form.raw("action") == "off" {
        weft_hub::usage::digest::unsubscribe(&state.hub, &caller.user.id, &caller.user.username)
            .await
            .map(|_| "The weekly digest is off.".to_owned())
    } else {
        weft_hub::usage::digest::subscribe(&state.hub, &caller.user.id, &form.raw("email"))
            .await
            .map(|s| {
                format!(
                    "The weekly digest goes to {} every Monday from 08:00 UTC.",
                    s.email
                )
            })
    };
    match result {
        Ok(notice) => account_page(&state, &caller, "", &notice, StatusCode::OK).await,
        Err(e) => {
            let (message, status) = on_page(e)?;
            account_page(&state, &caller, &message, "", status).await
        }
    }
}

pub async fn account(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    account_page(&state, &caller, "", "", StatusCode::OK).await
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let this_session = match &caller.via {
        Via::Session { id_hash, .. } => Some(id_hash.as_str()),
        Via::ApiToken => None,
    };
    match access::change_own_password(
        &state.hub,
        &caller.user,
        &form.raw("current"),
        SecretString::from(form.raw("new")),
        this_session,
    )
    .await
    {
        Ok(()) => {
            account_page(
                &state,
                &caller,
                "",
                "Your password was changed.",
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let (message, status) = on_page(e)?;
            account_page(&state, &caller, &message, "", status).await
        }
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    access::sign_out_everywhere(&state.hub, &caller.user.username, &caller.user).await?;
    let cookies = Cookies::of(&state.config);
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        cookies.set(cookies.session(), None, 0, "Lax"),
    );
    Ok(response)
}
