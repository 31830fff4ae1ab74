//! The typed calls for dependencies, approvals, groups, timelog categories, folder copies and
//! spaces' members, each over HTTP against the simulator: what a request sends, the simulator
//! accepts, and what it answers, the client decodes.

mod common;

use serde_json::json;
use wrike_api::WrikeError;
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

#[tokio::test]
async fn space_members_are_added_changed_and_removed_by_admins_and_their_managers() {
    let sim = common::sim().await;
    let (owner_token, api) = common::token(&sim, None, &["Default", "wsReadWrite"]).await;
    let owner = common::client(&api, &owner_token);
    let (space, roles, people) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        let people: Vec<String> = a
            .users
            .iter()
            .filter(|u| {
                u.profile().active == Some(true)
                    && !u.contact.deleted
                    && !u.profile().owner
                    && !u.is_admin()
            })
            .take(2)
            .map(|u| u.id().to_owned())
            .collect();
        let roles: Vec<String> = a.access_roles.iter().map(|r| r.id.clone()).collect();
        (a.spaces[0].id.clone(), roles, people)
    };
    let (someone, other) = (people[0].clone(), people[1].clone());

    // A space comes with its maker as its manager.
    let before = owner.space_with_members(&space).await.unwrap();
    let members = before.members.clone().expect("members when asked for");
    assert_eq!(members.len(), 1);
    assert!(members[0].is_manager);

    let added = owner
        .update_space(
            &space,
            &SpaceUpdate {
                members_add: vec![SpaceMember {
                    id: someone.clone(),
                    access_role_id: Some(roles[3].clone()),
                    is_manager: false,
                }],
                ..SpaceUpdate::default()
            },
        )
        .await
        .unwrap();
    let joined = added
        .members
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.id == someone)
        .expect("added");
    assert_eq!(joined.access_role_id.as_deref(), Some(roles[3].as_str()));

    // A member who is not a manager may not change the space.
    let (their_token, _) = common::token(&sim, Some(&someone), &["Default", "wsReadWrite"]).await;
    let them = common::client(&api, &their_token);
    let refused = them
        .update_space(
            &space,
            &SpaceUpdate {
                members_add: vec![SpaceMember {
                    id: other.clone(),
                    access_role_id: None,
                    is_manager: true,
                }],
                ..SpaceUpdate::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, WrikeError::NotAllowed { .. }),
        "{refused}"
    );

    // Made a manager, they may; a bad entry refuses the whole change.
    owner
        .update_space(
            &space,
            &SpaceUpdate {
                members_update: vec![SpaceMember {
                    id: someone.clone(),
                    access_role_id: Some(roles[0].clone()),
                    is_manager: true,
                }],
                ..SpaceUpdate::default()
            },
        )
        .await
        .unwrap();
    let bad = them
        .update_space(
            &space,
            &SpaceUpdate {
                title: Some("Renamed".into()),
                members_add: vec![SpaceMember {
                    id: "KUAAAAAANOPE".into(),
                    access_role_id: None,
                    is_manager: false,
                }],
                ..SpaceUpdate::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, WrikeError::BadRequest { description, .. } if description.contains("membersAdd")),
        "{bad}"
    );
    let unchanged = owner.space_with_members(&space).await.unwrap();
    assert_eq!(unchanged.title, before.title, "nothing changed");
    let renamed = them
        .update_space(
            &space,
            &SpaceUpdate {
                title: Some("Renamed".into()),
                members_add: vec![SpaceMember {
                    id: other.clone(),
                    access_role_id: Some(roles[2].clone()),
                    is_manager: false,
                }],
                members_remove: vec![someone.clone()],
                ..SpaceUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.title, "Renamed");
    let ids: Vec<&str> = renamed
        .members
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert!(ids.contains(&other.as_str()) && !ids.contains(&someone.as_str()));

    // Removing someone who is not a member is refused, by name.
    let not_member = owner
        .update_space(
            &space,
            &SpaceUpdate {
                members_remove: vec![someone.clone()],
                ..SpaceUpdate::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        not_member.to_string().contains("not a member"),
        "{not_member}"
    );
}
