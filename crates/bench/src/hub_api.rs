//! `hub-api`: the cost of an authenticated JSON API read. The hub runs in a process of its
//! own (this binary, re-run as a child), as `weft serve` runs it: server plus runtime, SQLite,
//! 20 connections. Sixteen concurrent clients load `GET /api/v1/connections` with an API
//! token, against the same load on `GET /healthz` (no authentication, no database) in the
//! same run. Memory is the child's own: resident when idle and at its peak under load.
//!
//! Then where the time goes, step by step in this process: CPU per call of each part of the
//! request (the token lookup, the connections read, the JSON), from the database and from
//! the read caches, and one trivial query for the floor of a database round trip.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use weft_core::roles::Role;
use weft_core::secrets::SecretKey;
use weft_store::{
    ApiToken, ConnectionKind, NewConnection, NewUser, SealedTokens, Store, WrikeIdentity,
};

/// The argument that makes this binary serve the hub instead of benchmarking.
pub const CHILD: &str = "__serve-hub";
const CLIENTS: usize = 16;
const SECONDS: u64 = 4;

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
                    "{url} answered {}",
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

/// A user with an API token (returned) and 20 connections.
async fn seed(store: &Store, key: &SecretKey) -> anyhow::Result<String> {
    store
        .access()
        .create_user(NewUser {
            id: "u1".into(),
            username: "bench".into(),
            password_hash: "-".into(),
            role: Role::Analyst,
            created_at: 1,
            sign_in: weft_store::SignInMethod::Password,
        })
        .await?;
    let token = format!("wft_{}", weft_core::secrets::random_token());
    store
        .access()
        .create_api_token(ApiToken {
            id: "t1".into(),
            user_id: "u1".into(),
            name: "bench".into(),
            token_hash: weft_hub::access::hash_secret(&token),
            created_at: 1,
            expires_at: None,
            last_used_at: None,
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
    Ok(token)
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU time this process has used, in microseconds.
fn cpu_us() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) * 10_000.0
}

/// CPU microseconds per call of `step`, over `n` sequential calls.
async fn cpu_per_call<F, Fut>(n: u32, mut step: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let before = cpu_us();
    for _ in 0..n {
        step().await?;
    }
    Ok((cpu_us() - before) / n as f64)
}

/// Where the time of one request goes, part by part.
async fn breakdown(url: &str, token: &str) -> anyhow::Result<String> {
    let store = Arc::new(Store::open(url).await?);
    let hash = weft_hub::access::hash_secret(token);
    let n = 2_000;
    let trivial = cpu_per_call(n, || async {
        Ok(store.execute_unchecked("SELECT 1").await.map(drop)?)
    })
    .await?;
    let token_db = cpu_per_call(n, || async {
        Ok(store.access().api_token_user(&hash, 1).await.map(drop)?)
    })
    .await?;
    let list_db = cpu_per_call(n, || async {
        Ok(store.connections().list().await.map(drop)?)
    })
    .await?;
    let all = store.connections().list().await?;
    let json = cpu_per_call(20_000, || async {
        serde_json::to_vec(&weft_hub::connections::listing(&all))?;
        Ok(())
    })
    .await?;
    let watcher = {
        let store = store.clone();
        tokio::spawn(async move { store.watch_changes().await })
    };
    tokio::time::sleep(store.propagation_delay()).await;
    // Cached calls are cheap: many more of them, for the 10 ms resolution of CPU time.
    let many = 100_000;
    let token_cached = cpu_per_call(many, || async {
        Ok(store.access().api_token_user(&hash, 1).await.map(drop)?)
    })
    .await?;
    let list_cached = cpu_per_call(many, || async {
        Ok(store.connections().list().await.map(drop)?)
    })
    .await?;
    watcher.abort();
    Ok(format!(
        "  where the time goes (CPU per call, in this process, sequential):\n\
         \x20   one trivial SQLite query (SELECT 1):  {trivial:>6.1} us  (sqlx hands every query to its worker thread)\n\
         \x20   API token lookup, database:           {token_db:>6.1} us   from the read cache: {token_cached:>5.2} us\n\
         \x20   20 connections, database:             {list_db:>6.1} us   from the read cache: {list_cached:>5.2} us\n\
         \x20   connections JSON with hygiene:        {json:>6.1} us\n"
    ))
}

pub async fn run() -> anyhow::Result<String> {
    let dir = std::env::temp_dir().join(format!("weft-bench-hub-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}", dir.join("weft.db").display());
    let key_hex = SecretKey::generate_hex();
    let token = seed(&Store::open(&url).await?, &SecretKey::from_hex(&key_hex)?).await?;

    let mut child: Child = Command::new(std::env::current_exe()?)
        .args([CHILD, &url, &key_hex])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let addr = line
        .strip_prefix("listening ")
        .map(str::trim)
        .ok_or_else(|| anyhow::anyhow!("the hub process said {line:?}"))?
        .to_owned();
    let base = format!("http://{addr}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle, _) = memory_kib(child.id());

    let baseline = load(format!("{base}/healthz"), None).await?;
    let api = load(format!("{base}/api/v1/connections"), Some(token.clone())).await?;
    let (_, peak) = memory_kib(child.id());
    child.kill()?;
    child.wait()?;
    let parts = breakdown(&url, &token).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "hub-api: {CLIENTS} concurrent clients for {SECONDS} s each, loopback, SQLite, 20 connections, hub in its own process\n\
         \x20 baseline GET /healthz:                 {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms\n\
         \x20 GET /api/v1/connections (API token):   {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms\n\
         \x20 ratio API / baseline (throughput):     {:>8.2}\n\
         \x20 hub process memory: {} KiB resident when idle, {} KiB at its peak under load\n{parts}",
        baseline.rps,
        baseline.p50.as_secs_f64() * 1e3,
        baseline.p99.as_secs_f64() * 1e3,
        api.rps,
        api.p50.as_secs_f64() * 1e3,
        api.p99.as_secs_f64() * 1e3,
        api.rps / baseline.rps,
        idle,
        peak,
    ))
}

/// The child: the hub as `weft serve` runs it (server and runtime) on the given database.
pub async fn serve_child(args: &[String]) -> anyhow::Result<()> {
    let [url, key] = args else {
        anyhow::bail!("usage: weft-bench {CHILD} DATABASE_URL KEY_HEX");
    };
    let store = Arc::new(Store::open(url).await?);
    let hub = weft_hub::Hub::new(store, SecretKey::from_hex(key)?);
    let runtime = weft_hub::background::start(
        hub.clone(),
        weft_hub::runtime::RuntimeConfig {
            probe_interval: Duration::from_secs(3600),
            ..weft_hub::runtime::RuntimeConfig::default()
        },
        weft_hub::runtime::Registry::new(),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening {}", listener.local_addr()?);
    let state = weft_server::AppState {
        hub,
        config: Arc::new(weft_server::ServerConfig::default()),
        metrics: weft_server::metrics_handle(),
    };
    weft_server::serve(state, listener, std::future::pending()).await?;
    runtime.shutdown().await;
    Ok(())
}
