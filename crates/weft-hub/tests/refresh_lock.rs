//! Two hub instances sharing PostgreSQL refresh the same expiring OAuth connection at the
//! same moment: exactly one refresh reaches Wrike, one rotation is stored, and both
//! instances end up with the same working access token. Needs `WEFT_TEST_POSTGRES_URL`.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use weft_core::secrets::SecretKey;
use weft_hub::oauth_tokens::StoredOAuthTokens;
use weft_store::{ConnectionKind, NewConnection, SealedTokens, Store, WrikeIdentity};
use weft_store_postgres::PostgresStore;
use wrike_api::{OAuthClient, OAuthConfig, TokenSource};
use wrike_sim::{Listen, SimConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_reaches_wrike_when_two_instances_race() {
    let Ok(url) = std::env::var("WEFT_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: set WEFT_TEST_POSTGRES_URL to test refresh locking across instances");
        return;
    };
    let schema = format!("weft_lock_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
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
    let database = format!("{url}{separator}options=-csearch_path%3D{schema}");
    // Two instances: two pools on the same database.
    let first: Arc<dyn Store> = Arc::new(PostgresStore::open(&database).await.unwrap());
    let second: Arc<dyn Store> = Arc::new(PostgresStore::open(&database).await.unwrap());

    let sim = wrike_sim::start(
        SimConfig {
            users: 10,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    http.post(format!("{}/_sim/oauth_clients", sim.base_url())).json(&json!({"clientId": "hub", "clientSecret": "s", "redirectUris": ["http://127.0.0.1:9/cb"]})).send().await.unwrap();
    let issued: Value = http
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"kind": "oauth", "clientId": "hub"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
    let id = "conn_race";
    first
        .create_connection(NewConnection {
            id: id.into(),
            name: "race".into(),
            kind: ConnectionKind::OAuth,
            api_base: format!("{}/", issued["apiUrl"].as_str().unwrap()),
            identity: WrikeIdentity::default(),
            scopes: vec!["Default".into()],
            features: vec![],
            // Already expired, so both instances decide to refresh.
            tokens: SealedTokens {
                access_token: key.seal(id, issued["accessToken"].as_str().unwrap().as_bytes()),
                refresh_token: Some(
                    key.seal(id, issued["refreshToken"].as_str().unwrap().as_bytes()),
                ),
                expires_at: Some(1),
            },
            created_at: 1,
            created_by: "test".into(),
        })
        .await
        .unwrap();
    let before = first.connection_secrets(id).await.unwrap().version;

    let oauth = OAuthClient::new(
        OAuthConfig::with_login_base(
            &sim.base_url(),
            "hub",
            SecretString::from("s"),
            Some("http://127.0.0.1:9/cb".into()),
        )
        .unwrap(),
        reqwest::Client::new(),
    );
    let source = |store: &Arc<dyn Store>| StoredOAuthTokens {
        store: store.clone(),
        key: key.clone(),
        connection_id: id.into(),
        oauth: oauth.clone(),
        host: Some(issued["host"].as_str().unwrap().into()),
    };
    let (a, b) = (source(&first), source(&second));
    let (token_a, token_b) = tokio::join!(a.access_token(), b.access_token());
    let (token_a, token_b) = (token_a.unwrap(), token_b.unwrap());
    assert_eq!(
        token_a.expose_secret(),
        token_b.expose_secret(),
        "both instances use the one new token"
    );
    assert_ne!(
        token_a.expose_secret(),
        issued["accessToken"].as_str().unwrap()
    );
    assert_eq!(
        second.connection_secrets(id).await.unwrap().version,
        before + 1,
        "one rotation stored"
    );

    let log: Value = http
        .get(format!("{}/_sim/requests", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refreshes = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/oauth2/token")
        .count();
    assert_eq!(refreshes, 1, "exactly one refresh reached Wrike");
    // The token works.
    let client = wrike_api::WrikeClient::new(
        wrike_api::ApiBase::from_url(issued["apiUrl"].as_str().unwrap()).unwrap(),
        Arc::new(a),
        wrike_api::ClientConfig {
            requests_per_minute: 0,
            ..Default::default()
        },
    );
    client.account(&[]).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
}
