//! `usage-ingest`: the audit-log backfill of a first sync, from the simulator into the
//! hub's store, with the rate limit off. The simulator runs in a process of its own (this
//! binary, re-run as a child), so the resident memory measured here is the hub's alone.
//!
//! Baseline, in the same run: the same pages fetched over HTTP and decoded, but not stored,
//! which is the floor any sync over Wrike's API stands on; the ratio says what storing
//! (records, activity, checkpoints, one transaction a page) adds.
//!
//! `WEFT_BENCH_RECORDS` sets the size (about 320 audit records per generated person;
//! default 1,000,000); `WEFT_BENCH_POSTGRES_URL` adds a run on PostgreSQL.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;
use weft_core::secrets::SecretKey;
use weft_hub::Hub;
use weft_hub::usage::sync::{self, Silent, SyncOptions};
use weft_store::Store;
use wrike_api::requests::AuditLogQuery;
use wrike_api::{ApiBase, ClientConfig, PermanentToken, WrikeClient};

/// The argument that makes this binary serve a simulator instead of benchmarking.
pub const CHILD: &str = "__serve-sim";

/// Runs the simulator for the parent: prints its API URL, an owner's token and the number
/// of audit records, then serves until stdin closes. Arguments are `name=value`: `users`,
/// `rate` (requests a minute), `tasks` (at least), and `cert` and `key` to serve HTTPS, in
/// which case the same simulator is also served over plain HTTP on another port (`plain`).
pub async fn serve_child(args: &[String]) -> anyhow::Result<()> {
    let arg = |name: &str| {
        args.iter()
            .find_map(|a| a.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    };
    let number =
        |name: &str, default: u32| arg(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let tls = arg("cert")
        .zip(arg("key"))
        .map(|(c, k)| (c.into(), k.into()));
    let https = tls.is_some();
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            users: number("users", 60),
            rate_limit_per_minute: number("rate", 0),
            min_tasks: number("tasks", 0),
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen {
            tls,
            ..wrike_sim::Listen::loopback()
        },
    )
    .await?;
    let (account, user, records) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        (
            a.id().to_owned(),
            a.integration_user()
                .expect("integration user")
                .id()
                .to_owned(),
            a.audit.len(),
        )
    };
    let token = {
        let mut world = sim.sim.write();
        let scopes = vec![
            wrike_api::Scope::Default,
            wrike_api::Scope::amReadOnlyAuditLog,
        ];
        sim.sim
            .issue_tokens(&mut world, &account, &user, scopes, None)
            .0
    };
    // The same simulator over plain HTTP, for clients that cannot be told to trust a
    // certificate made for the run.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let plain_url = format!("http://{}/api/v4", plain.local_addr()?);
    let state = sim.sim.clone();
    tokio::spawn(async move {
        let _ = axum::serve(plain, wrike_sim::app(state, 0)).await;
    });
    println!("api {}", sim.api_url(0));
    println!("plain {}", if https { plain_url } else { sim.api_url(0) });
    println!("control {}", sim.base_url());
    println!("token {token}");
    println!("records {records}");
    // Serve until the parent closes our stdin (or dies).
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        while std::io::stdin()
            .read_line(&mut line)
            .map(|n| n > 0)
            .unwrap_or(false)
        {
            line.clear();
        }
    })
    .await?;
    Ok(())
}

pub struct ChildSim {
    child: Child,
    /// The API over HTTPS when the simulator was given a certificate, else plain HTTP.
    pub api: String,
    /// The API over plain HTTP.
    pub plain: String,
    pub control: String,
    pub token: String,
    pub records: u64,
}

impl Drop for ChildSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the simulator in a child process with `users` people and a rate limit.
pub fn start_child(users: u32, rate: u32) -> anyhow::Result<ChildSim> {
    start_child_with(&[format!("users={users}"), format!("rate={rate}")])
}

/// Starts the simulator in a child process with `name=value` arguments (see `serve_child`).
pub fn start_child_with(args: &[String]) -> anyhow::Result<ChildSim> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg(CHILD)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut field = |name: &str| -> anyhow::Result<String> {
        let line = lines
            .next()
            .ok_or_else(|| anyhow::anyhow!("the simulator child exited"))??;
        line.strip_prefix(&format!("{name} "))
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("expected {name}, got {line}"))
    };
    let api = field("api")?;
    let plain = field("plain")?;
    let control = field("control")?;
    let token = field("token")?;
    let records = field("records")?.parse()?;
    Ok(ChildSim {
        child,
        api,
        plain,
        control,
        token,
        records,
    })
}

/// Peak resident memory of this process, in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A hub over `store` allowed to reach the simulator, without a request budget.
pub fn bench_hub(store: Arc<Store>) -> Hub {
    let mut hub = Hub::new(
        store,
        SecretKey::from_hex(&SecretKey::generate_hex()).expect("a fresh key"),
    );
    hub.policy.allow_any_wrike_host = true;
    hub.policy.requests_per_minute = 0;
    hub
}

async fn ingest(store: Store, sim: &ChildSim) -> anyhow::Result<(f64, u64)> {
    let hub = bench_hub(Arc::new(store));
    let added = weft_hub::connections::add(
        &hub,
        "bench",
        "bench",
        &sim.api,
        SecretString::from(sim.token.clone()),
        vec![],
    )
    .await?;
    let report = sync::run(
        &hub,
        &added.connection,
        "bench",
        &SyncOptions::default(),
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await?;
    let audit = report
        .sources
        .iter()
        .find(|s| s.source == "audit_log")
        .ok_or_else(|| anyhow::anyhow!("no audit-log source in {report:?}"))?;
    anyhow::ensure!(audit.status == "ok", "{audit:?}");
    let stored = hub.store.usage().audit_count(&added.connection.id).await? as u64;
    anyhow::ensure!(
        stored == sim.records,
        "stored {stored} of {} records",
        sim.records
    );
    Ok((audit.seconds, stored))
}

pub async fn run() -> anyhow::Result<String> {
    let wanted: u64 = std::env::var("WEFT_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let users = (wanted / 318).clamp(5, 100_000) as u32;
    let started = Instant::now();
    let sim = start_child(users, 0)?;
    let generated = started.elapsed();

    // Baseline: every page over HTTP, decoded, dropped.
    let client = WrikeClient::new(
        ApiBase::from_url(&sim.api)?,
        Arc::new(PermanentToken::new(SecretString::from(sim.token.clone()))),
        ClientConfig {
            requests_per_minute: 0,
            ..ClientConfig::default()
        },
    );
    let t = Instant::now();
    let mut pages = std::pin::pin!(client.audit_log_pages(&AuditLogQuery::default(), 1000)?);
    let mut fetched = 0u64;
    while let Some(page) = pages.next().await {
        fetched += page?.data.len() as u64;
    }
    let baseline = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        fetched == sim.records,
        "fetched {fetched} of {}",
        sim.records
    );

    let mut out = format!(
        "usage-ingest: {} audit records ({users} people; simulator generated in {:.1}s, in a child process)\n",
        sim.records,
        generated.as_secs_f64()
    );
    out += &format!(
        "  baseline  fetch + decode only      {:>9.0} records/s\n",
        sim.records as f64 / baseline
    );
    let dir = std::env::temp_dir().join(format!("weft-bench-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/hub.db", dir.display());
    let (seconds, stored) = ingest(Store::open(&url).await?, &sim).await?;
    out += &format!(
        "  SQLite    fetch + store            {:>9.0} records/s  ({:.2} of baseline)\n",
        stored as f64 / seconds,
        baseline / seconds
    );
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(pg) = std::env::var("WEFT_BENCH_POSTGRES_URL") {
        let store = weft_store::testing::postgres_schema_url(&pg, "bench_ingest").await?;
        let (seconds, stored) = ingest(Store::open(&store).await?, &sim).await?;
        out += &format!(
            "  PostgreSQL fetch + store           {:>9.0} records/s  ({:.2} of baseline)\n",
            stored as f64 / seconds,
            baseline / seconds
        );
        // Millions of rows are not left behind in the test database.
        let admin = sqlx::PgPool::connect(&pg).await?;
        let schema = format!("weft_test_{}_bench_ingest", std::process::id());
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await?;
    }
    out += &format!(
        "  peak resident memory of the hub side: {:.0} MiB (target: under 150 MiB)\n",
        peak_rss_mib()
    );
    Ok(out)
}
