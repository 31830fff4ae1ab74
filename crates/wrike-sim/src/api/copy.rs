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

/// The folders under `root` (itself first) and the tasks in them.
fn subtree(account: &AccountData, root: &str) -> (Vec<String>, Vec<String>) {
    let mut folders = vec![root.to_owned()];
    let mut i = 0;
    while i < folders.len() {
        if let Some(f) = account.folder(&folders[i]) {
            folders.extend(f.child_ids.iter().cloned());
        }
        i += 1;
    }
    let tasks = account
        .tasks
        .iter()
        .filter(|t| t.scope == TreeScope::WsTask)
        .filter(|t| t.parent_ids.iter().flatten().any(|p| folders.contains(p)))
        .map(|t| t.id.clone())
        .collect();
    (folders, tasks)
}

/// Copies `source` under the options' parent; returns the new root and the events.
fn copy(
    account: &mut AccountData,
    ctx: &super::Ctx,
    source: &str,
    o: &CopyOptions,
) -> Result<(Folder, Vec<EventDraft>), ApiError> {
    account
        .folder(source)
        .filter(|f| matches!(f.scope, TreeScope::WsFolder))
        .ok_or_else(|| ApiError::not_found(&format!("Folder {source}")))?;
    account
        .folder(&o.parent)
        .filter(|f| !matches!(f.scope, TreeScope::RbFolder | TreeScope::RbRoot))
        .ok_or_else(|| ApiError::invalid_parameter("parent", &format!("no folder {}", o.parent)))?;
    if account.ancestors(&o.parent).iter().any(|a| a == source) || o.parent == source {
        return Err(ApiError::invalid_parameter(
            "parent",
            "a folder cannot be copied into itself",
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
    let (folders, tasks) = subtree(account, source);
    if let Some(limit) = o.entry_limit
        && folders.len() + tasks.len() > limit
    {
        return Err(ApiError::invalid_request(&format!(
            "the folder holds {} entries, more than entryLimit {limit}",
            folders.len() + tasks.len()
        )));
    }
    // New ids first, so children and tasks point at their copied parents.
    let mut new_ids = std::collections::HashMap::new();
    for id in &folders {
        let seq = account.allocate();
        new_ids.insert(id.clone(), crate::ids::new_format("MQ", seq));
    }
    let mut events = Vec::new();
    let mut root = None;
    for id in &folders {
        let mut f = account.folder(id).cloned().expect("in the subtree");
        let seq = account.allocate();
        f.id = new_ids[id].clone();
        f.title = if id == source {
            o.title.clone()
        } else {
            format!("{}{}", o.prefix, f.title)
        };
        f.parent_ids = if id == source {
            vec![o.parent.clone()]
        } else {
            f.parent_ids
                .iter()
                .filter_map(|p| new_ids.get(p).cloned())
                .collect()
        };
        f.child_ids = f
            .child_ids
            .iter()
            .filter_map(|c| new_ids.get(c).cloned())
            .collect();
        f.super_parent_ids = Vec::new();
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
        if id == source {
            root = Some(f.clone());
        }
        account.folders.push(f);
    }
    let root = root.expect("the source is first");
    account
        .folder_mut(&o.parent)
        .expect("checked")
        .child_ids
        .push(root.id.clone());
    for id in &tasks {
        let mut t = account.task(id).cloned().expect("in the subtree");
        let seq = account.allocate();
        t.id = crate::ids::new_format("MA", seq);
        t.title = format!("{}{}", o.prefix, t.title);
        t.parent_ids = Some(
            t.parent_ids
                .iter()
                .flatten()
                .filter_map(|p| new_ids.get(p).cloned())
                .collect(),
        );
        t.created_date = ctx.now;
        t.updated_date = ctx.now;
        t.author_ids = Some(vec![ctx.user_id.clone()]);
        t.permalink = Some(format!(
            "https://www.wrike.com/open.htm?id={}",
            1_200_000_000 + seq
        ));
        // Links to other tasks are not copied: they would point outside the copy.
        t.super_task_ids = Some(Vec::new());
        t.sub_task_ids = Some(Vec::new());
        t.dependency_ids = Some(Vec::new());
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
        if !o.custom_statuses {
            t.custom_status_id = None;
        }
        events.push(EventDraft::task(
            WebhookEventType::TaskCreated,
            &ctx.user_id,
            &t.id,
            json!({}),
        ));
        account.tasks.push(t);
    }
    Ok((root, events))
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
        let (root, events) = copy(account, ctx, &id, &options)?;
        let total = subtree(account, &root.id);
        let seq = account.allocate();
        let job = SimAsyncJob {
            id: crate::ids::entity(account.id(), "AJ", seq),
            kind: "CopyFolder".into(),
            total: total.0.len() + total.1.len(),
            result: json!({"folderId": root.id}),
            polls: 0,
        };
        account.async_jobs.push(job.clone());
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
