//! Two callers refresh the same expiring OAuth connection at the same moment: exactly one
//! refresh reaches Wrike, one rotation is stored, and both end up with the same working
//! access token. On PostgreSQL the callers are two hub instances (two pools on one
//! database); on SQLite they share one instance, as the monitor, "Check now" and the API do.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use weft_core::clock::SystemClock;
use weft_core::secrets::SecretKey;
use weft_hub::oauth_tokens::StoredOAuthTokens;
use weft_store::{ConnectionKind, NewConnection, SealedTokens, Store, WrikeIdentity};
use wrike_api::{OAuthClient, OAuthConfig, TokenSource};
use wrike_sim::{Listen, SimConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_reaches_wrike_when_two_callers_race() {
    let mut pairs: Vec<(Arc<Store>, Arc<Store>)> = Vec::new();
    let sqlite = Arc::new(
        weft_store::testing::temp_sqlite("refresh-race")
            .await
            .unwrap(),
    );
    pairs.push((sqlite.clone(), sqlite));
    if let Some(url) = weft_store::testing::postgres_url() {
        let database = weft_store::testing::postgres_schema_url(&url, "refresh_race")
            .await
            .unwrap();
        pairs.push((
            Arc::new(Store::open(&database).await.unwrap()),
            Arc::new(Store::open(&database).await.unwrap()),
        ));
    }
    for (first, second) in pairs {
        race(first, second).await;
    }
}

async fn race(first: Arc<Store>, second: Arc<Store>) {
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
        .connections()
        .create(NewConnection {
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
    let before = first.connections().secrets(id).await.unwrap().version;

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
    let source = |store: &Arc<Store>| StoredOAuthTokens {
        store: store.clone(),
        key: key.clone(),
        clock: Arc::new(SystemClock),
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
        second.connections().secrets(id).await.unwrap().version,
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
}
