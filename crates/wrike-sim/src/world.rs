//! Everything the simulated Wrike knows: accounts with their people and work, tokens,
//! OAuth clients and codes. Plain data behind one lock; handlers keep no state of their own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use wrike_api::Scope;
use wrike_api::models::*;

/// One Wrike account, living in one data center.
#[derive(Debug, Clone)]
pub struct AccountData {
    pub account: Account,
    pub plan: Plan,
    pub user_limit: u32,
    /// Index into the simulator's data centers.
    pub data_center: usize,
    pub users: Vec<SimUser>,
    pub groups: Vec<Group>,
    pub user_types: Vec<UserType>,
    pub invitations: Vec<Invitation>,
    pub access_roles: Vec<AccessRole>,
    pub spaces: Vec<Space>,
    pub folders: Vec<Folder>,
    pub tasks: Vec<Task>,
    pub workflows: Vec<Workflow>,
    pub custom_fields: Vec<CustomField>,
    pub comments: Vec<Comment>,
    pub timelogs: Vec<Timelog>,
    pub timelog_categories: Vec<TimelogCategory>,
    pub dependencies: Vec<Dependency>,
    pub approvals: Vec<Approval>,
    pub attachments: Vec<Attachment>,
    /// The bytes of uploaded attachments, by id (generated ones have none; their download
    /// is filler of their size).
    pub attachment_bytes: std::collections::HashMap<String, std::sync::Arc<Vec<u8>>>,
    pub webhooks: Vec<SimWebhook>,
    /// Asynchronous copies and blueprint launches, polled through `/async_job/{id}`.
    pub async_jobs: Vec<SimAsyncJob>,
    /// Folder blueprints (scope `BpFolder`): templates kept apart from the workspace.
    pub blueprint_folders: Vec<Folder>,
    /// Tasks in folder blueprints and task blueprints (scope `BpTask`).
    pub blueprint_tasks: Vec<Task>,
    pub custom_item_types: Vec<CustomItemType>,
    /// Download links handed out by `GET /attachments/{id}/url`, valid for 24 hours.
    pub attachment_links: Vec<AttachmentLink>,
    /// Sorted by (eventDate, id), oldest first.
    pub audit: Vec<AuditRecord>,
    /// Counter for ids of things created after generation.
    pub next_seq: u64,
}

/// An asynchronous job: its answer, and how often it was polled (the first poll finds it
/// in progress, so clients prove they wait).
#[derive(Debug, Clone)]
pub struct SimAsyncJob {
    pub id: String,
    pub kind: String,
    pub total: usize,
    pub result: serde_json::Value,
    pub polls: u32,
}

/// A temporary public link to an attachment's bytes.
#[derive(Debug, Clone)]
pub struct AttachmentLink {
    pub token: String,
    pub attachment_id: String,
    pub expires_at: DateTime<Utc>,
}

/// A person in an account, with what only Wrike's back office knows about them.
#[derive(Debug, Clone)]
pub struct SimUser {
    pub contact: Contact,
    pub password: String,
    /// The admin right "create user activity reports" that the audit log needs.
    pub activity_reports: bool,
}

impl SimUser {
    pub fn id(&self) -> &str {
        &self.contact.id
    }
    pub fn profile(&self) -> &Profile {
        &self.contact.profiles[0]
    }
    pub fn profile_mut(&mut self) -> &mut Profile {
        &mut self.contact.profiles[0]
    }
    pub fn is_admin(&self) -> bool {
        self.profile().admin || self.profile().owner
    }
    pub fn is_active(&self) -> bool {
        self.profile().active.unwrap_or(true) && !self.contact.deleted
    }
    pub fn email(&self) -> String {
        self.profile().email.clone().unwrap_or_default()
    }
}

/// A registered webhook plus its delivery bookkeeping.
#[derive(Debug, Clone)]
pub struct SimWebhook {
    pub hook: Webhook,
    pub secret: Option<String>,
    pub consecutive_failures: u32,
}

impl AccountData {
    pub fn id(&self) -> &str {
        &self.account.id
    }
    pub fn user(&self, id: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| u.id() == id)
    }
    pub fn user_mut(&mut self, id: &str) -> Option<&mut SimUser> {
        self.users.iter_mut().find(|u| u.id() == id)
    }
    pub fn owner(&self) -> &SimUser {
        self.users
            .iter()
            .find(|u| u.profile().owner)
            .expect("every account has an owner")
    }
    /// The generated dedicated integration user (`wrike-integration@...`), meant for the
    /// hub's connections in tests and demos.
    pub fn integration_user(&self) -> Option<&SimUser> {
        self.users
            .iter()
            .find(|u| u.email().starts_with("wrike-integration@"))
    }
    /// Leaves the owner and the integration user as the account's only people, with no
    /// activity anywhere (audit log, comments, timelogs, task authors): a blank account for
    /// a test to plant people on with answers it can work out.
    pub fn keep_only_owner_and_integration(&mut self) {
        let integration = self.integration_user().map(|u| u.id().to_owned());
        let owner = self.owner().id().to_owned();
        self.users.retain(|u| {
            u.contact.contact_type != ContactType::Person
                || u.id() == owner
                || Some(u.id()) == integration.as_deref()
        });
        self.audit.clear();
        self.comments.clear();
        self.timelogs.clear();
        for task in self.tasks.iter_mut() {
            task.author_ids = Some(Vec::new());
        }
    }
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
    pub fn task_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }
    pub fn attachment(&self, id: &str) -> Option<&Attachment> {
        self.attachments.iter().find(|a| a.id == id)
    }
    pub fn folder(&self, id: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }
    pub fn folder_mut(&mut self, id: &str) -> Option<&mut Folder> {
        self.folders.iter_mut().find(|f| f.id == id)
    }
    pub fn root_id(&self) -> String {
        self.account.root_folder_id.clone().unwrap_or_default()
    }
    pub fn recycle_bin_id(&self) -> String {
        self.account.recycle_bin_id.clone().unwrap_or_default()
    }
    pub fn allocate(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Every folder id above `id` (parents, their parents, ...), `id` excluded.
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut frontier = vec![id.to_owned()];
        while let Some(current) = frontier.pop() {
            if let Some(folder) = self.folder(&current) {
                for parent in &folder.parent_ids {
                    if !out.contains(parent) {
                        out.push(parent.clone());
                        frontier.push(parent.clone());
                    }
                }
            }
        }
        out
    }

    /// True when folder `folder` holds the task directly or (with `recursive`) below it.
    pub fn task_is_under(&self, task: &Task, folder: &str, recursive: bool) -> bool {
        let parents = task.parent_ids.clone().unwrap_or_default();
        parents
            .iter()
            .any(|p| p == folder || (recursive && self.ancestors(p).iter().any(|a| a == folder)))
    }

    /// Appends audit records keeping the (eventDate, id) order.
    pub fn push_audit(&mut self, record: AuditRecord) {
        let key = (record.event_date, record.id.clone());
        let at = self
            .audit
            .partition_point(|r| (r.event_date, r.id.clone()) <= key);
        self.audit.insert(at, record);
    }

    /// Which custom status stands for a status group in the default workflow.
    pub fn status_for_group(&self, group: &TaskStatus) -> Option<String> {
        self.workflows.iter().find(|w| w.standard).and_then(|w| {
            w.custom_statuses
                .iter()
                .find(|s| &s.group == group && s.standard)
                .map(|s| s.id.clone())
        })
    }

    /// The group a custom status belongs to.
    pub fn group_of_status(&self, custom_status: &str) -> Option<TaskStatus> {
        self.workflows
            .iter()
            .flat_map(|w| &w.custom_statuses)
            .find(|s| s.id == custom_status)
            .map(|s| s.group.clone())
    }
}

/// What an access token stands for.
#[derive(Debug, Clone)]
pub struct Grant {
    pub account_id: String,
    pub user_id: String,
    pub scopes: Vec<Scope>,
    /// `None` for permanent tokens.
    pub expires_at: Option<DateTime<Utc>>,
    pub client_id: Option<String>,
}

/// A refresh token (OAuth only); rotated on use.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub account_id: String,
    pub user_id: String,
    pub scopes: Vec<Scope>,
    pub client_id: String,
}

/// An authorization code waiting to be exchanged (single use, short-lived).
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub account_id: String,
    pub user_id: String,
    pub scopes: Vec<Scope>,
    pub client_id: String,
    pub redirect_uri: Option<String>,
    /// The PKCE S256 challenge the consent was asked with, if any.
    pub code_challenge: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// A registered OAuth application.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: String,
    /// Exact redirect URIs allowed (Wrike compares them exactly).
    pub redirect_uris: Vec<String>,
}

/// The whole simulated world.
#[derive(Debug, Default)]
pub struct World {
    pub accounts: Vec<AccountData>,
    pub tokens: HashMap<String, Grant>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub codes: HashMap<String, CodeGrant>,
    pub apps: Vec<OAuthApp>,
}

impl World {
    pub fn account(&self, id: &str) -> Option<&AccountData> {
        self.accounts.iter().find(|a| a.id() == id)
    }
    pub fn account_mut(&mut self, id: &str) -> Option<&mut AccountData> {
        self.accounts.iter_mut().find(|a| a.id() == id)
    }
    /// The account a user belongs to.
    pub fn account_of_user(&self, user_id: &str) -> Option<&AccountData> {
        self.accounts.iter().find(|a| a.user(user_id).is_some())
    }

    /// Drops every access and refresh token of a user (password change, deactivation).
    pub fn revoke_user(&mut self, account_id: &str, user_id: &str) -> usize {
        let before = self.tokens.len() + self.refresh_tokens.len();
        self.tokens
            .retain(|_, g| !(g.account_id == account_id && g.user_id == user_id));
        self.refresh_tokens
            .retain(|_, g| !(g.account_id == account_id && g.user_id == user_id));
        before - self.tokens.len() - self.refresh_tokens.len()
    }
}
