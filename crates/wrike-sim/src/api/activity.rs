//! Comments, timelogs and attachment metadata.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::response::IntoResponse;
use chrono::Duration;
use serde_json::{Value, json};
use wrike_api::models::*;

use super::{Range, by_ids, ip_for_api, mutate, read, split_ids};
use crate::generate::audit_record;
use crate::hooks::EventDraft;
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::AccountData;

fn on_lower_plan(account: &AccountData) -> bool {
    matches!(account.plan, Plan::Free | Plan::Premium)
}

/// `GET /comments`: account-wide, plan-gated, `updatedDate` range shorter than 7 days
/// (the last 7 days when absent).
pub async fn comments(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&["plainText", "updatedDate", "limit", "types", "fields"])?;
    let now = sim.clock.now();
    let range: Range = p.json("updatedDate")?.unwrap_or(Range {
        start: Some(now - Duration::days(7)),
        end: Some(now),
    });
    let (start, end) = (
        range.start.unwrap_or(now - Duration::days(7)),
        range.end.unwrap_or(now),
    );
    if end - start > Duration::days(7) {
        return Err(ApiError::invalid_parameter(
            "updatedDate",
            "the range must be shorter than 7 days",
        ));
    }
    let limit = p.number("limit")?.map_or(1000, |n| n.max(0.0) as usize);
    read(&sim, &c, |account, _| {
        if on_lower_plan(account) {
            return Err(ApiError::not_allowed(
                "Account-wide comment listing is not available on this plan",
            ));
        }
        let data: Vec<Comment> = account
            .comments
            .iter()
            .filter(|cm| {
                cm.updated_date.unwrap_or(cm.created_date) >= start
                    && cm.updated_date.unwrap_or(cm.created_date) <= end
            })
            .take(limit)
            .cloned()
            .collect();
        envelope("comments", data)
    })
}

pub async fn task_comments(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["plainText", "fields"])?;
    read(&sim, &c, |account, _| {
        account
            .task(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))?;
        envelope(
            "comments",
            account
                .comments
                .iter()
                .filter(|cm| cm.task_id.as_deref() == Some(&id))
                .cloned()
                .collect(),
        )
    })
}

pub async fn folder_comments(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["plainText", "fields"])?;
    read(&sim, &c, |account, _| {
        account
            .folder(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Folder {id}")))?;
        envelope(
            "comments",
            account
                .comments
                .iter()
                .filter(|cm| cm.folder_id.as_deref() == Some(&id))
                .cloned()
                .collect(),
        )
    })
}

pub async fn comments_by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["plainText"])?;
    let ids = split_ids(&ids)?;
    read(&sim, &c, |account, _| {
        let data: Vec<_> = by_ids(&account.comments, &ids, |cm| &cm.id, "Comment")?
            .into_iter()
            .cloned()
            .collect();
        envelope("comments", data)
    })
}

fn create_comment(
    sim: &Sim,
    c: &Caller,
    task: Option<String>,
    folder: Option<String>,
    p: &Params,
) -> ApiResult {
    p.allow(&["text", "plainText"])?;
    let text = p.required("text")?;
    let comment = mutate(sim, c, |account, ctx| {
        let title = match (&task, &folder) {
            (Some(t), _) => account
                .task(t)
                .map(|t| t.title.clone())
                .ok_or_else(|| ApiError::not_found(&format!("Task {t}")))?,
            (_, Some(f)) => account
                .folder(f)
                .map(|f| f.title.clone())
                .ok_or_else(|| ApiError::not_found(&format!("Folder {f}")))?,
            _ => unreachable!("one parent"),
        };
        let seq = account.allocate();
        let comment = Comment {
            id: crate::ids::entity(account.id(), "IM", seq),
            author_id: ctx.user_id.clone(),
            text: text.clone(),
            created_date: ctx.now,
            updated_date: Some(ctx.now),
            task_id: task.clone(),
            folder_id: folder.clone(),
        };
        account.comments.push(comment.clone());
        if let Some(user) = account.user(&ctx.user_id).cloned() {
            let object = task.clone().or(folder.clone()).unwrap_or_default();
            let record = audit_record(
                account.id(),
                seq,
                AuditOperation::TaskCommentChanged,
                &user,
                ctx.now,
                ip_for_api(),
                Some((AuditObjectType::Comment, &title, &object)),
                serde_json::Map::new(),
            );
            account.push_audit(record);
        }
        let payload = json!({"commentId": comment.id, "comment": {"text": text, "html": text}});
        let event = match (&task, &folder) {
            (Some(t), _) => {
                EventDraft::task(WebhookEventType::CommentAdded, &ctx.user_id, t, payload)
            }
            (_, Some(f)) => EventDraft::folder(
                WebhookEventType::FolderCommentAdded,
                &ctx.user_id,
                f,
                payload,
            ),
            _ => unreachable!("one parent"),
        };
        Ok((comment, vec![event]))
    })?;
    envelope("comments", vec![comment])
}

pub async fn create_task_comment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    create_comment(&sim, &c, Some(id), None, &p)
}

pub async fn create_folder_comment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    create_comment(&sim, &c, None, Some(id), &p)
}

pub async fn delete_comment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    mutate(&sim, &c, |account, ctx| {
        let comment = account
            .comments
            .iter()
            .find(|cm| cm.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("Comment {id}")))?;
        if comment.author_id != ctx.user_id
            && !account.user(&ctx.user_id).is_some_and(|u| u.is_admin())
        {
            return Err(ApiError::forbidden(
                "Only the author or an administrator can delete this comment",
            ));
        }
        account.comments.retain(|cm| cm.id != id);
        let payload = json!({"commentId": id});
        let events = match (&comment.task_id, &comment.folder_id) {
            (Some(t), _) => vec![EventDraft::task(
                WebhookEventType::CommentDeleted,
                &ctx.user_id,
                t,
                payload,
            )],
            (None, Some(f)) => vec![EventDraft::folder(
                WebhookEventType::FolderCommentDeleted,
                &ctx.user_id,
                f,
                payload,
            )],
            (None, None) => Vec::new(),
        };
        Ok(((), events))
    })?;
    envelope::<Value>("comments", Vec::new())
}

/// The filters both timelog listings evaluate: `createdDate` and `updatedDate` (time
/// ranges), `trackedDate` (a range of days, `yyyy-MM-dd`), and `me` (the caller's own).
struct TimelogFilter {
    created: Option<Range>,
    updated: Option<Range>,
    tracked: Option<DayRange>,
    me: bool,
    /// `timelogCategories`: only timelogs in one of these.
    categories: Option<Vec<String>>,
}

/// `{"start": "yyyy-MM-dd", "end": "yyyy-MM-dd"}`, both ends included, either optional.
#[derive(serde::Deserialize, Default)]
struct DayRange {
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
}

impl TimelogFilter {
    fn of(p: &Params) -> Result<TimelogFilter, ApiError> {
        Ok(TimelogFilter {
            created: p.json("createdDate")?,
            updated: p.json("updatedDate")?,
            tracked: p.json("trackedDate")?,
            me: p.bool("me")?.unwrap_or(false),
            categories: p.list("timelogCategories")?,
        })
    }

    fn keeps(&self, t: &Timelog, caller: &Caller) -> bool {
        self.created
            .as_ref()
            .is_none_or(|r| r.contains(&t.created_date))
            && self
                .updated
                .as_ref()
                .is_none_or(|r| r.contains(&t.updated_date))
            && self.tracked.as_ref().is_none_or(|r| {
                r.start.is_none_or(|s| t.tracked_date >= s)
                    && r.end.is_none_or(|e| t.tracked_date <= e)
            })
            && (!self.me || t.user_id == caller.user_id)
            && self
                .categories
                .as_ref()
                .is_none_or(|c| t.category_id.as_ref().is_some_and(|id| c.contains(id)))
    }
}

pub async fn timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "createdDate",
        "updatedDate",
        "trackedDate",
        "me",
        "descendants",
        "subTasks",
        "plainText",
        "timelogCategories",
        "billingTypes",
        "fields",
    ])?;
    super::refuse_unsimulated(&p, &["billingTypes"])?;
    let filter = TimelogFilter::of(&p)?;
    read(&sim, &c, |account, _| {
        let data = account
            .timelogs
            .iter()
            .filter(|t| filter.keeps(t, &c))
            .cloned()
            .collect();
        envelope("timelogs", data)
    })
}

/// Parameters the listings of one task's or one category's timelogs take.
const SCOPED_TIMELOG_PARAMS: &[&str] = &[
    "createdDate",
    "updatedDate",
    "trackedDate",
    "me",
    "plainText",
    "fields",
];

/// The timelogs `belongs` picks, filtered as every listing is, once `exists` found what they
/// belong to (or answered 404).
fn scoped_timelogs(
    sim: &Sim,
    c: &Caller,
    p: &Params,
    exists: impl FnOnce(&AccountData) -> Result<(), ApiError>,
    belongs: impl Fn(&Timelog) -> bool,
) -> ApiResult {
    p.allow(SCOPED_TIMELOG_PARAMS)?;
    let filter = TimelogFilter::of(p)?;
    read(sim, c, |account, _| {
        exists(account)?;
        envelope(
            "timelogs",
            account
                .timelogs
                .iter()
                .filter(|t| belongs(t) && filter.keeps(t, c))
                .cloned()
                .collect(),
        )
    })
}

pub async fn task_timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let exists = |account: &AccountData| {
        account
            .task(&id)
            .map(drop)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))
    };
    scoped_timelogs(&sim, &c, &p, exists, |t| t.task_id == id)
}

/// `POST /tasks/{id}/timelogs`: `hours`, `trackedDate` and `comment` are all required
/// (Wrike answers `invalid_parameter` when one is missing).
pub async fn create_timelog(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "comment",
        "hours",
        "trackedDate",
        "plainText",
        "categoryId",
        "onBehalfOf",
    ])?;
    let missing = ["hours", "trackedDate", "comment"]
        .into_iter()
        .find(|n| p.text(n).is_none());
    if let Some(name) = missing {
        return Err(ApiError::invalid_parameter(name, "is required"));
    }
    let hours = p.number("hours")?.unwrap_or(0.0);
    if !(hours > 0.0 && hours <= 24.0) {
        return Err(ApiError::invalid_parameter(
            "hours",
            "must be more than 0 and at most 24",
        ));
    }
    let tracked = p.text("trackedDate").unwrap_or_default();
    let tracked: chrono::NaiveDate = tracked.parse().map_err(|_| {
        ApiError::invalid_parameter("trackedDate", &format!("'{tracked}' is not yyyy-MM-dd"))
    })?;
    let timelog = mutate(&sim, &c, |account, ctx| {
        if on_lower_plan(account) {
            return Err(ApiError::not_allowed(
                "Time tracking is not available on this plan",
            ));
        }
        account
            .task(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))?;
        let category = p.text("categoryId");
        if let Some(c) = &category
            && !account
                .timelog_categories
                .iter()
                .any(|k| &k.id == c && !k.hidden)
        {
            return Err(ApiError::invalid_parameter(
                "categoryId",
                &format!("no timelog category {c} in use in this account"),
            ));
        }
        let seq = account.allocate();
        let timelog = Timelog {
            id: crate::ids::entity(account.id(), "JQ", seq),
            task_id: id.clone(),
            user_id: ctx.user_id.clone(),
            category_id: category,
            billing_type: None,
            hours,
            created_date: ctx.now,
            updated_date: ctx.now,
            tracked_date: tracked,
            comment: p.text("comment").unwrap_or_default(),
        };
        account.timelogs.push(timelog.clone());
        Ok((
            timelog.clone(),
            vec![EventDraft::task(
                WebhookEventType::TimelogChanged,
                &ctx.user_id,
                &id,
                json!({"timeTrackerId": timelog.id, "hours": hours, "type": "Added"}),
            )],
        ))
    })?;
    envelope("timelogs", vec![timelog])
}

pub async fn task_attachments(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["versions", "withUrls", "createdDate"])?;
    read(&sim, &c, |account, _| {
        account
            .task(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))?;
        envelope(
            "attachments",
            account
                .attachments
                .iter()
                .filter(|a| a.task_id.as_deref() == Some(&id))
                .cloned()
                .collect(),
        )
    })
}

pub async fn folder_attachments(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["versions", "withUrls", "createdDate"])?;
    read(&sim, &c, |account, _| {
        account
            .folder(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Folder {id}")))?;
        envelope(
            "attachments",
            account
                .attachments
                .iter()
                .filter(|a| a.folder_id.as_deref() == Some(&id))
                .cloned()
                .collect(),
        )
    })
}

pub async fn attachments_by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["versions", "withUrls"])?;
    let ids = split_ids(&ids)?;
    read(&sim, &c, |account, _| {
        let data: Vec<_> = by_ids(&account.attachments, &ids, |a| &a.id, "Attachment")?
            .into_iter()
            .cloned()
            .collect();
        envelope("attachments", data)
    })
}

/// `GET /attachments/{id}/download`: the file's bytes, with its type and name.
pub async fn download_attachment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let (attachment, bytes) = read(&sim, &c, |account, _| {
        let attachment = account
            .attachment(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("Attachment {id}")))?;
        let bytes = account.attachment_bytes.get(&id).cloned();
        Ok((attachment, bytes))
    })?;
    // A generated attachment has only a size: its bytes are a repeated filler.
    let bytes = bytes.map(|b| b.as_ref().clone()).unwrap_or_else(|| {
        let size = attachment.size.unwrap_or(0).clamp(0, MAX_UPLOAD as i64) as usize;
        b"weft-sim ".iter().copied().cycle().take(size).collect()
    });
    let content_type = attachment
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attachment.name.replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Largest upload the simulator keeps.
const MAX_UPLOAD: usize = 10 << 20;

/// `POST /tasks/{id}/attachments`: the body is the file, `X-File-Name` its name.
pub async fn upload_task_attachment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult {
    upload(&sim, &c, Some(id), None, &headers, &body)
}

/// `POST /folders/{id}/attachments`.
pub async fn upload_folder_attachment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult {
    upload(&sim, &c, None, Some(id), &headers, &body)
}

fn upload(
    sim: &Sim,
    c: &Caller,
    task: Option<String>,
    folder: Option<String>,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> ApiResult {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // Wrike keeps the header's whole value as the name; bytes outside ASCII are kept too.
    let name = headers
        .get("x-file-name")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::invalid_request("The X-File-Name header is required"))?;
    if body.is_empty() {
        return Err(ApiError::invalid_request(
            "The request body (the file) is empty",
        ));
    }
    if body.len() > MAX_UPLOAD {
        return Err(ApiError::invalid_request(
            "The file is larger than the simulator keeps (10 MB)",
        ));
    }
    let content_type = header("content-type").unwrap_or_else(|| "application/octet-stream".into());
    let attachment = mutate(sim, c, |account, ctx| {
        match (&task, &folder) {
            (Some(t), _) => account
                .task(t)
                .map(drop)
                .ok_or_else(|| ApiError::not_found(&format!("Task {t}")))?,
            (_, Some(f)) => account
                .folder(f)
                .map(drop)
                .ok_or_else(|| ApiError::not_found(&format!("Folder {f}")))?,
            _ => unreachable!("one parent"),
        }
        let seq = account.allocate();
        let attachment = Attachment {
            id: crate::ids::entity(account.id(), "IY", seq),
            author_id: ctx.user_id.clone(),
            name: name.clone(),
            created_date: ctx.now,
            version: Some("1".into()),
            attachment_type: Some("Wrike".into()),
            content_type: Some(content_type.clone()),
            size: Some(body.len() as i64),
            task_id: task.clone(),
            folder_id: folder.clone(),
            comment_id: None,
            current_attachment_id: None,
            url: None,
        };
        account.attachments.push(attachment.clone());
        account
            .attachment_bytes
            .insert(attachment.id.clone(), Arc::new(body.to_vec()));
        let count = |account: &AccountData| {
            account
                .attachments
                .iter()
                .filter(|a| a.task_id == task && a.folder_id == folder)
                .count() as u32
        };
        let n = count(account);
        let payload = json!({"attachmentId": attachment.id});
        let event = match (&task, &folder) {
            (Some(t), _) => {
                let task = account.task_mut(t).expect("checked");
                task.has_attachments = Some(true);
                task.attachment_count = Some(n);
                EventDraft::task(WebhookEventType::AttachmentAdded, &ctx.user_id, t, payload)
            }
            (_, Some(f)) => {
                let folder = account.folder_mut(f).expect("checked");
                folder.has_attachments = Some(true);
                folder.attachment_count = Some(n);
                EventDraft::folder(
                    WebhookEventType::FolderAttachmentAdded,
                    &ctx.user_id,
                    f,
                    payload,
                )
            }
            _ => unreachable!("one parent"),
        };
        Ok((attachment, vec![event]))
    })?;
    envelope("attachments", vec![attachment])
}

/// `DELETE /attachments/{id}`.
pub async fn delete_attachment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    mutate(&sim, &c, |account, ctx| {
        let attachment = account
            .attachment(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("Attachment {id}")))?;
        account.attachments.retain(|a| a.id != id);
        account.attachment_bytes.remove(&id);
        let left = account
            .attachments
            .iter()
            .filter(|a| a.task_id == attachment.task_id && a.folder_id == attachment.folder_id)
            .count() as u32;
        let payload = json!({"attachmentId": id});
        let events = match (&attachment.task_id, &attachment.folder_id) {
            (Some(t), _) => {
                if let Some(task) = account.task_mut(t) {
                    task.attachment_count = Some(left);
                    task.has_attachments = Some(left > 0);
                }
                vec![EventDraft::task(
                    WebhookEventType::AttachmentDeleted,
                    &ctx.user_id,
                    t,
                    payload,
                )]
            }
            (None, Some(f)) => {
                if let Some(folder) = account.folder_mut(f) {
                    folder.attachment_count = Some(left);
                    folder.has_attachments = Some(left > 0);
                }
                vec![EventDraft::folder(
                    WebhookEventType::FolderAttachmentDeleted,
                    &ctx.user_id,
                    f,
                    payload,
                )]
            }
            (None, None) => Vec::new(),
        };
        Ok(((), events))
    })?;
    envelope::<Value>("attachments", Vec::new())
}

/// `GET /timelog_categories`: the account's categories, hidden ones included (timelogs kept
/// from before a category was hidden still name it).
pub async fn timelog_categories(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        envelope("timelogCategories", account.timelog_categories.clone())
    })
}

/// `GET /timelog_categories/{id}/timelogs`: the timelogs of one category, filtered as the
/// other listings are.
pub async fn category_timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let exists = |account: &AccountData| {
        if account.timelog_categories.iter().any(|k| k.id == id) {
            Ok(())
        } else {
            Err(ApiError::not_found(&format!("TimelogCategory {id}")))
        }
    };
    scoped_timelogs(&sim, &c, &p, exists, |t| {
        t.category_id.as_deref() == Some(id.as_str())
    })
}
