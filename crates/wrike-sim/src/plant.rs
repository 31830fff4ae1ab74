//! Planted people and activity (control API): tests that check a report's numbers add
//! people whose every login, comment, timelog and authored task is at a date the test
//! chose, so the right answer is known before weft computes it. What is planted is written
//! where Wrike keeps it (the audit log, tasks, comments, timelogs), not in a side table:
//! the hub must find it through the API like anything else.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use wrike_api::models::*;

use crate::api::Ctx;
use crate::api::work::apply_task_create;
use crate::generate::audit_record;
use crate::ids;
use crate::params::Params;
use crate::sim::Sim;
use crate::world::{AccountData, SimUser};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/accounts/{id}/people", axum::routing::post(plant_person))
        .route(
            "/accounts/{id}/activity",
            axum::routing::post(plant_activity),
        )
}

fn bad(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// One thing a person did, at a chosen moment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Planted {
    /// Who (only for `/activity`; a planted person's own activity names nobody).
    #[serde(default)]
    pub user_id: Option<String>,
    /// `login`, `oauthLogin` (a sign-in by an API client: `Login Type: Oauth2`),
    /// `failedLogin`, `logout`, `taskChange`, `activated` (the account owner
    /// activated the person), `invitationAccepted` (audit records); `taskCreated`,
    /// `comment`, `timelog` (work data).
    pub kind: String,
    pub at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewPerson {
    first_name: String,
    last_name: String,
    email: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    external: bool,
    #[serde(default)]
    admin: bool,
    /// A user type of the account; the first (regular) one when absent.
    #[serde(default)]
    user_type_id: Option<String>,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    company_name: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    activity: Vec<Planted>,
}

fn yes() -> bool {
    true
}

async fn plant_person(
    State(sim): State<Arc<Sim>>,
    Path(account_id): Path<String>,
    Json(person): Json<NewPerson>,
) -> Response {
    let now = sim.clock.now();
    let mut world = sim.write();
    let Some(account) = world.account_mut(&account_id) else {
        return bad(StatusCode::NOT_FOUND, format!("no account {account_id}"));
    };
    let role = Role::from(person.role.as_deref().unwrap_or("User"));
    if !role.is_known() {
        return bad(
            StatusCode::BAD_REQUEST,
            format!("role: unknown role {role}"),
        );
    }
    let user_type = match &person.user_type_id {
        Some(t) if !account.user_types.iter().any(|u| &u.id == t) => {
            return bad(
                StatusCode::BAD_REQUEST,
                format!("userTypeId: no user type {t} in {account_id}"),
            );
        }
        Some(t) => Some(t.clone()),
        None => account.user_types.first().map(|t| t.id.clone()),
    };
    if let Err(message) = check_dates(&person.activity, now) {
        return bad(StatusCode::BAD_REQUEST, message);
    }
    let seq = account.allocate();
    let id = ids::person(seq);
    let contact = Contact {
        id: id.clone(),
        first_name: person.first_name,
        last_name: person.last_name,
        contact_type: ContactType::Person,
        profiles: vec![Profile {
            account_id: account_id.clone(),
            email: Some(person.email.clone()),
            role,
            external: person.external,
            admin: person.admin,
            owner: false,
            active: Some(person.active && !person.deleted),
        }],
        avatar_url: None,
        timezone: Some(person.timezone.unwrap_or_else(|| "Europe/London".into())),
        locale: Some("en".into()),
        deleted: person.deleted,
        me: None,
        member_ids: None,
        metadata: Some(Vec::new()),
        my_team: None,
        title: person.title,
        company_name: person.company_name,
        phone: None,
        location: None,
        work_schedule_id: None,
        primary_email: Some(person.email),
        user_type_id: user_type,
        job_role_id: None,
        current_bill_rate: None,
        current_cost_rate: None,
    };
    account.users.push(SimUser {
        contact,
        password: format!("pw-planted-{seq}"),
        activity_reports: false,
    });
    account.user_limit += 1;
    for planted in &person.activity {
        if let Err(message) = plant(account, &id, planted) {
            return bad(StatusCode::BAD_REQUEST, message);
        }
    }
    (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
}

async fn plant_activity(
    State(sim): State<Arc<Sim>>,
    Path(account_id): Path<String>,
    Json(activity): Json<Vec<Planted>>,
) -> Response {
    let now = sim.clock.now();
    let mut world = sim.write();
    let Some(account) = world.account_mut(&account_id) else {
        return bad(StatusCode::NOT_FOUND, format!("no account {account_id}"));
    };
    if let Err(message) = check_dates(&activity, now) {
        return bad(StatusCode::BAD_REQUEST, message);
    }
    // Check every entry before writing any, so a bad one leaves nothing half-planted.
    for (i, planted) in activity.iter().enumerate() {
        let known = planted
            .user_id
            .as_deref()
            .is_some_and(|u| account.user(u).is_some());
        if !known {
            return bad(
                StatusCode::BAD_REQUEST,
                format!("activity {i}: userId names no person in {account_id}"),
            );
        }
        if !KINDS.contains(&planted.kind.as_str()) {
            return bad(
                StatusCode::BAD_REQUEST,
                format!("activity {i}: unknown kind '{}'", planted.kind),
            );
        }
    }
    for planted in &activity {
        let user = planted.user_id.clone().unwrap_or_default();
        if let Err(message) = plant(account, &user, planted) {
            return bad(StatusCode::BAD_REQUEST, message);
        }
    }
    (
        StatusCode::CREATED,
        Json(json!({"planted": activity.len()})),
    )
        .into_response()
}

const KINDS: &[&str] = &[
    "login",
    "oauthLogin",
    "failedLogin",
    "logout",
    "taskChange",
    "taskCreated",
    "comment",
    "timelog",
    "activated",
    "invitationAccepted",
];

fn check_dates(activity: &[Planted], now: DateTime<Utc>) -> Result<(), String> {
    for (i, planted) in activity.iter().enumerate() {
        if planted.at > now {
            return Err(format!("activity {i}: at is in the simulated future"));
        }
        if !KINDS.contains(&planted.kind.as_str()) {
            return Err(format!("activity {i}: unknown kind '{}'", planted.kind));
        }
    }
    Ok(())
}

/// Writes one planted act where Wrike would keep it.
fn plant(account: &mut AccountData, user_id: &str, planted: &Planted) -> Result<(), String> {
    let user = account
        .user(user_id)
        .cloned()
        .ok_or_else(|| format!("no person {user_id}"))?;
    let account_id = account.id().to_owned();
    let at = planted.at;
    let login_object = (AuditObjectType::User, user.email(), user.id().to_owned());
    let audit = |account: &mut AccountData,
                 op: AuditOperation,
                 object: (AuditObjectType, String, String),
                 details: serde_json::Map<String, Value>| {
        let seq = account.allocate();
        let record = audit_record(
            &account_id,
            seq,
            op,
            &user,
            at,
            "203.0.113.50",
            Some((object.0, &object.1, &object.2)),
            details,
        );
        account.push_audit(record);
    };
    let login_details = |kind: &str| {
        let agent = if kind == "Oauth2" {
            "Nango"
        } else {
            "Mozilla/5.0 (X11; Linux x86_64)"
        };
        [("Login Type", kind), ("User Agent", agent)]
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect()
    };
    let any_task = || {
        account
            .tasks
            .iter()
            .find(|t| t.scope == TreeScope::WsTask)
            .map(|t| (t.id.clone(), t.title.clone()))
    };
    match planted.kind.as_str() {
        "login" => audit(
            account,
            AuditOperation::UserLoggedIn,
            login_object,
            login_details("Password"),
        ),
        "oauthLogin" => audit(
            account,
            AuditOperation::UserLoggedIn,
            login_object,
            login_details("Oauth2"),
        ),
        "failedLogin" => audit(
            account,
            AuditOperation::UserFailLogin,
            login_object,
            login_details("Password"),
        ),
        "logout" => audit(
            account,
            AuditOperation::UserLogout,
            login_object,
            serde_json::Map::new(),
        ),
        "taskChange" => {
            let (task_id, title) = any_task().ok_or("the account has no task to change")?;
            let details = [("Old Status", "New"), ("New Status", "In Progress")]
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            audit(
                account,
                AuditOperation::TaskStatusChanged,
                (AuditObjectType::Task, title, task_id),
                details,
            );
        }
        "taskCreated" => {
            let folder = account
                .folders
                .iter()
                .find(|f| {
                    f.scope == TreeScope::WsFolder
                        && f.project.is_none()
                        && !f.parent_ids.is_empty()
                })
                .map(|f| f.id.clone())
                .ok_or("the account has no folder for a task")?;
            let ctx = Ctx {
                now: at,
                user_id: user_id.to_owned(),
            };
            let mut params = serde_json::Map::new();
            params.insert(
                "title".into(),
                json!(format!("Planted task by {}", user.email())),
            );
            apply_task_create(account, &ctx, &folder, &Params::from_json(params))
                .map_err(|e| format!("creating the task: {}", e.description))?;
        }
        "comment" => {
            let (task_id, _) = any_task().ok_or("the account has no task to comment on")?;
            let seq = account.allocate();
            account.comments.push(Comment {
                id: ids::entity(&account_id, "IM", seq),
                author_id: user_id.to_owned(),
                text: "Planted comment".into(),
                created_date: at,
                updated_date: Some(at),
                task_id: Some(task_id),
                folder_id: None,
            });
        }
        "timelog" => {
            let (task_id, _) = any_task().ok_or("the account has no task to log time on")?;
            let seq = account.allocate();
            account.timelogs.push(Timelog {
                id: ids::entity(&account_id, "JQ", seq),
                task_id,
                user_id: user_id.to_owned(),
                category_id: None,
                billing_type: None,
                hours: 1.5,
                created_date: at,
                updated_date: at,
                tracked_date: at.date_naive(),
                comment: "Planted".into(),
            });
        }
        "activated" => {
            // An admin's act: the owner makes it, about the person.
            let owner = account
                .users
                .iter()
                .find(|u| u.profile().owner)
                .cloned()
                .ok_or("the account has no owner to activate anyone")?;
            let seq = account.allocate();
            let record = audit_record(
                &account_id,
                seq,
                AuditOperation::UserActivated,
                &owner,
                at,
                "203.0.113.51",
                Some((AuditObjectType::User, &user.email(), user.id())),
                serde_json::Map::new(),
            );
            account.push_audit(record);
        }
        "invitationAccepted" => {
            let invitation = ids::entity(&account_id, "IV", account.allocate());
            audit(
                account,
                AuditOperation::InvitationAccepted,
                (AuditObjectType::Invitation, user.email(), invitation),
                serde_json::Map::new(),
            );
        }
        other => return Err(format!("unknown kind '{other}'")),
    }
    Ok(())
}
