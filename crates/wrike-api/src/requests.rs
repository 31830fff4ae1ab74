//! Request parameter types for the typed calls. Each serializes to Wrike's parameter
//! names; `None` fields are not sent.

use chrono::{DateTime, NaiveDate, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, Serializer};

use crate::encode::opt_timestamp;
use crate::models::{
    ApprovalStatus, AuditOperation, ContactType, CustomFieldValue, Importance, Metadata,
    ProjectStatus, RelationType, Role, SpaceMember, TaskDates, TaskStatus, WebhookEventType,
    WebhookStatus,
};

/// A semi-open timestamp interval filter: `{"start": ..., "end": ...}`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DateRange {
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_timestamp"
    )]
    pub start: Option<DateTime<Utc>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_timestamp"
    )]
    pub end: Option<DateTime<Utc>>,
}

impl DateRange {
    pub fn since(start: DateTime<Utc>) -> Self {
        DateRange {
            start: Some(start),
            end: None,
        }
    }
    pub fn between(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        DateRange {
            start: Some(start),
            end: Some(end),
        }
    }
}

/// A metadata filter: one `{"key": ..., "value": ...}` object.
#[derive(Debug, Clone, Serialize)]
pub struct MetadataFilter {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactsQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<ContactType>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<AuditOperation>>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub descendants: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<TaskStatus>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsibles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_statuses: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_tasks: Option<bool>,
    /// `CreatedDate`, `UpdatedDate`, `CompletedDate`, `DueDate`, `Status`, `Importance`, `Title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_field: Option<String>,
    /// `Asc` or `Desc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dates: Option<TaskDates>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parents: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsibles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub super_tasks: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_status: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dates: Option<TaskDates>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_parents: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_parents: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_responsibles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_responsibles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewProject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_status_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewFolder {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    /// Set to make the new folder a project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<NewProject>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners_add: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners_remove: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_status_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_parents: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_parents: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore: Option<bool>,
}

/// The deprecated `profile` form of a user update.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdate {
    pub account_id: String,
    pub role: Role,
    pub external: bool,
}

/// `PUT /users/{id}`: Wrike takes exactly one of these per request.
#[derive(Debug, Clone)]
pub enum UserUpdate {
    Profile(ProfileUpdate),
    UserType(String),
    Active(bool),
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitation {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resend: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type_id: Option<String>,
}

/// Where a webhook listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookTarget {
    Account,
    Folder(String),
    Space(String),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewWebhook {
    pub hook_url: String,
    /// Enables signing and the secret handshake.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "expose_opt")]
    pub secret: Option<SecretString>,
    /// `None` subscribes to every event.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "bracket_list"
    )]
    pub events: Option<Vec<WebhookEventType>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recursive: Option<bool>,
}

fn expose_opt<S: Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose_secret()),
        None => s.serialize_none(),
    }
}

/// Webhook events go as Wrike's documentation writes them: `[TaskCreated,TaskDeleted]`.
fn bracket_list<S: Serializer>(
    events: &Option<Vec<WebhookEventType>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match events {
        Some(events) => s.serialize_str(&format!(
            "[{}]",
            events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStatusUpdate {
    pub status: WebhookStatus,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTimelog {
    pub comment: String,
    pub hours: f64,
    pub tracked_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plain_text: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentQuery {
    /// At most seven days long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plain_text: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelogQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateRange>,
    /// Days the time was tracked on, both ends included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracked_date: Option<DayRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timelog_categories: Option<Vec<String>>,
}

/// A range of calendar days (`yyyy-MM-dd`), both ends included, either optional.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DayRange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

/// Whose timelogs a listing reads.
#[derive(Debug, Clone)]
pub enum TimelogScope {
    Account,
    Task(String),
    Folder(String),
    Contact(String),
    Category(String),
}

impl TimelogScope {
    pub(crate) fn path(&self) -> Result<String, crate::error::WrikeError> {
        use crate::encode::check_id;
        Ok(match self {
            TimelogScope::Account => "timelogs".to_owned(),
            TimelogScope::Task(id) => format!("tasks/{}/timelogs", check_id(id)?),
            TimelogScope::Folder(id) => format!("folders/{}/timelogs", check_id(id)?),
            TimelogScope::Contact(id) => format!("contacts/{}/timelogs", check_id(id)?),
            TimelogScope::Category(id) => {
                format!("timelog_categories/{}/timelogs", check_id(id)?)
            }
        })
    }
}

/// `PUT /timelogs/{id}`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelogUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracked_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
}

/// The `customField` filter of task and folder listings.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldFilter {
    pub id: String,
    /// `EqualTo`, `IsEmpty`, `IsNotEmpty`, `LessThan`, `LessOrEqualTo`, `GreaterThan`,
    /// `GreaterOrEqualTo`, `InRange`, `NotInRange`, `Contains`, `StartsWith`, `EndsWith`,
    /// `ContainsAll`, `ContainsAny`.
    pub comparator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// Filters of the folder listings (`GET /folders`, `/folders/{id}/folders`). Any filter
/// makes Wrike answer full folder models rather than the tree.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderQuery {
    /// Only projects (`true`) or only plain folders (`false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub descendants: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field: Option<CustomFieldFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// `POST /customfields`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomField {
    pub title: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shareds: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
}

/// What a blueprint launch copies (`POST /{folder,task}_blueprints/{id}/launch_async`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueprintLaunch {
    pub title: String,
    /// Folder blueprints: the folder the copy goes into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Task blueprints: the folder the task goes into (or `super_task_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Task blueprints: the task it becomes a subtask of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub super_task_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_descriptions: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_responsibles: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_responsibles: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_custom_fields: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_attachments: Option<bool>,
    /// 1 to 250.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_limit: Option<u32>,
}

/// Which blueprints a launch takes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlueprintKind {
    Folder,
    Task,
}

/// `POST /custom_item_types/{id}/instantiate`: a title and where the work goes (a folder
/// or project, or a parent task).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewWork {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub super_task_id: Option<String>,
}

/// `POST /tasks/{id}/dependencies`: the task's predecessor or its successor (one of them).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDependency {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predecessor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation_type: Option<RelationType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_time: Option<i64>,
}

/// `GET /approvals` filters.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<ApprovalStatus>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_approvers: Option<Vec<String>>,
}

/// `POST /tasks/{id}/approvals` or `/folders/{id}/approvals`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApproval {
    pub approvers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `yyyy-MM-dd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_finish_on_approve: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_finish_on_reject: Option<bool>,
}

/// `PUT /approvals/{id}`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_approvers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_approvers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_finish_on_approve: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_finish_on_reject: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
}

/// `POST /groups`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewGroup {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
}

/// `PUT /spaces/{id}`: its title and description, and who is in it with which role.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpaceUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_role_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members_add: Vec<SpaceMember>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members_update: Vec<SpaceMember>,
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members_remove: Vec<String>,
}

/// `PUT /groups/{id}`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_members: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_members: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
}

/// `POST /copy_folder/{id}` and `/copy_folder_async/{id}`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderCopy {
    pub parent: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_descriptions: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_responsibles: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_responsibles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remove_responsibles: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_custom_fields: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_statuses: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_limit: Option<u32>,
}

/// What an approval is on.
#[derive(Debug, Clone)]
pub enum ApprovalTarget {
    Task(String),
    Folder(String),
}

impl ApprovalTarget {
    pub(crate) fn path(&self) -> Result<String, crate::error::WrikeError> {
        Ok(match self {
            ApprovalTarget::Task(id) => format!("tasks/{}", crate::encode::check_id(id)?),
            ApprovalTarget::Folder(id) => format!("folders/{}", crate::encode::check_id(id)?),
        })
    }
}
