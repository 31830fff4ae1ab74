//! Every real payload in tests/samples (provenance in its INDEX.md) decodes into the typed
//! models, and the known fields come through with their values.

use std::path::PathBuf;

use serde::de::DeserializeOwned;
use wrike_api::models::*;
use wrike_api::oauth::TokenResponse;

fn sample(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/samples")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn envelope<T: DeserializeOwned>(name: &str, kind: &str) -> Vec<T> {
    let parsed: Envelope<T> =
        serde_json::from_str(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(parsed.kind, kind, "{name}");
    parsed.data
}

#[test]
fn every_sample_file_is_covered() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/samples");
    let covered = include_str!("conformance.rs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(
                covered.contains(&format!("\"{name}\"")),
                "sample {name} has no conformance check"
            );
        }
    }
}

#[test]
fn account_with_subscription() {
    let account = envelope::<Account>("account_get.json", "accounts").remove(0);
    assert_eq!(account.id, "IEAAAAAQ");
    assert_eq!(account.root_folder_id.as_deref(), Some("IEAAAAAQI7777777"));
    let subscription = account.subscription.unwrap();
    assert_eq!(subscription.plan, Plan::Enterprise);
    assert_eq!(subscription.user_limit, Some(50));
    assert_eq!(subscription.paid, Some(false));
    assert!(subscription.suspended.is_none(), "fields may be omitted");
    assert_eq!(account.custom_fields.unwrap().len(), 3);
    assert_eq!(account.metadata.unwrap()[0].key, "testMetaKey");
}

#[test]
fn contacts_and_users() {
    let contacts = envelope::<Contact>("contacts_list.json", "contacts");
    assert_eq!(contacts[0].contact_type, ContactType::Person);
    assert_eq!(contacts[0].me, Some(true));
    assert!(contacts[0].primary_profile().unwrap().owner);
    assert_eq!(contacts[0].email(), Some("rxoxamhvky@jm5rpcdnwm.com"));
    assert_eq!(contacts[1].contact_type, ContactType::Group);
    assert_eq!(
        contacts[1].member_ids.as_deref(),
        Some(&["KUAAAAAQ".to_string()][..])
    );
    assert!(contacts[1].email().is_none());
    let by_ids = envelope::<Contact>("contacts_get_by_ids.json", "contacts");
    let external = &by_ids[1].profiles[0];
    assert_eq!(external.role, Role::Collaborator);
    assert!(external.external);
    assert_eq!(by_ids[1].timezone.as_deref(), Some("US/Pacific"));
    let user = envelope::<Contact>("user_get.json", "users").remove(0);
    assert_eq!(user.id, "KUAAAAHP");
    assert!(user.is_active(), "no `active` means active");
    let modified = envelope::<Contact>("user_modify.json", "users").remove(0);
    assert_eq!(modified.profiles[0].role, Role::Collaborator);
}

#[test]
fn groups_and_access_roles() {
    let groups = envelope::<Group>("groups_list.json", "groups");
    assert_eq!(groups.len(), 3);
    assert_eq!(groups[1].child_ids, vec!["KX77777G"]);
    assert_eq!(groups[1].parent_ids, vec!["KX77777I"]);
    let created = envelope::<Group>("group_create.json", "groups").remove(0);
    assert_eq!(created.member_ids.len(), 2);
    assert!(envelope::<Group>("group_delete.json", "groups").is_empty());
    let roles = envelope::<AccessRole>("access_roles_list.json", "accessRoles");
    assert_eq!(
        roles.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(),
        ["Full", "Editor", "Limited", "Read Only"]
    );
}

#[test]
fn tasks_in_every_sample_shape() {
    let tasks = envelope::<Task>("tasks_list.json", "tasks");
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].importance, Importance::High);
    assert_eq!(tasks[0].dates.date_type, DateType::Planned);
    assert_eq!(tasks[0].dates.duration, Some(2880));
    assert_eq!(tasks[0].dates.start.as_deref(), Some("2019-02-14T09:00:00"));
    assert_eq!(
        tasks[0].custom_fields.as_ref().unwrap()[0].value.as_deref(),
        Some("testValue")
    );
    let created = envelope::<Task>("task_create.json", "tasks").remove(0);
    assert_eq!(created.followed_by_me, Some(true));
    assert_eq!(
        created.super_task_ids.as_deref(),
        Some(&["IEAAAAAQKQAB5BG4".to_string()][..])
    );
    let modified = envelope::<Task>("task_modify.json", "tasks").remove(0);
    assert_eq!(modified.status, TaskStatus::Deferred);
    let deleted = envelope::<Task>("task_delete.json", "tasks").remove(0);
    assert_eq!(deleted.scope, TreeScope::RbTask);
    let record: Task = serde_json::from_str(&sample("record_task_airbyte.json")).unwrap();
    assert_eq!(record.dates.date_type, DateType::Backlog);
    assert_eq!(record.priority.as_deref(), Some("1e95a8008000000000008800"));
    assert!(
        record.parent_ids.is_none(),
        "list records omit opt-in fields"
    );
}

#[test]
fn folders_projects_spaces() {
    let tree = envelope::<FolderTreeEntry>("folder_tree.json", "folderTree");
    assert_eq!(tree[0].title, "Root");
    assert_eq!(tree[0].child_ids.len(), 3);
    let folders = envelope::<Folder>("folders_get_by_ids.json", "folders");
    let project = folders[0].project.as_ref().unwrap();
    assert_eq!(project.status, Some(ProjectStatus::Green));
    assert_eq!(project.start_date.unwrap().to_string(), "2019-02-18");
    assert_eq!(folders[0].scope, TreeScope::WsFolder);
    let created = envelope::<Folder>("folder_create.json", "folders").remove(0);
    assert_eq!(created.parent_ids, vec!["IEAAAAAQI4AB5BGU"]);
    let copy = envelope::<Folder>("folder_copy.json", "folders").remove(0);
    assert_eq!(copy.child_ids.len(), 2);
    assert!(!copy.is_project());
    let spaces = envelope::<Space>("spaces_list.json", "spaces");
    assert_eq!(spaces[0].access_type, AccessType::Public);
    assert_eq!(
        spaces[0].default_task_workflow_id.as_deref(),
        Some("IEAGXR2EK4G2YNU4")
    );
}

#[test]
fn workflows_fields_comments_dependencies() {
    let workflows = envelope::<Workflow>("workflows_list.json", "workflows");
    assert_eq!(workflows[0].custom_statuses[2].group, TaskStatus::Completed);
    assert_eq!(
        workflows[0].custom_statuses[1].color.as_deref(),
        Some("Turquoise")
    );
    let fields = envelope::<CustomField>("customfields_list.json", "customfields");
    assert_eq!(fields[0].field_type, CustomFieldType::Text);
    let comments = envelope::<Comment>("comments_list.json", "comments");
    assert_eq!(comments[0].task_id.as_deref(), Some("MAAAAAEFzzde"));
    assert!(comments[0].updated_date.is_some());
    let deps = envelope::<Dependency>("dependencies_list.json", "dependencies");
    assert_eq!(deps[0].relation_type, RelationType::FinishToStart);
    assert_eq!(deps[0].predecessor_id, "MAAAAAEFzzde");
    assert_eq!(deps[0].lag_time, Some(0));
    // A relation this client does not know yet is kept, not refused.
    let newer: Dependency = serde_json::from_value(serde_json::json!({
        "id": "d", "predecessorId": "a", "successorId": "b", "relationType": "SomethingNew"
    }))
    .unwrap();
    assert!(!newer.relation_type.is_known());
    assert_eq!(newer.lag_time, None);
}

#[test]
fn webhooks_and_their_deliveries() {
    let hook = envelope::<Webhook>("webhooks_create_response.json", "webhooks").remove(0);
    assert_eq!(hook.status, WebhookStatus::Active);
    assert_eq!(hook.events.unwrap().len(), 4);
    assert_eq!(hook.folder_id.as_deref(), Some("MQAAAAEN9zQV"));
    let events: Vec<WebhookEvent> =
        serde_json::from_str(&sample("webhook_task_created.json")).unwrap();
    assert_eq!(events[0].event_type, WebhookEventType::TaskCreated);
    assert_eq!(events[0].event_author_id.as_deref(), Some("KUAAXTKP"));
}

#[test]
fn oauth_and_errors() {
    let token: TokenResponse =
        serde_json::from_str(&sample("oauth_token_docs_example.json")).unwrap();
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(token.token_type.as_deref(), Some("bearer"));
    let oauth_error: serde_json::Value =
        serde_json::from_str(&sample("error_oauth_invalid_grant.json")).unwrap();
    assert_eq!(oauth_error["error"], "invalid_grant");
    let api_error: wrike_api::error::ErrorBody =
        serde_json::from_str(&sample("error_not_authorized_docs.json")).unwrap();
    assert_eq!(api_error.error, "not_authorized");
    assert_eq!(
        api_error.error_description,
        "Access token is unknown or invalid"
    );
}

// No real approval payload is in the samples: FACTS.md's documented shape, with a status this
// client does not know and the optional fields left out, decodes.
#[test]
fn approvals_in_the_documented_shape() {
    let approval: Approval = serde_json::from_value(serde_json::json!({
        "id": "IEAAAAAQAP000001",
        "taskId": "MAAAAAEFzzde",
        "authorId": "KUAAAAHK",
        "title": "Launch plan",
        "description": "",
        "updatedDate": "2026-11-30T10:00:00Z",
        "dueDate": "2026-12-24",
        "decisions": [
            {"approverId": "KUAAAAAQ", "comment": "fine", "status": "Approved", "updatedDate": "2026-11-30T11:00:00Z"},
            {"approverId": "KUAAAAHK", "status": "Pending"}
        ],
        "status": "AwaitingSomethingNew",
        "type": "Regular",
        "autoFinishOnApprove": true,
        "autoFinishOnReject": true,
        "finished": false
    }))
    .unwrap();
    assert_eq!(approval.decisions[0].status, DecisionStatus::Approved);
    assert!(approval.decisions[1].comment.is_none());
    assert!(!approval.status.unwrap().is_known());
    assert_eq!(approval.folder_id, None);
}
