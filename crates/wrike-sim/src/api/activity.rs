//! Comments and attachments.

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

pub fn on_lower_plan(account: &AccountData) -> bool {
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
    Ok(file_response(&attachment, bytes))
}

/// An attachment's bytes as a download answers them.
fn file_response(attachment: &Attachment, bytes: Option<Arc<Vec<u8>>>) -> axum::response::Response {
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
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// How long a link from `GET /attachments/{id}/url` works.
const LINK_LIFETIME: Duration = Duration::hours(24);

/// `GET /attachments/{id}/url`: a link to the file that needs no token, valid for 24 hours.
pub async fn attachment_url(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Extension(dc): Extension<crate::gate::DcIndex>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let token = mutate(&sim, &c, |account, ctx| {
        account
            .attachment(&id)
            .filter(|a| a.size.unwrap_or(0) >= 0)
            .ok_or_else(|| ApiError::not_found(&format!("Attachment {id}")))?;
        let token = crate::ids::secret(40);
        account.attachment_links.retain(|l| l.expires_at > ctx.now);
        account.attachment_links.push(crate::world::AttachmentLink {
            token: token.clone(),
            attachment_id: id.clone(),
            expires_at: ctx.now + LINK_LIFETIME,
        });
        Ok((token, Vec::new()))
    })?;
    let center = sim.data_center(dc.0);
    let url = format!(
        "{}://{}/attachment_links/{token}",
        center.scheme, center.host
    );
    envelope("url", vec![json!({"url": url})])
}

/// `GET /attachment_links/{token}` (outside the API, no token): the linked file while the
/// link lasts, 404 after.
pub async fn linked_file(State(sim): State<Arc<Sim>>, Path(token): Path<String>) -> ApiResult {
    let now = sim.clock.now();
    let world = sim.read();
    for account in &world.accounts {
        let Some(link) = account
            .attachment_links
            .iter()
            .find(|l| l.token == token && l.expires_at > now)
        else {
            continue;
        };
        if let Some(attachment) = account.attachment(&link.attachment_id) {
            let bytes = account.attachment_bytes.get(&attachment.id).cloned();
            return Ok(file_response(attachment, bytes));
        }
    }
    Err(ApiError::not_found("Attachment link"))
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

/// The name and type of a file sent as a request's body.
struct FileBody {
    name: String,
    content_type: String,
}

impl FileBody {
    fn of(headers: &axum::http::HeaderMap, body: &[u8]) -> Result<FileBody, ApiError> {
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
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| "application/octet-stream".into());
        Ok(FileBody { name, content_type })
    }
}

fn upload(
    sim: &Sim,
    c: &Caller,
    task: Option<String>,
    folder: Option<String>,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> ApiResult {
    let FileBody { name, content_type } = FileBody::of(headers, body)?;
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

/// `PUT /attachments/{id}`: a new version of the file (the body, named by `X-File-Name`);
/// the attachment keeps its id and its version number goes up.
pub async fn update_attachment(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult {
    let file = FileBody::of(&headers, &body)?;
    let attachment = mutate(&sim, &c, |account, ctx| {
        let a = account
            .attachments
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Attachment {id}")))?;
        if a.size.unwrap_or(0) < 0 {
            return Err(ApiError::invalid_request(
                "this attachment links to another service; it has no versions in Wrike",
            ));
        }
        let version = a
            .version
            .as_deref()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1);
        a.version = Some((version + 1).to_string());
        a.name = file.name.clone();
        a.content_type = Some(file.content_type.clone());
        a.size = Some(body.len() as i64);
        a.created_date = ctx.now;
        a.author_id = ctx.user_id.clone();
        let a = a.clone();
        account
            .attachment_bytes
            .insert(id.clone(), Arc::new(body.to_vec()));
        Ok((a, Vec::new()))
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
