//! Shared set-up: a hub on a fresh SQLite file with one user per role, each with a session
//! and an API token.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use weft_core::roles::Role;
use weft_core::secrets::SecretKey;
use weft_hub::Hub;
use weft_hub::alerts::Alerter;
use weft_server::{AppState, ServerConfig};
use weft_store::{ApiToken, NewSession, NewUser, Store};

pub struct Member {
    pub role: Role,
    pub username: String,
    pub session: String,
    pub csrf: String,
    pub api_token: String,
}

pub fn sha(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

pub async fn store(name: &str) -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join(format!("weft-server-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Arc::new(
        weft_store_sqlite::SqliteStore::open(&format!(
            "sqlite://{}",
            dir.join("weft.db").display()
        ))
        .await
        .unwrap(),
    )
}

/// A fresh PostgreSQL schema when `WEFT_TEST_POSTGRES_URL` is set (CI), else SQLite: the
/// end-to-end server tests run on the backend several instances would share.
pub async fn shared_store(name: &str) -> Arc<dyn Store> {
    let Ok(url) = std::env::var("WEFT_TEST_POSTGRES_URL") else {
        return store(name).await;
    };
    let schema = format!("weft_srv_{}_{}", std::process::id(), name.replace('-', "_"));
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("WEFT_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    Arc::new(
        weft_store_postgres::PostgresStore::open(&format!(
            "{url}{separator}options=-csearch_path%3D{schema}"
        ))
        .await
        .unwrap(),
    )
}

pub async fn hub(
    name: &str,
    oauth: Option<wrike_api::OAuthClient>,
    alert_webhook: Option<String>,
) -> Hub {
    hub_on(store(name).await, oauth, alert_webhook)
}

pub fn hub_on(
    store: Arc<dyn Store>,
    oauth: Option<wrike_api::OAuthClient>,
    alert_webhook: Option<String>,
) -> Hub {
    Hub {
        store,
        key: SecretKey::from_hex(&SecretKey::generate_hex()).unwrap(),
        oauth,
        alerter: Alerter::new(alert_webhook),
    }
}

pub fn state(hub: Hub, probe_interval: Duration) -> AppState {
    AppState {
        hub,
        config: Arc::new(ServerConfig {
            probe_interval,
            ..ServerConfig::default()
        }),
        metrics: weft_server::metrics_handle(),
    }
}

/// One user per role, signed in, with an API token.
pub async fn team(store: &dyn Store) -> Vec<Member> {
    let mut out = Vec::new();
    for role in [Role::Admin, Role::Analyst, Role::Operator] {
        let username = role.as_str().to_owned();
        let id = format!("u-{username}");
        let hash = weft_hub::users::hash_password(&secrecy::SecretString::from(format!(
            "{username}-password"
        )))
        .unwrap();
        store
            .create_user(NewUser {
                id: id.clone(),
                username: username.clone(),
                password_hash: hash,
                role,
                created_at: 1,
            })
            .await
            .unwrap();
        let (session, csrf, api_token) = (
            format!("session-{username}"),
            format!("csrf-{username}"),
            format!("wft_token-{username}"),
        );
        store
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
            .create_api_token(ApiToken {
                id: format!("t-{username}"),
                user_id: id,
                name: "test".into(),
                token_hash: sha(&api_token),
                created_at: 1,
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

/// The simulator and a running hub whose OAuth app is registered with it, with one signed-in
/// user per role. Returns the simulator, the hub's base URL and its store.
pub async fn oauth_hub(name: &str) -> (wrike_sim::RunningSim, String, Arc<dyn Store>) {
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            users: 20,
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
    let hub = hub_on(
        shared_store(name).await,
        Some(wrike_api::OAuthClient::new(config, reqwest::Client::new())),
        None,
    );
    let store = hub.store.clone();
    team(store.as_ref()).await;
    tokio::spawn(weft_server::serve(
        state(hub, Duration::from_secs(3600)),
        listener,
        std::future::pending(),
    ));
    (sim, base, store)
}
