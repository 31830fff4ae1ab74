//! The actions a step may name: their inputs, the connection feature (and so the scopes
//! and rights) each needs, and whether it creates something in Wrike.

use crate::scope_plan::Feature;

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

/// An action in the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    pub name: &'static str,
    pub summary: &'static str,
    pub inputs: &'static [ActionInput],
    /// What the recipe's connection must allow; `None` for actions that do not call Wrike.
    pub needs: Option<Feature>,
    /// It creates something in Wrike: before a retry after an unknown outcome (a timeout, a
    /// killed worker), the runner looks for what the first attempt may have made.
    pub creates: bool,
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

/// Every action a step may use.
pub const CATALOG: &[Action] = &[
    Action {
        name: "wrike.get_task",
        summary: "Read one task",
        inputs: &[req("id", "the task id")],
        needs: Some(Feature::ReadWork),
        creates: false,
    },
    Action {
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
    },
    Action {
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
    },
    Action {
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
    },
    Action {
        name: "wrike.delete_task",
        summary: "Move a task to the Recycle Bin",
        inputs: &[req("id", "the task id")],
        needs: Some(Feature::WriteWork),
        creates: false,
    },
    Action {
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
    },
    Action {
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
    },
    Action {
        name: "wrike.create_comment",
        summary: "Comment on a task or a folder",
        inputs: &[
            opt("task", "the task id (or give folder)"),
            opt("folder", "the folder id (or give task)"),
            req("text", "the comment (HTML allowed)"),
        ],
        needs: Some(Feature::WriteWork),
        creates: true,
    },
    Action {
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
    },
    Action {
        name: "wrike.resend_invitation",
        summary: "Send an invitation again",
        inputs: &[req("id", "the invitation id")],
        needs: Some(Feature::Invitations),
        creates: false,
    },
    Action {
        name: "wrike.cancel_invitation",
        summary: "Cancel an invitation",
        inputs: &[req("id", "the invitation id")],
        needs: Some(Feature::Invitations),
        creates: false,
    },
    Action {
        name: "wrike.list_workflows",
        summary: "List workflows and their statuses",
        inputs: &[],
        needs: Some(Feature::ReadWork),
        creates: false,
    },
    Action {
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
    },
    Action {
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
    },
    Action {
        name: "wrike.list_attachments",
        summary: "List the attachments of a task or a folder",
        inputs: &[
            opt("task", "the task id (or give folder)"),
            opt("folder", "the folder id (or give task)"),
        ],
        needs: Some(Feature::ReadWork),
        creates: false,
    },
    Action {
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
    },
    Action {
        name: "wrike.download_attachment",
        summary: "Read an attachment's file (up to 8 MB): name, contentType, size and content_base64",
        inputs: &[req("id", "the attachment id")],
        needs: Some(Feature::ReadWork),
        creates: false,
    },
    Action {
        name: "wrike.delete_attachment",
        summary: "Delete an attachment",
        inputs: &[req("id", "the attachment id")],
        needs: Some(Feature::WriteWork),
        creates: false,
    },
    Action {
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
    },
    Action {
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
    },
    Action {
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
    },
    Action {
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
    },
    Action {
        name: "usage.inactive_users",
        summary: "Paid seats of the recipe's connection idle for N days, from the hub's usage data",
        inputs: &[
            req("days", "days without activity"),
            opt("signals", "logins or all (default all)"),
        ],
        needs: None,
        creates: false,
    },
    Action {
        name: "map",
        summary: "Compute values from the trigger and earlier steps: the output is the input, after templates",
        inputs: &[],
        needs: None,
        creates: false,
    },
    Action {
        name: "control.stop",
        summary: "End the run here, successfully",
        inputs: &[opt("reason", "why, for the run's log")],
        needs: None,
        creates: false,
    },
];

/// The catalog entry named `name`.
pub fn action(name: &str) -> Option<&'static Action> {
    CATALOG.iter().find(|a| a.name == name)
}

impl Action {
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
