//! `queue`: no-op jobs through the whole queue (enqueue, claim under a lease, complete)
//! while the runtime works them, against a bare insert-then-delete loop on the same
//! database in the same run: the least any durable queue must write per job. On SQLite
//! with one instance, and on PostgreSQL (when `WEFT_BENCH_POSTGRES_URL` names a database)
//! with two instances sharing the work.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use weft_core::secrets::SecretKey;
use weft_hub::Hub;
use weft_hub::jobs::{self, Request, kinds};
use weft_hub::runtime::{Registry, RuntimeConfig, WorkerConfig};
use weft_store::{JobStatus, RetryPolicy, Store};

const JOBS: usize = 5_000;

fn runtime_config(name: &str) -> RuntimeConfig {
    RuntimeConfig {
        worker: WorkerConfig {
            id: name.into(),
            concurrency: 32,
            ..RuntimeConfig::default().worker
        },
        probe_interval: Duration::from_secs(3600),
        ..RuntimeConfig::default()
    }
}

/// Items per second of `INSERT` then `DELETE` of one row, one statement each.
async fn baseline(store: &Store) -> anyhow::Result<f64> {
    store
        .execute_unchecked("CREATE TABLE IF NOT EXISTS bench_baseline (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)")
        .await?;
    let started = Instant::now();
    for i in 0..JOBS {
        store
            .execute_unchecked(&format!(
                "INSERT INTO bench_baseline (id, payload) VALUES ({i}, '{{\"n\": {i}}}')"
            ))
            .await?;
        store
            .execute_unchecked(&format!("DELETE FROM bench_baseline WHERE id = {i}"))
            .await?;
    }
    Ok(JOBS as f64 / started.elapsed().as_secs_f64())
}

/// Jobs per second through enqueue, claim and complete with `instances` runtimes working.
async fn through_queue(stores: Vec<Arc<Store>>) -> anyhow::Result<f64> {
    let key = SecretKey::from_hex(&SecretKey::generate_hex())?;
    let mut runtimes = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        let hub = Hub::new(store.clone(), key.clone());
        runtimes.push(
            weft_hub::background::start(
                hub,
                runtime_config(&format!("bench-{i}")),
                Registry::new(),
            )
            .await?,
        );
    }
    let hub = Hub::new(stores[0].clone(), key);
    let started = Instant::now();
    for n in 0..JOBS {
        jobs::enqueue(
            &hub,
            "bench",
            Request::new(kinds::NOOP, json!({"n": n})).retry(RetryPolicy::ONCE),
        )
        .await?;
    }
    // Done when nothing waits or runs and at least every one of ours succeeded (the hub's
    // own scheduled jobs, a handful, succeed too).
    loop {
        let counts = jobs::counts(&hub).await?;
        let count = |status| {
            counts
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n)
        };
        if count(JobStatus::Succeeded) >= JOBS as i64
            && count(JobStatus::Queued) == 0
            && count(JobStatus::Running) == 0
        {
            break;
        }
        anyhow::ensure!(count(JobStatus::Dead) == 0, "a no-op job died");
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "the queue did not drain"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rate = JOBS as f64 / started.elapsed().as_secs_f64();
    for runtime in runtimes {
        runtime.shutdown().await;
    }
    Ok(rate)
}

pub async fn run() -> anyhow::Result<String> {
    let mut report = format!(
        "queue: {JOBS} no-op jobs enqueued one by one while the runtime claims (up to 32 at a time) and completes them\n"
    );
    let sqlite = Arc::new(weft_store::testing::temp_sqlite("bench-queue").await?);
    let base = baseline(&sqlite).await?;
    let rate = through_queue(vec![sqlite]).await?;
    report.push_str(&format!(
        "  SQLite, one instance:\n\
         \x20   baseline (INSERT + DELETE of a row):  {base:>8.0} items/s\n\
         \x20   enqueue, claim, complete:             {rate:>8.0} jobs/s\n\
         \x20   ratio queue / baseline:               {:>8.2}\n",
        rate / base
    ));
    match std::env::var("WEFT_BENCH_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = weft_store::testing::postgres_schema_url(&url, "bench_queue").await?;
            let first = Arc::new(Store::open(&schema).await?);
            let second = Arc::new(Store::open(&schema).await?);
            let base = baseline(&first).await?;
            let rate = through_queue(vec![first, second]).await?;
            report.push_str(&format!(
                "  PostgreSQL, two instances (two pools, one database):\n\
                 \x20   baseline (INSERT + DELETE of a row):  {base:>8.0} items/s\n\
                 \x20   enqueue, claim, complete:             {rate:>8.0} jobs/s\n\
                 \x20   ratio queue / baseline:               {:>8.2}\n",
                rate / base
            ));
        }
        _ => report.push_str("  PostgreSQL: skipped (set WEFT_BENCH_POSTGRES_URL)\n"),
    }
    Ok(report)
}
