//! The simulator on the wire, checked with a plain HTTP client: parameter encodings the
//! client never uses but other Wrike clients do, and the exact shapes of errors.

use reqwest::StatusCode;
use serde_json::{Value, json};
use wrike_sim::{Listen, RunningSim, SimConfig};

async fn start(seed: u64) -> RunningSim {
    wrike_sim::start(
        SimConfig {
            seed,
            users: 30,
            // These tests send requests back to back; the per-second limit (6 a second at
            // 400 a minute) is tested in wrike-api's resilience and fidelity tests.
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap()
}

async fn token(sim: &RunningSim, scopes: &[&str]) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"scopes": scopes}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["accessToken"].as_str().unwrap().to_owned()
}

/// `method` on `api/path` with a form body, as `token`: the status and the JSON answer.
async fn send_form(
    api: String,
    token: String,
    method: reqwest::Method,
    path: String,
    form: Vec<(&'static str, String)>,
) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .request(method, format!("{api}/{path}"))
        .bearer_auth(&token)
        .form(&form)
        .send()
        .await
        .unwrap();
    (
        answer.status().as_u16(),
        answer.json::<Value>().await.unwrap(),
    )
}

/// The folder tree as listed, and the id of a plain folder (not a space's) in it.
async fn plain_folder(api: &str, token: &str) -> (Value, String) {
    let (_, _, folders) = call(reqwest::Method::GET, format!("{api}/folders"), token).await;
    let folder = folders["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["scope"] == "WsFolder" && f.get("space").is_none())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (folders, folder)
}

async fn call(method: reqwest::Method, url: String, token: &str) -> (StatusCode, String, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn credentials_are_checked_before_routing_with_wrikes_messages() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let (status, content_type, body) = call(reqwest::Method::GET, format!("{api}/tasks"), "").await;
    assert_eq!(status, 401);
    assert_eq!(body["errorDescription"], "Authorization method unknown");
    assert!(
        content_type.starts_with("text/plain"),
        "401 on a real route is text/plain: {content_type}"
    );
    let (status, content_type, body) = call(
        reqwest::Method::GET,
        format!("{api}/no_such_thing"),
        "bogus",
    )
    .await;
    assert_eq!(
        status, 401,
        "a bad token on an unknown path is 401, not 404"
    );
    assert_eq!(
        body,
        json!({"errorDescription": "Access token is unknown or invalid", "error": "not_authorized"})
    );
    assert!(content_type.starts_with("application/json"));
    let good = token(&sim, &["Default"]).await;
    let (status, _, body) = call(reqwest::Method::GET, format!("{api}/no_such_thing"), &good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("method_not_found"))
    );
    // `access_token` in the query works too.
    let (status, _, _) = call(
        reqwest::Method::GET,
        format!("{api}/version?access_token={good}"),
        "",
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn parameters_arrive_as_query_form_or_json_and_bare_lists_work() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let http = reqwest::Client::new();
    let (_, folder) = plain_folder(&api, &token).await;

    // Query string on a POST (as WrikePy sends it).
    let r: Value = http
        .post(format!(
            "{api}/folders/{folder}/tasks?title=From%20query&importance=High"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"][0]["title"], "From query");
    assert_eq!(r["data"][0]["importance"], "High");
    // JSON body (as py-wrike-v4 sends it), with a real JSON array.
    let r: Value = http.post(format!("{api}/folders/{folder}/tasks")).bearer_auth(&token).json(&json!({"title": "From JSON", "status": "Deferred", "metadata": [{"key": "k", "value": "v"}]})).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["data"][0]["status"], "Deferred");
    assert_eq!(r["data"][0]["metadata"][0]["value"], "v");
    // Form body with JSON text values.
    let task = r["data"][0]["id"].as_str().unwrap().to_owned();
    let r: Value = http
        .put(format!("{api}/tasks/{task}"))
        .bearer_auth(&token)
        .form(&[
            ("title", "Renamed"),
            ("metadata", r#"[{"key":"k","value":null}]"#),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"][0]["title"], "Renamed");
    assert_eq!(
        r["data"][0]["metadata"],
        json!([]),
        "a null value deletes metadata"
    );
    // Method override: GET with method=DELETE.
    let r: Value = http
        .get(format!("{api}/tasks/{task}?method=DELETE"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"][0]["scope"], "RbTask");
    // Bare bracket lists and quoted JSON lists are the same thing.
    let bare: Value = http
        .get(format!(
            "{api}/tasks?status=[Active,Completed]&fields=[description]"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let quoted: Value = http
        .get(format!(
            "{api}/tasks?status=[\"Active\",\"Completed\"]&fields=[\"description\"]"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bare, quoted);
    assert!(
        bare["data"][0].get("description").is_some(),
        "opt-in field returned when asked for"
    );
}

#[tokio::test]
async fn bad_parameters_are_named_in_the_error() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let (status, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/contacts?firstName=Ada"),
        &token,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    assert!(
        body["errorDescription"]
            .as_str()
            .unwrap()
            .contains("firstName")
    );
    let (_, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/tasks?status=[Sleeping]"),
        &token,
    )
    .await;
    assert_eq!(body["error"], "invalid_parameter");
    assert!(
        body["errorDescription"]
            .as_str()
            .unwrap()
            .contains("Sleeping")
    );
    let (_, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/tasks?updatedDate={{not json"),
        &token,
    )
    .await;
    assert_eq!(body["error"], "invalid_parameter");
    let ids: Vec<String> = (0..101).map(|i| format!("IEAAAAARKQAAA{i:03}")).collect();
    let (status, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/tasks/{}", ids.join(",")),
        &token,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["errorDescription"]
            .as_str()
            .unwrap()
            .contains("at most 100")
    );
    let (_, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/tasks?pageSize=2&nextPageToken=garbage"),
        &token,
    )
    .await;
    assert_eq!(body["error"], "invalid_parameter");

    // A follow-up page sends the first request's parameters again with the token; one that
    // drops them is refused, naming what it dropped.
    let first = format!("{api}/tasks?status=[Active]&sortField=Title&pageSize=2");
    let (_, _, page) = call(reqwest::Method::GET, first.clone(), &token).await;
    let next = page["nextPageToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{page}"))
        .to_owned();
    let (status, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/tasks?nextPageToken={next}"),
        &token,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let said = body["errorDescription"].as_str().unwrap();
    assert!(
        said.contains("status") && said.contains("sortField"),
        "{said}"
    );
    let (status, _, body) = call(
        reqwest::Method::GET,
        format!("{first}&nextPageToken={next}"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(
        body["data"][0]["id"], page["data"][0]["id"],
        "the next page"
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_world() {
    let (a, b, c) = (start(7).await, start(7).await, start(8).await);
    let snapshot = |sim: &RunningSim| {
        let world = sim.sim.read();
        let account = &world.accounts[0];
        (
            account
                .users
                .iter()
                .map(|u| (u.id().to_owned(), u.email()))
                .collect::<Vec<_>>(),
            account.audit.len(),
            account
                .tasks
                .iter()
                .map(|t| t.title.clone())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(snapshot(&a), snapshot(&b));
    assert_ne!(snapshot(&a), snapshot(&c));
}

#[tokio::test]
async fn generated_users_show_every_habit_the_analytics_must_find() {
    let sim = wrike_sim::start(
        SimConfig {
            users: 200,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap();
    let world = sim.sim.read();
    let account = &world.accounts[0];
    let now = sim.sim.clock.now();
    let last_seen = |id: &str| {
        account
            .audit
            .iter()
            .rev()
            .find(|r| r.user_id.as_deref() == Some(id) && r.operation.is_login())
            .map(|r| (now - r.event_date).num_days())
    };
    let people: Vec<Option<i64>> = account
        .users
        .iter()
        .filter(|u| u.is_active())
        .map(|u| last_seen(u.id()))
        .collect();
    let count = |lo: i64, hi: i64| {
        people
            .iter()
            .filter(|d| d.is_some_and(|d| d >= lo && d < hi))
            .count()
    };
    assert!(count(0, 7) > 50, "many active users");
    assert!(
        count(30, 60) > 0 && count(60, 90) > 0 && count(90, 400) > 0,
        "idle for 30, 60 and 90+ days"
    );
    assert!(people.iter().any(Option::is_none), "some never logged in");
    assert!(
        account
            .users
            .iter()
            .any(|u| u.profile().active == Some(false) && !u.contact.deleted),
        "some deactivated"
    );
    assert!(
        account.users.iter().any(|u| u.contact.deleted),
        "some deleted"
    );
    assert!(
        account
            .users
            .iter()
            .any(|u| u.profile().external && u.contact.company_name.is_some()),
        "externals with companies"
    );
}

#[tokio::test]
async fn control_api_refuses_bad_input_and_changes_nothing() {
    let sim = start(1).await;
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let account = sim.sim.read().accounts[0].id().to_owned();
    let before = sim.sim.read().accounts[0].audit.len();
    let r = http.post(format!("{base}/_sim/accounts/{account}/audit_events")).json(&json!([{"operation": "UserLoggedIn", "userId": sim.sim.read().accounts[0].owner().id()}, {"operation": "UserLoggedIn", "userId": "KUNOBODY"}])).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("event 1: no user KUNOBODY")
    );
    assert_eq!(
        sim.sim.read().accounts[0].audit.len(),
        before,
        "a bad batch appends nothing"
    );
    let r = http
        .post(format!("{base}/_sim/accounts/{account}/plan"))
        .json(&json!({"plan": "Platinum"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(format!("{base}/_sim/tokens"))
        .json(&json!({"scopes": ["wsEverything"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(format!("{base}/_sim/clock"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(format!("{base}/_sim/accounts/{account}/task_changes"))
        .json(&json!({"action": "update", "taskId": "NOPE", "params": {"status": "Completed"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn moving_folders_and_assigning_tasks_keep_both_sides_in_step() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let http = reqwest::Client::new();
    let get = |url: String| {
        let (http, token) = (http.clone(), token.clone());
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let tree = get(format!("{api}/folders")).await;
    let spaces: Vec<String> = tree["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["space"] == true)
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    let made: Value = http
        .post(format!("{api}/folders/{}/folders", spaces[0]))
        .bearer_auth(&token)
        .form(&[("title", "Moving")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let folder = made["data"][0]["id"].as_str().unwrap().to_owned();
    let moved: Value = http
        .put(format!("{api}/folders/{folder}"))
        .bearer_auth(&token)
        .form(&[
            ("addParents", format!("[\"{}\"]", spaces[1])),
            ("removeParents", format!("[\"{}\"]", spaces[0])),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["data"][0]["parentIds"], json!([spaces[1]]));
    let both = get(format!("{api}/folders/{},{}", spaces[0], spaces[1])).await;
    assert!(
        !both["data"][0]["childIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == &json!(folder)),
        "left the old parent"
    );
    assert!(
        both["data"][1]["childIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == &json!(folder)),
        "listed by the new parent"
    );

    let me = get(format!("{api}/contacts?me=true")).await["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let task: Value = http
        .post(format!("{api}/folders/{folder}/tasks"))
        .bearer_auth(&token)
        .form(&[("title", "Assign me")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = task["data"][0]["id"].as_str().unwrap().to_owned();
    let assigned: Value = http
        .put(format!("{api}/tasks/{task}"))
        .bearer_auth(&token)
        .form(&[("addResponsibles", format!("[\"{me}\"]"))])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(assigned["data"][0]["responsibleIds"], json!([me]));
    let mine = get(format!(
        "{api}/tasks?responsibles=[\"{me}\"]&fields=[\"responsibleIds\"]"
    ))
    .await;
    assert!(
        mine["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == json!(task))
    );
    let unassigned: Value = http
        .put(format!("{api}/tasks/{task}"))
        .bearer_auth(&token)
        .form(&[("removeResponsibles", format!("[\"{me}\"]"))])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unassigned["data"][0]["responsibleIds"], json!([]));
}

// Task dates come back as Wrike stores them (the repository's task_create.json sample: given
// start 2019-02-18 and due 2019-02-25, Wrike answers Planned, 09:00 and 17:00, 2880 minutes);
// the listing's default order is the most recently updated first; subtasks join a folder's
// listing only with subTasks=true; timelog filters are evaluated, not ignored.
#[tokio::test]
async fn dates_order_subtasks_and_timelog_filters_behave_as_wrike_does() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        let (http, token) = (http.clone(), token.clone());
        async move {
            let answer: Value = http
                .post(path)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer
        }
    };
    let (folders, folder) = plain_folder(&api, &token).await;

    let sample: Value = serde_json::from_str(include_str!(
        "../../wrike-api/tests/samples/task_create.json"
    ))
    .unwrap();
    let created = post(
        format!("{api}/folders/{folder}/tasks"),
        json!({"title": "Planned", "dates": {"start": "2019-02-18", "due": "2019-02-25"}}),
    )
    .await;
    assert_eq!(created["data"][0]["dates"], sample["data"][0]["dates"]);
    let thursday = post(
        format!("{api}/folders/{folder}/tasks"),
        json!({"title": "From a start and a duration", "dates": {"start": "2019-02-18", "duration": 1920}}),
    )
    .await;
    assert_eq!(thursday["data"][0]["dates"]["due"], "2019-02-21T17:00:00");
    let backlog = post(
        format!("{api}/folders/{folder}/tasks"),
        json!({"title": "Backlog", "dates": {"type": "Backlog"}}),
    )
    .await;
    assert_eq!(backlog["data"][0]["dates"], json!({"type": "Backlog"}));
    let backwards = post(
        format!("{api}/folders/{folder}/tasks"),
        json!({"title": "Backwards", "dates": {"start": "2019-02-25", "due": "2019-02-18"}}),
    )
    .await;
    assert_eq!(backwards["error"], "invalid_parameter", "{backwards}");

    // The newest change first when no sort is asked for.
    let (_, _, listed) = call(reqwest::Method::GET, format!("{api}/tasks"), &token).await;
    let updated: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["updatedDate"].as_str().unwrap())
        .collect();
    assert!(updated.windows(2).all(|w| w[0] >= w[1]), "{updated:?}");
    assert_eq!(listed["data"][0]["title"], "Backlog");

    // A subtask outside the folder (in the account's root).
    let parent = created["data"][0]["id"].as_str().unwrap().to_owned();
    let root = folders["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["scope"] == "WsRoot")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = post(
        format!("{api}/folders/{root}/tasks"),
        json!({"title": "A subtask", "superTasks": [parent]}),
    )
    .await;
    let sub = sub["data"][0]["id"].as_str().expect("a subtask").to_owned();
    let ids_in = |answer: &Value| -> Vec<String> {
        answer["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, _, plain) = call(
        reqwest::Method::GET,
        format!("{api}/folders/{folder}/tasks"),
        &token,
    )
    .await;
    assert!(!ids_in(&plain).contains(&sub));
    let (_, _, with_subtasks) = call(
        reqwest::Method::GET,
        format!("{api}/folders/{folder}/tasks?subTasks=true"),
        &token,
    )
    .await;
    assert!(ids_in(&with_subtasks).contains(&sub));

    // Timelogs: a tracked-date range and `me` filter the task's and the account's listings.
    for (day, hours) in [("2019-02-18", 1), ("2019-02-20", 2)] {
        let logged = post(
            format!("{api}/tasks/{parent}/timelogs"),
            json!({"hours": hours, "trackedDate": day, "comment": "work"}),
        )
        .await;
        assert_eq!(logged["kind"], "timelogs", "{logged}");
    }
    for path in [format!("tasks/{parent}/timelogs"), "timelogs".to_owned()] {
        let (_, _, in_range) = call(
            reqwest::Method::GET,
            format!("{api}/{path}?trackedDate={{\"start\":\"2019-02-19\",\"end\":\"2019-02-21\"}}&me=true"),
            &token,
        )
        .await;
        let days: Vec<&str> = in_range["data"]
            .as_array()
            .unwrap_or_else(|| panic!("{in_range}"))
            .iter()
            .map(|t| t["trackedDate"].as_str().unwrap())
            .collect();
        assert_eq!(days, ["2019-02-20"], "{path}");
    }
}

// Audit records as Wrike sends them: `details` always present, an object (empty or not), and
// ids of 23 characters.
#[tokio::test]
async fn audit_records_always_carry_details_and_wrike_length_ids() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default", "amReadOnlyAuditLog"]).await;
    let (status, _, body) = call(
        reqwest::Method::GET,
        format!("{api}/audit_log?pageSize=500"),
        &token,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let records = body["data"].as_array().unwrap();
    assert!(records.len() > 100);
    let mut empty = 0;
    for record in records {
        assert_eq!(record["id"].as_str().unwrap().len(), 23, "{record}");
        let details = record["details"]
            .as_object()
            .unwrap_or_else(|| panic!("{record}"));
        empty += usize::from(details.is_empty());
    }
    assert!(
        empty > 0,
        "records without details still carry an empty object"
    );
}

// Dependencies between tasks, shaped as the repository's dependencies sample, kept in step
// with each task's dependencyIds.
#[tokio::test]
async fn dependencies_are_created_listed_changed_and_deleted() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let (before, after) = {
        let world = sim.sim.read();
        let tasks = &world.accounts[0].tasks;
        (tasks[0].id.clone(), tasks[1].id.clone())
    };
    let send = |method: reqwest::Method, path: String, form: Vec<(&'static str, String)>| {
        send_form(api.clone(), token.clone(), method, path, form)
    };
    let (status, made) = send(
        reqwest::Method::POST,
        format!("tasks/{after}/dependencies"),
        vec![("predecessorId", before.clone())],
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let sample: Value = serde_json::from_str(include_str!(
        "../../wrike-api/tests/samples/dependencies_list.json"
    ))
    .unwrap();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let dependency = &made["data"][0];
    assert_eq!(keys(dependency), keys(&sample["data"][0]), "{dependency}");
    assert_eq!(dependency["relationType"], "FinishToStart");
    assert_eq!(dependency["predecessorId"], before.as_str());
    let id = dependency["id"].as_str().unwrap().to_owned();

    for task in [&before, &after] {
        let (_, listed) = send(
            reqwest::Method::GET,
            format!("tasks/{task}/dependencies"),
            vec![],
        )
        .await;
        assert_eq!(listed["data"][0]["id"], id.as_str());
        let (_, shown) = send(reqwest::Method::GET, format!("tasks/{task}"), vec![]).await;
        assert_eq!(shown["data"][0]["dependencyIds"], json!([id]), "{shown}");
    }
    let (status, bad) = send(
        reqwest::Method::PUT,
        format!("dependencies/{id}"),
        vec![("relationType", "Sideways".into())],
    )
    .await;
    assert_eq!(
        (status, bad["error"].as_str()),
        (400, Some("invalid_parameter"))
    );
    let (_, changed) = send(
        reqwest::Method::PUT,
        format!("dependencies/{id}"),
        vec![("relationType", "StartToStart".into())],
    )
    .await;
    assert_eq!(changed["data"][0]["relationType"], "StartToStart");
    let (status, _) = send(
        reqwest::Method::POST,
        format!("tasks/{after}/dependencies"),
        vec![
            ("predecessorId", before.clone()),
            ("successorId", before.clone()),
        ],
    )
    .await;
    assert_eq!(status, 400, "one side only");
    let (status, _) = send(
        reqwest::Method::DELETE,
        format!("dependencies/{id}"),
        vec![],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(reqwest::Method::GET, format!("dependencies/{id}"), vec![]).await;
    assert_eq!(status, 404);
    let (_, shown) = send(reqwest::Method::GET, format!("tasks/{before}"), vec![]).await;
    assert_eq!(shown["data"][0]["dependencyIds"], json!([]));
}

// Groups are created, given and relieved of members, renamed and deleted by admins with the
// group-writing scope, shaped as the repository's group_create sample, each change audited.
#[tokio::test]
async fn admins_manage_groups_and_each_change_is_audited() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default", "amReadWriteGroup", "amReadOnlyAuditLog"]).await;
    let reader = token_for_scopes(&sim, &["amReadOnlyGroup"]).await;
    let (member, someone) = {
        let world = sim.sim.read();
        let users = &world.accounts[0].users;
        let plain = users
            .iter()
            .find(|u| !u.is_admin() && u.profile().active == Some(true) && !u.contact.deleted)
            .unwrap();
        (users[1].id().to_owned(), plain.id().to_owned())
    };
    let send = |method: reqwest::Method,
                path: String,
                token: String,
                form: Vec<(&'static str, String)>| {
        send_form(api.clone(), token, method, path, form)
    };
    let (status, _) = send(
        reqwest::Method::POST,
        "groups".into(),
        reader.clone(),
        vec![("title", "Nope".into())],
    )
    .await;
    assert_eq!(status, 403, "reading groups is not writing them");
    let (status, made) = send(
        reqwest::Method::POST,
        "groups".into(),
        token.clone(),
        vec![
            ("title", "Finance".into()),
            ("members", format!("[\"{member}\"]")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let sample: Value = serde_json::from_str(include_str!(
        "../../wrike-api/tests/samples/group_create.json"
    ))
    .unwrap();
    let group = &made["data"][0];
    for key in sample["data"][0]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "avatarUrl" && *k != "metadata")
    {
        assert!(group.get(key).is_some(), "{key} missing: {group}");
    }
    assert_eq!(group["memberIds"], json!([member]));
    let id = group["id"].as_str().unwrap().to_owned();
    let (_, changed) = send(
        reqwest::Method::PUT,
        format!("groups/{id}"),
        token.clone(),
        vec![
            ("title", "Finance team".into()),
            ("addMembers", format!("[\"{someone}\"]")),
            ("removeMembers", format!("[\"{member}\"]")),
        ],
    )
    .await;
    assert_eq!(changed["data"][0]["title"], "Finance team");
    assert_eq!(changed["data"][0]["memberIds"], json!([someone]));
    let (status, bad) = send(
        reqwest::Method::PUT,
        format!("groups/{id}"),
        token.clone(),
        vec![("addMembers", "[\"KUNOBODY\"]".into())],
    )
    .await;
    assert_eq!(status, 400, "{bad}");
    let (status, _) = send(
        reqwest::Method::DELETE,
        format!("groups/{id}"),
        token.clone(),
        vec![],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(
        reqwest::Method::GET,
        format!("groups/{id}"),
        token.clone(),
        vec![],
    )
    .await;
    assert_eq!(status, 404);
    let operations: Vec<String> = sim.sim.read().accounts[0]
        .audit
        .iter()
        .filter(|r| r.object_id.as_deref() == Some(id.as_str()))
        .map(|r| r.operation.as_str().to_owned())
        .collect();
    assert_eq!(
        operations,
        [
            "GroupCreated",
            "GroupRenamed",
            "GroupMemberAdded",
            "GroupMemberRemoved",
            "GroupDeleted"
        ]
    );
}

/// A token of a user who is not an admin, with `scopes`.
async fn token_for_scopes(sim: &RunningSim, scopes: &[&str]) -> String {
    let user = sim.sim.read().accounts[0]
        .users
        .iter()
        .find(|u| !u.is_admin() && u.profile().active == Some(true) && !u.contact.deleted)
        .unwrap()
        .id()
        .to_owned();
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"userId": user, "scopes": scopes}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["accessToken"].as_str().unwrap().to_owned()
}

// Timelog categories: listed (hidden ones too), required to be in use when a timelog names
// one, and filtering the listings.
#[tokio::test]
async fn timelog_categories_are_listed_checked_and_filter_timelogs() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let task = sim.sim.read().accounts[0].tasks[0].id.clone();
    let http = reqwest::Client::new();
    let (_, _, listed) = call(
        reqwest::Method::GET,
        format!("{api}/timelog_categories"),
        &token,
    )
    .await;
    assert_eq!(listed["kind"], "timelogCategories");
    let categories = listed["data"].as_array().unwrap();
    let shown = categories.iter().find(|c| c["hidden"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hidden = categories.iter().find(|c| c["hidden"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let log = |category: String| {
        let (http, token, url) = (
            http.clone(),
            token.clone(),
            format!("{api}/tasks/{task}/timelogs"),
        );
        async move {
            let answer = http
                .post(url)
                .bearer_auth(&token)
                .form(&[
                    ("hours", "1"),
                    ("trackedDate", "2026-11-02"),
                    ("comment", "c"),
                    ("categoryId", category.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (
                answer.status().as_u16(),
                answer.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, made) = log(shown.clone()).await;
    assert_eq!(status, 200, "{made}");
    let (status, refused) = log(hidden).await;
    assert_eq!(status, 400, "{refused}");
    for url in [
        format!("{api}/timelogs?timelogCategories=[{shown}]"),
        format!("{api}/timelog_categories/{shown}/timelogs"),
    ] {
        let (_, _, found) = call(reqwest::Method::GET, url.clone(), &token).await;
        assert_eq!(
            found["data"].as_array().map(Vec::len),
            Some(1),
            "{url}: {found}"
        );
    }
    let (_, _, none) = call(
        reqwest::Method::GET,
        format!("{api}/timelogs?timelogCategories=[OTHER]"),
        &token,
    )
    .await;
    assert_eq!(none["data"], json!([]));
}

// A folder copied with what is under it: at once, shaped as the folder_copy sample, or as an
// async job that is in progress when first asked and names the copy when done.
#[tokio::test]
async fn folders_are_copied_at_once_or_as_an_async_job() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let (source, root, under) = {
        let world = sim.sim.read();
        let account = &world.accounts[0];
        let root = account
            .folders
            .iter()
            .find(|f| f.scope == wrike_api::models::TreeScope::WsRoot)
            .unwrap()
            .id
            .clone();
        // A folder with tasks in it.
        let source = account
            .folders
            .iter()
            .filter(|f| f.scope == wrike_api::models::TreeScope::WsFolder)
            .find(|f| {
                account
                    .tasks
                    .iter()
                    .any(|t| t.parent_ids.iter().flatten().any(|p| p == &f.id))
            })
            .unwrap();
        let under = account
            .tasks
            .iter()
            .filter(|t| t.parent_ids.iter().flatten().any(|p| p == &source.id))
            .count();
        (source.id.clone(), root, under)
    };
    let post = |path: String, form: Vec<(&'static str, String)>| {
        send_form(
            api.clone(),
            token.clone(),
            reqwest::Method::POST,
            path,
            form,
        )
    };
    let (status, copied) = post(
        format!("copy_folder/{source}"),
        vec![
            ("parent", root.clone()),
            ("title", "Copy".into()),
            ("titlePrefix", "[Copy] ".into()),
            ("copyResponsibles", "false".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{copied}");
    assert_eq!(copied["kind"], "folders");
    let sample: Value = serde_json::from_str(include_str!(
        "../../wrike-api/tests/samples/folder_copy.json"
    ))
    .unwrap();
    for key in sample["data"][0].as_object().unwrap().keys() {
        assert!(
            copied["data"][0].get(key).is_some(),
            "{key} missing: {copied}"
        );
    }
    let copy_id = copied["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(copied["data"][0]["title"], "Copy");
    assert_eq!(copied["data"][0]["parentIds"], json!([root]));
    {
        let world = sim.sim.read();
        let tasks: Vec<_> = world.accounts[0]
            .tasks
            .iter()
            .filter(|t| t.parent_ids.iter().flatten().any(|p| p == &copy_id))
            .collect();
        assert_eq!(tasks.len(), under, "every task under the folder is copied");
        assert!(tasks.iter().all(|t| t.title.starts_with("[Copy] ")));
        assert!(
            tasks
                .iter()
                .all(|t| t.responsible_ids.as_ref().is_some_and(Vec::is_empty))
        );
    }
    let (status, refused) = post(
        format!("copy_folder/{source}"),
        vec![("parent", source.clone()), ("title", "Loop".into())],
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let (status, refused) = post(
        format!("copy_folder/{source}"),
        vec![
            ("parent", root.clone()),
            ("title", "Big".into()),
            ("entryLimit", "1".into()),
        ],
    )
    .await;
    assert_eq!(status, 400, "{refused}");

    let (status, job) = post(
        format!("copy_folder_async/{source}"),
        vec![("parent", root.clone()), ("title", "Later".into())],
    )
    .await;
    assert_eq!(status, 200, "{job}");
    let job = job["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, _, first) = call(
        reqwest::Method::GET,
        format!("{api}/async_job/{job}"),
        &token,
    )
    .await;
    assert_eq!(first["data"][0]["status"], "InProgress", "{first}");
    assert!(first["data"][0].get("result").is_none());
    let (_, _, done) = call(
        reqwest::Method::GET,
        format!("{api}/async_job/{job}"),
        &token,
    )
    .await;
    assert_eq!(done["data"][0]["status"], "Completed", "{done}");
    let folder = done["data"][0]["result"]["folderId"].as_str().unwrap();
    let (_, _, made) = call(
        reqwest::Method::GET,
        format!("{api}/folders/{folder}"),
        &token,
    )
    .await;
    assert_eq!(made["data"][0]["title"], "Later");
}

// Approvals: created on a task or a folder, decided (through the control API, as people do in
// Wrike's interface), settled as Wrike settles them, listed by status and approver, paged,
// changed and cancelled.
#[tokio::test]
async fn approvals_are_asked_decided_listed_and_cancelled() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let (task, folder, alice, bob) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        let people: Vec<String> = a
            .users
            .iter()
            .filter(|u| u.profile().active == Some(true) && !u.contact.deleted)
            .map(|u| u.id().to_owned())
            .take(2)
            .collect();
        let folder = a
            .folders
            .iter()
            .find(|f| f.scope == wrike_api::models::TreeScope::WsFolder)
            .unwrap()
            .id
            .clone();
        (
            a.tasks[0].id.clone(),
            folder,
            people[0].clone(),
            people[1].clone(),
        )
    };
    let send = |method: reqwest::Method, path: String, form: Vec<(&'static str, String)>| {
        send_form(api.clone(), token.clone(), method, path, form)
    };
    let decide = |id: String, who: String, status: &'static str| {
        let (http, base) = (reqwest::Client::new(), sim.base_url());
        async move {
            http.post(format!("{base}/_sim/approvals/{id}/decisions"))
                .json(&json!({"approverId": who, "status": status, "comment": "ok"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let approvers = format!("[\"{alice}\",\"{bob}\"]");
    let (status, made) = send(
        reqwest::Method::POST,
        format!("tasks/{task}/approvals"),
        vec![
            ("approvers", approvers.clone()),
            ("dueDate", "2026-12-24".into()),
            ("description", "Sign off".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let approval = &made["data"][0];
    assert_eq!(approval["status"], "Pending");
    assert_eq!(approval["taskId"], task.as_str());
    assert_eq!(approval["decisions"].as_array().unwrap().len(), 2);
    let id = approval["id"].as_str().unwrap().to_owned();
    let (status, _) = send(
        reqwest::Method::POST,
        format!("tasks/{task}/approvals"),
        vec![],
    )
    .await;
    assert_eq!(status, 400, "approvers are required");

    let (_, waiting) = send(
        reqwest::Method::GET,
        format!("approvals?pendingApprovers=[\"{bob}\"]"),
        vec![],
    )
    .await;
    assert_eq!(waiting["data"][0]["id"], id.as_str());
    assert_eq!(decide(id.clone(), alice.clone(), "Approved").await, 200);
    let (_, one) = send(reqwest::Method::GET, format!("approvals/{id}"), vec![]).await;
    assert_eq!(
        one["data"][0]["status"], "Pending",
        "one of two approved: {one}"
    );
    assert_eq!(decide(id.clone(), bob.clone(), "Rejected").await, 200);
    let (_, settled) = send(reqwest::Method::GET, format!("approvals/{id}"), vec![]).await;
    assert_eq!(settled["data"][0]["status"], "Rejected");
    assert_eq!(settled["data"][0]["finished"], true);
    assert_eq!(
        decide(id.clone(), bob.clone(), "Approved").await,
        400,
        "finished"
    );
    let (status, _) = send(
        reqwest::Method::PUT,
        format!("approvals/{id}"),
        vec![("description", "late".into())],
    )
    .await;
    assert_eq!(status, 400, "a finished approval does not change");

    // A second one on a folder, changed, then cancelled; listings by status, paged.
    let (_, other) = send(
        reqwest::Method::POST,
        format!("folders/{folder}/approvals"),
        vec![("approvers", format!("[\"{alice}\"]"))],
    )
    .await;
    let other = other["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, changed) = send(
        reqwest::Method::PUT,
        format!("approvals/{other}"),
        vec![
            ("addApprovers", format!("[\"{bob}\"]")),
            ("dueDate", "2027-01-05".into()),
        ],
    )
    .await;
    assert_eq!(changed["data"][0]["decisions"].as_array().unwrap().len(), 2);
    assert_eq!(changed["data"][0]["dueDate"], "2027-01-05");
    let (_, first) = send(reqwest::Method::GET, "approvals?pageSize=1".into(), vec![]).await;
    let next = first["nextPageToken"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let (_, second) = send(
        reqwest::Method::GET,
        format!("approvals?pageSize=1&nextPageToken={next}"),
        vec![],
    )
    .await;
    assert_ne!(first["data"][0]["id"], second["data"][0]["id"]);
    let (_, cancelled) = send(
        reqwest::Method::DELETE,
        format!("approvals/{other}"),
        vec![],
    )
    .await;
    assert_eq!(cancelled["data"][0]["status"], "Cancelled");
    let (_, listed) = send(
        reqwest::Method::GET,
        "approvals?statuses=[Cancelled]".into(),
        vec![],
    )
    .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["folderId"], folder.as_str());
    let (status, _) = send(
        reqwest::Method::GET,
        "approvals?statuses=[Maybe]".into(),
        vec![],
    )
    .await;
    assert_eq!(status, 400);
}

// A custom field made and changed, shaped as the repository's customfields_list sample;
// reading scopes may list them but not make them; bad types and settings are named.
#[tokio::test]
async fn custom_fields_are_created_and_changed_as_the_sample_shows_them() {
    let sim = start(1).await;
    let api = sim.api_url(0);
    let token = token(&sim, &["Default"]).await;
    let reader = token_for_scopes(&sim, &["wsReadOnly"]).await;
    let send =
        |method: reqwest::Method, path: &str, token: &str, form: Vec<(&'static str, String)>| {
            send_form(api.clone(), token.to_owned(), method, path.to_owned(), form)
        };
    let (status, _) = send(
        reqwest::Method::POST,
        "customfields",
        &reader,
        vec![("title", "Nope".into()), ("type", "Text".into())],
    )
    .await;
    assert_eq!(status, 403, "reading the workspace is not changing it");
    let (status, made) = send(
        reqwest::Method::POST,
        "customfields",
        &token,
        vec![("title", "Region".into()), ("type", "Text".into())],
    )
    .await;
    assert_eq!(status, 200, "{made}");
    assert_eq!(made["kind"], "customfields");
    let sample: Value = serde_json::from_str(include_str!(
        "../../wrike-api/tests/samples/customfields_list.json"
    ))
    .unwrap();
    let field = &made["data"][0];
    for key in sample["data"][0].as_object().unwrap().keys() {
        assert!(field.get(key).is_some(), "{key} missing: {field}");
    }
    assert_eq!(field["settings"]["inheritanceType"], "All");
    let id = field["id"].as_str().unwrap().to_owned();
    let (status, changed) = send(
        reqwest::Method::PUT,
        &format!("customfields/{id}"),
        &token,
        vec![
            ("title", "Sales region".into()),
            ("settings", r#"{"aggregation": "None"}"#.into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["data"][0]["title"], "Sales region");
    assert_eq!(changed["data"][0]["settings"]["aggregation"], "None");
    assert_eq!(
        changed["data"][0]["settings"]["inheritanceType"], "All",
        "settings are merged"
    );
    for (form, named) in [
        (
            vec![("title", "X".into()), ("type", "Hologram".into())],
            "type",
        ),
        (
            vec![
                ("title", "X".into()),
                ("type", "Text".into()),
                ("settings", "[1]".into()),
            ],
            "settings",
        ),
        (vec![("type", "Text".into())], "title"),
    ] {
        let (status, refused) = send(reqwest::Method::POST, "customfields", &token, form).await;
        assert_eq!(status, 400, "{refused}");
        assert!(refused.to_string().contains(named), "{named}: {refused}");
    }
}
