//! The recipe engine tried from outside, as an Analyst would try it, against the real
//! `weft serve` over the simulator, on SQLite and on PostgreSQL: the connection's token
//! never reaches another host, users cannot be changed, a run cannot take the hub down (nor
//! its memory), and planted secrets are found in neither the database, the API nor the
//! logs. The CLI prints nothing from Wrike that drives a terminal.

use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{Instance, api_token, sim_and_hub, spawn, text};

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
";

const DEACTIVATE: &str = "\
name: deactivate
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: off
    action: wrike.update_user
    input:
      id: \"{{ trigger.userId }}\"
      active: false
";

const BIG_THEN_MANY: &str = "\
name: big-then-many
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: big
    action: map
    input:
      s: \"{{ 'x' * 700000 }}\"
  - id: many
    action: map
    for_each: \"{{ trigger.items }}\"
    input:
      copy: \"{{ steps.big.s }}\"
";

const PLANTING: &str = "\
name: planting
connection: acme-analytics
trigger:
  http: {}
steps:
  - id: echo
    action: http.request
    input:
      url: \"{{ trigger.echo }}?access_token={{ secrets.vendor_key }}\"
      method: POST
      headers:
        Authorization: \"Bearer {{ secrets.vendor_key }}\"
      json:
        note: \"{{ trigger.note }}\"
  - id: keep
    action: map
    input:
      answer: \"{{ steps.echo.body }}\"
      key: \"{{ secrets.vendor_key }}\"
      note: \"{{ trigger.note }}\"
";

/// A listener that counts the connections it accepts.
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

/// Another system that repeats what it was sent, its headers included.
async fn echo() -> String {
    let app = axum::Router::new().route(
        "/echo",
        axum::routing::post(|headers: axum::http::HeaderMap, body: String| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            axum::Json(json!({"youSent": body, "auth": auth}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/echo", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

struct Hub {
    instance: Instance,
    public: String,
    serve: Child,
    analyst: String,
    admin: String,
    http: reqwest::Client,
}

impl Hub {
    async fn api(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.public))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.unwrap();
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn apply_and_start(&self, token: &str, source: &str, name: &str) -> (String, String) {
        let (status, body) = self
            .api(
                token,
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(json!({"files": [{"file": "r.yaml", "source": source}]})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = self
            .api(
                token,
                reqwest::Method::POST,
                &format!("/api/v1/recipes/{name}/start"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        // `show` prints the endpoint and its secret.
        let out = self.instance.run(&["recipes", "show", name]);
        let line = text(&out)
            .lines()
            .find(|l| l.trim_start().starts_with("endpoint"))
            .unwrap_or_else(|| panic!("{}", text(&out)))
            .to_owned();
        let path = line
            .split_whitespace()
            .nth(1)
            .unwrap()
            .trim_start_matches(&self.public)
            .to_owned();
        let secret = line
            .rsplit("secret ")
            .next()
            .unwrap()
            .trim_end_matches(')')
            .to_owned();
        (path, secret)
    }

    /// Calls an inbound endpoint, signed, and waits for the run it starts to end.
    async fn fire(&self, (path, secret): &(String, String), body: Value) -> Value {
        let body = body.to_string();
        let mut request = self
            .http
            .post(format!("{}{path}", self.public))
            .body(body.clone());
        let id = format!("call-{}", fastrand::u64(..));
        let now = chrono::Utc::now().timestamp();
        for (k, v) in weft_hub::recipes::inbound::signed_headers(secret, &id, now, body.as_bytes())
        {
            request = request.header(k, v);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 202);
        let run: Value = answer.json().await.unwrap();
        let id: i64 = run["runId"].as_str().unwrap().parse().unwrap();
        let started = Instant::now();
        loop {
            let (_, run) = self
                .api(
                    &self.analyst,
                    reqwest::Method::GET,
                    &format!("/api/v1/runs/{id}"),
                    None,
                )
                .await;
            if matches!(
                run["run"]["status"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            ) {
                return run;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "run {id} did not end: {run}\n{}",
                self.instance.log("serve.log")
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The serving process's peak resident memory, in MiB (Linux).
    fn peak_mib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.serve.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024)
    }
}

/// The CLI prints Wrike's data (a person's name here) without what would drive a
/// terminal: escape sequences, a window title, a bidirectional override.
async fn cli_prints_wrike_data_safely(instance: &Instance, sim: &wrike_sim::RunningSim) {
    let account = sim.sim.read().accounts[0].id().to_owned();
    reqwest::Client::new()
        .post(format!("{}/_sim/accounts/{account}/people", sim.base_url()))
        .json(&json!({"firstName": "\u{1b}[31mMallory\u{1b}[0m", "lastName": "\u{1b}]0;owned\u{7}Evil\u{202e}",
                      "email": "mallory@acme.example", "activity": []}))
        .send()
        .await
        .unwrap();
    let out = instance.run(&["sync", "acme-analytics"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = instance.run(&["usage", "users", "acme-analytics", "--q", "mallory"]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(printed.contains("Mallory"), "{printed}");
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{7}') && !printed.contains('\u{202e}'),
        "{printed:?}"
    );
}

/// The simulator and a hub serving over it (see `common::sim_and_hub`), with an Analyst's
/// and an Admin's API tokens; on `database` when given, else its own SQLite file.
async fn hub_over(name: &str, database: Option<String>) -> (wrike_sim::RunningSim, Hub) {
    let mut settings = vec![
        ("WEFT_LOG", "debug".to_owned()),
        // A mail server the hub never reaches here: its password is a secret it holds.
        (
            "WEFT_SMTP_URL",
            "smtp://weft:smtp-password-5e6f7a8b@127.0.0.1:9".to_owned(),
        ),
        ("WEFT_EMAIL_FROM", "weft@acme.example".to_owned()),
    ];
    if let Some(url) = database {
        settings.push(("WEFT_DATABASE_URL", url));
    }
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (sim, instance, public) = sim_and_hub(
        name,
        &settings,
        json!({"scopes": ["Default", "amReadWriteUser"]}),
    )
    .await;
    let analyst = api_token(&instance, "ana", "analyst");
    let admin = api_token(&instance, "ada", "admin");
    cli_prints_wrike_data_safely(&instance, &sim).await;
    let serve = spawn(&instance, &["serve"], "serve.log");
    let http = reqwest::Client::new();
    let started = Instant::now();
    while http.get(format!("{public}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not start: {}",
            instance.log("serve.log")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let hub = Hub {
        instance,
        public,
        serve,
        analyst,
        admin,
        http,
    };
    (sim, hub)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_cannot_take_the_token_change_users_or_take_the_hub_down() {
    let mut databases = vec![("sqlite", None)];
    if let Some(url) = weft_store::testing::postgres_url() {
        let schema = weft_store::testing::postgres_schema_url(&url, "bin_safety")
            .await
            .unwrap();
        databases.push(("postgres", Some(schema)));
    }
    for (backend, database) in databases {
        let (_sim, mut hub) = hub_over(&format!("safety-{backend}"), database.clone()).await;

        // The token: every hostile path fails its step; the trap is never reached.
        let (port, hits) = trap().await;
        let raw = hub
            .apply_and_start(&hub.analyst, RAW_CALL, "raw-call")
            .await;
        for path in [
            format!(r"\\127.0.0.1:{port}/x"),
            format!(r"http:\\127.0.0.1:{port}/x"),
            "/%2e%2e/%2e%2e/x".to_owned(),
            format!("//127.0.0.1:{port}/x"),
            format!("@127.0.0.1:{port}/x"),
        ] {
            let run = hub.fire(&raw, json!({"method": "GET", "path": path})).await;
            assert_eq!(run["run"]["status"], "failed", "{backend}: {path}: {run}");
        }
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "{backend}: the trap was reached"
        );

        // Users: the Analyst may not apply a recipe that changes them.
        let (status, body) = hub
            .api(
                &hub.analyst,
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(json!({"files": [{"file": "r.yaml", "source": DEACTIVATE}]})),
            )
            .await;
        assert_eq!(status, 403, "{backend}: {body}");

        // The hub's memory: a 700 kB value copied into 20,000 items, then into 500.
        let bomb = hub
            .apply_and_start(&hub.analyst, BIG_THEN_MANY, "big-then-many")
            .await;
        let items: Vec<u32> = (0..20_000).collect();
        let run = hub.fire(&bomb, json!({"items": items})).await;
        assert!(
            run["run"]["error"]
                .as_str()
                .unwrap()
                .contains("recipe_max_items"),
            "{backend}: {run}"
        );
        let items: Vec<u32> = (0..500).collect();
        let run = hub.fire(&bomb, json!({"items": items})).await;
        assert!(
            run["run"]["error"]
                .as_str()
                .unwrap()
                .contains("recipe_max_step_bytes"),
            "{backend}: {run}"
        );
        let health = hub
            .http
            .get(format!("{}/healthz", hub.public))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status().as_u16(), 200, "{backend}");
        if let Some(peak) = hub.peak_mib() {
            eprintln!("{backend}: the hub's peak memory after the bombs: {peak} MiB");
            // Before the bounds, this run took the hub past 1.5 GB.
            assert!(peak < 600, "{backend}: the hub peaked at {peak} MiB");
        }

        // Secrets: the other system's key, the SMTP password and the trigger's own secret,
        // planted in every way a recipe can, are found in no store, answer or log.
        let echo = echo().await;
        let plant = "vendor-key-planted-91c0ffee";
        let (status, body) = hub
            .api(
                &hub.analyst,
                reqwest::Method::PUT,
                "/api/v1/secrets/vendor_key",
                Some(json!({"value": plant, "hosts": ["127.0.0.1"]})),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        let planting = hub
            .apply_and_start(&hub.analyst, PLANTING, "planting")
            .await;
        let note = format!(
            "smtp-password-5e6f7a8b and {} and Bearer {plant}",
            planting.1
        );
        let run = hub
            .fire(
                &planting,
                json!({"echo": echo, "note": note, "password": plant}),
            )
            .await;
        assert_eq!(run["run"]["status"], "succeeded", "{backend}: {run}");
        let planted = [plant, "smtp-password-5e6f7a8b", planting.1.as_str()];
        let look = |place: &str, text: &str| {
            for secret in planted {
                assert!(!text.contains(secret), "{backend}: {place} holds {secret}");
            }
        };
        look("the run", &run.to_string());
        let (_, runs) = hub
            .api(
                &hub.admin,
                reqwest::Method::GET,
                "/api/v1/runs?limit=1000",
                None,
            )
            .await;
        look("the runs", &runs.to_string());
        let (_, jobs) = hub
            .api(
                &hub.admin,
                reqwest::Method::GET,
                "/api/v1/jobs?limit=1000",
                None,
            )
            .await;
        look("the jobs", &jobs.to_string());
        let (_, trail) = hub
            .api(
                &hub.admin,
                reqwest::Method::GET,
                "/api/v1/audit-trail?limit=1000",
                None,
            )
            .await;
        look("the trail", &trail.to_string());
        let database_url = database
            .clone()
            .unwrap_or_else(|| hub.instance.database_url());
        let store = weft_store::Store::open(&database_url).await.unwrap();
        look("the database", &store.dump_text().await.unwrap());
        if database.is_none() {
            for file in ["weft.db", "weft.db-wal"] {
                let bytes = std::fs::read(hub.instance.dir.join(file)).unwrap_or_default();
                look(file, &String::from_utf8_lossy(&bytes));
            }
        }
        hub.serve.kill().unwrap();
        hub.serve.wait().unwrap();
        let log = hub.instance.log("serve.log");
        assert!(
            log.contains("DEBUG") || log.contains("INFO"),
            "{backend}: {log}"
        );
        look("the log", &log);
    }
}
