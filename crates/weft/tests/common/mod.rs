//! What the tests of the real `weft` binary share: a hub in a temporary directory of its
//! own (SQLite file, secrets key), whose commands run as the binary with their settings in
//! the environment, and the text of a finished command.
#![allow(dead_code)] // each test file uses its own part

use std::collections::HashMap;
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
    add_user(instance, user, role, "a-long-password-123");
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

/// Adds `user` with `role` and `password` to the hub's team with the CLI.
pub fn add_user(instance: &Instance, user: &str, role: &str, password: &str) {
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
                .write_all(format!("{password}\n").as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

/// A free port on loopback (free when asked: a test binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client that shows redirects instead of following them (a browser's view, one step at
/// a time).
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the cookie `name` an answer sets.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> String {
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

/// The value of the form field `name` in a page.
pub fn form_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Signs `user` in through the login form of the hub at `base`; the session cookie
/// (`weft_session=...`, plain names: the hub's public URL is http).
pub async fn sign_in(http: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let signed_in = post_sign_in(http, base, user, password).await;
    assert_eq!(signed_in.status(), 303);
    format!("weft_session={}", set_cookie(&signed_in, "weft_session"))
}

/// The hub's answer to `user` signing in with `password` through its login form (303 with
/// a session, 401 refused).
pub async fn post_sign_in(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = set_cookie(&page, "weft_login");
    let html = page.text().await.unwrap();
    http.post(format!("{base}/login"))
        .header("cookie", format!("weft_login={login_cookie}"))
        .form(&[
            ("login_csrf", form_field(&html, "login_csrf").as_str()),
            ("next", "/"),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Accepts, as the first account's integration user, the consent the simulator's page at
/// `consent` (where the hub's "connect with OAuth" redirected) asks for; answers the hub's
/// callback URL the browser is sent back to.
pub async fn accept_consent(
    http: &reqwest::Client,
    sim: &wrike_sim::RunningSim,
    consent: &str,
) -> String {
    let consent = url::Url::parse(consent).unwrap();
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
    back.headers()["location"].to_str().unwrap().to_owned()
}

/// Follows the consent's `callback` back to the hub, signed in as `session`; the hub
/// stores the connection and redirects (303).
pub async fn finish_consent(http: &reqwest::Client, callback: &str, session: &str) {
    let done = http
        .get(callback)
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        303,
        "{}",
        done.text().await.unwrap_or_default()
    );
}

/// The path and signing secret of a started recipe's `http` trigger, as `weft recipes show`
/// prints them.
pub fn recipe_endpoint(instance: &Instance, recipe: &str, public: &str) -> (String, String) {
    let shown = text(&instance.run(&["recipes", "show", recipe]));
    let line = shown
        .lines()
        .find(|l| l.contains("endpoint"))
        .unwrap_or_else(|| panic!("{shown}"));
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_start_matches(public)
        .to_owned();
    let secret = line
        .rsplit("secret ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_owned();
    (path, secret)
}

/// The Standard Webhooks headers of one call to an `http` trigger.
pub fn signed_call(secret: &str, body: &str) -> reqwest::header::HeaderMap {
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

/// A loopback endpoint for recipes' HTTP steps that answers `{"ok": true}` after `delay`,
/// counting the calls that reached it.
pub async fn delayed_endpoint(
    delay: std::time::Duration,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/wait",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                axum::Json(serde_json::json!({"ok": true}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wait", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

/// Starts "connect with OAuth" for a connection `name` with `feature` on the hub at `base`,
/// signed in as `session`; answers the consent page's URL the hub redirects to.
pub async fn start_consent(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    name: &str,
    feature: &str,
) -> String {
    let page = http
        .get(format!("{base}/connections"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "signed in at {base}");
    let csrf = form_field(&page.text().await.unwrap(), "csrf");
    let start = http
        .post(format!("{base}/connections/oauth/start"))
        .header("cookie", session)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&name={name}&feature={feature}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.status(),
        303,
        "{}",
        start.text().await.unwrap_or_default()
    );
    start.headers()["location"].to_str().unwrap().to_owned()
}

/// Calls a recipe's `http` trigger at `url`, signed with `secret`; it must be accepted (202).
pub async fn call_trigger(http: &reqwest::Client, url: &str, secret: &str, body: &Value) {
    let body = body.to_string();
    let answer = http
        .post(url)
        .headers(signed_call(secret, &body))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        202,
        "{}",
        answer.text().await.unwrap()
    );
}

/// A browser: follows nothing by itself, keeps each host's cookies.
pub struct Browser {
    http: reqwest::Client,
    pub cookies: HashMap<String, HashMap<String, String>>,
    /// Every URL it was sent to, in order.
    pub visited: Vec<String>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            http: no_redirects(),
            cookies: HashMap::new(),
            visited: Vec::new(),
        }
    }

    /// Cookies belong to a host whatever its port, as browsers keep them (so instances
    /// behind one balancer, here on one address, share them).
    pub fn host(url: &str) -> String {
        reqwest::Url::parse(url)
            .unwrap()
            .host_str()
            .unwrap()
            .to_owned()
    }

    fn cookie_header(&self, url: &str) -> String {
        self.cookies
            .get(&Self::host(url))
            .map(|jar| {
                jar.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    fn keep(&mut self, url: &str, response: &reqwest::Response) {
        let jar = self.cookies.entry(Self::host(url)).or_default();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let expired = text.to_ascii_lowercase().contains("max-age=0")
                || text
                    .to_ascii_lowercase()
                    .contains("expires=thu, 01 jan 1970");
            if expired || value.is_empty() {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        self.visited.push(url.to_owned());
        let response = self
            .http
            .get(url)
            .header("cookie", self.cookie_header(url))
            .send()
            .await
            .unwrap();
        self.keep(url, &response);
        response
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.visited.push(url.to_owned());
        let response = self
            .http
            .post(url)
            .header("cookie", self.cookie_header(url))
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(url, &response);
        response
    }

    /// Goes to `url` and follows redirects; the last answer's status and text.
    pub async fn follow(&mut self, url: &str) -> (u16, String, String) {
        let mut url = url.to_owned();
        loop {
            let response = self.get(&url).await;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                url = joined(&url, response.headers()["location"].to_str().unwrap());
                continue;
            }
            return (status, url, response.text().await.unwrap());
        }
    }

    /// Signs in as `login` at the provider through the hub's button; the page the browser
    /// ends on (status, URL, text).
    pub async fn sso(&mut self, hub: &str, login: &str) -> (u16, String, String) {
        let (status, url, page) = self.follow(&format!("{hub}/sso/start?next=/runs")).await;
        if !url.contains("/interaction/") {
            return (status, url, page);
        }
        let next = self.provider_sign_in(&url, &page, login).await;
        self.follow(&next).await
    }

    /// At the provider's sign-in form (`page`, at `url`), signs in as `login` (any password
    /// does); where the provider sends the browser next.
    pub async fn provider_sign_in(&mut self, url: &str, page: &str, login: &str) -> String {
        let target = joined(url, &between(page, "action=\"", "\""));
        let response = self
            .post(
                &target,
                &[("prompt", "login"), ("login", login), ("password", "any")],
            )
            .await;
        assert_eq!(response.status(), 303, "the provider took the sign-in");
        joined(&target, response.headers()["location"].to_str().unwrap())
    }

    pub fn session(&self, hub: &str) -> Option<String> {
        self.cookies
            .get(&Self::host(hub))
            .and_then(|jar| jar.get("weft_session"))
            .map(|v| format!("weft_session={v}"))
    }

    /// The hub callback URL this browser was sent to last.
    pub fn callback(&self) -> String {
        self.visited
            .iter()
            .rev()
            .find(|u| u.contains("/sso/callback"))
            .cloned()
            .expect("a callback")
    }
}

/// `relative` (a link or a redirect's location) as seen from `base`.
pub fn joined(base: &str, relative: &str) -> String {
    reqwest::Url::parse(base)
        .unwrap()
        .join(relative)
        .unwrap()
        .to_string()
}

pub fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"))
        + start.len();
    text[from..].split(end).next().unwrap().to_owned()
}
