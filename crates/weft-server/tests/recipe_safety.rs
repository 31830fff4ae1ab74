//! The recipe engine's threat model, tried as a team member with an ordinary role would try
//! it, over real HTTP against the simulator: a recipe cannot send the connection's token
//! anywhere but Wrike's API, cannot do what its author's role may not do directly, cannot
//! start with an event its runner made up, cannot grow without bound, cannot keep a secret,
//! and cannot be decided twice. Each test names the finding of docs/SECURITY.md it holds.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::world::*;
use serde_json::{Value, json};
use weft_core::scope_plan::Feature;

/// A listener that counts the connections it accepts: where a hostile path would lead.
async fn trap() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, hits)
}

const RAW_CALL: &str = "\
name: raw-call
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: call
    action: wrike.request
    input:
      method: \"{{ trigger.method }}\"
      path: \"{{ trigger.path }}\"
      params: \"{{ trigger.params }}\"
";

/// Paths an Analyst could give a raw call, `{port}` standing for the trap's port (the
/// finding's own, and the variants around them). The table is meant to grow.
const HOSTILE_PATHS: &[&str] = &[
    r"\\127.0.0.1:{port}/x",
    r"http:\\127.0.0.1:{port}/x",
    r"HtTp:\\127.0.0.1:{port}/x",
    "/%2e%2e/%2e%2e/x",
    "/%2E%2e/%2e%2E/127.0.0.1:{port}/x",
    "%5c%5c127.0.0.1:{port}/x",
    "http://127.0.0.1:{port}/x",
    "//127.0.0.1:{port}/x",
    "../../../x",
    "\t//127.0.0.1:{port}/x",
    "@127.0.0.1:{port}/x",
    "tasks;@127.0.0.1:{port}",
    "\u{ff0e}\u{ff0e}/\u{ff0e}\u{ff0e}/x",
    "/api/v4/../../127.0.0.1:{port}",
];

/// Finding "the connection's token leaves the hub": every hostile path a recipe's raw call
/// is given fails its step by name, and the listener it points at is never reached.
#[tokio::test]
async fn hostile_raw_paths_in_a_recipe_never_reach_a_listener() {
    let w = world(common::store("safety_paths").await).await;
    let (port, hits) = trap().await;
    // An Analyst may apply and start it: its method and path are templates.
    w.apply_and_start_as("analyst", RAW_CALL, "raw-call").await;
    let inbound = w.endpoint("raw-call").await;
    for template in HOSTILE_PATHS {
        let path = template.replace("{port}", &port.to_string());
        for method in ["GET", "PUT"] {
            let run = w
                .fire(
                    &inbound,
                    json!({"method": method, "path": path, "params": {}}),
                )
                .await;
            assert_eq!(run["run"]["status"], "failed", "{method} {path:?}: {run}");
            let error = run["run"]["error"].as_str().unwrap_or_default();
            assert!(
                error.contains("API path") || error.contains("privilege"),
                "{method} {path:?}: {error}"
            );
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the trap was reached");
    // The same recipe still reads Wrike under its base.
    let run = w
        .fire(
            &inbound,
            json!({"method": "GET", "path": "/api/v4/account", "params": {}}),
        )
        .await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
}

/// A recipe that deactivates a user: it administers users and seats.
const DEACTIVATE: &str = "\
name: deactivate
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: ask
    action: approval
    input:
      message: \"Deactivate {{ trigger.userId }}?\"
  - id: off
    action: wrike.update_user
    input:
      id: \"{{ trigger.userId }}\"
      active: false
";

/// The same as a raw call whose family is written out.
const DEACTIVATE_RAW: &str = "\
name: deactivate-raw
connection: acme-analytics
trigger:
  schedule:
    cron: \"0 9 * * *\"
steps:
  - id: off
    action: wrike.request
    input:
      method: PUT
      path: \"/users/{{ trigger.userId }}\"
      params:
        active: false
";

/// Work only: comments on a task.
const COMMENT: &str = "\
name: comment
connection: acme-analytics
trigger:
  schedule:
    cron: \"0 9 * * *\"
steps:
  - id: say
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: hello
";

/// Calls a `DEACTIVATE` recipe's endpoint for `user`, waits for its `nth` run to reach the
/// approval, approves it as an Admin, and returns the run once it has ended.
async fn deactivate_approved(
    w: &World,
    (path, secret): &(String, String),
    recipe: &str,
    user: &str,
    nth: usize,
) -> Value {
    let id = format!("call-{}", fastrand::u64(..));
    let body = json!({"userId": user}).to_string();
    let (_, started) = call_inbound(w, path, secret, &body, &id).await;
    let run_id = started["runId"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    w.settled_runs(recipe, nth).await;
    let (status, answer) = w
        .api(
            "admin",
            reqwest::Method::POST,
            &format!("/api/v1/runs/{run_id}/approve"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    w.finished_run(run_id).await
}

fn file(source: &str) -> Value {
    json!({"files": [{"file": "recipe.yaml", "source": source}]})
}

/// Finding "recipes bypass the Admin-only controls": who may do what to a recipe that
/// administers users and seats, and to one that only writes work, as a table of routes,
/// roles and answers (the route x role table of `access.rs` covers the routes alone).
#[tokio::test]
async fn recipes_that_administer_users_are_for_admins_only() {
    let w = world(common::store("safety_admin").await).await;
    // Nothing applied by anyone but an Admin, and nothing half-applied.
    for (role, source, expected) in [
        ("analyst", DEACTIVATE, 403),
        ("operator", DEACTIVATE, 403),
        ("analyst", DEACTIVATE_RAW, 403),
        ("analyst", COMMENT, 200),
        ("admin", DEACTIVATE, 200),
        ("admin", DEACTIVATE_RAW, 200),
    ] {
        let (status, body) = w
            .api(
                role,
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(file(source)),
            )
            .await;
        assert_eq!(status, expected, "{role} applying: {body}");
        if expected == 403 && role != "operator" {
            assert!(
                body["error"]
                    .as_str()
                    .unwrap()
                    .contains("administer users and seats"),
                "{body}"
            );
        }
    }
    // `check` says what each recipe needs.
    let (_, checked) = w
        .api(
            "analyst",
            reqwest::Method::POST,
            "/api/v1/recipes/check",
            Some(file(DEACTIVATE)),
        )
        .await;
    assert_eq!(
        checked["recipes"][0]["privilege"], "administer_users",
        "{checked}"
    );
    assert!(
        checked["recipes"][0]["note"]
            .as_str()
            .unwrap()
            .contains("only Admins"),
        "{checked}"
    );
    // So does the editor's Check, and its Save refuses an Analyst with the reason.
    let analyst = w.members.iter().find(|m| m.username == "analyst").unwrap();
    let editor = |action: &'static str| {
        w.http
            .post(format!("{}/recipes", w.url))
            .header("Cookie", format!("weft_session={}", analyst.session))
            .form(&[
                ("csrf", analyst.csrf.as_str()),
                ("source", DEACTIVATE),
                ("action", action),
            ])
            .send()
    };
    let page = editor("check").await.unwrap().text().await.unwrap();
    assert!(
        page.contains("id=\"privilege\"")
            && page.contains("needs the privilege to administer users and seats (steps off)"),
        "{page}"
    );
    let refused = editor("save").await.unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    assert!(
        refused.text().await.unwrap().contains("only Admins do"),
        "the reason is on the page"
    );
    // An Analyst may neither turn their recipe into one that administers, nor change one.
    let sneaky = COMMENT.replace(
        "  - id: say\n",
        "  - id: off\n    action: wrike.update_user\n    input:\n      id: \"{{ trigger.userId }}\"\n      active: false\n  - id: say\n",
    );
    let tamed = DEACTIVATE_RAW.replace("method: PUT", "method: GET");
    for source in [&sneaky, &tamed] {
        let (status, body) = w
            .api(
                "analyst",
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(file(source)),
            )
            .await;
        assert_eq!(status, 403, "{body}");
    }
    let (_, shown) = w
        .api(
            "analyst",
            reqwest::Method::GET,
            "/api/v1/recipes/comment",
            None,
        )
        .await;
    assert_eq!(shown["recipe"]["version"], 1, "unchanged: {shown}");

    // Route by route: (role, method, path, body, expected).
    let table: &[(&str, reqwest::Method, &str, Option<Value>, u16)] = &[
        (
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate/start",
            None,
            403,
        ),
        (
            "analyst",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate/start",
            None,
            403,
        ),
        (
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/comment/start",
            None,
            200,
        ),
        (
            "admin",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate/start",
            None,
            200,
        ),
        (
            "admin",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate-raw/start",
            None,
            200,
        ),
        (
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate-raw/runs",
            None,
            403,
        ),
        (
            "analyst",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate-raw/runs",
            None,
            403,
        ),
        (
            "analyst",
            reqwest::Method::DELETE,
            "/api/v1/recipes/deactivate-raw",
            None,
            403,
        ),
        (
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/deactivate-raw/stop",
            None,
            200,
        ),
        (
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/comment/runs",
            None,
            201,
        ),
    ];
    for (role, method, path, body, expected) in table {
        let (status, answer) = w.api(role, method.clone(), path, body.clone()).await;
        assert_eq!(status, *expected, "{role} {method} {path}: {answer}");
    }

    // A run of the administering recipe waits for approval: only an Admin decides it.
    let owner = w.sim.sim.read().accounts[0].owner().id().to_owned();
    let me = weft_hub::connections::find(&w.hub, "acme-analytics")
        .await
        .unwrap()
        .identity
        .user_id;
    let ordinary = |but: &[&str]| {
        w.sim.sim.read().accounts[0]
            .users
            .iter()
            .find(|u| u.is_active() && !u.is_admin() && u.id() != me && !but.contains(&u.id()))
            .map(|u| u.id().to_owned())
            .unwrap()
    };
    let someone = ordinary(&[]);
    let inbound = w.endpoint("deactivate").await;
    let id = format!("call-{}", fastrand::u64(..));
    let body = json!({"userId": someone}).to_string();
    let (status, started) = call_inbound(&w, &inbound.0, &inbound.1, &body, &id).await;
    assert_eq!(status, 202, "{started}");
    let run_id = started["runId"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    w.settled_runs("deactivate", 1).await;
    for role in ["operator", "analyst"] {
        let (status, answer) = w
            .api(
                role,
                reqwest::Method::POST,
                &format!("/api/v1/runs/{run_id}/approve"),
                None,
            )
            .await;
        assert_eq!(status, 403, "{role} approving: {answer}");
    }
    let is_active = |id: &str| {
        w.sim.sim.read().accounts[0]
            .users
            .iter()
            .find(|u| u.id() == id)
            .unwrap()
            .is_active()
    };
    assert!(is_active(&someone), "nothing happened before approval");
    let (status, answer) = w
        .api(
            "admin",
            reqwest::Method::POST,
            &format!("/api/v1/runs/{run_id}/approve"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let run = w.finished_run(run_id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert!(
        !is_active(&someone),
        "deactivated after an Admin's approval"
    );

    // The owner is never touched (nor reached: the protection reads Wrike first). A failed
    // run of such a recipe is run again by an Admin only.
    let run = deactivate_approved(&w, &inbound, "deactivate", &owner, 2).await;
    let run_id = run["run"]["id"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap();
    assert_eq!(run["run"]["status"], "failed", "{run}");
    assert!(
        run["run"]["error"]
            .as_str()
            .unwrap()
            .contains("owns the Wrike account"),
        "{run}"
    );
    assert!(is_active(&owner));
    let (status, answer) = w
        .api(
            "operator",
            reqwest::Method::POST,
            &format!("/api/v1/runs/{run_id}/rerun"),
            None,
        )
        .await;
    assert_eq!(status, 403, "{answer}");

    // A raw call whose path is a template is refused at run time when it would administer:
    // an Analyst's recipe cannot reach /users by a template either.
    w.apply_and_start_as("analyst", RAW_CALL, "raw-call").await;
    let raw = w.endpoint("raw-call").await;
    let third = ordinary(&[&someone]);
    let run = w
        .fire(
            &raw,
            json!({"method": "PUT", "path": format!("users/{third}"), "params": {"active": false}}),
        )
        .await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    assert!(
        run["run"]["error"]
            .as_str()
            .unwrap()
            .contains("needs the privilege to administer users and seats"),
        "{run}"
    );
    assert!(is_active(&third));
}

/// The connection's own user is never changed by a recipe (it would lock every recipe
/// out): a connection made with another admin's token, and a recipe on it.
#[tokio::test]
async fn the_user_a_connection_runs_as_is_never_changed_by_its_recipes() {
    let w = world(common::store("safety_self").await).await;
    let admin = w.sim.sim.read().accounts[0]
        .users
        .iter()
        .find(|u| u.is_active() && u.is_admin() && !u.profile().owner)
        .map(|u| u.id().to_owned())
        .expect("an admin who is not the owner");
    w.connect_as(
        "acme-admin",
        &admin,
        &["Default", "amReadWriteUser"],
        vec![Feature::Reclaim],
    )
    .await;
    let source = DEACTIVATE
        .replace("acme-analytics", "acme-admin")
        .replace("name: deactivate", "name: deactivate-self");
    w.apply_and_start_as("admin", &source, "deactivate-self")
        .await;
    let inbound = w.endpoint("deactivate-self").await;
    let run = deactivate_approved(&w, &inbound, "deactivate-self", &admin, 1).await;
    assert_eq!(run["run"]["status"], "failed", "{run}");
    assert!(
        run["run"]["error"]
            .as_str()
            .unwrap()
            .contains("the user the connection acme-admin runs as"),
        "{run}"
    );
}

const SCHEDULED: &str = "\
name: scheduled
connection: acme-analytics
trigger:
  schedule:
    cron: \"0 9 * * *\"
steps:
  - id: keep
    action: map
    input:
      saw: \"{{ trigger }}\"
";

/// Finding "Operators forge events": an Operator runs a scheduled recipe now, never with an
/// event of their own; Analysts and Admins may, and the run and the trail say so; a stopped
/// recipe starts nothing, whoever asks.
#[tokio::test]
async fn operators_run_recipes_now_but_never_with_an_event_of_their_own() {
    for store in common::every_store("safety_forge").await {
        let backend = store.backend().as_str();
        let w = world(store).await;
        w.apply(SCHEDULED).await;
        let runs = "/api/v1/recipes/scheduled/runs";
        let forged = json!({"event": {"scheduledAt": "2020-01-01T00:00:00Z", "evil": true}});
        // Stopped: nothing starts, with or without an event.
        for (role, body) in [("operator", None), ("analyst", Some(forged.clone()))] {
            let (status, answer) = w.api(role, reqwest::Method::POST, runs, body).await;
            assert_eq!(status, 409, "{backend} {role}: {answer}");
            assert!(answer["error"].as_str().unwrap().contains("stopped"));
        }
        w.api(
            "operator",
            reqwest::Method::POST,
            "/api/v1/recipes/scheduled/start",
            None,
        )
        .await;
        let (status, answer) = w
            .api(
                "operator",
                reqwest::Method::POST,
                runs,
                Some(forged.clone()),
            )
            .await;
        assert_eq!(status, 403, "{backend}: {answer}");
        let (status, answer) = w.api("operator", reqwest::Method::POST, runs, None).await;
        assert_eq!(status, 201, "{backend}: {answer}");
        let by_operator = w
            .finished_run(
                answer["runId"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap(),
            )
            .await;
        assert_eq!(by_operator["run"]["startedBy"], "operator", "{by_operator}");
        assert_eq!(by_operator["run"]["handMade"], false);
        assert_eq!(by_operator["run"]["triggerEvent"]["manual"], true);
        let (status, answer) = w
            .api("analyst", reqwest::Method::POST, runs, Some(forged))
            .await;
        assert_eq!(status, 201, "{backend}: {answer}");
        let by_analyst = w
            .finished_run(
                answer["runId"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap(),
            )
            .await;
        assert_eq!(by_analyst["run"]["startedBy"], "analyst", "{by_analyst}");
        assert_eq!(by_analyst["run"]["handMade"], true);
        let operator = w.members.iter().find(|m| m.username == "operator").unwrap();
        let page = w
            .http
            .get(format!(
                "{}/runs/{}",
                w.url,
                by_analyst["run"]["id"].as_str().unwrap()
            ))
            .header("Cookie", format!("weft_session={}", operator.session))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("analyst, with a trigger event written by hand"),
            "{backend}: {page}"
        );
        let trail = w.hub.store.trail().latest(20).await.unwrap();
        let entry = trail
            .iter()
            .find(|t| t.action == "recipe.run_now" && t.actor == "analyst")
            .expect("the run in the trail");
        assert_eq!(
            entry.after.as_ref().unwrap()["handMadeEvent"],
            true,
            "{backend}: {entry:?}"
        );
    }
}

const APPROVE_THEN_NOTE: &str = "\
name: decide-once
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: ask
    action: approval
    input:
      message: go?
  - id: note
    action: map
    input:
      decided: \"{{ steps.ask.decided_by }}\"
";

/// Finding "approve, reject and cancel race": many runs, each decided by an approval, a
/// rejection and a cancel sent at once; exactly one of the three takes effect, the others
/// get 409, and a cancelled run never goes on. On SQLite and PostgreSQL.
#[tokio::test]
async fn concurrent_decisions_take_effect_once() {
    for store in common::every_store("safety_race").await {
        let backend = store.backend().as_str();
        let w = world(store).await;
        let inbound = w.inbound(APPROVE_THEN_NOTE, "decide-once").await;
        const RUNS: usize = 12;
        let mut ids = Vec::new();
        for i in 0..RUNS {
            let (status, answer) =
                call_inbound(&w, &inbound.0, &inbound.1, "{}", &format!("race-{i}")).await;
            assert_eq!(status, 202, "{answer}");
            ids.push(
                answer["runId"]
                    .as_str()
                    .and_then(|s| s.parse::<i64>().ok())
                    .unwrap(),
            );
        }
        w.settled_runs("decide-once", RUNS).await;
        for id in &ids {
            let decide = |verb: &'static str| {
                let path = format!("/api/v1/runs/{id}/{verb}");
                let w = &w;
                async move {
                    (
                        verb,
                        w.api("admin", reqwest::Method::POST, &path, None).await.0,
                    )
                }
            };
            let (a, b, c) = tokio::join!(decide("approve"), decide("reject"), decide("cancel"));
            let answers = [a, b, c];
            let ok = |verb: &str| answers.iter().any(|(v, s)| *v == verb && *s == 200);
            assert!(
                answers.iter().all(|(_, s)| *s == 200 || *s == 409),
                "{backend}: run {id}: {answers:?}"
            );
            assert!(
                ok("approve") ^ ok("reject") || (ok("cancel") && !ok("approve") && !ok("reject")),
                "{backend}: run {id}: one decision, or a cancel alone: {answers:?}"
            );
            let run = w.finished_run(*id).await;
            let status = run["run"]["status"].as_str().unwrap().to_owned();
            // A cancel that came after an approval still stops the run before its next
            // step; one that came after the run ended was refused.
            let expected = if ok("cancel") {
                "cancelled"
            } else if ok("approve") {
                "succeeded"
            } else {
                "failed"
            };
            assert_eq!(
                status, expected,
                "{backend}: run {id} after {answers:?}: {run}"
            );
            let noted = run["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["stepId"] == "note" && s["status"] == "succeeded");
            assert_eq!(noted, status == "succeeded", "{backend}: {run}");
            // The decision is recorded once: one attempt of the approval step, decided.
            let asks: Vec<&Value> = run["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["stepId"] == "ask")
                .collect();
            assert_eq!(asks.len(), 1, "{backend}: {run}");
            assert_ne!(asks[0]["status"], "waiting", "{backend}: {run}");
        }
        // Settled for good: nothing that lost went on later.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for id in &ids {
            let again = w.run(*id).await;
            assert!(
                matches!(
                    again["run"]["status"].as_str(),
                    Some("succeeded" | "failed" | "cancelled")
                ),
                "{again}"
            );
        }
    }
}

/// Finding "the inbound HTTP trigger can be replayed and signed by an outsider": a call is
/// signed over its id, its time and its body; the same id starts one run; a new id needs a
/// new signature; an old call is refused; an `http` trigger's token answers no handshake.
#[tokio::test]
async fn inbound_calls_are_signed_over_their_id_time_and_body() {
    let w = world(common::store("safety_inbound").await).await;
    let (path, secret) = w
        .inbound(
            SCHEDULED
                .replace("schedule:\n    cron: \"0 9 * * *\"", "http: {}")
                .as_str(),
            "scheduled",
        )
        .await;
    let key = weft_hub::recipes::inbound::key_of(&secret).unwrap();
    let body = r#"{"a":1}"#;
    let now = chrono::Utc::now().timestamp();
    let post = |headers: Vec<(&'static str, String)>, body: &'static str| {
        let mut request = w.http.post(format!("{}{path}", w.url)).body(body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let signed = |id: &str, at: i64, body: &str| {
        vec![
            ("webhook-id", id.to_owned()),
            ("webhook-timestamp", at.to_string()),
            (
                "webhook-signature",
                weft_hub::recipes::inbound::sign(&key, id, at, body.as_bytes()),
            ),
        ]
    };
    let (status, first) = post(signed("m-1", now, body), body).await;
    assert_eq!(status, 202, "{first}");
    let (status, again) = post(signed("m-1", now, body), body).await;
    assert_eq!((status, &again["run"]), (200, &first["run"]), "{again}");
    // The captured signature under a new id: refused.
    let mut replayed = signed("m-1", now, body);
    replayed[0].1 = "m-2".into();
    let (status, answer) = post(replayed, body).await;
    assert_eq!(status, 403, "{answer}");
    // An old call, correctly signed: refused.
    let (status, answer) = post(signed("m-3", now - 3_600, body), body).await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("hub's clock"));
    // The old scheme (a signature over the body alone) is refused and says what is expected.
    let (status, answer) = post(
        vec![(
            "X-Weft-Signature",
            wrike_api::webhook::sign(secret.as_bytes(), body.as_bytes()),
        )],
        body,
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("webhook-id"));
    // The handshake route does not know an http trigger's token: no signature oracle.
    let token = path.trim_start_matches("/hooks/http/");
    let handshake = w
        .http
        .post(format!("{}/hooks/wrike/{token}", w.url))
        .header("X-Hook-Secret", "1")
        .body(r#"{"requestType": "WebHook secret verification"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(handshake.status().as_u16(), 404);
    assert!(handshake.headers().get("X-Hook-Secret").is_none());
    // The page that shows the secret is kept by no cache.
    let page = w
        .http
        .get(format!("{}/recipes/scheduled", w.url))
        .header("Cookie", format!("weft_session={}", w.members[0].session))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains(&secret));
    let runs = w.settled_runs("scheduled", 1).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
}

/// A raw call that Wrike refuses because the connection's user may not do it (403,
/// `not_allowed`), while the connection itself is healthy.
const REFUSED_THEN_NOTE: &str = "\
name: refused-once
connection: acme-member
trigger:
  http: {}
steps:
  - id: invite
    action: wrike.request
    input:
      method: POST
      path: /invitations
      params:
        email: someone@example.com
    on_error: continue
  - id: note
    action: map
    input:
      error: \"{{ errors.invite }}\"
  - id: last
    action: wrike.request
    input:
      method: POST
      path: /invitations
      params:
        email: someone@example.com
    on_error: continue
";

/// Finding "a refused Wrike call paused the recipe": one refused call fails its step (and
/// `on_error: continue` goes on, also past the last step, and the run ends); the connection
/// stays healthy and the recipe running, since a probe finds nothing broken.
#[tokio::test]
async fn a_single_refused_call_fails_its_step_and_pauses_nothing() {
    let w = world(common::store("safety_refused").await).await;
    let member = w.sim.sim.read().accounts[0]
        .users
        .iter()
        .find(|u| u.is_active() && !u.is_admin())
        .map(|u| u.id().to_owned())
        .unwrap();
    w.connect_as(
        "acme-member",
        &member,
        &["Default", "amReadWriteInvitation"],
        vec![Feature::WriteWork],
    )
    .await;
    let inbound = w.inbound(REFUSED_THEN_NOTE, "refused-once").await;
    let run = w.fire(&inbound, json!({})).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let steps = run["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3, "{run}");
    assert_eq!(steps[0]["status"], "failed", "{run}");
    assert!(
        steps[1]["output"]["error"]
            .as_str()
            .unwrap()
            .contains("administrator"),
        "{run}"
    );
    assert_eq!(steps[2]["status"], "failed", "{run}");
    let (_, recipe) = w
        .api(
            "operator",
            reqwest::Method::GET,
            "/api/v1/recipes/refused-once",
            None,
        )
        .await;
    assert_eq!(recipe["recipe"]["state"], "running", "{recipe}");
    let connection = weft_hub::connections::find(&w.hub, "acme-member")
        .await
        .unwrap();
    assert!(
        connection.health.as_ref().is_some_and(|h| h.is_healthy()),
        "{:?}",
        connection.health
    );
}

const BIG_THEN_MANY: &str = "\
name: big-then-many
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: big
    action: map
    input:
      s: \"{{ 'x' * trigger.size }}\"
  - id: many
    action: map
    for_each: \"{{ trigger.items }}\"
    input:
      copy: \"{{ steps.big.s }}\"
";

const GROWING: &str = "\
name: growing
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: a
    action: map
    input:
      s: \"{{ 'x' * 600000 }}\"
  - id: b
    action: map
    input:
      s: \"{{ 'y' * 600000 }}\"
  - id: c
    action: map
    input:
      s: \"{{ 'z' * 600000 }}\"
";

/// Finding "one run exhausts memory": a 700 kB value copied into 500 items, 20,000 items,
/// and outputs that pile up each fail their step by the bound they cross, naming its
/// setting; the hub goes on serving. On SQLite and PostgreSQL.
#[tokio::test]
async fn runs_stay_within_their_bounds() {
    for store in common::every_store("safety_bounds").await {
        let backend = store.backend().as_str();
        // A smaller run bound than the default, so the test stays light; the defaults are
        // the same code with other numbers.
        let w = world_with(store, |hub| {
            hub.policy.recipe_limits.max_run_bytes = 1_500_000;
        })
        .await;
        let inbound = w.inbound(BIG_THEN_MANY, "big-then-many").await;
        let items: Vec<usize> = (0..500).collect();
        let run = w
            .fire(&inbound, json!({"size": 700_000, "items": items}))
            .await;
        assert_eq!(run["run"]["status"], "failed", "{backend}: {run}");
        let error = run["run"]["error"].as_str().unwrap();
        assert!(
            error.contains("recipe_max_step_bytes"),
            "{backend}: {error}"
        );
        let items: Vec<usize> = (0..20_000).collect();
        let run = w.fire(&inbound, json!({"size": 1, "items": items})).await;
        let error = run["run"]["error"].as_str().unwrap();
        assert!(
            error.contains("20000 items") && error.contains("recipe_max_items"),
            "{backend}: {error}"
        );
        // Within the bounds the same recipe runs.
        let items: Vec<usize> = (0..100).collect();
        let run = w.fire(&inbound, json!({"size": 10, "items": items})).await;
        assert_eq!(run["run"]["status"], "succeeded", "{backend}: {run}");

        let inbound = w.inbound(GROWING, "growing").await;
        let run = w.fire(&inbound, json!({})).await;
        assert_eq!(run["run"]["status"], "failed", "{backend}: {run}");
        let error = run["run"]["error"].as_str().unwrap();
        assert!(
            error.starts_with("c:") && error.contains("recipe_max_run_bytes"),
            "{backend}: {error}"
        );
        // Another system's huge answer is read to its end, and only its length kept.
        let huge = {
            let app = axum::Router::new().route(
                "/huge",
                axum::routing::get(|| async { "z".repeat(3 << 20) }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}/huge", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            url
        };
        let inbound = w.inbound(HUGE_ANSWER, "huge-answer").await;
        let run = w.fire(&inbound, json!({"url": huge})).await;
        assert_eq!(run["run"]["status"], "succeeded", "{backend}: {run}");
        assert_eq!(
            run["steps"][0]["output"]["body"],
            format!("({} bytes, not kept)", 3 << 20),
            "{backend}"
        );
        let health = w
            .http
            .get(format!("{}/healthz", w.url))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status().as_u16(), 200);
    }
}

const HUGE_ANSWER: &str = "\
name: huge-answer
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: get
    action: http.request
    input:
      url: \"{{ trigger.url }}\"
";

const PLANTING: &str = "\
name: planting
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
  - id: keep
    action: map
    input:
      X-API-Key: \"{{ trigger.apiKey }}\"
      X-Auth: \"{{ secrets.vendor_key }}\"
      bearer: \"{{ secrets.vendor_key }}\"
      credentials:
        user: someone
        word: \"{{ secrets.vendor_key }}\"
      private_key: \"{{ secrets.vendor_key }}\"
      pass: \"{{ secrets.vendor_key }}\"
      url: \"https://api.example.com/x?access_token={{ secrets.vendor_key }}&page=2\"
      plain: \"{{ secrets.vendor_key }}\"
      pasted: \"{{ steps.task.description }}\"
      hook: \"{{ trigger.note }}\"
  - id: echo
    action: http.request
    input:
      url: \"{{ trigger.echo }}?access_token={{ secrets.vendor_key }}\"
      method: POST
      headers:
        Authorization: \"Bearer {{ secrets.vendor_key }}\"
        X-Api-Key: \"{{ secrets.vendor_key }}\"
      json:
        note: \"{{ steps.task.description }}\"
        key: \"{{ secrets.vendor_key }}\"
  - id: fail
    action: http.request
    input:
      url: \"{{ trigger.echo }}/fail\"
      headers:
        X-Api-Key: \"{{ secrets.vendor_key }}\"
    on_error: continue
  - id: elsewhere
    action: http.request
    input:
      url: \"{{ trigger.elsewhere }}\"
      headers:
        X-Api-Key: \"{{ secrets.vendor_key }}\"
    on_error: continue
  - id: into_wrike
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"the key is {{ secrets.vendor_key }}\"
    on_error: continue
  - id: after
    action: map
    input:
      copied: \"{{ steps.keep }}\"
      answer: \"{{ steps.echo.body }}\"
      err: \"{{ errors.fail }}\"
      elsewhere: \"{{ errors.elsewhere }}\"
      into_wrike: \"{{ errors.into_wrike }}\"
";

/// Another system that repeats what it was sent, secrets included, and fails saying so.
async fn echo_server() -> String {
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/echo",
            post(|headers: axum::http::HeaderMap, body: String| async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                axum::Json(json!({"youSent": body, "withAuth": auth, "token": auth}))
            }),
        )
        .route(
            "/echo/fail",
            axum::routing::get(|headers: axum::http::HeaderMap| async move {
                let key = headers
                    .get("x-api-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                (
                    axum::http::StatusCode::BAD_REQUEST,
                    format!("the key {key} is not accepted here"),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/echo", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Finding "secrets are stored and shown unredacted": secrets planted everywhere a recipe
/// can put them (keys that name secrets, URLs, headers, an answer that repeats them, an
/// error that repeats them, the connection's token pasted into a task, the trigger's own
/// secret) are found nowhere in the database, the API or the pages. On SQLite and
/// PostgreSQL. (The logs are searched by the test that starts the real binary.)
#[tokio::test]
async fn planted_secrets_are_stored_and_shown_nowhere() {
    for store in common::every_store("safety_secrets").await {
        let backend = store.backend().as_str();
        let w = world(store.clone()).await;
        let echo = echo_server().await;
        // Someone pasted the connection's token into a task's description.
        let created = w
            .sim_control(
                reqwest::Method::POST,
                &format!("accounts/{}/task_changes", w.account),
                json!({"action": "create", "folderId": "IEAAAAARI4AAAADO",
                       "params": {"title": "Integration notes",
                                  "description": format!("our token is {} (do not share)", w.wrike_token)}}),
            )
            .await;
        let task = created["id"].as_str().unwrap().to_owned();
        // An Analyst keeps the other system's key as a recipe secret, bound to its host.
        let plant = "planted-secret-7f3a9c21e5";
        let (status, body) = w
            .api(
                "analyst",
                reqwest::Method::PUT,
                "/api/v1/secrets/vendor_key",
                Some(json!({"value": plant, "hosts": ["127.0.0.1"]})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(!body.to_string().contains(plant), "{body}");
        let inbound = w.inbound(PLANTING, "planting").await;
        let run = w
            .fire(
                &inbound,
                json!({"taskId": task, "echo": echo, "elsewhere": "http://localhost:9/x",
                       "apiKey": plant, "note": format!("the hook secret is {}", inbound.1),
                       "password": plant, "credentials": {"k": plant}}),
            )
            .await;
        assert_eq!(run["run"]["status"], "succeeded", "{backend}: {run}");
        let run_id = run["run"]["id"]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap();
        let planted = [plant, w.wrike_token.as_str(), inbound.1.as_str()];
        let hook_key =
            String::from_utf8(weft_hub::recipes::inbound::key_of(&inbound.1).unwrap()).unwrap();
        let look = |place: &str, text: &str| {
            for secret in planted.iter().copied().chain([hook_key.as_str()]) {
                assert!(
                    !text.contains(secret),
                    "{backend}: {place} holds a planted secret ({secret}):\n{text}"
                );
            }
        };
        // The run did its work: the answer and the error are there, without the secrets.
        let steps = run["steps"].as_array().unwrap();
        let after = steps.iter().find(|s| s["stepId"] == "after").unwrap();
        assert!(
            after["output"]["err"]
                .as_str()
                .unwrap()
                .contains("is not accepted here"),
            "{run}"
        );
        assert!(
            after["output"]["copied"]["pasted"]
                .as_str()
                .unwrap()
                .contains("our token is [redacted]"),
            "{run}"
        );
        assert_eq!(after["output"]["copied"]["plain"], "[redacted]", "{run}");
        // The secret went where it may (the echo's host), and nowhere else.
        assert!(
            after["output"]["elsewhere"]
                .as_str()
                .unwrap()
                .contains("may be sent only to 127.0.0.1, not to localhost"),
            "{run}"
        );
        assert!(
            after["output"]["into_wrike"]
                .as_str()
                .unwrap()
                .contains("no place for it"),
            "{run}"
        );
        let (comments, n) = w
            .count(&format!("tasks/{task}/comments"), |c| {
                c["text"].as_str().is_some_and(|t| t.contains("the key is"))
            })
            .await;
        assert_eq!(n, 0, "{comments}");
        let (_, listed) = w
            .api("analyst", reqwest::Method::GET, "/api/v1/secrets", None)
            .await;
        assert_eq!(
            listed["items"][0]["usedBy"],
            json!(["planting"]),
            "{listed}"
        );
        look("the secrets list", &listed.to_string());
        // The connections page lists it, never its value, and sets another from its form.
        let analyst = w.members.iter().find(|m| m.username == "analyst").unwrap();
        let cookie = format!("weft_session={}", analyst.session);
        let page = w
            .http
            .get(format!("{}/connections", w.url))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("vendor_key") && page.contains("127.0.0.1"),
            "{page}"
        );
        look("the connections page", &page);
        let set = w
            .http
            .post(format!("{}/connections/secrets", w.url))
            .header("Cookie", &cookie)
            .form(&[
                ("csrf", analyst.csrf.as_str()),
                ("name", "other_key"),
                ("value", "another-planted-value-42"),
                ("hosts", "hooks.example.com, *.vendor.example"),
            ])
            .send()
            .await
            .unwrap();
        // Redirected back to the page (followed), which says so.
        assert_eq!(set.status().as_u16(), 200);
        assert!(set.url().query().unwrap_or_default().contains("other_key"));
        let (_, listed) = w
            .api("admin", reqwest::Method::GET, "/api/v1/secrets", None)
            .await;
        assert_eq!(
            listed["items"][0]["hosts"],
            json!(["hooks.example.com", "*.vendor.example"]),
            "{listed}"
        );
        assert!(!listed.to_string().contains("another-planted-value-42"));
        // The API, as an Operator sees it.
        look("the run's API answer", &run.to_string());
        let (_, listed) = w
            .api("operator", reqwest::Method::GET, "/api/v1/runs", None)
            .await;
        look("the runs list", &listed.to_string());
        let (_, jobs) = w
            .api(
                "operator",
                reqwest::Method::GET,
                "/api/v1/jobs?limit=200",
                None,
            )
            .await;
        look("the jobs", &jobs.to_string());
        // The run's page.
        let operator = w.members.iter().find(|m| m.username == "operator").unwrap();
        let page = w
            .http
            .get(format!("{}/runs/{run_id}", w.url))
            .header("Cookie", format!("weft_session={}", operator.session))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("planting"), "{html}");
        look("the run's page", &html);
        // Every table of the database.
        let dump = store.dump_text().await.unwrap();
        assert!(dump.contains("Integration notes") || dump.contains("planting"));
        look("the database", &dump);
    }
}

/// A "billion laughs" recipe file of under 700 bytes: aliases nine deep, ninefold each.
fn laughs(n: usize) -> Value {
    let mut text = format!(
        "name: laughs-{n}\nconnection: acme-analytics\ntrigger:\n  http: {{}}\nsteps:\n  - id: s\n    action: map\n    input:\n      x: 1\ntests:\n  - name: t\n    trigger:\n      a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    );
    let mut previous = "a".to_owned();
    for name in ["b", "c", "d", "e", "f", "g"] {
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("      {name}: &{name} [{refs}]\n"));
        previous = name.to_owned();
    }
    json!({"file": format!("laughs-{n}.yaml"), "source": text})
}

/// Finding "parsing recipe files stalls the server": fifty hostile files in a request are
/// each refused by the parser's alias limit, a request may carry at most 200 files, and the
/// hub answers `/healthz` while several such requests are parsed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_recipe_files_are_refused_without_holding_the_server() {
    let w = world(common::store("safety_parse").await).await;
    let fifty: Vec<Value> = (0..50).map(laughs).collect();
    let check = |files: Vec<Value>| {
        let request = w
            .http
            .post(format!("{}/api/v1/recipes/check", w.url))
            .bearer_auth(w.token("analyst"))
            .json(&json!({ "files": files }));
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    // On a machine busy with the other tests, parsing fifty may outlast the request's
    // budget (a refusal too, tested below); asked again, each file's own refusal shows.
    let mut answer = check(fifty.clone()).await;
    for _ in 0..4 {
        let over_budget = answer.0 == 400
            && answer.1["error"]
                .as_str()
                .is_some_and(|e| e.contains("took longer than"));
        if !over_budget {
            break;
        }
        answer = check(fifty.clone()).await;
    }
    let (status, body) = answer;
    if status == 400 {
        // Still past the budget: refused all the same, and the server held (below).
        assert!(
            body["error"].as_str().unwrap().contains("took longer than"),
            "{body}"
        );
        eprintln!("the machine was too busy to parse fifty files within the budget");
    } else {
        assert_eq!(status, 422, "{body}");
        let problems = body["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 50, "{body}");
        assert!(
            problems
                .iter()
                .all(|p| p.to_string().contains("alias replay limit")),
            "{body}"
        );
    }
    let many: Vec<Value> = (0..201).map(laughs).collect();
    let (status, body) = check(many).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("at most 200"),
        "{body}"
    );
    // Three requests of fifty at once, and the hub's health answered meanwhile.
    let busy = tokio::spawn({
        let requests = [check(fifty.clone()), check(fifty.clone()), check(fifty)];
        async move { futures_all(requests).await }
    });
    let health = w
        .http
        .get(format!("{}/healthz", w.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    // Each is refused: parsed and found hostile, or, on a machine too busy to parse 150
    // files within the request's budget, stopped at the budget. Neither holds the server.
    for (status, body) in busy.await.unwrap() {
        let over_budget = status == 400
            && body["error"]
                .as_str()
                .is_some_and(|e| e.contains("took longer than"));
        assert!(status == 422 || over_budget, "{status}: {body}");
    }
}

/// Awaits three futures together.
async fn futures_all<F: std::future::Future>(fs: [F; 3]) -> [F::Output; 3] {
    let [a, b, c] = fs;
    let (a, b, c) = tokio::join!(a, b, c);
    [a, b, c]
}
