//! Two `weft serve` processes on one PostgreSQL database, used as a load balancer would use
//! them: a session signed in on one is honoured by the other, an OAuth consent begun on one
//! is finished by the other, a recipe's inbound call is taken by either, and when the
//! instance running a recipe is killed (SIGKILL) mid-run the other finishes the run once;
//! likewise a usage sync killed mid-way is finished by the other, every audit record once.
//! Both share one public URL (the balancer's), one database and one secrets key.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use serde_json::json;
use weft_store::{RunFilter, Store};

mod common;
use common::{Instance, spawn, text};

const RECIPE: &str = "\
name: wait-then-comment
connection: acme-oauth
trigger:
  http: {}
steps:
  - id: wait
    action: http.request
    input:
      url: \"{{ trigger.waitUrl }}\"
      method: POST
      json: {task: \"{{ trigger.taskId }}\"}
  - id: note
    action: wrike.create_comment
    input:
      task: \"{{ trigger.taskId }}\"
      text: \"{{ trigger.note }}\"
";

/// A loopback endpoint answering after `delay`, counting the calls that reached it.
async fn endpoint(delay: Duration) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = Router::new().route(
        "/wait",
        post(move || {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                axum::Json(json!({"ok": true}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wait", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
        .unwrap_or_else(|| panic!("no cookie {name}"))
}

fn form_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn signed_call(secret: &str, body: &str) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    let id = format!("call-{}", fastrand::u64(..));
    let now = chrono::Utc::now().timestamp();
    for (name, value) in
        weft_hub::recipes::inbound::signed_headers(secret, &id, now, body.as_bytes())
    {
        headers.insert(name, value.parse().unwrap());
    }
    headers
}

async fn ready(http: &reqwest::Client, base: &str, hub: &Instance, log: &str) {
    let started = Instant::now();
    loop {
        if let Ok(answer) = http.get(format!("{base}/readyz")).send().await
            && answer.status() == 200
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{base} not ready: {}",
            hub.log(log)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn pairs(s: &[(String, String)]) -> Vec<(&str, &str)> {
    s.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The latest runs, once `want` of them have finished.
async fn settled(store: &Store, hubs: [&Instance; 2], want: usize) -> Vec<weft_store::Run> {
    let started = Instant::now();
    loop {
        let runs = store
            .recipes()
            .runs(&RunFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        if runs.iter().filter(|r| r.status.is_final()).count() >= want {
            return runs;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{runs:?}\nA: {}\nB: {}",
            hubs[0].log("serve.log"),
            hubs[1].log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The comments on `task` in the simulated Wrike with `text`.
fn comments(sim: &wrike_sim::RunningSim, task: &str, text: &str) -> usize {
    sim.sim.read().accounts[0]
        .comments
        .iter()
        .filter(|c| c.task_id.as_deref() == Some(task) && c.text.contains(text))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_serve_as_one_hub() {
    let Some(pg) = weft_store::testing::postgres_url() else {
        return;
    };
    let database = weft_store::testing::postgres_schema_url(&pg, "instances")
        .await
        .unwrap();
    let sim = common::sim_of(150).await;
    let (port_a, port_b) = (free_port(), free_port());
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    // The balancer's address is the public URL of both; here it is A's.
    let public = base_a.clone();
    let (client_id, client_secret) = {
        let mut world = sim.sim.write();
        let app = world.apps.first_mut().unwrap();
        app.redirect_uris = vec![format!("{public}/connections/oauth/callback")];
        (app.client_id.clone(), app.client_secret.clone())
    };
    let login_base = sim.base_url();
    let shared: Vec<(&str, &str)> = vec![
        ("WEFT_DATABASE_URL", &database),
        ("WEFT_PUBLIC_URL", &public),
        ("WEFT_OAUTH_CLIENT_ID", &client_id),
        ("WEFT_OAUTH_CLIENT_SECRET", &client_secret),
        ("WEFT_OAUTH_LOGIN_BASE", &login_base),
        ("WEFT_ALLOW_ANY_WRIKE_HOST", "true"),
        ("WEFT_RECIPE_HTTP_ALLOW", "127.0.0.1"),
        ("WEFT_PROBE_INTERVAL_SECONDS", "3600"),
        ("WEFT_JOB_LEASE_SECONDS", "2"),
        ("WEFT_SYNC_LEASE_SECONDS", "2"),
        // Ten calls a second: a backfill lasts long enough to be killed mid-way.
        ("WEFT_WRIKE_REQUESTS_PER_MINUTE", "600"),
        ("WEFT_LOG", "info"),
    ];
    let settings = |port: u16| -> Vec<(String, String)> {
        let listen = format!("127.0.0.1:{port}");
        shared
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("WEFT_LISTEN".to_owned(), listen)])
            .collect()
    };
    let (settings_a, settings_b) = (settings(port_a), settings(port_b));
    let a = Instance::new("instances-a", &pairs(&settings_a));
    let b = Instance::new("instances-b", &pairs(&settings_b)).with_key(a.key());
    let added = a
        .command(&["users", "add", "--username", "ada", "--role", "admin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"a long enough password\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(added.status.success(), "{}", text(&added));

    let mut serve_a: Option<Child> = Some(spawn(&a, &["serve"], "serve.log"));
    let mut serve_b: Option<Child> = Some(spawn(&b, &["serve"], "serve.log"));
    let http = no_redirects();
    ready(&http, &base_a, &a, "serve.log").await;
    ready(&http, &base_b, &b, "serve.log").await;

    // Signed in on A, the session works on B.
    let page = http.get(format!("{base_a}/login")).send().await.unwrap();
    let login_cookie = set_cookie(&page, "weft_login");
    let html = page.text().await.unwrap();
    let signed_in = http
        .post(format!("{base_a}/login"))
        .header("cookie", format!("weft_login={login_cookie}"))
        .form(&[
            ("login_csrf", form_field(&html, "login_csrf").as_str()),
            ("next", "/"),
            ("username", "ada"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let session = format!("weft_session={}", set_cookie(&signed_in, "weft_session"));
    let on_b = http
        .get(format!("{base_b}/connections"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 200, "the session signed in on A works on B");
    let csrf = form_field(&on_b.text().await.unwrap(), "csrf");

    // The consent begun on B comes back, through the balancer, to A, which finishes it.
    let start = http
        .post(format!("{base_b}/connections/oauth/start"))
        .header("cookie", &session)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&name=acme-oauth&feature=write_work"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.status(),
        303,
        "{}",
        start.text().await.unwrap_or_default()
    );
    let consent = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let mut form: Vec<(String, String)> = consent.query_pairs().into_owned().collect();
    let (account, integration) = {
        let world = sim.sim.read();
        let account = &world.accounts[0];
        (
            account.id().to_owned(),
            account.integration_user().unwrap().id().to_owned(),
        )
    };
    form.push(("user".into(), format!("{account}|{integration}")));
    form.push(("decision".into(), "accept".into()));
    let back = http
        .post(format!("{}/oauth2/authorize/v4/decision", sim.base_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    assert!(callback.starts_with(&public), "{callback}");
    let done = http
        .get(&callback)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        303,
        "{}",
        done.text().await.unwrap_or_default()
    );
    let checked = b.run(&["connections", "check", "acme-oauth"]);
    assert!(checked.status.success(), "{}", text(&checked));

    // A recipe on that connection, applied once for both.
    let recipes = a.dir.join("recipes");
    std::fs::create_dir_all(&recipes).unwrap();
    std::fs::write(recipes.join("wait.yaml"), RECIPE).unwrap();
    for args in [
        &["recipes", "apply", recipes.to_str().unwrap()][..],
        &["recipes", "start", "wait-then-comment"],
    ] {
        let out = a.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let shown = text(&a.run(&["recipes", "show", "wait-then-comment"]));
    let line = shown
        .lines()
        .find(|l| l.contains("endpoint"))
        .unwrap_or_else(|| panic!("{shown}"));
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_start_matches(&public)
        .to_owned();
    let secret = line
        .rsplit("secret ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_owned();
    let task = {
        let world = sim.sim.read();
        world.accounts[0]
            .tasks
            .iter()
            .find(|t| t.scope == wrike_api::models::TreeScope::WsTask)
            .unwrap()
            .id
            .clone()
    };
    let store = Store::open(&database).await.unwrap();
    // A call delivered to B runs.
    let (quick_url, _) = endpoint(Duration::ZERO).await;
    let body = json!({"taskId": task, "waitUrl": quick_url, "note": "via B"}).to_string();
    let answer = http
        .post(format!("{base_b}{path}"))
        .headers(signed_call(&secret, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202, "{}", answer.text().await.unwrap());
    let runs = settled(&store, [&a, &b], 1).await;
    assert_eq!(runs[0].status.as_str(), "succeeded", "{runs:?}");
    assert_eq!(comments(&sim, &task, "via B"), 1);

    // A call delivered to A; whichever instance runs it is killed mid-step, and the other
    // finishes the run once its lease runs out: one comment.
    let (slow_url, slow_calls) = endpoint(Duration::from_secs(3)).await;
    let body = json!({"taskId": task, "waitUrl": slow_url, "note": "after a kill"}).to_string();
    let answer = http
        .post(format!("{base_a}{path}"))
        .headers(signed_call(&secret, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202, "{}", answer.text().await.unwrap());
    let started = Instant::now();
    while slow_calls.load(Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the slow step never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let owner = store
        .jobs()
        .list(&weft_store::JobFilter {
            status: Some(weft_store::JobStatus::Running),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .find_map(|j| j.lease_owner)
        .expect("a running job with its owner");
    let pid_of = |child: &Option<Child>| child.as_ref().map(|c| c.id()).unwrap();
    let (a_pid, b_pid) = (pid_of(&serve_a), pid_of(&serve_b));
    let killed = if owner.contains(&format!("-{a_pid}-")) {
        &mut serve_a
    } else {
        assert!(owner.contains(&format!("-{b_pid}-")), "{owner}");
        &mut serve_b
    };
    let mut child = killed.take().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let runs = settled(&store, [&a, &b], 2).await;
    assert!(
        runs.iter().all(|r| r.status.as_str() == "succeeded"),
        "{runs:?}"
    );
    assert_eq!(comments(&sim, &task, "after a kill"), 1);

    // The killed instance comes back; a sync asked of B is killed mid-way on whichever
    // instance runs it, and the other finishes it: every audit record of the window once.
    let (restarted, log) = if serve_a.is_none() {
        (&a, "serve-2.log")
    } else {
        (&b, "serve-2.log")
    };
    let child = spawn(restarted, &["serve"], log);
    if serve_a.is_none() {
        serve_a = Some(child);
    } else {
        serve_b = Some(child);
    }
    ready(&http, &base_a, &a, "serve.log").await;
    ready(&http, &base_b, &b, "serve.log").await;
    let token_request = common::integration_token_request(&sim, &["Default", "amReadOnlyAuditLog"]);
    common::connect(&a, &sim, "acme-usage", token_request).await;
    let api = common::api_token(&a, "otto", "admin");
    let asked = http
        .post(format!("{base_b}/api/v1/usage/connections/acme-usage/sync"))
        .bearer_auth(&api)
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202, "{}", asked.text().await.unwrap());
    let job: i64 = asked.json::<serde_json::Value>().await.unwrap()["jobId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let connection = store
        .connections()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "acme-usage")
        .unwrap();
    let started = Instant::now();
    let owner = loop {
        let running = store.jobs().get(job).await.unwrap().unwrap();
        let stored = store.usage().audit_count(&connection.id).await.unwrap();
        if running.status == weft_store::JobStatus::Running && stored > 0 {
            break running.lease_owner.unwrap();
        }
        assert!(
            running.status != weft_store::JobStatus::Succeeded,
            "the sync ended before it could be killed: {running:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the sync never started: {running:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (a_pid, b_pid) = (pid_of(&serve_a), pid_of(&serve_b));
    let killed = if owner.contains(&format!("-{a_pid}-")) {
        &mut serve_a
    } else {
        assert!(owner.contains(&format!("-{b_pid}-")), "{owner}");
        &mut serve_b
    };
    let mut child = killed.take().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let started = Instant::now();
    let finished = loop {
        let now = store.jobs().get(job).await.unwrap().unwrap();
        if now.status == weft_store::JobStatus::Succeeded {
            break now;
        }
        assert!(
            !matches!(
                now.status,
                weft_store::JobStatus::Dead | weft_store::JobStatus::Cancelled
            ),
            "{now:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the sync was not finished by the other instance: {now:?}\nA: {}\nB: {}",
            a.log("serve.log"),
            b.log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_ne!(finished.lease_owner.as_deref(), Some(owner.as_str()));
    let since = chrono::Utc::now().timestamp() - 183 * 86_400;
    let expected = sim.sim.read().accounts[0]
        .audit
        .iter()
        .filter(|r| r.event_date.timestamp() >= since)
        .count() as i64;
    assert_eq!(
        store.usage().audit_count(&connection.id).await.unwrap(),
        expected
    );

    for child in [serve_a.take(), serve_b.take()].into_iter().flatten() {
        let mut child = child;
        child.kill().unwrap();
        child.wait().unwrap();
    }
    for hub in [&a, &b] {
        assert!(
            !hub.log("serve.log").contains("panicked"),
            "{}",
            hub.log("serve.log")
        );
    }
}
