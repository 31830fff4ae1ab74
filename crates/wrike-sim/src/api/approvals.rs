//! Approvals on tasks and folders: listed (by status, approver, pending approver, update
//! time; paged), read by id, created, changed, finished and cancelled. Approvers decide in
//! Wrike's own interface, which the API does not offer: the control API stands in for it
//! (`POST /_sim/approvals/{id}/decisions`), and `decide` applies a decision as Wrike would.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use chrono::{DateTime, Utc};
use wrike_api::models::*;

use serde_json::json;

use super::paging::OffsetPaging;
use super::{Range, by_ids, mutate, read, split_ids};
use crate::hooks::EventDraft;
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::AccountData;

const LIST_PARAMS: &[&str] = &[
    "statuses",
    "updatedDate",
    "approvers",
    "pendingApprovers",
    "limit",
    "pageSize",
    "nextPageToken",
];

/// What an approval lists under: a task or a folder, or the whole account.
enum Scope {
    Account,
    Task(String),
    Folder(String),
}

fn list(sim: &Sim, c: &Caller, scope: Scope, p: Params) -> ApiResult {
    p.allow(LIST_PARAMS)?;
    let path = match &scope {
        Scope::Account => "approvals".to_owned(),
        Scope::Task(id) => format!("tasks/{id}/approvals"),
        Scope::Folder(id) => format!("folders/{id}/approvals"),
    };
    let paging = OffsetPaging::of(&p, &c.account_id, &path)?;
    let params = &paging.params;
    let statuses: Option<Vec<ApprovalStatus>> = params
        .list("statuses")?
        .map(|v| v.iter().map(|s| ApprovalStatus::from(s.as_str())).collect());
    if let Some(bad) = statuses.iter().flatten().find(|s| !s.is_known()) {
        return Err(ApiError::invalid_parameter(
            "statuses",
            &format!("unknown status '{bad}'"),
        ));
    }
    let updated: Option<Range> = params.json("updatedDate")?;
    let approvers = params.list("approvers")?;
    let pending = params.list("pendingApprovers")?;
    let limit = params.number("limit")?.map(|n| n.max(0.0) as usize);
    read(sim, c, |account, _| {
        match &scope {
            Scope::Task(id) if account.task(id).is_none() => {
                return Err(ApiError::not_found(&format!("Task {id}")));
            }
            Scope::Folder(id) if account.folder(id).is_none() => {
                return Err(ApiError::not_found(&format!("Folder {id}")));
            }
            _ => {}
        }
        let mut matched: Vec<&Approval> = account
            .approvals
            .iter()
            .filter(|a| match &scope {
                Scope::Account => true,
                Scope::Task(id) => a.task_id.as_ref() == Some(id),
                Scope::Folder(id) => a.folder_id.as_ref() == Some(id),
            })
            .filter(|a| {
                statuses
                    .as_ref()
                    .is_none_or(|s| a.status.as_ref().is_some_and(|x| s.contains(x)))
            })
            .filter(|a| updated.as_ref().is_none_or(|r| r.contains(&a.updated_date)))
            .filter(|a| {
                approvers
                    .as_ref()
                    .is_none_or(|ids| a.decisions.iter().any(|d| ids.contains(&d.approver_id)))
            })
            .filter(|a| {
                pending.as_ref().is_none_or(|ids| {
                    a.decisions.iter().any(|d| {
                        d.status == DecisionStatus::Pending && ids.contains(&d.approver_id)
                    })
                })
            })
            .collect();
        matched.sort_by(|a, b| (b.updated_date, &b.id).cmp(&(a.updated_date, &a.id)));
        if let Some(limit) = limit {
            matched.truncate(limit);
        }
        paging.answer("approvals", &matched, |a| {
            serde_json::to_value(a).unwrap_or_default()
        })
    })
}

pub async fn all(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    list(&sim, &c, Scope::Account, p)
}

pub async fn of_task(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    list(&sim, &c, Scope::Task(id), p)
}

pub async fn of_folder(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    list(&sim, &c, Scope::Folder(id), p)
}

pub async fn by_id(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let ids = split_ids(&ids)?;
    read(&sim, &c, |account, _| {
        let found = by_ids(&account.approvals, &ids, |a| &a.id, "Approval")?;
        envelope("approvals", found.into_iter().cloned().collect())
    })
}

fn due_date(p: &Params) -> Result<Option<String>, ApiError> {
    match p.text("dueDate") {
        None => Ok(None),
        Some(day) => chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map(|d| Some(d.to_string()))
            .map_err(|_| {
                ApiError::invalid_parameter("dueDate", &format!("'{day}' is not yyyy-MM-dd"))
            }),
    }
}

fn people(account: &AccountData, p: &Params, name: &str) -> Result<Vec<String>, ApiError> {
    let ids = p.list(name)?.unwrap_or_default();
    match ids.iter().find(|id| account.user(id).is_none()) {
        Some(unknown) => Err(ApiError::invalid_parameter(
            name,
            &format!("no user {unknown} in this account"),
        )),
        None => Ok(ids),
    }
}

fn create(sim: &Sim, c: &Caller, on: Scope, p: Params) -> ApiResult {
    p.allow(&[
        "description",
        "dueDate",
        "approvers",
        "attachmentIds",
        "autoFinishOnApprove",
        "autoFinishOnReject",
    ])?;
    let due = due_date(&p)?;
    let approval = mutate(sim, c, |account, ctx| {
        let (task_id, folder_id, title) = match &on {
            Scope::Task(id) => {
                let t = account
                    .task(id)
                    .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))?;
                (Some(id.clone()), None, t.title.clone())
            }
            Scope::Folder(id) => {
                let f = account
                    .folder(id)
                    .ok_or_else(|| ApiError::not_found(&format!("Folder {id}")))?;
                (None, Some(id.clone()), f.title.clone())
            }
            Scope::Account => unreachable!("approvals are created on a task or a folder"),
        };
        let approvers = people(account, &p, "approvers")?;
        if approvers.is_empty() {
            return Err(ApiError::parameter_required("approvers"));
        }
        let seq = account.allocate();
        let approval = Approval {
            id: crate::ids::entity(account.id(), "AP", seq),
            task_id,
            folder_id,
            author_id: ctx.user_id.clone(),
            title,
            description: Some(p.text("description").unwrap_or_default()),
            updated_date: ctx.now,
            due_date: due.clone(),
            decisions: approvers
                .iter()
                .map(|a| ApprovalDecision {
                    approver_id: a.clone(),
                    comment: None,
                    status: DecisionStatus::Pending,
                    updated_date: Some(ctx.now),
                })
                .collect(),
            status: Some(ApprovalStatus::Pending),
            attachment_ids: Some(p.list("attachmentIds")?.unwrap_or_default()),
            approval_type: Some("Regular".into()),
            auto_finish_on_approve: Some(p.bool("autoFinishOnApprove")?.unwrap_or(true)),
            auto_finish_on_reject: Some(p.bool("autoFinishOnReject")?.unwrap_or(true)),
            finished: false,
            finisher_id: None,
        };
        account.approvals.push(approval.clone());
        let events = status_event(None, &approval, &ctx.user_id)
            .into_iter()
            .collect();
        Ok((approval, events))
    })?;
    envelope("approvals", vec![approval])
}

pub async fn create_on_task(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    create(&sim, &c, Scope::Task(id), p)
}

pub async fn create_on_folder(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    create(&sim, &c, Scope::Folder(id), p)
}

/// The webhook event of an approval on its task or folder: `task` names the task kind of
/// event, `folder` the folder kind. The payload's field names are the simulator's reading
/// of the event names (Wrike documents the events, not their payloads).
fn approval_event(
    a: &Approval,
    by: &str,
    kinds: (WebhookEventType, WebhookEventType),
    payload: serde_json::Value,
) -> Option<EventDraft> {
    match (&a.task_id, &a.folder_id) {
        (Some(t), _) => Some(EventDraft::task(kinds.0, by, t, payload)),
        (None, Some(f)) => Some(EventDraft::folder(kinds.1, by, f, payload)),
        (None, None) => None,
    }
}

/// The status event, when the approval's status is not what it was.
fn status_event(old: Option<&ApprovalStatus>, a: &Approval, by: &str) -> Option<EventDraft> {
    if old == a.status.as_ref() {
        return None;
    }
    approval_event(
        a,
        by,
        (
            WebhookEventType::TaskApprovalStatusChanged,
            WebhookEventType::FolderApprovalStatusChanged,
        ),
        json!({"approvalId": a.id, "oldStatus": old, "status": a.status}),
    )
}

/// Where the decisions put an approval: rejected by any, approved by all, else pending.
fn settle(a: &mut Approval, by: &str) {
    let rejected = a
        .decisions
        .iter()
        .any(|d| d.status == DecisionStatus::Rejected);
    let approved = !a.decisions.is_empty()
        && a.decisions
            .iter()
            .all(|d| d.status == DecisionStatus::Approved);
    let (status, finish) = match (rejected, approved) {
        (true, _) => (
            ApprovalStatus::Rejected,
            a.auto_finish_on_reject.unwrap_or(true),
        ),
        (false, true) => (
            ApprovalStatus::Approved,
            a.auto_finish_on_approve.unwrap_or(true),
        ),
        _ => (ApprovalStatus::Pending, false),
    };
    a.status = Some(status);
    if finish && !a.finished {
        a.finished = true;
        a.finisher_id = Some(by.to_owned());
    }
}

/// `PUT /approvals/{id}`: description, due date, approvers, attachments, the auto-finish
/// rules, and `finished` (finishing it by hand).
pub async fn update(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "description",
        "dueDate",
        "addApprovers",
        "removeApprovers",
        "addAttachments",
        "removeAttachments",
        "autoFinishOnApprove",
        "autoFinishOnReject",
        "finished",
    ])?;
    let due = due_date(&p)?;
    let approval = mutate(&sim, &c, |account, ctx| {
        let add = people(account, &p, "addApprovers")?;
        let remove = p.list("removeApprovers")?.unwrap_or_default();
        let a = account
            .approvals
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Approval {id}")))?;
        if a.finished || a.status == Some(ApprovalStatus::Cancelled) {
            return Err(ApiError::invalid_request(
                "this approval is finished or cancelled",
            ));
        }
        let old_status = a.status.clone();
        if let Some(text) = p.text("description") {
            a.description = Some(text);
        }
        if due.is_some() {
            a.due_date = due.clone();
        }
        for person in add {
            if !a.decisions.iter().any(|d| d.approver_id == person) {
                a.decisions.push(ApprovalDecision {
                    approver_id: person,
                    comment: None,
                    status: DecisionStatus::Pending,
                    updated_date: Some(ctx.now),
                });
            }
        }
        a.decisions.retain(|d| !remove.contains(&d.approver_id));
        let attachments = a.attachment_ids.get_or_insert_with(Vec::new);
        for added in p.list("addAttachments")?.unwrap_or_default() {
            if !attachments.contains(&added) {
                attachments.push(added);
            }
        }
        let removed = p.list("removeAttachments")?.unwrap_or_default();
        attachments.retain(|x| !removed.contains(x));
        if let Some(v) = p.bool("autoFinishOnApprove")? {
            a.auto_finish_on_approve = Some(v);
        }
        if let Some(v) = p.bool("autoFinishOnReject")? {
            a.auto_finish_on_reject = Some(v);
        }
        settle(a, &ctx.user_id);
        if p.bool("finished")? == Some(true) {
            a.finished = true;
            a.finisher_id = Some(ctx.user_id.clone());
        }
        a.updated_date = ctx.now;
        let events = status_event(old_status.as_ref(), a, &ctx.user_id)
            .into_iter()
            .collect();
        Ok((a.clone(), events))
    })?;
    envelope("approvals", vec![approval])
}

/// `DELETE /approvals/{id}`: cancels it (it stays listed, as `Cancelled`).
pub async fn cancel(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let approval = mutate(&sim, &c, |account, ctx| {
        let a = account
            .approvals
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Approval {id}")))?;
        let old_status = a.status.clone();
        a.status = Some(ApprovalStatus::Cancelled);
        a.updated_date = ctx.now;
        let events = status_event(old_status.as_ref(), a, &ctx.user_id)
            .into_iter()
            .collect();
        Ok((a.clone(), events))
    })?;
    envelope("approvals", vec![approval])
}

/// An approver decides (what Wrike's interface does; the control API calls it): the
/// approval after, and the webhook events it fires (the decision, and the status when
/// the decision settled it).
pub fn decide(
    account: &mut AccountData,
    id: &str,
    approver: &str,
    status: DecisionStatus,
    comment: Option<String>,
    now: DateTime<Utc>,
) -> Result<(Approval, Vec<EventDraft>), String> {
    let a = account
        .approvals
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| format!("no approval {id}"))?;
    if a.finished || a.status == Some(ApprovalStatus::Cancelled) {
        return Err(format!("approval {id} is finished or cancelled"));
    }
    if status == DecisionStatus::Pending || !status.is_known() {
        return Err("a decision is Approved or Rejected".into());
    }
    let decision = a
        .decisions
        .iter_mut()
        .find(|d| d.approver_id == approver)
        .ok_or_else(|| format!("{approver} is not an approver of {id}"))?;
    decision.status = status.clone();
    decision.comment = comment.clone();
    decision.updated_date = Some(now);
    let old_status = a.status.clone();
    settle(a, approver);
    a.updated_date = now;
    let mut events: Vec<EventDraft> = approval_event(
        a,
        approver,
        (
            WebhookEventType::TaskApprovalDecisionChanged,
            WebhookEventType::FolderApprovalDecisionChanged,
        ),
        json!({"approvalId": a.id, "approverId": approver, "decision": status, "comment": comment}),
    )
    .into_iter()
    .collect();
    events.extend(status_event(old_status.as_ref(), a, approver));
    Ok((a.clone(), events))
}
