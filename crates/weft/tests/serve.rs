//! The real `weft serve`, started from a `weft.toml` (alert webhook, probe interval, an
//! https public URL for its cookies), serving, alerting, and stopping cleanly on SIGTERM; a
//! secrets key that cannot open the database refused by `serve` and the CLI, and rotated;
//! settings out of range refused by name; the team and its tokens from the command line.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{accept_consent, finish_consent, no_redirects, sign_in, start_consent};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("weft-serve-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn weft(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(args)
            .current_dir(&self.0)
            .env_remove("RUST_BACKTRACE")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn sim() -> wrike_sim::RunningSim {
    wrike_sim::start(
        wrike_sim::SimConfig {
            users: 20,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap()
}

async fn integration_token(sim: &wrike_sim::RunningSim) -> (String, String) {
    let user = sim.sim.read().accounts[0]
        .integration_user()
        .unwrap()
        .id()
        .to_owned();
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"userId": user}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (answer["accessToken"].as_str().unwrap().to_owned(), user)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weft_serve_from_a_toml_file_serves_alerts_and_stops_cleanly_on_sigterm() {
    let sim = sim().await;
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let alerts = format!("http://{}/alerts", receiver.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/alerts",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(v) }
        }),
    );
    tokio::spawn(async move { axum::serve(receiver, app).await.unwrap() });

    let dir = Dir::new("toml");
    std::fs::write(
        dir.0.join("weft.toml"),
        format!(
            "database_url = \"sqlite://weft-data/weft.db\"\n\
             listen = \"127.0.0.1:0\"\n\
             public_url = \"https://hub.example.com\"\n\
             probe_interval_seconds = 1\n\
             transient_alert_after_seconds = 60\n\
             alert_webhook_url = \"{alerts}\"\n\
             allow_any_wrike_host = true\n"
        ),
    )
    .unwrap();
    let key = "cd".repeat(32);
    let env = [("WEFT_SECRET_KEY", key.as_str())];
    let (token, user) = integration_token(&sim).await;
    let added = dir.weft(
        &[
            "connections",
            "add",
            "--name",
            "acme",
            "--data-center",
            &sim.api_url(0),
        ],
        &env,
        &format!("{token}\n"),
    );
    assert!(added.status.success(), "{}", text(&added));

    let mut serve = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("serve")
        .current_dir(&dir.0)
        .env("WEFT_SECRET_KEY", &key)
        .env("WEFT_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log: Arc<Mutex<String>> = Arc::default();
    let (lines, sink) = (BufReader::new(serve.stderr.take().unwrap()), log.clone());
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let started = Instant::now();
    let address = loop {
        let seen = log.lock().unwrap().clone();
        if let Some(at) = seen.find("listen=") {
            break seen[at + 7..].split_whitespace().next().unwrap().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not start: {seen}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let base = format!("http://{address}");
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    // Ready: the database answers at the current schema, the key opens it, the background
    // tasks run. A database another (newer) weft has migrated further makes it unready,
    // saying so, until that is undone.
    let ready = || async {
        let answer = reqwest::get(format!("{base}/readyz")).await.unwrap();
        (
            answer.status().as_u16(),
            answer.json::<Value>().await.unwrap(),
        )
    };
    let (status, readiness) = ready().await;
    assert_eq!(status, 200, "{readiness:#}");
    let names: Vec<&str> = readiness["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["database", "schema", "key", "runtime"],
        "{readiness:#}"
    );
    assert!(
        readiness["checks"][3]["detail"]
            .as_str()
            .unwrap()
            .contains("job worker"),
        "{readiness:#}"
    );
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.0.join("weft-data/weft.db").display()
    ))
    .await
    .unwrap();
    let newer = "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (99990101000000, 'from a newer weft', CURRENT_TIMESTAMP, 1, x'00', 0)";
    sqlx::query(newer).execute(&db).await.unwrap();
    let (status, readiness) = ready().await;
    assert_eq!(status, 503, "{readiness:#}");
    assert_eq!(readiness["ready"], false);
    assert_eq!(readiness["checks"][1]["ok"], false);
    assert!(
        readiness["checks"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("newer than this weft knows"),
        "{readiness:#}"
    );
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 99990101000000")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(ready().await.0, 200);
    // public_url is https: the cookies are Secure and __Host- named, and HSTS is on.
    let login = reqwest::get(format!("{base}/login")).await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-weft_login=") && cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(login.headers().contains_key("strict-transport-security"));

    // Probes every second: the password change alerts at the configured webhook.
    reqwest::Client::new()
        .post(format!("{}/_sim/users/{user}/password", sim.base_url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    while received.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no alert arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received.lock().unwrap()[0]["class"], "token_rejected");

    // SIGTERM: the server and the runtime stop, and the process exits cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = serve.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit: {}", log.lock().unwrap());
    let seen = log.lock().unwrap().clone();
    assert!(
        seen.contains("shutting down") && seen.contains("runtime stopped"),
        "{seen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secrets_key_is_refused_and_a_key_can_be_rotated() {
    let sim = sim().await;
    let dir = Dir::new("keys");
    let (old, new) = ("ab".repeat(32), "ef".repeat(32));
    let with = |key: &str| {
        vec![
            ("WEFT_SECRET_KEY", key.to_owned()),
            ("WEFT_ALLOW_ANY_WRIKE_HOST", "true".to_owned()),
        ]
    };
    let env =
        |pairs: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { pairs.clone() };
    let run = |args: &[&str], key: &str, stdin: &str| {
        let pairs = env(&with(key));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        dir.weft(args, &borrowed, stdin)
    };
    let (token, _) = integration_token(&sim).await;
    let added = run(
        &[
            "connections",
            "add",
            "--name",
            "acme",
            "--data-center",
            &sim.api_url(0),
        ],
        &old,
        &format!("{token}\n"),
    );
    assert!(added.status.success(), "{}", text(&added));

    // Another key: the CLI and serve refuse to start, naming the problem.
    for args in [vec!["connections", "check"], vec!["serve"]] {
        let out = run(&args, &new, "");
        assert!(!out.status.success(), "{args:?} started with the wrong key");
        assert!(
            text(&out).contains("not the key this database's secrets were sealed with"),
            "{args:?}: {}",
            text(&out)
        );
    }
    // Rotation: the old key given once, on stdin; the new key from the settings.
    let wrong_old = run(&["key", "rotate"], &new, &format!("{}\n", "12".repeat(32)));
    assert!(!wrong_old.status.success());
    assert!(
        text(&wrong_old).contains("the old key given is not the key"),
        "{}",
        text(&wrong_old)
    );
    let rotated = run(&["key", "rotate"], &new, &format!("{old}\n"));
    assert!(rotated.status.success(), "{}", text(&rotated));
    assert!(
        text(&rotated).contains("re-sealed 1 secrets"),
        "{}",
        text(&rotated)
    );
    let checked = run(&["connections", "check"], &new, "");
    assert!(
        checked.status.success(),
        "the new key opens the token: {}",
        text(&checked)
    );
    let out = run(&["connections", "check"], &old, "");
    assert!(text(&out).contains("not the key this database's secrets were sealed with"));
}

#[test]
fn settings_out_of_range_and_unusable_urls_are_refused_by_name() {
    let dir = Dir::new("settings");
    for (name, value, expected) in [
        (
            "WEFT_PROBE_INTERVAL_SECONDS",
            "99999999999999",
            "probe_interval_seconds = 99999999999999 is out of range",
        ),
        (
            "WEFT_PROBE_INTERVAL_SECONDS",
            "0",
            "probe_interval_seconds = 0 is out of range",
        ),
        (
            "WEFT_WORKER_CONCURRENCY",
            "0",
            "worker_concurrency = 0 is out of range",
        ),
        (
            "WEFT_PUBLIC_URL",
            "ftp://hub.example.com",
            "public_url \"ftp://hub.example.com\" must start with http",
        ),
        (
            "WEFT_DATABASE_URL",
            "mysql://db/weft",
            "database_url \"mysql://db/weft\" is not supported",
        ),
        (
            "WEFT_RECIPE_HTTP_ALLOW",
            "intranet.example, 10.0.0.0/33",
            "recipe_http_allow: \"10.0.0.0/33\" is not a host name",
        ),
        (
            "WEFT_ALERT_EMAILS",
            "ops@acme.example",
            "alert_emails needs smtp_url",
        ),
        (
            "WEFT_SMTP_URL",
            "smtp://mail.acme.example",
            "smtp_url needs email_from",
        ),
    ] {
        let out = dir.weft(&["users", "list"], &[(name, value)], "");
        assert!(!out.status.success(), "{name}={value}");
        assert!(
            text(&out).contains(expected),
            "{name}={value}: {}",
            text(&out)
        );
        assert!(!text(&out).contains("panicked"), "{}", text(&out));
    }
    // An SMTP URL that is not one is refused without repeating it (it may hold a password).
    let out = dir.weft(
        &["users", "list"],
        &[
            ("WEFT_SMTP_URL", "ftp://mailer:hunter2@mail.acme.example"),
            ("WEFT_EMAIL_FROM", "weft@acme.example"),
        ],
        "",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("smtp_url is not an SMTP URL"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("hunter2"), "{}", text(&out));
    // Secret settings read from files (`WEFT_<NAME>_FILE`), as containers hand them over:
    // the file's value is checked as the setting's, never repeated; both ways at once, an
    // unreadable or empty file, are refused by name.
    let secret_file = |name: &str, text: &str| {
        let path = dir.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let smtp = secret_file("smtp-url", "ftp://mailer:hunter2@mail.acme.example\n");
    let email = [("WEFT_EMAIL_FROM", "weft@acme.example")];
    let out = dir.weft(
        &["users", "list"],
        &[email[0], ("WEFT_SMTP_URL_FILE", smtp.as_str())],
        "",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("smtp_url is not an SMTP URL") && !text(&out).contains("hunter2"),
        "{}",
        text(&out)
    );
    let out = dir.weft(
        &["users", "list"],
        &[
            email[0],
            ("WEFT_SMTP_URL_FILE", smtp.as_str()),
            ("WEFT_SMTP_URL", "smtp://mail.acme.example"),
        ],
        "",
    );
    assert!(
        text(&out).contains("both WEFT_SMTP_URL and WEFT_SMTP_URL_FILE are set"),
        "{}",
        text(&out)
    );
    let missing = dir.0.join("no-such-secret").display().to_string();
    let out = dir.weft(
        &["users", "list"],
        &[("WEFT_METRICS_TOKEN_FILE", &missing)],
        "",
    );
    assert!(
        text(&out).contains(&format!("reading WEFT_METRICS_TOKEN_FILE {missing}")),
        "{}",
        text(&out)
    );
    let empty = secret_file("empty", "\n");
    let out = dir.weft(
        &["users", "list"],
        &[("WEFT_OAUTH_CLIENT_SECRET_FILE", &empty)],
        "",
    );
    assert!(
        text(&out).contains("WEFT_OAUTH_CLIENT_SECRET_FILE") && text(&out).contains("is empty"),
        "{}",
        text(&out)
    );
    let database = dir.0.join("from-a-file.db");
    let url = secret_file(
        "database-url",
        &format!("sqlite://{}\n", database.display()),
    );
    let out = dir.weft(
        &["users", "add", "--username", "filed", "--role", "analyst"],
        &[("WEFT_DATABASE_URL_FILE", url.as_str())],
        "filed-password-123\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        database.exists(),
        "the database the file names is the one used"
    );
    let out = dir.weft(
        &[
            "connections",
            "add",
            "--name",
            "x",
            "--data-center",
            "ftp://www.wrike.com/api/v4",
        ],
        &[("WEFT_SECRET_KEY", &"ab".repeat(32))],
        "token\n",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("must be http or https"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("panicked"), "{}", text(&out));
    // Without allow_any_wrike_host, only Wrike's hosts.
    let out = dir.weft(
        &[
            "connections",
            "add",
            "--name",
            "x",
            "--data-center",
            "http://127.0.0.1:9/api/v4",
        ],
        &[("WEFT_SECRET_KEY", &"ab".repeat(32))],
        "token\n",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("is not a Wrike host"), "{}", text(&out));
}

#[test]
fn the_team_and_its_tokens_from_the_command_line() {
    let dir = Dir::new("team");
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    ok(dir.weft(
        &["users", "add", "--username", "ada", "--role", "admin"],
        &[],
        "a-long-password\n",
    ));
    ok(dir.weft(
        &["users", "add", "--username", "bo", "--role", "analyst"],
        &[],
        "another-password\n",
    ));
    let token = ok(dir.weft(
        &[
            "tokens",
            "create",
            "--user",
            "bo",
            "--name",
            "ci",
            "--expires-in-days",
            "7",
        ],
        &[],
        "",
    ));
    assert!(token.contains("wft_"), "{token}");
    let listed: Value =
        serde_json::from_str(&text(&dir.weft(&["tokens", "list", "--json"], &[], ""))).unwrap();
    assert_eq!(listed["items"][0]["username"], "bo");
    assert!(listed["items"][0]["expiresAt"].is_string());
    let id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(ok(dir.weft(&["users", "disable", "bo"], &[], "")).contains("disabled bo"));
    let users = ok(dir.weft(&["users", "list"], &[], ""));
    assert!(
        users
            .lines()
            .any(|l| l.starts_with("bo") && l.contains("disabled")),
        "{users}"
    );
    ok(dir.weft(&["users", "enable", "bo"], &[], ""));
    assert!(
        ok(dir.weft(&["users", "role", "bo", "operator"], &[], "")).contains("bo is now operator")
    );
    ok(dir.weft(&["users", "password", "bo"], &[], "a-third-password\n"));
    assert!(ok(dir.weft(&["tokens", "revoke", &id], &[], "")).contains("revoked"));
    let out = dir.weft(&["users", "remove", "ada"], &[], "");
    assert!(!out.status.success(), "the only Admin stays");
    assert!(text(&out).contains("only enabled Admin"), "{}", text(&out));
    ok(dir.weft(&["users", "remove", "bo"], &[], ""));
    let out = dir.weft(&["users", "disable", "nobody"], &[], "");
    assert!(
        text(&out).contains("user nobody not found"),
        "{}",
        text(&out)
    );
}

// The OAuth callback seals the tokens in the `weft serve` process; another process, the CLI,
// opens them: the connection checks healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_an_oauth_consent_stored_in_serve_open_in_the_cli() {
    let sim = sim().await;
    let dir = Dir::new("oauth-across");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let (client_id, client_secret) = {
        let mut world = sim.sim.write();
        let app = world.apps.first_mut().unwrap();
        app.redirect_uris = vec![format!("{base}/connections/oauth/callback")];
        (app.client_id.clone(), app.client_secret.clone())
    };
    std::fs::write(
        dir.0.join("weft.toml"),
        format!(
            "database_url = \"sqlite://weft-data/weft.db\"\n\
             listen = \"127.0.0.1:{port}\"\n\
             public_url = \"{base}\"\n\
             oauth_client_id = \"{client_id}\"\n\
             oauth_client_secret = \"{client_secret}\"\n\
             oauth_login_base = \"{}\"\n\
             allow_any_wrike_host = true\n",
            sim.base_url()
        ),
    )
    .unwrap();
    let key = "ab".repeat(32);
    let env = [("WEFT_SECRET_KEY", key.as_str())];
    let added = dir.weft(
        &["users", "add", "--username", "ada", "--role", "admin"],
        &env,
        "a long enough password\n",
    );
    assert!(added.status.success(), "{}", text(&added));
    let mut serve = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("serve")
        .current_dir(&dir.0)
        .env("WEFT_SECRET_KEY", &key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = no_redirects();
    let started = Instant::now();
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Sign in, start the consent, accept it as the integration user, come back.
    let session = sign_in(&http, &base, "ada", "a long enough password").await;
    let consent = start_consent(&http, &base, &session, "acme-oauth", "usage_analytics").await;
    let callback = accept_consent(&http, &sim, &consent).await;
    finish_consent(&http, &callback, &session).await;
    serve.kill().unwrap();
    serve.wait().unwrap();

    let checked = dir.weft(&["connections", "check", "--json"], &env, "");
    assert!(checked.status.success(), "{}", text(&checked));
    let report: Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(report["items"][0]["name"], "acme-oauth");
    assert_eq!(report["items"][0]["health"]["state"], "healthy");
}
