//! The control API under `/_sim/`: what tests and demos use to set the scene and to break
//! things on purpose. It is not part of Wrike and needs no token; serve it on loopback only.
// Handlers here answer errors as ready HTTP responses; boxing them would only add noise.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use wrike_api::Scope;
use wrike_api::models::{AuditObjectType, AuditOperation, Plan};

use crate::api::Ctx;
use crate::api::work::{
    apply_folder_update, apply_task_create, apply_task_delete, apply_task_update,
};
use crate::faults::Fault;
use crate::generate::audit_record;
use crate::hooks::EventDraft;
use crate::params::Params;
use crate::reply::ApiError;
use crate::sim::Sim;
use crate::world::{AccountData, OAuthApp};

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/accounts", get(accounts))
        .route("/accounts/{id}/users", get(users))
        .route("/accounts/{id}/plan", post(set_plan))
        .route("/accounts/{id}/audit_events", post(append_audit))
        .route("/accounts/{id}/task_changes", post(task_change))
        .route("/accounts/{id}/folder_changes", post(folder_change))
        .route("/approvals/{id}/decisions", post(decide_approval))
        .route("/tokens", post(issue_token))
        .route("/tokens/revoke", post(revoke))
        .route("/oauth_clients", get(list_apps).post(add_app))
        .route("/users/{id}/password", post(change_password))
        .route("/users/{id}/deactivate", post(deactivate))
        .route("/users/{id}/activate", post(activate))
        .route("/users/{id}/rights", put(set_rights))
        .route("/clock", get(clock).post(move_clock))
        .route("/rate_limit", put(set_rate_limit))
        .route("/contacts_deleted", put(set_contacts_deleted))
        .route(
            "/faults",
            get(faults)
                .put(set_faults)
                .post(add_fault)
                .delete(clear_faults),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .route("/webhook_deliveries", get(deliveries))
        .merge(crate::plant::routes())
        .with_state(sim)
}

fn bad(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

type Reply = Result<Response, Response>;

async fn accounts(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let world = sim.read();
    Json(json!(world.accounts.iter().map(|a| {
        let dc = sim.data_center(a.data_center);
        json!({"id": a.id(), "name": a.account.name, "plan": a.plan, "userLimit": a.user_limit, "dataCenter": dc.name, "host": dc.host, "apiUrl": dc.api_url(),
               "users": a.users.len(), "auditEvents": a.audit.len(), "tasks": a.tasks.len(), "ownerId": a.owner().id()})
    }).collect::<Vec<_>>()))
}

async fn users(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Reply {
    let world = sim.read();
    let account = world
        .account(&id)
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no account {id}")))?;
    Ok(Json(json!(account.users.iter().map(|u| json!({
        "id": u.id(), "name": format!("{} {}", u.contact.first_name, u.contact.last_name), "email": u.email(), "role": u.profile().role,
        "external": u.profile().external, "admin": u.profile().admin, "owner": u.profile().owner, "active": u.is_active(), "deleted": u.contact.deleted,
        "userTypeId": u.contact.user_type_id, "activityReports": u.activity_reports, "companyName": u.contact.company_name,
    })).collect::<Vec<_>>())).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenRequest {
    account_id: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    /// `permanent` (default) or `oauth` (expires, comes with a refresh token).
    #[serde(default)]
    kind: Option<String>,
    client_id: Option<String>,
}

async fn issue_token(State(sim): State<Arc<Sim>>, Json(req): Json<TokenRequest>) -> Reply {
    let mut world = sim.write();
    let account = match (&req.account_id, &req.user_id) {
        (Some(a), _) => world.account(a),
        (None, Some(u)) => world.account_of_user(u),
        (None, None) => world.accounts.first(),
    }
    .ok_or_else(|| bad(StatusCode::NOT_FOUND, "no such account or user"))?;
    let user = match &req.user_id {
        Some(u) => account.user(u).ok_or_else(|| {
            bad(
                StatusCode::NOT_FOUND,
                format!("no user {u} in {}", account.id()),
            )
        })?,
        None => account.owner(),
    };
    if !user.is_active() {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            format!("user {} is not active", user.id()),
        ));
    }
    let scopes: Vec<Scope> = if req.scopes.is_empty() {
        vec![Scope::Default]
    } else {
        req.scopes.iter().map(|s| Scope::from(s.as_str())).collect()
    };
    if let Some(unknown) = scopes.iter().find(|s| !s.is_known()) {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            format!("unknown scope {unknown}"),
        ));
    }
    let (account_id, user_id, dc) = (
        account.id().to_owned(),
        user.id().to_owned(),
        account.data_center,
    );
    let client = match req.kind.as_deref() {
        None | Some("permanent") => None,
        Some("oauth") => Some(req.client_id.clone().unwrap_or_else(|| "weft-demo".into())),
        Some(other) => {
            return Err(bad(
                StatusCode::BAD_REQUEST,
                format!("kind must be permanent or oauth, not {other}"),
            ));
        }
    };
    let (access, refresh) =
        sim.issue_tokens(&mut world, &account_id, &user_id, scopes, client.clone());
    let dc = sim.data_center(dc);
    Ok(Json(json!({"accessToken": access, "refreshToken": refresh, "expiresIn": client.map(|_| sim.config.token_lifetime.as_secs()),
                   "accountId": account_id, "userId": user_id, "host": dc.host, "apiUrl": dc.api_url()})).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RevokeRequest {
    token: Option<String>,
    user_id: Option<String>,
}

async fn revoke(State(sim): State<Arc<Sim>>, Json(req): Json<RevokeRequest>) -> Reply {
    let mut world = sim.write();
    let revoked = match (req.token, req.user_id) {
        (Some(token), _) => {
            usize::from(world.tokens.remove(&token).is_some())
                + usize::from(world.refresh_tokens.remove(&token).is_some())
        }
        (None, Some(user)) => {
            let account = world
                .account_of_user(&user)
                .map(|a| a.id().to_owned())
                .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no user {user}")))?;
            world.revoke_user(&account, &user)
        }
        (None, None) => return Err(bad(StatusCode::BAD_REQUEST, "give token or userId")),
    };
    Ok(Json(json!({"revoked": revoked})).into_response())
}

async fn list_apps(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.read().apps))
}

async fn add_app(State(sim): State<Arc<Sim>>, Json(app): Json<OAuthApp>) -> Reply {
    if app.client_id.is_empty() || app.client_secret.is_empty() {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "clientId and clientSecret are required",
        ));
    }
    let mut world = sim.write();
    world.apps.retain(|a| a.client_id != app.client_id);
    world.apps.push(app.clone());
    Ok((StatusCode::CREATED, Json(json!(app))).into_response())
}

/// Applies a change to a user and drops the user's tokens, as Wrike does when a password
/// changes or a user is deactivated.
fn change_user(sim: &Sim, user_id: &str, change: impl FnOnce(&mut crate::world::SimUser)) -> Reply {
    let mut world = sim.write();
    let account_id = world
        .account_of_user(user_id)
        .map(|a| a.id().to_owned())
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no user {user_id}")))?;
    let account = world.account_mut(&account_id).expect("found above");
    change(account.user_mut(user_id).expect("found above"));
    let revoked = world.revoke_user(&account_id, user_id);
    Ok(Json(json!({"userId": user_id, "revokedTokens": revoked})).into_response())
}

async fn change_password(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Reply {
    let password = crate::ids::secret(16);
    change_user(&sim, &id, |u| u.password = password)
}

async fn deactivate(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Reply {
    change_user(&sim, &id, |u| u.profile_mut().active = Some(false))
}

async fn activate(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Reply {
    let mut world = sim.write();
    let account_id = world
        .account_of_user(&id)
        .map(|a| a.id().to_owned())
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no user {id}")))?;
    world
        .account_mut(&account_id)
        .and_then(|a| a.user_mut(&id))
        .expect("found")
        .profile_mut()
        .active = Some(true);
    Ok(Json(json!({"userId": id, "active": true})).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Rights {
    admin: Option<bool>,
    activity_reports: Option<bool>,
}

async fn set_rights(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(rights): Json<Rights>,
) -> Reply {
    let mut world = sim.write();
    let account_id = world
        .account_of_user(&id)
        .map(|a| a.id().to_owned())
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no user {id}")))?;
    let user = world
        .account_mut(&account_id)
        .and_then(|a| a.user_mut(&id))
        .expect("found");
    if let Some(admin) = rights.admin {
        user.profile_mut().admin = admin;
    }
    if let Some(reports) = rights.activity_reports {
        user.activity_reports = reports;
    }
    Ok(Json(json!({"userId": id, "admin": user.profile().admin, "activityReports": user.activity_reports})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanChange {
    plan: String,
}

/// An approver's decision, as made in Wrike's interface (the API offers none).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Decision {
    approver_id: String,
    /// `Approved` or `Rejected`.
    status: String,
    comment: Option<String>,
}

async fn decide_approval(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(decision): Json<Decision>,
) -> Reply {
    let now = sim.clock.now();
    let mut world = sim.write();
    let account = world
        .accounts
        .iter_mut()
        .find(|a| a.approvals.iter().any(|x| x.id == id))
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no approval {id}")))?;
    let status = wrike_api::models::DecisionStatus::from(decision.status.as_str());
    let (approval, events) = crate::api::approvals::decide(
        account,
        &id,
        &decision.approver_id,
        status,
        decision.comment,
        now,
    )
    .map_err(|e| bad(StatusCode::BAD_REQUEST, e))?;
    sim.hooks.emit(account, events, now);
    Ok(Json(json!(approval)).into_response())
}

async fn set_plan(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(change): Json<PlanChange>,
) -> Reply {
    let plan = Plan::from(change.plan.as_str());
    if !plan.is_known() {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown plan {}; known: {}",
                change.plan,
                Plan::KNOWN
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut world = sim.write();
    let account = world
        .account_mut(&id)
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no account {id}")))?;
    account.plan = plan;
    Ok(Json(json!({"accountId": id, "plan": account.plan})).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockChange {
    advance_seconds: Option<i64>,
    set: Option<DateTime<Utc>>,
}

async fn clock(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({"now": sim.clock.now()}))
}

async fn move_clock(State(sim): State<Arc<Sim>>, Json(change): Json<ClockChange>) -> Reply {
    match (change.advance_seconds, change.set) {
        (Some(s), None) => sim.clock.advance(chrono::Duration::seconds(s)),
        (None, Some(at)) => sim.clock.set(at),
        _ => {
            return Err(bad(
                StatusCode::BAD_REQUEST,
                "give exactly one of advanceSeconds or set",
            ));
        }
    }
    Ok(Json(json!({"now": sim.clock.now()})).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RateLimit {
    per_minute: u32,
    /// Send `Retry-After` with the limit's 429s (Wrike documents none; off by default).
    #[serde(default)]
    retry_after: Option<bool>,
}

async fn set_rate_limit(State(sim): State<Arc<Sim>>, Json(limit): Json<RateLimit>) -> Json<Value> {
    *sim.rate_limit.lock().expect("rate lock") = limit.per_minute;
    if let Some(on) = limit.retry_after {
        sim.rate_retry_after
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }
    let retry_after = sim
        .rate_retry_after
        .load(std::sync::atomic::Ordering::Relaxed);
    Json(json!({"perMinute": limit.per_minute, "retryAfter": retry_after}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeletedReading {
    /// `includes` (deleted contacts are added) or `only` (only deleted contacts).
    reading: String,
}

async fn set_contacts_deleted(
    State(sim): State<Arc<Sim>>,
    Json(body): Json<DeletedReading>,
) -> Result<Json<Value>, (StatusCode, String)> {
    let only = match body.reading.as_str() {
        "includes" => false,
        "only" => true,
        other => {
            return Err((
                StatusCode::BAD_REQUEST,
                format!("reading: expected includes or only, got '{other}'"),
            ));
        }
    };
    sim.contacts_deleted_only
        .store(only, std::sync::atomic::Ordering::Relaxed);
    Ok(Json(json!({"reading": body.reading})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewAuditEvent {
    operation: String,
    user_id: String,
    event_date: Option<DateTime<Utc>>,
    object_type: Option<String>,
    object_name: Option<String>,
    object_id: Option<String>,
    ip_address: Option<String>,
    #[serde(default)]
    details: serde_json::Map<String, Value>,
}

async fn append_audit(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(events): Json<Vec<NewAuditEvent>>,
) -> Reply {
    let now = sim.clock.now();
    let mut world = sim.write();
    let account = world
        .account_mut(&id)
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no account {id}")))?;
    let mut ids = Vec::new();
    // Validate all first so a bad event leaves nothing half-appended.
    for (i, e) in events.iter().enumerate() {
        account.user(&e.user_id).ok_or_else(|| {
            bad(
                StatusCode::BAD_REQUEST,
                format!("event {i}: no user {} in {id}", e.user_id),
            )
        })?;
        if e.event_date.is_some_and(|d| d > now) {
            return Err(bad(
                StatusCode::BAD_REQUEST,
                format!("event {i}: eventDate is in the simulated future"),
            ));
        }
    }
    for e in events {
        let user = account.user(&e.user_id).cloned().expect("validated");
        let seq = account.allocate();
        let object_type = e.object_type.as_deref().map(AuditObjectType::from);
        let mut record = audit_record(
            &id,
            seq,
            AuditOperation::from(e.operation.as_str()),
            &user,
            e.event_date.unwrap_or(now),
            e.ip_address.as_deref().unwrap_or("203.0.113.9"),
            None,
            e.details,
        );
        record.object_type = object_type;
        record.object_name = e.object_name;
        record.object_id = e.object_id;
        ids.push(record.id.clone());
        account.push_audit(record);
    }
    Ok((StatusCode::CREATED, Json(json!({"ids": ids}))).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TaskChange {
    /// `create`, `update` or `delete`.
    action: String,
    user_id: Option<String>,
    task_id: Option<String>,
    folder_id: Option<String>,
    /// Wrike API parameters for the change (`title`, `status`, `addResponsibles`, ...).
    #[serde(default)]
    params: serde_json::Map<String, Value>,
}

/// A change made "in the Wrike UI" by a user: it updates the data, writes the audit log and
/// fires webhooks, exactly as the same change through the API would.
async fn task_change(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(change): Json<TaskChange>,
) -> Reply {
    let TaskChange {
        action,
        user_id,
        task_id,
        folder_id,
        params,
    } = change;
    let need = |v: Option<String>, name: &str| {
        v.ok_or_else(|| {
            bad(
                StatusCode::BAD_REQUEST,
                format!("{name} is required for {action}"),
            )
        })
    };
    let params = Params::from_json(params);
    match action.as_str() {
        "create" => {
            let folder = need(folder_id, "folderId")?;
            as_person(&sim, &id, user_id, |account, ctx| {
                apply_task_create(account, ctx, &folder, &params)
            })
        }
        "update" => {
            let task = need(task_id, "taskId")?;
            as_person(&sim, &id, user_id, |account, ctx| {
                apply_task_update(account, ctx, &task, &params)
            })
        }
        "delete" => {
            let task = need(task_id, "taskId")?;
            as_person(&sim, &id, user_id, |account, ctx| {
                apply_task_delete(account, ctx, &task)
            })
        }
        other => Err(bad(
            StatusCode::BAD_REQUEST,
            format!("action must be create, update or delete, not {other}"),
        )),
    }
}

/// A change made "in the Wrike UI" by `user_id` (the account's owner unless named): `apply`
/// makes it as the API would, its events are delivered, and the changed item is the answer.
fn as_person<T: serde::Serialize>(
    sim: &Sim,
    account_id: &str,
    user_id: Option<String>,
    apply: impl FnOnce(&mut AccountData, &Ctx) -> Result<(T, Vec<EventDraft>), ApiError>,
) -> Reply {
    let now = sim.clock.now();
    let mut world = sim.write();
    let account = world
        .account_mut(account_id)
        .ok_or_else(|| bad(StatusCode::NOT_FOUND, format!("no account {account_id}")))?;
    let ctx = Ctx {
        now,
        user_id: acting_user(account, user_id)?,
    };
    let (item, events) = apply(account, &ctx).map_err(|e| bad(e.status, e.description))?;
    sim.hooks.emit(account, events, now);
    Ok(Json(json!(item)).into_response())
}

/// Who makes a change "in the Wrike UI": the named user, or the account's owner.
fn acting_user(account: &AccountData, user_id: Option<String>) -> Result<String, Response> {
    let user_id = user_id.unwrap_or_else(|| account.owner().id().to_owned());
    match account.user(&user_id) {
        Some(_) => Ok(user_id),
        None => Err(bad(
            StatusCode::BAD_REQUEST,
            format!("no user {user_id} in {}", account.id()),
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FolderChange {
    user_id: Option<String>,
    folder_id: String,
    /// Wrike API parameters of `PUT /folders` (`title`, `project`, `addParents`, ...).
    #[serde(default)]
    params: serde_json::Map<String, Value>,
}

/// A change to a folder or project made "in the Wrike UI" by a user (the account's owner
/// unless named): applied as `PUT /folders` applies it, webhooks fired.
async fn folder_change(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(change): Json<FolderChange>,
) -> Reply {
    let params = Params::from_json(change.params);
    as_person(&sim, &id, change.user_id, |account, ctx| {
        apply_folder_update(account, ctx, &change.folder_id, &params)
    })
}

async fn faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(*sim.faults.lock().expect("fault lock")))
}

async fn set_faults(State(sim): State<Arc<Sim>>, Json(list): Json<Vec<Fault>>) -> Reply {
    for (i, f) in list.iter().enumerate() {
        f.validate()
            .map_err(|e| bad(StatusCode::BAD_REQUEST, format!("fault {i}: {e}")))?;
    }
    *sim.faults.lock().expect("fault lock") = list;
    Ok(Json(json!(*sim.faults.lock().expect("fault lock"))).into_response())
}

async fn add_fault(State(sim): State<Arc<Sim>>, Json(fault): Json<Fault>) -> Reply {
    fault
        .validate()
        .map_err(|e| bad(StatusCode::BAD_REQUEST, e))?;
    sim.faults.lock().expect("fault lock").push(fault);
    Ok(Json(json!(*sim.faults.lock().expect("fault lock"))).into_response())
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.faults.lock().expect("fault lock").clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Since {
    since: Option<u64>,
    limit: Option<usize>,
}

async fn requests(State(sim): State<Arc<Sim>>, Query(q): Query<Since>) -> Json<Value> {
    let log = sim.log.lock().expect("log lock");
    let since = q.since.unwrap_or(0);
    let items: Vec<_> = log
        .entries
        .iter()
        .filter(|e| e.seq > since)
        .take(q.limit.unwrap_or(1000))
        .collect();
    Json(json!({"requests": items, "last": log.next_seq}))
}

async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.log.lock().expect("log lock").entries.clear();
    StatusCode::NO_CONTENT
}

async fn deliveries(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(*sim.hooks.deliveries.lock().expect("delivery lock")))
}
