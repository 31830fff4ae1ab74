//! The access lifecycle and the hardening of the hub, over real HTTP with its runtime (so
//! the read caches are live): disabled, removed and re-passworded users are locked out at
//! once; tokens are named, expire, record their use and are revoked; failed sign-ins are
//! recorded with their source and throttled; `next=` never leaves the hub; every page
//! carries the security headers; cookies are `Secure` and `__Host-` over HTTPS; new tokens
//! are never cached; `/metrics` can need a token; connections are addressed by id; and a
//! burst of sign-ins leaves the server answering.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tower::ServiceExt;
use weft_server::{AppState, ServerConfig};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(full: &str) -> String {
    full.split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Posts the sign-in form; returns the answer.
async fn sign_in(base: &str, username: &str, password: &str, next: &str) -> reqwest::Response {
    let http = client();
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let login = cookie_value(&set_cookie(&page, "weft_login").unwrap());
    let html = page.text().await.unwrap();
    http.post(format!("{base}/login"))
        .header(header::COOKIE, format!("weft_login={login}"))
        .form(&[
            ("login_csrf", field(&html, "login_csrf").as_str()),
            ("next", next),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

async fn api(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_removed_and_repassworded_users_are_locked_out_at_once() {
    for store in common::every_store("lockout").await {
        let hub = common::hub_on(store.clone(), None, None);
        common::team(&store).await;
        let served = common::start(hub, Duration::from_secs(3600)).await;
        let base = served.url.clone();
        // Let the runtime's watcher make the caches live, and warm them.
        tokio::time::sleep(store.propagation_delay()).await;
        let (status, _) = api(
            &base,
            reqwest::Method::GET,
            "/api/v1/me",
            "wft_token-analyst",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let page = client()
            .get(format!("{base}/"))
            .header(header::COOKIE, "weft_session=session-analyst")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);

        // Disabled: refused on the very next call, by token and by session.
        let (status, body) = api(
            &base,
            reqwest::Method::PATCH,
            "/api/v1/users/analyst",
            "wft_token-admin",
            Some(json!({"disabled": true})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["disabledAt"].is_string());
        let (status, _) = api(
            &base,
            reqwest::Method::GET,
            "/api/v1/me",
            "wft_token-analyst",
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the disabled user's token"
        );
        let page = client()
            .get(format!("{base}/"))
            .header(header::COOKIE, "weft_session=session-analyst")
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            StatusCode::SEE_OTHER,
            "the disabled user's session"
        );
        // Enabled again: the token works again (the sessions were ended).
        api(
            &base,
            reqwest::Method::PATCH,
            "/api/v1/users/analyst",
            "wft_token-admin",
            Some(json!({"disabled": false})),
        )
        .await;
        let (status, _) = api(
            &base,
            reqwest::Method::GET,
            "/api/v1/me",
            "wft_token-analyst",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        // A role change takes effect at once.
        let (status, _) = api(
            &base,
            reqwest::Method::GET,
            "/api/v1/connections",
            "wft_token-analyst",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        api(
            &base,
            reqwest::Method::PATCH,
            "/api/v1/users/analyst",
            "wft_token-admin",
            Some(json!({"role": "operator"})),
        )
        .await;
        let (status, _) = api(
            &base,
            reqwest::Method::GET,
            "/api/v1/connections",
            "wft_token-analyst",
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "operators see no connections"
        );

        // A reset password ends the user's sessions and replaces the old password.
        let opened = sign_in(&base, "operator", "operator-password", "/").await;
        let session = cookie_value(&set_cookie(&opened, "weft_session").unwrap());
        let (status, _) = api(
            &base,
            reqwest::Method::POST,
            "/api/v1/users/operator/password",
            "wft_token-admin",
            Some(json!({"password": "a-brand-new-password"})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let page = client()
            .get(format!("{base}/"))
            .header(header::COOKIE, format!("weft_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::SEE_OTHER, "ended by the reset");
        assert_eq!(
            sign_in(&base, "operator", "operator-password", "/")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in(&base, "operator", "a-brand-new-password", "/")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );

        // One's own password: the current one must be right.
        let (status, body) = api(
            &base,
            reqwest::Method::POST,
            "/api/v1/me/password",
            "wft_token-operator",
            Some(json!({"current": "wrong", "new": "yet-another-password"})),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("the current password is wrong")
            )
        );
        let (status, _) = api(
            &base,
            reqwest::Method::POST,
            "/api/v1/me/password",
            "wft_token-operator",
            Some(json!({"current": "a-brand-new-password", "new": "yet-another-password"})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // The last enabled Admin cannot be disabled, demoted or removed.
        for (method, path, body) in [
            (
                reqwest::Method::PATCH,
                "/api/v1/users/admin",
                Some(json!({"disabled": true})),
            ),
            (
                reqwest::Method::PATCH,
                "/api/v1/users/admin",
                Some(json!({"role": "analyst"})),
            ),
            (reqwest::Method::DELETE, "/api/v1/users/admin", None),
        ] {
            let (status, answer) = api(&base, method, path, "wft_token-admin", body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{answer}");
            assert!(
                answer["error"]
                    .as_str()
                    .unwrap()
                    .contains("only enabled Admin")
            );
        }

        // Removed: gone at once, tokens and all.
        let (status, _) = api(
            &base,
            reqwest::Method::DELETE,
            "/api/v1/users/operator",
            "wft_token-admin",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = api(
            &base,
            reqwest::Method::GET,
            "/api/v1/me",
            "wft_token-operator",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let trail = store.trail().latest(50).await.unwrap();
        for action in [
            "user.disable",
            "user.enable",
            "user.role",
            "user.password_reset",
            "user.password_change",
            "user.remove",
        ] {
            assert!(
                trail
                    .iter()
                    .any(|e| e.action == action && e.actor != "anonymous"),
                "{action} in the trail"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_named_expire_record_their_use_and_are_revoked_by_their_owner_or_an_admin() {
    let hub = common::hub("tokens", None, None).await;
    let store = hub.store.clone();
    common::team(&store).await;
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let base = served.url.clone();

    let created = client()
        .post(format!("{base}/api/v1/tokens"))
        .bearer_auth("wft_token-analyst")
        .json(&json!({"name": "nightly export", "expiresInDays": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        created.headers()[header::CACHE_CONTROL],
        "no-store",
        "a new secret is never cached"
    );
    let created: Value = created.json().await.unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let expires =
        chrono::DateTime::parse_from_rfc3339(created["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.timestamp() > chrono::Utc::now().timestamp() + 29 * 86_400);
    let (status, me) = api(&base, reqwest::Method::GET, "/api/v1/me", &secret, None).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("analyst"))
    );
    let (_, mine) = api(&base, reqwest::Method::GET, "/api/v1/tokens", &secret, None).await;
    let listed = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "nightly export")
        .unwrap()
        .clone();
    assert!(
        listed["lastUsedAt"].is_string(),
        "its use is recorded: {listed}"
    );
    assert!(listed.get("token_hash").is_none(), "never the hash");

    // Everyone's tokens are for Admins; someone else's token is, to others, not there.
    let (status, _) = api(
        &base,
        reqwest::Method::GET,
        "/api/v1/tokens?all=true",
        &secret,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, all) = api(
        &base,
        reqwest::Method::GET,
        "/api/v1/tokens?all=true",
        "wft_token-admin",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(all["items"].as_array().unwrap().len() >= 4);
    let id = listed["id"].as_str().unwrap();
    let (status, _) = api(
        &base,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        "wft_token-operator",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api(&base, reqwest::Method::GET, "/api/v1/me", &secret, None).await;
    assert_eq!(status, StatusCode::OK, "still alive");
    // Its owner revokes it: refused at once.
    let (status, _) = api(
        &base,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        &secret,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api(&base, reqwest::Method::GET, "/api/v1/me", &secret, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An Admin revokes anyone's.
    let (_, operators) = api(
        &base,
        reqwest::Method::GET,
        "/api/v1/tokens",
        "wft_token-operator",
        None,
    )
    .await;
    let operator_token = operators["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = api(
        &base,
        reqwest::Method::DELETE,
        &format!("/api/v1/tokens/{operator_token}"),
        "wft_token-admin",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api(
        &base,
        reqwest::Method::GET,
        "/api/v1/me",
        "wft_token-operator",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An expired token is refused.
    store
        .access()
        .create_api_token(weft_store::ApiToken {
            id: "tok_expired".into(),
            user_id: "u-admin".into(),
            name: "old".into(),
            token_hash: common::sha("wft_expired"),
            created_at: 1,
            expires_at: Some(2),
            last_used_at: None,
        })
        .await
        .unwrap();
    let (status, _) = api(
        &base,
        reqwest::Method::GET,
        "/api/v1/me",
        "wft_expired",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The tokens page shows a new token once, never cached.
    let page = client()
        .post(format!("{base}/tokens"))
        .header(header::COOKIE, "weft_session=session-admin")
        .form(&[
            ("csrf", "csrf-admin"),
            ("name", "from the page"),
            ("expires_in_days", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert!(page.text().await.unwrap().contains("id=\"new-token\""));
    let trail = store.trail().latest(20).await.unwrap();
    assert!(
        trail
            .iter()
            .filter(|e| e.action == "api_token.revoke")
            .count()
            >= 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_recorded_with_their_source_and_throttled() {
    let hub = common::hub("throttle", None, None).await;
    let store = hub.store.clone();
    common::team(&store).await;
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let base = served.url.clone();
    for _ in 0..5 {
        assert_eq!(
            sign_in(&base, "admin", "guess", "/").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let throttled = sign_in(&base, "admin", "guess", "/").await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = throttled.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(
        throttled
            .text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins. Try again in")
    );
    // While it waits, even the right password is not tried.
    assert_eq!(
        sign_in(&base, "admin", "admin-password", "/")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts are not held up by one account's failures.
    assert_eq!(
        sign_in(&base, "analyst", "analyst-password", "/")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let trail = store.trail().latest(20).await.unwrap();
    let failed: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "session.login_failed")
        .collect();
    assert!(failed.len() >= 7);
    assert_eq!(
        failed.last().unwrap().after.as_ref().unwrap()["source"],
        "127.0.0.1"
    );
    assert_eq!(
        failed.last().unwrap().after.as_ref().unwrap()["reason"],
        "wrong password"
    );
    assert_eq!(failed[0].after.as_ref().unwrap()["reason"], "throttled");
    assert_eq!(failed[0].target, "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_targets_never_leave_the_hub() {
    let hub = common::hub("next", None, None).await;
    common::team(&hub.store).await;
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let base = served.url.clone();
    let http = client();
    for (raw, expected) in [
        ("%2Fjobs%3Fstatus%3Ddead", "/jobs?status=dead"),
        ("%2F%09%2Fevil.example", "/"),
        ("/%09/evil.example", "/"),
        ("/%0a/evil.example", "/"),
        ("/%0d%0a/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5cevil.example", "/"),
        ("%5c%5cevil.example", "/"),
        ("/%5c/evil.example", "/"),
        ("https://evil.example", "/"),
        ("https:evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("/%252F%252Fevil.example", "/"),
        ("/%2509/evil.example", "/"),
        ("%20//evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ] {
        let page = http.get(format!("{base}/login")).send().await.unwrap();
        let login = cookie_value(&set_cookie(&page, "weft_login").unwrap());
        let html = page.text().await.unwrap();
        let body = format!(
            "login_csrf={}&next={raw}&username=analyst&password=analyst-password",
            field(&html, "login_csrf")
        );
        let answer = http
            .post(format!("{base}/login"))
            .header(header::COOKIE, format!("weft_login={login}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{raw}");
        assert_eq!(answer.headers()[header::LOCATION], expected, "next={raw}");
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_https_cookies_are_secure_and_host_only() {
    let hub = common::hub("headers", None, None).await;
    common::team(&hub.store).await;
    let https = AppState {
        config: Arc::new(ServerConfig {
            https: true,
            ..ServerConfig::default()
        }),
        ..common::state(hub.clone())
    };
    for (state, over_https) in [(common::state(hub), false), (https, true)] {
        let app = weft_server::app(state);
        for path in ["/login", "/healthz", "/no/such/page", "/api/v1/me"] {
            let response = app
                .clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let h = response.headers();
            let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(
                csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
                "{path}: {csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{path}");
            assert_eq!(
                h.contains_key(header::STRICT_TRANSPORT_SECURITY),
                over_https,
                "{path}"
            );
        }
        let login = app
            .clone()
            .oneshot(Request::get("/login").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let cookie = login.headers()[header::SET_COOKIE].to_str().unwrap();
        if over_https {
            assert!(
                cookie.starts_with("__Host-weft_login=")
                    && cookie.contains("; Secure")
                    && cookie.contains("Path=/;"),
                "{cookie}"
            );
        } else {
            assert!(
                cookie.starts_with("weft_login=") && !cookie.contains("Secure"),
                "{cookie}"
            );
        }
    }
}

#[tokio::test]
async fn metrics_can_need_a_token_and_connections_are_addressed_by_id_or_name() {
    let hub = common::hub("metrics", None, None).await;
    common::team(&hub.store).await;
    let guarded = AppState {
        config: Arc::new(ServerConfig {
            metrics_token: Some("a-metrics-token-of-some-length".to_owned().into()),
            ..ServerConfig::default()
        }),
        ..common::state(hub.clone())
    };
    let app = weft_server::app(guarded);
    let bare = app
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
    let with = app
        .clone()
        .oneshot(
            Request::get("/metrics")
                .header(
                    header::AUTHORIZATION,
                    "Bearer a-metrics-token-of-some-length",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_ne!(with.status(), StatusCode::UNAUTHORIZED);

    let elsewhere = AppState {
        config: Arc::new(ServerConfig {
            metrics_elsewhere: true,
            ..ServerConfig::default()
        }),
        ..common::state(hub.clone())
    };
    let answer = weft_server::app(elsewhere)
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);

    // A name shaped like an id is refused, so an id and a name never collide: the API
    // finds a connection by either, as its document says.
    let app = weft_server::app(common::state(hub.clone()));
    let refused = app
        .clone()
        .oneshot(
            Request::post("/api/v1/connections")
                .header(header::AUTHORIZATION, "Bearer wft_token-admin")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    r#"{"name": "conn_AAAAAAAAAAAAAAAA", "token": "t", "dataCenter": "us"}"#,
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(refused.into_body(), 10_000)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("may not start with conn_"));
    let add = |id: &'static str, name: &'static str| {
        let hub = hub.clone();
        async move {
            hub.store
                .connections()
                .create(weft_store::NewConnection {
                    id: id.into(),
                    name: name.into(),
                    kind: weft_store::ConnectionKind::Permanent,
                    api_base: "https://www.wrike.com/api/v4/".into(),
                    identity: weft_store::WrikeIdentity::default(),
                    scopes: vec![],
                    features: vec![],
                    tokens: weft_store::SealedTokens::default(),
                    created_at: 1,
                    created_by: "test".into(),
                })
                .await
                .unwrap();
        }
    };
    add("conn_byid", "by-name").await;
    let by_name = app
        .clone()
        .oneshot(
            Request::delete("/api/v1/connections/by-name")
                .header(header::AUTHORIZATION, "Bearer wft_token-admin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(by_name.status(), StatusCode::NO_CONTENT);
    let gone = app
        .clone()
        .oneshot(
            Request::delete("/api/v1/connections/conn_byid")
                .header(header::AUTHORIZATION, "Bearer wft_token-admin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND, "removed by its name");
    add("conn_byid2", "by-id").await;
    let by_id = app
        .oneshot(
            Request::delete("/api/v1/connections/conn_byid2")
                .header(header::AUTHORIZATION, "Bearer wft_token-admin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(by_id.status(), StatusCode::NO_CONTENT);
}

// One thread for the whole test: were Argon2 run on the async worker, nothing else could
// be answered while a sign-in is hashed.
#[tokio::test(flavor = "current_thread")]
async fn a_burst_of_sign_ins_leaves_the_server_answering() {
    let hub = common::hub("burst", None, None).await;
    common::team(&hub.store).await;
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let base = served.url.clone();
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut burst = Vec::new();
    for n in 0..12 {
        let (base, finished) = (base.clone(), finished.clone());
        burst.push(tokio::spawn(async move {
            // Different unknown names: each is hashed, none is throttled.
            let answer = sign_in(&base, &format!("nobody-{n}"), "wrong password", "/").await;
            finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            answer.status()
        }));
    }
    // Argon2 is slow on purpose (a debug build spends a good part of a second per hash):
    // answered on the async worker, each hash would stop every other request for that long.
    let http = client();
    let mut answered_meanwhile = 0;
    while finished.load(std::sync::atomic::Ordering::SeqCst) < 12 {
        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        answered_meanwhile += 1;
    }
    for answer in burst {
        assert_eq!(answer.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    assert!(
        answered_meanwhile >= 100,
        "/healthz kept answering during the burst: {answered_meanwhile} times"
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hub = common::hub("slowloris", None, None).await;
    let state = AppState {
        config: Arc::new(ServerConfig {
            header_timeout: Duration::from_millis(300),
            ..ServerConfig::default()
        }),
        ..common::state(hub)
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(weft_server::serve(state, listener, std::future::pending()));
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
        .await
        .unwrap();
    // The server gives up on the headers and closes the connection; bounded, in case not.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was left open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}
