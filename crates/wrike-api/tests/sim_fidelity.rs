//! Places where the simulator was found to differ from Wrike (checked against real payloads
//! and Wrike's reference), each pinned by a test of what the client sees over HTTP.

mod common;

use futures::TryStreamExt;
use serde_json::{Value, json};
use wrike_api::models::*;
use wrike_api::requests::{AuditLogQuery, ContactsQuery, TaskQuery};
use wrike_sim::SimConfig;

async fn get_json(url: &str, token: &str) -> Value {
    let response = common::http()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn projects_in_listings_may_carry_a_custom_status_without_status() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let entries = client.folder_tree(None).await.expect("the tree decodes");
    let projects: Vec<&Project> = entries.iter().filter_map(|e| e.project.as_ref()).collect();
    assert!(projects.len() >= 2, "{projects:?}");
    assert!(
        projects
            .iter()
            .any(|p| p.status.is_none() && p.custom_status_id.is_some()),
        "some listed projects carry only customStatusId: {projects:?}"
    );
    assert!(
        projects.iter().any(|p| p.status.is_some()),
        "others carry status too: {projects:?}"
    );
    // The same shape decodes when it comes from elsewhere (a recorded listing of a space).
    let listed: Envelope<FolderTreeEntry> = serde_json::from_value(json!({
        "kind": "folderTree",
        "data": [{"id": "IEAAAAAQI4AAAAAB", "title": "Launch", "childIds": [], "scope": "WsFolder",
                  "project": {"authorId": "KUAAAAAQ", "ownerIds": ["KUAAAAAQ"], "customStatusId": "IEAAAAAQJMAAAAAA",
                              "createdDate": "2025-03-01T10:00:00Z"}}]
    }))
    .expect("a project without status decodes");
    assert_eq!(
        listed.data[0]
            .project
            .as_ref()
            .unwrap()
            .custom_status_id
            .as_deref(),
        Some("IEAAAAAQJMAAAAAA")
    );
}

#[tokio::test]
async fn filtered_folder_listings_return_opt_in_fields_only_when_asked() {
    let sim = common::sim().await;
    let all: Vec<&str> = wrike_api::Scope::KNOWN.iter().map(|s| s.as_str()).collect();
    let (token, api) = common::token(&sim, None, &all).await;
    let plain = get_json(&format!("{api}/folders?project=true"), &token).await;
    assert_eq!(plain["kind"], "folders");
    let first = &plain["data"][0];
    for opt_in in [
        "metadata",
        "hasAttachments",
        "description",
        "briefDescription",
        "customFields",
        "superParentIds",
    ] {
        assert!(first.get(opt_in).is_none(), "{opt_in} unasked: {first}");
    }
    assert!(first["project"].get("contractType").is_none(), "{first}");
    let asked = get_json(
        &format!(
            "{api}/folders?project=true&fields=[\"metadata\",\"description\",\"customFields\"]"
        ),
        &token,
    )
    .await;
    let first = &asked["data"][0];
    for opt_in in ["metadata", "description", "customFields"] {
        assert!(first.get(opt_in).is_some(), "{opt_in} asked for: {first}");
    }
    assert!(first.get("superParentIds").is_none(), "{first}");
}

#[tokio::test]
async fn paged_task_listings_reach_every_task_beyond_a_thousand() {
    let sim = common::sim_with(SimConfig {
        users: 600,
        rate_limit_per_minute: 0,
        ..SimConfig::default()
    })
    .await;
    let total = sim.sim.read().accounts[0]
        .tasks
        .iter()
        .filter(|t| t.scope == TreeScope::WsTask)
        .count();
    assert!(total > 1000, "enough tasks to cross the old cap ({total})");
    let client = common::owner_client(&sim).await;
    let tasks: Vec<Task> = client
        .tasks(None, &TaskQuery::default())
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(tasks.len(), total);
    let mut ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "no task twice");
}

#[tokio::test]
async fn login_records_name_the_email_and_type_changes_carry_the_type_id() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let records: Vec<AuditRecord> = client
        .audit_log(&AuditLogQuery::default())
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let logins: Vec<&AuditRecord> = records
        .iter()
        .filter(|r| {
            matches!(
                r.operation,
                AuditOperation::UserLoggedIn
                    | AuditOperation::UserLogout
                    | AuditOperation::UserFailLogin
            )
        })
        .collect();
    assert!(logins.len() > 100);
    for r in &logins {
        assert_eq!(r.object_type, Some(AuditObjectType::User));
        assert_eq!(r.object_name, r.user_email, "{r:?}");
        assert!(r.object_name.as_deref().unwrap().contains('@'));
        assert_eq!(r.object_id, r.user_id);
    }
    let types: Vec<String> = client
        .user_types()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    let type_changes: Vec<&AuditRecord> = records
        .iter()
        .filter(|r| r.details.contains_key("User Type Id"))
        .collect();
    assert!(!type_changes.is_empty(), "some users changed type");
    for r in type_changes {
        assert_eq!(r.operation, AuditOperation::UserRoleChanged);
        let id = r.details["User Type Id"].as_str().unwrap();
        assert!(types.iter().any(|t| t == id), "{id} is a user type");
    }
}

#[tokio::test]
async fn deleted_contacts_are_found_under_either_reading_of_the_flag() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let deleted_ids: Vec<String> = sim.sim.read().accounts[0]
        .users
        .iter()
        .filter(|u| u.contact.deleted)
        .map(|u| u.contact.id.clone())
        .collect();
    assert!(!deleted_ids.is_empty());
    let with_flag = ContactsQuery {
        deleted: Some(true),
        ..Default::default()
    };
    let includes = client.contacts(&with_flag).await.unwrap();
    assert!(includes.iter().any(|c| !c.deleted), "adds to the listing");
    common::control(
        &sim,
        reqwest::Method::PUT,
        "contacts_deleted",
        json!({"reading": "only"}),
    )
    .await;
    let only = client.contacts(&with_flag).await.unwrap();
    assert!(only.iter().all(|c| c.deleted), "deleted only");
    let mut found: Vec<String> = only.into_iter().map(|c| c.id).collect();
    found.sort();
    let mut expected = deleted_ids.clone();
    expected.sort();
    assert_eq!(found, expected);
    let plain = client.contacts(&ContactsQuery::default()).await.unwrap();
    assert!(plain.iter().all(|c| !c.deleted), "the default hides them");
}
