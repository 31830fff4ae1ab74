//! The admin audit log (`GET /audit_log`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One audit record. `details` keeps Wrike's human-readable keys (`"Login Type"`); Wrike
/// always sends it, as an object, empty or not.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: String,
    pub operation: AuditOperation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    pub event_date: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<AuditObjectType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    #[serde(default, deserialize_with = "super::lenient::object")]
    pub details: serde_json::Map<String, serde_json::Value>,
}

crate::open_enum!(
    pub enum AuditObjectType {
        User,
        Account,
        Task,
        Folder,
        Project,
        Comment,
        Attachment,
        Invitation,
        Group,
        CustomField,
        Oauth2Client,
        RequestForm,
        Workflow,
        CalendarExternalLink,
        WorkspaceSnapshot,
        DataExport,
        AccessRole,
        Space,
        AnalyzeReport,
    }
);

crate::open_enum!(
    /// Audit operations from Wrike's 2020 reference; newer ones arrive as `Other`.
    pub enum AuditOperation {
        UserLoggedIn,
        UserFailLogin,
        UserLogout,
        AdminLoggedInAsUser,
        OneTimePasswordCreated,
        OneTimePasswordUsed,
        OneTimePasswordRevoked,
        UserRoleChanged,
        UserAdminPermissionsChanged,
        UserGrantAdmin,
        UserRevokeAdmin,
        UserDeactivated,
        UserActivated,
        UsersAndGroupsExported,
        InvitationSend,
        InvitationAccepted,
        AttachUploaded,
        AttachDeleted,
        GroupCreated,
        GroupMemberAdded,
        GroupMemberRemoved,
        GroupRenamed,
        GroupDeleted,
        GroupParentAdded,
        GroupParentRemoved,
        TaskParentAdded,
        TaskParentRemoved,
        TaskShared,
        TaskUnshared,
        TaskAssigned,
        TaskUnassigned,
        TaskDeleted,
        TaskErased,
        TimelogLocked,
        TimelogUnlocked,
        TaskCommentChanged,
        TaskCommentDeleted,
        RecycleBinErased,
        TaskStatusChanged,
        TaskDuplication,
        UserDeleted,
        UserRestored,
        ApproverAdded,
        ApproverRemoved,
        ApprovalDescriptionChanged,
        ApprovalDueDateChanged,
        ApprovalCreated,
        ApprovalFinished,
        ApprovalCanceled,
        ApprovalDecisionMade,
        CustomFieldCreated,
        CustomFieldModified,
        CustomFieldRemoved,
        CustomFieldRestored,
        CustomFieldAddedToFolder,
        CustomFieldRemovedFromFolder,
        SecondFactorEnabled,
        SecondFactorDisabled,
        SecondFactorUsageReportCreated,
        AuditReportCreated,
        AccountBackupCreated,
        AccountModified,
        AccountDeleted,
        Oauth2AccessGranted,
        Oauth2AccessRevoked,
        FeedCreated,
        ExcelExportCreated,
        AccessAuditReportCsvExport,
        UserProfileUpdated,
        PasswordChanged,
        PasswordPolicyModified,
        ApprovedIpRangesOrSubnetsChanged,
        InvitationPolicyChanged,
        RequestFormCreated,
        RequestFormModified,
        RequestFormDeleted,
        AccessRoleCreated,
        AccessRoleModified,
        AccessRoleDeleted,
        WorkflowCreated,
        WorkflowDeleted,
        WorkflowModified,
        CalendarExternalLinksDeactivated,
        CalendarExternalLinksActivated,
        CalendarExternalLinkCreated,
        CalendarExternalLinkDeleted,
        AnalyzePublicLinkCreated,
        AnalyzePublicLinkDeleted,
        AnalyzePublicLinkAccessed,
        GuestReviewerInvited,
        GuestReviewerChanged,
        GuestReviewerRevoked,
        GuestReviewAccepted,
        GuestReviewRejected,
        GuestReviewAccountSettingsChanged,
        GanttSnapshotCreated,
        GanttSnapshotDeleted,
        UserTaskGroupRolesChanged,
        AccountDataExportRequested,
        AccountDataExportGenerated,
        SamlSSOEnabled,
        SamlSSODisabled,
        SamlSSOSettingsChanged,
        SamlSSOMetadataChanged,
        SamlClearPasswordForSamlUsers,
        OneTimePasswordStatusSwitched,
        AccessCodeGenerated,
        AccessCodeAccepted,
        AccessCodeDeclined,
        ApprovedDomainsChanged,
        AdminMailSettingsChanged,
        SpaceCreated,
        SpaceDeleted,
        SpaceArchivedUnarchived,
        UserJoinedSpace,
        UserLeftSpace,
    }
);

impl AuditOperation {
    /// Sign-in related operations (what "logins only" activity counts).
    pub fn is_login(&self) -> bool {
        matches!(self, AuditOperation::UserLoggedIn)
    }
}
