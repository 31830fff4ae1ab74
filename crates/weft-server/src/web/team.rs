//! The team (Admins), the hub's trail, and each user's API tokens.

use askama::Template;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use secrecy::SecretString;
use weft_core::roles::Role;
use weft_hub::{HubError, access};

use super::{Layout, PageResult, layout, render, timestamp};
use crate::error::ApiError;
use crate::forms::FormData;
use crate::guard::Caller;
use crate::state::AppState;

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
        .access()
        .users()
        .await?
        .into_iter()
        .map(|u| (u.username, u.role.as_str()))
        .collect();
    render(
        TeamPage {
            layout: layout(state, caller, "Team").await?,
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
    let result = match Role::parse(&form.get("role")) {
        Ok(role) => access::add_user(
            &state.hub,
            &caller.user.username,
            &form.get("username"),
            role,
            SecretString::from(form.raw("password")),
        )
        .await
        .map(drop),
        Err(e) => Err(HubError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/team").into_response()),
        Err(e) => {
            let error = ApiError::from(e);
            if error.status.is_server_error() {
                return Err(error.into());
            }
            team_page(&state, &caller, &error.message, error.status).await
        }
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
        .trail()
        .latest(200)
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
            layout: layout(&state, &caller, "Audit trail").await?,
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
        .access()
        .api_tokens(&caller.user.id)
        .await?
        .into_iter()
        .map(|t| (t.name, timestamp(t.created_at)))
        .collect();
    render(
        TokensPage {
            layout: layout(state, caller, "API tokens").await?,
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
    let (_, secret) = access::issue_api_token(&state.hub, &caller.user, &form.get("name")).await?;
    tokens_page(&state, &caller, secret).await
}
