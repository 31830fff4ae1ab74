//! Webhooks end to end: registration with the secret handshake, signed deliveries of real
//! changes, folder scoping, and suspension of a hook that keeps failing.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use secrecy::SecretString;
use serde_json::json;
use wrike_api::WrikeError;
use wrike_api::models::*;
use wrike_api::requests::{NewWebhook, WebhookTarget};
use wrike_api::webhook::{answer_handshake, is_handshake, parse_events, verify_signature};
use wrike_sim::SimConfig;

#[derive(Clone, Default)]
struct Receiver {
    events: Arc<Mutex<Vec<WebhookEvent>>>,
    bad_signatures: Arc<Mutex<u32>>,
}

/// A hook endpoint built only from the client's helpers, as the hub will build it.
async fn start_receiver(secret: &'static str) -> (String, Receiver) {
    let receiver = Receiver::default();
    let state = receiver.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                if let Some(challenge) = headers.get("X-Hook-Secret").and_then(|v| v.to_str().ok())
                    && is_handshake(&body)
                {
                    let answer = answer_handshake(secret.as_bytes(), challenge).unwrap();
                    return (StatusCode::OK, [("X-Hook-Secret", answer)]).into_response();
                }
                let signature = headers
                    .get("X-Hook-Signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !verify_signature(secret.as_bytes(), &body, signature) {
                    *state.bad_signatures.lock().unwrap() += 1;
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                state
                    .events
                    .lock()
                    .unwrap()
                    .extend(parse_events(&body).unwrap());
                StatusCode::OK.into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(v) = probe() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached within 5 s");
}

#[tokio::test]
async fn signed_deliveries_of_ui_changes_reach_a_folder_hook() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let (url, receiver) = start_receiver("hook-secret").await;
    let tree = client.folder_tree(None).await.unwrap();
    let space = tree.iter().find(|f| f.space == Some(true)).unwrap();
    let hook = client
        .create_webhook(
            &WebhookTarget::Folder(space.id.clone()),
            &NewWebhook {
                hook_url: url,
                secret: Some(SecretString::from("hook-secret")),
                events: Some(vec![
                    WebhookEventType::TaskStatusChanged,
                    WebhookEventType::TaskCreated,
                ]),
                recursive: Some(true),
            },
        )
        .await
        .unwrap();
    assert_eq!(hook.status, WebhookStatus::Active);
    assert_eq!(hook.folder_id.as_deref(), Some(space.id.as_str()));

    // A user completes a task in a folder below the space, in the Wrike UI.
    let account = &common::accounts(&sim).await[0];
    let inside = tree
        .iter()
        .find(|f| space.child_ids.contains(&f.id))
        .unwrap();
    let task = client.tasks(Some(&inside.id), &Default::default()).unwrap();
    let task: Vec<Task> = futures::TryStreamExt::try_collect(task).await.unwrap();
    let target = task
        .iter()
        .find(|t| t.status == TaskStatus::Active)
        .unwrap();
    common::control(
        &sim,
        reqwest::Method::POST,
        &format!("accounts/{}/task_changes", account["id"].as_str().unwrap()),
        json!({"action": "update", "taskId": target.id, "params": {"status": "Completed"}}),
    )
    .await;
    // A change outside the space does not reach the hook.
    let outside = tree
        .iter()
        .find(|f| f.space == Some(true) && f.id != space.id)
        .unwrap();
    common::control(&sim, reqwest::Method::POST, &format!("accounts/{}/task_changes", account["id"].as_str().unwrap()), json!({"action": "create", "folderId": outside.child_ids[0], "params": {"title": "elsewhere"}})).await;

    let events = wait_for(|| {
        let events = receiver.events.lock().unwrap();
        (!events.is_empty()).then(|| events.clone())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events_after = receiver.events.lock().unwrap().clone();
    assert_eq!(
        events_after.len(),
        1,
        "only the change inside the space: {events_after:?}"
    );
    assert_eq!(events[0].event_type, WebhookEventType::TaskStatusChanged);
    assert_eq!(events[0].task_id.as_deref(), Some(target.id.as_str()));
    assert_eq!(events[0].webhook_id.as_deref(), Some(hook.id.as_str()));
    assert_eq!(events[0].details["status"], "Completed");
    assert_eq!(events[0].details["oldStatus"], "Active");
    assert_eq!(*receiver.bad_signatures.lock().unwrap(), 0);

    client.delete_webhook(&hook.id).await.unwrap();
    assert!(client.webhooks().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_handshake_refuses_the_registration() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let (url, _) = start_receiver("the-receivers-secret").await;
    let err = client
        .create_webhook(
            &WebhookTarget::Account,
            &NewWebhook {
                hook_url: url,
                secret: Some(SecretString::from("another-secret")),
                events: None,
                recursive: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WrikeError::BadRequest { description, .. } if description.contains("verification failed")),
        "{err}"
    );
    assert!(
        client.webhooks().await.unwrap().is_empty(),
        "nothing stored"
    );
    let err = client
        .create_webhook(
            &WebhookTarget::Account,
            &NewWebhook {
                hook_url: "not a url".into(),
                secret: None,
                events: None,
                recursive: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, WrikeError::BadRequest { .. }), "{err}");
}

#[tokio::test]
async fn a_hook_that_keeps_failing_is_suspended_and_can_be_reactivated() {
    let sim = common::sim_with(SimConfig {
        users: 20,
        webhook_retry_delay: Duration::from_millis(20),
        webhook_attempts: 2,
        webhook_suspend_after: 2,
        ..SimConfig::default()
    })
    .await;
    let client = common::owner_client(&sim).await;
    let hook = client
        .create_webhook(
            &WebhookTarget::Account,
            &NewWebhook {
                hook_url: "http://127.0.0.1:9/nothing-here".into(),
                secret: None,
                events: None,
                recursive: None,
            },
        )
        .await
        .unwrap();
    let folder = client
        .folder_tree(None)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.scope == TreeScope::WsFolder && f.space.is_none())
        .unwrap();
    for i in 0..2 {
        client
            .create_task(
                &folder.id,
                &wrike_api::requests::NewTask {
                    title: format!("t{i}"),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    for _ in 0..100 {
        if client.webhooks().await.unwrap()[0].status == WebhookStatus::Suspended {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        client.webhooks().await.unwrap()[0].status,
        WebhookStatus::Suspended
    );
    let deliveries: serde_json::Value = common::http()
        .get(format!("{}/_sim/webhook_deliveries", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        deliveries.as_array().unwrap().len() >= 4,
        "two attempts per failed delivery: {deliveries}"
    );
    let back = client
        .set_webhook_status(&hook.id, WebhookStatus::Active)
        .await
        .unwrap();
    assert_eq!(back.status, WebhookStatus::Active);
}
