//! Folder and task blueprints (templates launched into the workspace as async jobs) and
//! custom item types (named kinds of task or project that work is instantiated from).
//!
//! Wrike's reference documents the parameters of these endpoints but not every field of
//! their answers; the shapes here follow the other families (a blueprint folder is listed
//! as a folder-tree entry, a blueprint task as a task), and the README lists them among the
//! simulator's own decisions.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use serde_json::{Value, json};
use wrike_api::models::*;

use super::copy::{Destination, Placed, Placement, Source, finished_job, place};
use super::paging::OffsetPaging;
use super::{mutate, read};
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope, envelope_values};
use crate::sim::{Caller, Sim};

/// Keeps items whose title contains `title` (any case) and whose permalink is `permalink`.
fn matches(title: &str, permalink: Option<&str>, p: &Params) -> bool {
    p.text("title")
        .is_none_or(|t| title.to_lowercase().contains(&t.to_lowercase()))
        && p.text("permalink")
            .is_none_or(|want| permalink == Some(want.as_str()))
}

/// `GET /folder_blueprints`: the blueprint folder tree.
pub async fn folder_blueprints(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&["permalink", "title", "fields"])?;
    let fields = super::requested_fields(&p, &["customFields"])?;
    read(&sim, &c, |account, _| {
        let data = account
            .blueprint_folders
            .iter()
            .filter(|f| matches(&f.title, f.permalink.as_deref(), &p))
            .map(|f| {
                let mut entry = json!({
                    "id": f.id,
                    "title": f.title,
                    "childIds": f.child_ids,
                    "scope": f.scope,
                });
                if fields.iter().any(|n| n == "customFields") {
                    entry["customFields"] = json!(f.custom_fields.clone().unwrap_or_default());
                }
                entry
            })
            .collect();
        envelope_values("folderBlueprints", data)
    })
}

/// `GET /task_blueprints`: blueprint tasks, paged like task listings.
pub async fn task_blueprints(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "permalink",
        "title",
        "limit",
        "pageSize",
        "nextPageToken",
        "fields",
    ])?;
    read(&sim, &c, |account, _| {
        let paging = OffsetPaging::of(&p, account.id(), "/task_blueprints")?;
        let q = &paging.params;
        let limit = q.number("limit")?.map(|n| n.max(0.0) as usize);
        let mut matched: Vec<&Task> = account
            .blueprint_tasks
            .iter()
            .filter(|t| matches(&t.title, t.permalink.as_deref(), q))
            .collect();
        if let Some(limit) = limit {
            matched.truncate(limit);
        }
        paging.answer("taskBlueprints", &matched, |t| blueprint_task_view(t))
    })
}

/// A blueprint task as listed: the task's own fields, without the workspace-only ones.
fn blueprint_task_view(t: &Task) -> Value {
    json!({
        "id": t.id,
        "accountId": t.account_id,
        "title": t.title,
        "description": t.description,
        "briefDescription": t.brief_description,
        "parentIds": t.parent_ids,
        "superTaskIds": t.super_task_ids,
        "subTaskIds": t.sub_task_ids,
        "responsibleIds": t.responsible_ids,
        "status": t.status,
        "importance": t.importance,
        "dates": t.dates,
        "scope": t.scope,
        "permalink": t.permalink,
    })
}

/// The launch parameters both blueprint kinds share.
const LAUNCH_PARAMS: &[&str] = &[
    "title",
    "titlePrefix",
    "copyDescriptions",
    "notifyResponsibles",
    "copyResponsibles",
    "copyCustomFields",
    "copyAttachments",
    "rescheduleDate",
    "rescheduleMode",
    "entryLimit",
];

fn placement(p: &Params, destination: Destination) -> Result<Placement, ApiError> {
    super::refuse_unsimulated(p, &["rescheduleDate", "rescheduleMode"])?;
    let flag = |name: &str, default: bool| p.bool(name).map(|v| v.unwrap_or(default));
    // Accepted as Wrike does; the simulator sends no notifications and blueprints hold no
    // attachments, so neither changes what is made.
    flag("notifyResponsibles", true)?;
    flag("copyAttachments", false)?;
    let entry_limit = match p.number("entryLimit")? {
        None => None,
        Some(n) if (1.0..=250.0).contains(&n) && n.fract() == 0.0 => Some(n as usize),
        Some(n) => {
            return Err(ApiError::invalid_parameter(
                "entryLimit",
                &format!("must be a whole number from 1 to 250, got {n}"),
            ));
        }
    };
    Ok(Placement {
        destination,
        title: p.required("title")?,
        prefix: p.text("titlePrefix").unwrap_or_default(),
        descriptions: flag("copyDescriptions", true)?,
        responsibles: flag("copyResponsibles", true)?,
        add_responsibles: Vec::new(),
        remove_responsibles: Vec::new(),
        custom_fields: flag("copyCustomFields", true)?,
        custom_statuses: true,
        statuses: true,
        entry_limit: entry_limit.or(Some(250)),
    })
}

/// The async job's answer when it starts: only its id.
fn started(job_id: &str) -> ApiResult {
    envelope("asyncJob", vec![json!({"id": job_id})])
}

/// `POST /folder_blueprints/{id}/launch_async`: `parent` and `title` required.
pub async fn launch_folder_blueprint(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let mut allowed = LAUNCH_PARAMS.to_vec();
    allowed.push("parent");
    p.allow(&allowed)?;
    let o = placement(&p, Destination::Folder(p.required("parent")?))?;
    let job = mutate(&sim, &c, |account, ctx| {
        account
            .blueprint_folders
            .iter()
            .find(|f| f.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("FolderBlueprint {id}")))?;
        let source = Source::subtree(&account.blueprint_folders, &account.blueprint_tasks, &id);
        let total = source.len();
        let (placed, events) = place(account, ctx, source, &o, "parent")?;
        let job = finished_job(
            account,
            "FolderBlueprintLaunch",
            total,
            json!({"folderId": placed.id()}),
        );
        Ok((job, events))
    })?;
    started(&job.id)
}

/// `POST /task_blueprints/{id}/launch_async`: `title` and one of `parentId` (a folder) or
/// `superTaskId` (a task), not both.
pub async fn launch_task_blueprint(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let mut allowed = LAUNCH_PARAMS.to_vec();
    allowed.extend(["parentId", "superTaskId"]);
    p.allow(&allowed)?;
    let o = placement(&p, destination(&p)?)?;
    let job = mutate(&sim, &c, |account, ctx| {
        account
            .blueprint_tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("TaskBlueprint {id}")))?;
        let source = Source {
            folders: Vec::new(),
            tasks: Source::with_subtasks(&account.blueprint_tasks, vec![id.clone()]),
        };
        let total = source.len();
        let (placed, events) = place(account, ctx, source, &o, "parentId")?;
        let job = finished_job(
            account,
            "TaskBlueprintLaunch",
            total,
            json!({"taskId": placed.id()}),
        );
        Ok((job, events))
    })?;
    started(&job.id)
}

/// `parentId` or `superTaskId`: exactly one.
fn destination(p: &Params) -> Result<Destination, ApiError> {
    match (p.text("parentId"), p.text("superTaskId")) {
        (Some(_), Some(_)) => Err(ApiError::invalid_request(
            "parentId and superTaskId cannot be set simultaneously",
        )),
        (Some(folder), None) => Ok(Destination::Folder(folder)),
        (None, Some(task)) => Ok(Destination::SuperTask(task)),
        (None, None) => Err(ApiError::invalid_request(
            "Either parentId or superTaskId is required",
        )),
    }
}

/// `GET /custom_item_types`.
pub async fn custom_item_types(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        envelope("customItemTypes", account.custom_item_types.clone())
    })
}

/// `POST /custom_item_types/{id}/instantiate`: `title` and one of `parentId` or
/// `superTaskId` (task types only). Answers the work made, as a task or a folder.
pub async fn instantiate(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["title", "parentId", "superTaskId"])?;
    let title = p.required("title")?;
    let destination = destination(&p)?;
    let made = mutate(&sim, &c, |account, ctx| {
        let item_type = account
            .custom_item_types
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("CustomItemType {id}")))?;
        let is_task = matches!(item_type.related_type, Some(RelatedType::Task));
        match (&destination, is_task) {
            (Destination::Folder(folder), true) => {
                let create = Params::from_json(
                    json!({"title": title})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                );
                let (mut task, events) =
                    super::work::apply_task_create(account, ctx, folder, &create)?;
                task.custom_item_type_id = Some(id.clone());
                if let Some(stored) = account.task_mut(&task.id) {
                    stored.custom_item_type_id = Some(id.clone());
                }
                Ok((Placed::Task(task), events))
            }
            (Destination::SuperTask(parent), true) => {
                let folder = account
                    .task(parent)
                    .filter(|t| t.scope == TreeScope::WsTask)
                    .and_then(|t| t.parent_ids.clone().unwrap_or_default().into_iter().next())
                    .ok_or_else(|| {
                        ApiError::invalid_parameter("superTaskId", &format!("no task {parent}"))
                    })?;
                let create = Params::from_json(
                    json!({"title": title, "superTasks": [parent]})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                );
                let (mut task, events) =
                    super::work::apply_task_create(account, ctx, &folder, &create)?;
                task.custom_item_type_id = Some(id.clone());
                if let Some(stored) = account.task_mut(&task.id) {
                    stored.custom_item_type_id = Some(id.clone());
                }
                Ok((Placed::Task(task), events))
            }
            (Destination::Folder(parent), false) => {
                let project = matches!(item_type.related_type, Some(RelatedType::Project));
                let mut body = json!({"title": title});
                if project {
                    body["project"] = json!({"ownerIds": [ctx.user_id]});
                }
                let create = Params::from_json(body.as_object().cloned().unwrap_or_default());
                let (mut folder, events) =
                    super::work::apply_folder_create(account, ctx, parent, &create)?;
                folder.custom_item_type_id = Some(id.clone());
                if let Some(stored) = account.folder_mut(&folder.id) {
                    stored.custom_item_type_id = Some(id.clone());
                }
                Ok((Placed::Folder(folder), events))
            }
            (Destination::SuperTask(_), false) => Err(ApiError::invalid_parameter(
                "superTaskId",
                &format!(
                    "{} makes folders or projects, which cannot go under a task",
                    item_type.title
                ),
            )),
        }
    })?;
    match made {
        Placed::Task(task) => envelope("tasks", vec![task]),
        Placed::Folder(folder) => envelope("folders", vec![folder]),
    }
}
