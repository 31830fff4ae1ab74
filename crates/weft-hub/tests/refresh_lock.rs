//! Two callers refresh the same expiring OAuth connection at the same moment: exactly one
//! refresh reaches Wrike, one rotation is stored, and both end up with the same working
//! access token. On PostgreSQL the callers are two hub instances (two pools on one
//! database); on SQLite they share one instance, as the monitor, "Check now" and the API do.

use std::sync::Arc;
use std::time::Duration;

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

/// The simulator, and an OAuth connection stored in `store` whose access token has
/// expired, so its next use refreshes.
struct Expired {
    sim: wrike_sim::RunningSim,
    issued: Value,
    key: SecretKey,
    oauth: OAuthClient,
}

const ID: &str = "conn_race";

impl Expired {
    async fn new(store: &Store) -> Expired {
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
        http.post(format!("{}/_sim/oauth_clients", sim.base_url()))
            .json(&json!({"clientId": "hub", "clientSecret": "s", "redirectUris": ["http://127.0.0.1:9/cb"]}))
            .send()
            .await
            .unwrap();
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
        store
            .connections()
            .create(NewConnection {
                id: ID.into(),
                name: "race".into(),
                kind: ConnectionKind::OAuth,
                api_base: format!("{}/", issued["apiUrl"].as_str().unwrap()),
                identity: WrikeIdentity::default(),
                scopes: vec!["Default".into()],
                features: vec![],
                tokens: SealedTokens {
                    access_token: key.seal(ID, issued["accessToken"].as_str().unwrap().as_bytes()),
                    refresh_token: Some(
                        key.seal(ID, issued["refreshToken"].as_str().unwrap().as_bytes()),
                    ),
                    expires_at: Some(1),
                },
                created_at: 1,
                created_by: "test".into(),
            })
            .await
            .unwrap();
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
        Expired {
            sim,
            issued,
            key,
            oauth,
        }
    }

    fn source(&self, store: &Arc<Store>) -> StoredOAuthTokens {
        StoredOAuthTokens {
            store: store.clone(),
            key: self.key.clone(),
            clock: Arc::new(SystemClock),
            connection_id: ID.into(),
            oauth: self.oauth.clone(),
            host: Some(self.issued["host"].as_str().unwrap().into()),
            secrets: Arc::default(),
        }
    }

    async fn refreshes(&self) -> usize {
        let log: Value = reqwest::get(format!("{}/_sim/requests", self.sim.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"] == "/oauth2/token")
            .count()
    }

    /// Calls Wrike with `source`'s token: it must work.
    async fn works(&self, source: StoredOAuthTokens) {
        let client = wrike_api::WrikeClient::new(
            wrike_api::ApiBase::from_url(self.issued["apiUrl"].as_str().unwrap()).unwrap(),
            Arc::new(source),
            wrike_api::ClientConfig {
                requests_per_minute: 0,
                ..Default::default()
            },
        );
        client.account(&[]).await.unwrap();
    }
}

async fn race(first: Arc<Store>, second: Arc<Store>) {
    let setup = Expired::new(&first).await;
    let before = first.connections().secrets(ID).await.unwrap().version;
    let (a, b) = (setup.source(&first), setup.source(&second));
    let (token_a, token_b) = tokio::join!(a.access_token(), b.access_token());
    let (token_a, token_b) = (token_a.unwrap(), token_b.unwrap());
    assert_eq!(
        token_a.expose_secret(),
        token_b.expose_secret(),
        "both callers use the one new token"
    );
    assert_ne!(
        token_a.expose_secret(),
        setup.issued["accessToken"].as_str().unwrap()
    );
    assert_eq!(
        second.connections().secrets(ID).await.unwrap().version,
        before + 1,
        "one rotation stored"
    );
    assert_eq!(
        setup.refreshes().await,
        1,
        "exactly one refresh reached Wrike"
    );
    setup.works(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_whose_caller_gave_up_still_stores_the_rotated_tokens() {
    let store = Arc::new(
        weft_store::testing::temp_sqlite("refresh-gave-up")
            .await
            .unwrap(),
    );
    let setup = Expired::new(&store).await;
    let before = store.connections().secrets(ID).await.unwrap().version;
    // Wrike takes a second and a half to answer the refresh; the caller waits 200 ms.
    reqwest::Client::new()
        .post(format!("{}/_sim/faults", setup.sim.base_url()))
        .json(&json!({"kind": "slow", "count": 1, "delayMs": 1500, "pathPrefix": "/oauth2/token"}))
        .send()
        .await
        .unwrap();
    let impatient = setup.source(&store);
    let gave_up = tokio::time::timeout(Duration::from_millis(200), impatient.access_token()).await;
    assert!(gave_up.is_err(), "the caller gave up before Wrike answered");
    // Wrike rotated the refresh token when it answered; the answer was stored anyway.
    for _ in 0..50 {
        if store.connections().secrets(ID).await.unwrap().version > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        store.connections().secrets(ID).await.unwrap().version,
        before + 1,
        "the rotated pair was stored after the caller left"
    );
    // The next caller uses the stored pair without refreshing again, and it works.
    setup.works(setup.source(&store)).await;
    assert_eq!(setup.refreshes().await, 1);
}
