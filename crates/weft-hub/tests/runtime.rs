//! The runtime end to end: retries follow the stored policy (on a clock the test moves), a
//! panicking job or task is contained, cancel stops a running job, shutdown gives unfinished
//! work back, health probes run once per round however many instances run, and two
//! instances share a thousand jobs with none run twice and none lost. On SQLite, and on
//! PostgreSQL when `WEFT_TEST_POSTGRES_URL` names a database.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use weft_core::clock::ManualClock;
use weft_core::secrets::SecretKey;
use weft_hub::jobs::{self, Request};
use weft_hub::runtime::{JobError, Registry, RuntimeConfig, WorkerConfig, supervisor};
use weft_hub::{Hub, connections};
use weft_store::{Job, JobFilter, JobStatus, RetryPolicy, Store};

fn hub_on(store: Arc<Store>) -> Hub {
    Hub::new(
        store,
        SecretKey::from_hex(&SecretKey::generate_hex()).unwrap(),
    )
}

fn fast(worker: &str) -> RuntimeConfig {
    RuntimeConfig {
        worker: WorkerConfig {
            id: worker.into(),
            concurrency: 8,
            lease: Duration::from_millis(900),
            poll: Duration::from_millis(30),
            shutdown_grace: Duration::from_millis(600),
        },
        scheduler_tick: Duration::from_millis(30),
        probe_interval: Duration::from_secs(3600),
        ..RuntimeConfig::default()
    }
}

/// Waits (at most ten seconds) until `check` holds.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn job(hub: &Hub, id: i64) -> Job {
    jobs::get(hub, id).await.unwrap()
}

async fn stores(name: &str) -> Vec<Arc<Store>> {
    weft_store::testing::every_backend(name)
        .await
        .into_iter()
        .map(Arc::new)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_follow_the_policy_and_dead_jobs_keep_their_error() {
    for store in stores("rt-retry").await {
        let clock = Arc::new(ManualClock::at_unix(1_800_000_000));
        let t0 = 1_800_000_000_000;
        let mut hub = hub_on(store);
        hub.clock = clock.clone();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut registry = Registry::new();
        let record = seen.clone();
        registry.register("test.flaky", move |ctx| {
            let record = record.clone();
            async move {
                record.lock().unwrap().push(ctx.hub.clock.now_ms());
                Err(JobError::Retry(format!(
                    "Wrike answered HTTP 500 on attempt {}",
                    ctx.job.attempts
                )))
            }
        });
        let runtime = weft_hub::background::start(hub.clone(), fast("w1"), registry)
            .await
            .unwrap();
        let policy = RetryPolicy {
            max_attempts: 3,
            backoff_ms: 1_000,
            backoff_max_ms: 60_000,
        };
        let id = jobs::enqueue(
            &hub,
            "test",
            Request::new("test.flaky", json!({})).retry(policy),
        )
        .await
        .unwrap()
        .id();
        // `seen` first: the job is also Queued before its first attempt, so reading the
        // status first could pair that early status with an attempt recorded just after.
        until("the first attempt failed", || async {
            let attempts = seen.lock().unwrap().len();
            attempts == 1 && job(&hub, id).await.status == JobStatus::Queued
        })
        .await;
        assert_eq!(job(&hub, id).await.run_at_ms, t0 + 1_000, "first backoff");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            seen.lock().unwrap().len(),
            1,
            "nothing runs before its backoff ends"
        );

        clock.advance(chrono::Duration::milliseconds(1_000));
        until("the second attempt failed", || async {
            let attempts = seen.lock().unwrap().len();
            attempts == 2 && job(&hub, id).await.status == JobStatus::Queued
        })
        .await;
        assert_eq!(
            job(&hub, id).await.run_at_ms,
            t0 + 1_000 + 2_000,
            "doubled backoff"
        );

        clock.advance(chrono::Duration::milliseconds(2_000));
        until("the job died", || async {
            job(&hub, id).await.status == JobStatus::Dead
        })
        .await;
        assert_eq!(*seen.lock().unwrap(), [t0, t0 + 1_000, t0 + 3_000]);
        let dead = jobs::list(
            &hub,
            &JobFilter {
                status: Some(JobStatus::Dead),
                kind: Some("test.flaky".into()),
                limit: 10,
                ..JobFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(dead.len(), 1, "dead jobs stay visible");
        assert_eq!(
            dead[0].last_error.as_deref(),
            Some("Wrike answered HTTP 500 on attempt 3")
        );
        assert_eq!(dead[0].attempts, 3);

        // An Operator retries it: fresh attempts, due now.
        let retried = jobs::retry(&hub, "ops", id).await.unwrap();
        assert_eq!((retried.status, retried.attempts), (JobStatus::Queued, 0));
        until("the retried job ran", || async {
            seen.lock().unwrap().len() == 4
        })
        .await;
        let trail = hub.store.trail().latest(5).await.unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.action == "job.retry" && e.actor == "ops")
        );
        runtime.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_job_is_recorded_and_the_worker_goes_on() {
    let store = Arc::new(weft_store::testing::temp_sqlite("rt-panic").await.unwrap());
    let hub = hub_on(store);
    let mut registry = Registry::new();
    registry
        .register("test.panics", |_| async { panic!("the handler broke") })
        .register("test.ok", |_| async { Ok(Some(json!("fine"))) });
    let runtime = weft_hub::background::start(hub.clone(), fast("w1"), registry)
        .await
        .unwrap();
    let once = RetryPolicy::ONCE;
    let bad = jobs::enqueue(
        &hub,
        "test",
        Request::new("test.panics", json!({})).retry(once),
    )
    .await
    .unwrap()
    .id();
    until("the panicking job died", || async {
        job(&hub, bad).await.status == JobStatus::Dead
    })
    .await;
    assert_eq!(
        job(&hub, bad).await.last_error.as_deref(),
        Some("panicked: the handler broke")
    );
    let good = jobs::enqueue(&hub, "test", Request::new("test.ok", json!({})))
        .await
        .unwrap()
        .id();
    until("the worker still runs jobs", || async {
        job(&hub, good).await.status == JobStatus::Succeeded
    })
    .await;
    runtime.shutdown().await;
}

#[tokio::test]
async fn a_supervised_task_that_panics_or_fails_is_started_again() {
    let starts = Arc::new(AtomicUsize::new(0));
    let stop = CancellationToken::new();
    let (count, token) = (starts.clone(), stop.clone());
    let liveness = supervisor::Liveness::default();
    let handle = supervisor::supervise("test task", stop.clone(), liveness.clone(), move || {
        let (count, token) = (count.clone(), token.clone());
        async move {
            match count.fetch_add(1, Ordering::SeqCst) {
                0 => panic!("first run panics"),
                1 => Err(weft_hub::HubError::Internal("second run fails".into())),
                _ => {
                    token.cancelled().await;
                    Ok(())
                }
            }
        }
    });
    // Between the failure and the restart (a 200 ms pause), the readiness probe says why.
    let state = || liveness.tasks().into_iter().next().map(|(_, down)| down);
    until("the task to be down after its failure", || async {
        state()
            .flatten()
            .is_some_and(|why| why.starts_with("failed: ") && why.contains("second run fails"))
    })
    .await;
    until("the task was started a third time", || async {
        starts.load(Ordering::SeqCst) == 3
    })
    .await;
    assert_eq!(state(), Some(None), "running again");
    stop.cancel();
    handle.await.unwrap();
    assert_eq!(state(), Some(Some("the runtime is stopping".to_owned())));
    assert_eq!(
        starts.load(Ordering::SeqCst),
        3,
        "not restarted after shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_running_job_and_shutdown_gives_unfinished_work_back() {
    for store in stores("rt-cancel").await {
        let hub = hub_on(store);
        let stopped = Arc::new(AtomicUsize::new(0));
        let mut registry = Registry::new();
        let noticed = stopped.clone();
        registry
            .register("test.long", move |ctx| {
                let noticed = noticed.clone();
                async move {
                    ctx.stop.cancelled().await;
                    noticed.fetch_add(1, Ordering::SeqCst);
                    Ok(Some(json!("should not be kept")))
                }
            })
            .register("test.stubborn", |_| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(None)
            });
        let runtime = weft_hub::background::start(hub.clone(), fast("w1"), registry)
            .await
            .unwrap();
        let id = jobs::enqueue(&hub, "test", Request::new("test.long", json!({})))
            .await
            .unwrap()
            .id();
        until("the job runs", || async {
            job(&hub, id).await.status == JobStatus::Running
        })
        .await;
        jobs::cancel(&hub, "ops", id).await.unwrap();
        until("the handler saw the stop", || async {
            stopped.load(Ordering::SeqCst) == 1
        })
        .await;
        let cancelled = job(&hub, id).await;
        assert_eq!(cancelled.status, JobStatus::Cancelled);
        assert_eq!(
            cancelled.result, None,
            "a cancelled job's late result is not kept"
        );

        let stubborn = jobs::enqueue(&hub, "test", Request::new("test.stubborn", json!({})))
            .await
            .unwrap()
            .id();
        until("the stubborn job runs", || async {
            job(&hub, stubborn).await.status == JobStatus::Running
        })
        .await;
        runtime.shutdown().await;
        let given_back = job(&hub, stubborn).await;
        assert_eq!(given_back.status, JobStatus::Queued, "given back, not lost");
        assert_eq!(
            given_back.attempts, 0,
            "the interrupted attempt does not count"
        );
        assert!(
            given_back
                .last_error
                .unwrap()
                .contains("interrupted: worker w1 shut down")
        );
    }
}

/// Two instances of one database: two stores (two pools), as two processes would have.
async fn instance_pairs(name: &str) -> Vec<(Arc<Store>, Arc<Store>)> {
    let mut urls = vec![weft_store::testing::temp_sqlite_url(name)];
    if let Some(url) = weft_store::testing::postgres_url() {
        urls.push(
            weft_store::testing::postgres_schema_url(&url, name)
                .await
                .unwrap(),
        );
    }
    let mut pairs = Vec::new();
    for url in urls {
        let first = Arc::new(Store::open(&url).await.unwrap());
        let second = Arc::new(Store::open(&url).await.unwrap());
        pairs.push((first, second));
    }
    pairs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_a_thousand_jobs_with_none_run_twice_and_none_lost() {
    for (first, second) in instance_pairs("rt-share").await {
        let runs: Arc<Mutex<HashMap<i64, Vec<String>>>> = Arc::default();
        let mut instances = Vec::new();
        for (name, store) in [("instance-a", first.clone()), ("instance-b", second)] {
            let mut registry = Registry::new();
            let runs = runs.clone();
            registry.register("test.count", move |ctx| {
                let runs = runs.clone();
                async move {
                    runs.lock()
                        .unwrap()
                        .entry(ctx.job.id)
                        .or_default()
                        .push(ctx.worker.clone());
                    Ok(Some(json!({"by": ctx.worker})))
                }
            });
            // The queue runs a job again when a write stalls longer than its lease (at
            // least once, by design; the kill and freeze tests cover that). A shared CI
            // machine stalled a write past the 900 ms of `fast` once, so this test, which
            // is about claims being exclusive, gives the lease room. (SQLite's busy handler is
            // not fair: one writer can wait out many others.)
            let mut config = fast(name);
            config.worker.lease = Duration::from_secs(10);
            instances.push(
                weft_hub::background::start(hub_on(store), config, registry)
                    .await
                    .unwrap(),
            );
        }
        let hub = hub_on(first.clone());
        for n in 0..1000 {
            jobs::enqueue(&hub, "test", Request::new("test.count", json!({"n": n})))
                .await
                .unwrap();
        }
        let succeeded = JobFilter {
            kind: Some("test.count".into()),
            status: Some(JobStatus::Succeeded),
            limit: 1000,
            ..JobFilter::default()
        };
        until("every job succeeded", || async {
            jobs::list(&hub, &succeeded).await.unwrap().len() == 1000
        })
        .await;
        for runtime in instances {
            runtime.shutdown().await;
        }
        let runs = runs.lock().unwrap().clone();
        let backend = first.backend().as_str();
        assert_eq!(runs.len(), 1000, "{backend}: none lost");
        let twice: Vec<_> = runs.iter().filter(|(_, by)| by.len() > 1).collect();
        assert!(twice.is_empty(), "{backend}: none run twice, but {twice:?}");
        let mut per_instance: HashMap<&str, usize> = HashMap::new();
        for by in runs.values() {
            *per_instance.entry(by[0].as_str()).or_default() += 1;
        }
        assert_eq!(
            per_instance.len(),
            2,
            "both instances worked: {per_instance:?}"
        );
        eprintln!("{backend}: {per_instance:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_probes_run_once_per_round_and_alert_once_across_instances() {
    let sim = wrike_sim::start(
        wrike_sim::SimConfig {
            users: 10,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen::loopback(),
    )
    .await
    .unwrap();
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/alerts",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(v) }
        }),
    );
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let alerts_url = format!("http://{}/alerts", receiver.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(receiver, app).await.unwrap() });

    for (store, second) in instance_pairs("rt-probes").await {
        received.lock().unwrap().clear();
        let key = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
        let instance = |store: Arc<Store>| {
            let mut hub = Hub::new(store, key.clone());
            // The simulator runs on loopback.
            hub.policy.allow_any_wrike_host = true;
            hub.alerter = weft_hub::alerts::Alerter::new(Some(alerts_url.clone()));
            hub
        };
        let hub = instance(store.clone());
        let integration = sim.sim.read().accounts[0]
            .integration_user()
            .unwrap()
            .id()
            .to_owned();
        let token: Value = reqwest::Client::new()
            .post(format!("{}/_sim/tokens", sim.base_url()))
            .json(&json!({"userId": integration}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let added = connections::add(
            &hub,
            "test",
            &format!("probed-{}", store.backend().as_str()),
            &sim.api_url(0),
            secrecy::SecretString::from(token["accessToken"].as_str().unwrap().to_owned()),
            vec![],
        )
        .await
        .unwrap();
        let mut runtimes = Vec::new();
        for (name, store) in [
            ("instance-a", store.clone()),
            ("instance-b", second.clone()),
        ] {
            let config = RuntimeConfig {
                probe_interval: Duration::from_secs(1),
                ..fast(name)
            };
            runtimes.push(
                weft_hub::background::start(instance(store), config, Registry::new())
                    .await
                    .unwrap(),
            );
        }
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        // The user's password changes: the connection breaks.
        reqwest::Client::new()
            .post(format!(
                "{}/_sim/users/{integration}/password",
                sim.base_url()
            ))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        until("the broken connection alerted", || async {
            !received.lock().unwrap().is_empty()
        })
        .await;
        // Two more rounds: still one alert.
        tokio::time::sleep(Duration::from_millis(2_200)).await;
        for runtime in runtimes {
            runtime.shutdown().await;
        }
        let alerts = received.lock().unwrap().clone();
        assert_eq!(alerts.len(), 1, "one alert from two instances: {alerts:?}");
        assert_eq!(alerts[0]["class"], "token_rejected");

        let listed = |kind: &str| {
            let hub = hub.clone();
            let kind = kind.to_owned();
            async move {
                jobs::list(
                    &hub,
                    &JobFilter {
                        kind: Some(kind),
                        limit: 1000,
                        ..JobFilter::default()
                    },
                )
                .await
                .unwrap()
            }
        };
        let rounds = listed("health.round").await;
        let probes = listed("health.probe").await;
        assert!(rounds.len() >= 4, "a round a second: {}", rounds.len());
        assert!(
            rounds.len() <= 7,
            "not a round per instance: {}",
            rounds.len()
        );
        let mut keys: Vec<_> = rounds.iter().filter_map(|r| r.dedupe_key.clone()).collect();
        keys.dedup();
        assert_eq!(keys.len(), rounds.len(), "each occurrence once");
        // Rounds fan out one probe each; a usage sync that met the revoked token asks
        // for one more of its own, which is not a round's.
        let of_this_connection = probes
            .iter()
            .filter(|p| p.payload["connectionId"] == added.connection.id.as_str())
            .filter(|p| {
                !p.dedupe_key
                    .as_deref()
                    .unwrap_or_default()
                    .contains(":sync:")
            })
            .count();
        assert_eq!(
            of_this_connection,
            rounds.len(),
            "one probe of the connection per round"
        );
        let mut workers: Vec<_> = probes
            .iter()
            .filter_map(|p| p.lease_owner.clone())
            .collect();
        workers.sort();
        workers.dedup();
        eprintln!(
            "{}: {} rounds, probes by {workers:?}",
            store.backend().as_str(),
            rounds.len()
        );
    }
}

#[tokio::test]
async fn a_cron_schedule_fires_at_its_local_time_once_per_occurrence() {
    use weft_core::schedule::Cadence;
    use weft_hub::runtime::scheduler;
    use weft_store::ScheduleSpec;
    for store in stores("rt-cron").await {
        // 02:59:30 in Berlin (UTC+1 in winter).
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-30T01:59:30Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let clock = Arc::new(ManualClock::new(start));
        let mut hub = hub_on(store);
        hub.clock = clock.clone();
        let spec = ScheduleSpec {
            name: "nightly-report".into(),
            kind: "test.nightly".into(),
            payload: json!({"report": "idle seats"}),
            cadence: Cadence::cron("0 3 * * *", "Europe/Berlin").unwrap(),
            priority: 0,
            retry: RetryPolicy::ONCE,
            enabled: true,
        };
        scheduler::declare(&hub, &spec).await.unwrap();
        assert_eq!(
            scheduler::tick_once(&hub).await.unwrap(),
            0,
            "not 03:00 yet"
        );
        clock.advance(chrono::Duration::seconds(30));
        assert_eq!(scheduler::tick_once(&hub).await.unwrap(), 1, "03:00 Berlin");
        assert_eq!(
            scheduler::tick_once(&hub).await.unwrap(),
            0,
            "once per occurrence"
        );
        // The hub was down for two days: one catch-up run, not two.
        clock.advance(chrono::Duration::days(2));
        assert_eq!(scheduler::tick_once(&hub).await.unwrap(), 1);
        assert_eq!(scheduler::tick_once(&hub).await.unwrap(), 0);
        let runs = jobs::list(
            &hub,
            &JobFilter {
                kind: Some("test.nightly".into()),
                limit: 10,
                ..JobFilter::default()
            },
        )
        .await
        .unwrap();
        let due: Vec<i64> = runs.iter().rev().map(|j| j.run_at_ms).collect();
        assert_eq!(
            due[0],
            chrono::DateTime::parse_from_rfc3339("2026-11-30T02:00:00Z")
                .unwrap()
                .timestamp_millis()
        );
        assert_eq!(runs[0].payload["report"], "idle seats");
        assert_eq!(runs[0].origin, "schedule nightly-report");
        let next = hub.store.schedules().list().await.unwrap();
        let nightly = next
            .iter()
            .find(|s| s.spec.name == "nightly-report")
            .unwrap();
        assert_eq!(
            nightly.next_run_ms,
            chrono::DateTime::parse_from_rfc3339("2026-12-03T02:00:00Z")
                .unwrap()
                .timestamp_millis(),
            "the next 03:00 Berlin after now"
        );
    }
}

/// The hourly purge job deletes old finished jobs and recipe runs (by the retention its
/// schedule carries) and says how many went; a run still waiting stays.
#[tokio::test]
async fn the_purge_job_deletes_old_runs_and_keeps_unfinished_ones() {
    let store = Arc::new(weft_store::testing::temp_sqlite("rt-purge").await.unwrap());
    let hub = hub_on(store.clone());
    let recipes = store.recipes();
    let weft_store::Saved::Created { id: recipe_id } = recipes
        .save(
            &weft_store::RecipeFile {
                name: "old",
                connection_name: "c",
                trigger_kind: "http",
                source: "name: old\n",
            },
            "test",
            0,
        )
        .await
        .unwrap()
    else {
        panic!("a new recipe")
    };
    let long_ago = hub.clock.now_ms() - 400 * 86_400_000;
    let mut runs = Vec::new();
    for key in ["done", "waiting"] {
        let started = recipes
            .start_run(
                &weft_store::NewRun {
                    recipe_id,
                    version: 1,
                    event_key: key,
                    trigger_event: &json!({}),
                    next_step: 0,
                    outputs: &json!({}),
                    rerun_of: None,
                    started_by: None,
                    hand_made: false,
                },
                &weft_store::NewJob {
                    kind: "test.unclaimed".into(),
                    payload: json!({}),
                    dedupe_key: None,
                    origin: "test".into(),
                    priority: 0,
                    run_at_ms: long_ago,
                    retry: RetryPolicy::ONCE,
                },
                long_ago,
            )
            .await
            .unwrap();
        runs.push(started.run_id());
    }
    recipes
        .set_run_status(runs[0], weft_store::RunStatus::Succeeded, None, long_ago)
        .await
        .unwrap();
    recipes
        .set_run_status(runs[1], weft_store::RunStatus::Waiting, None, long_ago)
        .await
        .unwrap();
    let runtime = weft_hub::background::start(hub.clone(), fast("purge"), Registry::new())
        .await
        .unwrap();
    let purge = jobs::enqueue(
        &hub,
        "test",
        Request::new(
            "jobs.purge",
            json!({"keepRunsMs": 30 * 86_400_000i64, "keepFailedRunsMs": 90 * 86_400_000i64}),
        ),
    )
    .await
    .unwrap()
    .id();
    // The hub's own hourly purge is due at start too and may get there first: once every
    // purge has run, between them the old run went once.
    let all_purges = || async {
        jobs::list(
            &hub,
            &JobFilter {
                kind: Some("jobs.purge".into()),
                limit: 100,
                ..JobFilter::default()
            },
        )
        .await
        .unwrap()
    };
    until("every purge ran", || async {
        all_purges()
            .await
            .iter()
            .all(|j| j.status == JobStatus::Succeeded)
    })
    .await;
    let purges = all_purges().await;
    assert!(purges.iter().any(|j| j.id == purge));
    let deleted: i64 = purges
        .iter()
        .map(|j| j.result.as_ref().unwrap()["runsDeleted"].as_i64().unwrap())
        .sum();
    assert_eq!(deleted, 1, "{purges:?}");
    assert!(recipes.run(runs[0]).await.unwrap().is_none());
    assert!(recipes.run(runs[1]).await.unwrap().is_some());
    runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_names_what_is_missing_and_follows_the_runtime() {
    use weft_hub::readiness;
    for store in stores("rt-ready").await {
        let hub = hub_on(store.clone());
        let failing = |r: &readiness::Readiness| -> Vec<(String, String)> {
            r.checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| (c.name.to_owned(), c.detail.clone()))
                .collect()
        };
        // A new database: no key marker yet, no runtime.
        let before = readiness::of(&hub).await;
        assert!(!before.ready);
        let names: Vec<String> = failing(&before).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["key", "runtime"], "{before:?}");
        weft_hub::keys::check(&hub.store, hub.key().unwrap())
            .await
            .unwrap();
        let runtime = weft_hub::background::start(hub.clone(), fast("ready-1"), Registry::new())
            .await
            .unwrap();
        until("every task to run", || async {
            readiness::of(&hub).await.ready
        })
        .await;
        // Another key does not open this database.
        let mut stranger = hub_on(store.clone());
        stranger.liveness = hub.liveness.clone();
        let refused = failing(&readiness::of(&stranger).await);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].0, "key");
        runtime.shutdown().await;
        let after = failing(&readiness::of(&hub).await);
        assert_eq!(after.len(), 1, "{after:?}");
        assert_eq!(after[0].0, "runtime");
        assert!(after[0].1.contains("stopping"), "{after:?}");
    }
}
