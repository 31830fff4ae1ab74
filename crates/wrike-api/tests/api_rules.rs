//! The simulator's rules seen through the client: data centers, paging, scopes, plans,
//! admin rights, and typed reads and writes.

mod common;

use std::collections::HashSet;

use futures::TryStreamExt;
use serde_json::json;
use wrike_api::models::*;
use wrike_api::requests::*;
use wrike_api::{DataCenter, WrikeError};

#[tokio::test]
async fn permanent_token_on_its_data_center_works_and_elsewhere_answers_300() {
    let sim = common::sim().await;
    let accounts = common::accounts(&sim).await;
    let eu = accounts.iter().find(|a| a["dataCenter"] == "eu").unwrap();
    let (token, eu_url) =
        common::token(&sim, Some(eu["ownerId"].as_str().unwrap()), &["Default"]).await;
    let DataCenter::Custom(url) = DataCenter::parse(&eu_url).unwrap() else {
        panic!("custom URL")
    };
    assert_eq!(
        common::client(url.url().as_str(), &token)
            .account(&[])
            .await
            .unwrap()
            .id,
        eu["id"].as_str().unwrap()
    );

    let err = common::client(&sim.api_url(0), &token)
        .account(&[])
        .await
        .unwrap_err();
    assert!(matches!(err, WrikeError::WrongDataCenter { .. }), "{err}");
    assert!(
        !err.is_retryable(),
        "a wrong data center is diagnosed, not retried"
    );
}

#[tokio::test]
async fn audit_log_pages_through_every_record_newest_first() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let total = common::accounts(&sim).await[0]["auditEvents"]
        .as_u64()
        .unwrap();
    assert!(
        total > 2_000,
        "the generated history spans many pages ({total})"
    );
    let before = common::log_position(&sim).await;
    let pages: Vec<Envelope<AuditRecord>> = client
        .audit_log_pages(&AuditLogQuery::default(), 1000)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages[0].response_size, Some(total));
    let records: Vec<&AuditRecord> = pages.iter().flat_map(|p| &p.data).collect();
    assert_eq!(
        records.len() as u64,
        total,
        "no record lost or repeated across pages"
    );
    let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len() as u64, total);
    assert!(
        records
            .windows(2)
            .all(|w| w[0].event_date >= w[1].event_date)
    );
    assert_eq!(
        common::logged(&sim, before).await.len(),
        pages.len(),
        "one request per page"
    );
    assert!(pages.len() as u64 >= total / 1000);
    assert!(pages.last().unwrap().next_page_token.is_none());

    // Filters: a date window and operations.
    let since = records[records.len() / 2].event_date;
    let query = AuditLogQuery {
        event_date: Some(DateRange::since(since)),
        operations: Some(vec![AuditOperation::UserLoggedIn]),
    };
    let logins: Vec<AuditRecord> = client
        .audit_log(&query)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let expected = records
        .iter()
        .filter(|r| r.event_date >= since && r.operation == AuditOperation::UserLoggedIn)
        .count();
    assert_eq!(logins.len(), expected);
    assert!(
        logins.iter().all(|r| r.details.contains_key("Login Type")),
        "details keep their spaced keys"
    );
}

#[tokio::test]
async fn tasks_page_with_tokens_and_create_update_delete_round_trip() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let all: Vec<Task> = client
        .tasks(None, &TaskQuery::default())
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let paged: Vec<Task> = client
        .items("tasks", Vec::new(), 7)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), paged.len());
    assert!(
        all.iter().all(|t| t.description.is_none()),
        "description is opt-in on listings"
    );

    let folder = client
        .folder_tree(None)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.scope == TreeScope::WsFolder && f.space.is_none())
        .unwrap();
    let me = client.me().await.unwrap();
    let fields = client.custom_fields().await.unwrap();
    let created = client
        .create_task(
            &folder.id,
            &NewTask {
                title: "Ship the hub".into(),
                description: Some("From the client test".into()),
                dates: Some(TaskDates {
                    date_type: DateType::Planned,
                    start: Some("2026-12-01T09:00:00".into()),
                    due: Some("2026-12-03T17:00:00".into()),
                    ..Default::default()
                }),
                responsibles: Some(vec![me.id.clone()]),
                custom_fields: Some(vec![CustomFieldValue {
                    id: fields[2].id.clone(),
                    value: Some("Globex".into()),
                }]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        created.id.starts_with("MA"),
        "API-created tasks get new-format ids"
    );
    assert_eq!(
        created.responsible_ids.as_deref(),
        Some(&[me.id.clone()][..])
    );
    let updated = client
        .update_task(
            &created.id,
            &TaskUpdate {
                status: Some(TaskStatus::Completed),
                title: Some("Shipped".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.status, TaskStatus::Completed);
    assert!(updated.completed_date.is_some());
    let again = client.tasks_by_ids(&[&created.id]).await.unwrap();
    assert_eq!(again[0].title, "Shipped");
    assert_eq!(
        again[0].custom_fields.as_ref().unwrap()[0].value.as_deref(),
        Some("Globex")
    );
    let deleted = client.delete_task(&created.id).await.unwrap();
    assert_eq!(deleted.scope, TreeScope::RbTask);

    let err = client
        .create_task(
            &folder.id,
            &NewTask {
                title: String::new(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WrikeError::BadRequest { code, .. } if code == "parameter_required"),
        "{err}"
    );
    let err = client.tasks_by_ids(&["IEAANOTHERE"]).await.unwrap_err();
    assert!(matches!(&err, WrikeError::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn scopes_plans_and_rights_are_enforced() {
    let sim = common::sim().await;
    let accounts = common::accounts(&sim).await;
    let main = &accounts[0];
    let owner = main["ownerId"].as_str().unwrap();

    // Default does not reach the audit log or users.
    let (token, url) = common::token(&sim, Some(owner), &["Default"]).await;
    let client = common::client(&url, &token);
    let err = client
        .audit_log_pages(&AuditLogQuery::default(), 10)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WrikeError::AccessForbidden { description } if description.contains("amReadOnlyAuditLog")),
        "{err}"
    );
    assert!(matches!(
        client.user(owner).await.unwrap_err(),
        WrikeError::AccessForbidden { .. }
    ));
    assert!(matches!(
        client.invitations().await.unwrap_err(),
        WrikeError::AccessForbidden { .. }
    ));
    client
        .tasks(None, &TaskQuery::default())
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .expect("Default reads workspace data");
    let read_only = common::client(
        &url,
        &common::token(&sim, Some(owner), &["wsReadOnly"]).await.0,
    );
    let folder = read_only.folder_tree(None).await.unwrap()[0].id.clone();
    assert!(matches!(
        read_only
            .create_task(
                &folder,
                &NewTask {
                    title: "x".into(),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err(),
        WrikeError::AccessForbidden { .. }
    ));

    // The audit log needs Enterprise, an admin, and the activity-report right.
    let users = common::users(&sim, main["id"].as_str().unwrap()).await;
    let plain_user = users
        .iter()
        .find(|u| u["admin"] == false && u["active"] == true && u["owner"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let admin_without_right = users
        .iter()
        .find(|u| u["admin"] == true && u["activityReports"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap();
    for user in [plain_user, admin_without_right] {
        let (token, url) = common::token(&sim, Some(user), &["amReadOnlyAuditLog"]).await;
        let err = common::client(&url, &token)
            .audit_log_pages(&AuditLogQuery::default(), 10)
            .unwrap()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(
            matches!(err, WrikeError::NotAllowed { .. }),
            "{user}: {err}"
        );
    }
    let eu = accounts.iter().find(|a| a["plan"] == "Business").unwrap();
    let (token, url) = common::token(
        &sim,
        Some(eu["ownerId"].as_str().unwrap()),
        &["amReadOnlyAuditLog"],
    )
    .await;
    let err = common::client(&url, &token)
        .audit_log_pages(&AuditLogQuery::default(), 10)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WrikeError::NotAllowed { description } if description.contains("Enterprise")),
        "{err}"
    );

    // Downgrading the plan takes the audit log away at once.
    common::control(
        &sim,
        reqwest::Method::POST,
        &format!("accounts/{}/plan", main["id"].as_str().unwrap()),
        json!({"plan": "Business"}),
    )
    .await;
    let client = common::owner_client(&sim).await;
    assert!(matches!(
        client
            .audit_log_pages(&AuditLogQuery::default(), 10)
            .unwrap()
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err(),
        WrikeError::NotAllowed { .. }
    ));

    // User changes are for admins only.
    let (token, url) = common::token(&sim, Some(plain_user), &["amReadWriteUser"]).await;
    let err = common::client(&url, &token)
        .update_user(owner, &UserUpdate::Active(false))
        .await
        .unwrap_err();
    assert!(matches!(err, WrikeError::NotAllowed { .. }), "{err}");
}

#[tokio::test]
async fn admin_reclaims_a_seat_and_the_users_tokens_die() {
    let sim = common::sim().await;
    let main = &common::accounts(&sim).await[0];
    let users = common::users(&sim, main["id"].as_str().unwrap()).await;
    let target = users
        .iter()
        .find(|u| u["admin"] == false && u["owner"] == false && u["active"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (their_token, url) = common::token(&sim, Some(&target), &["Default"]).await;
    let theirs = common::client(&url, &their_token);
    theirs.me().await.unwrap();

    let admin = common::owner_client(&sim).await;
    let types = admin.user_types().await.unwrap();
    let light = types.iter().find(|t| t.title == "Light User").unwrap();
    let changed = admin
        .update_user(&target, &UserUpdate::UserType(light.id.clone()))
        .await
        .unwrap();
    assert_eq!(changed.user_type_id.as_deref(), Some(light.id.as_str()));
    let off = admin
        .update_user(&target, &UserUpdate::Active(false))
        .await
        .unwrap();
    assert!(!off.is_active());
    assert!(
        theirs.me().await.unwrap_err().is_auth_failure(),
        "deactivation revokes the user's tokens"
    );
    let on = admin.set_users_active(&[&target], true).await.unwrap();
    assert!(on[0].is_active());

    let invitation = admin
        .create_invitation(&NewInvitation {
            email: "new.person@acme.example".into(),
            first_name: Some("New".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(invitation.status, InvitationStatus::Pending);
    let err = admin
        .create_invitation(&NewInvitation {
            email: "new.person@acme.example".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WrikeError::BadRequest { description, .. } if description.contains("pending")),
        "{err}"
    );
    admin
        .update_invitation(
            &invitation.id,
            &InvitationUpdate {
                resend: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    admin.delete_invitation(&invitation.id).await.unwrap();
    assert!(
        !admin
            .invitations()
            .await
            .unwrap()
            .iter()
            .any(|i| i.id == invitation.id)
    );
}

#[tokio::test]
async fn workspace_reads_cover_the_hubs_needs() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let account = client
        .account(&["subscription", "customFields"])
        .await
        .unwrap();
    let subscription = account.subscription.unwrap();
    assert_eq!(subscription.plan, Plan::Enterprise);
    assert!(subscription.user_limit.unwrap() >= 40);
    let contacts = client
        .contacts(&ContactsQuery {
            types: Some(vec![ContactType::Person]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        contacts
            .iter()
            .all(|c| c.contact_type == ContactType::Person && !c.deleted)
    );
    let with_deleted = client
        .contacts(&ContactsQuery {
            deleted: Some(true),
            types: Some(vec![ContactType::Person]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(with_deleted.len() >= contacts.len());
    assert!(
        contacts.iter().any(|c| c.profiles[0].external),
        "some externals"
    );
    assert!(
        contacts
            .iter()
            .any(|c| c.profiles[0].role == Role::Collaborator),
        "some collaborators"
    );
    assert!(
        contacts.iter().all(|c| c.metadata.is_none()),
        "metadata is opt-in"
    );
    assert_eq!(
        client
            .contacts(&ContactsQuery {
                me: Some(true),
                ..Default::default()
            })
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(client.access_roles().await.unwrap().len(), 4);
    assert!(!client.groups().await.unwrap().is_empty());
    assert!(
        !client.workflows().await.unwrap()[0]
            .custom_statuses
            .is_empty()
    );
    assert!(!client.spaces().await.unwrap().is_empty());
    let task = client
        .tasks(None, &TaskQuery::default())
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .remove(0);
    let comment = client
        .create_task_comment(&task.id, "Hello from weft")
        .await
        .unwrap();
    assert!(
        client
            .task_comments(&task.id)
            .await
            .unwrap()
            .iter()
            .any(|c| c.id == comment.id)
    );
    let timelog = client
        .create_timelog(
            &task.id,
            &NewTimelog {
                comment: "work".into(),
                hours: 1.5,
                tracked_date: "2026-11-02".parse().unwrap(),
                category_id: None,
                plain_text: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(timelog.hours, 1.5);
    assert!(
        client
            .timelogs(
                &TimelogScope::Task(task.id.clone()),
                &TimelogQuery::default()
            )
            .await
            .unwrap()
            .iter()
            .any(|t| t.id == timelog.id)
    );
    client.task_attachments(&task.id).await.unwrap();
    assert_eq!(client.version().await.unwrap().major, 4);
    let root = account.root_folder_id.unwrap();
    let project = client
        .create_folder(
            &root,
            &NewFolder {
                title: "Renewal 2027".into(),
                project: Some(NewProject {
                    status: Some(ProjectStatus::Green),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(project.is_project());
    let renamed = client
        .update_folder(
            &project.id,
            &FolderUpdate {
                title: Some("Renewal FY27".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.title, "Renewal FY27");
    assert_eq!(
        client.delete_folder(&project.id).await.unwrap().scope,
        TreeScope::RbFolder
    );
}
