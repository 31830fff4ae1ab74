//! Typed calls for everything the hub needs, one method per Wrike endpoint.

use futures::Stream;
use reqwest::Method;
use serde::Serialize;

use crate::client::WrikeClient;
use crate::encode::{Params, check_id, id_list, to_params};
use crate::error::WrikeError;
use crate::models::*;
use crate::requests::*;

/// Default page size for paged listings. Wrike documents no maximum; 1000 matches the
/// default limit of unpaged task listings.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

fn params<T: Serialize>(request: &T) -> Result<Params, WrikeError> {
    to_params(request)
}

fn fields(names: &[&str]) -> Params {
    if names.is_empty() {
        return Vec::new();
    }
    vec![(
        "fields".into(),
        serde_json::to_string(names).expect("strings"),
    )]
}

impl WrikeClient {
    /// `GET /version`; needs no scope, so it checks reachability and the token alone.
    pub async fn version(&self) -> Result<Version, WrikeError> {
        self.call_one(Method::GET, "version", Vec::new()).await
    }

    /// `GET /account`, with opt-in `fields` (`subscription`, `metadata`, `customFields`).
    pub async fn account(&self, opt_in: &[&str]) -> Result<Account, WrikeError> {
        self.call_one(Method::GET, "account", fields(opt_in)).await
    }

    /// `GET /contacts` (people and groups; no paging).
    pub async fn contacts(&self, query: &ContactsQuery) -> Result<Vec<Contact>, WrikeError> {
        Ok(self
            .call(Method::GET, "contacts", params(query)?)
            .await?
            .data)
    }

    /// `GET /contacts/{ids}` (at most 100).
    pub async fn contacts_by_ids(
        &self,
        ids: &[&str],
        opt_in: &[&str],
    ) -> Result<Vec<Contact>, WrikeError> {
        Ok(self
            .call(
                Method::GET,
                &format!("contacts/{}", id_list(ids)?),
                fields(opt_in),
            )
            .await?
            .data)
    }

    /// The token's own user (`GET /contacts?me=true`).
    pub async fn me(&self) -> Result<Contact, WrikeError> {
        let query = ContactsQuery {
            me: Some(true),
            ..Default::default()
        };
        self.call_one(Method::GET, "contacts", params(&query)?)
            .await
    }

    /// `GET /users/{id}` (needs a user scope).
    pub async fn user(&self, id: &str) -> Result<Contact, WrikeError> {
        self.call_one(Method::GET, &format!("users/{}", check_id(id)?), Vec::new())
            .await
    }

    /// `PUT /users/{id}`: change the user type, the (deprecated) profile, or active state.
    pub async fn update_user(&self, id: &str, update: &UserUpdate) -> Result<Contact, WrikeError> {
        let params = match update {
            UserUpdate::Profile(profile) => vec![(
                "profile".into(),
                serde_json::to_string(profile).expect("plain struct"),
            )],
            UserUpdate::UserType(type_id) => vec![("userTypeId".into(), type_id.clone())],
            UserUpdate::Active(active) => vec![("active".into(), active.to_string())],
        };
        self.call_one(Method::PUT, &format!("users/{}", check_id(id)?), params)
            .await
    }

    /// `PUT /users/{ids}` with `active`: (de)activate up to 100 users at once.
    pub async fn set_users_active(
        &self,
        ids: &[&str],
        active: bool,
    ) -> Result<Vec<Contact>, WrikeError> {
        Ok(self
            .call(
                Method::PUT,
                &format!("users/{}", id_list(ids)?),
                vec![("active".into(), active.to_string())],
            )
            .await?
            .data)
    }

    /// `GET /user_types` (plan-gated).
    pub async fn user_types(&self) -> Result<Vec<UserType>, WrikeError> {
        Ok(self.call(Method::GET, "user_types", Vec::new()).await?.data)
    }

    /// `GET /groups`.
    pub async fn groups(&self) -> Result<Vec<Group>, WrikeError> {
        Ok(self.call(Method::GET, "groups", Vec::new()).await?.data)
    }

    /// `GET /invitations`.
    pub async fn invitations(&self) -> Result<Vec<Invitation>, WrikeError> {
        Ok(self
            .call(Method::GET, "invitations", Vec::new())
            .await?
            .data)
    }

    /// `POST /invitations` (admins only).
    pub async fn create_invitation(
        &self,
        invitation: &NewInvitation,
    ) -> Result<Invitation, WrikeError> {
        self.call_one(Method::POST, "invitations", params(invitation)?)
            .await
    }

    /// `PUT /invitations/{id}`: resend, or change role / external / user type.
    pub async fn update_invitation(
        &self,
        id: &str,
        update: &InvitationUpdate,
    ) -> Result<Invitation, WrikeError> {
        self.call_one(
            Method::PUT,
            &format!("invitations/{}", check_id(id)?),
            params(update)?,
        )
        .await
    }

    /// `DELETE /invitations/{id}`: cancel.
    pub async fn delete_invitation(&self, id: &str) -> Result<(), WrikeError> {
        self.call::<serde_json::Value>(
            Method::DELETE,
            &format!("invitations/{}", check_id(id)?),
            Vec::new(),
        )
        .await
        .map(drop)
    }

    /// `GET /access_roles`.
    pub async fn access_roles(&self) -> Result<Vec<AccessRole>, WrikeError> {
        Ok(self
            .call(Method::GET, "access_roles", Vec::new())
            .await?
            .data)
    }

    /// `GET /audit_log`, page by page (each page is a natural commit point for a sync).
    pub fn audit_log_pages(
        &self,
        query: &AuditLogQuery,
        page_size: u32,
    ) -> Result<
        impl Stream<Item = Result<Envelope<AuditRecord>, WrikeError>> + Send + 'static + use<>,
        WrikeError,
    > {
        Ok(self.pages("audit_log", params(query)?, page_size))
    }

    /// One page of `GET /audit_log`: the first, or the one `token` names.
    pub async fn audit_log_page(
        &self,
        query: &AuditLogQuery,
        page_size: u32,
        token: Option<&str>,
    ) -> Result<Envelope<AuditRecord>, WrikeError> {
        self.page("audit_log", params(query)?, page_size, token)
            .await
    }

    /// `GET /audit_log`, record by record across every page.
    pub fn audit_log(
        &self,
        query: &AuditLogQuery,
    ) -> Result<
        impl Stream<Item = Result<AuditRecord, WrikeError>> + Send + 'static + use<>,
        WrikeError,
    > {
        Ok(self.items("audit_log", params(query)?, DEFAULT_PAGE_SIZE))
    }

    /// `GET /spaces`.
    pub async fn spaces(&self) -> Result<Vec<Space>, WrikeError> {
        Ok(self.call(Method::GET, "spaces", Vec::new()).await?.data)
    }

    /// `GET /spaces/{id}?fields=["members"]`: a space with its members and their roles.
    pub async fn space_with_members(&self, id: &str) -> Result<Space, WrikeError> {
        let path = format!("spaces/{}", check_id(id)?);
        self.call_one(Method::GET, &path, fields(&["members"]))
            .await
    }

    /// `PUT /spaces/{id}` (account admins and the space's managers): rename it, add,
    /// change and remove members. Answers the space with its members.
    pub async fn update_space(&self, id: &str, update: &SpaceUpdate) -> Result<Space, WrikeError> {
        let path = format!("spaces/{}", check_id(id)?);
        let mut params = params(update)?;
        params.extend(fields(&["members"]));
        self.call_one(Method::PUT, &path, params).await
    }

    /// `GET /folders` (the whole tree) or `GET /folders/{id}/folders` (a subtree).
    pub async fn folder_tree(
        &self,
        under: Option<&str>,
    ) -> Result<Vec<FolderTreeEntry>, WrikeError> {
        let path = match under {
            Some(id) => format!("folders/{}/folders", check_id(id)?),
            None => "folders".to_owned(),
        };
        Ok(self.call(Method::GET, &path, Vec::new()).await?.data)
    }

    /// `GET /folders` or `/folders/{id}/folders` with filters: full folders and projects
    /// (tree entries, should Wrike answer the tree, decode as folders too).
    pub async fn search_folders(
        &self,
        under: Option<&str>,
        query: &FolderQuery,
    ) -> Result<Vec<Folder>, WrikeError> {
        let path = match under {
            Some(id) => format!("folders/{}/folders", check_id(id)?),
            None => "folders".to_owned(),
        };
        Ok(self.call(Method::GET, &path, params(query)?).await?.data)
    }

    /// `GET /folders/{ids}`: full folders and projects.
    pub async fn folders(&self, ids: &[&str]) -> Result<Vec<Folder>, WrikeError> {
        Ok(self
            .call(
                Method::GET,
                &format!("folders/{}", id_list(ids)?),
                Vec::new(),
            )
            .await?
            .data)
    }

    /// `POST /folders/{parent}/folders`: a folder, or a project when `project` is set.
    pub async fn create_folder(
        &self,
        parent: &str,
        folder: &NewFolder,
    ) -> Result<Folder, WrikeError> {
        self.call_one(
            Method::POST,
            &format!("folders/{}/folders", check_id(parent)?),
            params(folder)?,
        )
        .await
    }

    /// `PUT /folders/{id}`.
    pub async fn update_folder(
        &self,
        id: &str,
        update: &FolderUpdate,
    ) -> Result<Folder, WrikeError> {
        self.call_one(
            Method::PUT,
            &format!("folders/{}", check_id(id)?),
            params(update)?,
        )
        .await
    }

    /// `DELETE /folders/{id}`: moves it to the recycle bin and returns it.
    pub async fn delete_folder(&self, id: &str) -> Result<Folder, WrikeError> {
        self.call_one(
            Method::DELETE,
            &format!("folders/{}", check_id(id)?),
            Vec::new(),
        )
        .await
    }

    /// `GET /tasks` (or `GET /folders/{id}/tasks`), every page.
    pub fn tasks(
        &self,
        in_folder: Option<&str>,
        query: &TaskQuery,
    ) -> Result<impl Stream<Item = Result<Task, WrikeError>> + Send + 'static + use<>, WrikeError>
    {
        let path = match in_folder {
            Some(id) => format!("folders/{}/tasks", check_id(id)?),
            None => "tasks".to_owned(),
        };
        Ok(self.items(&path, params(query)?, DEFAULT_PAGE_SIZE))
    }

    /// One page of `GET /tasks` (account-wide): the first, or the one `token` names.
    pub async fn tasks_page(
        &self,
        query: &TaskQuery,
        page_size: u32,
        token: Option<&str>,
    ) -> Result<Envelope<Task>, WrikeError> {
        self.page("tasks", params(query)?, page_size, token).await
    }

    /// `GET /comments`: account-wide comments in an `updatedDate` range shorter than seven
    /// days (the last seven days without one). Not on every plan.
    pub async fn comments(&self, query: &CommentQuery) -> Result<Vec<Comment>, WrikeError> {
        Ok(self
            .call(Method::GET, "comments", params(query)?)
            .await?
            .data)
    }

    /// `GET /tasks/{ids}` (at most 100).
    pub async fn tasks_by_ids(&self, ids: &[&str]) -> Result<Vec<Task>, WrikeError> {
        Ok(self
            .call(Method::GET, &format!("tasks/{}", id_list(ids)?), Vec::new())
            .await?
            .data)
    }

    /// `POST /folders/{folder}/tasks`.
    pub async fn create_task(&self, folder: &str, task: &NewTask) -> Result<Task, WrikeError> {
        self.call_one(
            Method::POST,
            &format!("folders/{}/tasks", check_id(folder)?),
            params(task)?,
        )
        .await
    }

    /// `PUT /tasks/{id}`.
    pub async fn update_task(&self, id: &str, update: &TaskUpdate) -> Result<Task, WrikeError> {
        self.call_one(
            Method::PUT,
            &format!("tasks/{}", check_id(id)?),
            params(update)?,
        )
        .await
    }

    /// `DELETE /tasks/{id}`: moves it to the recycle bin and returns it.
    pub async fn delete_task(&self, id: &str) -> Result<Task, WrikeError> {
        self.call_one(
            Method::DELETE,
            &format!("tasks/{}", check_id(id)?),
            Vec::new(),
        )
        .await
    }

    /// `GET /workflows` with their custom statuses.
    pub async fn workflows(&self) -> Result<Vec<Workflow>, WrikeError> {
        Ok(self.call(Method::GET, "workflows", Vec::new()).await?.data)
    }

    /// `GET /customfields`.
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, WrikeError> {
        Ok(self
            .call(Method::GET, "customfields", Vec::new())
            .await?
            .data)
    }

    /// `GET /tasks/{id}/comments`.
    pub async fn task_comments(&self, task: &str) -> Result<Vec<Comment>, WrikeError> {
        Ok(self
            .call(
                Method::GET,
                &format!("tasks/{}/comments", check_id(task)?),
                Vec::new(),
            )
            .await?
            .data)
    }

    /// `POST /tasks/{id}/comments`.
    pub async fn create_task_comment(&self, task: &str, text: &str) -> Result<Comment, WrikeError> {
        self.call_one(
            Method::POST,
            &format!("tasks/{}/comments", check_id(task)?),
            vec![("text".into(), text.into())],
        )
        .await
    }

    /// `POST /folders/{id}/comments`.
    pub async fn create_folder_comment(
        &self,
        folder: &str,
        text: &str,
    ) -> Result<Comment, WrikeError> {
        self.call_one(
            Method::POST,
            &format!("folders/{}/comments", check_id(folder)?),
            vec![("text".into(), text.into())],
        )
        .await
    }

    /// `DELETE /comments/{id}`.
    pub async fn delete_comment(&self, id: &str) -> Result<(), WrikeError> {
        self.call::<serde_json::Value>(
            Method::DELETE,
            &format!("comments/{}", check_id(id)?),
            Vec::new(),
        )
        .await
        .map(drop)
    }

    /// `GET /timelogs`, or a task's, folder's, person's or category's.
    pub async fn timelogs(
        &self,
        scope: &TimelogScope,
        query: &TimelogQuery,
    ) -> Result<Vec<Timelog>, WrikeError> {
        Ok(self
            .call(Method::GET, &scope.path()?, params(query)?)
            .await?
            .data)
    }

    /// `PUT /timelogs/{id}` (its author or an admin).
    pub async fn update_timelog(
        &self,
        id: &str,
        update: &TimelogUpdate,
    ) -> Result<Timelog, WrikeError> {
        let path = format!("timelogs/{}", check_id(id)?);
        self.call_one(Method::PUT, &path, params(update)?).await
    }

    /// `DELETE /timelogs/{id}` (its author or an admin).
    pub async fn delete_timelog(&self, id: &str) -> Result<(), WrikeError> {
        let path = format!("timelogs/{}", check_id(id)?);
        self.call::<serde_json::Value>(Method::DELETE, &path, Vec::new())
            .await
            .map(drop)
    }

    /// `POST /tasks/{id}/timelogs`.
    pub async fn create_timelog(
        &self,
        task: &str,
        timelog: &NewTimelog,
    ) -> Result<Timelog, WrikeError> {
        self.call_one(
            Method::POST,
            &format!("tasks/{}/timelogs", check_id(task)?),
            params(timelog)?,
        )
        .await
    }

    /// `GET /tasks/{id}/attachments` (metadata only).
    pub async fn task_attachments(&self, task: &str) -> Result<Vec<Attachment>, WrikeError> {
        Ok(self
            .call(
                Method::GET,
                &format!("tasks/{}/attachments", check_id(task)?),
                Vec::new(),
            )
            .await?
            .data)
    }

    /// `GET /webhooks`.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, WrikeError> {
        Ok(self.call(Method::GET, "webhooks", Vec::new()).await?.data)
    }

    /// `POST /webhooks`, `/folders/{id}/webhooks` or `/spaces/{id}/webhooks`. With a secret,
    /// Wrike first calls `hookUrl` with the handshake; the hook must answer it.
    pub async fn create_webhook(
        &self,
        target: &WebhookTarget,
        hook: &NewWebhook,
    ) -> Result<Webhook, WrikeError> {
        let path = match target {
            WebhookTarget::Account => "webhooks".to_owned(),
            WebhookTarget::Folder(id) => format!("folders/{}/webhooks", check_id(id)?),
            WebhookTarget::Space(id) => format!("spaces/{}/webhooks", check_id(id)?),
        };
        self.call_one(Method::POST, &path, params(hook)?).await
    }

    /// `PUT /webhooks/{id}` with `status` (re-enable a suspended hook, or suspend one).
    pub async fn set_webhook_status(
        &self,
        id: &str,
        status: WebhookStatus,
    ) -> Result<Webhook, WrikeError> {
        self.call_one(
            Method::PUT,
            &format!("webhooks/{}", check_id(id)?),
            params(&WebhookStatusUpdate { status })?,
        )
        .await
    }

    /// `DELETE /webhooks/{id}`.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), WrikeError> {
        self.call::<serde_json::Value>(
            Method::DELETE,
            &format!("webhooks/{}", check_id(id)?),
            Vec::new(),
        )
        .await
        .map(drop)
    }

    /// `GET /tasks/{id}/dependencies`.
    pub async fn task_dependencies(&self, task: &str) -> Result<Vec<Dependency>, WrikeError> {
        let path = format!("tasks/{}/dependencies", check_id(task)?);
        Ok(self.call(Method::GET, &path, Vec::new()).await?.data)
    }

    /// `POST /tasks/{id}/dependencies`.
    pub async fn create_dependency(
        &self,
        task: &str,
        dependency: &NewDependency,
    ) -> Result<Dependency, WrikeError> {
        let path = format!("tasks/{}/dependencies", check_id(task)?);
        self.call_one(Method::POST, &path, params(dependency)?)
            .await
    }

    /// `DELETE /dependencies/{id}`.
    pub async fn delete_dependency(&self, id: &str) -> Result<(), WrikeError> {
        let path = format!("dependencies/{}", check_id(id)?);
        self.call::<serde_json::Value>(Method::DELETE, &path, Vec::new())
            .await
            .map(drop)
    }

    /// `GET /approvals`, or a task's or folder's (`on`: `tasks/ID` or `folders/ID`).
    pub async fn approvals(
        &self,
        on: Option<&ApprovalTarget>,
        query: &ApprovalQuery,
    ) -> Result<Vec<Approval>, WrikeError> {
        let path = match on {
            None => "approvals".to_owned(),
            Some(target) => format!("{}/approvals", target.path()?),
        };
        Ok(self.call(Method::GET, &path, params(query)?).await?.data)
    }

    /// `POST /tasks/{id}/approvals` or `/folders/{id}/approvals`.
    pub async fn create_approval(
        &self,
        on: &ApprovalTarget,
        approval: &NewApproval,
    ) -> Result<Approval, WrikeError> {
        let path = format!("{}/approvals", on.path()?);
        self.call_one(Method::POST, &path, params(approval)?).await
    }

    /// `PUT /approvals/{id}`.
    pub async fn update_approval(
        &self,
        id: &str,
        update: &ApprovalUpdate,
    ) -> Result<Approval, WrikeError> {
        let path = format!("approvals/{}", check_id(id)?);
        self.call_one(Method::PUT, &path, params(update)?).await
    }

    /// `DELETE /approvals/{id}`: cancels it.
    pub async fn cancel_approval(&self, id: &str) -> Result<Approval, WrikeError> {
        let path = format!("approvals/{}", check_id(id)?);
        self.call_one(Method::DELETE, &path, Vec::new()).await
    }

    /// `POST /groups` (admins).
    pub async fn create_group(&self, group: &NewGroup) -> Result<Group, WrikeError> {
        self.call_one(Method::POST, "groups", params(group)?).await
    }

    /// `PUT /groups/{id}` (admins): rename, add and remove members.
    pub async fn update_group(&self, id: &str, update: &GroupUpdate) -> Result<Group, WrikeError> {
        let path = format!("groups/{}", check_id(id)?);
        self.call_one(Method::PUT, &path, params(update)?).await
    }

    /// `GET /timelog_categories`.
    pub async fn timelog_categories(&self) -> Result<Vec<TimelogCategory>, WrikeError> {
        Ok(self
            .call(Method::GET, "timelog_categories", Vec::new())
            .await?
            .data)
    }

    /// `POST /copy_folder/{id}`: the copy, at once.
    pub async fn copy_folder(&self, id: &str, copy: &FolderCopy) -> Result<Folder, WrikeError> {
        let path = format!("copy_folder/{}", check_id(id)?);
        self.call_one(Method::POST, &path, params(copy)?).await
    }

    /// `POST /copy_folder_async/{id}`: the job that copies; poll it with `async_job`.
    pub async fn copy_folder_async(
        &self,
        id: &str,
        copy: &FolderCopy,
    ) -> Result<AsyncJob, WrikeError> {
        let path = format!("copy_folder_async/{}", check_id(id)?);
        self.call_one(Method::POST, &path, params(copy)?).await
    }

    /// `GET /async_job/{id}`.
    pub async fn async_job(&self, id: &str) -> Result<AsyncJob, WrikeError> {
        let path = format!("async_job/{}", check_id(id)?);
        self.call_one(Method::GET, &path, Vec::new()).await
    }

    /// `GET /approvals/{ids}` (at most 100).
    pub async fn approvals_by_ids(&self, ids: &[&str]) -> Result<Vec<Approval>, WrikeError> {
        let path = format!("approvals/{}", id_list(ids)?);
        Ok(self.call(Method::GET, &path, Vec::new()).await?.data)
    }

    /// `GET /attachments/{ids}`: metadata (at most 100).
    pub async fn attachments(&self, ids: &[&str]) -> Result<Vec<Attachment>, WrikeError> {
        let path = format!("attachments/{}", id_list(ids)?);
        Ok(self.call(Method::GET, &path, Vec::new()).await?.data)
    }

    /// `GET /attachments/{id}/url`: a link to the file that needs no token, for 24 hours.
    pub async fn attachment_url(&self, id: &str) -> Result<String, WrikeError> {
        #[derive(serde::Deserialize)]
        struct Link {
            url: String,
        }
        let path = format!("attachments/{}/url", check_id(id)?);
        Ok(self
            .call_one::<Link>(Method::GET, &path, Vec::new())
            .await?
            .url)
    }

    /// `PUT /attachments/{id}`: a new version of the file.
    pub async fn update_attachment(
        &self,
        id: &str,
        file: &crate::client::FileUpload,
    ) -> Result<Attachment, WrikeError> {
        let path = format!("attachments/{}", check_id(id)?);
        let envelope: Envelope<Attachment> = self.send_file(Method::PUT, &path, file).await?;
        envelope
            .data
            .into_iter()
            .next()
            .ok_or_else(|| WrikeError::Decode {
                what: path,
                message: "expected one attachment in data, got none".into(),
            })
    }

    /// `POST /customfields`.
    pub async fn create_custom_field(
        &self,
        field: &NewCustomField,
    ) -> Result<CustomField, WrikeError> {
        self.call_one(Method::POST, "customfields", params(field)?)
            .await
    }

    /// `GET /folder_blueprints`: the blueprint folder tree.
    pub async fn folder_blueprints(&self) -> Result<Vec<FolderBlueprint>, WrikeError> {
        Ok(self
            .call(Method::GET, "folder_blueprints", Vec::new())
            .await?
            .data)
    }

    /// `GET /task_blueprints`, every page.
    pub async fn task_blueprints(&self) -> Result<Vec<TaskBlueprint>, WrikeError> {
        use futures::TryStreamExt;
        self.items::<TaskBlueprint>("task_blueprints", Vec::new(), DEFAULT_PAGE_SIZE)
            .try_collect()
            .await
    }

    /// `POST /folder_blueprints/{id}/launch_async` (`parent` set) or
    /// `/task_blueprints/{id}/launch_async` (`parent_id` or `super_task_id` set): the job
    /// that makes the work; poll it with `async_job`.
    pub async fn launch_blueprint(
        &self,
        kind: BlueprintKind,
        id: &str,
        launch: &BlueprintLaunch,
    ) -> Result<AsyncJob, WrikeError> {
        let family = match kind {
            BlueprintKind::Folder => "folder_blueprints",
            BlueprintKind::Task => "task_blueprints",
        };
        let path = format!("{family}/{}/launch_async", check_id(id)?);
        self.call_one(Method::POST, &path, params(launch)?).await
    }

    /// `GET /custom_item_types`.
    pub async fn custom_item_types(&self) -> Result<Vec<CustomItemType>, WrikeError> {
        Ok(self
            .call(Method::GET, "custom_item_types", Vec::new())
            .await?
            .data)
    }

    /// `POST /custom_item_types/{id}/instantiate`: the task, folder or project made.
    pub async fn instantiate(&self, id: &str, work: &NewWork) -> Result<MadeWork, WrikeError> {
        let path = format!("custom_item_types/{}/instantiate", check_id(id)?);
        let envelope = self
            .call::<serde_json::Value>(Method::POST, &path, params(work)?)
            .await?;
        let item = envelope
            .data
            .into_iter()
            .next()
            .ok_or_else(|| WrikeError::Decode {
                what: path.clone(),
                message: "expected the work made in data, got none".into(),
            })?;
        let decode = |e: serde_json::Error| WrikeError::Decode {
            what: path.clone(),
            message: e.to_string(),
        };
        // The answer's kind says what was made; a task has `dates`, a folder has not.
        if envelope.kind == "tasks" || (envelope.kind != "folders" && item.get("dates").is_some()) {
            Ok(MadeWork::Task(
                serde_json::from_value(item).map_err(decode)?,
            ))
        } else {
            Ok(MadeWork::Folder(
                serde_json::from_value(item).map_err(decode)?,
            ))
        }
    }
}
