//! What each catalog action does, given its evaluated input: a Wrike call on the recipe's
//! connection, an HTTP request, a notification, a read of the hub's usage data. The runner
//! handles the control actions (`approval`, `control.stop`) itself.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Map, Value, json};
use weft_core::recipe::{Action, ActionKind, Privilege, raw_call_privilege};
use weft_core::usage::Signals;
use weft_store::{Connection, SortBy, UserFilter};
use wrike_api::requests::BlueprintKind;

pub use super::failure::{ActionError, ActionResult, FailureKind};

use super::connector;
use super::inputs::{file_upload, id, strings, text, to_output};
use crate::alerts::NotifyError;
use crate::usage::reports::{self, ReportRequest};
use crate::{Hub, wrike};

/// What an action runs with.
pub struct ActionContext<'a> {
    pub hub: &'a Hub,
    pub connection: Option<&'a Connection>,
    pub recipe: &'a str,
    /// The most the recipe may do (see `Recipe::privilege`): a raw call that would need
    /// more is refused when it is about to be made.
    pub privilege: Privilege,
    /// The recipe secrets the run opened: a step may send one only where it is bound.
    pub secrets: &'a [super::secrets::OpenSecret],
}

/// Refuses to change the users a recipe never changes: the Wrike account's owner, and the
/// user the connection runs as (changing it could lock every recipe out). Read from Wrike
/// at the time, not from synced data, which may be old.
async fn protect_users(
    client: &wrike_api::WrikeClient,
    connection: &Connection,
    ids: &[&str],
) -> Result<(), ActionError> {
    for id in ids {
        let user = client
            .user(id)
            .await
            .map_err(|e| ActionError::from_wrike(&format!("GET /users/{id}"), e))?;
        let owner = user
            .profile(&connection.identity.account_id)
            .or_else(|| user.primary_profile())
            .is_some_and(|p| p.owner);
        if owner {
            return Err(ActionError::permanent(format!(
                "user {id} owns the Wrike account; recipes never change the owner"
            )));
        }
        if *id == connection.identity.user_id {
            return Err(ActionError::permanent(format!(
                "user {id} is the user the connection {} runs as; recipes never change it",
                connection.name
            )));
        }
    }
    Ok(())
}

/// The dependency a step asks for: exactly one of a predecessor or a successor.
fn new_dependency(input: &Value) -> Result<wrike_api::requests::NewDependency, ActionError> {
    let other = |name: &str| -> Result<Option<String>, ActionError> {
        match input.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => Ok(Some(id(input, name)?.to_owned())),
        }
    };
    let (predecessor_id, successor_id) = (other("predecessor")?, other("successor")?);
    if predecessor_id.is_some() == successor_id.is_some() {
        return Err(ActionError::permanent(
            "give exactly one of predecessor or successor",
        ));
    }
    let lag_time = match input.get("lagTime") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .ok_or_else(|| ActionError::permanent("lagTime: whole minutes"))?,
        ),
    };
    Ok(wrike_api::requests::NewDependency {
        predecessor_id,
        successor_id,
        relation_type: input
            .get("relationType")
            .and_then(Value::as_str)
            .map(wrike_api::models::RelationType::from),
        lag_time,
    })
}

/// What an approval is on: a task or a folder, or nothing (every approval).
fn approval_target(
    input: &Value,
) -> Result<Option<wrike_api::requests::ApprovalTarget>, ActionError> {
    use wrike_api::requests::ApprovalTarget;
    Ok(match (input.get("task"), input.get("folder")) {
        (Some(_), Some(_)) => {
            return Err(ActionError::permanent("give a task or a folder, not both"));
        }
        (Some(_), None) => Some(ApprovalTarget::Task(id(input, "task")?.to_owned())),
        (None, Some(_)) => Some(ApprovalTarget::Folder(id(input, "folder")?.to_owned())),
        (None, None) => None,
    })
}

/// The input without `skip`, as Wrike parameters (lists and maps as JSON text).
fn params_except(input: &Value, skip: &[&str]) -> Vec<(String, String)> {
    let Some(map) = input.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), value)
        })
        .collect()
}

/// `tasks/ID` or `folders/ID`, from the input's `task` or `folder`.
fn task_or_folder(input: &Value) -> Result<String, ActionError> {
    match (input.get("task"), input.get("folder")) {
        (Some(_), _) => Ok(format!("tasks/{}", id(input, "task")?)),
        (None, Some(_)) => Ok(format!("folders/{}", id(input, "folder")?)),
        (None, None) => Err(ActionError::permanent("give a task or a folder")),
    }
}

/// The first item of a Wrike answer's `data`.
fn first(envelope: Value, what: &str) -> ActionResult {
    match envelope
        .get("data")
        .and_then(Value::as_array)
        .and_then(|d| d.first())
    {
        Some(item) => Ok(item.clone()),
        None => Err(ActionError::permanent(format!(
            "{what}: Wrike answered with no item"
        ))),
    }
}

fn data(envelope: Value) -> Value {
    envelope
        .get("data")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()))
}

/// Runs `action` with `input`. Every kind the catalog has is matched here (or in
/// `wrike_action`), so an action cannot be in the catalog without a way to run it.
pub async fn execute(ctx: &ActionContext<'_>, action: &Action, input: &Value) -> ActionResult {
    super::secrets::check_destination(ctx.secrets, action, input)
        .map_err(ActionError::permanent)?;
    match action.kind {
        ActionKind::Map => Ok(input.clone()),
        ActionKind::HttpRequest => http_request(ctx, input).await,
        ActionKind::Notify => notify(ctx, input).await,
        ActionKind::UsageInactiveUsers => inactive_users(ctx, input).await,
        // The runner handles these itself: an approval waits as a stored state, a stop ends
        // the run.
        ActionKind::Approval | ActionKind::ControlStop => Err(ActionError::permanent(format!(
            "{} is run by the recipe runner, not as an action",
            action.name
        ))),
        kind => wrike_action(ctx, action, kind, input).await,
    }
}

async fn wrike_action(
    ctx: &ActionContext<'_>,
    action: &Action,
    kind: ActionKind,
    input: &Value,
) -> ActionResult {
    let action = action.name;
    let connection = ctx
        .connection
        .ok_or_else(|| ActionError::permanent("the recipe's connection is gone"))?;
    let client = wrike::client_for(ctx.hub, connection)
        .await
        .map_err(|e| ActionError::permanent(e.to_string()))?;
    let call = |method: Method, path: String, params: Vec<(String, String)>| {
        let client = client.clone();
        async move {
            client
                .call_json(method.clone(), &path, params)
                .await
                .map_err(|e| ActionError::from_wrike(&format!("{method} /{path}"), e))
        }
    };
    match kind {
        ActionKind::GetTask => first(
            call(Method::GET, format!("tasks/{}", id(input, "id")?), vec![]).await?,
            action,
        ),
        ActionKind::SearchTasks => {
            let path = match input.get("folder").and_then(Value::as_str) {
                Some(_) => format!("folders/{}/tasks", id(input, "folder")?),
                None => "tasks".to_owned(),
            };
            let limit = input
                .get("limit")
                .and_then(Value::as_i64)
                .unwrap_or(100)
                .clamp(1, 1000);
            let mut params = params_except(input, &["folder", "limit"]);
            params.push(("pageSize".into(), limit.to_string()));
            Ok(data(call(Method::GET, path, params).await?))
        }
        ActionKind::CreateTask => {
            let path = format!("folders/{}/tasks", id(input, "folder")?);
            first(
                call(Method::POST, path, params_except(input, &["folder"])).await?,
                action,
            )
        }
        ActionKind::UpdateTask => {
            let path = format!("tasks/{}", id(input, "id")?);
            first(
                call(Method::PUT, path, params_except(input, &["id"])).await?,
                action,
            )
        }
        ActionKind::DeleteTask => first(
            call(
                Method::DELETE,
                format!("tasks/{}", id(input, "id")?),
                vec![],
            )
            .await?,
            action,
        ),
        ActionKind::CreateFolder => {
            let path = format!("folders/{}/folders", id(input, "parent")?);
            first(
                call(Method::POST, path, params_except(input, &["parent"])).await?,
                action,
            )
        }
        ActionKind::UpdateFolder => {
            let path = format!("folders/{}", id(input, "id")?);
            first(
                call(Method::PUT, path, params_except(input, &["id"])).await?,
                action,
            )
        }
        ActionKind::CreateComment => {
            let path = format!("{}/comments", task_or_folder(input)?);
            first(
                call(
                    Method::POST,
                    path,
                    params_except(input, &["task", "folder"]),
                )
                .await?,
                action,
            )
        }
        ActionKind::CreateInvitation => first(
            call(
                Method::POST,
                "invitations".into(),
                params_except(input, &[]),
            )
            .await?,
            action,
        ),
        ActionKind::ResendInvitation => {
            let path = format!("invitations/{}", id(input, "id")?);
            first(
                call(Method::PUT, path, vec![("resend".into(), "true".into())]).await?,
                action,
            )
        }
        ActionKind::CancelInvitation => {
            call(
                Method::DELETE,
                format!("invitations/{}", id(input, "id")?),
                vec![],
            )
            .await?;
            Ok(json!({"cancelled": true}))
        }
        ActionKind::ListWorkflows => Ok(data(call(Method::GET, "workflows".into(), vec![]).await?)),
        ActionKind::UpdateUser => {
            let user = id(input, "id")?;
            protect_users(&client, connection, &[user]).await?;
            let path = format!("users/{user}");
            let mut params = Vec::new();
            if let Some(t) = input.get("userTypeId").and_then(Value::as_str) {
                params.push(("userTypeId".to_owned(), t.to_owned()));
            }
            if let Some(active) = input.get("active") {
                let active = active
                    .as_bool()
                    .ok_or_else(|| ActionError::permanent("active must be true or false"))?;
                params.push(("active".to_owned(), active.to_string()));
            }
            if let Some(role) = input.get("role").and_then(Value::as_str) {
                let profile = json!({"accountId": connection.identity.account_id, "role": role});
                params.push(("profile".to_owned(), profile.to_string()));
            }
            if params.is_empty() {
                return Err(ActionError::permanent("give userTypeId, role or active"));
            }
            first(call(Method::PUT, path, params).await?, action)
        }
        ActionKind::CreateTimelog => {
            let path = format!("tasks/{}/timelogs", id(input, "task")?);
            first(
                call(Method::POST, path, params_except(input, &["task"])).await?,
                action,
            )
        }
        ActionKind::ListAttachments => {
            let path = format!("{}/attachments", task_or_folder(input)?);
            Ok(data(call(Method::GET, path, vec![]).await?))
        }
        ActionKind::UploadAttachment => {
            let path = format!("{}/attachments", task_or_folder(input)?);
            let file = file_upload(input)?;
            let answer = client
                .upload(&path, &file)
                .await
                .map_err(|e| ActionError::from_wrike(&format!("POST /{path}"), e))?;
            first(answer, action)
        }
        ActionKind::DownloadAttachment => {
            use base64::Engine;
            let attachment_id = id(input, "id")?;
            let about = first(
                call(Method::GET, format!("attachments/{attachment_id}"), vec![]).await?,
                action,
            )?;
            let too_large = |size: usize| {
                ActionError::permanent(format!(
                    "attachment {attachment_id} has {size} bytes; steps carry files of up to {MAX_DOWNLOAD}"
                ))
            };
            let size = about.get("size").and_then(Value::as_i64).unwrap_or(0);
            if size < 0 {
                return Err(ActionError::permanent(format!(
                    "attachment {attachment_id} is a link to another service, not a file in Wrike"
                )));
            }
            // Refused before downloading when Wrike's size says so; checked again after, as
            // the size is only what Wrike says.
            if size as usize > MAX_DOWNLOAD {
                return Err(too_large(size as usize));
            }
            let path = format!("attachments/{attachment_id}/download");
            let bytes = client
                .download(&path)
                .await
                .map_err(|e| ActionError::from_wrike(&format!("GET /{path}"), e))?;
            if bytes.len() > MAX_DOWNLOAD {
                return Err(too_large(bytes.len()));
            }
            Ok(json!({
                "id": attachment_id,
                "name": about.get("name"),
                "contentType": about.get("contentType"),
                "size": bytes.len(),
                "content_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
            }))
        }
        ActionKind::DeleteAttachment => {
            call(
                Method::DELETE,
                format!("attachments/{}", id(input, "id")?),
                vec![],
            )
            .await?;
            Ok(json!({"deleted": true}))
        }
        ActionKind::ListDependencies => {
            let task = id(input, "task")?;
            let found = client.task_dependencies(task).await.map_err(|e| {
                ActionError::from_wrike(&format!("GET /tasks/{task}/dependencies"), e)
            })?;
            to_output(&found)
        }
        ActionKind::CreateDependency => {
            let task = id(input, "task")?;
            let dependency = new_dependency(input)?;
            let made = client
                .create_dependency(task, &dependency)
                .await
                .map_err(|e| {
                    ActionError::from_wrike(&format!("POST /tasks/{task}/dependencies"), e)
                })?;
            to_output(&made)
        }
        ActionKind::DeleteDependency => {
            let dependency = id(input, "id")?;
            client.delete_dependency(dependency).await.map_err(|e| {
                ActionError::from_wrike(&format!("DELETE /dependencies/{dependency}"), e)
            })?;
            Ok(json!({"deleted": true}))
        }
        ActionKind::ListSpaces => {
            let found = client
                .spaces()
                .await
                .map_err(|e| ActionError::from_wrike("GET /spaces", e))?;
            to_output(&found)
        }
        ActionKind::GetSpace => {
            let space = id(input, "id")?;
            let found = client
                .space_with_members(space)
                .await
                .map_err(|e| ActionError::from_wrike(&format!("GET /spaces/{space}"), e))?;
            to_output(&found)
        }
        ActionKind::ListWrikeApprovals => {
            let on = approval_target(input)?;
            let statuses = strings(input, "statuses")?;
            let people = |name: &str| -> Result<Option<Vec<String>>, ActionError> {
                let ids = strings(input, name)?;
                Ok((!ids.is_empty()).then_some(ids))
            };
            let query = wrike_api::requests::ApprovalQuery {
                statuses: (!statuses.is_empty()).then(|| {
                    statuses
                        .iter()
                        .map(|s| wrike_api::models::ApprovalStatus::from(s.as_str()))
                        .collect()
                }),
                approvers: people("approvers")?,
                pending_approvers: people("pendingApprovers")?,
            };
            let found = client
                .approvals(on.as_ref(), &query)
                .await
                .map_err(|e| ActionError::from_wrike("GET /approvals", e))?;
            to_output(&found)
        }
        ActionKind::CreateWrikeApproval => {
            let on = approval_target(input)?
                .ok_or_else(|| ActionError::permanent("give a task or a folder"))?;
            let approvers = strings(input, "approvers")?;
            if approvers.is_empty() {
                return Err(ActionError::permanent(
                    "approvers: name at least one contact id",
                ));
            }
            let due_date = match input.get("dueDate").and_then(Value::as_str) {
                None => None,
                Some(day) => Some(
                    chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").map_err(|_| {
                        ActionError::permanent(format!("dueDate: {day:?} is not YYYY-MM-DD"))
                    })?,
                ),
            };
            let approval = wrike_api::requests::NewApproval {
                approvers,
                description: input
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                due_date,
                ..Default::default()
            };
            let made = client
                .create_approval(&on, &approval)
                .await
                .map_err(|e| ActionError::from_wrike("POST approvals", e))?;
            to_output(&made)
        }
        ActionKind::CancelWrikeApproval => {
            let approval = id(input, "id")?;
            let cancelled = client.cancel_approval(approval).await.map_err(|e| {
                ActionError::from_wrike(&format!("DELETE /approvals/{approval}"), e)
            })?;
            to_output(&cancelled)
        }
        ActionKind::CopyFolder => connector::folders::copy(&client, input, false).await,
        ActionKind::CopyProject => connector::folders::copy(&client, input, true).await,
        ActionKind::GetFolder => connector::folders::get(&client, input).await,
        ActionKind::SearchFolders => connector::folders::search(&client, input, false).await,
        ActionKind::SearchProjects => connector::folders::search(&client, input, true).await,
        ActionKind::ListFolderBlueprints => {
            connector::templates::folder_blueprints(&client, input).await
        }
        ActionKind::ListTaskBlueprints => {
            connector::templates::task_blueprints(&client, input).await
        }
        ActionKind::LaunchFolderBlueprint => {
            connector::templates::launch(&client, input, BlueprintKind::Folder).await
        }
        ActionKind::LaunchTaskBlueprint => {
            connector::templates::launch(&client, input, BlueprintKind::Task).await
        }
        ActionKind::ListCustomItemTypes => connector::templates::item_types(&client).await,
        ActionKind::CreateFromCustomItemType => {
            connector::templates::instantiate(&client, input).await
        }
        ActionKind::ListCustomFields => connector::fields::list(&client, input).await,
        ActionKind::CreateCustomField => connector::fields::create(&client, input).await,
        ActionKind::GetCustomFields => connector::fields::get(&client, input).await,
        ActionKind::SetCustomFields => connector::fields::set(&client, input).await,
        ActionKind::ListUsers => connector::people::list_users(&client, connection, input).await,
        ActionKind::GetUser => connector::people::get_user(&client, input).await,
        ActionKind::ListGroups => connector::people::list_groups(&client, input).await,
        ActionKind::AddGroupMembers => {
            connector::people::change_members(&client, input, true).await
        }
        ActionKind::RemoveGroupMembers => {
            connector::people::change_members(&client, input, false).await
        }
        ActionKind::SearchTimelogs => connector::timelogs::search(&client, input).await,
        ActionKind::UpdateTimelog => connector::timelogs::update(&client, input).await,
        ActionKind::DeleteTimelog => connector::timelogs::delete(&client, input).await,
        ActionKind::ListTimelogCategories => connector::timelogs::categories(&client).await,
        ActionKind::GetAttachment => connector::files::get(&client, input).await,
        ActionKind::GetAttachmentUrl => connector::files::url(&client, input).await,
        ActionKind::UpdateAttachment => connector::files::update(&client, input).await,
        ActionKind::GetWrikeApproval => connector::approvals::get(&client, input).await,
        ActionKind::UpdateWrikeApproval => connector::approvals::update(&client, input).await,
        ActionKind::WrikeRequest => {
            let method = match text(input, "method")?.to_ascii_uppercase().as_str() {
                "GET" => Method::GET,
                "POST" => Method::POST,
                "PUT" => Method::PUT,
                "DELETE" => Method::DELETE,
                other => {
                    return Err(ActionError::permanent(format!(
                        "method {other} is not one Wrike's API uses"
                    )));
                }
            };
            // The client builds the URL under the connection's API base and refuses any
            // path that could lead elsewhere (wrike_api::base::api_segments).
            let path = text(input, "path")?;
            let path = path.strip_prefix("/api/v4/").unwrap_or(path);
            let needs = raw_call_privilege(method.as_str(), path);
            if needs > ctx.privilege {
                return Err(ActionError::permanent(format!(
                    "{method} /{} needs the privilege to {}, which this recipe does not have (it may {}); \
                     write the method and path without templates so that the recipe says so, and an Admin applies it",
                    path.trim_start_matches('/'),
                    needs.as_str(),
                    ctx.privilege.as_str()
                )));
            }
            if needs == Privilege::AdministerUsers {
                let mut segments = path.trim_start_matches('/').split('/');
                if segments
                    .next()
                    .is_some_and(|family| family.eq_ignore_ascii_case("users"))
                    && let Some(ids) = segments.next()
                {
                    let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
                    protect_users(&client, connection, &ids).await?;
                }
            }
            let params = input
                .get("params")
                .map(|p| params_except(p, &[]))
                .unwrap_or_default();
            call(method, path.to_owned(), params).await
        }
        ActionKind::Map
        | ActionKind::HttpRequest
        | ActionKind::Notify
        | ActionKind::UsageInactiveUsers
        | ActionKind::Approval
        | ActionKind::ControlStop => Err(ActionError::permanent(format!(
            "{action} does not call Wrike"
        ))),
    }
}

/// Largest file a step downloads: its bytes travel in the step's output, which is stored.
const MAX_DOWNLOAD: usize = 8 << 20;

/// Longest response body kept from an HTTP step.
const MAX_HTTP_BODY: usize = 1 << 20;

/// An HTTP step's answer as JSON, or as text when it is not JSON; an answer longer than
/// `MAX_HTTP_BODY` is read to its end (the other system sees it delivered) but only its
/// length is kept, so a huge answer never sits in memory.
async fn read_kept(mut response: reqwest::Response) -> Result<Value, String> {
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| wrike_api::http::describe_reqwest(&e))?
    {
        total += chunk.len();
        if total <= MAX_HTTP_BODY {
            kept.extend_from_slice(&chunk);
        } else {
            kept = Vec::new();
        }
    }
    if total > MAX_HTTP_BODY {
        return Ok(Value::String(format!("({total} bytes, not kept)")));
    }
    Ok(serde_json::from_slice(&kept)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&kept).into_owned())))
}

async fn http_request(ctx: &ActionContext<'_>, input: &Value) -> ActionResult {
    let url = text(input, "url")?;
    let parsed =
        url::Url::parse(url).map_err(|e| ActionError::permanent(format!("url {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ActionError::permanent(format!(
            "url {url:?} is not http or https"
        )));
    }
    let client = ctx
        .hub
        .policy
        .recipe_http
        .client_for(&parsed)
        .map_err(|e| ActionError::permanent(format!("url {url:?}: {e}")))?;
    let method = input
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| ActionError::permanent(format!("method {method:?}")))?;
    let timeout = input
        .get("timeout_seconds")
        .and_then(Value::as_u64)
        .unwrap_or(15)
        .clamp(1, 60);
    let mut request = client
        .request(method.clone(), parsed)
        .timeout(Duration::from_secs(timeout));
    if let Some(headers) = input.get("headers").and_then(Value::as_object) {
        for (name, value) in headers {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            request = request.header(name.as_str(), value);
        }
    }
    if let Some(body) = input.get("json") {
        request = request.json(body);
    } else if let Some(body) = input.get("body") {
        request = request.body(match body {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    let response = request.send().await.map_err(|e| {
        let message = format!("{method} {url}: {}", wrike_api::http::describe_reqwest(&e));
        // A name that resolves to a private address stays refused however often it is tried.
        if wrike_api::http::refused_as_not_public(&e) {
            ActionError::permanent(format!(
                "{message}; list the host in recipe_http_allow for recipes to call it"
            ))
        } else {
            ActionError::transient(message)
        }
    })?;
    let status = response.status();
    let body = read_kept(response)
        .await
        .map_err(|e| ActionError::transient(format!("{method} {url}: reading the answer: {e}")))?;
    let output = json!({"status": status.as_u16(), "body": body});
    if status.is_success() {
        Ok(output)
    } else if status.as_u16() == 429 || status.is_server_error() || status.as_u16() == 408 {
        Err(ActionError::transient(format!(
            "{method} {url} answered {status}"
        )))
    } else {
        Err(ActionError::permanent(format!(
            "{method} {url} answered {status}: {}",
            clip(&body.to_string())
        )))
    }
}

fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}

async fn notify(ctx: &ActionContext<'_>, input: &Value) -> ActionResult {
    let message = text(input, "message")?;
    let subject = input
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("weft recipe");
    let to: Vec<String> = match input.get("to") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(list)) => list
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(ActionError::permanent(format!(
                    "to: {other} is not an e-mail address"
                ))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(ActionError::permanent(format!(
                "to must be an address or a list of them, not {other}"
            )));
        }
    };
    let to = crate::mail::parse_addresses(&to)
        .map_err(|e| ActionError::permanent(format!("to: {e}")))?;
    let channels = ctx
        .hub
        .alerter
        .notify(ctx.recipe, subject, message, &to)
        .await
        .map_err(|e| match e {
            NotifyError::Delivery(m) => ActionError::transient(m),
            NotifyError::Setup(m) => ActionError::permanent(m),
        })?;
    let to: Vec<String> = to.iter().map(ToString::to_string).collect();
    Ok(
        json!({"sent": !channels.is_empty(), "channels": channels, "to": to, "subject": subject, "message": message}),
    )
}

async fn inactive_users(ctx: &ActionContext<'_>, input: &Value) -> ActionResult {
    let connection = ctx
        .connection
        .ok_or_else(|| ActionError::permanent("the recipe's connection is gone"))?;
    let days = input
        .get("days")
        .and_then(|d| {
            d.as_i64()
                .or_else(|| d.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| ActionError::permanent("days must be a number of days from 1 to 3650"))?;
    let signals = match input.get("signals").and_then(Value::as_str) {
        Some(text) => Some(Signals::parse(text).map_err(ActionError::permanent)?),
        None => None,
    };
    let request = ReportRequest {
        connections: vec![connection.id.clone()],
        filter: UserFilter {
            paid: Some(true),
            active: Some(true),
            idle_days: Some(days),
            ..UserFilter::default()
        },
        signals,
        policy: None,
    };
    let report = reports::users(ctx.hub, &request, SortBy::LastActivity, false, 1000, 0)
        .await
        .map_err(|e| ActionError::transient(e.to_string()))?;
    // The owner and the connection's own user are never reclaimed: they are not offered.
    let protected = |u: &&weft_store::UserRow| u.owner || u.id == connection.identity.user_id;
    let users: Vec<Value> = report
        .page
        .rows
        .iter()
        .filter(|u| !protected(u))
        .map(|u| {
            json!({
                "id": u.id,
                "name": format!("{} {}", u.first_name, u.last_name).trim().to_owned(),
                "email": u.email,
                "userTypeId": u.user_type_id,
                "userType": u.user_type,
                "lastActivityAt": u.last_activity_at,
            })
        })
        .collect();
    let types = ctx
        .hub
        .store
        .usage()
        .user_types(&connection.id)
        .await
        .map_err(|e| ActionError::transient(e.to_string()))?;
    let collaborator = types
        .iter()
        .find(|t| t.title.eq_ignore_ascii_case("Collaborator"))
        .map(|t| t.id.clone());
    let mut out = Map::new();
    out.insert("days".into(), json!(days));
    let left_out = report.page.rows.iter().filter(protected).count();
    out.insert("total".into(), json!(report.page.total - left_out as i64));
    out.insert("left_out".into(), json!(left_out));
    out.insert("users".into(), Value::Array(users));
    out.insert("collaborator_type_id".into(), json!(collaborator));
    Ok(Value::Object(out))
}

/// What an attempt cut off mid-call (its worker killed, its answer lost) may have created,
/// found by looking for it: a task with the same title in the folder, a comment with the
/// same text on the task, an attachment with the same name and size, an invitation to the
/// same address, all made after `since_ms`.
/// `None` when nothing is found (or the action cannot be looked up), and the action runs.
pub async fn find_created(
    ctx: &ActionContext<'_>,
    action: &Action,
    input: &Value,
    since_ms: i64,
) -> Option<Value> {
    let connection = ctx.connection?;
    let client = wrike::client_for(ctx.hub, connection).await.ok()?;
    let since = chrono::DateTime::from_timestamp_millis(since_ms)?;
    let made_after = |item: &Value, field: &str| {
        item.get(field)
            .and_then(Value::as_str)
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .is_some_and(|d| d >= since - chrono::Duration::seconds(1))
    };
    let list = |path: String, params: Vec<(String, String)>| {
        let client = client.clone();
        async move {
            client
                .call_json(Method::GET, &path, params)
                .await
                .ok()
                .map(data)
        }
    };
    match action.kind {
        ActionKind::CreateTask => {
            let title = input.get("title")?.as_str()?;
            let path = format!("folders/{}/tasks", id(input, "folder").ok()?);
            list(
                path,
                vec![
                    ("title".into(), title.into()),
                    ("fields".into(), "[\"metadata\"]".into()),
                ],
            )
            .await?
            .as_array()?
            .iter()
            .find(|t| {
                t.get("title").and_then(Value::as_str) == Some(title)
                    && made_after(t, "createdDate")
            })
            .cloned()
        }
        ActionKind::CreateComment => {
            let text = input.get("text")?.as_str()?;
            let path = match input.get("task") {
                Some(_) => format!("tasks/{}/comments", id(input, "task").ok()?),
                None => format!("folders/{}/comments", id(input, "folder").ok()?),
            };
            list(path, vec![])
                .await?
                .as_array()?
                .iter()
                .find(|c| {
                    c.get("text").and_then(Value::as_str) == Some(text)
                        && made_after(c, "createdDate")
                })
                .cloned()
        }
        ActionKind::UploadAttachment => {
            let file = file_upload(input).ok()?;
            let path = format!("{}/attachments", task_or_folder(input).ok()?);
            let sent_as = wrike_api::client::header_safe_name(&file.name);
            list(path, vec![])
                .await?
                .as_array()?
                .iter()
                .find(|a| {
                    let name = a.get("name").and_then(Value::as_str);
                    (name == Some(file.name.as_str()) || name == Some(sent_as.as_str()))
                        && a.get("size")
                            .and_then(Value::as_u64)
                            .is_none_or(|size| size == file.bytes.len() as u64)
                        && made_after(a, "createdDate")
                })
                .cloned()
        }
        ActionKind::CreateInvitation => {
            let email = input.get("email")?.as_str()?;
            list("invitations".into(), vec![])
                .await?
                .as_array()?
                .iter()
                .find(|i| {
                    i.get("email")
                        .and_then(Value::as_str)
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
                })
                .cloned()
        }
        ActionKind::CreateDependency => {
            let task = id(input, "task").ok()?;
            let wanted = new_dependency(input).ok()?;
            let relation = wanted
                .relation_type
                .clone()
                .unwrap_or(wrike_api::models::RelationType::FinishToStart);
            let found = client.task_dependencies(task).await.ok()?;
            found
                .into_iter()
                .find(|d| {
                    d.relation_type == relation
                        && wanted
                            .predecessor_id
                            .as_ref()
                            .is_none_or(|p| *p == d.predecessor_id)
                        && wanted
                            .successor_id
                            .as_ref()
                            .is_none_or(|s| *s == d.successor_id)
                })
                .and_then(|d| serde_json::to_value(d).ok())
        }
        ActionKind::CreateWrikeApproval => {
            let on = approval_target(input).ok()??;
            let approvers = strings(input, "approvers").ok()?;
            let query = wrike_api::requests::ApprovalQuery {
                statuses: Some(vec![wrike_api::models::ApprovalStatus::Pending]),
                ..Default::default()
            };
            let found = client.approvals(Some(&on), &query).await.ok()?;
            found
                .into_iter()
                .find(|a| {
                    let mut deciding: Vec<&str> =
                        a.decisions.iter().map(|d| d.approver_id.as_str()).collect();
                    deciding.sort_unstable();
                    let mut asked: Vec<&str> = approvers.iter().map(String::as_str).collect();
                    asked.sort_unstable();
                    deciding == asked
                })
                .and_then(|a| serde_json::to_value(a).ok())
        }
        ActionKind::CopyFolder | ActionKind::CopyProject | ActionKind::LaunchFolderBlueprint => {
            let parent = id(input, "parent").ok()?;
            let title = input.get("title")?.as_str()?;
            list(format!("folders/{parent}/folders"), vec![])
                .await?
                .as_array()?
                .iter()
                .find(|f| {
                    f.get("title").and_then(Value::as_str) == Some(title)
                        && f.get("id").and_then(Value::as_str) != Some(parent)
                })
                .cloned()
        }
        ActionKind::LaunchTaskBlueprint | ActionKind::CreateFromCustomItemType => {
            let title = input.get("title")?.as_str()?;
            let folder = match input.get("parent") {
                Some(_) => id(input, "parent").ok()?.to_owned(),
                None => {
                    // Under a task: the new task is among its subtasks.
                    let parent = id(input, "superTask").ok()?;
                    let task = client
                        .tasks_by_ids(&[parent])
                        .await
                        .ok()?
                        .into_iter()
                        .next()?;
                    let subtasks = task.sub_task_ids.unwrap_or_default();
                    let refs: Vec<&str> = subtasks.iter().map(String::as_str).collect();
                    if refs.is_empty() {
                        return None;
                    }
                    return client
                        .tasks_by_ids(&refs)
                        .await
                        .ok()?
                        .into_iter()
                        .find(|t| t.title == title && t.created_date >= since)
                        .and_then(|t| serde_json::to_value(t).ok());
                }
            };
            let made_task = list(
                format!("folders/{folder}/tasks"),
                vec![("title".into(), title.into())],
            )
            .await?
            .as_array()?
            .iter()
            .find(|t| made_after(t, "createdDate"))
            .cloned();
            match made_task {
                Some(task) => Some(task),
                None => list(format!("folders/{folder}/folders"), vec![])
                    .await?
                    .as_array()?
                    .iter()
                    .find(|f| {
                        f.get("title").and_then(Value::as_str) == Some(title)
                            && f.get("id").and_then(Value::as_str) != Some(folder.as_str())
                    })
                    .cloned(),
            }
        }
        ActionKind::CreateCustomField => {
            let title = input.get("title")?.as_str()?;
            client
                .custom_fields()
                .await
                .ok()?
                .into_iter()
                .find(|f| f.title == title)
                .and_then(|f| serde_json::to_value(f).ok())
        }
        // Nothing to look for: they create nothing, or nothing they made can be told
        // apart from what was there (a folder, a timelog: see the catalog's `creates`).
        ActionKind::GetTask
        | ActionKind::SearchTasks
        | ActionKind::UpdateTask
        | ActionKind::DeleteTask
        | ActionKind::CreateFolder
        | ActionKind::UpdateFolder
        | ActionKind::ResendInvitation
        | ActionKind::CancelInvitation
        | ActionKind::ListWorkflows
        | ActionKind::UpdateUser
        | ActionKind::CreateTimelog
        | ActionKind::ListAttachments
        | ActionKind::DownloadAttachment
        | ActionKind::DeleteAttachment
        | ActionKind::ListDependencies
        | ActionKind::DeleteDependency
        | ActionKind::ListSpaces
        | ActionKind::GetSpace
        | ActionKind::ListWrikeApprovals
        | ActionKind::CancelWrikeApproval
        | ActionKind::GetFolder
        | ActionKind::SearchFolders
        | ActionKind::SearchProjects
        | ActionKind::ListFolderBlueprints
        | ActionKind::ListTaskBlueprints
        | ActionKind::ListCustomItemTypes
        | ActionKind::ListCustomFields
        | ActionKind::GetCustomFields
        | ActionKind::SetCustomFields
        | ActionKind::ListUsers
        | ActionKind::GetUser
        | ActionKind::ListGroups
        | ActionKind::AddGroupMembers
        | ActionKind::RemoveGroupMembers
        | ActionKind::SearchTimelogs
        | ActionKind::UpdateTimelog
        | ActionKind::DeleteTimelog
        | ActionKind::ListTimelogCategories
        | ActionKind::GetAttachment
        | ActionKind::GetAttachmentUrl
        | ActionKind::UpdateAttachment
        | ActionKind::GetWrikeApproval
        | ActionKind::UpdateWrikeApproval
        | ActionKind::WrikeRequest
        | ActionKind::HttpRequest
        | ActionKind::Notify
        | ActionKind::Approval
        | ActionKind::UsageInactiveUsers
        | ActionKind::Map
        | ActionKind::ControlStop => None,
    }
}
