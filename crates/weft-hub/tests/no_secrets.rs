//! No secret reaches an error, a health message, a log line, an alert or the database: a
//! token endpoint whose answer carries fresh tokens but fails to decode (an `expires_in` no
//! token has) breaks the connection with a clear message, and the tokens it sent are found
//! nowhere.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use weft_core::secrets::SecretKey;
use weft_hub::{Hub, health};
use weft_store::{ConnectionKind, NewConnection, SealedTokens, Store, WrikeIdentity};
use wrike_api::{OAuthClient, OAuthConfig};

const LEAKED: &str = "LEAKED-9f2c41e7";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            found.push(path.display().to_string());
        }
    }
    found
}

// One thread, so the log capture sees every task of the test.
#[tokio::test]
async fn a_token_answer_that_fails_to_decode_leaks_nothing() {
    let captured = Captured::default();
    let writer = captured.clone();
    let _logs = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish(),
    );
    let alerts: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = alerts.clone();
    let receiver = serve(axum::Router::new().route(
        "/alerts",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(v) }
        }),
    ))
    .await;

    let url = weft_store::testing::temp_sqlite_url("no-secrets");
    let dir = std::path::PathBuf::from(url.trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_owned();
    let store = Arc::new(Store::open(&url).await.unwrap());
    let key = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
    let mut hub = Hub::new(store.clone(), key.clone());
    hub.policy.allow_any_wrike_host = true;
    // Broken at once, so the alert (and its payload) is made.
    hub.policy.transient_grace_s = 0;
    hub.alerter = weft_hub::alerts::Alerter::new(Some(format!("{receiver}/alerts")));
    // Token endpoints that answer a refresh with fresh tokens and then something wrong: a
    // lifetime no token has, or a field of the wrong shape.
    let answers = [
        json!({"access_token": format!("{LEAKED}-access"), "refresh_token": format!("{LEAKED}-refresh"), "token_type": "bearer", "expires_in": "999999999999999"}),
        json!({"access_token": format!("{LEAKED}-access"), "refresh_token": format!("{LEAKED}-refresh"), "expires_in": {"seconds": LEAKED}}),
    ];
    for (n, answer) in answers.into_iter().enumerate() {
        let wrike = serve(axum::Router::new().route(
            "/oauth2/token",
            axum::routing::post(move || {
                let answer = answer.clone();
                async move { axum::Json(answer) }
            }),
        ))
        .await;
        hub.oauth = Some(OAuthClient::new(
            OAuthConfig::with_login_base(&wrike, "hub", "s".to_owned().into(), None).unwrap(),
            reqwest::Client::new(),
        ));
        let id = format!("conn_leaky{n}");
        let id = id.as_str();
        let connection = store
            .connections()
            .create(NewConnection {
                id: id.into(),
                name: format!("leaky-{n}"),
                kind: ConnectionKind::OAuth,
                api_base: format!("{wrike}/api/v4/"),
                identity: WrikeIdentity::default(),
                scopes: vec!["Default".into()],
                features: vec![],
                tokens: SealedTokens {
                    access_token: key.seal(id, b"old-access"),
                    refresh_token: Some(key.seal(id, b"old-refresh")),
                    // Expired: the probe refreshes first.
                    expires_at: Some(1),
                },
                created_at: 1,
                created_by: "test".into(),
            })
            .await
            .unwrap();

        let after = health::probe(&hub, &connection).await.unwrap();
        let message = after.message.clone().unwrap_or_default();
        assert!(!after.is_healthy());
        let clear = if n == 0 {
            message.contains("expires_in") && message.contains("not a token lifetime")
        } else {
            message.contains("the OAuth token response") && message.contains("unexpected shape")
        };
        assert!(clear, "a clear error: {message}");
        assert!(!message.contains(LEAKED), "{message}");
        let stored = store.connections().list().await.unwrap();
        assert!(
            !serde_json::to_string(&stored).unwrap().contains(LEAKED),
            "the API's view"
        );

        for _ in 0..50 {
            if alerts.lock().unwrap().len() > n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let sent = alerts.lock().unwrap().clone();
        assert_eq!(sent.len(), n + 1, "the breakage alerted");
        assert!(!sent[n].to_string().contains(LEAKED), "{}", sent[n]);
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("connection broken"),
        "the logs were captured: {logs}"
    );
    assert!(!logs.contains(LEAKED), "{logs}");
    drop(store);
    assert_eq!(
        files_containing(&dir, LEAKED),
        Vec::<String>::new(),
        "nor the database"
    );
}
