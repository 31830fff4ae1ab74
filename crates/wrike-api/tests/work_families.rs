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

/// Polls an async job until it completes and returns what it made.
async fn finished(client: &wrike_api::WrikeClient, job: &AsyncJob) -> serde_json::Value {
    for _ in 0..10 {
        let polled = client.async_job(&job.id).await.unwrap();
        if polled.status == Some(AsyncJobStatus::Completed) {
            return polled.result.unwrap_or(json!(null));
        }
    }
    panic!("job {} never completed", job.id);
}

#[tokio::test]
async fn blueprints_launch_into_the_workspace_and_item_types_make_work() {
    let sim = common::sim().await;
    let (token, api) = common::token(&sim, None, &["Default"]).await;
    let client = common::client(&api, &token);
    let (folder, task) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        let folder = a
            .folders
            .iter()
            .find(|f| f.scope == TreeScope::WsFolder && f.project.is_none())
            .unwrap()
            .id
            .clone();
        (folder, a.tasks[0].id.clone())
    };

    let tree = client.folder_blueprints().await.unwrap();
    let onboarding = tree
        .iter()
        .find(|b| b.title == "Client onboarding")
        .unwrap();
    assert_eq!(onboarding.child_ids.len(), 2);
    assert_eq!(onboarding.scope, Some(TreeScope::BpFolder));
    let job = client
        .launch_blueprint(
            BlueprintKind::Folder,
            &onboarding.id,
            &BlueprintLaunch {
                title: "Onboarding: Acme".into(),
                parent: Some(folder.clone()),
                title_prefix: Some("Acme - ".into()),
                ..BlueprintLaunch::default()
            },
        )
        .await
        .unwrap();
    let made = finished(&client, &job).await;
    let root_id = made["folderId"].as_str().unwrap().to_owned();
    let root = client.folders(&[&root_id]).await.unwrap().remove(0);
    assert_eq!(root.title, "Onboarding: Acme");
    assert_eq!(root.parent_ids, vec![folder.clone()]);
    assert_eq!(root.scope, TreeScope::WsFolder);
    let children = client
        .folders(&[&root.child_ids[0], &root.child_ids[1]])
        .await
        .unwrap();
    assert!(children.iter().all(|c| c.title.starts_with("Acme - ")));
    let tasks: Vec<Task> = futures::TryStreamExt::try_collect(
        client.tasks(Some(&root_id), &TaskQuery::default()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(tasks.len(), 3, "{tasks:?}");
    assert!(tasks.iter().all(|t| t.title.starts_with("Acme - ")));

    // A task blueprint with its subtasks, under an existing task.
    let blueprints = client.task_blueprints().await.unwrap();
    let campaign = blueprints
        .iter()
        .find(|b| b.title == "Campaign launch")
        .unwrap();
    assert_eq!(campaign.sub_task_ids.as_ref().map(Vec::len), Some(2));
    let both = client
        .launch_blueprint(
            BlueprintKind::Task,
            &campaign.id,
            &BlueprintLaunch {
                title: "Spring campaign".into(),
                parent_id: Some(folder.clone()),
                super_task_id: Some(task.clone()),
                ..BlueprintLaunch::default()
            },
        )
        .await
        .unwrap_err();
    assert!(both.to_string().contains("simultaneously"), "{both}");
    let job = client
        .launch_blueprint(
            BlueprintKind::Task,
            &campaign.id,
            &BlueprintLaunch {
                title: "Spring campaign".into(),
                super_task_id: Some(task.clone()),
                ..BlueprintLaunch::default()
            },
        )
        .await
        .unwrap();
    let made = finished(&client, &job).await;
    let launched = client
        .tasks_by_ids(&[made["taskId"].as_str().unwrap()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(launched.title, "Spring campaign");
    assert_eq!(launched.super_task_ids, Some(vec![task.clone()]));
    assert_eq!(launched.sub_task_ids.as_ref().map(Vec::len), Some(2));
    let parent = client.tasks_by_ids(&[&task]).await.unwrap().remove(0);
    assert!(parent.sub_task_ids.unwrap().contains(&launched.id));

    // Custom item types: a task type and a project type.
    let types = client.custom_item_types().await.unwrap();
    let bug = types
        .iter()
        .find(|t| t.related_type == Some(RelatedType::Task))
        .unwrap();
    let client_project = types
        .iter()
        .find(|t| t.related_type == Some(RelatedType::Project))
        .unwrap();
    let MadeWork::Task(report) = client
        .instantiate(
            &bug.id,
            &NewWork {
                title: "Login button does nothing".into(),
                parent_id: Some(folder.clone()),
                ..NewWork::default()
            },
        )
        .await
        .unwrap()
    else {
        panic!("a task type makes a task");
    };
    assert_eq!(report.custom_item_type_id.as_deref(), Some(bug.id.as_str()));
    assert_eq!(report.parent_ids, Some(vec![folder.clone()]));
    let MadeWork::Folder(project) = client
        .instantiate(
            &client_project.id,
            &NewWork {
                title: "Acme rollout".into(),
                parent_id: Some(folder.clone()),
                ..NewWork::default()
            },
        )
        .await
        .unwrap()
    else {
        panic!("a project type makes a project");
    };
    assert!(project.is_project());
    let refused = client
        .instantiate(
            &client_project.id,
            &NewWork {
                title: "Nowhere".into(),
                super_task_id: Some(task.clone()),
                ..NewWork::default()
            },
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("superTaskId"), "{refused}");
}

#[tokio::test]
async fn custom_fields_timelogs_and_attachment_versions_round_trip() {
    let sim = common::sim().await;
    let (token, api) = common::token(&sim, None, &["Default"]).await;
    let client = common::client(&api, &token);
    let (folder, task, other) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        let folder = a
            .folders
            .iter()
            .find(|f| f.scope == TreeScope::WsFolder && f.project.is_some())
            .unwrap()
            .id
            .clone();
        let other = a
            .users
            .iter()
            .find(|u| u.is_active() && !u.is_admin())
            .unwrap()
            .id()
            .to_owned();
        (folder, a.tasks[0].id.clone(), other)
    };

    // Custom fields: create, set on a project, find the project by its value.
    let field = client
        .create_custom_field(&NewCustomField {
            title: "Region".into(),
            field_type: "DropDown".into(),
            settings: Some(json!({"values": ["EMEA", "APAC"]})),
            ..NewCustomField::default()
        })
        .await
        .unwrap();
    assert_eq!(field.field_type, CustomFieldType::DropDown);
    let bad = client
        .create_custom_field(&NewCustomField {
            title: "Odd".into(),
            field_type: "Hologram".into(),
            ..NewCustomField::default()
        })
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("Hologram"), "{bad}");
    client
        .update_folder(
            &folder,
            &FolderUpdate {
                custom_fields: Some(vec![CustomFieldValue {
                    id: field.id.clone(),
                    value: Some("EMEA".into()),
                }]),
                ..FolderUpdate::default()
            },
        )
        .await
        .unwrap();
    let filter = |comparator: &str, value: &str| FolderQuery {
        project: Some(true),
        custom_field: Some(CustomFieldFilter {
            id: field.id.clone(),
            comparator: comparator.into(),
            value: Some(value.into()),
            ..CustomFieldFilter::default()
        }),
        ..FolderQuery::default()
    };
    let found = client
        .search_folders(None, &filter("EqualTo", "emea"))
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        vec![folder.as_str()]
    );
    assert!(
        client
            .search_folders(None, &filter("EqualTo", "APAC"))
            .await
            .unwrap()
            .is_empty()
    );

    // Timelogs: create, change, find by person, folder and tracked day, delete.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let logged = client
        .create_timelog(
            &task,
            &NewTimelog {
                hours: 1.5,
                tracked_date: day,
                comment: "Pairing".into(),
                category_id: None,
                plain_text: None,
            },
        )
        .await
        .unwrap();
    let changed = client
        .update_timelog(
            &logged.id,
            &TimelogUpdate {
                hours: Some(2.25),
                comment: Some("Pairing, longer".into()),
                ..TimelogUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.hours, 2.25);
    let that_day = TimelogQuery {
        tracked_date: Some(DayRange {
            start: Some(day),
            end: Some(day),
        }),
        ..TimelogQuery::default()
    };
    let owner = changed.user_id.clone();
    let mine = client
        .timelogs(&TimelogScope::Contact(owner), &that_day)
        .await
        .unwrap();
    assert!(mine.iter().any(|t| t.id == logged.id));
    let parent = client.tasks_by_ids(&[&task]).await.unwrap().remove(0);
    let in_folder = client
        .timelogs(
            &TimelogScope::Folder(parent.parent_ids.unwrap()[0].clone()),
            &that_day,
        )
        .await
        .unwrap();
    assert!(in_folder.iter().any(|t| t.id == logged.id));
    let (other_token, _) = common::token(&sim, Some(&other), &["Default"]).await;
    let refused = common::client(&api, &other_token)
        .delete_timelog(&logged.id)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("tracked the time"),
        "{refused}"
    );
    client.delete_timelog(&logged.id).await.unwrap();
    assert!(
        client
            .timelogs(&TimelogScope::Task(task.clone()), &that_day)
            .await
            .unwrap()
            .iter()
            .all(|t| t.id != logged.id)
    );

    // Attachments: a link that needs no token, and a second version.
    let uploaded: Attachment = client
        .upload(
            &format!("tasks/{task}/attachments"),
            &wrike_api::FileUpload {
                name: "notes.txt".into(),
                content_type: "text/plain".into(),
                bytes: b"first".to_vec(),
            },
        )
        .await
        .map(|v| {
            serde_json::from_value::<Envelope<Attachment>>(v)
                .unwrap()
                .data
                .remove(0)
        })
        .unwrap();
    let url = client.attachment_url(&uploaded.id).await.unwrap();
    let fetched = common::http().get(&url).send().await.unwrap();
    assert!(fetched.status().is_success());
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), b"first");
    let second = client
        .update_attachment(
            &uploaded.id,
            &wrike_api::FileUpload {
                name: "notes-v2.txt".into(),
                content_type: "text/plain".into(),
                bytes: b"second, longer".to_vec(),
            },
        )
        .await
        .unwrap();
    assert_eq!(second.id, uploaded.id);
    assert_eq!(second.version.as_deref(), Some("2"));
    assert_eq!(second.name, "notes-v2.txt");
    let about = client.attachments(&[&uploaded.id]).await.unwrap().remove(0);
    assert_eq!(about.size, Some(14));
    assert_eq!(
        client
            .download(&format!("attachments/{}/download", uploaded.id))
            .await
            .unwrap(),
        b"second, longer"
    );
    let gone = common::http()
        .get(url.replace("attachment_links/", "attachment_links/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);
}
