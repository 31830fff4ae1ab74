//! Shared set-up: a hub on a fresh SQLite file with one user per role, each with a session
//! and an API token.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use weft_core::roles::Role;
use weft_core::secrets::SecretKey;
use weft_hub::Hub;
use weft_hub::alerts::Alerter;
use weft_hub::runtime::{Registry, Runtime, RuntimeConfig, WorkerConfig};
use weft_server::{AppState, ServerConfig};
use weft_store::{ApiToken, NewSession, NewUser, Store};

pub mod world;

pub struct Member {
    pub role: Role,
    pub username: String,
    pub session: String,
    pub csrf: String,
    pub api_token: String,
}

pub fn sha(text: &str) -> String {
    weft_hub::access::hash_secret(text)
}

/// A fresh SQLite store.
pub async fn store(name: &str) -> Arc<Store> {
    Arc::new(
        weft_store::testing::temp_sqlite(&format!("server-{name}"))
            .await
            .unwrap(),
    )
}

/// A fresh store on every backend the tests may use (SQLite, and PostgreSQL when
/// `WEFT_TEST_POSTGRES_URL` names a database): the end-to-end tests run on each.
pub async fn every_store(name: &str) -> Vec<Arc<Store>> {
    weft_store::testing::every_backend(&format!("srv_{name}"))
        .await
        .into_iter()
        .map(Arc::new)
        .collect()
}

/// A fresh PostgreSQL schema when `WEFT_TEST_POSTGRES_URL` is set (CI), else SQLite: the
/// browser test runs on the backend several instances would share.
pub async fn shared_store(name: &str) -> Arc<Store> {
    match weft_store::testing::postgres_url() {
        Some(url) => Arc::new(
            weft_store::testing::postgres(&url, &format!("srv_{name}"))
                .await
                .expect("the PostgreSQL test database"),
        ),
        None => store(name).await,
    }
}

pub async fn hub(
    name: &str,
    oauth: Option<wrike_api::OAuthClient>,
    alert_webhook: Option<String>,
) -> Hub {
    hub_on(store(name).await, oauth, alert_webhook)
}

pub fn hub_on(
    store: Arc<Store>,
    oauth: Option<wrike_api::OAuthClient>,
    alert_webhook: Option<String>,
) -> Hub {
    let mut hub = Hub::new(
        store,
        SecretKey::from_hex(&SecretKey::generate_hex()).unwrap(),
    );
    // The simulator and the tests' own endpoints run on loopback.
    hub.policy.allow_any_wrike_host = true;
    hub.policy.recipe_http =
        weft_hub::egress::PrivateHosts::parse(&["127.0.0.1".to_owned()]).unwrap();
    hub.oauth = oauth;
    hub.alerter = Alerter::new(alert_webhook);
    hub
}

pub fn state(hub: Hub) -> AppState {
    AppState {
        hub,
        config: Arc::new(ServerConfig::default()),
        metrics: weft_server::metrics_handle(),
    }
}

/// A hub served on loopback with its runtime; the runtime stops when this is dropped.
pub struct Served {
    pub url: String,
    _runtime: Runtime,
}

/// Serves the hub on a free loopback port with a runtime beside it (probing every
/// `probe`).
pub async fn start(hub: Hub, probe: Duration) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    start_on(listener, hub, probe).await
}

/// The same on a listener bound already (when the hub's URL must be known before it is
/// built, as an identity provider's redirect URI is).
pub async fn start_on(listener: tokio::net::TcpListener, hub: Hub, probe: Duration) -> Served {
    let url = format!("http://{}", listener.local_addr().unwrap());
    let runtime = weft_hub::background::start(
        hub.clone(),
        RuntimeConfig {
            probe_interval: probe.max(Duration::from_secs(1)),
            scheduler_tick: Duration::from_millis(100),
            worker: WorkerConfig {
                poll: Duration::from_millis(100),
                ..RuntimeConfig::default().worker
            },
            ..RuntimeConfig::default()
        },
        Registry::new(),
    )
    .await
    .unwrap();
    tokio::spawn(weft_server::serve(
        state(hub),
        listener,
        std::future::pending(),
    ));
    Served {
        url,
        _runtime: runtime,
    }
}

/// One user per role, signed in, with an API token.
pub async fn team(store: &Store) -> Vec<Member> {
    let mut out = Vec::new();
    for role in [Role::Admin, Role::Analyst, Role::Operator] {
        let username = role.as_str().to_owned();
        let id = format!("u-{username}");
        let hash = weft_hub::access::hash_password(&secrecy::SecretString::from(format!(
            "{username}-password"
        )))
        .await
        .unwrap();
        store
            .access()
            .create_user(NewUser {
                id: id.clone(),
                username: username.clone(),
                password_hash: hash,
                role,
                created_at: 1,
                sign_in: weft_store::SignInMethod::Password,
            })
            .await
            .unwrap();
        let (session, csrf, api_token) = (
            format!("session-{username}"),
            format!("csrf-{username}"),
            format!("wft_token-{username}"),
        );
        store
            .access()
            .create_session(NewSession {
                id_hash: sha(&session),
                user_id: id.clone(),
                csrf: csrf.clone(),
                created_at: 1,
                expires_at: i64::MAX / 2,
            })
            .await
            .unwrap();
        store
            .access()
            .create_api_token(ApiToken {
                id: format!("t-{username}"),
                user_id: id,
                name: "test".into(),
                token_hash: sha(&api_token),
                created_at: 1,
                expires_at: None,
                last_used_at: None,
            })
            .await
            .unwrap();
        out.push(Member {
            role,
            username,
            session,
            csrf,
            api_token,
        });
    }
    out
}

/// Opens again the sessions `team` opened (after a test signed them out).
pub async fn restore_sessions(store: &Store, members: &[Member]) {
    for member in members {
        let id_hash = sha(&member.session);
        if store
            .access()
            .session_user(&id_hash, 2)
            .await
            .unwrap()
            .is_some()
        {
            continue;
        }
        store
            .access()
            .create_session(NewSession {
                id_hash,
                user_id: format!("u-{}", member.username),
                csrf: member.csrf.clone(),
                created_at: 1,
                expires_at: i64::MAX / 2,
            })
            .await
            .unwrap();
    }
}

/// The simulator (300 people, no rate limit) and a hub served on loopback with a runtime
/// beside it and OAuth pointed at the simulator, with one signed-in user per role
/// (`team`). Returns the simulator, the hub's base URL, its store and its runtime (which
/// stops when dropped).
pub async fn oauth_hub(name: &str) -> (wrike_sim::RunningSim, String, Arc<Store>, Runtime) {
    oauth_hub_on(shared_store(name).await).await
}

/// The same on a given store.
pub async fn oauth_hub_on(
    store: Arc<Store>,
) -> (wrike_sim::RunningSim, String, Arc<Store>, Runtime) {
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            users: 300,
            rate_limit_per_minute: 0,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let callback = format!("{base}/connections/oauth/callback");
    reqwest::Client::new()
        .post(format!("{}/_sim/oauth_clients", sim.base_url()))
        .json(&serde_json::json!({"clientId": "hub", "clientSecret": "hub-secret", "redirectUris": [callback]}))
        .send()
        .await
        .unwrap();
    let config = wrike_api::OAuthConfig::with_login_base(
        &sim.base_url(),
        "hub",
        secrecy::SecretString::from("hub-secret"),
        Some(callback),
    )
    .unwrap();
    let mut hub = hub_on(
        store,
        Some(wrike_api::OAuthClient::new(config, reqwest::Client::new())),
        None,
    );
    hub.policy.requests_per_minute = 0;
    hub.policy.public_url = base.clone();
    let store = hub.store.clone();
    team(&store).await;
    let runtime = weft_hub::background::start(
        hub.clone(),
        RuntimeConfig {
            probe_interval: Duration::from_secs(3600),
            scheduler_tick: Duration::from_millis(200),
            worker: WorkerConfig {
                poll: Duration::from_millis(100),
                ..RuntimeConfig::default().worker
            },
            ..RuntimeConfig::default()
        },
        Registry::new(),
    )
    .await
    .unwrap();
    tokio::spawn(weft_server::serve(
        state(hub),
        listener,
        std::future::pending(),
    ));
    (sim, base, store, runtime)
}

/// One message an SMTP client handed over.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent.
    pub data: String,
}

/// A minimal SMTP server on loopback that accepts every message and keeps it: enough of the
/// protocol (RFC 5321) for a real client to deliver. Returns its `smtp://` URL.
#[allow(dead_code)]
pub async fn smtp_sink() -> (String, Arc<std::sync::Mutex<Vec<Mail>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let kept: Arc<std::sync::Mutex<Vec<Mail>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let sink = kept.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut mail = Mail {
                    from: String::new(),
                    to: Vec::new(),
                    data: String::new(),
                };
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if let Some(from) = upper.strip_prefix("MAIL FROM:") {
                        mail.from = line[line.len() - from.len()..].trim().to_owned();
                        b"250 OK\r\n"
                    } else if let Some(to) = upper.strip_prefix("RCPT TO:") {
                        mail.to
                            .push(line[line.len() - to.len()..].trim().to_owned());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        let _ = write.write_all(b"354 go on\r\n").await;
                        while let Ok(Some(body)) = lines.next_line().await {
                            if body == "." {
                                break;
                            }
                            mail.data.push_str(body.strip_prefix('.').unwrap_or(&body));
                            mail.data.push('\n');
                        }
                        let done = std::mem::replace(
                            &mut mail,
                            Mail {
                                from: String::new(),
                                to: Vec::new(),
                                data: String::new(),
                            },
                        );
                        sink.lock().unwrap().push(done);
                        b"250 kept\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        // RSET, NOOP and anything else.
                        b"250 OK\r\n"
                    };
                    if write.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (url, kept)
}

/// Connects `hub`, as `acme`, to the simulator's first account signed in as `user_id` with
/// `scopes`.
pub async fn connect_sim(
    hub: &Hub,
    sim: &wrike_sim::RunningSim,
    user_id: &str,
    scopes: &[&str],
) -> weft_store::Connection {
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&serde_json::json!({"userId": user_id, "scopes": scopes}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    weft_hub::connections::add(
        hub,
        "test",
        "acme",
        token["apiUrl"].as_str().unwrap(),
        secrecy::SecretString::from(token["accessToken"].as_str().unwrap().to_owned()),
        vec![],
    )
    .await
    .unwrap()
    .connection
}

/// Syncs `connection` now, waiting while a served hub's own worker syncs it.
pub async fn sync_when_free(
    hub: &Hub,
    connection: &weft_store::Connection,
) -> weft_hub::usage::SyncReport {
    for _ in 0..100 {
        match weft_hub::usage::sync::run(
            hub,
            connection,
            "t",
            &weft_hub::usage::SyncOptions::default(),
            Arc::new(weft_hub::usage::Silent),
            tokio_util::sync::CancellationToken::new(),
        )
        .await
        {
            Err(weft_hub::error::HubError::Busy(_)) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other.unwrap(),
        }
    }
    panic!("the connection stayed busy");
}

/// An HTTP endpoint of "another system" on loopback: the JSON bodies POSTed to it.
#[allow(dead_code)]
pub async fn receiver() -> (String, Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = received.clone();
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let kept = kept.clone();
        async move {
            kept.lock()
                .unwrap()
                .push(serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null));
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

/// A small simulated Wrike (six people an account, no rate limit) whose clock reads `now`,
/// for tests that plant the people they judge.
#[allow(dead_code)]
pub async fn small_sim(now: chrono::DateTime<chrono::Utc>) -> wrike_sim::RunningSim {
    wrike_sim::start(
        wrike_sim::SimConfig {
            users: 6,
            rate_limit_per_minute: 0,
            now: Some(now),
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap()
}
