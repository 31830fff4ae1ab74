//! Two `weft serve` processes on one PostgreSQL database, used as a load balancer would use
//! them: a session signed in on one is honoured by the other, an OAuth consent begun on one
//! is finished by the other, a recipe's inbound call is taken by either, and when the
//! instance running a recipe is killed (SIGKILL) mid-run the other finishes the run once;
//! likewise a usage sync killed mid-way is finished by the other, every audit record once;
//! a single sign-on begun on one is finished by the other.
//! Both share one public URL (the balancer's), one database and one secrets key.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

use std::process::Child;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::json;
use weft_store::{RunFilter, Store};

mod common;
#[path = "oidc/provider.rs"]
mod provider;
use common::{
    Browser, Instance, accept_consent, add_user, call_trigger, delayed_endpoint, finish_consent,
    free_port, no_redirects, recipe_endpoint, sign_in, spawn, start_consent, text,
};

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

/// Kills (SIGKILL) whichever serving instance holds the lease `owner` names (a worker's
/// name holds its process id).
fn kill_owner(owner: &str, serves: [&mut Option<Child>; 2]) {
    for serve in serves {
        if serve
            .as_ref()
            .is_some_and(|c| owner.contains(&format!("-{}-", c.id())))
        {
            let mut child = serve.take().unwrap();
            child.kill().unwrap();
            child.wait().unwrap();
            return;
        }
    }
    panic!("no serving instance holds the lease of {owner}");
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
    // Single sign-on too, when the provider's packages are installed (required by CI).
    let sso = provider::Provider::start(&format!("{public}/sso/callback"));
    let issuer = sso.as_ref().map(|p| p.issuer.clone()).unwrap_or_default();
    let mut shared: Vec<(&str, &str)> = vec![
        ("WEFT_DATABASE_URL", &database),
        ("WEFT_PUBLIC_URL", &public),
        ("WEFT_OAUTH_CLIENT_ID", &client_id),
        ("WEFT_OAUTH_CLIENT_SECRET", &client_secret),
        ("WEFT_OAUTH_LOGIN_BASE", &login_base),
        ("WEFT_ALLOW_ANY_WRIKE_HOST", "true"),
        ("WEFT_RECIPE_HTTP_ALLOW", "127.0.0.1"),
        ("WEFT_PROBE_INTERVAL_SECONDS", "3600"),
        ("WEFT_JOB_LEASE_SECONDS", "2"),
        // A sync's lease outlives its job's: the job is taken over while the dead
        // instance's sync still holds the connection, and waits for that lease to run out.
        ("WEFT_SYNC_LEASE_SECONDS", "8"),
        // Ten calls a second: a backfill lasts long enough to be killed mid-way.
        ("WEFT_WRIKE_REQUESTS_PER_MINUTE", "600"),
        ("WEFT_LOG", "info"),
    ];
    if sso.is_some() {
        shared.extend([
            ("WEFT_SSO_ISSUER", issuer.as_str()),
            ("WEFT_SSO_CLIENT_ID", "weft"),
            ("WEFT_SSO_CLIENT_SECRET", provider::CLIENT_SECRET),
            ("WEFT_SSO_ADMIN_VALUES", "weft-admins"),
            ("WEFT_SSO_CREATE_USERS", "true"),
        ]);
    }
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
    add_user(&a, "ada", "admin", "a long enough password");

    let mut serve_a: Option<Child> = Some(spawn(&a, &["serve"], "serve.log"));
    let mut serve_b: Option<Child> = Some(spawn(&b, &["serve"], "serve.log"));
    let http = no_redirects();
    ready(&http, &base_a, &a, "serve.log").await;
    ready(&http, &base_b, &b, "serve.log").await;

    // Signed in on A, the session works on B.
    let session = sign_in(&http, &base_a, "ada", "a long enough password").await;
    let on_b = http
        .get(format!("{base_b}/connections"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 200, "the session signed in on A works on B");

    // A single sign-on begun on B comes back, through the balancer, to A, which finishes
    // it; that session works on B too.
    if sso.is_some() {
        let mut browser = Browser::new();
        let (status, url, page) = browser.sso(&base_b, "alice").await;
        assert_eq!(status, 200, "{page}");
        assert!(url.starts_with(&public), "{url}");
        assert!(
            browser.callback().starts_with(&public),
            "{:?}",
            browser.visited
        );
        let on_b = http
            .get(format!("{base_b}/team"))
            .header("cookie", browser.session(&base_b).expect("a session"))
            .send()
            .await
            .unwrap();
        assert_eq!(on_b.status(), 200, "the Admin's session from A works on B");
    }

    // The consent begun on B comes back, through the balancer, to A, which finishes it.
    let consent = start_consent(&http, &base_b, &session, "acme-oauth", "write_work").await;
    let callback = accept_consent(&http, &sim, &consent).await;
    assert!(callback.starts_with(&public), "{callback}");
    finish_consent(&http, &callback, &session).await;
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
    let (path, secret) = recipe_endpoint(&a, "wait-then-comment", &public);
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
    let (quick_url, _) = delayed_endpoint(Duration::ZERO).await;
    let event = json!({"taskId": task, "waitUrl": quick_url, "note": "via B"});
    call_trigger(&http, &format!("{base_b}{path}"), &secret, &event).await;
    let runs = settled(&store, [&a, &b], 1).await;
    assert_eq!(runs[0].status.as_str(), "succeeded", "{runs:?}");
    assert_eq!(comments(&sim, &task, "via B"), 1);

    // A call delivered to A; whichever instance runs it is killed mid-step, and the other
    // finishes the run once its lease runs out: one comment.
    let (slow_url, slow_calls) = delayed_endpoint(Duration::from_secs(3)).await;
    let event = json!({"taskId": task, "waitUrl": slow_url, "note": "after a kill"});
    call_trigger(&http, &format!("{base_a}{path}"), &secret, &event).await;
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
    kill_owner(&owner, [&mut serve_a, &mut serve_b]);
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
    kill_owner(&owner, [&mut serve_a, &mut serve_b]);
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
