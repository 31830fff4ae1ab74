//! Work items: tasks, folders and projects, spaces, workflows, custom fields.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomFieldValue, Metadata};

crate::open_enum!(
    /// A task's status group, also a custom status's `group`.
    pub enum TaskStatus {
        Active,
        Completed,
        Deferred,
        Cancelled,
    }
);
crate::open_enum!(
    pub enum Importance {
        High,
        Normal,
        Low,
    }
);
crate::open_enum!(
    pub enum DateType {
        Backlog,
        Milestone,
        Planned,
    }
);
crate::open_enum!(
    /// Where an item lives: the workspace, the recycle bin, or (`Bp*`, a name inferred from
    /// the others and not confirmed by Wrike's reference) the blueprints.
    pub enum TreeScope {
        WsRoot,
        RbRoot,
        WsFolder,
        RbFolder,
        WsTask,
        RbTask,
        BpFolder,
        BpTask,
    }
);
crate::open_enum!(
    pub enum ProjectStatus {
        Green,
        Yellow,
        Red,
        Completed,
        OnHold,
        Cancelled,
        Custom,
    }
);
crate::open_enum!(
    pub enum AccessType {
        Personal,
        Private,
        Public,
    }
);
crate::open_enum!(
    pub enum CustomFieldType {
        Text,
        DropDown,
        Numeric,
        Currency,
        Percentage,
        Date,
        Duration,
        Checkbox,
        Contacts,
        Multiple,
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brief_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub super_parent_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_ids: Option<Vec<String>>,
    pub status: TaskStatus,
    #[serde(default = "default_importance")]
    pub importance: Importance,
    pub created_date: DateTime<Utc>,
    pub updated_date: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_date: Option<DateTime<Utc>>,
    pub dates: TaskDates,
    pub scope: TreeScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_status_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_attachments: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followed_by_me: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follower_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub super_task_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_task_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort_allocation: Option<serde_json::Value>,
    /// The custom item type the task was made from (an opt-in field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_item_type_id: Option<String>,
}

fn default_importance() -> Importance {
    Importance::Normal
}

/// Task dates. `start`/`due` are floating local times (`2019-02-18T09:00:00`, no zone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskDates {
    #[serde(rename = "type", default = "default_date_type")]
    pub date_type: DateType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_on_weekends: Option<bool>,
}

fn default_date_type() -> DateType {
    DateType::Backlog
}

// Not derivable: `open_enum!` generates the enum, and a task without dates is a backlog task.
#[allow(clippy::derivable_impls)]
impl Default for DateType {
    fn default() -> Self {
        DateType::Backlog
    }
}

/// A folder or project (`GET /folders/{ids}`, create, update, delete, copy).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brief_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default)]
    pub shared_ids: Vec<String>,
    #[serde(default)]
    pub parent_ids: Vec<String>,
    #[serde(default)]
    pub child_ids: Vec<String>,
    #[serde(default)]
    pub super_parent_ids: Vec<String>,
    pub scope: TreeScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_attachments: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_column_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<bool>,
    /// The custom item type the folder or project was made from (an opt-in field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_item_type_id: Option<String>,
}

impl Folder {
    pub fn is_project(&self) -> bool {
        self.project.is_some()
    }
}

/// The project part of a folder.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    #[serde(default)]
    pub owner_ids: Vec<String>,
    /// Absent in some listings, which carry only `customStatusId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ProjectStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_status_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_type: Option<String>,
}

/// An entry of the folder tree (`GET /folders`, kind `folderTree`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FolderTreeEntry {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default)]
    pub child_ids: Vec<String>,
    pub scope: TreeScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Space {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    pub access_type: AccessType,
    #[serde(default)]
    pub archived: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<SpaceMember>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_role_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_project_workflow_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_task_workflow_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpaceMember {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_role_id: Option<String>,
    #[serde(default)]
    pub is_manager: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub standard: bool,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub custom_statuses: Vec<CustomStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomStatus {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub standard_name: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default)]
    pub standard: bool,
    pub group: TaskStatus,
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub title: String,
    #[serde(rename = "type")]
    pub field_type: CustomFieldType,
    #[serde(default)]
    pub shared_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
}

crate::open_enum!(
    /// How two tasks depend on each other.
    pub enum RelationType {
        FinishToStart,
        StartToStart,
        FinishToFinish,
        StartToFinish,
    }
);

/// A dependency between two tasks (`GET /tasks/{id}/dependencies`, `/dependencies/{ids}`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    pub id: String,
    pub predecessor_id: String,
    pub successor_id: String,
    pub relation_type: RelationType,
    /// Minutes; the samples carry it, older answers may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_time: Option<i64>,
}

crate::open_enum!(
    /// Where an approval stands.
    pub enum ApprovalStatus {
        Pending,
        Approved,
        Rejected,
        Cancelled,
        Draft,
    }
);

crate::open_enum!(
    /// One approver's decision.
    pub enum DecisionStatus {
        Pending,
        Approved,
        Rejected,
    }
);

/// One approver's decision on an approval.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalDecision {
    pub approver_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub status: DecisionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<DateTime<Utc>>,
}

/// An approval on a task or a folder (`GET /approvals`, `/tasks/{id}/approvals`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<String>,
    pub author_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub updated_date: DateTime<Utc>,
    /// `yyyy-MM-dd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(default)]
    pub decisions: Vec<ApprovalDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ApprovalStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_ids: Option<Vec<String>>,
    /// `Regular` or `FilesOnly`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub approval_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_finish_on_approve: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_finish_on_reject: Option<bool>,
    #[serde(default)]
    pub finished: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finisher_id: Option<String>,
}

crate::open_enum!(
    /// Where an asynchronous job stands.
    pub enum AsyncJobStatus {
        InQueue,
        InProgress,
        Completed,
        Failed,
    }
);

/// An asynchronous job (`GET /async_job/{id}`), such as a folder copy.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AsyncJob {
    pub id: String,
    /// Absent in the answer that starts the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AsyncJobStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_percent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_count: Option<u64>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub job_type: Option<String>,
    /// What the job made (`{"folderId": ...}` for a copy); its shape is not documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// A folder blueprint as the blueprint tree lists it (`GET /folder_blueprints`). The
/// listing's kind and `scope` values are not in Wrike's 2020 reference; both are read
/// leniently (an unknown scope is kept as `Other`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FolderBlueprint {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub child_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<TreeScope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
}

/// A task blueprint (`GET /task_blueprints`): a task kept as a template, with its subtasks.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskBlueprint {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<TreeScope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub super_task_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_task_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
}

crate::open_enum!(
    /// What a custom item type makes.
    pub enum RelatedType {
        Task,
        Folder,
        Project,
    }
);

/// A custom item type (`GET /custom_item_types`): a named kind of task or project that
/// work can be created from.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomItemType {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_type: Option<RelatedType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
}

/// What `POST /custom_item_types/{id}/instantiate` made.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum MadeWork {
    Task(Task),
    Folder(Folder),
}
