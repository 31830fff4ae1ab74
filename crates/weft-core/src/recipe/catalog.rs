//! The actions a step may name: their inputs, the connection feature (and so the scopes
//! and rights) each needs, the privilege each uses, and whether it creates something in
//! Wrike.

use serde::Serialize;

use crate::scope_plan::Feature;

use super::shape::Shape;

/// What an action does with the connection's access, from least to most. A recipe needs the
/// highest privilege among its steps; one that administers users and seats is applied,
/// edited, started and run by hand only by Admins, since its steps do what only Admins may
/// do directly (reclaim, invite).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    /// Reads Wrike or the hub's data; changes nothing.
    Read,
    /// Creates and changes work (tasks, folders, comments, attachments, timelogs) or reaches
    /// another system (HTTP, e-mail).
    WriteWork,
    /// Changes who is in the account and what seat they hold: invitations, user types,
    /// roles, deactivation, groups.
    AdministerUsers,
}

impl Privilege {
    pub fn as_str(self) -> &'static str {
        match self {
            Privilege::Read => "read",
            Privilege::WriteWork => "write work",
            Privilege::AdministerUsers => "administer users and seats",
        }
    }
}

/// Wrike API families whose changes administer the account's people and seats: a raw call
/// that changes one of them needs `Privilege::AdministerUsers`.
const ADMIN_FAMILIES: &[&str] = &[
    "users",
    "invitations",
    "groups",
    "user_types",
    "account",
    "accounts",
    "access_roles",
];

/// The privilege a raw Wrike call needs: reading is `Read`; changing anything is
/// `WriteWork`, or `AdministerUsers` in the families that manage people and seats. `path`
/// is the path after `/api/v4` (its first segment decides, in any case).
pub fn raw_call_privilege(method: &str, path: &str) -> Privilege {
    if method.trim().eq_ignore_ascii_case("GET") {
        return Privilege::Read;
    }
    let path = path.trim().trim_start_matches('/');
    let path = path.strip_prefix("api/v4/").unwrap_or(path);
    let family = path
        .split(['/', '?', '\\'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ADMIN_FAMILIES.contains(&family.as_str()) {
        Privilege::AdministerUsers
    } else {
        Privilege::WriteWork
    }
}

/// One input of an action.
#[derive(Debug, Clone, Copy)]
pub struct ActionInput {
    pub name: &'static str,
    pub required: bool,
    pub help: &'static str,
}

const fn req(name: &'static str, help: &'static str) -> ActionInput {
    ActionInput {
        name,
        required: true,
        help,
    }
}

const fn opt(name: &'static str, help: &'static str) -> ActionInput {
    ActionInput {
        name,
        required: false,
        help,
    }
}

/// Every action, by name in the catalog: the one place action names live. The runner, the
/// checks and the tests match on this (exhaustively), so an action cannot exist without its
/// executor, and a catalog entry cannot be added without deciding how it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ActionKind {
    GetTask,
    SearchTasks,
    CreateTask,
    UpdateTask,
    DeleteTask,
    CreateFolder,
    UpdateFolder,
    CreateComment,
    CreateInvitation,
    ResendInvitation,
    CancelInvitation,
    ListWorkflows,
    UpdateUser,
    CreateTimelog,
    ListAttachments,
    UploadAttachment,
    DownloadAttachment,
    DeleteAttachment,
    ListDependencies,
    CreateDependency,
    DeleteDependency,
    ListSpaces,
    GetSpace,
    ListWrikeApprovals,
    CreateWrikeApproval,
    CancelWrikeApproval,
    CopyFolder,
    GetFolder,
    SearchFolders,
    SearchProjects,
    CopyProject,
    ListFolderBlueprints,
    ListTaskBlueprints,
    LaunchFolderBlueprint,
    LaunchTaskBlueprint,
    ListCustomItemTypes,
    CreateFromCustomItemType,
    ListCustomFields,
    CreateCustomField,
    GetCustomFields,
    SetCustomFields,
    ListUsers,
    GetUser,
    ListGroups,
    AddGroupMembers,
    RemoveGroupMembers,
    SearchTimelogs,
    UpdateTimelog,
    DeleteTimelog,
    ListTimelogCategories,
    GetAttachment,
    GetAttachmentUrl,
    UpdateAttachment,
    GetWrikeApproval,
    UpdateWrikeApproval,
    WrikeRequest,
    HttpRequest,
    Notify,
    Approval,
    UsageInactiveUsers,
    Map,
    ControlStop,
}

/// An action in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub kind: ActionKind,
    pub name: &'static str,
    pub summary: &'static str,
    pub inputs: &'static [ActionInput],
    /// What the recipe's connection must allow; `None` for actions that do not call Wrike.
    pub needs: Option<Feature>,
    /// It creates something in Wrike: before a retry after an unknown outcome (a timeout, a
    /// killed worker), the runner looks for what the first attempt may have made.
    pub creates: bool,
    /// What it does with the connection's access (`wrike.request`: the most its method and
    /// path may need; see `Step::privilege`).
    pub privilege: Privilege,
    /// What it gives the steps after it (`steps.ID`), for checking their templates.
    pub output: fn() -> Shape,
}

const TASK_FIELDS: &[ActionInput] = &[
    opt("description", "the task's description (HTML)"),
    opt("status", "Active, Completed, Deferred or Cancelled"),
    opt("customStatus", "a custom status id"),
    opt("importance", "High, Normal or Low"),
    opt("dates", "{type, start, due, duration}"),
    opt("responsibles", "contact ids to assign"),
    opt("shareds", "contact ids to share with"),
    opt("followers", "contact ids who follow the task"),
    opt("customFields", "[{id, value}]"),
    opt("superTasks", "parent task ids"),
    opt("metadata", "[{key, value}]"),
];

/// What each action gives: Wrike's answers by the client's models, the hub's own answers
/// by their fields.
mod outputs {
    use super::Shape;
    use wrike_api::models::*;

    pub fn anything() -> Shape {
        Shape::Any
    }
    pub fn task() -> Shape {
        Shape::of::<Task>()
    }
    pub fn tasks() -> Shape {
        task().list()
    }
    pub fn folder() -> Shape {
        Shape::of::<Folder>()
    }
    pub fn folders() -> Shape {
        folder().list()
    }
    pub fn comment() -> Shape {
        Shape::of::<Comment>()
    }
    pub fn invitation() -> Shape {
        Shape::of::<Invitation>()
    }
    pub fn workflows() -> Shape {
        Shape::of::<Workflow>().list()
    }
    pub fn contact() -> Shape {
        Shape::of::<Contact>()
    }
    pub fn contacts() -> Shape {
        contact().list()
    }
    pub fn timelog() -> Shape {
        Shape::of::<Timelog>()
    }
    pub fn timelogs() -> Shape {
        timelog().list()
    }
    pub fn timelog_categories() -> Shape {
        Shape::of::<TimelogCategory>().list()
    }
    pub fn attachment() -> Shape {
        Shape::of::<Attachment>()
    }
    pub fn attachments() -> Shape {
        attachment().list()
    }
    pub fn dependency() -> Shape {
        Shape::of::<Dependency>()
    }
    pub fn dependencies() -> Shape {
        dependency().list()
    }
    pub fn space() -> Shape {
        Shape::of::<Space>()
    }
    pub fn spaces() -> Shape {
        space().list()
    }
    pub fn approval() -> Shape {
        Shape::of::<Approval>()
    }
    pub fn approvals() -> Shape {
        approval().list()
    }
    pub fn folder_blueprints() -> Shape {
        Shape::of::<FolderBlueprint>().list()
    }
    pub fn task_blueprints() -> Shape {
        Shape::of::<TaskBlueprint>().list()
    }
    pub fn launched_folder() -> Shape {
        folder().with(&["job"])
    }
    pub fn launched_task() -> Shape {
        task().with(&["job"])
    }
    pub fn item_types() -> Shape {
        Shape::of::<CustomItemType>().list()
    }
    pub fn made_work() -> Shape {
        Shape::of::<MadeWork>()
    }
    pub fn custom_field() -> Shape {
        Shape::of::<CustomField>()
    }
    pub fn custom_fields() -> Shape {
        custom_field().with(&["choices"]).list()
    }
    pub fn field_values() -> Shape {
        Shape::object(vec![
            ("byTitle", Shape::Any),
            ("byId", Shape::Any),
            (
                "fields",
                Shape::fields(&["id", "title", "type", "value"]).list(),
            ),
        ])
    }
    pub fn group() -> Shape {
        Shape::of::<Group>()
    }
    pub fn groups() -> Shape {
        group().list()
    }
    pub fn copied() -> Shape {
        Shape::fields(&["id", "title", "job"])
    }
    pub fn downloaded() -> Shape {
        Shape::fields(&["id", "name", "contentType", "size", "content_base64"])
    }
    pub fn deleted() -> Shape {
        Shape::fields(&["deleted"])
    }
    pub fn deleted_timelog() -> Shape {
        Shape::fields(&["deleted", "id"])
    }
    pub fn cancelled() -> Shape {
        Shape::fields(&["cancelled"])
    }
    pub fn attachment_link() -> Shape {
        Shape::fields(&["id", "url", "validHours"])
    }
    pub fn http_answer() -> Shape {
        Shape::fields(&["status", "body"])
    }
    pub fn notified() -> Shape {
        Shape::fields(&["sent", "channels", "to", "subject", "message"])
    }
    pub fn decided() -> Shape {
        Shape::fields(&["approved", "decided_by", "note"])
    }
    pub fn inactive() -> Shape {
        Shape::object(vec![
            ("days", Shape::Scalar),
            ("total", Shape::Scalar),
            ("left_out", Shape::Scalar),
            (
                "users",
                Shape::fields(&[
                    "id",
                    "name",
                    "email",
                    "userTypeId",
                    "userType",
                    "lastActivityAt",
                ])
                .list(),
            ),
            ("collaborator_type_id", Shape::Scalar),
        ])
    }
}

/// What folder and project searches take.
const FOLDER_SEARCH: &[ActionInput] = &[
    opt("under", "only below this folder or space root"),
    opt("title", "only titles holding this (any case)"),
    opt(
        "projectStatus",
        "Green, Yellow, Red, Completed, OnHold or Cancelled",
    ),
    opt("owner", "only projects this contact owns"),
    opt(
        "startFrom",
        "projects starting on or after this day, YYYY-MM-DD",
    ),
    opt("startTo", "projects starting on or before this day"),
    opt("endFrom", "projects ending on or after this day"),
    opt("endTo", "projects ending on or before this day"),
    opt("updatedSince", "changed at or after this time (RFC 3339)"),
    opt(
        "customField",
        "{field: title or id, comparator (default EqualTo), value, values, minValue, maxValue}",
    ),
    opt("limit", "at most this many (default 100, at most 1000)"),
];

/// Every action a step may use.
pub const CATALOG: &[Action] = &[
    Action {
        kind: ActionKind::GetTask,
        name: "wrike.get_task",
        summary: "Read one task",
        inputs: &[req("id", "the task id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::task,
    },
    Action {
        kind: ActionKind::SearchTasks,
        name: "wrike.search_tasks",
        summary: "List tasks of a folder or project, optionally by title, status or importance",
        inputs: &[
            opt(
                "folder",
                "a folder or project id; the whole account when absent",
            ),
            opt("title", "text the title contains"),
            opt("status", "Active, Completed, Deferred or Cancelled"),
            opt("importance", "High, Normal or Low"),
            opt(
                "limit",
                "the most tasks to return (default 100, at most 1000)",
            ),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::tasks,
    },
    Action {
        kind: ActionKind::CreateTask,
        name: "wrike.create_task",
        summary: "Create a task in a folder or project",
        inputs: &[
            req("folder", "the folder or project id"),
            req("title", "the task's title"),
            opt("description", "the task's description (HTML)"),
            opt("status", "Active, Completed, Deferred or Cancelled"),
            opt("customStatus", "a custom status id"),
            opt("importance", "High, Normal or Low"),
            opt("dates", "{type, start, due, duration}"),
            opt("responsibles", "contact ids to assign"),
            opt("shareds", "contact ids to share with"),
            opt("followers", "contact ids who follow the task"),
            opt("customFields", "[{id, value}]"),
            opt("superTasks", "parent task ids"),
            opt("metadata", "[{key, value}]"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::task,
    },
    Action {
        kind: ActionKind::UpdateTask,
        name: "wrike.update_task",
        summary: "Change a task: title, status, dates, assignees, parents, custom fields",
        inputs: &[
            req("id", "the task id"),
            opt("title", "a new title"),
            opt("addParents", "folder ids to add the task to"),
            opt("removeParents", "folder ids to take it out of"),
            opt("addResponsibles", "contact ids to assign"),
            opt("removeResponsibles", "contact ids to unassign"),
            opt("addShareds", "contact ids to share with"),
            opt("removeShareds", "contact ids to unshare"),
            opt("addFollowers", "contact ids to add as followers"),
            opt("addSuperTasks", "parent task ids to add"),
            opt("removeSuperTasks", "parent task ids to remove"),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::task,
    },
    Action {
        kind: ActionKind::DeleteTask,
        name: "wrike.delete_task",
        summary: "Move a task to the Recycle Bin",
        inputs: &[req("id", "the task id")],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::task,
    },
    Action {
        kind: ActionKind::CreateFolder,
        name: "wrike.create_folder",
        summary: "Create a folder, or a project with `project`",
        inputs: &[
            req("parent", "the parent folder id"),
            req("title", "the folder's title"),
            opt("description", "the folder's description"),
            opt(
                "project",
                "{ownerIds, status, startDate, endDate} to make it a project",
            ),
            opt("customFields", "[{id, value}]"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::folder,
    },
    Action {
        kind: ActionKind::UpdateFolder,
        name: "wrike.update_folder",
        summary: "Change a folder or project",
        inputs: &[
            req("id", "the folder or project id"),
            opt("title", "a new title"),
            opt("description", "a new description"),
            opt(
                "project",
                "{status, startDate, endDate, ownersAdd, ownersRemove}",
            ),
            opt("customFields", "[{id, value}]"),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::folder,
    },
    Action {
        kind: ActionKind::CreateComment,
        name: "wrike.create_comment",
        summary: "Comment on a task or a folder",
        inputs: &[
            opt("task", "the task id (or give folder)"),
            opt("folder", "the folder id (or give task)"),
            req("text", "the comment (HTML allowed)"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::comment,
    },
    Action {
        kind: ActionKind::CreateInvitation,
        name: "wrike.create_invitation",
        summary: "Invite someone to the account",
        inputs: &[
            req("email", "their e-mail address"),
            opt("firstName", "first name"),
            opt("lastName", "last name"),
            opt("role", "User or Collaborator"),
            opt("external", "true for someone outside the company"),
            opt("userTypeId", "the user type to invite them as"),
            opt("subject", "the invitation e-mail's subject"),
            opt("message", "the invitation e-mail's text"),
        ],
        needs: Some(Feature::Invitations),
        creates: true,
        privilege: Privilege::AdministerUsers,
        output: outputs::invitation,
    },
    Action {
        kind: ActionKind::ResendInvitation,
        name: "wrike.resend_invitation",
        summary: "Send an invitation again",
        inputs: &[req("id", "the invitation id")],
        needs: Some(Feature::Invitations),
        creates: false,
        privilege: Privilege::AdministerUsers,
        output: outputs::invitation,
    },
    Action {
        kind: ActionKind::CancelInvitation,
        name: "wrike.cancel_invitation",
        summary: "Cancel an invitation",
        inputs: &[req("id", "the invitation id")],
        needs: Some(Feature::Invitations),
        creates: false,
        privilege: Privilege::AdministerUsers,
        output: outputs::cancelled,
    },
    Action {
        kind: ActionKind::ListWorkflows,
        name: "wrike.list_workflows",
        summary: "List workflows and their statuses",
        inputs: &[],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::workflows,
    },
    Action {
        kind: ActionKind::UpdateUser,
        name: "wrike.update_user",
        summary: "Change a user's type or role, or deactivate them",
        inputs: &[
            req("id", "the user's contact id"),
            opt("userTypeId", "the new user type"),
            opt("role", "User or Collaborator (older accounts)"),
            opt("active", "false deactivates, true reactivates"),
        ],
        needs: Some(Feature::Reclaim),
        creates: false,
        privilege: Privilege::AdministerUsers,
        output: outputs::contact,
    },
    Action {
        kind: ActionKind::CreateTimelog,
        name: "wrike.create_timelog",
        summary: "Log time on a task",
        inputs: &[
            req("task", "the task id"),
            req("hours", "hours, e.g. 1.5"),
            req("trackedDate", "YYYY-MM-DD"),
            opt("comment", "what the time was for"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::timelog,
    },
    Action {
        kind: ActionKind::ListAttachments,
        name: "wrike.list_attachments",
        summary: "List the attachments of a task or a folder",
        inputs: &[
            opt("task", "the task id (or give folder)"),
            opt("folder", "the folder id (or give task)"),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::attachments,
    },
    Action {
        kind: ActionKind::UploadAttachment,
        name: "wrike.upload_attachment",
        summary: "Attach a file to a task or a folder",
        inputs: &[
            opt("task", "the task id (or give folder)"),
            opt("folder", "the folder id (or give task)"),
            req(
                "name",
                "the file's name (non-ASCII letters are sent percent-encoded)",
            ),
            opt("content", "the file as text (or give content_base64)"),
            opt(
                "content_base64",
                "the file's bytes, base64-encoded (or give content)",
            ),
            opt(
                "content_type",
                "its media type (text/plain or application/octet-stream by default)",
            ),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::attachment,
    },
    Action {
        kind: ActionKind::DownloadAttachment,
        name: "wrike.download_attachment",
        summary: "Read an attachment's file (up to 8 MB): name, contentType, size and content_base64",
        inputs: &[req("id", "the attachment id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::downloaded,
    },
    Action {
        kind: ActionKind::DeleteAttachment,
        name: "wrike.delete_attachment",
        summary: "Delete an attachment",
        inputs: &[req("id", "the attachment id")],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::deleted,
    },
    Action {
        kind: ActionKind::ListDependencies,
        name: "wrike.list_dependencies",
        summary: "List a task's dependencies (what it waits for and what waits for it)",
        inputs: &[req("task", "the task id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::dependencies,
    },
    Action {
        kind: ActionKind::CreateDependency,
        name: "wrike.create_dependency",
        summary: "Make a task depend on another (or another on it)",
        inputs: &[
            req("task", "the task id"),
            opt("predecessor", "the task it waits for"),
            opt("successor", "the task that waits for it"),
            opt(
                "relationType",
                "FinishToStart (default), StartToStart, FinishToFinish or StartToFinish",
            ),
            opt("lagTime", "minutes between the two"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::dependency,
    },
    Action {
        kind: ActionKind::DeleteDependency,
        name: "wrike.delete_dependency",
        summary: "Remove a dependency between two tasks",
        inputs: &[req("id", "the dependency id")],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::deleted,
    },
    Action {
        kind: ActionKind::ListSpaces,
        name: "wrike.list_spaces",
        summary: "List the spaces the connection sees",
        inputs: &[],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::spaces,
    },
    Action {
        kind: ActionKind::GetSpace,
        name: "wrike.get_space",
        summary: "Get a space with its members and their roles",
        inputs: &[req("id", "the space id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::space,
    },
    Action {
        kind: ActionKind::ListWrikeApprovals,
        name: "wrike.list_approvals",
        summary: "List Wrike approvals: all, or a task's or folder's, by status",
        inputs: &[
            opt("task", "only this task's"),
            opt("folder", "only this folder's"),
            opt(
                "statuses",
                "Pending, Approved, Rejected or Cancelled (a list)",
            ),
            opt("approvers", "only approvals these contacts decide (a list)"),
            opt(
                "pendingApprovers",
                "only approvals waiting for these contacts (a list)",
            ),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::approvals,
    },
    Action {
        kind: ActionKind::CreateWrikeApproval,
        name: "wrike.create_approval",
        summary: "Ask people in Wrike to approve a task or folder",
        inputs: &[
            opt("task", "the task to approve (or a folder)"),
            opt("folder", "the folder to approve"),
            req("approvers", "contact ids who decide"),
            opt("description", "what is asked"),
            opt("dueDate", "YYYY-MM-DD"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::approval,
    },
    Action {
        kind: ActionKind::CancelWrikeApproval,
        name: "wrike.cancel_approval",
        summary: "Cancel a Wrike approval still pending",
        inputs: &[req("id", "the approval id")],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::approval,
    },
    Action {
        kind: ActionKind::CopyFolder,
        name: "wrike.copy_folder",
        summary: "Copy a folder or project with its contents (waits for Wrike's copy, 2 minutes at most)",
        inputs: &[
            req("folder", "the folder or project to copy"),
            req("parent", "where the copy goes"),
            req("title", "the copy's title"),
            opt("titlePrefix", "put before every copied item's title"),
            opt("copyDescriptions", "true or false"),
            opt("copyResponsibles", "true or false"),
            opt("copyCustomFields", "true or false"),
            opt("copyStatuses", "true or false"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::copied,
    },
    Action {
        kind: ActionKind::CopyProject,
        name: "wrike.copy_project",
        summary: "Copy a project with its contents (waits for Wrike's copy, 2 minutes at most); refuses a plain folder",
        inputs: &[
            req("project", "the project to copy"),
            req("parent", "where the copy goes"),
            req("title", "the copy's title"),
            opt("titlePrefix", "put before every copied item's title"),
            opt("copyDescriptions", "true or false"),
            opt("copyResponsibles", "true or false"),
            opt("copyCustomFields", "true or false"),
            opt("copyStatuses", "true or false"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::copied,
    },
    Action {
        kind: ActionKind::GetFolder,
        name: "wrike.get_folder",
        summary: "Read one folder or project",
        inputs: &[req("id", "the folder or project id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::folder,
    },
    Action {
        kind: ActionKind::SearchFolders,
        name: "wrike.search_folders",
        summary: "Find folders and projects by title, custom field, last change, project status, owner or dates",
        inputs: FOLDER_SEARCH,
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::folders,
    },
    Action {
        kind: ActionKind::SearchProjects,
        name: "wrike.search_projects",
        summary: "Find projects by title, status, owner, start and end dates, custom field or last change",
        inputs: FOLDER_SEARCH,
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::folders,
    },
    Action {
        kind: ActionKind::ListFolderBlueprints,
        name: "wrike.list_folder_blueprints",
        summary: "List the folder and project blueprints",
        inputs: &[opt("title", "only blueprints whose title holds this")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::folder_blueprints,
    },
    Action {
        kind: ActionKind::ListTaskBlueprints,
        name: "wrike.list_task_blueprints",
        summary: "List the task blueprints",
        inputs: &[opt("title", "only blueprints whose title holds this")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::task_blueprints,
    },
    Action {
        kind: ActionKind::LaunchFolderBlueprint,
        name: "wrike.launch_folder_blueprint",
        summary: "Make a folder or project from a blueprint (waits for Wrike's launch, 2 minutes at most)",
        inputs: &[
            req("blueprint", "the folder blueprint id"),
            req("parent", "the folder it goes into"),
            req("title", "the new folder's title"),
            opt("titlePrefix", "put before every copied item's title"),
            opt("copyDescriptions", "true (default) or false"),
            opt("copyResponsibles", "true (default) or false"),
            opt("copyCustomFields", "true (default) or false"),
            opt("copyAttachments", "true or false (default)"),
            opt("notifyResponsibles", "true (default) or false"),
            opt("entryLimit", "at most this many items, 1 to 250"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::launched_folder,
    },
    Action {
        kind: ActionKind::LaunchTaskBlueprint,
        name: "wrike.launch_task_blueprint",
        summary: "Make a task (with its subtasks) from a blueprint, in a folder or under a task (waits, 2 minutes at most)",
        inputs: &[
            req("blueprint", "the task blueprint id"),
            opt(
                "parent",
                "the folder or project it goes into (or superTask)",
            ),
            opt("superTask", "the task it goes under (or parent)"),
            req("title", "the new task's title"),
            opt("titlePrefix", "put before every copied subtask's title"),
            opt("copyDescriptions", "true (default) or false"),
            opt("copyResponsibles", "true (default) or false"),
            opt("copyCustomFields", "true (default) or false"),
            opt("copyAttachments", "true or false (default)"),
            opt("notifyResponsibles", "true (default) or false"),
            opt("entryLimit", "at most this many items, 1 to 250"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::launched_task,
    },
    Action {
        kind: ActionKind::ListCustomItemTypes,
        name: "wrike.list_custom_item_types",
        summary: "List the custom item types (kinds of task or project work is made from)",
        inputs: &[],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::item_types,
    },
    Action {
        kind: ActionKind::CreateFromCustomItemType,
        name: "wrike.create_from_custom_item_type",
        summary: "Make a task, folder or project from a custom item type",
        inputs: &[
            req("itemType", "the custom item type id, or its title"),
            req("title", "the new item's title"),
            opt(
                "parent",
                "the folder or project it goes into (or superTask)",
            ),
            opt("superTask", "the task it goes under (task types only)"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::made_work,
    },
    Action {
        kind: ActionKind::ListCustomFields,
        name: "wrike.list_custom_fields",
        summary: "List the custom fields with their types and dropdown options",
        inputs: &[opt("title", "only fields whose title holds this")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::custom_fields,
    },
    Action {
        kind: ActionKind::CreateCustomField,
        name: "wrike.create_custom_field",
        summary: "Create a custom field",
        inputs: &[
            req("title", "its name"),
            req(
                "type",
                "Text, DropDown, Numeric, Currency, Percentage, Date, Duration, Checkbox, Contacts or Multiple",
            ),
            opt(
                "options",
                "the choices of a DropDown or Multiple field (a list)",
            ),
            opt("settings", "Wrike's settings object, for anything else"),
            opt("shareds", "contact ids who see it"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
        privilege: Privilege::WriteWork,
        output: outputs::custom_field,
    },
    Action {
        kind: ActionKind::GetCustomFields,
        name: "wrike.get_custom_fields",
        summary: "Read a task's or folder's custom field values, by field title and by id",
        inputs: &[
            opt("task", "the task (or folder)"),
            opt("folder", "the folder or project"),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::field_values,
    },
    Action {
        kind: ActionKind::SetCustomFields,
        name: "wrike.set_custom_fields",
        summary: "Set custom field values on a task or folder, naming each field by title or id (null clears)",
        inputs: &[
            opt("task", "the task (or folder)"),
            opt("folder", "the folder or project"),
            req("values", "a map of field title or id to its new value"),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::field_values,
    },
    Action {
        kind: ActionKind::ListUsers,
        name: "wrike.list_users",
        summary: "List the account's people, by status, role, user type, e-mail domain or name",
        inputs: &[
            opt(
                "active",
                "true: active people only; false: deactivated only",
            ),
            opt("role", "User, Collaborator or another role"),
            opt("userType", "a user type id"),
            opt("emailDomain", "e.g. example.com"),
            opt("name", "only people whose name holds this"),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::contacts,
    },
    Action {
        kind: ActionKind::GetUser,
        name: "wrike.get_user",
        summary: "Read one person: name, e-mail, role, user type, status",
        inputs: &[req("id", "the contact id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::contact,
    },
    Action {
        kind: ActionKind::ListGroups,
        name: "wrike.list_groups",
        summary: "List the account's groups with their members",
        inputs: &[opt("title", "only groups whose title holds this")],
        needs: Some(Feature::Groups),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::groups,
    },
    Action {
        kind: ActionKind::AddGroupMembers,
        name: "wrike.add_group_members",
        summary: "Add people to a group",
        inputs: &[
            req("group", "the group id"),
            req("members", "contact ids to add"),
        ],
        needs: Some(Feature::Groups),
        creates: false,
        privilege: Privilege::AdministerUsers,
        output: outputs::group,
    },
    Action {
        kind: ActionKind::RemoveGroupMembers,
        name: "wrike.remove_group_members",
        summary: "Remove people from a group",
        inputs: &[
            req("group", "the group id"),
            req("members", "contact ids to remove"),
        ],
        needs: Some(Feature::Groups),
        creates: false,
        privilege: Privilege::AdministerUsers,
        output: outputs::group,
    },
    Action {
        kind: ActionKind::SearchTimelogs,
        name: "wrike.search_timelogs",
        summary: "Find timelogs: a task's, a folder's, a person's or a category's, by tracked date",
        inputs: &[
            opt("task", "only this task's"),
            opt("folder", "only this folder's or project's (and below)"),
            opt("user", "only this person's"),
            opt("category", "only this timelog category's"),
            opt("trackedFrom", "first day, YYYY-MM-DD"),
            opt("trackedTo", "last day, YYYY-MM-DD"),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::timelogs,
    },
    Action {
        kind: ActionKind::UpdateTimelog,
        name: "wrike.update_timelog",
        summary: "Change a timelog's hours, day, comment or category",
        inputs: &[
            req("id", "the timelog id"),
            opt("hours", "more than 0, at most 24"),
            opt("trackedDate", "YYYY-MM-DD"),
            opt("comment", "what the time was for"),
            opt("category", "a timelog category id"),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::timelog,
    },
    Action {
        kind: ActionKind::DeleteTimelog,
        name: "wrike.delete_timelog",
        summary: "Delete a timelog",
        inputs: &[req("id", "the timelog id")],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::deleted_timelog,
    },
    Action {
        kind: ActionKind::ListTimelogCategories,
        name: "wrike.list_timelog_categories",
        summary: "List the timelog categories (hidden ones included, marked)",
        inputs: &[],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::timelog_categories,
    },
    Action {
        kind: ActionKind::GetAttachment,
        name: "wrike.get_attachment",
        summary: "Read an attachment's name, type, size, version and where it is",
        inputs: &[req("id", "the attachment id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::attachment,
    },
    Action {
        kind: ActionKind::GetAttachmentUrl,
        name: "wrike.get_attachment_url",
        summary: "A link to an attachment's file that works without a token for 24 hours",
        inputs: &[req("id", "the attachment id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::attachment_link,
    },
    Action {
        kind: ActionKind::UpdateAttachment,
        name: "wrike.update_attachment",
        summary: "Upload a new version of an attachment",
        inputs: &[
            req("id", "the attachment id"),
            req("name", "the file name"),
            opt("content", "the file as text"),
            opt("content_base64", "the file as base64"),
            opt("content_type", "its type, e.g. application/pdf"),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::attachment,
    },
    Action {
        kind: ActionKind::GetWrikeApproval,
        name: "wrike.get_approval",
        summary: "Read one Wrike approval with its decisions",
        inputs: &[req("id", "the approval id")],
        needs: Some(Feature::ReadWork),
        creates: false,
        privilege: Privilege::Read,
        output: outputs::approval,
    },
    Action {
        kind: ActionKind::UpdateWrikeApproval,
        name: "wrike.update_approval",
        summary: "Change a pending Wrike approval: description, due date, approvers, auto-finish, or finish it (decisions are made by approvers in Wrike)",
        inputs: &[
            req("id", "the approval id"),
            opt("description", "what is asked"),
            opt("dueDate", "YYYY-MM-DD"),
            opt("addApprovers", "contact ids"),
            opt("removeApprovers", "contact ids"),
            opt("autoFinishOnApprove", "true or false"),
            opt("autoFinishOnReject", "true or false"),
            opt("finished", "true finishes it now"),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::approval,
    },
    Action {
        kind: ActionKind::WrikeRequest,
        name: "wrike.request",
        summary: "Any Wrike API call: method, path and parameters",
        inputs: &[
            req("method", "GET, POST, PUT or DELETE"),
            req("path", "the path after /api/v4, e.g. /tasks/ID"),
            opt(
                "params",
                "query or form parameters; lists and maps are JSON-encoded",
            ),
        ],
        needs: Some(Feature::WriteWork),
        creates: false,
        privilege: Privilege::AdministerUsers,
        output: outputs::anything,
    },
    Action {
        kind: ActionKind::HttpRequest,
        name: "http.request",
        summary: "An HTTP request to any system",
        inputs: &[
            req("url", "http:// or https:// URL"),
            opt("method", "GET (default), POST, PUT, PATCH or DELETE"),
            opt("headers", "a map of header names to values"),
            opt("json", "a body sent as JSON"),
            opt("body", "a body sent as text"),
            opt("timeout_seconds", "at most 60 (default 15)"),
        ],
        needs: None,
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::http_answer,
    },
    Action {
        kind: ActionKind::Notify,
        name: "notify",
        summary: "A notification: e-mail to the addresses given, or the hub's alert channels (webhook, alert_emails); always the run's log",
        inputs: &[
            req("message", "what to say"),
            opt("subject", "a short title"),
            opt(
                "to",
                "e-mail addresses (a list, or text separated by commas); needs smtp_url",
            ),
        ],
        needs: None,
        creates: false,
        privilege: Privilege::WriteWork,
        output: outputs::notified,
    },
    Action {
        kind: ActionKind::Approval,
        name: "approval",
        summary: "Wait for an Admin or Operator to approve or reject in the UI or API",
        inputs: &[
            req("message", "what is being approved"),
            opt(
                "details",
                "anything to show beside it (a list of users, a diff)",
            ),
            opt(
                "timeout_hours",
                "after this the step fails with `approval timed out` (default 72)",
            ),
        ],
        needs: None,
        creates: false,
        privilege: Privilege::Read,
        output: outputs::decided,
    },
    Action {
        kind: ActionKind::UsageInactiveUsers,
        name: "usage.inactive_users",
        summary: "Paid seats of the recipe's connection idle for N days, from the hub's usage data (never the account owner, nor the user the connection runs as)",
        inputs: &[
            req("days", "days without activity"),
            opt("signals", "logins or all (default all)"),
        ],
        needs: None,
        creates: false,
        privilege: Privilege::Read,
        output: outputs::inactive,
    },
    Action {
        kind: ActionKind::Map,
        name: "map",
        summary: "Compute values from the trigger and earlier steps: the output is the input, after templates",
        inputs: &[],
        needs: None,
        creates: false,
        privilege: Privilege::Read,
        output: outputs::anything,
    },
    Action {
        kind: ActionKind::ControlStop,
        name: "control.stop",
        summary: "End the run here, successfully",
        inputs: &[opt("reason", "why, for the run's log")],
        needs: None,
        creates: false,
        privilege: Privilege::Read,
        output: outputs::anything,
    },
];

/// The catalog entry named `name`.
pub fn action(name: &str) -> Option<&'static Action> {
    CATALOG.iter().find(|a| a.name == name)
}

impl Action {
    /// What the action gives the steps after it, worked out once per process.
    pub fn output_shape(&self) -> &'static Shape {
        static SHAPES: std::sync::OnceLock<std::collections::HashMap<ActionKind, Shape>> =
            std::sync::OnceLock::new();
        SHAPES
            .get_or_init(|| CATALOG.iter().map(|a| (a.kind, (a.output)())).collect())
            .get(&self.kind)
            .expect("every action of the catalog has its shape")
    }

    /// Every input the action takes, with the task fields `wrike.update_task` shares.
    pub fn all_inputs(&self) -> Vec<ActionInput> {
        let mut inputs = self.inputs.to_vec();
        if self.name == "wrike.update_task" {
            for field in TASK_FIELDS {
                if !inputs.iter().any(|i| i.name == field.name) {
                    inputs.push(*field);
                }
            }
        }
        inputs
    }

    /// Inputs that may be given, including task fields the create/update actions share.
    pub fn accepts(&self, input: &str) -> bool {
        // `map` takes any names: they are the values it computes.
        self.name == "map"
            || self.inputs.iter().any(|i| i.name == input)
            || (self.name == "wrike.update_task" && TASK_FIELDS.iter().any(|i| i.name == input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_calls_are_classed_by_method_and_family() {
        for (method, path, want) in [
            ("GET", "/users/X", Privilege::Read),
            ("get", "tasks", Privilege::Read),
            ("PUT", "/users/X", Privilege::AdministerUsers),
            ("put", "/api/v4/Users/X", Privilege::AdministerUsers),
            ("POST", "invitations", Privilege::AdministerUsers),
            ("DELETE", "groups/G", Privilege::AdministerUsers),
            ("PUT", "account", Privilege::AdministerUsers),
            ("POST", "folders/F/tasks", Privilege::WriteWork),
            ("PUT", "tasks/T", Privilege::WriteWork),
        ] {
            assert_eq!(raw_call_privilege(method, path), want, "{method} {path}");
        }
        assert_eq!(
            action("wrike.update_user").unwrap().privilege,
            Privilege::AdministerUsers
        );
        assert_eq!(action("wrike.get_task").unwrap().privilege, Privilege::Read);
        assert!(Privilege::AdministerUsers > Privilege::WriteWork);
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    #[test]
    fn every_kind_names_exactly_one_catalog_entry() {
        let mut kinds: Vec<ActionKind> = CATALOG.iter().map(|a| a.kind).collect();
        let all = kinds.len();
        kinds.sort_by_key(|k| format!("{k:?}"));
        kinds.dedup();
        assert_eq!(kinds.len(), all, "two entries share a kind");
        let mut names: Vec<&str> = CATALOG.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "two entries share a name");
        for a in CATALOG {
            assert_eq!(action(a.name).map(|found| found.kind), Some(a.kind));
        }
    }
}
