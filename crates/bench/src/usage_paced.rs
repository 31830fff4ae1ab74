//! `usage-paced`: a first sync with Wrike's rate limit on (400 requests a minute per token,
//! computed per second), then an incremental sync with nothing new. The simulator runs in a
//! child process and enforces the limit; the hub spends its own budget.
//!
//! Baseline: the time the limit allows for the requests the sync made (requests / rate);
//! the target is at most 1.1 times that, with no 429 storm. The incremental sync should
//! make one or two requests per dated source.

use std::sync::Arc;
use std::time::Instant;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;
use weft_hub::usage::sync::{self, Silent, SyncOptions};
use weft_store::Store;

use crate::usage_ingest::{bench_hub, start_child};

const PER_MINUTE: u32 = 400;

/// The statuses of the requests the simulator logged after `since`, and its last number.
async fn statuses(control: &str, since: u64) -> anyhow::Result<(Vec<u64>, u64)> {
    let log: serde_json::Value = reqwest::get(format!(
        "{control}/_sim/requests?since={since}&limit=100000"
    ))
    .await?
    .json()
    .await?;
    let statuses = log["requests"]
        .as_array()
        .map(|all| all.iter().filter_map(|r| r["status"].as_u64()).collect())
        .unwrap_or_default();
    Ok((statuses, log["last"].as_u64().unwrap_or(since)))
}

pub async fn run() -> anyhow::Result<String> {
    let users: u32 = std::env::var("WEFT_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let sim = start_child(users, PER_MINUTE)?;
    let dir = std::env::temp_dir().join(format!("weft-bench-paced-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open(&format!("sqlite://{}/hub.db", dir.display())).await?;
    let mut hub = bench_hub(Arc::new(store));
    hub.policy.requests_per_minute = PER_MINUTE;
    let added = weft_hub::connections::add(
        &hub,
        "bench",
        "bench",
        &sim.api,
        SecretString::from(sim.token.clone()),
        vec![],
    )
    .await?;
    let (_, before) = statuses(&sim.control, 0).await?;
    let t = Instant::now();
    let first = sync::run(
        &hub,
        &added.connection,
        "bench",
        &SyncOptions::default(),
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await?;
    let took = t.elapsed().as_secs_f64();
    let (sent, last) = statuses(&sim.control, before).await?;
    let refused = sent.iter().filter(|s| **s == 429).count();
    // The connection check before the sync spent from the same budget: count what the sync
    // sent, as the simulator saw it.
    let requests = sent.len() as f64;
    let allowed = requests / (PER_MINUTE as f64 / 60.0);
    let mut out = format!(
        "usage-paced: first sync of {} audit records and work data at {PER_MINUTE} requests/minute\n",
        sim.records
    );
    out += &format!(
        "  {} requests in {took:.1}s; the limit allows them in {allowed:.1}s: {:.2}x (target: at most 1.1x)\n",
        sent.len(),
        took / allowed
    );
    out += &format!("  429 answers: {refused}\n");
    let again = sync::run(
        &hub,
        &added.connection,
        "bench",
        &SyncOptions::default(),
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await?;
    let (incremental, _) = statuses(&sim.control, last).await?;
    out += &format!(
        "  incremental sync with nothing new: {} requests in {:.2}s; per source: {}\n",
        incremental.len(),
        again.seconds,
        again
            .sources
            .iter()
            .map(|s| format!("{} {}", s.source, s.requests))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = first;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}
