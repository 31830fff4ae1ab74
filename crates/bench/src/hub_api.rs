//! `hub-api`: an authenticated JSON API read (`GET /api/v1/connections` with an API token,
//! 20 connections in SQLite) under 16 concurrent clients on loopback, against the same load
//! on `GET /healthz` (no authentication, no database) measured in the same run; and the
//! process's resident memory before the hub starts and once it idles.

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft_core::roles::Role;
use weft_core::secrets::SecretKey;
use weft_store::{
    ApiToken, ConnectionKind, NewConnection, NewUser, SealedTokens, Store, WrikeIdentity,
};

const CLIENTS: usize = 16;
const SECONDS: u64 = 4;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

struct Load {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

async fn load(url: String, token: Option<String>) -> anyhow::Result<Load> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let mut request = http.get(&url);
                if let Some(token) = &token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "{} answered {}",
                    url,
                    response.status()
                );
                response.bytes().await?;
                latencies.push(started.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    all.sort();
    let pick = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok(Load {
        rps: all.len() as f64 / SECONDS as f64,
        p50: pick(0.50),
        p99: pick(0.99),
    })
}

pub async fn run() -> anyhow::Result<String> {
    let before = rss_kib();
    let dir = std::env::temp_dir().join(format!("weft-bench-hub-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let store =
        Arc::new(Store::open(&format!("sqlite://{}", dir.join("weft.db").display())).await?);
    let key = SecretKey::from_hex(&SecretKey::generate_hex())?;
    store
        .access()
        .create_user(NewUser {
            id: "u1".into(),
            username: "bench".into(),
            password_hash: "-".into(),
            role: Role::Analyst,
            created_at: 1,
        })
        .await?;
    let token = format!("wft_{}", weft_core::secrets::random_token());
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    };
    store
        .access()
        .create_api_token(ApiToken {
            id: "t1".into(),
            user_id: "u1".into(),
            name: "bench".into(),
            token_hash: hash,
            created_at: 1,
        })
        .await?;
    for i in 0..20 {
        let id = format!("conn_{i}");
        store
            .connections()
            .create(NewConnection {
                tokens: SealedTokens {
                    access_token: key.seal(&id, b"token"),
                    refresh_token: None,
                    expires_at: None,
                },
                id,
                name: format!("connection-{i}"),
                kind: ConnectionKind::Permanent,
                api_base: "https://www.wrike.com/api/v4/".into(),
                identity: WrikeIdentity {
                    account_id: "IEAAAAAQ".into(),
                    account_name: "Acme".into(),
                    user_id: format!("KU{i}"),
                    user_name: "Integration".into(),
                    user_email: "integration@acme.example".into(),
                    admin: true,
                },
                scopes: vec![],
                features: vec!["usage_analytics".into()],
                created_at: 1,
                created_by: "bench".into(),
            })
            .await?;
    }
    let hub = weft_hub::Hub::new(store, key);
    let state = weft_server::AppState {
        hub,
        config: Arc::new(weft_server::ServerConfig::default()),
        metrics: weft_server::metrics_handle(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(weft_server::serve(state, listener, std::future::pending()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_kib();

    let baseline = load(format!("{base}/healthz"), None).await?;
    let api = load(format!("{base}/api/v1/connections"), Some(token)).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "hub-api: {CLIENTS} concurrent clients for {SECONDS} s each, loopback, SQLite, 20 connections\n\
         \x20 baseline GET /healthz:                 {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms\n\
         \x20 GET /api/v1/connections (API token):   {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms\n\
         \x20 ratio API / baseline (throughput):     {:>8.2}\n\
         \x20 resident memory: {} KiB before the hub, {} KiB with the hub idle (+{} KiB)\n",
        baseline.rps,
        baseline.p50.as_secs_f64() * 1e3,
        baseline.p99.as_secs_f64() * 1e3,
        api.rps,
        api.p50.as_secs_f64() * 1e3,
        api.p99.as_secs_f64() * 1e3,
        api.rps / baseline.rps,
        before,
        idle,
        idle.saturating_sub(before),
    ))
}
