//! Webhooks as Wrike sends them, checked at a receiver on loopback: a folder hook hears of
//! tasks deleted or moved out of it, dates carry `startDate`/`dueDate`, projects,
//! attachments and folder comments fire their events; and parameters the simulator accepts
//! on `PUT /tasks` and `PUT /folders` are applied, or refused by name, never dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};
use wrike_sim::{Listen, RunningSim, SimConfig};

struct Receiver {
    url: String,
    events: Arc<Mutex<Vec<Value>>>,
}

/// A loopback endpoint that keeps every event delivered to it.
async fn receiver() -> Receiver {
    let events: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = events.clone();
    let app = Router::new().route(
        "/hook",
        post(move |body: String| {
            let kept = kept.clone();
            async move {
                if let Ok(Value::Array(list)) = serde_json::from_str::<Value>(&body) {
                    kept.lock().unwrap().extend(list);
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, events }
}

impl Receiver {
    /// Waits for an event of `event_type` about `subject` (a task or folder id).
    async fn find(&self, event_type: &str, subject: &str) -> Value {
        for _ in 0..100 {
            let found = self
                .events
                .lock()
                .unwrap()
                .iter()
                .find(|e| {
                    e["eventType"] == event_type
                        && (e["taskId"] == subject || e["folderId"] == subject)
                })
                .cloned();
            if let Some(event) = found {
                return event;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no {event_type} for {subject}; got {:?}",
            self.events.lock().unwrap()
        );
    }
}

struct Api {
    sim: RunningSim,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        let sim = wrike_sim::start(
            SimConfig {
                users: 30,
                rate_limit_per_minute: 0,
                ..SimConfig::default()
            },
            Listen::loopback(),
        )
        .await
        .unwrap();
        let http = reqwest::Client::new();
        let answer: Value = http
            .post(format!("{}/_sim/tokens", sim.base_url()))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api {
            token: answer["accessToken"].as_str().unwrap().to_owned(),
            sim,
            http,
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, String)],
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/{path}", self.sim.api_url(0)))
            .bearer_auth(&self.token);
        request = if method == reqwest::Method::GET {
            request.query(form)
        } else {
            request.form(form)
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, method: reqwest::Method, path: &str, form: &[(&str, String)]) -> Value {
        let (status, body) = self.call(method, path, form).await;
        assert_eq!(status, 200, "{path}: {body}");
        body["data"][0].clone()
    }

    /// A folder called `title` under the root.
    async fn folder(&self, title: &str) -> String {
        let root = self.ok(reqwest::Method::GET, "folders", &[]).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let made = self
            .ok(
                reqwest::Method::POST,
                &format!("folders/{root}/folders"),
                &[("title", title.into())],
            )
            .await;
        made["id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn a_folder_hook_hears_of_tasks_and_folders_that_leave_it() {
    let api = Api::start().await;
    let hooks = receiver().await;
    let watched = api.folder("Watched").await;
    let elsewhere = api.folder("Elsewhere").await;
    api.ok(
        reqwest::Method::POST,
        &format!("folders/{watched}/webhooks"),
        &[("hookUrl", hooks.url.clone())],
    )
    .await;

    let moved = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{watched}/tasks"),
            &[("title", "Moves".into())],
        )
        .await;
    let moved = moved["id"].as_str().unwrap();
    let deleted = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{watched}/tasks"),
            &[("title", "Goes".into())],
        )
        .await;
    let deleted = deleted["id"].as_str().unwrap();
    hooks.find("TaskCreated", moved).await;

    api.ok(
        reqwest::Method::PUT,
        &format!("tasks/{moved}"),
        &[
            ("addParents", json!([elsewhere]).to_string()),
            ("removeParents", json!([watched]).to_string()),
        ],
    )
    .await;
    let removed = hooks.find("TaskParentsRemoved", moved).await;
    assert_eq!(removed["removedParents"], json!([watched]));
    api.ok(reqwest::Method::DELETE, &format!("tasks/{deleted}"), &[])
        .await;
    hooks.find("TaskDeleted", deleted).await;

    // A child folder deleted: a recursive hook on its parent hears of it.
    let child = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{watched}/folders"),
            &[("title", "Child".into())],
        )
        .await;
    let child = child["id"].as_str().unwrap();
    let recursive = receiver().await;
    api.ok(
        reqwest::Method::POST,
        &format!("folders/{watched}/webhooks"),
        &[
            ("hookUrl", recursive.url.clone()),
            ("recursive", "true".into()),
        ],
    )
    .await;
    api.ok(reqwest::Method::DELETE, &format!("folders/{child}"), &[])
        .await;
    recursive.find("FolderDeleted", child).await;
}

#[tokio::test]
async fn payloads_name_dates_and_projects_attachments_and_folder_comments_fire() {
    let api = Api::start().await;
    let hooks = receiver().await;
    api.ok(
        reqwest::Method::POST,
        "webhooks",
        &[("hookUrl", hooks.url.clone())],
    )
    .await;
    let folder = api.folder("Work").await;
    let task = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{folder}/tasks"),
            &[("title", "Dated".into())],
        )
        .await;
    let task = task["id"].as_str().unwrap().to_owned();

    api.ok(
        reqwest::Method::PUT,
        &format!("tasks/{task}"),
        &[(
            "dates",
            json!({"type": "Planned", "start": "2026-12-01", "due": "2026-12-03"}).to_string(),
        )],
    )
    .await;
    let dates = hooks.find("TaskDatesChanged", &task).await;
    // As the task stores them: working-day times and the duration of three working days.
    assert_eq!(
        dates["dates"]["startDate"], "2026-12-01T09:00:00",
        "{dates}"
    );
    assert_eq!(dates["dates"]["dueDate"], "2026-12-03T17:00:00", "{dates}");
    assert_eq!(dates["dates"]["duration"], 1440, "{dates}");
    assert!(dates["dates"].get("start").is_none(), "{dates}");

    // A project: status, dates and owners each fire their event.
    let owner = api
        .ok(reqwest::Method::GET, "contacts", &[("me", "true".into())])
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let root = api.ok(reqwest::Method::GET, "folders", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let project = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{root}/folders"),
            &[
                ("title", "Launch".into()),
                ("project", json!({"status": "Green"}).to_string()),
            ],
        )
        .await;
    let project = project["id"].as_str().unwrap().to_owned();
    api.ok(
        reqwest::Method::PUT,
        &format!("folders/{project}"),
        &[("project", json!({"status": "Completed", "startDate": "2026-12-01", "endDate": "2026-12-20", "ownersAdd": [owner]}).to_string())],
    )
    .await;
    let status = hooks.find("ProjectStatusChanged", &project).await;
    assert_eq!(
        (status["oldStatus"].as_str(), status["status"].as_str()),
        (Some("Green"), Some("Completed"))
    );
    let dates = hooks.find("ProjectDatesChanged", &project).await;
    assert_eq!(dates["endDate"], "2026-12-20");
    hooks.find("ProjectOwnersAdded", &project).await;
    // An unknown key in `project` is refused by name, not dropped.
    let (status, body) = api
        .call(
            reqwest::Method::PUT,
            &format!("folders/{project}"),
            &[("project", json!({"colour": "red"}).to_string())],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["errorDescription"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{body}"
    );
    // A person changes the project in the Wrike UI (the control API): the same events, by
    // that person; a bad parameter is refused by name there too.
    let account = api.sim.sim.read().accounts[0].id().to_owned();
    let person = api.sim.sim.read().accounts[0]
        .users
        .iter()
        .find(|u| u.is_active() && u.id() != owner)
        .unwrap()
        .id()
        .to_owned();
    let ui_change = |params: Value| {
        let api = &api;
        let body = json!({"folderId": project, "userId": person, "params": params});
        let url = format!(
            "{}/_sim/accounts/{account}/folder_changes",
            api.sim.base_url()
        );
        async move {
            let answer = api.http.post(url).json(&body).send().await.unwrap();
            (
                answer.status().as_u16(),
                answer.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, folder_now) = ui_change(json!({"project": {"status": "OnHold"}})).await;
    assert_eq!(status, 200, "{folder_now}");
    assert_eq!(folder_now["project"]["status"], "OnHold");
    let mut waited = 0;
    let held = loop {
        waited += 1;
        assert!(
            waited < 200,
            "no OnHold event: {:?}",
            hooks.events.lock().unwrap()
        );
        let found = hooks
            .events
            .lock()
            .unwrap()
            .iter()
            .find(|e| e["eventType"] == "ProjectStatusChanged" && e["status"] == "OnHold")
            .cloned();
        if let Some(event) = found {
            break event;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (held["oldStatus"].as_str(), held["eventAuthorId"].as_str()),
        (Some("Completed"), Some(person.as_str()))
    );
    let (status, body) = ui_change(json!({"project": {"colour": "red"}})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("colour"), "{body}");

    // Attachments are uploaded and deleted with their events.
    let uploaded: Value = api
        .http
        .post(format!("{}/tasks/{task}/attachments", api.sim.api_url(0)))
        .bearer_auth(&api.token)
        .header("X-File-Name", "notes.txt")
        .header("Content-Type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let attachment = uploaded["data"][0]["id"]
        .as_str()
        .expect("an attachment")
        .to_owned();
    assert_eq!(uploaded["data"][0]["size"], 5);
    let added = hooks.find("AttachmentAdded", &task).await;
    assert_eq!(added["attachmentId"], attachment.as_str());
    api.ok(reqwest::Method::GET, &format!("tasks/{task}"), &[])
        .await;
    // The file comes back as it was sent, with its type and name.
    let download = |id: String| {
        let (http, url, token) = (
            api.http.clone(),
            format!("{}/attachments/{id}/download", api.sim.api_url(0)),
            api.token.clone(),
        );
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let file = download(attachment.clone()).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "text/plain");
    assert_eq!(
        file.headers()["content-disposition"],
        "attachment; filename=\"notes.txt\""
    );
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"hello");
    api.call(
        reqwest::Method::DELETE,
        &format!("attachments/{attachment}"),
        &[],
    )
    .await;
    hooks.find("AttachmentDeleted", &task).await;
    assert_eq!(download(attachment).await.status(), 404);

    // Folder comments.
    let comment = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{folder}/comments"),
            &[("text", "Hi".into())],
        )
        .await;
    hooks.find("FolderCommentAdded", &folder).await;
    api.call(
        reqwest::Method::DELETE,
        &format!("comments/{}", comment["id"].as_str().unwrap()),
        &[],
    )
    .await;
    hooks.find("FolderCommentDeleted", &folder).await;
}

#[tokio::test]
async fn task_and_folder_parameters_are_applied_or_refused_by_name() {
    let api = Api::start().await;
    let folder = api.folder("Params").await;
    let parent = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{folder}/tasks"),
            &[("title", "Parent".into())],
        )
        .await;
    let parent = parent["id"].as_str().unwrap().to_owned();
    let child = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{folder}/tasks"),
            &[("title", "Child".into())],
        )
        .await;
    let child = child["id"].as_str().unwrap().to_owned();
    let someone = api.ok(reqwest::Method::GET, "contacts", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let updated = api
        .ok(
            reqwest::Method::PUT,
            &format!("tasks/{child}"),
            &[
                ("addSuperTasks", json!([parent]).to_string()),
                ("addFollowers", json!([someone]).to_string()),
            ],
        )
        .await;
    assert_eq!(updated["superTaskIds"], json!([parent]));
    assert!(
        updated["followerIds"]
            .as_array()
            .unwrap()
            .contains(&json!(someone)),
        "{updated}"
    );
    let parent_now = api
        .ok(reqwest::Method::GET, &format!("tasks/{parent}"), &[])
        .await;
    assert_eq!(parent_now["subTaskIds"], json!([child]));

    for (name, value) in [
        ("priorityBefore", child.clone()),
        ("priorityAfter", child.clone()),
    ] {
        let (status, body) = api
            .call(
                reqwest::Method::PUT,
                &format!("tasks/{parent}"),
                &[(name, value)],
            )
            .await;
        assert_eq!(status, 400, "{name}: {body}");
        assert!(
            body["errorDescription"].as_str().unwrap().contains(name),
            "{body}"
        );
    }
    let (status, body) = api
        .call(
            reqwest::Method::PUT,
            &format!("tasks/{child}"),
            &[("addSuperTasks", json!(["IEAAAAAQKQNOPE"]).to_string())],
        )
        .await;
    assert_eq!(status, 400, "{body}");

    // Folder custom fields are stored.
    let field = api.ok(reqwest::Method::GET, "customfields", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let updated = api
        .ok(
            reqwest::Method::PUT,
            &format!("folders/{folder}"),
            &[(
                "customFields",
                json!([{"id": field, "value": "42"}]).to_string(),
            )],
        )
        .await;
    assert_eq!(
        updated["customFields"],
        json!([{"id": field, "value": "42"}]),
        "{updated}"
    );
    let (status, body) = api
        .call(
            reqwest::Method::PUT,
            &format!("folders/{folder}"),
            &[("customColumns", json!([field]).to_string())],
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

/// Approvals fire their events: asked (status Pending), decided (the decision, then the
/// status it settled to), on tasks and on folders.
#[tokio::test]
async fn approvals_fire_status_and_decision_events() {
    let api = Api::start().await;
    let hook = receiver().await;
    api.ok(
        reqwest::Method::POST,
        "webhooks",
        &[("hookUrl", hook.url.clone())],
    )
    .await;
    let folder = api.folder("Reviews").await;
    let task = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{folder}/tasks"),
            &[("title", "Check the copy".into())],
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let approver = api.sim.sim.read().accounts[0]
        .users
        .iter()
        .find(|u| u.is_active() && !u.profile().owner)
        .unwrap()
        .id()
        .to_owned();
    let asked = api
        .ok(
            reqwest::Method::POST,
            &format!("tasks/{task}/approvals"),
            &[("approvers", json!([approver]).to_string())],
        )
        .await;
    let approval = asked["id"].as_str().unwrap().to_owned();
    let pending = hook.find("TaskApprovalStatusChanged", &task).await;
    assert_eq!(pending["approvalId"], approval.as_str());
    assert_eq!(pending["status"], "Pending");
    let decided = api
        .http
        .post(format!(
            "{}/_sim/approvals/{approval}/decisions",
            api.sim.base_url()
        ))
        .json(&json!({"approverId": approver, "status": "Approved", "comment": "fine"}))
        .send()
        .await
        .unwrap();
    assert!(decided.status().is_success());
    let decision = hook.find("TaskApprovalDecisionChanged", &task).await;
    assert_eq!(decision["approverId"], approver.as_str());
    assert_eq!(decision["decision"], "Approved");
    for _ in 0..100 {
        let settled =
            hook.events.lock().unwrap().iter().any(|e| {
                e["eventType"] == "TaskApprovalStatusChanged" && e["status"] == "Approved"
            });
        if settled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(hook.events.lock().unwrap().iter().any(|e| {
        e["eventType"] == "TaskApprovalStatusChanged"
            && e["oldStatus"] == "Pending"
            && e["status"] == "Approved"
    }));

    // On a folder, cancelled.
    let on_folder = api
        .ok(
            reqwest::Method::POST,
            &format!("folders/{folder}/approvals"),
            &[("approvers", json!([approver]).to_string())],
        )
        .await;
    api.ok(
        reqwest::Method::DELETE,
        &format!("approvals/{}", on_folder["id"].as_str().unwrap()),
        &[],
    )
    .await;
    for _ in 0..100 {
        if hook
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e["eventType"] == "FolderApprovalStatusChanged" && e["status"] == "Cancelled")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no cancellation: {:?}", hook.events.lock().unwrap());
}
