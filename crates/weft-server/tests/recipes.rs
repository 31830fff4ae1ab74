//! Recipes end to end, over real HTTP on loopback: files applied through the API, a recipe
//! started (its webhook registered in the simulator, the secret handshake answered), a
//! change in the simulated Wrike delivered, signed, to the hub, the run's steps acting on
//! the simulator. Then what goes wrong: repeated and forged deliveries, a step that fails
//! and passes on retry, approvals by role, a connection that breaks mid-run.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::world::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_status_change_in_wrike_comments_on_the_task_through_a_signed_webhook() {
    for store in common::every_store("recipes_e2e").await {
        let backend = store.backend().as_str();
        let w = world(store).await;

        // An Analyst applies the folder's file; a second apply changes nothing.
        let files = json!({"files": [example("comment-on-status-change")]});
        let (status, body) = w
            .api(
                "analyst",
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(files.clone()),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        assert_eq!(body["changes"][0]["change"], "add");
        let (_, body) = w
            .api(
                "analyst",
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(files),
            )
            .await;
        assert_eq!(body["changes"][0]["change"], "unchanged");
        // An Operator may not edit recipes, but starts them.
        let (status, _) = w
            .api(
                "operator",
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(json!({"files": [example("comment-on-status-change")]})),
            )
            .await;
        assert_eq!(status, 403);
        let (status, body) = w
            .api(
                "operator",
                reqwest::Method::POST,
                "/api/v1/recipes/comment-on-status-change/start",
                None,
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        assert_eq!(body["state"], "running");

        // The simulator holds an active hook pointing at the hub, which passed the handshake.
        let hooks = w.wrike("webhooks").await;
        let hook = &hooks["data"][0];
        assert_eq!(hook["status"], "Active", "{hooks}");
        assert!(
            hook["hookUrl"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}/hooks/wrike/", w.hub.policy.public_url))
        );

        // A person completes a task in Wrike.
        let (task, old_status) = a_task(&w).await;
        w.sim_control(
            reqwest::Method::POST,
            &format!("accounts/{}/task_changes", w.account),
            json!({"action": "update", "taskId": task, "params": {"status": "Completed"}}),
        )
        .await;
        let runs = w.settled_runs("comment-on-status-change", 1).await;
        assert_eq!(runs[0]["status"], "succeeded", "{backend}: {}", runs[0]);
        let run = w
            .run(
                runs[0]["id"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap(),
            )
            .await;
        let step = &run["steps"][0];
        let text = format!("Status changed from {old_status} to Completed.");
        assert_eq!(step["stepId"], "comment");
        assert_eq!(step["input"], json!({"task": task, "text": text}));
        // The comment is in Wrike.
        let comments = w.wrike(&format!("tasks/{task}/comments")).await;
        assert!(
            comments["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["text"] == text.as_str()),
            "{backend}: {comments}"
        );

        // Wrike delivers the same event again: acknowledged, no second run.
        let (token, secret) = hook_secret(&w, "comment-on-status-change").await;
        let again = Value::Array(vec![run["run"]["triggerEvent"].clone()]).to_string();
        let path = format!("/hooks/wrike/{token}");
        let (status, body) = sign_and_post(&w, &path, "X-Hook-Signature", &secret, &again).await;
        assert_eq!(
            (status, &body),
            (200, &json!({"started": 0, "repeated": 1})),
            "{backend}"
        );
        // A delivery may carry a challenge too: answered, once the body is proven.
        let challenged = w
            .http
            .post(format!("{}{path}", w.url))
            .header(
                "X-Hook-Signature",
                wrike_api::webhook::sign(&secret, again.as_bytes()),
            )
            .header("X-Hook-Secret", "abc123")
            .body(again.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(challenged.status().as_u16(), 200);
        assert_eq!(
            challenged.headers()["X-Hook-Secret"].to_str().unwrap(),
            wrike_api::webhook::sign(&secret, b"abc123")
        );
        // A challenge of characters Wrike is not known to use (here a space) does not fail a
        // signed delivery: its events are taken, the challenge is left unanswered.
        let odd = w
            .http
            .post(format!("{}{path}", w.url))
            .header(
                "X-Hook-Signature",
                wrike_api::webhook::sign(&secret, again.as_bytes()),
            )
            .header("X-Hook-Secret", "not answered")
            .body(again.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(odd.status().as_u16(), 200);
        assert!(odd.headers().get("X-Hook-Secret").is_none());
        assert_eq!(
            odd.json::<Value>().await.unwrap(),
            json!({"started": 0, "repeated": 1})
        );
        // A forged delivery is refused before it is read; nothing runs.
        let (status, _) =
            sign_and_post(&w, &path, "X-Hook-Signature", b"not the secret", &again).await;
        assert_eq!(status, 403);
        let unsigned = w
            .http
            .post(format!("{}{path}", w.url))
            .body(again.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status().as_u16(), 403);
        let (status, _) = sign_and_post(
            &w,
            "/hooks/wrike/no-such-hook",
            "X-Hook-Signature",
            &secret,
            &again,
        )
        .await;
        assert_eq!(status, 404);
        // A signed body that is not an event list names the problem.
        let (status, body) = sign_and_post(
            &w,
            &path,
            "X-Hook-Signature",
            &secret,
            "{\"not\": \"events\"}",
        )
        .await;
        assert_eq!(status, 400, "{body}");
        let (_, body) = w
            .api(
                "operator",
                reqwest::Method::GET,
                "/api/v1/runs?recipe=comment-on-status-change",
                None,
            )
            .await;
        assert_eq!(
            body["items"].as_array().unwrap().len(),
            1,
            "{backend}: {body}"
        );

        // The file as stored, to save back into git.
        let file = w
            .http
            .get(format!("{}/recipes/comment-on-status-change/file", w.url))
            .bearer_auth(w.token("operator"))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status().as_u16(), 200);
        assert_eq!(
            file.text().await.unwrap(),
            example("comment-on-status-change")["source"]
                .as_str()
                .unwrap()
        );

        // Stopping deletes the hook in Wrike.
        let (status, _) = w
            .api(
                "operator",
                reqwest::Method::POST,
                "/api/v1/recipes/comment-on-status-change/stop",
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(w.wrike("webhooks").await["data"], json!([]));
    }
}

/// Waits for the usage sync the hub starts by itself for a new connection, or makes one.
async fn synced(w: &World) {
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    for _ in 0..600 {
        match weft_hub::usage::sync::run(
            &w.hub,
            &connection,
            "test",
            &weft_hub::usage::sync::SyncOptions::default(),
            Arc::new(weft_hub::usage::sync::Silent),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        {
            Ok(_) => return,
            Err(weft_hub::error::HubError::Busy(_)) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("the sync failed: {e}"),
        }
    }
    panic!("the hub's own sync never finished");
}

const ON_INACTIVE: &str = "\
name: on-inactive
connection: acme-analytics
trigger:
  hub:
    event: user_inactive
    days: 90
steps:
  - id: note
    action: map
    input:
      who: \"{{ trigger.user.email }}\"
      idle: \"{{ trigger.user.idleDays }}\"
";

/// A seat that crosses a recipe's idle threshold starts one run, once: seats already idle
/// when the recipe starts are not announced, those that cross later are (here: the recipe's
/// last look moved 80 days back), and later syncs start nothing more for the same stretch.
#[tokio::test]
async fn seats_that_become_inactive_start_one_run_each() {
    let w = world(common::store("recipes_inactive").await).await;
    synced(&w).await;
    w.apply(ON_INACTIVE).await;
    let (status, body) = w
        .api(
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/on-inactive/start",
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    let look = || weft_hub::recipes::idle::after_sync(&w.hub, &connection);
    assert_eq!(
        look().await.unwrap(),
        0,
        "seats idle before the start are not news"
    );

    let record = w
        .hub
        .store
        .recipes()
        .by_name("on-inactive")
        .await
        .unwrap()
        .unwrap();
    let now = w.hub.clock.now_s();
    let back = |days: i64| {
        let store = w.hub.store.clone();
        async move {
            let then = now - days * 86_400;
            store
                .recipes()
                .set_cursor(record.id, &then.to_string(), now)
                .await
                .unwrap();
        }
    };
    back(80).await;
    let started = look().await.unwrap();
    // What the users report says crossed 90 days in those 80: idle now, active 170 days ago.
    let report = weft_hub::usage::reports::users(
        &w.hub,
        &weft_hub::usage::reports::ReportRequest {
            connections: vec![connection.id.clone()],
            filter: weft_store::UserFilter {
                paid: Some(true),
                active: Some(true),
                idle_days: Some(90),
                ever_active: Some(true),
                ..Default::default()
            },
            signals: None,
            policy: None,
        },
        weft_store::SortBy::LastActivity,
        false,
        1000,
        0,
    )
    .await
    .unwrap();
    let mut expected: Vec<String> = report
        .page
        .rows
        .iter()
        .filter(|u| u.last_activity_at.is_some_and(|at| at > now - 170 * 86_400))
        .map(|u| u.email.clone().unwrap_or_default())
        .collect();
    expected.sort();
    assert!(
        !expected.is_empty(),
        "the seeded world has seats idle 90 to 170 days"
    );
    assert_eq!(started, expected.len());
    let runs = w.settled_runs("on-inactive", started).await;
    let mut who: Vec<String> = Vec::new();
    for r in &runs {
        assert_eq!(r["status"], "succeeded", "{r}");
        let run = w
            .run(
                r["id"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap(),
            )
            .await;
        let idle = run["steps"][0]["output"]["idle"].as_i64().unwrap();
        assert!((90..170).contains(&idle), "{run}");
        who.push(
            run["steps"][0]["output"]["who"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    who.sort();
    assert_eq!(who, expected);

    // Later looks, even over the same stretch, start nothing more.
    assert_eq!(look().await.unwrap(), 0);
    back(80).await;
    assert_eq!(look().await.unwrap(), 0, "one run per stretch of idleness");
}

/// Every example recipe in `examples/recipes`, applied as the files are (the endpoint of the
/// project one pointed at `receiver`), started, and fired by people's changes in the
/// simulated Wrike made through its control API; what the recipes did is read back from
/// the simulator.
#[tokio::test]
async fn every_example_recipe_runs_end_to_end_against_the_simulator() {
    for store in common::every_store("recipes_examples").await {
        let backend = store.backend().as_str();
        let w = world(store).await;
        let (endpoint, received) = common::receiver().await;
        let mut files = Vec::new();
        for name in [
            "comment-on-status-change",
            "invite-requester",
            "notify-project-completed",
            "route-new-requests",
            "weekly-idle-review",
        ] {
            let mut file = example(name);
            let source = file["source"].as_str().unwrap().replace(
                "http://127.0.0.1:9099/projects/completed",
                &format!("{endpoint}/projects/completed"),
            );
            file["source"] = json!(source);
            files.push(file);
        }
        // Two examples invite people and change seats: an Analyst may not apply them, and
        // nothing of the folder is applied; an Admin applies it.
        let (status, body) = w
            .api(
                "analyst",
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(json!({ "files": files })),
            )
            .await;
        assert_eq!(status, 403, "{backend}: {body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("administer users and seats"),
            "{backend}: {body}"
        );
        let (_, listed) = w
            .api("analyst", reqwest::Method::GET, "/api/v1/recipes", None)
            .await;
        assert_eq!(listed["items"], json!([]), "{backend}: nothing applied");
        let (status, body) = w
            .api(
                "admin",
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(json!({ "files": files })),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        let administering = ["invite-requester", "weekly-idle-review"];
        for change in body["changes"].as_array().unwrap() {
            assert_eq!(change["change"], "add", "{backend}: {body}");
            let name = change["name"].as_str().unwrap();
            let path = format!("/api/v1/recipes/{name}/start");
            let start = |role| w.api(role, reqwest::Method::POST, &path, None);
            if administering.contains(&name) {
                let (status, body) = start("operator").await;
                assert_eq!(
                    status, 403,
                    "{backend}: an Operator starting {name}: {body}"
                );
                let (status, body) = start("admin").await;
                assert_eq!(status, 200, "{backend}: starting {name}: {body}");
            } else {
                let (status, body) = start("operator").await;
                assert_eq!(status, 200, "{backend}: starting {name}: {body}");
            }
        }

        // A requester files an urgent request in IT Requests, in the Wrike UI.
        let requester = w.sim.sim.read().accounts[0]
            .users
            .iter()
            .find(|u| u.is_active() && !u.is_admin())
            .map(|u| u.id().to_owned())
            .unwrap();
        let created = w
            .sim_control(
                reqwest::Method::POST,
                &format!("accounts/{}/task_changes", w.account),
                json!({"action": "create", "folderId": "IEAAAAARI4AAAADO", "userId": requester,
                       "params": {"title": "Urgent: laptop for a new hire",
                                  "description": "new.hire@example.com<br />Needed by Monday."}}),
            )
            .await;
        let task = created["id"].as_str().unwrap().to_owned();
        for recipe in ["route-new-requests", "invite-requester"] {
            let runs = w.settled_runs(recipe, 1).await;
            assert_eq!(runs.len(), 1, "{backend}: {recipe}: {runs:?}");
            assert_eq!(runs[0]["status"], "succeeded", "{backend}: {}", runs[0]);
        }
        // Routed: in the project, renamed, urgent, assigned to its requester.
        let routed = w.wrike(&format!("tasks/{task}")).await["data"][0].clone();
        assert_eq!(
            routed["title"], "[Request] Urgent: laptop for a new hire",
            "{backend}: {routed}"
        );
        assert_eq!(
            routed["parentIds"],
            json!(["IEAAAAARI4AAAADP"]),
            "{backend}"
        );
        assert_eq!(routed["importance"], "High", "{backend}");
        assert_eq!(routed["responsibleIds"], json!([requester]), "{backend}");
        // The requester was invited, and both recipes said so on the task.
        let invitations = w.wrike("invitations").await;
        assert!(
            invitations["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["email"] == "new.hire@example.com" && i["role"] == "Collaborator"),
            "{backend}: {invitations} {}",
            w.run(
                w.settled_runs("invite-requester", 1).await[0]["id"]
                    .as_i64()
                    .unwrap()
            )
            .await
        );
        let comments = w.wrike(&format!("tasks/{task}/comments")).await;
        let texts: Vec<&str> = comments["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["text"].as_str())
            .collect();
        assert!(
            texts.contains(&"Thanks, this request is now in Vendor Renewals and assigned.")
                && texts.contains(&"The requester was invited as a collaborator."),
            "{backend}: {texts:?}"
        );

        // A person completes the request: the status recipe comments.
        w.sim_control(
            reqwest::Method::POST,
            &format!("accounts/{}/task_changes", w.account),
            json!({"action": "update", "taskId": task, "params": {"status": "Completed"}}),
        )
        .await;
        let runs = w.settled_runs("comment-on-status-change", 1).await;
        assert_eq!(runs[0]["status"], "succeeded", "{backend}: {}", runs[0]);
        let comments = w.wrike(&format!("tasks/{task}/comments")).await;
        assert!(
            comments["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["text"] == "Status changed from Active to Completed."),
            "{backend}: {comments}"
        );

        // A project is completed in the Wrike UI: the other system hears of it.
        let projects = w.wrike("folders?project=true").await;
        let project = projects["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["project"]["status"] != "Completed" && f["project"].is_object())
            .expect("an open project")
            .clone();
        let project_id = project["id"].as_str().unwrap();
        w.sim_control(
            reqwest::Method::POST,
            &format!("accounts/{}/folder_changes", w.account),
            json!({"folderId": project_id, "params": {"project": {"status": "Completed"}}}),
        )
        .await;
        let runs = w.settled_runs("notify-project-completed", 1).await;
        assert_eq!(runs[0]["status"], "succeeded", "{backend}: {}", runs[0]);
        let owner = w.sim.sim.read().accounts[0].owner().id().to_owned();
        assert_eq!(
            *received.lock().unwrap(),
            vec![json!({"projectId": project_id, "title": project["title"], "completedBy": owner})],
            "{backend}"
        );

        // The weekly review, run now rather than on Monday, over the synced usage: it waits
        // for an Admin, then changes each idle seat to Collaborator in Wrike. It changes
        // seats, so only an Admin runs it by hand and approves it.
        synced(&w).await;
        let (status, body) = w
            .api(
                "analyst",
                reqwest::Method::POST,
                "/api/v1/recipes/weekly-idle-review/runs",
                None,
            )
            .await;
        assert_eq!(status, 403, "{backend}: {body}");
        let (status, body) = w
            .api(
                "admin",
                reqwest::Method::POST,
                "/api/v1/recipes/weekly-idle-review/runs",
                None,
            )
            .await;
        assert_eq!(status, 201, "{backend}: {body}");
        let run_id = body["runId"]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap();
        let runs = w.settled_runs("weekly-idle-review", 1).await;
        assert_eq!(runs[0]["status"], "waiting", "{backend}: {}", runs[0]);
        let run = w.run(run_id).await;
        let idle = run["steps"][0]["output"]["users"]
            .as_array()
            .unwrap()
            .clone();
        assert!(
            !idle.is_empty(),
            "{backend}: the seeded world has idle seats: {run}"
        );
        let collaborator = run["steps"][0]["output"]["collaborator_type_id"].clone();
        assert!(collaborator.is_string(), "{backend}: {run}");
        // Neither the owner nor the connection's own user is offered for reclaiming.
        let owner = w.sim.sim.read().accounts[0].owner().id().to_owned();
        assert!(
            idle.iter().all(|u| u["id"] != owner.as_str()),
            "{backend}: {run}"
        );
        // The run's page asks the question beside its buttons, the people in a paged
        // table with their type, days idle and cost, not in raw JSON only.
        let admin = w.members.iter().find(|m| m.username == "admin").unwrap();
        let html = w
            .http
            .get(format!("{}/runs/{run_id}", w.url))
            .header("cookie", format!("weft_session={}", admin.session))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Who started it, by name, and when, as a time the reader's browser localises.
        assert!(
            html.contains("<dd id=\"started-by\">admin, by hand</dd>"),
            "{backend}: {html}"
        );
        assert!(html.contains("<time datetime=\""), "{backend}");
        let approval = &html[html.find("id=\"approval\"").expect("an approval section")..];
        assert!(
            approval.find("id=\"approve\"").unwrap()
                < approval.find("id=\"timeline\"").unwrap_or(usize::MAX),
            "{backend}: the buttons come before the steps"
        );
        assert!(approval.contains("paid seats have been idle for 90 days"));
        // A name HTML leaves as it is (no apostrophe to escape).
        let first = idle[0]["name"].as_str().unwrap().replace('\'', "&#39;");
        assert!(
            approval.contains(&format!("<tr><td>{first}</td>")),
            "{backend}: {approval}"
        );
        assert_eq!(
            approval[..approval.find("</table>").unwrap()]
                .matches("<tr><td>")
                .count(),
            idle.len().min(25),
            "{backend}: a page of people"
        );
        let (status, body) = w
            .api(
                "operator",
                reqwest::Method::POST,
                &format!("/api/v1/runs/{run_id}/approve"),
                None,
            )
            .await;
        assert_eq!(status, 403, "{backend}: {body}");
        let (status, body) = w
            .api(
                "admin",
                reqwest::Method::POST,
                &format!("/api/v1/runs/{run_id}/approve"),
                Some(json!({"note": "renewal is next month"})),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        let run = w.finished_run(run_id).await;
        assert_eq!(run["run"]["status"], "succeeded", "{backend}: {run}");
        for user in &idle {
            let id = user["id"].as_str().unwrap();
            let now = w.wrike(&format!("users/{id}")).await;
            assert_eq!(
                now["data"][0]["profiles"][0]["userTypeId"]
                    .as_str()
                    .or(now["data"][0]["userTypeId"].as_str()),
                collaborator.as_str(),
                "{backend}: {now}"
            );
        }
        // Its report went to the hub's alert e-mail address.
        let report = run["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stepId"] == "report")
            .cloned()
            .unwrap();
        assert_eq!(
            report["output"]["channels"],
            json!(["email"]),
            "{backend}: {run}"
        );
        let mails = w.mails.lock().unwrap().clone();
        let mail = mails
            .iter()
            .find(|m| m.data.contains("Subject: Idle seats reclaimed"))
            .unwrap_or_else(|| panic!("{backend}: no report e-mail in {mails:?}"));
        assert_eq!(mail.to, vec!["<ops@acme.example>"], "{backend}");
        assert!(
            mail.data.contains(&format!(
                "{} users were changed to Collaborator after approval by admin.",
                idle.len()
            )),
            "{backend}: {}",
            mail.data
        );
    }
}

/// Wrike sends a delivery again when it saw no answer: one lost on its way starts its run
/// on the next attempt, and one whose answer was lost reaches the hub twice and still starts
/// one run.
#[tokio::test]
async fn lost_deliveries_are_sent_again_and_repeated_ones_start_nothing_twice() {
    for store in common::every_store("recipes_lost").await {
        let backend = store.backend().as_str();
        let w = world(store).await;
        w.api(
            "admin",
            reqwest::Method::POST,
            "/api/v1/recipes/apply",
            Some(json!({"files": [example("comment-on-status-change")]})),
        )
        .await;
        let (status, _) = w
            .api(
                "admin",
                reqwest::Method::POST,
                "/api/v1/recipes/comment-on-status-change/start",
                None,
            )
            .await;
        assert_eq!(status, 200);
        let tasks = w.wrike("folders/IEAAAAARI4AAAADO/tasks").await;
        let active: Vec<String> = tasks["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "Active")
            .take(2)
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        for (n, (network, task)) in [Network::Lose(1), Network::LoseAnswers(1)]
            .into_iter()
            .zip(&active)
            .enumerate()
        {
            *w.network.lock().unwrap() = network;
            w.sim_control(
                reqwest::Method::POST,
                &format!("accounts/{}/task_changes", w.account),
                json!({"action": "update", "taskId": task, "params": {"status": "Completed"}}),
            )
            .await;
            let runs = w.settled_runs("comment-on-status-change", n + 1).await;
            // The retry may still be on its way: give it time to arrive, then count again.
            tokio::time::sleep(Duration::from_millis(600)).await;
            let runs_after = w.settled_runs("comment-on-status-change", n + 1).await;
            assert_eq!(runs.len(), n + 1, "{backend}: {network:?}: {runs:?}");
            assert_eq!(
                runs_after.len(),
                n + 1,
                "{backend}: {network:?}: {runs_after:?}"
            );
            let (comments, said) = w
                .count(&format!("tasks/{task}/comments"), |c| {
                    c["text"] == "Status changed from Active to Completed."
                })
                .await;
            assert_eq!(said, 1, "{backend}: {network:?}: {comments}");
        }
        // Both changes needed a second attempt in Wrike's record of deliveries.
        let deliveries: Value = w
            .http
            .get(format!("{}/_sim/webhook_deliveries", w.sim.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let statuses: Vec<(u64, Option<u64>)> = deliveries
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["attempt"].as_u64().unwrap(), d["status"].as_u64()))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (1, Some(502)),
                (2, Some(200)),
                (1, Some(502)),
                (2, Some(200))
            ],
            "{backend}: {deliveries}"
        );
    }
}

const RETRYING: &str = "\
name: read-with-retries
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
    retry:
      attempts: 3
      backoff_seconds: 1
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ steps.task.id }}\"
      text: \"Seen: {{ steps.task.title }}\"
";

#[tokio::test]
async fn a_step_that_fails_is_retried_by_its_policy_and_the_run_then_succeeds() {
    let w = world(common::store("recipes_retry").await).await;
    let (path, secret) = w.inbound(RETRYING, "read-with-retries").await;
    let (task, _) = a_task(&w).await;

    // Wrike answers the next two task reads with 500: the client's own retry and the
    // step's first attempt both fail; the step's second attempt passes.
    // (The path names the task, so the hub's own health probes do not meet the fault.)
    w.sim_control(
        reqwest::Method::POST,
        "faults",
        json!({"kind": "serverError", "count": 2, "pathPrefix": format!("/api/v4/tasks/{task}")}),
    )
    .await;
    let body = json!({"taskId": task}).to_string();
    let (status, answer) = call_inbound(&w, &path, &secret, &body, "call-1").await;
    assert_eq!(status, 202, "{answer}");
    // The same call again (the other system retried): the same run, not a new one.
    let (status, again) = call_inbound(&w, &path, &secret, &body, "call-1").await;
    assert_eq!((status, &again["run"]), (200, &answer["run"]));

    let runs = w.settled_runs("read-with-retries", 1).await;
    // The run waits between attempts; wait for it to finish.
    let id = runs[0]["id"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    let run = w.finished_run(id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let steps = run["steps"].as_array().unwrap();
    let attempts: Vec<(&str, i64, &str)> = steps
        .iter()
        .map(|s| {
            (
                s["stepId"].as_str().unwrap(),
                s["attempt"].as_i64().unwrap(),
                s["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        vec![
            ("task", 1, "failed"),
            ("task", 2, "succeeded"),
            ("note", 1, "succeeded")
        ],
        "{run}"
    );
    assert!(
        steps[0]["error"].as_str().unwrap().contains("500")
            || steps[0]["error"].as_str().unwrap().contains("server"),
        "{run}"
    );
}

const APPROVED: &str = "\
name: approve-then-comment
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: approve
    action: approval
    input:
      message: \"Comment on {{ trigger.taskId }}?\"
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"Approved by {{ steps.approve.decided_by }}\"
";

#[tokio::test]
async fn a_run_waits_for_an_approval_that_only_admins_and_operators_give() {
    let w = world(common::store("recipes_approval").await).await;
    let (path, secret) = w.inbound(APPROVED, "approve-then-comment").await;
    let (task, _) = a_task(&w).await;
    call_inbound(
        &w,
        &path,
        &secret,
        &json!({"taskId": task}).to_string(),
        "call-1",
    )
    .await;
    let runs = w.settled_runs("approve-then-comment", 1).await;
    assert_eq!(runs[0]["status"], "waiting");
    let id = runs[0]["id"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    assert_eq!(w.hub.store.recipes().awaiting_approval().await.unwrap(), 1);

    let (status, _) = w
        .api(
            "analyst",
            reqwest::Method::POST,
            &format!("/api/v1/runs/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(status, 403, "Analysts do not approve");
    let (status, body) = w
        .api(
            "operator",
            reqwest::Method::POST,
            &format!("/api/v1/runs/{id}/approve"),
            Some(json!({"note": "fine"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let run = w.finished_run(id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert_eq!(run["steps"][1]["input"]["text"], "Approved by operator");
    assert_eq!(w.hub.store.recipes().awaiting_approval().await.unwrap(), 0);
    // `/metrics` counts the run by recipe and how it ended.
    let metrics = w
        .http
        .get(format!("{}/metrics", w.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = |name: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with(name)
                    && l.contains("recipe=\"approve-then-comment\"")
                    && (!name.contains("finished") || l.contains("status=\"succeeded\""))
            })
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
    };
    assert!(line("weft_recipe_runs_started_total").ends_with(" 1"));
    assert!(line("weft_recipe_runs_finished_total").ends_with(" 1"));
    line("weft_recipe_run_seconds");
    // Deciding twice is refused.
    let (status, _) = w
        .api(
            "operator",
            reqwest::Method::POST,
            &format!("/api/v1/runs/{id}/reject"),
            None,
        )
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_connection_that_breaks_mid_run_pauses_the_recipe_until_it_recovers() {
    let w = world(common::store("recipes_broken").await).await;
    let (path, secret) = w.inbound(RETRYING, "read-with-retries").await;
    let (task, _) = a_task(&w).await;

    // The connection's user is deactivated in Wrike: every call with its token is refused.
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    let user = connection.identity.user_id.clone();
    w.sim_control(
        reqwest::Method::POST,
        &format!("users/{user}/deactivate"),
        json!({}),
    )
    .await;
    call_inbound(
        &w,
        &path,
        &secret,
        &json!({"taskId": task}).to_string(),
        "call-1",
    )
    .await;
    let runs = w.settled_runs("read-with-retries", 1).await;
    assert_eq!(runs[0]["status"], "waiting", "{}", runs[0]);
    // It waits for its connection, not for anyone's approval.
    assert_eq!(w.hub.store.recipes().awaiting_approval().await.unwrap(), 0);
    let (_, body) = w
        .api(
            "operator",
            reqwest::Method::GET,
            "/api/v1/recipes/read-with-retries",
            None,
        )
        .await;
    assert_eq!(body["recipe"]["state"], "paused", "{body}");
    let reason = body["recipe"]["stateReason"].as_str().unwrap();
    assert!(
        reason.contains("acme-analytics") && reason.contains("token_rejected"),
        "{reason}"
    );

    // The hub's probe (the run asked for one) sees the connection broken.
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    let health = weft_hub::health::probe(&w.hub, &connection).await.unwrap();
    assert!(!health.is_healthy(), "{health:?}");
    // The break was e-mailed to the alert address, saying what to do.
    let alert = w
        .mails
        .lock()
        .unwrap()
        .iter()
        .find(|m| {
            m.data
                .contains("Subject: weft: connection acme-analytics broken")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no alert e-mail"));
    assert_eq!(alert.to, vec!["<ops@acme.example>"]);
    assert!(alert.data.contains("What to do:"), "{}", alert.data);
    // Deactivation revoked the token. The user is active again and an Admin gives the
    // connection a new token: it is probed healthy at once, and the waiting run goes on.
    w.sim_control(
        reqwest::Method::POST,
        &format!("users/{user}/activate"),
        json!({}),
    )
    .await;
    let token = w
        .sim_control(
            reqwest::Method::POST,
            "tokens",
            json!({"userId": user, "scopes": ["Default", "amReadWriteUser", "amReadWriteInvitation", "amReadOnlyAuditLog"]}),
        )
        .await;
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    let connection = weft_hub::connections::replace_token(
        &w.hub,
        "admin",
        &connection,
        secrecy::SecretString::from(token["accessToken"].as_str().unwrap().to_owned()),
    )
    .await
    .unwrap();
    let health = weft_hub::health::probe(&w.hub, &connection).await.unwrap();
    assert!(health.is_healthy(), "{health:?}");
    let id = runs[0]["id"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    let run = w.finished_run(id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let (_, body) = w
        .api(
            "operator",
            reqwest::Method::GET,
            "/api/v1/recipes/read-with-retries",
            None,
        )
        .await;
    assert_eq!(body["recipe"]["state"], "running");
}

const COMMENT_ONCE: &str = "\
name: comment-once
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"Once for {{ trigger.taskId }}\"
";

/// Applies `source` and leaves one run of it whose first attempt of `step` began at
/// `since_ms` with `input` and never ended, as when its worker is killed mid-call. The run's
/// job waits an hour; `resume` lets it go on.
async fn a_cut_off_run(w: &World, source: &str, recipe: &str, step: &str, input: &Value) -> i64 {
    w.apply(source).await;
    let record = w
        .hub
        .store
        .recipes()
        .by_name(recipe)
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let trigger = json!({"taskId": input["task"]});
    let started = w
        .hub
        .store
        .recipes()
        .start_run(
            &weft_store::NewRun {
                recipe_id: record.id,
                version: record.version,
                event_key: "test:cut-off",
                trigger_event: &trigger,
                next_step: 0,
                outputs: &json!({}),
                rerun_of: None,
                started_by: None,
                hand_made: false,
            },
            &weft_store::NewJob {
                kind: "recipe.run".into(),
                payload: json!({}),
                dedupe_key: None,
                origin: "test".into(),
                priority: 0,
                run_at_ms: now + 3_600_000,
                retry: weft_store::RetryPolicy::default(),
            },
            now,
        )
        .await
        .unwrap();
    let run_id = started.run_id();
    w.hub
        .store
        .recipes()
        .begin_step(run_id, 0, step, 1, Some(input), true, now - 1_000)
        .await
        .unwrap();
    run_id
}

/// Lets a cut-off run go on now, and waits for its end.
async fn resume(w: &World, run_id: i64) -> Value {
    let now = chrono::Utc::now().timestamp_millis();
    w.hub
        .store
        .jobs()
        .enqueue(
            &weft_store::NewJob {
                kind: "recipe.run".into(),
                payload: json!({"run": run_id}),
                dedupe_key: Some(format!("test-resume-{run_id}")),
                origin: "test".into(),
                priority: 0,
                run_at_ms: now,
                retry: weft_store::RetryPolicy::default(),
            },
            now,
        )
        .await
        .unwrap();
    w.hub.wake.notify_waiters();
    w.finished_run(run_id).await
}

/// An attempt that was cut off mid-call (its worker died after Wrike created the comment,
/// before the answer was stored) is not repeated blindly: the next attempt finds the comment
/// and takes it as the step's output.
#[tokio::test]
async fn a_create_cut_off_mid_call_is_looked_for_before_it_is_made_again() {
    let w = world(common::store("recipes_cut_off").await).await;
    let (task, _) = a_task(&w).await;
    let text = format!("Once for {task}");
    let run_id = a_cut_off_run(
        &w,
        COMMENT_ONCE,
        "comment-once",
        "note",
        &json!({"task": task, "text": text}),
    )
    .await;
    // What that attempt did in Wrike before it was cut off.
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    let client = weft_hub::wrike::client_for(&w.hub, &connection)
        .await
        .unwrap();
    let made = client.create_task_comment(&task, &text).await.unwrap();

    let run = resume(&w, run_id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert_eq!(
        run["steps"][1]["output"]["id"],
        made.id.as_str(),
        "the step took the comment it found: {run}"
    );
    let (comments, same) = w
        .count(&format!("tasks/{task}/comments"), |c| {
            c["text"] == text.as_str()
        })
        .await;
    assert_eq!(same, 1, "{comments}");
}

const UPLOAD_ONCE: &str = "\
name: upload-once
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: file
    action: wrike.upload_attachment
    input:
      task: \"{{ trigger.taskId }}\"
      name: minutes.txt
      content: \"Decided: ship it\"
";

/// The same for an upload: the file the cut-off attempt sent is found by its name and size,
/// and not sent twice.
#[tokio::test]
async fn an_upload_cut_off_mid_call_is_looked_for_before_it_is_sent_again() {
    let w = world(common::store("recipes_cut_off_upload").await).await;
    let (task, _) = a_task(&w).await;
    let input = json!({"task": task, "name": "minutes.txt", "content": "Decided: ship it"});
    let run_id = a_cut_off_run(&w, UPLOAD_ONCE, "upload-once", "file", &input).await;
    let connection = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap();
    let client = weft_hub::wrike::client_for(&w.hub, &connection)
        .await
        .unwrap();
    let file = wrike_api::FileUpload {
        name: "minutes.txt".into(),
        content_type: "text/plain".into(),
        bytes: b"Decided: ship it".to_vec(),
    };
    let made = client
        .upload(&format!("tasks/{task}/attachments"), &file)
        .await
        .unwrap();

    let run = resume(&w, run_id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert_eq!(
        run["steps"][1]["output"]["id"], made["data"][0]["id"],
        "the step took the file it found: {run}"
    );
    let (files, same) = w
        .count(&format!("tasks/{task}/attachments"), |a| {
            a["name"] == "minutes.txt"
        })
        .await;
    assert_eq!(same, 1, "{files}");
}

const POLLING: &str = "\
name: poll-requests
connection: acme-analytics
trigger:
  poll:
    object: tasks
    folder: IEAAAAARI4AAAADO
    every_seconds: 60
steps:
  - id: seen
    action: map
    input:
      id: \"{{ trigger.id }}\"
      title: \"{{ trigger.item.title }}\"
";

/// Polling starts from the moment the recipe starts, sees each change once however often
/// it polls over it (here by hand, and by its schedule at the same time), and sees changes
/// made while nobody was polling.
#[tokio::test]
async fn polling_sees_every_change_once() {
    let w = world(common::store("recipes_poll").await).await;
    w.apply(POLLING).await;
    w.api(
        "admin",
        reqwest::Method::POST,
        "/api/v1/recipes/poll-requests/start",
        None,
    )
    .await;
    let record = w
        .hub
        .store
        .recipes()
        .by_name("poll-requests")
        .await
        .unwrap()
        .unwrap();
    let poll = || weft_hub::recipes::poll::poll(&w.hub, record.id);
    poll().await.unwrap();

    let tasks = w.wrike("folders/IEAAAAARI4AAAADO/tasks").await;
    let ids: Vec<String> = tasks["data"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    // Wrike's dates have whole seconds: each change here lands in a second of its own.
    let rename = |id: String, title: &'static str| {
        let w = &w;
        async move {
            tokio::time::sleep(Duration::from_millis(1100)).await;
            w.sim_control(
                reqwest::Method::POST,
                &format!("accounts/{}/task_changes", w.account),
                json!({"action": "update", "taskId": id, "params": {"title": title}}),
            )
            .await;
        }
    };
    rename(ids[0].clone(), "Renamed once").await;
    poll().await.unwrap();
    poll().await.unwrap();
    // Two changes while nobody polls: both are seen.
    rename(ids[1].clone(), "Renamed too").await;
    rename(ids[0].clone(), "Renamed twice").await;
    poll().await.unwrap();
    poll().await.unwrap();
    let runs = w.settled_runs("poll-requests", 3).await;
    assert_eq!(runs.len(), 3, "each change once: {runs:?}");
    let mut titles = Vec::new();
    for r in &runs {
        let run = w
            .run(
                r["id"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap(),
            )
            .await;
        titles.push(
            run["steps"][0]["output"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    titles.sort();
    assert_eq!(titles, vec!["Renamed once", "Renamed too", "Renamed twice"]);
}

/// Wrike suspends a hook whose deliveries keep failing; the hub's periodic check sets it
/// active again, and registers anew a hook Wrike no longer has.
#[tokio::test]
async fn suspended_and_vanished_webhooks_are_repaired() {
    let w = world(common::store("recipes_hooks").await).await;
    w.api(
        "admin",
        reqwest::Method::POST,
        "/api/v1/recipes/apply",
        Some(json!({"files": [example("comment-on-status-change")]})),
    )
    .await;
    let (status, _) = w
        .api(
            "admin",
            reqwest::Method::POST,
            "/api/v1/recipes/comment-on-status-change/start",
            None,
        )
        .await;
    assert_eq!(status, 200);
    let hook = w.wrike("webhooks").await["data"][0].clone();
    let id = hook["id"].as_str().unwrap().to_owned();

    let token = w
        .sim_control(
            reqwest::Method::POST,
            "tokens",
            json!({"accountId": w.account}),
        )
        .await;
    let suspend = w
        .http
        .put(format!("{}/webhooks/{id}", w.sim.api_url(0)))
        .bearer_auth(token["accessToken"].as_str().unwrap())
        .form(&[("status", "Suspended")])
        .send()
        .await
        .unwrap();
    assert!(suspend.status().is_success());
    assert_eq!(w.wrike("webhooks").await["data"][0]["status"], "Suspended");
    assert_eq!(
        weft_hub::recipes::triggers::check_hooks(&w.hub)
            .await
            .unwrap()
            .repaired,
        1
    );
    assert_eq!(w.wrike("webhooks").await["data"][0]["status"], "Active");
    assert_eq!(
        weft_hub::recipes::triggers::check_hooks(&w.hub)
            .await
            .unwrap()
            .repaired,
        0,
        "nothing left to repair"
    );

    // Deleted in Wrike: registered again (a new id, the handshake passed again).
    let deleted = w
        .http
        .delete(format!("{}/webhooks/{id}", w.sim.api_url(0)))
        .bearer_auth(token["accessToken"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());
    assert_eq!(
        weft_hub::recipes::triggers::check_hooks(&w.hub)
            .await
            .unwrap()
            .repaired,
        1
    );
    let hooks = w.wrike("webhooks").await;
    assert_eq!(hooks["data"].as_array().unwrap().len(), 1, "{hooks}");
    assert_ne!(hooks["data"][0]["id"], id.as_str());
    assert_eq!(hooks["data"][0]["status"], "Active");
}

const ATTACHING: &str = "\
name: attach-files
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: report
    action: wrike.upload_attachment
    input:
      task: \"{{ trigger.taskId }}\"
      name: \"Résumé {{ trigger.week }}.txt\"
      content: \"Week {{ trigger.week }}: all green\"
  - id: logo
    action: wrike.upload_attachment
    input:
      folder: IEAAAAARI4AAAADO
      name: logo.png
      content_base64: \"{{ trigger.logo }}\"
      content_type: image/png
  - id: listed
    action: wrike.list_attachments
    input:
      task: \"{{ trigger.taskId }}\"
  - id: fetched
    action: wrike.download_attachment
    input:
      id: \"{{ steps.report.id }}\"
  - id: copy
    action: wrike.upload_attachment
    input:
      folder: IEAAAAARI4AAAADO
      name: \"copy of {{ steps.fetched.name }}\"
      content_base64: \"{{ steps.fetched.content_base64 }}\"
      content_type: \"{{ steps.fetched.contentType }}\"
  - id: remove
    action: wrike.delete_attachment
    input:
      id: \"{{ steps.logo.id }}\"
";

#[tokio::test]
async fn recipe_steps_upload_list_and_delete_attachments_in_wrike() {
    let w = world(common::store("recipes_attachments").await).await;
    let endpoint = w.inbound(ATTACHING, "attach-files").await;
    let (task, _) = a_task(&w).await;
    // The eight bytes every PNG file starts with.
    let png = [0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    use base64::Engine;
    let logo = base64::engine::general_purpose::STANDARD.encode(png);
    let run = w
        .fire(&endpoint, json!({"taskId": task, "week": 48, "logo": logo}))
        .await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");

    // The task's file is in Wrike with its bytes' size and type; the name's non-ASCII
    // letters arrived percent-encoded, as the client sends them.
    let on_task = w.wrike(&format!("tasks/{task}/attachments")).await;
    let report = on_task["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "R%C3%A9sum%C3%A9 48.txt")
        .unwrap_or_else(|| panic!("no uploaded report in {on_task}"))
        .clone();
    assert_eq!(report["size"], "Week 48: all green".len(), "{report}");
    assert_eq!(report["contentType"], "text/plain; charset=utf-8");
    // The listing step saw it; the folder's file was uploaded, then deleted by the last step.
    let steps = run["steps"].as_array().unwrap();
    // The attempt that succeeded (a busy machine may have made an earlier one time out).
    let output = |id: &str| {
        steps
            .iter()
            .rfind(|s| s["stepId"] == id && s["status"] == "succeeded")
            .map(|s| s["output"].clone())
            .unwrap_or_else(|| panic!("no step {id} in {run}"))
    };
    assert!(
        output("listed")
            .as_array()
            .unwrap_or_else(|| panic!("{run}"))
            .iter()
            .any(|a| a["id"] == report["id"]),
        "{run}"
    );
    // The file was read back whole and copied to the folder.
    let fetched = output("fetched");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(fetched["content_base64"].as_str().unwrap())
            .unwrap(),
        b"Week 48: all green",
        "{run}"
    );
    let (_, copies) = w
        .count("folders/IEAAAAARI4AAAADO/attachments", |a| {
            a["name"] == "copy of R%C3%A9sum%C3%A9 48.txt"
                && a["size"] == 18
                && a["contentType"] == "text/plain; charset=utf-8"
        })
        .await;
    assert_eq!(copies, 1, "{run}");
    let logo_id = output("logo")["id"].as_str().unwrap().to_owned();
    assert_eq!(output("logo")["size"], png.len(), "{run}");
    let on_folder = w.wrike("folders/IEAAAAARI4AAAADO/attachments").await;
    assert!(
        !on_folder["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == logo_id.as_str()),
        "the deleted file is still on the folder: {on_folder}"
    );

    // Bytes that are not base64: the step fails and says which input was wrong, and nothing
    // is uploaded.
    let before = w.wrike("folders/IEAAAAARI4AAAADO/attachments").await["data"]
        .as_array()
        .unwrap()
        .len();
    let run = w
        .fire(
            &endpoint,
            json!({"taskId": task, "week": 49, "logo": "not base64!"}),
        )
        .await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    let failed = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stepId"] == "logo")
        .cloned()
        .unwrap();
    assert!(
        failed["error"]
            .as_str()
            .unwrap_or_default()
            .contains("content_base64"),
        "{run}"
    );
    let listing = w.wrike("folders/IEAAAAARI4AAAADO/attachments").await;
    let after = listing["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{listing}"))
        .len();
    assert_eq!(before, after);
}

const REACH_INSIDE: &str = "\
name: reach-inside
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: metadata
    action: http.request
    on_error: continue
    input:
      url: http://169.254.169.254/latest/meta-data/
  - id: by_name
    action: http.request
    on_error: continue
    input:
      url: http://localhost:9/admin
  - id: listed
    action: http.request
    input:
      url: \"{{ trigger.endpoint }}\"
      method: POST
      json: {ok: true}
";

/// An HTTP step may not reach the hub's own network (a cloud metadata address, a name that
/// resolves to loopback) unless the operator listed the host in `recipe_http_allow`; the
/// refusal says so, is not retried, and a listed host (here 127.0.0.1) is reached.
#[tokio::test]
async fn http_steps_reach_private_hosts_only_when_listed() {
    let w = world(common::store("recipes_egress").await).await;
    let inbound = w.inbound(REACH_INSIDE, "reach-inside").await;
    let (endpoint, received) = common::receiver().await;
    let run = w.fire(&inbound, json!({"endpoint": endpoint})).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let steps = run["steps"].as_array().unwrap();
    for refused in ["metadata", "by_name"] {
        let attempts: Vec<&Value> = steps.iter().filter(|s| s["stepId"] == refused).collect();
        assert_eq!(attempts.len(), 1, "a refusal is not retried: {run}");
        assert_eq!(attempts[0]["status"], "failed", "{run}");
        assert!(
            attempts[0]["error"]
                .as_str()
                .unwrap_or_default()
                .contains("recipe_http_allow"),
            "{run}"
        );
    }
    assert_eq!(received.lock().unwrap().len(), 1, "{run}");
}

const TELL_PEOPLE: &str = "\
name: tell-people
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: tell
    action: notify
    input:
      to: \"{{ trigger.to }}\"
      subject: \"Task {{ trigger.taskId }} needs a look\"
      message: \"Please review {{ trigger.taskId }} today.\"
";

/// A `notify` step that names people e-mails them through the hub's SMTP server; an
/// address that is not one fails the step at once, naming it, and sends nothing.
#[tokio::test]
async fn notify_steps_email_the_people_they_name() {
    let w = world(common::store("recipes_notify").await).await;
    let endpoint = w.inbound(TELL_PEOPLE, "tell-people").await;
    let fire = |to: &str| w.fire(&endpoint, json!({"taskId": "IEAAAAARKQAAAAAB", "to": to}));
    let run = fire("ana@acme.example, Bo Lind <bo@acme.example>").await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let mails = w.mails.lock().unwrap().clone();
    let mail = mails
        .iter()
        .find(|m| {
            m.data
                .contains("Subject: Task IEAAAAARKQAAAAAB needs a look")
        })
        .unwrap_or_else(|| panic!("no e-mail in {mails:?}"));
    assert_eq!(mail.to, vec!["<ana@acme.example>", "<bo@acme.example>"]);
    assert_eq!(mail.from, "<weft@acme.example>");
    assert!(
        mail.data.contains("Please review IEAAAAARKQAAAAAB today."),
        "{}",
        mail.data
    );

    let sent_before = w.mails.lock().unwrap().len();
    let run = fire("ana@acme.example, nobody-at-all").await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    let steps = run["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "a bad address is not retried: {run}");
    let error = steps[0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("\"nobody-at-all\" is not an e-mail address"),
        "{run}"
    );
    assert_eq!(w.mails.lock().unwrap().len(), sent_before);
}

const NEW_REQUESTS: &str = "\
name: new-requests
connection: acme-analytics
trigger:
  wrike:
    folder: IEAAAAARI4AAAADO
    events: [TaskCreated]
steps:
  - id: seen
    action: map
    input:
      task: \"{{ trigger.taskId }}\"
";

/// Tasks created while Wrike could not deliver to the hub (the network cut until Wrike
/// suspended the hook, then the hook suspended) start their runs when the hub next checks
/// its hooks, once each; a task whose delivery arrived is not started again by the sweep.
#[tokio::test]
async fn task_creations_wrike_could_not_deliver_are_caught_up_once() {
    for store in common::every_store("recipes_sweep").await {
        let w = world(store).await;
        w.apply_and_start(NEW_REQUESTS, "new-requests").await;
        let token = w
            .sim_control(
                reqwest::Method::POST,
                "tokens",
                json!({"accountId": w.account}),
            )
            .await;
        let create = |title: &'static str| {
            let (http, url, token) = (
                w.http.clone(),
                format!("{}/folders/IEAAAAARI4AAAADO/tasks", w.sim.api_url(0)),
                token["accessToken"].as_str().unwrap().to_owned(),
            );
            async move {
                let made: Value = http
                    .post(url)
                    .bearer_auth(token)
                    .form(&[("title", title)])
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                made["data"][0]["id"].as_str().unwrap().to_owned()
            }
        };

        // One task delivered as usual.
        let delivered = create("Delivered").await;
        let runs = w.settled_runs("new-requests", 1).await;
        assert_eq!(runs.len(), 1);

        // The network is cut: three creations fail every attempt, Wrike suspends the hook,
        // and a fourth is never even tried.
        *w.network.lock().unwrap() = Network::Lose(usize::MAX);
        let mut missed = Vec::new();
        for title in ["Lost 1", "Lost 2", "Lost 3"] {
            missed.push(create(title).await);
        }
        for _ in 0..100 {
            if w.wrike("webhooks").await["data"][0]["status"] == "Suspended" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(w.wrike("webhooks").await["data"][0]["status"], "Suspended");
        missed.push(create("Never tried").await);
        assert_eq!(w.settled_runs("new-requests", 1).await.len(), 1);

        // The network is back; the hub's look at its hooks re-enables it and catches up.
        *w.network.lock().unwrap() = Network::Up;
        let checked = weft_hub::recipes::triggers::check_hooks(&w.hub)
            .await
            .unwrap();
        assert_eq!((checked.repaired, checked.caught_up), (1, 4));
        let runs = w.settled_runs("new-requests", 5).await;
        let mut caught: Vec<String> = Vec::new();
        for run in &runs {
            let run = w
                .run(
                    run["id"]
                        .as_str()
                        .and_then(|s| s.parse::<i64>().ok())
                        .unwrap(),
                )
                .await;
            let event = &run["run"]["triggerEvent"];
            if event["weftCaughtUp"] == true {
                assert_eq!(event["eventType"], "TaskCreated", "{run}");
                caught.push(event["taskId"].as_str().unwrap().to_owned());
            } else {
                assert_eq!(event["taskId"], delivered.as_str(), "{run}");
            }
        }
        caught.sort();
        missed.sort();
        assert_eq!(caught, missed);
        // Looking again starts nothing: every creation has its one run.
        let again = weft_hub::recipes::triggers::check_hooks(&w.hub)
            .await
            .unwrap();
        assert_eq!(again, weft_hub::recipes::triggers::HookCheck::default());
        assert_eq!(w.settled_runs("new-requests", 5).await.len(), 5);
    }
}

/// What the step `id` of a finished run gave in its last succeeded attempt.
fn succeeded_output(run: &Value, id: &str) -> Value {
    run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|s| s["stepId"] == id && s["status"] == "succeeded")
        .map(|s| s["output"].clone())
        .unwrap_or_else(|| panic!("no step {id} in {run}"))
}

const CONNECTING_WORK: &str = "\
name: connect-work
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: spaces
    action: wrike.list_spaces
  - id: space
    action: wrike.get_space
    input:
      id: \"{{ steps.spaces[0].id }}\"
  - id: depends
    action: wrike.create_dependency
    input:
      task: \"{{ trigger.second }}\"
      predecessor: \"{{ trigger.first }}\"
      relationType: StartToStart
  - id: dependencies
    action: wrike.list_dependencies
    input:
      task: \"{{ trigger.second }}\"
  - id: ask
    action: wrike.create_approval
    input:
      task: \"{{ trigger.first }}\"
      approvers: [\"{{ trigger.approver }}\"]
      description: Ship it?
      dueDate: \"2030-01-31\"
  - id: pending
    action: wrike.list_approvals
    input:
      task: \"{{ trigger.first }}\"
      statuses: [Pending]
  - id: withdrawn
    action: wrike.cancel_approval
    input:
      id: \"{{ steps.ask.id }}\"
  - id: undo
    action: wrike.delete_dependency
    input:
      id: \"{{ steps.depends.id }}\"
  - id: copied
    action: wrike.copy_folder
    input:
      folder: IEAAAAARI4AAAADO
      parent: \"{{ trigger.parent }}\"
      title: \"Copy for week {{ trigger.week }}\"
";

#[tokio::test]
async fn dependencies_spaces_approvals_and_folder_copies_run_from_a_recipe() {
    let w = world(common::store("recipes_work_families").await).await;
    let endpoint = w.inbound(CONNECTING_WORK, "connect-work").await;
    let tasks = w.wrike("folders/IEAAAAARI4AAAADO/tasks").await;
    let ids: Vec<String> = tasks["data"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let (first, second) = (ids[0].clone(), ids[1].clone());
    let (approver, parent) = {
        let world = w.sim.sim.read();
        let account = &world.accounts[0];
        let approver = account
            .users
            .iter()
            .find(|u| u.profile().active == Some(true) && !u.contact.deleted)
            .unwrap()
            .id()
            .to_owned();
        let parent = account
            .folders
            .iter()
            .find(|f| f.scope == wrike_api::models::TreeScope::WsRoot)
            .unwrap()
            .id
            .clone();
        (approver, parent)
    };
    let run = w
        .fire(
            &endpoint,
            json!({"first": first, "second": second, "approver": approver, "parent": parent, "week": 49}),
        )
        .await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let output = |id: &str| succeeded_output(&run, id);
    // The space came with its members; the dependency was made, seen, then removed.
    assert!(
        output("space")["members"]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{run}"
    );
    let made = output("depends");
    assert_eq!(made["predecessorId"], first.as_str());
    assert_eq!(made["relationType"], "StartToStart");
    assert!(
        output("dependencies")
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == made["id"]),
        "{run}"
    );
    let now = w.wrike(&format!("tasks/{second}/dependencies")).await;
    assert!(
        !now["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == made["id"]),
        "deleted: {now}"
    );
    // The approval was asked of the approver, listed as pending, then cancelled in Wrike.
    let asked = output("ask");
    assert_eq!(
        asked["decisions"][0]["approverId"],
        approver.as_str(),
        "{asked}"
    );
    assert_eq!(asked["dueDate"], "2030-01-31");
    assert!(
        output("pending")
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == asked["id"]),
        "{run}"
    );
    assert_eq!(output("withdrawn")["status"], "Cancelled", "{run}");
    let approval = w
        .wrike(&format!("approvals/{}", asked["id"].as_str().unwrap()))
        .await;
    assert_eq!(approval["data"][0]["status"], "Cancelled", "{approval}");
    // The copy finished (Wrike's copy is asynchronous) and is under the parent.
    let copy = output("copied");
    let copy_id = copy["id"].as_str().unwrap_or_else(|| panic!("{copy}"));
    let folder = w.wrike(&format!("folders/{copy_id}")).await;
    assert_eq!(folder["data"][0]["title"], "Copy for week 49", "{folder}");
    assert!(
        folder["data"][0]["parentIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == parent.as_str()),
        "{folder}"
    );

    // A step given both a predecessor and a successor fails and says so; nothing is made.
    let both = "\
name: both-ways
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: depends
    action: wrike.create_dependency
    input:
      task: \"{{ trigger.second }}\"
      predecessor: \"{{ trigger.first }}\"
      successor: \"{{ trigger.first }}\"
";
    let endpoint = w.inbound(both, "both-ways").await;
    let before = w.wrike(&format!("tasks/{second}/dependencies")).await;
    let run = w
        .fire(&endpoint, json!({"first": first, "second": second}))
        .await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    assert!(
        run["run"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("exactly one of predecessor or successor")),
        "{run}"
    );
    assert_eq!(
        w.wrike(&format!("tasks/{second}/dependencies")).await,
        before
    );

    // A misspelt field of a typed answer is caught when the recipe is applied, naming the
    // field, the step and what it does give.
    let typo = "\
name: typo
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: space
    action: wrike.get_space
    input:
      id: \"{{ trigger.space }}\"
  - id: say
    action: map
    input:
      text: \"Space {{ steps.space.titel }}\"
";
    let (status, body) = w
        .api(
            "admin",
            reqwest::Method::POST,
            "/api/v1/recipes/apply",
            Some(json!({"files": [{"file": "typo.yaml", "source": typo}]})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let said = body.to_string();
    assert!(
        said.contains("steps.space has no field \\\"titel\\\"")
            && said.contains("did you mean title?"),
        "{body}"
    );
    // An answer whose shape is not known before the run (a raw call) is checked when the
    // run reads it: the run fails naming the field, the step and what it gave.
    let raw = typo
        .replace("action: wrike.get_space", "action: wrike.request")
        .replace(
            "      id: \"{{ trigger.space }}\"",
            "      method: GET\n      path: \"/spaces/{{ trigger.space }}\"",
        )
        .replace("steps.space.titel", "steps.space.data.titel");
    let endpoint = w.inbound(&raw, "typo").await;
    let space = output("spaces")[0]["id"].as_str().unwrap().to_owned();
    let run = w.fire(&endpoint, json!({"space": space})).await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    let error = run["run"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("titel"), "{run}");
}

const CONNECTING_MORE: &str = "\
name: connect-more
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: blueprints
    action: wrike.list_folder_blueprints
    input: {title: onboarding}
  - id: launched
    action: wrike.launch_folder_blueprint
    input:
      blueprint: \"{{ steps.blueprints[0].id }}\"
      parent: \"{{ trigger.folder }}\"
      title: \"Onboarding {{ trigger.client }}\"
      titlePrefix: \"{{ trigger.client }}: \"
  - id: task_blueprints
    action: wrike.list_task_blueprints
    input: {title: campaign}
  - id: campaign
    action: wrike.launch_task_blueprint
    input:
      blueprint: \"{{ steps.task_blueprints[0].id }}\"
      superTask: \"{{ trigger.task }}\"
      title: Spring campaign
  - id: types
    action: wrike.list_custom_item_types
  - id: bug
    action: wrike.create_from_custom_item_type
    input: {itemType: bug report, parent: \"{{ trigger.folder }}\", title: Login fails}
  - id: region
    action: wrike.create_custom_field
    input: {title: Region, type: DropDown, options: [EMEA, APAC]}
  - id: fields
    action: wrike.list_custom_fields
    input: {title: region}
  - id: tag
    action: wrike.set_custom_fields
    input:
      folder: \"{{ steps.launched.id }}\"
      values:
        Region: EMEA
        client: \"{{ trigger.client }}\"
  - id: tagged
    action: wrike.get_custom_fields
    input: {folder: \"{{ steps.launched.id }}\"}
  - id: found
    action: wrike.search_folders
    input:
      title: onboarding
      customField: {field: region, value: emea}
  - id: launched_folder
    action: wrike.get_folder
    input: {id: \"{{ steps.launched.id }}\"}
  - id: people
    action: wrike.list_users
    input: {active: true, emailDomain: \"{{ trigger.domain }}\"}
  - id: person
    action: wrike.get_user
    input: {id: \"{{ steps.people[0].id }}\"}
  - id: log
    action: wrike.create_timelog
    input: {task: \"{{ trigger.task }}\", hours: 1, trackedDate: \"2026-11-30\", comment: Kick-off}
  - id: relog
    action: wrike.update_timelog
    input: {id: \"{{ steps.log.id }}\", hours: 2.5}
  - id: logs
    action: wrike.search_timelogs
    input: {task: \"{{ trigger.task }}\", trackedFrom: \"2026-11-30\", trackedTo: \"2026-11-30\"}
  - id: categories
    action: wrike.list_timelog_categories
  - id: unlog
    action: wrike.delete_timelog
    input: {id: \"{{ steps.log.id }}\"}
  - id: file
    action: wrike.upload_attachment
    input: {task: \"{{ trigger.task }}\", name: plan.txt, content: v1}
  - id: file2
    action: wrike.update_attachment
    input: {id: \"{{ steps.file.id }}\", name: plan.txt, content: v2 longer}
  - id: about
    action: wrike.get_attachment
    input: {id: \"{{ steps.file.id }}\"}
  - id: link
    action: wrike.get_attachment_url
    input: {id: \"{{ steps.file.id }}\"}
  - id: ask
    action: wrike.create_approval
    input: {task: \"{{ trigger.task }}\", approvers: [\"{{ trigger.approver }}\"]}
  - id: reworded
    action: wrike.update_approval
    input: {id: \"{{ steps.ask.id }}\", description: Please by Friday, dueDate: \"2030-02-01\"}
  - id: approval
    action: wrike.get_approval
    input: {id: \"{{ steps.ask.id }}\"}
  - id: waiting
    action: wrike.list_approvals
    input: {pendingApprovers: [\"{{ trigger.approver }}\"]}
  - id: copied
    action: wrike.copy_project
    input: {project: \"{{ trigger.project }}\", parent: \"{{ trigger.folder }}\", title: Copy of the project}
";

#[tokio::test]
async fn blueprints_fields_people_timelogs_files_and_approvals_run_from_a_recipe() {
    let w = world(common::store("recipes_connector").await).await;
    let endpoint = w.inbound(CONNECTING_MORE, "connect-more").await;
    let (folder, project, task, approver, domain) = {
        let world = w.sim.sim.read();
        let a = &world.accounts[0];
        let folder = a
            .folders
            .iter()
            .find(|f| f.scope == wrike_api::models::TreeScope::WsFolder && f.project.is_none())
            .unwrap()
            .id
            .clone();
        let project = a
            .folders
            .iter()
            .find(|f| f.scope == wrike_api::models::TreeScope::WsFolder && f.project.is_some())
            .unwrap()
            .id
            .clone();
        let approver = a
            .users
            .iter()
            .find(|u| u.is_active() && !u.profile().owner)
            .unwrap()
            .id()
            .to_owned();
        let domain = a.owner().email().rsplit_once('@').unwrap().1.to_owned();
        (folder, project, a.tasks[0].id.clone(), approver, domain)
    };
    let run = w
        .fire(
            &endpoint,
            json!({"folder": folder, "project": project, "task": task, "approver": approver,
                   "domain": domain, "client": "Acme"}),
        )
        .await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let output = |id: &str| succeeded_output(&run, id);

    // Blueprints: the folder one made a folder tree under the folder, the task one a task
    // with its subtasks under the task; both as Wrike holds them now.
    let launched = output("launched");
    assert_eq!(launched["title"], "Onboarding Acme", "{launched}");
    let made = w
        .wrike(&format!("folders/{}", launched["id"].as_str().unwrap()))
        .await;
    assert_eq!(made["data"][0]["parentIds"], json!([folder]), "{made}");
    assert_eq!(
        output("launched_folder")["childIds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let campaign = output("campaign");
    assert_eq!(campaign["superTaskIds"], json!([task]), "{campaign}");
    assert_eq!(campaign["subTaskIds"].as_array().unwrap().len(), 2);
    let bug = output("bug");
    let bug_type = output("types")
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Bug report")
        .unwrap()["id"]
        .clone();
    assert_eq!(bug["customItemTypeId"], bug_type, "{bug}");
    assert_eq!(bug["parentIds"], json!([folder]));

    // Custom fields: made with its choices, set by title (any case), read back, searched.
    assert_eq!(output("region")["type"], "DropDown");
    assert_eq!(output("fields")[0]["choices"], json!(["EMEA", "APAC"]));
    assert_eq!(output("tagged")["byTitle"]["Region"], "EMEA", "{run}");
    assert_eq!(output("tagged")["byTitle"]["Client"], "Acme", "{run}");
    let found = output("found");
    assert_eq!(
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].clone())
            .collect::<Vec<_>>(),
        vec![launched["id"].clone()],
        "{found}"
    );

    // People: the domain filter kept only that domain's active people.
    let people = output("people");
    assert!(!people.as_array().unwrap().is_empty());
    assert!(people.as_array().unwrap().iter().all(|p| {
        p["profiles"][0]["email"]
            .as_str()
            .is_some_and(|e| e.ends_with(&format!("@{domain}")))
            && p["profiles"][0]["active"] != false
    }));
    assert_eq!(output("person")["id"], people[0]["id"]);

    // Timelogs: changed, found on its day, then deleted in Wrike.
    let log = output("log");
    assert_eq!(output("relog")["hours"], 2.5);
    assert!(
        output("logs")
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == log["id"] && l["hours"] == 2.5),
        "{run}"
    );
    assert!(!output("categories").as_array().unwrap().is_empty());
    let left = w.wrike(&format!("tasks/{task}/timelogs")).await;
    assert!(
        !left["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == log["id"]),
        "{left}"
    );

    // Attachments: a second version, and a link that needs no token.
    assert_eq!(output("file2")["version"], "2");
    assert_eq!(output("about")["size"], 9);
    let link = output("link")["url"].as_str().unwrap().to_owned();
    let body = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert_eq!(body, "v2 longer");

    // Approvals: reworded, read back, found among those waiting for the approver.
    assert_eq!(output("reworded")["description"], "Please by Friday");
    assert_eq!(output("approval")["dueDate"], "2030-02-01");
    let ask = output("ask");
    assert!(
        output("waiting")
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == ask["id"]),
        "{run}"
    );

    // The project's copy finished and sits in the folder.
    let copied = output("copied");
    let copy = w
        .wrike(&format!("folders/{}", copied["id"].as_str().unwrap()))
        .await;
    assert_eq!(copy["data"][0]["title"], "Copy of the project", "{copy}");

    // A value a dropdown does not offer fails the step, naming the choices; nothing is
    // written, not even the field that was right.
    let wrong = "\
name: wrong-choice
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: tag
    action: wrike.set_custom_fields
    input:
      folder: \"{{ trigger.folder }}\"
      values: {Client: Other, Region: Mars}
";
    let endpoint = w.inbound(wrong, "wrong-choice").await;
    let run = w.fire(&endpoint, json!({"folder": folder})).await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    let error = run["run"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("\"Mars\"") && error.contains("EMEA, APAC"),
        "{run}"
    );
    let after = w.wrike(&format!("folders/{folder}")).await;
    assert!(
        !after["data"][0]["customFields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["value"] == "Other"),
        "{after}"
    );
    // A copy_project of a plain folder is refused before anything is copied.
    let not_project = "\
name: not-a-project
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: copied
    action: wrike.copy_project
    input: {project: \"{{ trigger.folder }}\", parent: \"{{ trigger.folder }}\", title: Nope}
";
    let endpoint = w.inbound(not_project, "not-a-project").await;
    let run = w.fire(&endpoint, json!({"folder": folder})).await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    assert!(
        run["run"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("not a project")),
        "{run}"
    );
}

const GROUP_MEMBERS: &str = "\
name: group-members
connection: CONNECTION
trigger:
  http: {}
steps:
  - id: groups
    action: wrike.list_groups
  - id: added
    action: wrike.add_group_members
    input: {group: \"{{ steps.groups[0].id }}\", members: [\"{{ trigger.person }}\"]}
  - id: removed
    action: wrike.remove_group_members
    input: {group: \"{{ steps.groups[0].id }}\", members: [\"{{ trigger.person }}\"]}
";

#[tokio::test]
async fn group_membership_runs_on_a_groups_connection_and_only_admins_apply_it() {
    let w = world(common::store("recipes_groups").await).await;
    let (owner, person) = {
        let world = w.sim.sim.read();
        let a = &world.accounts[0];
        let person = a
            .users
            .iter()
            .find(|u| u.is_active() && !u.is_admin())
            .unwrap()
            .id()
            .to_owned();
        (a.owner().id().to_owned(), person)
    };
    w.connect_as(
        "acme-groups",
        &owner,
        &["Default", "amReadWriteGroup"],
        vec![weft_core::scope_plan::Feature::Groups],
    )
    .await;
    let source = GROUP_MEMBERS.replace("CONNECTION", "acme-groups");
    // Changing who is in a group administers users: an Analyst may not apply it.
    let (status, body) = w
        .api(
            "analyst",
            reqwest::Method::POST,
            "/api/v1/recipes/apply",
            Some(json!({"files": [{"file": "recipe.yaml", "source": source}]})),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let endpoint = w.inbound(&source, "group-members").await;
    let run = w.fire(&endpoint, json!({"person": person})).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let output = |id: &str| succeeded_output(&run, id);
    assert!(
        output("added")["memberIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == person.as_str()),
        "{run}"
    );
    assert!(
        !output("removed")["memberIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == person.as_str()),
        "{run}"
    );
}

const VERSIONED: &str = "\
name: versioned
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"first {{ steps.task.title }}\"
";

#[tokio::test]
async fn versions_are_restored_files_tried_and_lists_carry_the_runs_through_the_api() {
    let w = world(common::store("recipes_restore_try").await).await;
    let (task, _) = a_task(&w).await;
    w.apply(VERSIONED).await;
    w.apply(&VERSIONED.replace("first", "second")).await;
    let restore = |role: &'static str, version: i64| {
        let w = &w;
        async move {
            w.api(
                role,
                reqwest::Method::POST,
                &format!("/api/v1/recipes/versioned/versions/{version}/restore"),
                None,
            )
            .await
        }
    };
    let (status, detail) = restore("analyst", 1).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["recipe"]["version"], 3);
    assert_eq!(detail["source"], VERSIONED);
    let (status, again) = restore("analyst", 3).await;
    assert_eq!(status, 400, "{again}");
    assert!(
        again["error"]
            .as_str()
            .unwrap()
            .contains("current text already")
    );
    let (status, _) = restore("operator", 2).await;
    assert_eq!(status, 403, "Operators do not edit recipes");
    let (status, missing) = restore("analyst", 9).await;
    assert_eq!(status, 404, "{missing}");
    // The trail says where the text came from.
    let (_, trail) = w
        .api(
            "admin",
            reqwest::Method::GET,
            "/api/v1/audit-trail?action=recipe.restore",
            None,
        )
        .await;
    assert_eq!(trail["items"][0]["after"]["restoredFrom"], 1, "{trail}");

    // A try reads for real and does not write.
    let before = w.wrike(&format!("tasks/{task}/comments")).await;
    let (status, tried) = w
        .api(
            "analyst",
            reqwest::Method::POST,
            "/api/v1/recipes/try",
            Some(
                json!({"file": {"file": "versioned.yaml", "source": VERSIONED},
                        "event": {"taskId": task}}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{tried}");
    assert_eq!(tried["steps"][0]["outcome"], "ran");
    assert_eq!(tried["steps"][0]["output"]["id"], task.as_str());
    assert_eq!(tried["steps"][1]["outcome"], "not_run");
    assert!(
        tried["steps"][1]["input"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("first ")),
        "{tried}"
    );
    assert_eq!(w.wrike(&format!("tasks/{task}/comments")).await, before);
    let (status, refused) = w
        .api(
            "analyst",
            reqwest::Method::POST,
            "/api/v1/recipes/try",
            Some(json!({"file": {"file": "typo.yaml", "source": VERSIONED.replace("task.title", "task.titel")},
                        "event": {"taskId": task}})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("titel"), "{refused}");

    // After a run, the list carries it.
    let (_, listed) = w
        .api("operator", reqwest::Method::GET, "/api/v1/recipes", None)
        .await;
    assert!(listed["items"][0].get("runs").is_none(), "{listed}");
    let endpoint = w.inbound(VERSIONED, "versioned").await;
    let run = w.fire(&endpoint, json!({"taskId": task})).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let (_, listed) = w
        .api("operator", reqwest::Method::GET, "/api/v1/recipes", None)
        .await;
    let runs = &listed["items"][0]["runs"];
    assert_eq!(runs["total"], 1, "{listed}");
    assert_eq!(runs["successPercent"], 100);
    assert_eq!(runs["lastStatus"], "succeeded");
}

const TWO_AT_A_TIME: &str = "\
name: two-at-a-time
connection: acme-analytics
concurrency: 2
trigger:
  http: {}
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
";

/// `concurrency: 2` holds across two instances of the hub on one database: ten runs
/// started at once never have more than two running, do reach two, and all succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrency_limit_holds_across_two_instances() {
    let mut urls = vec![weft_store::testing::temp_sqlite_url("srv-concurrency")];
    if let Some(url) = weft_store::testing::postgres_url() {
        urls.push(
            weft_store::testing::postgres_schema_url(&url, "srv_concurrency")
                .await
                .unwrap(),
        );
    }
    for url in urls {
        let first = Arc::new(weft_store::Store::open(&url).await.unwrap());
        let w = world(first).await;
        // A second instance: its own pool on the same database, its own workers.
        let mut second = w.hub.clone();
        second.store = Arc::new(weft_store::Store::open(&url).await.unwrap());
        let other = weft_hub::background::start(
            second,
            weft_hub::runtime::RuntimeConfig {
                probe_interval: Duration::from_secs(3600),
                worker: weft_hub::runtime::WorkerConfig {
                    poll: Duration::from_millis(50),
                    ..weft_hub::runtime::RuntimeConfig::default().worker
                },
                ..weft_hub::runtime::RuntimeConfig::default()
            },
            weft_hub::runtime::Registry::new(),
        )
        .await
        .unwrap();
        // Each read of a task takes a while, so runs overlap.
        w.sim_control(
            reqwest::Method::POST,
            "faults",
            json!({"kind": "slow", "delayMs": 400, "pathPrefix": "/api/v4/tasks/", "count": 100}),
        )
        .await;
        let (task, _) = a_task(&w).await;
        let endpoint = w.inbound(TWO_AT_A_TIME, "two-at-a-time").await;
        let recipe = w
            .hub
            .store
            .recipes()
            .by_name("two-at-a-time")
            .await
            .unwrap()
            .unwrap();
        for n in 0..10 {
            let id = format!("call-{n}-{}", fastrand::u64(..));
            let body = json!({"taskId": task, "n": n}).to_string();
            let (status, answer) = call_inbound(&w, &endpoint.0, &endpoint.1, &body, &id).await;
            assert_eq!(status, 202, "{answer}");
        }
        let mut most = 0;
        let started = std::time::Instant::now();
        loop {
            let counts = w.hub.store.recipes().run_counts(recipe.id).await.unwrap();
            let count = |status: weft_store::RunStatus| {
                counts
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or(0, |(_, n)| *n)
            };
            most = most.max(count(weft_store::RunStatus::Running));
            if count(weft_store::RunStatus::Succeeded) == 10 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{url}: the runs did not finish: {counts:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(most <= 2, "{url}: {most} runs ran at once");
        assert_eq!(most, 2, "{url}: the limit is a limit, not a queue of one");
        other.shutdown().await;
    }
}
