//! `weft connections` and `weft users` end to end: the real binary, a real SQLite file, and
//! the simulator over HTTP. Each failure class is driven through the simulator's control API.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use wrike_sim::{Listen, RunningSim, SimConfig};

struct Hub {
    dir: PathBuf,
}

impl Hub {
    fn new(name: &str) -> Hub {
        let dir = std::env::temp_dir().join(format!("weft-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Hub { dir }
    }

    /// Runs `weft ARGS` in the hub's directory with `stdin` piped in.
    fn run(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(args)
            .current_dir(&self.dir)
            .env_remove("RUST_BACKTRACE")
            // The simulator runs on loopback.
            .env("WEFT_ALLOW_ANY_WRIKE_HOST", "true")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A command refused before it reads stdin closes the pipe early: not an error here.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args, "", &[]);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn files_contain(&self, needle: &str) -> bool {
        fn walk(dir: &Path, needle: &[u8]) -> bool {
            std::fs::read_dir(dir).unwrap().any(|e| {
                let path = e.unwrap().path();
                if path.is_dir() {
                    walk(&path, needle)
                } else {
                    std::fs::read(&path)
                        .unwrap()
                        .windows(needle.len())
                        .any(|w| w == needle)
                }
            })
        }
        walk(&self.dir, needle.as_bytes())
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn sim() -> RunningSim {
    wrike_sim::start(
        SimConfig {
            users: 30,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap()
}

async fn control(sim: &RunningSim, path: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/_sim/{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null)
}

async fn token_for(sim: &RunningSim, who: &str, scopes: &[&str]) -> (String, String) {
    let account = sim.sim.read().accounts[0].clone();
    let user = match who {
        "integration" => account.integration_user().unwrap(),
        _ => account.owner(),
    };
    let answer = control(
        sim,
        "tokens",
        json!({"userId": user.id(), "scopes": scopes}),
    )
    .await;
    (
        answer["accessToken"].as_str().unwrap().to_owned(),
        answer["userId"].as_str().unwrap().to_owned(),
    )
}

// The binary is run synchronously; a second worker keeps the simulator answering meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_added_from_stdin_stored_sealed_and_breaks_visibly_when_the_password_changes()
 {
    let sim = sim().await;
    let hub = Hub::new("lifecycle");
    let api = sim.api_url(0);
    let (token, user) = token_for(&sim, "integration", &["Default", "amReadOnlyAuditLog"]).await;
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "analytics",
            "--data-center",
            &api,
            "--features",
            "usage_analytics",
        ],
        &format!("{token}\n"),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("health: healthy"), "{}", text(&out));
    assert!(
        !text(&out).contains("looks like a person"),
        "a dedicated integration user draws no warning"
    );
    assert!(
        text(&out).contains("generated a new secrets key"),
        "the embedded default warns about its generated key"
    );

    let list = hub.json(&["connections", "list", "--json"]);
    assert_eq!(list["items"][0]["connection"]["identity"]["userId"], user);
    assert_eq!(list["items"][0]["connection"]["identity"]["admin"], true);
    assert_eq!(list["items"][0]["connection"]["health"]["state"], "healthy");

    assert!(
        !hub.files_contain(&token),
        "the token is in no file of the hub, sealed or not"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hub.dir.join("weft-data/secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the generated key is private");
    }

    control(&sim, &format!("users/{user}/password"), json!({})).await;
    let out = hub.run(&["connections", "check", "--json"], "", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a broken connection fails the check: {}",
        text(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["items"][0]["health"]["class"], "token_rejected");
    assert!(
        !text(&out).contains(&token),
        "the token never reaches the output or the logs"
    );
    let list = hub.json(&["connections", "list", "--json"]);
    assert_eq!(
        list["items"][0]["connection"]["health"]["class"], "token_rejected",
        "the classification is stored"
    );

    let out = hub.run(&["connections", "remove", "analytics"], "", &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        hub.json(&["connections", "list", "--json"])["items"],
        json!([])
    );
}

// The binary is run synchronously; a second worker keeps the simulator answering meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_failure_is_classified() {
    let sim = sim().await;
    let hub = Hub::new("classes");
    let api = sim.api_url(0);
    let account = sim.sim.read().accounts[0].id().to_owned();

    // A token Wrike refuses is not stored.
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "bogus",
            "--data-center",
            &api,
        ],
        "not-a-token\n",
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("refused the token (token_rejected)"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("Stack backtrace"));
    assert_eq!(
        hub.json(&["connections", "list", "--json"])["items"],
        json!([]),
        "nothing stored"
    );

    // A token of the EU account used against the US data center.
    let eu = sim.sim.read().accounts[1].owner().id().to_owned();
    let eu_token = control(&sim, "tokens", json!({"userId": eu})).await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = hub.run(
        &["connections", "add", "--name", "eu", "--data-center", &api],
        &eu_token,
        &[],
    );
    assert!(text(&out).contains("wrong_data_center"), "{}", text(&out));

    // Scope missing: analytics with a Default-only token (read from an environment variable).
    let (token, _) = token_for(&sim, "integration", &["Default"]).await;
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "noscope",
            "--data-center",
            &api,
            "--features",
            "usage_analytics",
            "--token-env",
            "WRIKE_TOKEN",
        ],
        "",
        &[("WRIKE_TOKEN", &token)],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("BROKEN (scope_missing)"),
        "{}",
        text(&out)
    );

    // Plan or right missing. On Enterprise the audit log is expected, so losing the
    // activity-report right breaks usage analytics; a Business plan does not (work activity
    // is read there instead).
    let (token, integration) =
        token_for(&sim, "integration", &["Default", "amReadOnlyAuditLog"]).await;
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "planned",
            "--data-center",
            &api,
            "--features",
            "usage_analytics",
        ],
        &token,
        &[],
    );
    assert!(text(&out).contains("health: healthy"), "{}", text(&out));
    let set_rights = |activity_reports: bool| {
        let url = format!("{}/_sim/users/{integration}/rights", sim.base_url());
        async move {
            let answer = reqwest::Client::new()
                .put(url)
                .json(&json!({"activityReports": activity_reports}))
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_success(), "{}", answer.status());
        }
    };
    set_rights(false).await;
    let out = hub.run(&["connections", "check", "planned", "--json"], "", &[]);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["items"][0]["health"]["class"],
        "plan_or_right_missing"
    );
    set_rights(true).await;
    control(
        &sim,
        &format!("accounts/{account}/plan"),
        json!({"plan": "Business"}),
    )
    .await;
    let out = hub.run(&["connections", "check", "planned", "--json"], "", &[]);
    assert!(
        out.status.success(),
        "Business reads work activity instead: {}",
        text(&out)
    );
    control(
        &sim,
        &format!("accounts/{account}/plan"),
        json!({"plan": "Enterprise"}),
    )
    .await;

    let out = hub.run(&["connections", "check", "planned", "--json"], "", &[]);
    assert!(out.status.success(), "the right is back: {}", text(&out));

    // Wrike erroring, then rate limiting.
    control(&sim, "faults", json!({"kind": "serverError", "count": 4})).await;
    let out = hub.run(&["connections", "check", "planned", "--json"], "", &[]);
    let report = serde_json::from_slice::<Value>(&out.stdout).unwrap();
    assert_eq!(report["items"][0]["health"]["class"], "wrike_unavailable");
    assert_eq!(
        report["items"][0]["health"]["state"], "degraded",
        "a transient failure is degraded until it persists"
    );
    reqwest::Client::new()
        .delete(format!("{}/_sim/faults", sim.base_url()))
        .send()
        .await
        .unwrap();
    control(&sim, "faults", json!({"kind": "rateLimit", "count": 4})).await;
    let out = hub.run(&["connections", "check", "planned", "--json"], "", &[]);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["items"][0]["health"]["class"],
        "rate_limited"
    );
    reqwest::Client::new()
        .delete(format!("{}/_sim/faults", sim.base_url()))
        .send()
        .await
        .unwrap();
    let out = hub.run(&["connections", "check", "planned", "--json"], "", &[]);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["items"][0]["health"]["state"],
        "healthy",
        "recovered"
    );
}

// The binary is run synchronously; a second worker keeps the simulator answering meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hygiene_warns_about_personal_and_shared_accounts() {
    let sim = sim().await;
    let hub = Hub::new("hygiene");
    let api = sim.api_url(0);
    let (token, _) = token_for(&sim, "owner", &["Default"]).await;
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "mine",
            "--data-center",
            &api,
        ],
        &token,
        &[],
    );
    assert!(
        text(&out).contains("looks like a person's own account"),
        "{}",
        text(&out)
    );
    let (second, _) = token_for(&sim, "owner", &["Default"]).await;
    hub.run(
        &[
            "connections",
            "add",
            "--name",
            "mine-too",
            "--data-center",
            &api,
        ],
        &second,
        &[],
    );
    let list = hub.json(&["connections", "list", "--json"]);
    let warnings = list["items"][0]["warnings"].to_string();
    assert!(
        warnings.contains("shares the Wrike user") && warnings.contains("mine-too"),
        "{warnings}"
    );
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "mine",
            "--data-center",
            &api,
        ],
        &second,
        &[],
    );
    assert!(
        text(&out).contains("a connection named mine already exists"),
        "{}",
        text(&out)
    );
}

#[test]
fn users_are_added_with_a_password_from_stdin_and_bad_input_is_refused() {
    let hub = Hub::new("users");
    let out = hub.run(
        &["users", "add", "--username", "ada", "--role", "admin"],
        "correct horse battery\n",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !hub.files_contain("correct horse battery"),
        "only the hash is stored"
    );
    let out = hub.run(
        &["users", "add", "--username", "ada", "--role", "operator"],
        "another password\n",
        &[],
    );
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    let out = hub.run(
        &["users", "add", "--username", "bo", "--role", "analyst"],
        "short\n",
        &[],
    );
    assert!(
        text(&out).contains("at least 10 characters"),
        "{}",
        text(&out)
    );
    let out = hub.run(
        &["users", "add", "--username", "bo", "--role", "root"],
        "long enough password\n",
        &[],
    );
    assert!(
        text(&out).contains("expected admin, analyst or operator"),
        "{}",
        text(&out)
    );
    let users = hub.json(&["users", "list", "--json"]);
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
    assert!(
        users["items"][0].get("password_hash").is_none(),
        "hashes are not printed"
    );
    let out = hub.run(
        &["connections", "add", "--name", "x", "--token", "secret"],
        "",
        &[],
    );
    assert!(
        !out.status.success() && text(&out).contains("unexpected argument '--token'"),
        "tokens are never taken from argv"
    );
}

#[test]
fn bad_configuration_is_named() {
    let hub = Hub::new("config");
    std::fs::write(hub.dir.join("weft.toml"), "database_url = 42\n").unwrap();
    let out = hub.run(&["users", "list"], "", &[]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("invalid configuration") && text(&out).contains("database_url"),
        "{}",
        text(&out)
    );
    std::fs::write(
        hub.dir.join("weft.toml"),
        "databse_url = \"sqlite://x.db\"\n",
    )
    .unwrap();
    let out = hub.run(&["users", "list"], "", &[]);
    assert!(
        text(&out).contains("databse_url"),
        "a misspelt key is refused by name: {}",
        text(&out)
    );
    std::fs::remove_file(hub.dir.join("weft.toml")).unwrap();
    let out = hub.run(&["users", "list", "--database-url", "mysql://x"], "", &[]);
    assert!(text(&out).contains("not supported"), "{}", text(&out));
    let out = hub.run(&["users", "list", "--config", "missing.toml"], "", &[]);
    assert!(
        text(&out).contains("missing.toml does not exist"),
        "{}",
        text(&out)
    );
    let out = hub.run(&["connections", "check"], "", &[("WEFT_SECRET_KEY", "abc")]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("WEFT_SECRET_KEY") && text(&out).contains("not hex"),
        "a bad key is named: {}",
        text(&out)
    );
    // Single sign-on's settings are checked at start, each named.
    for (settings, says) in [
        (
            vec![
                ("WEFT_SSO_ISSUER", "http://idp.example"),
                ("WEFT_SSO_CLIENT_ID", "w"),
                ("WEFT_SSO_CLIENT_SECRET", "s"),
                ("WEFT_SSO_ADMIN_VALUES", "a"),
            ],
            "sso_issuer",
        ),
        (
            vec![("WEFT_SSO_ISSUER", "https://idp.example")],
            "needs sso_client_id and sso_client_secret",
        ),
        (
            vec![
                ("WEFT_SSO_ISSUER", "https://idp.example"),
                ("WEFT_SSO_CLIENT_ID", "w"),
                ("WEFT_SSO_CLIENT_SECRET", "s"),
            ],
            "sso_admin_values",
        ),
        (vec![("WEFT_LOCAL_PASSWORDS", "false")], "local_passwords"),
        (
            vec![
                ("WEFT_SSO_ISSUER", "https://idp.example"),
                ("WEFT_SSO_CLIENT_ID", "w"),
                ("WEFT_SSO_CLIENT_SECRET", "s"),
                ("WEFT_SSO_ADMIN_VALUES", "a"),
                ("WEFT_LOCAL_PASSWORDS", "false"),
            ],
            "break_glass_admins",
        ),
    ] {
        let out = hub.run(&["users", "list"], "", &settings);
        assert!(!out.status.success(), "{settings:?}");
        assert!(text(&out).contains(says), "{settings:?}: {}", text(&out));
    }
}

/// The same lifecycle with the hub's data in PostgreSQL (when `WEFT_TEST_POSTGRES_URL` names
/// a database; CI sets it), with the key from `WEFT_SECRET_KEY` as several instances need.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_works_the_same_on_postgres() {
    let Some(url) = weft_store::testing::postgres_url() else {
        return;
    };
    let database = weft_store::testing::postgres_schema_url(&url, "cli")
        .await
        .expect("the PostgreSQL test database");
    let key = "ab".repeat(32);
    let env = [
        ("WEFT_DATABASE_URL", database.as_str()),
        ("WEFT_SECRET_KEY", key.as_str()),
    ];

    let sim = sim().await;
    let hub = Hub::new("postgres");
    let (token, user) = token_for(&sim, "integration", &["Default", "amReadOnlyAuditLog"]).await;
    let out = hub.run(
        &[
            "connections",
            "add",
            "--name",
            "pg-analytics",
            "--data-center",
            &sim.api_url(0),
            "--features",
            "usage_analytics",
        ],
        &token,
        &env,
    );
    assert!(
        out.status.success() && text(&out).contains("health: healthy"),
        "{}",
        text(&out)
    );
    let out = hub.run(&["connections", "list", "--json"], "", &env);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["items"][0]["connection"]["name"], "pg-analytics");
    assert!(
        !hub.dir.join("weft-data").exists(),
        "nothing written locally: the data is in PostgreSQL"
    );
    let store = weft_store::Store::open(&database).await.unwrap();
    let connection = store.connections().list().await.unwrap().remove(0);
    let sealed = store.connections().secrets(&connection.id).await.unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed.tokens.access_token).contains(&token),
        "the token is sealed in PostgreSQL too"
    );
    control(&sim, &format!("users/{user}/password"), json!({})).await;
    let out = hub.run(&["connections", "check", "--json"], "", &env);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["items"][0]["health"]["class"],
        "token_rejected"
    );
    // Without the key the tokens cannot be opened, and the error says why.
    let out = hub.run(
        &["connections", "check"],
        "",
        &[("WEFT_DATABASE_URL", database.as_str())],
    );
    assert!(text(&out).contains("WEFT_SECRET_KEY"), "{}", text(&out));
}

const HOOKED_RECIPE: &str = "\
name: hooked
connection: acme
trigger:
  http: {}
steps:
  - id: tell
    action: http.request
    input:
      url: https://vendor.example.com/notify
      method: POST
      headers: {Authorization: \"Bearer {{ secrets.vendor_key }}\"}
      json: {task: \"{{ trigger.taskId }}\"}
";

// Every command that seals a secret, each in its own process, then every secret read back by
// other processes: a check and a sync open the token, and a key rotation opens them all (it
// refuses if any one does not open).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_secret_a_command_writes_opens_in_another_process() {
    let sim = sim().await;
    let hub = Hub::new("secrets-across");
    let key = "ab".repeat(32);
    let with_key = [("WEFT_SECRET_KEY", key.as_str())];
    let (token, user) = token_for(&sim, "integration", &["Default", "amReadOnlyAuditLog"]).await;
    let api = sim.api_url(0);
    let add = &[
        "connections",
        "add",
        "--name",
        "acme",
        "--data-center",
        &api,
    ];
    let out = hub.run(add, &format!("{token}\n"), &with_key);
    assert!(out.status.success(), "{}", text(&out));

    // The token stops working (a changed password), and a new one is set from another process.
    control(&sim, &format!("users/{user}/password"), json!({})).await;
    let broken = hub.run(&["connections", "check"], "", &with_key);
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
    let (new_token, _) = token_for(&sim, "integration", &["Default", "amReadOnlyAuditLog"]).await;
    let out = hub.run(
        &[
            "connections",
            "set-token",
            "acme",
            "--token-env",
            "NEW_TOKEN",
            "--as",
            "ops-lead",
        ],
        "",
        &[("WEFT_SECRET_KEY", &key), ("NEW_TOKEN", &new_token)],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("it is healthy"), "{}", text(&out));
    let checked = hub.run(&["connections", "check", "--json"], "", &with_key);
    assert!(
        checked.status.success(),
        "the new token opens in another process: {}",
        text(&checked)
    );
    let synced = hub.run(&["sync", "acme"], "", &with_key);
    assert!(synced.status.success(), "{}", text(&synced));

    // A recipe secret and a recipe's webhook secret, each from its own process.
    let out = hub.run(
        &[
            "secrets",
            "set",
            "vendor_key",
            "--host",
            "vendor.example.com",
        ],
        "v3ndor-secret\n",
        &with_key,
    );
    assert!(out.status.success(), "{}", text(&out));
    let recipes = hub.dir.join("recipes");
    std::fs::create_dir_all(&recipes).unwrap();
    std::fs::write(recipes.join("hooked.yaml"), HOOKED_RECIPE).unwrap();
    for args in [
        vec!["recipes", "apply", recipes.to_str().unwrap()],
        vec!["recipes", "start", "hooked"],
    ] {
        let out = hub.run(&args, "", &with_key);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let shown = hub.run(&["recipes", "show", "hooked"], "", &with_key);
    assert!(
        shown.status.success() && text(&shown).contains("  endpoint  "),
        "the hook's secret opens in another process: {}",
        text(&shown)
    );

    // Rotation opens every stored secret with the old key: the token set-token wrote, the
    // recipe secret and the hook secret.
    let new_key = "cd".repeat(32);
    let rotated = hub.run(
        &["key", "rotate", "--old-key-env", "OLD_KEY"],
        "",
        &[("WEFT_SECRET_KEY", &new_key), ("OLD_KEY", &key)],
    );
    assert!(rotated.status.success(), "{}", text(&rotated));
    assert!(
        text(&rotated).contains("re-sealed 3 secrets"),
        "{}",
        text(&rotated)
    );
    let checked = hub.run(
        &["connections", "check"],
        "",
        &[("WEFT_SECRET_KEY", &new_key)],
    );
    assert!(checked.status.success(), "{}", text(&checked));

    // The trail names who ran set-token: the operating-system user and whom --as named.
    let store = weft_store::Store::open(&format!(
        "sqlite://{}",
        hub.dir.join("weft-data/weft.db").display()
    ))
    .await
    .unwrap();
    let trail = store.trail().latest(50).await.unwrap();
    let set_token = trail
        .iter()
        .find(|e| e.action == "connection.token")
        .expect("set-token is on the trail");
    assert!(
        set_token.actor.starts_with("cli:") && set_token.actor.ends_with(" as ops-lead"),
        "{}",
        set_token.actor
    );
    assert!(
        !set_token.actor.contains("unknown"),
        "the operating-system user is named: {}",
        set_token.actor
    );
}

// A command that needs the secrets key refuses before writing anything when the database holds
// secrets and no key is configured: no stray generated key file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_without_the_key_refuses_before_generating_one() {
    let sim = sim().await;
    let hub = Hub::new("no-stray-key");
    let key = "ab".repeat(32);
    let (token, _) = token_for(&sim, "integration", &["Default", "amReadOnlyAuditLog"]).await;
    let api = sim.api_url(0);
    let add = &[
        "connections",
        "add",
        "--name",
        "acme",
        "--data-center",
        &api,
    ];
    let out = hub.run(add, &format!("{token}\n"), &[("WEFT_SECRET_KEY", &key)]);
    assert!(out.status.success(), "{}", text(&out));
    let stray = hub.dir.join("weft-data/secret.key");
    assert!(!stray.exists());
    for args in [
        vec!["sync", "acme"],
        vec!["connections", "check"],
        vec!["connections", "set-token", "acme"],
    ] {
        let out = hub.run(&args, &format!("{token}\n"), &[]);
        assert!(!out.status.success(), "{args:?} ran without the key");
        assert!(
            text(&out).contains("holds secrets sealed with a key that is not configured"),
            "{args:?}: {}",
            text(&out)
        );
        assert!(!stray.exists(), "{args:?} generated a key file");
        assert!(!text(&out).contains("generated a new secrets key"));
    }
    // A loopback API address without allow_any_wrike_host is the hub's own refusal, named as
    // such, not something Wrike said.
    for args in [vec!["connections", "check"], vec!["sync", "acme"]] {
        let out = hub.run(
            &args,
            "",
            &[
                ("WEFT_SECRET_KEY", &key),
                ("WEFT_ALLOW_ANY_WRIKE_HOST", "false"),
            ],
        );
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out).contains("host_refused")
                && text(&out).contains("by this hub's own policy")
                && text(&out).contains("allow_any_wrike_host"),
            "{args:?}: {}",
            text(&out)
        );
        assert!(!text(&out).contains("Wrike refused"), "{}", text(&out));
    }
    // Commands that never open a secret still work without it.
    let list = hub.json(&["connections", "list", "--json"]);
    assert_eq!(list["items"][0]["connection"]["name"], "acme");
}
