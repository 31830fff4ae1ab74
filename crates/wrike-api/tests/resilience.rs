//! How the client copes with a Wrike that answers 429, 500, garbage, or nothing: what it
//! retries (and how often), what it never retries, and the errors it reports.

mod common;

use serde_json::json;
use wrike_api::requests::NewTask;
use wrike_api::{ClientConfig, WrikeError};

async fn fault(sim: &wrike_sim::RunningSim, body: serde_json::Value) {
    common::control(sim, reqwest::Method::POST, "faults", body).await;
}

#[tokio::test]
async fn rate_limit_429_is_retried_honouring_retry_after_and_reported_when_it_persists() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    fault(
        &sim,
        json!({"kind": "rateLimit", "count": 2, "retryAfter": 1, "pathPrefix": "/api/v4/account"}),
    )
    .await;
    let before = common::log_position(&sim).await;
    client.account(&[]).await.expect("succeeds after two 429s");
    let statuses: Vec<u16> = common::logged(&sim, before)
        .await
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert_eq!(statuses, vec![429, 429, 200]);

    // Without Retry-After the client backs off on its own; past max_retries it gives up.
    fault(
        &sim,
        json!({"kind": "rateLimit", "count": 10, "pathPrefix": "/api/v4/account"}),
    )
    .await;
    let err = client.account(&[]).await.unwrap_err();
    assert!(
        matches!(err, WrikeError::RateLimited { retry_after: None }),
        "{err}"
    );
    assert!(err.is_retryable());
    common::control(&sim, reqwest::Method::DELETE, "faults", json!(null)).await;

    // The simulator's own limit, computed per second as Wrike does: at 120 a minute a
    // token gets two requests at once, not 120; the third is refused, without `Retry-After`
    // (Wrike documents none).
    common::control(
        &sim,
        reqwest::Method::PUT,
        "rate_limit",
        json!({"perMinute": 120}),
    )
    .await;
    let (token, url) = common::token(&sim, None, &["Default"]).await;
    let impatient = common::client_with(
        &url,
        &token,
        ClientConfig {
            requests_per_minute: 0,
            max_retries: 0,
            ..ClientConfig::default()
        },
    );
    for _ in 0..2 {
        impatient.version().await.unwrap();
    }
    let err = impatient.version().await.unwrap_err();
    assert!(
        matches!(err, WrikeError::RateLimited { retry_after: None }),
        "{err}"
    );

    // With `Retry-After` turned on, the 429 says how long to wait and a client that may
    // retry waits that long and gets through.
    let answer = common::control(
        &sim,
        reqwest::Method::PUT,
        "rate_limit",
        json!({"perMinute": 120, "retryAfter": true}),
    )
    .await;
    assert_eq!(answer["retryAfter"], true);
    let err = impatient.version().await.unwrap_err();
    assert!(
        matches!(err, WrikeError::RateLimited { retry_after: Some(after) } if after.as_secs() == 1),
        "{err}"
    );
    let patient = common::client_with(
        &url,
        &token,
        ClientConfig {
            requests_per_minute: 0,
            max_retries: 3,
            ..ClientConfig::default()
        },
    );
    patient.version().await.expect("waits out Retry-After");
}

#[tokio::test]
async fn a_budgeted_client_spreads_its_requests_and_meets_no_429() {
    let sim = common::sim().await;
    common::control(
        &sim,
        reqwest::Method::PUT,
        "rate_limit",
        json!({"perMinute": 400}),
    )
    .await;
    let (token, url) = common::token(&sim, None, &["Default"]).await;
    let client = common::client_with(&url, &token, ClientConfig::default());
    let before = common::log_position(&sim).await;
    let calls = (0..24).map(|_| client.version());
    for answer in futures::future::join_all(calls).await {
        answer.expect("within the budget");
    }
    let statuses: Vec<u16> = common::logged(&sim, before)
        .await
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert_eq!(statuses.len(), 24, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_but_a_post_is_never_sent_twice() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    fault(
        &sim,
        json!({"kind": "serverError", "count": 1, "pathPrefix": "/api/v4/workflows"}),
    )
    .await;
    let before = common::log_position(&sim).await;
    client
        .workflows()
        .await
        .expect("a GET is retried after a 500");
    assert_eq!(
        common::logged(&sim, before)
            .await
            .iter()
            .map(|r| r.2)
            .collect::<Vec<_>>(),
        vec![500, 200]
    );

    let folder = client.folder_tree(None).await.unwrap()[1].id.clone();
    fault(&sim, json!({"kind": "serverError", "count": 1, "pathPrefix": format!("/api/v4/folders/{folder}/tasks")})).await;
    let before = common::log_position(&sim).await;
    let err = client
        .create_task(
            &folder,
            &NewTask {
                title: "once".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, WrikeError::Server { status: 500, .. }),
        "{err}"
    );
    assert_eq!(
        common::logged(&sim, before).await.len(),
        1,
        "the POST went out exactly once"
    );
}

#[tokio::test]
async fn garbage_and_dropped_connections_are_named_errors() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    fault(
        &sim,
        json!({"kind": "malformed", "count": 1, "pathPrefix": "/api/v4/spaces"}),
    )
    .await;
    let err = client.spaces().await.unwrap_err();
    assert!(
        matches!(&err, WrikeError::Decode { what, .. } if what == "spaces"),
        "{err}"
    );
    assert!(
        err.to_string().contains("cut short at line 1"),
        "says where, not what: {err}"
    );

    fault(
        &sim,
        json!({"kind": "drop", "count": 10, "pathPrefix": "/api/v4/groups"}),
    )
    .await;
    let err = client.groups().await.unwrap_err();
    assert!(matches!(err, WrikeError::Transport { .. }), "{err}");
    assert!(err.is_retryable());

    // Nothing listening at all.
    let dead = common::client("http://127.0.0.1:9/api/v4", "token");
    let err = dead.version().await.unwrap_err();
    assert!(
        matches!(&err, WrikeError::Transport { message, .. } if !message.is_empty()),
        "{err}"
    );
}

#[tokio::test]
async fn slow_answers_hit_the_client_timeout() {
    let sim = common::sim().await;
    let (token, url) = common::token(&sim, None, &["Default"]).await;
    let client = common::client_with(
        &url,
        &token,
        ClientConfig {
            requests_per_minute: 0,
            max_retries: 0,
            timeout: std::time::Duration::from_millis(200),
            ..ClientConfig::default()
        },
    );
    fault(&sim, json!({"kind": "slow", "count": 1, "delayMs": 1500})).await;
    let err = client.version().await.unwrap_err();
    assert!(
        matches!(&err, WrikeError::Transport { message, .. } if message.contains("timed out")),
        "{err}"
    );
}

#[tokio::test]
async fn bad_fault_rules_are_refused_with_the_reason() {
    let sim = common::sim().await;
    let answer = common::http()
        .post(format!("{}/_sim/faults", sim.base_url()))
        .json(&json!({"kind": "slow", "rate": 0.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await.unwrap().contains("delayMs"));
    let answer = common::http()
        .post(format!("{}/_sim/faults", sim.base_url()))
        .json(&json!({"kind": "explode", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 422);
}

#[tokio::test]
async fn a_post_is_retried_after_a_429_once_the_wait_is_over() {
    let sim = common::sim().await;
    let client = common::owner_client(&sim).await;
    let folder = client.folder_tree(None).await.unwrap()[1].id.clone();
    fault(
        &sim,
        json!({"kind": "rateLimit", "count": 1, "retryAfter": 1, "pathPrefix": format!("/api/v4/folders/{folder}/tasks")}),
    )
    .await;
    let before = common::log_position(&sim).await;
    let started = std::time::Instant::now();
    let task = client
        .create_task(
            &folder,
            &NewTask {
                title: "after the 429".into(),
                ..Default::default()
            },
        )
        .await
        .expect("a 429 refused the POST before any work, so it is sent again");
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "not before Retry-After"
    );
    assert_eq!(task.title, "after the 429");
    let statuses: Vec<u16> = common::logged(&sim, before)
        .await
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert_eq!(statuses, vec![429, 200], "one 429, then the POST once more");
}

#[tokio::test]
async fn a_small_budget_spreads_requests_instead_of_bursting() {
    let sim = common::sim().await;
    let (token, url) = common::token(&sim, None, &["Default"]).await;
    // 600 a minute: ten at once, then one every 100 ms.
    let client = common::client_with(
        &url,
        &token,
        ClientConfig {
            requests_per_minute: 600,
            ..ClientConfig::default()
        },
    );
    let started = std::time::Instant::now();
    for _ in 0..16 {
        client.version().await.unwrap();
    }
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(550),
        "six requests past the burst waited their turn: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn errors_never_repeat_what_a_wrong_host_answered() {
    // A host that is not Wrike: every answer a page of its own text.
    let app = axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::BAD_GATEWAY,
            "internal-secret-config: password=hunter2",
        )
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/v4", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = common::client_with(
        &url,
        "t",
        ClientConfig {
            max_retries: 0,
            ..ClientConfig::default()
        },
    );
    let err = client.account(&[]).await.unwrap_err();
    assert!(
        matches!(err, WrikeError::Server { status: 502, .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("hunter2"), "{err}");

    let ok = axum::Router::new()
        .fallback(|| async { "{\"kind\": \"accounts\", \"data\": [{\"secret\": \"hunter2\"" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/v4", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, ok).await.unwrap() });
    let client = common::client_with(&url, "t", ClientConfig::default());
    let err = client.account(&[]).await.unwrap_err();
    assert!(matches!(err, WrikeError::Decode { .. }), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn public_only_clients_refuse_private_and_loopback_addresses() {
    let sim = common::sim().await;
    let (token, url) = common::token(&sim, None, &["Default"]).await;
    let guarded = common::client_with(
        &url,
        &token,
        ClientConfig {
            reach: wrike_api::http::Reach::PublicOnly,
            max_retries: 0,
            ..ClientConfig::default()
        },
    );
    let err = guarded.account(&[]).await.unwrap_err();
    assert!(
        err.to_string().contains("private, loopback or link-local"),
        "{err}"
    );
    // By name too: localhost resolves to loopback.
    let by_name = url.replace("127.0.0.1", "localhost");
    let guarded = common::client_with(
        &by_name,
        &token,
        ClientConfig {
            reach: wrike_api::http::Reach::PublicOnly,
            max_retries: 0,
            ..ClientConfig::default()
        },
    );
    let err = guarded.account(&[]).await.unwrap_err();
    assert!(
        err.to_string().contains("private, loopback or link-local"),
        "{err}"
    );
    for (ip, public) in [
        ("10.1.2.3", false),
        ("172.16.0.1", false),
        ("192.168.1.1", false),
        ("169.254.169.254", false),
        ("100.64.0.1", false),
        ("0.0.0.0", false),
        ("::1", false),
        ("fe80::1", false),
        ("fd00::1", false),
        ("::ffff:10.0.0.1", false),
        ("198.18.0.1", false),
        ("198.19.255.255", false),
        ("192.0.0.8", false),
        ("192.88.99.1", false),
        ("255.255.255.255", false),
        ("224.0.0.1", false),
        ("::127.0.0.1", false),
        ("::", false),
        ("64:ff9b::7f00:1", false),
        ("64:ff9b:1::a00:1", false),
        ("2002:7f00:1::1", false),
        ("2001::1", false),
        ("2001:db8::1", false),
        ("fec0::1", false),
        ("fc00::1", false),
        ("100::1", false),
        ("ff02::1", false),
        ("104.16.0.1", true),
        ("198.20.0.1", true),
        ("2606:4700::1", true),
        ("2a00:1450:4001::200e", true),
    ] {
        assert_eq!(
            wrike_api::http::is_public(ip.parse().unwrap()),
            public,
            "{ip}"
        );
    }
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_not_read_to_the_end() {
    let huge = vec![b' '; wrike_api::http::API_ANSWER_CAP + 1];
    let app = axum::Router::new().fallback(move || {
        let huge = huge.clone();
        async move { huge }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/v4", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = common::client_with(
        &url,
        "t",
        ClientConfig {
            max_retries: 0,
            ..ClientConfig::default()
        },
    );
    let err = client.account(&[]).await.unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}
