//! Copying a folder or project with everything under it: at once (`copy_folder`) or as an
//! asynchronous job polled through `/async_job/{id}` (`copy_folder_async`).

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use serde_json::json;
use wrike_api::models::*;

use super::mutate;
use crate::hooks::EventDraft;
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::{AccountData, SimAsyncJob};

const COPY_PARAMS: &[&str] = &[
    "parent",
    "title",
    "titlePrefix",
    "copyDescriptions",
    "copyResponsibles",
    "addResponsibles",
    "removeResponsibles",
    "copyCustomFields",
    "copyCustomStatuses",
    "copyStatuses",
    "copyParents",
    "rescheduleDate",
    "rescheduleMode",
    "entryLimit",
];

/// What a copy keeps and changes.
struct CopyOptions {
    parent: String,
    title: String,
    prefix: String,
    descriptions: bool,
    responsibles: bool,
    add_responsibles: Vec<String>,
    remove_responsibles: Vec<String>,
    custom_fields: bool,
    custom_statuses: bool,
    statuses: bool,
    entry_limit: Option<usize>,
}

impl CopyOptions {
    fn of(p: &Params) -> Result<CopyOptions, ApiError> {
        p.allow(COPY_PARAMS)?;
        super::refuse_unsimulated(p, &["copyParents", "rescheduleDate", "rescheduleMode"])?;
        let flag = |name: &str| p.bool(name).map(|v| v.unwrap_or(true));
        Ok(CopyOptions {
            parent: p.required("parent")?,
            title: p.required("title")?,
            prefix: p.text("titlePrefix").unwrap_or_default(),
            descriptions: flag("copyDescriptions")?,
            responsibles: flag("copyResponsibles")?,
            add_responsibles: p.list("addResponsibles")?.unwrap_or_default(),
            remove_responsibles: p.list("removeResponsibles")?.unwrap_or_default(),
            custom_fields: flag("copyCustomFields")?,
            custom_statuses: flag("copyCustomStatuses")?,
            statuses: flag("copyStatuses")?,
            entry_limit: p.number("entryLimit")?.map(|n| n.max(0.0) as usize),
        })
    }
}

/// What a copy takes: folders (the root first) and the tasks in them, as they are where they
/// live (the workspace, or the blueprints).
pub struct Source {
    pub folders: Vec<Folder>,
    pub tasks: Vec<Task>,
}

impl Source {
    /// The folder `root` of `folders` with every folder below it, and the tasks of `tasks`
    /// in any of them (with their subtasks, wherever those are filed).
    pub fn subtree(folders: &[Folder], tasks: &[Task], root: &str) -> Source {
        let mut ids = vec![root.to_owned()];
        let mut i = 0;
        while i < ids.len() {
            if let Some(f) = folders.iter().find(|f| f.id == ids[i]) {
                ids.extend(f.child_ids.iter().cloned());
            }
            i += 1;
        }
        let filed: Vec<String> = tasks
            .iter()
            .filter(|t| t.parent_ids.iter().flatten().any(|p| ids.contains(p)))
            .map(|t| t.id.clone())
            .collect();
        Source {
            folders: ids
                .iter()
                .filter_map(|id| folders.iter().find(|f| &f.id == id).cloned())
                .collect(),
            tasks: Source::with_subtasks(tasks, filed),
        }
    }

    /// The tasks named and all their subtasks, each once, in the order first reached.
    pub fn with_subtasks(tasks: &[Task], mut ids: Vec<String>) -> Vec<Task> {
        let mut i = 0;
        while i < ids.len() {
            if let Some(t) = tasks.iter().find(|t| t.id == ids[i]) {
                for sub in t.sub_task_ids.iter().flatten() {
                    if !ids.contains(sub) {
                        ids.push(sub.clone());
                    }
                }
            }
            i += 1;
        }
        ids.iter()
            .filter_map(|id| tasks.iter().find(|t| &t.id == id).cloned())
            .collect()
    }

    pub fn len(&self) -> usize {
        self.folders.len() + self.tasks.len()
    }
}

/// A workspace folder's subtree, or a 404.
fn workspace_source(account: &AccountData, root: &str) -> Result<Source, ApiError> {
    account
        .folder(root)
        .filter(|f| matches!(f.scope, TreeScope::WsFolder))
        .ok_or_else(|| ApiError::not_found(&format!("Folder {root}")))?;
    let tasks: Vec<Task> = account
        .tasks
        .iter()
        .filter(|t| t.scope == TreeScope::WsTask)
        .cloned()
        .collect();
    Ok(Source::subtree(&account.folders, &tasks, root))
}

/// Where the copied root goes: under a folder, or (tasks only) under a task.
pub enum Destination {
    Folder(String),
    SuperTask(String),
}

/// What a copy keeps and changes, whatever it copies.
pub struct Placement {
    pub destination: Destination,
    pub title: String,
    pub prefix: String,
    pub descriptions: bool,
    pub responsibles: bool,
    pub add_responsibles: Vec<String>,
    pub remove_responsibles: Vec<String>,
    pub custom_fields: bool,
    pub custom_statuses: bool,
    pub statuses: bool,
    pub entry_limit: Option<usize>,
}

impl From<&CopyOptions> for Placement {
    fn from(o: &CopyOptions) -> Placement {
        Placement {
            destination: Destination::Folder(o.parent.clone()),
            title: o.title.clone(),
            prefix: o.prefix.clone(),
            descriptions: o.descriptions,
            responsibles: o.responsibles,
            add_responsibles: o.add_responsibles.clone(),
            remove_responsibles: o.remove_responsibles.clone(),
            custom_fields: o.custom_fields,
            custom_statuses: o.custom_statuses,
            statuses: o.statuses,
            entry_limit: o.entry_limit,
        }
    }
}

/// What a placed copy made: its root (a folder, or a task when only tasks were copied).
pub enum Placed {
    Folder(Folder),
    Task(Task),
}

impl Placed {
    pub fn id(&self) -> &str {
        match self {
            Placed::Folder(f) => &f.id,
            Placed::Task(t) => &t.id,
        }
    }
}

/// Puts a copy of `source` into the workspace as `o` says, with new ids; links between
/// copied items (children, subtasks) follow the copy, links to anything else are dropped.
pub fn place(
    account: &mut AccountData,
    ctx: &super::Ctx,
    source: Source,
    o: &Placement,
    parameter: &str,
) -> Result<(Placed, Vec<EventDraft>), ApiError> {
    let (folder_parent, super_task) = match &o.destination {
        Destination::Folder(parent) => {
            account
                .folder(parent)
                .filter(|f| !matches!(f.scope, TreeScope::RbFolder | TreeScope::RbRoot))
                .filter(|f| !matches!(f.scope, TreeScope::BpFolder))
                .ok_or_else(|| {
                    ApiError::invalid_parameter(parameter, &format!("no folder {parent}"))
                })?;
            (Some(parent.clone()), None)
        }
        Destination::SuperTask(task) => {
            let parent = account
                .task(task)
                .filter(|t| t.scope == TreeScope::WsTask)
                .ok_or_else(|| {
                    ApiError::invalid_parameter("superTaskId", &format!("no task {task}"))
                })?;
            (
                None,
                Some((task.clone(), parent.parent_ids.clone().unwrap_or_default())),
            )
        }
    };
    if super_task.is_some() && !source.folders.is_empty() {
        return Err(ApiError::invalid_parameter(
            "superTaskId",
            "only task blueprints can be launched under a task",
        ));
    }
    for person in &o.add_responsibles {
        if account.user(person).is_none() {
            return Err(ApiError::invalid_parameter(
                "addResponsibles",
                &format!("no user {person} in this account"),
            ));
        }
    }
    if let Some(limit) = o.entry_limit
        && source.len() > limit
    {
        return Err(ApiError::invalid_request(&format!(
            "the copy holds {} entries, more than entryLimit {limit}",
            source.len()
        )));
    }
    // New ids first, so children, tasks and subtasks point at their copies.
    let mut new_ids = std::collections::HashMap::new();
    for f in &source.folders {
        let seq = account.allocate();
        new_ids.insert(f.id.clone(), crate::ids::new_format("MQ", seq));
    }
    for t in &source.tasks {
        let seq = account.allocate();
        new_ids.insert(t.id.clone(), crate::ids::new_format("MA", seq));
    }
    let follow = |ids: &[String]| -> Vec<String> {
        ids.iter().filter_map(|i| new_ids.get(i).cloned()).collect()
    };
    let root_folder = source.folders.first().map(|f| f.id.clone());
    let root_task = source.tasks.first().map(|t| t.id.clone());
    let mut events = Vec::new();
    let mut placed = None;
    for mut f in source.folders {
        let is_root = Some(&f.id) == root_folder.as_ref();
        let seq = account.allocate();
        let old_id = std::mem::take(&mut f.id);
        f.id = new_ids[&old_id].clone();
        f.title = if is_root {
            o.title.clone()
        } else {
            format!("{}{}", o.prefix, f.title)
        };
        f.parent_ids = if is_root {
            folder_parent.iter().cloned().collect()
        } else {
            follow(&f.parent_ids)
        };
        f.child_ids = follow(&f.child_ids);
        f.super_parent_ids = Vec::new();
        f.scope = TreeScope::WsFolder;
        f.created_date = Some(ctx.now);
        f.updated_date = Some(ctx.now);
        f.permalink = Some(format!(
            "https://www.wrike.com/open.htm?id={}",
            700_000_000 + seq
        ));
        if !o.descriptions {
            f.description = Some(String::new());
            f.brief_description = Some(String::new());
        }
        if !o.custom_fields {
            f.custom_fields = Some(Vec::new());
        }
        events.push(EventDraft::folder(
            WebhookEventType::FolderCreated,
            &ctx.user_id,
            &f.id,
            json!({}),
        ));
        if is_root {
            placed = Some(Placed::Folder(f.clone()));
        }
        account.folders.push(f);
    }
    for mut t in source.tasks {
        let is_root = root_folder.is_none() && Some(&t.id) == root_task.as_ref();
        let seq = account.allocate();
        let old_id = std::mem::take(&mut t.id);
        t.id = new_ids[&old_id].clone();
        t.title = if is_root {
            o.title.clone()
        } else {
            format!("{}{}", o.prefix, t.title)
        };
        let parents = if root_folder.is_some() {
            follow(t.parent_ids.as_deref().unwrap_or_default())
        } else {
            match (&folder_parent, &super_task) {
                (Some(parent), _) => vec![parent.clone()],
                (None, Some((_, parents))) => parents.clone(),
                (None, None) => Vec::new(),
            }
        };
        t.parent_ids = Some(parents);
        t.super_task_ids = Some(if is_root {
            super_task.iter().map(|(id, _)| id.clone()).collect()
        } else {
            follow(t.super_task_ids.as_deref().unwrap_or_default())
        });
        t.sub_task_ids = Some(follow(t.sub_task_ids.as_deref().unwrap_or_default()));
        // Dependencies are not copied: they would point outside the copy.
        t.dependency_ids = Some(Vec::new());
        t.scope = TreeScope::WsTask;
        t.created_date = ctx.now;
        t.updated_date = ctx.now;
        t.author_ids = Some(vec![ctx.user_id.clone()]);
        t.permalink = Some(format!(
            "https://www.wrike.com/open.htm?id={}",
            1_200_000_000 + seq
        ));
        if !o.descriptions {
            t.description = Some(String::new());
            t.brief_description = Some(String::new());
        }
        let mut responsibles = if o.responsibles {
            t.responsible_ids.clone().unwrap_or_default()
        } else {
            Vec::new()
        };
        responsibles.retain(|r| !o.remove_responsibles.contains(r));
        for r in &o.add_responsibles {
            if !responsibles.contains(r) {
                responsibles.push(r.clone());
            }
        }
        t.responsible_ids = Some(responsibles);
        if !o.custom_fields {
            t.custom_fields = Some(Vec::new());
        }
        if !o.statuses {
            t.status = TaskStatus::Active;
            t.completed_date = None;
        }
        if !o.custom_statuses || t.custom_status_id.is_none() {
            t.custom_status_id = account.status_for_group(&t.status);
        }
        events.push(EventDraft::task(
            WebhookEventType::TaskCreated,
            &ctx.user_id,
            &t.id,
            json!({}),
        ));
        if is_root {
            placed = Some(Placed::Task(t.clone()));
        }
        account.tasks.push(t);
    }
    let placed = placed.ok_or_else(|| ApiError::invalid_request("there is nothing to copy"))?;
    match (&placed, &folder_parent, &super_task) {
        (Placed::Folder(f), Some(parent), _) => account
            .folder_mut(parent)
            .expect("checked")
            .child_ids
            .push(f.id.clone()),
        (Placed::Task(t), _, Some((parent, _))) => account
            .task_mut(parent)
            .expect("checked")
            .sub_task_ids
            .get_or_insert_with(Vec::new)
            .push(t.id.clone()),
        _ => {}
    }
    Ok((placed, events))
}

/// Copies workspace folder `source` under the options' parent.
fn copy(
    account: &mut AccountData,
    ctx: &super::Ctx,
    source: &str,
    o: &CopyOptions,
) -> Result<(Folder, Vec<EventDraft>), ApiError> {
    let subtree = workspace_source(account, source)?;
    if account.ancestors(&o.parent).iter().any(|a| a == source) || o.parent == source {
        return Err(ApiError::invalid_parameter(
            "parent",
            "a folder cannot be copied into itself",
        ));
    }
    match place(account, ctx, subtree, &Placement::from(o), "parent")? {
        (Placed::Folder(root), events) => Ok((root, events)),
        (Placed::Task(_), _) => unreachable!("a folder's copy is rooted at a folder"),
    }
}

/// Registers an async job that has already done its work: the first poll finds it in
/// progress, later ones completed with `result`.
pub fn finished_job(
    account: &mut AccountData,
    kind: &str,
    total: usize,
    result: serde_json::Value,
) -> SimAsyncJob {
    let seq = account.allocate();
    let job = SimAsyncJob {
        id: crate::ids::entity(account.id(), "AJ", seq),
        kind: kind.into(),
        total,
        result,
        polls: 0,
    };
    account.async_jobs.push(job.clone());
    job
}

/// `POST /copy_folder/{id}`: the copy, answered at once.
pub async fn copy_folder(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let options = CopyOptions::of(&p)?;
    let root = mutate(&sim, &c, |account, ctx| copy(account, ctx, &id, &options))?;
    envelope("folders", vec![root])
}

/// `POST /copy_folder_async/{id}`: an async job whose result names the copy.
pub async fn copy_folder_async(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let options = CopyOptions::of(&p)?;
    let job = mutate(&sim, &c, |account, ctx| {
        let total = workspace_source(account, &id)?.len();
        let (root, events) = copy(account, ctx, &id, &options)?;
        let job = finished_job(account, "CopyFolder", total, json!({"folderId": root.id}));
        Ok((job, events))
    })?;
    envelope("asyncJob", vec![json!({"id": job.id})])
}

/// `GET /async_job/{id}`: in progress when first asked, completed after.
pub async fn async_job(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let job = mutate(&sim, &c, |account, _| {
        let job = account
            .async_jobs
            .iter_mut()
            .find(|j| j.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("AsyncJob {id}")))?;
        job.polls += 1;
        Ok((job.clone(), Vec::new()))
    })?;
    let done = job.polls > 1;
    let mut answer = json!({
        "id": job.id,
        "status": if done { "Completed" } else { "InProgress" },
        "type": job.kind,
        "progressPercent": if done { 100 } else { 50 },
        "totalCount": job.total,
        "processedCount": if done { job.total } else { job.total / 2 },
    });
    if done {
        answer["result"] = job.result.clone();
    }
    envelope("asyncJob", vec![answer])
}
