//! Webhooks and the events Wrike delivers to them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::open_enum!(
    pub enum WebhookStatus {
        Active,
        Suspended,
    }
);

crate::open_enum!(
    pub enum WebhookEventType {
        TaskCreated,
        TaskDeleted,
        TaskTitleChanged,
        TaskImportanceChanged,
        TaskStatusChanged,
        TaskDatesChanged,
        TaskParentsAdded,
        TaskParentsRemoved,
        TaskResponsiblesAdded,
        TaskResponsiblesRemoved,
        TaskSharedsAdded,
        TaskSharedsRemoved,
        TaskDescriptionChanged,
        TaskCustomFieldChanged,
        TaskApprovalStatusChanged,
        TaskApprovalDecisionChanged,
        TaskApprovalDecisionReset,
        FolderCreated,
        FolderDeleted,
        FolderTitleChanged,
        FolderParentsAdded,
        FolderParentsRemoved,
        FolderSharedsAdded,
        FolderSharedsRemoved,
        FolderDescriptionChanged,
        FolderCommentAdded,
        FolderCommentDeleted,
        FolderAttachmentAdded,
        FolderAttachmentDeleted,
        FolderCustomFieldChanged,
        FolderApprovalStatusChanged,
        FolderApprovalDecisionChanged,
        FolderApprovalDecisionReset,
        ProjectDatesChanged,
        ProjectOwnersAdded,
        ProjectOwnersRemoved,
        ProjectStatusChanged,
        AttachmentAdded,
        AttachmentDeleted,
        CommentAdded,
        CommentDeleted,
        TimelogChanged,
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_id: Option<String>,
    pub hook_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<WebhookEventType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive: Option<bool>,
    pub status: WebhookStatus,
}

/// One element of a webhook delivery (the body is a JSON array of these). The common keys
/// are typed; everything type-specific (`oldStatus`, `addedResponsibles`, `comment`, ...) is
/// kept in `details` with its original key.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    pub event_type: WebhookEventType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_author_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder_id: Option<String>,
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}
