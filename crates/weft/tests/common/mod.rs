//! What the tests of the real `weft` binary share: a hub in a temporary directory of its
//! own (SQLite file, secrets key), whose commands run as the binary with their settings in
//! the environment, and the text of a finished command.
#![allow(dead_code)] // each test file uses its own part

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub struct Instance {
    pub dir: PathBuf,
    key: String,
    /// Settings every command of this hub runs with (`WEFT_*` variables).
    settings: Vec<(String, String)>,
}

impl Instance {
    /// A fresh hub named `name` (unique per test process) with these settings.
    pub fn new(name: &str, settings: &[(&str, &str)]) -> Instance {
        let dir = std::env::temp_dir().join(format!("weft-bin-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Instance {
            dir,
            key: weft_core::secrets::SecretKey::generate_hex(),
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The same hub settings with another secrets key (hex).
    pub fn with_key(mut self, key: &str) -> Instance {
        self.key = key.to_owned();
        self
    }

    /// This hub's secrets key (hex).
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self.dir.join("weft.db").display())
    }

    /// `weft ARGS` in the hub's directory, on its database and key.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_weft"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("WEFT_DATABASE_URL", self.database_url())
            .env("WEFT_SECRET_KEY", &self.key)
            .envs(self.settings.iter().map(|(k, v)| (k, v)))
            .env_remove("RUST_BACKTRACE");
        command
    }

    /// Runs `weft ARGS` to the end with nothing on stdin.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    /// A file the hub's processes wrote into its directory (a log), empty when missing.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

/// Everything a finished command printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A simulator, and a hub instance (not yet serving) on a loopback port of its own with
/// `settings`, whose `acme-analytics` connection holds the token `token_request` asks the
/// simulator for; with the hub's public URL.
pub async fn sim_and_hub(
    name: &str,
    settings: &[(&str, &str)],
    token_request: Value,
) -> (wrike_sim::RunningSim, Instance, String) {
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            rate_limit_per_minute: 0,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap();
    let (hub, public) = hub_for(&sim, name, settings, token_request).await;
    (sim, hub, public)
}

/// A hub instance (not yet serving) on a loopback port of its own with `settings`, whose
/// `acme-analytics` connection to `sim` holds the token `token_request` asks for; with the
/// hub's public URL.
pub async fn hub_for(
    sim: &wrike_sim::RunningSim,
    name: &str,
    settings: &[(&str, &str)],
    token_request: Value,
) -> (Instance, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("http://{listen}");
    let mut all = vec![
        ("WEFT_PROBE_INTERVAL_SECONDS", "3600"),
        ("WEFT_ALLOW_ANY_WRIKE_HOST", "true"),
        // The recipes here call endpoints of the test on loopback.
        ("WEFT_RECIPE_HTTP_ALLOW", "127.0.0.1"),
        ("WEFT_LISTEN", listen.as_str()),
        ("WEFT_PUBLIC_URL", public.as_str()),
    ];
    all.extend_from_slice(settings);
    let hub = Instance::new(name, &all);
    connect(&hub, sim, "acme-analytics", token_request).await;
    (hub, public)
}

/// A simulator of `users` people that never rate-limits.
pub async fn sim_of(users: u32) -> wrike_sim::RunningSim {
    wrike_sim::start(
        wrike_sim::SimConfig {
            users,
            rate_limit_per_minute: 0,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap()
}

/// The token for the first account's integration user with `scopes`, as `/_sim/tokens`
/// asks for it.
pub fn integration_token_request(sim: &wrike_sim::RunningSim, scopes: &[&str]) -> Value {
    serde_json::json!({"userId": sim.sim.read().accounts[0].integration_user().unwrap().id(),
                       "scopes": scopes})
}

/// Adds the connection `name` to `hub`: the token `token_request` asks `sim` for, given to
/// `weft connections add` through a variable (never in argv).
pub async fn connect(
    hub: &Instance,
    sim: &wrike_sim::RunningSim,
    name: &str,
    token_request: Value,
) {
    let token: Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&token_request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let out = hub
        .command(&[
            "connections",
            "add",
            "--name",
            name,
            "--data-center",
            token["apiUrl"].as_str().unwrap(),
            "--token-env",
            "WRIKE_TOKEN",
        ])
        .env("WRIKE_TOKEN", token["accessToken"].as_str().unwrap())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

/// A user of the team with `role`, added with the CLI, and an API token for them.
pub fn api_token(instance: &Instance, user: &str, role: &str) -> String {
    let out = instance
        .command(&["users", "add", "--username", user, "--role", role])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"a-long-password-123\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = instance.run(&["tokens", "create", "--user", user, "--name", "t"]);
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
        .split_whitespace()
        .find(|w| w.starts_with("wft_"))
        .unwrap()
        .to_owned()
}

pub fn spawn(hub: &Instance, args: &[&str], log: &str) -> Child {
    let log = std::fs::File::create(hub.dir.join(log)).unwrap();
    hub.command(args)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}
