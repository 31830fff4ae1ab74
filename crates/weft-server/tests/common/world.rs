//! A world for recipe tests: the simulator, a hub served on loopback with its runtime,
//! a connection to the simulated account, one signed-in member per role, an SMTP sink, and
//! a switchable network between the simulator's deliveries and the hub.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use weft_core::scope_plan::Feature;
use weft_hub::Hub;
use weft_hub::runtime::{Registry, Runtime, RuntimeConfig, WorkerConfig};
use weft_store::Store;
use wrike_sim::RunningSim;

/// What the network between the simulated Wrike and the hub does to the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Up,
    /// The next N requests never reach the hub (Wrike sees a 502).
    Lose(usize),
    /// The next N requests reach the hub, but its answers are lost (Wrike sees a 502).
    LoseAnswers(usize),
}

/// A proxy on loopback standing for the network Wrike's deliveries cross: the hub's public
/// URL points at it, and `network` says what it does to the next requests.
pub async fn network_to(hub_url: String) -> (String, Arc<std::sync::Mutex<Network>>) {
    let network = Arc::new(std::sync::Mutex::new(Network::Up));
    let state = network.clone();
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: reqwest::Method,
              uri: axum::http::Uri,
              headers: axum::http::HeaderMap,
              body: axum::body::Bytes| {
            let (state, http, hub_url) = (state.clone(), http.clone(), hub_url.clone());
            async move {
                let now = *state.lock().unwrap();
                let lose_answer = match now {
                    Network::Up => false,
                    Network::Lose(n) | Network::LoseAnswers(n) => {
                        *state.lock().unwrap() = match (now, n) {
                            (_, 0 | 1) => Network::Up,
                            (Network::Lose(_), n) => Network::Lose(n - 1),
                            (_, n) => Network::LoseAnswers(n - 1),
                        };
                        if matches!(now, Network::Lose(_)) {
                            return axum::http::Response::builder()
                                .status(502)
                                .body(axum::body::Body::empty())
                                .unwrap();
                        }
                        true
                    }
                };
                let mut forward = http
                    .request(method, format!("{hub_url}{uri}"))
                    .body(body.to_vec());
                for (name, value) in &headers {
                    if name != "host" && name != "content-length" {
                        forward = forward.header(name, value);
                    }
                }
                let answer = forward.send().await.unwrap();
                let mut back = axum::http::Response::builder().status(if lose_answer {
                    502
                } else {
                    answer.status().as_u16()
                });
                for (name, value) in answer.headers() {
                    back = back.header(name, value);
                }
                back.body(axum::body::Body::from(answer.bytes().await.unwrap()))
                    .unwrap()
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, network)
}

pub struct World {
    pub sim: RunningSim,
    pub url: String,
    /// Between the simulator's deliveries and the hub.
    pub network: Arc<std::sync::Mutex<Network>>,
    pub hub: Hub,
    pub members: Vec<super::Member>,
    pub account: String,
    pub http: reqwest::Client,
    /// What the hub e-mailed (its SMTP server is a sink the test reads).
    pub mails: Arc<std::sync::Mutex<Vec<super::Mail>>>,
    /// The Wrike token of the `acme-analytics` connection (the owner's).
    pub wrike_token: String,
    _runtime: Runtime,
}

impl World {
    pub fn token(&self, role: &str) -> &str {
        &self
            .members
            .iter()
            .find(|m| m.username == role)
            .expect("a member")
            .api_token
    }

    pub async fn api(
        &self,
        role: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(self.token(role));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the hub answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A second connection, `name`, running as the simulated account's user `user` with
    /// `scopes`, used for `features`.
    pub async fn connect_as(
        &self,
        name: &str,
        user: &str,
        scopes: &[&str],
        features: Vec<Feature>,
    ) {
        let token = self
            .sim_control(
                reqwest::Method::POST,
                "tokens",
                json!({"accountId": self.account, "userId": user, "scopes": scopes}),
            )
            .await;
        weft_hub::connections::add(
            &self.hub,
            "test",
            name,
            &self.sim.api_url(0),
            secrecy::SecretString::from(token["accessToken"].as_str().unwrap().to_owned()),
            features,
        )
        .await
        .unwrap();
    }

    /// Applies one recipe file as an Admin.
    pub async fn apply(&self, source: &str) {
        self.apply_as("admin", source).await;
    }

    /// Applies one recipe file as `role`, asserting it was taken.
    pub async fn apply_as(&self, role: &str, source: &str) {
        let (status, body) = self
            .api(
                role,
                reqwest::Method::POST,
                "/api/v1/recipes/apply",
                Some(json!({"files": [{"file": "recipe.yaml", "source": source}]})),
            )
            .await;
        assert_eq!(status, 200, "{role} applying: {body}");
    }

    /// Applies `source` as an Admin and starts the recipe `name`.
    pub async fn apply_and_start(&self, source: &str, name: &str) {
        self.apply_and_start_as("admin", source, name).await;
    }

    /// Applies `source` and starts the recipe `name`, both as `role`.
    pub async fn apply_and_start_as(&self, role: &str, source: &str, name: &str) {
        self.apply_as(role, source).await;
        let (status, body) = self
            .api(
                role,
                reqwest::Method::POST,
                &format!("/api/v1/recipes/{name}/start"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{role} starting {name}: {body}");
    }

    /// Applies `source` as an Admin, starts the recipe `name` (an `http` trigger), and
    /// returns its inbound endpoint's path and secret.
    pub async fn inbound(&self, source: &str, name: &str) -> (String, String) {
        self.apply_and_start(source, name).await;
        self.endpoint(name).await
    }

    /// The inbound endpoint (path and secret) of the started `http` recipe `name`.
    pub async fn endpoint(&self, name: &str) -> (String, String) {
        let record = self
            .hub
            .store
            .recipes()
            .by_name(name)
            .await
            .unwrap()
            .unwrap();
        weft_hub::recipes::triggers::http_endpoint(&self.hub, &record)
            .await
            .unwrap()
            .expect("an http trigger")
    }

    /// A Wrike listing, and how many of its items match.
    pub async fn count(&self, path: &str, matches: impl Fn(&Value) -> bool) -> (Value, usize) {
        let listing = self.wrike(path).await;
        let n = listing["data"]
            .as_array()
            .map_or(0, |items| items.iter().filter(|item| matches(item)).count());
        (listing, n)
    }

    /// Calls an inbound endpoint with `body`, signed, and waits for the run it starts to end.
    pub async fn fire(&self, (path, secret): &(String, String), body: Value) -> Value {
        let id = format!("call-{}", fastrand::u64(..));
        let (status, answer) = call_inbound(self, path, secret, &body.to_string(), &id).await;
        assert_eq!(status, 202, "{answer}");
        self.finished_run(
            answer["runId"]
                .as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or_else(|| panic!("{answer}")),
        )
        .await
    }

    pub async fn sim_control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = self
            .http
            .request(method, format!("{}/_sim/{path}", self.sim.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "simulator control {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// A Wrike API call on the simulator as the account's owner.
    pub async fn wrike(&self, path: &str) -> Value {
        let token = self
            .sim_control(
                reqwest::Method::POST,
                "tokens",
                json!({"accountId": self.account,
                       "scopes": ["Default", "amReadWriteInvitation", "amReadWriteUser"]}),
            )
            .await;
        self.http
            .get(format!("{}/{path}", self.sim.api_url(0)))
            .bearer_auth(token["accessToken"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits until the recipe has `count` runs in a final or waiting state; returns them.
    pub async fn settled_runs(&self, recipe: &str, count: usize) -> Vec<Value> {
        for _ in 0..200 {
            let (_, body) = self
                .api(
                    "operator",
                    reqwest::Method::GET,
                    &format!("/api/v1/runs?recipe={recipe}"),
                    None,
                )
                .await;
            let runs = body["items"].as_array().cloned().unwrap_or_default();
            let settled = runs
                .iter()
                .filter(|r| {
                    matches!(
                        r["status"].as_str(),
                        Some("succeeded" | "failed" | "waiting" | "cancelled")
                    )
                })
                .count();
            if runs.len() >= count && settled >= count {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (_, body) = self
            .api(
                "operator",
                reqwest::Method::GET,
                &format!("/api/v1/runs?recipe={recipe}"),
                None,
            )
            .await;
        panic!("the runs of {recipe} did not settle: {body}");
    }

    /// The run once it has finished (or what it is after 20 seconds, for the assertion).
    pub async fn finished_run(&self, id: i64) -> Value {
        let mut run = self.run(id).await;
        for _ in 0..200 {
            if matches!(
                run["run"]["status"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            ) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            run = self.run(id).await;
        }
        run
    }

    pub async fn run(&self, id: i64) -> Value {
        self.api(
            "operator",
            reqwest::Method::GET,
            &format!("/api/v1/runs/{id}"),
            None,
        )
        .await
        .1
    }
}

pub async fn world(store: Arc<Store>) -> World {
    world_with(store, |_| {}).await
}

/// A world whose hub `configure` changes before it serves (its policy, its bounds).
pub async fn world_with(store: Arc<Store>, configure: impl FnOnce(&mut Hub)) -> World {
    // Failures are logged under their request id; show them with the test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .try_init();
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            rate_limit_per_minute: 0,
            webhook_retry_delay: Duration::from_millis(200),
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut hub = super::hub_on(store.clone(), None, None);
    let (smtp, mails) = super::smtp_sink().await;
    hub.alerter = hub.alerter.clone().with_mail(
        weft_hub::mail::Mailer::new(&secrecy::SecretString::from(smtp), "weft@acme.example")
            .unwrap(),
        weft_hub::mail::parse_addresses(&["ops@acme.example".to_owned()]).unwrap(),
    );
    let (public_url, network) = network_to(url.clone()).await;
    hub.policy.public_url = public_url;
    configure(&mut hub);
    let members = super::team(&store).await;
    let runtime = weft_hub::background::start(
        hub.clone(),
        RuntimeConfig {
            probe_interval: Duration::from_secs(3600),
            scheduler_tick: Duration::from_millis(100),
            worker: WorkerConfig {
                poll: Duration::from_millis(50),
                ..RuntimeConfig::default().worker
            },
            ..RuntimeConfig::default()
        },
        Registry::new(),
    )
    .await
    .unwrap();
    tokio::spawn(weft_server::serve(
        super::state(hub.clone()),
        listener,
        std::future::pending(),
    ));
    let http = reqwest::Client::new();
    let account = sim.sim.read().accounts[0].id().to_owned();
    let token: Value = http
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"accountId": account, "scopes": ["Default", "amReadWriteUser", "amReadWriteInvitation", "amReadOnlyAuditLog"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wrike_token = token["accessToken"].as_str().unwrap().to_owned();
    weft_hub::connections::add(
        &hub,
        "test",
        "acme-analytics",
        &sim.api_url(0),
        secrecy::SecretString::from(wrike_token.clone()),
        vec![
            Feature::WriteWork,
            Feature::Webhooks,
            Feature::UsageAnalytics,
            Feature::Reclaim,
            Feature::Invitations,
        ],
    )
    .await
    .unwrap();
    World {
        sim,
        url,
        network,
        hub,
        members,
        account,
        http,
        mails,
        wrike_token,
        _runtime: runtime,
    }
}

pub fn example(name: &str) -> Value {
    let path = format!(
        "{}/../../examples/recipes/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    json!({"file": format!("{name}.yaml"), "source": std::fs::read_to_string(path).unwrap()})
}

/// The first task of the "IT Requests" folder and its status.
pub async fn a_task(w: &World) -> (String, String) {
    let tasks = w.wrike("folders/IEAAAAARI4AAAADO/tasks").await;
    let task = tasks["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "Active")
        .expect("an active task")
        .clone();
    (
        task["id"].as_str().unwrap().to_owned(),
        task["status"].as_str().unwrap().to_owned(),
    )
}

pub async fn sign_and_post(
    w: &World,
    path: &str,
    header: &str,
    secret: &[u8],
    body: &str,
) -> (u16, Value) {
    let response = w
        .http
        .post(format!("{}{path}", w.url))
        .header(header, wrike_api::webhook::sign(secret, body.as_bytes()))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Calls an `http` trigger's endpoint with `body`, signed with its secret as shown, under
/// the call id `id`.
pub async fn call_inbound(
    w: &World,
    path: &str,
    secret: &str,
    body: &str,
    id: &str,
) -> (u16, Value) {
    let mut request = w
        .http
        .post(format!("{}{path}", w.url))
        .body(body.to_owned());
    let now = chrono::Utc::now().timestamp();
    for (name, value) in
        weft_hub::recipes::inbound::signed_headers(secret, id, now, body.as_bytes())
    {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The stored secret of a recipe's hook, opened with the hub's key (what Wrike was given).
pub async fn hook_secret(w: &World, recipe: &str) -> (String, Vec<u8>) {
    let record = w
        .hub
        .store
        .recipes()
        .by_name(recipe)
        .await
        .unwrap()
        .unwrap();
    let hook = w
        .hub
        .store
        .recipes()
        .hook_of(record.id)
        .await
        .unwrap()
        .expect("a hook");
    let secret = w
        .hub
        .key()
        .unwrap()
        .open(&format!("recipe-hook:{}", hook.token), &hook.secret)
        .unwrap();
    (hook.token, secret)
}
