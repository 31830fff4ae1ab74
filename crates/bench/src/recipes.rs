//! `recipes`: how fast recipe runs go, against the job queue in the same run.
//!
//! - Latency: a change in the simulated Wrike (a task's status, through its control API)
//!   until the run's Wrike step starts its call, and until the run has finished, through
//!   the simulator's signed webhook delivery to the hub on loopback.
//! - Throughput: runs of a one-step recipe started eight at a time (as concurrent webhook
//!   deliveries would start them) for `WEFT_BENCH_SECONDS` (default 60) while the runtime
//!   works them, against no-op jobs enqueued the same way through the same queue for a
//!   tenth of that time. SQLite with one instance; PostgreSQL with two instances when
//!   `WEFT_BENCH_POSTGRES_URL` names a database.
//! - A run of 40 no-op (`map`) steps, start to finish.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use weft_core::secrets::SecretKey;
use weft_hub::Hub;
use weft_hub::jobs::{self, Request, kinds};
use weft_hub::recipes::{library, runs};
use weft_hub::runtime::{Registry, RuntimeConfig, WorkerConfig};
use weft_store::{JobStatus, RetryPolicy, RunFilter, RunStatus, Store};

fn runtime_config(name: &str) -> RuntimeConfig {
    RuntimeConfig {
        worker: WorkerConfig {
            id: name.into(),
            concurrency: std::env::var("WEFT_BENCH_CONCURRENCY")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(32),
            poll: Duration::from_millis(200),
            ..RuntimeConfig::default().worker
        },
        probe_interval: Duration::from_secs(3600),
        ..RuntimeConfig::default()
    }
}

fn seconds() -> u64 {
    std::env::var("WEFT_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
        .max(5)
}

/// Saves and starts a recipe from its text.
async fn install(hub: &Hub, source: &str) -> anyhow::Result<weft_store::RecipeRecord> {
    let file = library::SourceFile {
        file: "bench.yaml".into(),
        source: source.into(),
    };
    let checked = library::check_files(std::slice::from_ref(&file)).map_err(|p| {
        anyhow::anyhow!(
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    library::save(hub, &weft_hub::Actor::local("bench"), &checked[0]).await?;
    let name = checked[0].recipe.name.value.clone();
    Ok(library::start(hub, &weft_hub::Actor::local("bench"), &name).await?)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Succeeded runs of a recipe.
async fn succeeded(store: &Store, recipe_id: i64) -> anyhow::Result<i64> {
    Ok(store
        .recipes()
        .run_counts(recipe_id)
        .await?
        .into_iter()
        .find(|(s, _)| *s == RunStatus::Succeeded)
        .map_or(0, |(_, n)| n))
}

/// Runs (and baseline jobs) started at the same time, as concurrent deliveries would.
const PRODUCERS: usize = 8;

const ONE_STEP: &str = "name: one-step
connection: bench
trigger:
  http: {}
steps:
  - id: echo
    action: map
    input:
      n: \"{{ trigger.n }}\"
";

/// Runs per second of the one-step recipe over `duration`, started back to back (never
/// more than a few thousand ahead of the workers), on `stores` (one runtime each).
async fn run_throughput(
    stores: &[Arc<Store>],
    key: &SecretKey,
    duration: Duration,
) -> anyhow::Result<f64> {
    let hub = Hub::new(stores[0].clone(), key.clone());
    let record = install(&hub, ONE_STEP).await?;
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
    let before = succeeded(&stores[0], record.id).await?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        // Keep a few thousand runs ahead of the workers, no more.
        let waiting = stores[0]
            .recipes()
            .count_runs(record.id, RunStatus::Queued)
            .await?;
        if waiting > 2_000 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        // A hundred events, eight at a time, as concurrent deliveries arrive.
        let events = (n..n + 100).map(|k| {
            let (hub, record) = (&hub, &record);
            async move {
                runs::start(hub, record, &format!("bench:{k}"), json!({"n": k}), "bench").await
            }
        });
        futures::stream::iter(events)
            .buffer_unordered(PRODUCERS)
            .try_collect::<Vec<_>>()
            .await?;
        n += 100;
    }
    let done = succeeded(&stores[0], record.id).await? - before;
    let rate = done as f64 / started.elapsed().as_secs_f64();
    for runtime in runtimes {
        runtime.shutdown().await;
    }
    Ok(rate)
}

/// No-op jobs per second through the same queue over `duration`.
async fn job_throughput(
    stores: &[Arc<Store>],
    key: &SecretKey,
    duration: Duration,
) -> anyhow::Result<f64> {
    let hub = Hub::new(stores[0].clone(), key.clone());
    let mut runtimes = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        let hub = Hub::new(store.clone(), key.clone());
        runtimes.push(
            weft_hub::background::start(
                hub,
                runtime_config(&format!("bench-jobs-{i}")),
                Registry::new(),
            )
            .await?,
        );
    }
    let count = |hub: Hub| async move {
        let counts = jobs::counts(&hub).await?;
        anyhow::Ok(
            counts
                .iter()
                .find(|(s, _)| *s == JobStatus::Succeeded)
                .map_or(0, |(_, n)| *n),
        )
    };
    let before = count(hub.clone()).await?;
    let started = Instant::now();
    let mut n = 0i64;
    while started.elapsed() < duration {
        if stores[0].jobs().queued().await? > 2_000 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        }
        let requests = (n..n + 100).map(|k| {
            let hub = &hub;
            async move {
                jobs::enqueue(
                    hub,
                    "bench",
                    Request::new(kinds::NOOP, json!({"n": k})).retry(RetryPolicy::ONCE),
                )
                .await
            }
        });
        futures::stream::iter(requests)
            .buffer_unordered(PRODUCERS)
            .try_collect::<Vec<_>>()
            .await?;
        n += 100;
    }
    let rate = (count(hub.clone()).await? - before) as f64 / started.elapsed().as_secs_f64();
    for runtime in runtimes {
        runtime.shutdown().await;
    }
    Ok(rate)
}

/// Milliseconds from start to finish of each of `count` runs of a 40-step recipe.
async fn forty_steps(store: Arc<Store>, key: &SecretKey, count: usize) -> anyhow::Result<Vec<f64>> {
    let mut source = String::from("name: forty\nconnection: bench\ntrigger:\n  http: {}\nsteps:\n");
    for i in 0..40 {
        source.push_str(&format!(
            "  - id: s{i}\n    action: map\n    input:\n      i: {i}\n"
        ));
    }
    let hub = Hub::new(store.clone(), key.clone());
    let record = install(&hub, &source).await?;
    let runtime =
        weft_hub::background::start(hub.clone(), runtime_config("bench-forty"), Registry::new())
            .await?;
    let mut times = Vec::new();
    for n in 0..count {
        let started = Instant::now();
        let run = runs::start(&hub, &record, &format!("forty:{n}"), json!({}), "bench")
            .await?
            .run_id();
        loop {
            let r = store.recipes().run(run).await?.expect("the run");
            if r.status.is_final() {
                anyhow::ensure!(r.status == RunStatus::Succeeded, "{r:?}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    runtime.shutdown().await;
    times.sort_by(f64::total_cmp);
    Ok(times)
}

const LATENCY: &str = "name: latency
connection: bench
trigger:
  wrike:
    events: [TaskStatusChanged]
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
";

/// (until the Wrike step starts, until the run finishes) in ms, for `count` status changes.
async fn latency(count: usize) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            users: 30,
            rate_limit_per_minute: 0,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await?;
    let store = Arc::new(weft_store::testing::temp_sqlite("bench-recipes-latency").await?);
    let key = SecretKey::from_hex(&SecretKey::generate_hex())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let mut hub = Hub::new(store.clone(), key);
    hub.policy.allow_any_wrike_host = true;
    hub.policy.requests_per_minute = 0;
    hub.policy.public_url = url;
    let state = weft_server::AppState {
        hub: hub.clone(),
        config: Arc::new(weft_server::ServerConfig::default()),
        metrics: None,
    };
    tokio::spawn(weft_server::serve(state, listener, std::future::pending()));
    let http = reqwest::Client::new();
    let account = sim.sim.read().accounts[0].id().to_owned();
    let token: Value = http
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&json!({"accountId": account}))
        .send()
        .await?
        .json()
        .await?;
    weft_hub::connections::add(
        &hub,
        "bench",
        "bench",
        &sim.api_url(0),
        secrecy::SecretString::from(token["accessToken"].as_str().unwrap_or_default().to_owned()),
        vec![],
    )
    .await?;
    let record = install(&hub, LATENCY).await?;
    let mut config = runtime_config("bench-latency");
    config.worker.poll = Duration::from_millis(500);
    let runtime = weft_hub::background::start(hub.clone(), config, Registry::new()).await?;
    // Changes rotate over 50 tasks: Wrike's events carry no id, so the same change of the
    // same task within one second is one event to the hub (a repeat delivery).
    let tasks: Vec<String> = sim.sim.read().accounts[0]
        .tasks
        .iter()
        .filter(|t| {
            t.scope == wrike_api::models::TreeScope::WsTask
                && t.status == wrike_api::models::TaskStatus::Active
        })
        .take(50)
        .map(|t| t.id.clone())
        .collect();
    let (mut to_step, mut to_end) = (Vec::new(), Vec::new());
    let mut last_run = 0;
    let mut last_change: std::collections::HashMap<String, Instant> = Default::default();
    for i in 0..count {
        let task = &tasks[i % tasks.len()];
        // The same task changes again only in a later second than its last change.
        if let Some(previous) = last_change.get(task) {
            let since = Instant::now().duration_since(*previous);
            if since < Duration::from_millis(1100) {
                tokio::time::sleep(Duration::from_millis(1100) - since).await;
            }
        }
        last_change.insert(task.clone(), Instant::now());
        let status = if (i / tasks.len()).is_multiple_of(2) {
            "Completed"
        } else {
            "Active"
        };
        let t0 = chrono::Utc::now().timestamp_micros();
        let changed = http
            .post(format!(
                "{}/_sim/accounts/{account}/task_changes",
                sim.base_url()
            ))
            .json(&json!({"action": "update", "taskId": task, "params": {"status": status}}))
            .send()
            .await?;
        anyhow::ensure!(
            changed.status().is_success(),
            "the simulator refused the change"
        );
        // The newest run, once it is newer than the last one measured and has finished.
        let run = loop {
            let newest = store
                .recipes()
                .runs(&RunFilter {
                    recipe_id: Some(record.id),
                    limit: 1,
                    ..RunFilter::default()
                })
                .await?
                .into_iter()
                .next();
            if let Some(r) = newest
                .as_ref()
                .filter(|r| r.id > last_run && r.status.is_final())
            {
                break r.clone();
            }
            let waited = chrono::Utc::now().timestamp_micros() - t0;
            anyhow::ensure!(
                waited < 30_000_000,
                "change {i} ({task} to {status}): no finished run after 30 s (deliveries: {:?}; newest run: {newest:?})",
                sim.sim
                    .hooks
                    .deliveries
                    .lock()
                    .map(|d| d.len())
                    .unwrap_or(0)
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        last_run = run.id;
        anyhow::ensure!(run.status == RunStatus::Succeeded, "{run:?}");
        let steps = store.recipes().steps(run.id).await?;
        let step_start_us = steps[0].started_ms * 1000;
        let end_us = run.finished_ms.unwrap_or(run.updated_ms) * 1000;
        to_step.push((step_start_us - t0) as f64 / 1000.0);
        to_end.push((end_us - t0) as f64 / 1000.0);
    }
    runtime.shutdown().await;
    to_step.sort_by(f64::total_cmp);
    to_end.sort_by(f64::total_cmp);
    Ok((to_step, to_end))
}

/// A store with a `bench` connection row, so recipes naming it pass the hub's checks.
async fn with_connection(store: &Arc<Store>, key: &SecretKey) -> anyhow::Result<()> {
    let now = chrono::Utc::now().timestamp();
    store
        .connections()
        .create(weft_store::NewConnection {
            id: "conn_bench".into(),
            name: "bench".into(),
            kind: weft_store::ConnectionKind::Permanent,
            api_base: "https://www.wrike.com/api/v4".into(),
            identity: weft_store::WrikeIdentity {
                account_id: "IEAAAAAA".into(),
                account_name: "bench".into(),
                user_id: "KUAAAAAA".into(),
                user_name: "bench".into(),
                user_email: "bench@example.com".into(),
                admin: true,
            },
            scopes: Vec::new(),
            features: Vec::new(),
            tokens: weft_store::SealedTokens {
                access_token: key.seal("conn_bench", b"unused"),
                refresh_token: None,
                expires_at: None,
            },
            created_at: now,
            created_by: "bench".into(),
        })
        .await?;
    Ok(())
}

pub async fn run() -> anyhow::Result<String> {
    let key = SecretKey::from_hex(&SecretKey::generate_hex())?;
    let duration = Duration::from_secs(seconds());
    let mut report =
        String::from("recipes: runs through the job queue (32 at a time per instance)\n");

    let (to_step, to_end) = latency(200).await?;
    report.push_str(&format!(
        "  Wrike change -> signed webhook -> run -> first Wrike step (200 changes, SQLite):\n\
         \x20   until the step starts its call:  p50 {:>6.1} ms  p99 {:>6.1} ms  (targets 10 and 50)\n\
         \x20   until the run has finished:      p50 {:>6.1} ms  p99 {:>6.1} ms\n",
        percentile(&to_step, 0.5),
        percentile(&to_step, 0.99),
        percentile(&to_end, 0.5),
        percentile(&to_end, 0.99),
    ));

    let sqlite = Arc::new(weft_store::testing::temp_sqlite("bench-recipes").await?);
    with_connection(&sqlite, &key).await?;
    let forty = forty_steps(sqlite.clone(), &key, 20).await?;
    report.push_str(&format!(
        "  a run of 40 no-op steps, start to finish (20 runs): median {:.0} ms, slowest {:.0} ms (target under 500)\n",
        percentile(&forty, 0.5),
        forty[forty.len() - 1]
    ));

    let jobs = job_throughput(std::slice::from_ref(&sqlite), &key, duration / 10).await?;
    let rate = run_throughput(std::slice::from_ref(&sqlite), &key, duration).await?;
    report.push_str(&format!(
        "  SQLite, one instance, {} s:\n\
         \x20   baseline (no-op jobs, same queue):  {jobs:>8.0} jobs/s\n\
         \x20   one-step recipe runs:               {rate:>8.0} runs/s  (target 1,000)\n\
         \x20   ratio runs / jobs:                  {:>8.2}\n",
        duration.as_secs(),
        rate / jobs
    ));
    match std::env::var("WEFT_BENCH_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = weft_store::testing::postgres_schema_url(&url, "bench_recipes").await?;
            let first = Arc::new(Store::open(&schema).await?);
            let second = Arc::new(Store::open(&schema).await?);
            with_connection(&first, &key).await?;
            let pair = [first, second];
            let jobs = job_throughput(&pair, &key, duration / 10).await?;
            let rate = run_throughput(&pair, &key, duration).await?;
            report.push_str(&format!(
                "  PostgreSQL, two instances, {} s:\n\
                 \x20   baseline (no-op jobs, same queue):  {jobs:>8.0} jobs/s\n\
                 \x20   one-step recipe runs:               {rate:>8.0} runs/s\n\
                 \x20   ratio runs / jobs:                  {:>8.2}\n",
                duration.as_secs(),
                rate / jobs
            ));
        }
        _ => report.push_str("  PostgreSQL: skipped (set WEFT_BENCH_POSTGRES_URL)\n"),
    }
    Ok(report)
}
