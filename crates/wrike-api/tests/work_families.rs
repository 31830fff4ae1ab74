//! The typed calls for dependencies, approvals, groups, timelog categories and folder copies,
//! each over HTTP against the simulator: what a request sends, the simulator accepts, and
//! what it answers, the client decodes.

mod common;

use serde_json::json;
use wrike_api::models::*;
use wrike_api::requests::*;

#[tokio::test]
async fn dependencies_approvals_groups_categories_and_copies_round_trip() {
    let sim = common::sim().await;
    let (token, api) = common::token(
        &sim,
        None,
        &["Default", "amReadWriteGroup", "amReadOnlyTimelogCategory"],
    )
    .await;
    let client = common::client(&api, &token);
    let (first, second, folder, root, person) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        let folder = a
            .folders
            .iter()
            .find(|f| f.scope == TreeScope::WsFolder)
            .unwrap()
            .id
            .clone();
        let root = a
            .folders
            .iter()
            .find(|f| f.scope == TreeScope::WsRoot)
            .unwrap()
            .id
            .clone();
        let person = a
            .users
            .iter()
            .find(|u| u.profile().active == Some(true) && !u.contact.deleted && !u.profile().owner)
            .unwrap()
            .id()
            .to_owned();
        (
            a.tasks[0].id.clone(),
            a.tasks[1].id.clone(),
            folder,
            root,
            person,
        )
    };

    let dependency = client
        .create_dependency(
            &second,
            &NewDependency {
                predecessor_id: Some(first.clone()),
                relation_type: Some(RelationType::StartToStart),
                ..NewDependency::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(dependency.relation_type, RelationType::StartToStart);
    assert_eq!(client.task_dependencies(&first).await.unwrap().len(), 1);
    client.delete_dependency(&dependency.id).await.unwrap();
    assert!(client.task_dependencies(&first).await.unwrap().is_empty());

    let on = ApprovalTarget::Task(first.clone());
    let approval = client
        .create_approval(
            &on,
            &NewApproval {
                approvers: vec![person.clone()],
                due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 24),
                ..NewApproval::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(approval.status, Some(ApprovalStatus::Pending));
    assert_eq!(approval.due_date.as_deref(), Some("2026-12-24"));
    let pending = client
        .approvals(
            None,
            &ApprovalQuery {
                pending_approvers: Some(vec![person.clone()]),
                ..ApprovalQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    let changed = client
        .update_approval(
            &approval.id,
            &ApprovalUpdate {
                description: Some("Please look by Friday".into()),
                ..ApprovalUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        changed.description.as_deref(),
        Some("Please look by Friday")
    );
    let cancelled = client.cancel_approval(&approval.id).await.unwrap();
    assert_eq!(cancelled.status, Some(ApprovalStatus::Cancelled));
    assert_eq!(
        client
            .approvals(Some(&on), &ApprovalQuery::default())
            .await
            .unwrap()
            .len(),
        1
    );

    let group = client
        .create_group(&NewGroup {
            title: "Reviewers".into(),
            members: Some(vec![person.clone()]),
            ..NewGroup::default()
        })
        .await
        .unwrap();
    assert_eq!(group.member_ids, vec![person.clone()]);
    let group = client
        .update_group(
            &group.id,
            &GroupUpdate {
                remove_members: Some(vec![person.clone()]),
                ..GroupUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(group.member_ids.is_empty());

    let categories = client.timelog_categories().await.unwrap();
    assert!(categories.iter().any(|c| c.hidden) && categories.iter().any(|c| !c.hidden));

    let copy = FolderCopy {
        parent: root.clone(),
        title: "Copied".into(),
        ..FolderCopy::default()
    };
    let copied = client.copy_folder(&folder, &copy).await.unwrap();
    assert_eq!(copied.title, "Copied");
    let job = client.copy_folder_async(&folder, &copy).await.unwrap();
    let mut polled = client.async_job(&job.id).await.unwrap();
    let mut polls = 1;
    while polled.status != Some(AsyncJobStatus::Completed) {
        assert!(polls < 10, "{polled:?}");
        polled = client.async_job(&job.id).await.unwrap();
        polls += 1;
    }
    assert!(polls > 1, "the first poll finds the copy in progress");
    let made = polled.result.unwrap_or(json!(null));
    assert!(made["folderId"].is_string(), "{made}");
}
