//! The `/api/v4` endpoints, grouped by what they serve. Every handler runs behind the gate
//! (credentials, data center, rate limit, scopes) and sees its caller as a `Caller`.

pub mod activity;
pub mod approvals;
mod audit;
mod blueprints;
mod copy;
mod custom_fields;
mod dependencies;
mod field_filter;
mod paging;
mod people;
mod timelogs;
mod webhooks;
pub mod work;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::hooks::EventDraft;
use crate::reply::ApiError;
use crate::sim::{Caller, Sim};
use crate::world::{AccountData, SimUser};

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/version", get(people::version))
        .route("/account", get(people::account))
        .route("/contacts", get(people::contacts))
        .route("/contacts/{id}", get(people::contacts_by_ids))
        .route("/users/{id}", get(people::user).put(people::update_users))
        .route("/user_types", get(people::user_types))
        .route("/groups", get(people::groups).post(people::create_group))
        .route(
            "/groups/{id}",
            get(people::groups_by_ids)
                .put(people::update_group)
                .delete(people::delete_group),
        )
        .route(
            "/invitations",
            get(people::invitations).post(people::create_invitation),
        )
        .route(
            "/invitations/{id}",
            put(people::update_invitation).delete(people::delete_invitation),
        )
        .route("/access_roles", get(people::access_roles))
        .route("/audit_log", get(audit::audit_log))
        .route("/spaces", get(work::spaces))
        .route("/spaces/{id}", get(work::space).put(work::update_space))
        .route("/spaces/{id}/folders", get(work::space_folders))
        .route("/spaces/{id}/tasks", get(work::space_tasks))
        .route("/spaces/{id}/webhooks", post(webhooks::create_for_space))
        .route("/folders", get(work::folder_tree))
        .route("/copy_folder/{id}", post(copy::copy_folder))
        .route("/copy_folder_async/{id}", post(copy::copy_folder_async))
        .route("/async_job/{id}", get(copy::async_job))
        .route("/folder_blueprints", get(blueprints::folder_blueprints))
        .route(
            "/folder_blueprints/{id}/launch_async",
            post(blueprints::launch_folder_blueprint),
        )
        .route("/task_blueprints", get(blueprints::task_blueprints))
        .route(
            "/task_blueprints/{id}/launch_async",
            post(blueprints::launch_task_blueprint),
        )
        .route("/custom_item_types", get(blueprints::custom_item_types))
        .route(
            "/custom_item_types/{id}/instantiate",
            post(blueprints::instantiate),
        )
        .route(
            "/folders/{id}",
            get(work::folders_by_ids)
                .put(work::update_folder)
                .delete(work::delete_folder),
        )
        .route(
            "/folders/{id}/folders",
            get(work::subtree).post(work::create_folder),
        )
        .route(
            "/folders/{id}/tasks",
            get(work::folder_tasks).post(work::create_task),
        )
        .route(
            "/folders/{id}/comments",
            get(activity::folder_comments).post(activity::create_folder_comment),
        )
        .route(
            "/folders/{id}/attachments",
            get(activity::folder_attachments).post(activity::upload_folder_attachment),
        )
        .route("/folders/{id}/webhooks", post(webhooks::create_for_folder))
        .route("/tasks", get(work::tasks))
        .route(
            "/tasks/{id}",
            get(work::tasks_by_ids)
                .put(work::update_task)
                .delete(work::delete_task),
        )
        .route(
            "/tasks/{id}/comments",
            get(activity::task_comments).post(activity::create_task_comment),
        )
        .route(
            "/tasks/{id}/timelogs",
            get(timelogs::task_timelogs).post(timelogs::create_timelog),
        )
        .route(
            "/tasks/{id}/dependencies",
            get(dependencies::of_task).post(dependencies::create),
        )
        .route(
            "/dependencies/{id}",
            get(dependencies::by_id)
                .put(dependencies::update)
                .delete(dependencies::delete),
        )
        .route(
            "/tasks/{id}/attachments",
            get(activity::task_attachments).post(activity::upload_task_attachment),
        )
        .route("/workflows", get(work::workflows))
        .route(
            "/customfields",
            get(custom_fields::custom_fields).post(custom_fields::create_custom_field),
        )
        .route(
            "/customfields/{id}",
            get(custom_fields::custom_fields_by_ids).put(custom_fields::update_custom_field),
        )
        .route("/comments", get(activity::comments))
        .route(
            "/comments/{id}",
            get(activity::comments_by_ids).delete(activity::delete_comment),
        )
        .route("/approvals", get(approvals::all))
        .route(
            "/approvals/{id}",
            get(approvals::by_id)
                .put(approvals::update)
                .delete(approvals::cancel),
        )
        .route(
            "/tasks/{id}/approvals",
            get(approvals::of_task).post(approvals::create_on_task),
        )
        .route(
            "/folders/{id}/approvals",
            get(approvals::of_folder).post(approvals::create_on_folder),
        )
        .route("/timelogs", get(timelogs::timelogs))
        .route(
            "/timelogs/{id}",
            get(timelogs::timelogs_by_ids)
                .put(timelogs::update_timelog)
                .delete(timelogs::delete_timelog),
        )
        .route("/contacts/{id}/timelogs", get(timelogs::contact_timelogs))
        .route("/folders/{id}/timelogs", get(timelogs::folder_timelogs))
        .route("/timelog_categories", get(timelogs::timelog_categories))
        .route(
            "/timelog_categories/{id}/timelogs",
            get(timelogs::category_timelogs),
        )
        .route(
            "/attachments/{id}",
            get(activity::attachments_by_ids)
                .put(activity::update_attachment)
                .delete(activity::delete_attachment),
        )
        .route("/attachments/{id}/url", get(activity::attachment_url))
        .route(
            "/attachments/{id}/download",
            get(activity::download_attachment),
        )
        .route(
            "/webhooks",
            get(webhooks::list).post(webhooks::create_for_account),
        )
        .route(
            "/webhooks/{id}",
            get(webhooks::by_ids)
                .put(webhooks::update)
                .delete(webhooks::delete),
        )
        .with_state(sim)
}

/// Splits a comma-separated id segment, enforcing Wrike's limit of 100.
pub fn split_ids(segment: &str) -> Result<Vec<String>, ApiError> {
    let ids: Vec<String> = segment
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Err(ApiError::invalid_request("No ids given"));
    }
    if ids.len() > 100 {
        return Err(ApiError::invalid_request(&format!(
            "Too many ids: {} given, at most 100 allowed",
            ids.len()
        )));
    }
    Ok(ids)
}

/// The items `ids` name, in that order; a 404 naming the first id that does not exist.
pub fn by_ids<'a, T>(
    items: &'a [T],
    ids: &[String],
    id_of: impl Fn(&T) -> &str,
    what: &str,
) -> Result<Vec<&'a T>, ApiError> {
    ids.iter()
        .map(|id| {
            items
                .iter()
                .find(|item| id_of(item) == id)
                .ok_or_else(|| ApiError::not_found(&format!("{what} {id}")))
        })
        .collect()
}

/// Runs `f` on the caller's account under the read lock.
pub fn read<R>(
    sim: &Sim,
    caller: &Caller,
    f: impl FnOnce(&AccountData, &SimUser) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    let world = sim.read();
    let account = world
        .account(&caller.account_id)
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let user = account
        .user(&caller.user_id)
        .ok_or_else(|| ApiError::forbidden("User not found in account"))?;
    f(account, user)
}

/// What a mutation needs to know besides the account.
pub struct Ctx {
    pub now: DateTime<Utc>,
    pub user_id: String,
}

/// Runs a mutation under the write lock, then queues the webhook events it produced.
pub fn mutate<R>(
    sim: &Sim,
    caller: &Caller,
    f: impl FnOnce(&mut AccountData, &Ctx) -> Result<(R, Vec<EventDraft>), ApiError>,
) -> Result<R, ApiError> {
    let now = sim.clock.now();
    let mut world = sim.write();
    let account = world
        .account_mut(&caller.account_id)
        .ok_or_else(|| ApiError::not_found("Account"))?;
    let (out, events) = f(
        account,
        &Ctx {
            now,
            user_id: caller.user_id.clone(),
        },
    )?;
    sim.hooks.emit(account, events, now);
    Ok(out)
}

/// The caller, when an admin: admin-only operations answer 403 `not_allowed` otherwise.
pub fn admin_caller(account: &AccountData, ctx: &Ctx) -> Result<SimUser, ApiError> {
    let caller = account
        .user(&ctx.user_id)
        .cloned()
        .ok_or_else(|| ApiError::forbidden("unknown caller"))?;
    require_admin(&caller)?;
    Ok(caller)
}

/// Admin-only operations answer 403 `not_allowed` for everyone else.
pub fn require_admin(user: &SimUser) -> Result<(), ApiError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(ApiError::not_allowed(
            "This operation requires account administrator rights",
        ))
    }
}

/// A semi-open timestamp interval filter.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Range {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl Range {
    pub fn contains(&self, at: &DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| *at >= s) && self.end.is_none_or(|e| *at <= e)
    }
}

/// Opt-in `fields`, checked against what the endpoint offers.
pub fn requested_fields(
    p: &crate::params::Params,
    offered: &[&str],
) -> Result<Vec<String>, ApiError> {
    let fields = p.list("fields")?.unwrap_or_default();
    if let Some(bad) = fields.iter().find(|f| !offered.contains(&f.as_str())) {
        return Err(ApiError::invalid_parameter(
            "fields",
            &format!("'{bad}' is not an optional field here"),
        ));
    }
    Ok(fields)
}

/// Names of parameters Wrike knows but this simulator does not evaluate; refused openly
/// rather than silently ignored.
pub fn refuse_unsimulated(p: &crate::params::Params, names: &[&str]) -> Result<(), ApiError> {
    match p.names().find(|n| names.contains(n)) {
        Some(name) => Err(ApiError::invalid_request(&format!(
            "Parameter '{name}' is valid on Wrike but not simulated by weft sim"
        ))),
        None => Ok(()),
    }
}

pub fn ip_for_api() -> &'static str {
    "198.51.100.200"
}
