//! Jobs across real processes: a `weft worker` killed with SIGKILL in the middle of a job has
//! the job taken over by another worker once its lease expires, and finished once; a worker
//! frozen (SIGSTOP) past its lease cannot finish a job another worker took over when it
//! wakes; and `weft jobs` lists, shows, cancels and retries jobs, naming what is wrong.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_store::{JobStatus, NewJob, RetryPolicy, Store};

mod common;
use common::{Instance, text};

/// A hub whose jobs have short leases, with no probes to run.
fn hub(name: &str) -> Instance {
    Instance::new(
        name,
        &[
            ("WEFT_JOB_LEASE_SECONDS", "2"),
            ("WEFT_PROBE_INTERVAL_SECONDS", "3600"),
            ("WEFT_LOG", "info"),
        ],
    )
}

/// A `weft worker` process of `hub` logging to `log`.
fn worker(hub: &Instance, log: &str) -> Child {
    let log = std::fs::File::create(hub.dir.join(log)).unwrap();
    hub.command(&["worker"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

/// Stops a worker at a moment it holds no write or checkpoint lock on the SQLite file. A
/// process frozen inside a write (a claim, a heartbeat) or a checkpoint would hold other
/// processes up until it woke; this test is about leases, not about a frozen lock holder.
async fn freeze_outside_a_write(hub: &Instance, child: &Child) {
    use sqlx::Connection;
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&hub.database_url())
        .unwrap()
        .busy_timeout(Duration::ZERO);
    let mut probe = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    for _ in 0..100 {
        signal(child, "STOP");
        if sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut probe)
            .await
            .is_ok()
        {
            sqlx::query("ROLLBACK").execute(&mut probe).await.unwrap();
            // Nor inside a checkpoint (the store copies the WAL every second): a process
            // frozen there holds the checkpoint lock, and the others' commits that must
            // start the WAL over wait for it.
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&mut probe)
                .await
                .unwrap_or((1, 0, 0));
            if busy == 0 {
                return;
            }
        }
        signal(child, "CONT");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the worker held the write or checkpoint lock at every try");
}

async fn noop_job(store: &Store, sleep_ms: u64) -> i64 {
    let now = chrono::Utc::now().timestamp_millis();
    store
        .jobs()
        .enqueue(
            &NewJob {
                kind: "hub.noop".into(),
                payload: json!({"sleepMs": sleep_ms}),
                dedupe_key: None,
                origin: "test".into(),
                priority: 100,
                run_at_ms: now,
                retry: RetryPolicy {
                    max_attempts: 3,
                    backoff_ms: 100,
                    backoff_max_ms: 100,
                },
            },
            now,
        )
        .await
        .unwrap()
        .id()
}

/// Waits (at most 30 s) until the job satisfies `check`; returns it.
async fn until(
    store: &Store,
    id: i64,
    what: &str,
    check: impl Fn(&weft_store::Job) -> bool,
) -> weft_store::Job {
    let started = Instant::now();
    loop {
        let job = store.jobs().get(id).await.unwrap().unwrap();
        if check(&job) {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting until {what}: {job:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn owned_by(job: &weft_store::Job, child: &Child) -> bool {
    job.lease_owner
        .as_deref()
        .is_some_and(|owner| owner.contains(&format!("-{}-", child.id())))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_s_job_is_taken_over_after_its_lease_and_finished_once() {
    let hub = hub("kill");
    let store = Store::open(&hub.database_url()).await.unwrap();
    let id = noop_job(&store, 3_000).await;

    let mut first = worker(&hub, "first.log");
    let running = until(&store, id, "the first worker runs the job", |j| {
        j.status == JobStatus::Running && owned_by(j, &first)
    })
    .await;
    assert_eq!(running.attempts, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill().unwrap(); // SIGKILL: no chance to give the job back
    first.wait().unwrap();
    let killed_at = chrono::Utc::now().timestamp_millis();

    let mut second = worker(&hub, "second.log");
    let done = until(&store, id, "the second worker finished the job", |j| {
        j.status.is_final()
    })
    .await;
    assert_eq!(done.status, JobStatus::Succeeded, "{done:?}");
    assert_eq!(
        done.attempts, 2,
        "the killed attempt and the one that finished"
    );
    assert!(
        owned_by(&done, &second),
        "taken over by the second worker: {done:?}"
    );
    assert_eq!(
        done.result.as_ref().unwrap()["worker"].as_str(),
        done.lease_owner.as_deref(),
        "the result is the second worker's"
    );
    assert!(
        done.last_error
            .as_deref()
            .is_some_and(|e| e.contains("attempt 1 lost its lease")),
        "the takeover is on record: {done:?}"
    );
    // Not before the first lease (2 s, renewed up to the kill) could have expired.
    let finished = done.finished_ms.unwrap();
    assert!(
        finished - killed_at >= 1_000,
        "taken over only after the lease expired"
    );

    // SIGTERM stops a worker cleanly.
    signal(&second, "TERM");
    let status = second.wait().unwrap();
    assert!(
        status.success(),
        "clean exit on SIGTERM: {}",
        hub.log("second.log")
    );
    assert!(hub.log("second.log").contains("runtime stopped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_worker_cannot_finish_a_job_another_worker_took_over() {
    let hub = hub("freeze");
    let store = Store::open(&hub.database_url()).await.unwrap();
    let id = noop_job(&store, 2_500).await;

    let mut frozen = worker(&hub, "frozen.log");
    until(&store, id, "the first worker runs the job", |j| {
        j.status == JobStatus::Running && owned_by(j, &frozen)
    })
    .await;
    freeze_outside_a_write(&hub, &frozen).await;
    let mut other = worker(&hub, "other.log");
    let done = until(&store, id, "the other worker finished the job", |j| {
        j.status.is_final()
    })
    .await;
    assert_eq!((done.status, done.attempts), (JobStatus::Succeeded, 2));
    assert!(owned_by(&done, &other));

    // The frozen worker wakes with its sleep long over and its lease long gone.
    signal(&frozen, "CONT");
    let started = Instant::now();
    while !hub.log("frozen.log").contains("lease") && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = hub.log("frozen.log");
    assert!(
        log.contains("finished after losing its lease") || log.contains("its lease was lost"),
        "the woken worker knows it lost the job: {log}"
    );
    let after = store.jobs().get(id).await.unwrap().unwrap();
    assert_eq!(
        after.result, done.result,
        "its late outcome changed nothing"
    );
    assert_eq!(after.attempts, 2);
    frozen.kill().unwrap();
    other.kill().unwrap();
    let _ = (frozen.wait(), other.wait());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weft_jobs_lists_shows_cancels_and_retries() {
    let hub = hub("cli");
    let out = hub.run(&["jobs", "ping"]);
    assert!(out.status.success(), "{}", text(&out));
    let pinged: i64 = text(&out)
        .split_whitespace()
        .nth(2)
        .and_then(|w| w.trim_end_matches(':').parse().ok())
        .unwrap_or_else(|| panic!("a job id in {:?}", text(&out)));
    let store = Store::open(&hub.database_url()).await.unwrap();

    let mut worker = worker(&hub, "cli.log");
    until(&store, pinged, "a worker answered the ping", |j| {
        j.status == JobStatus::Succeeded
    })
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    let listed: Value = serde_json::from_slice(
        &hub.run(&["jobs", "list", "--kind", "hub.noop", "--json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(listed["items"][0]["id"], pinged.to_string());
    assert_eq!(listed["items"][0]["status"], "succeeded");
    let shown = text(&hub.run(&["jobs", "show", &pinged.to_string()]));
    assert!(
        shown.contains("status    succeeded") && shown.contains("worker"),
        "{shown}"
    );

    // A job no worker runs yet: cancel it, then retry it.
    let now = chrono::Utc::now().timestamp_millis();
    let waiting = store
        .jobs()
        .enqueue(
            &NewJob {
                kind: "hub.noop".into(),
                payload: json!({}),
                dedupe_key: None,
                origin: "test".into(),
                priority: 0,
                run_at_ms: now + 3_600_000,
                retry: RetryPolicy::ONCE,
            },
            now,
        )
        .await
        .unwrap()
        .id();
    let out = hub.run(&["jobs", "cancel", &waiting.to_string()]);
    assert!(text(&out).contains("is cancelled"), "{}", text(&out));
    let out = hub.run(&["jobs", "cancel", &waiting.to_string()]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains(&format!(
            "job {waiting} is cancelled; it cannot be cancelled"
        )),
        "{}",
        text(&out)
    );
    let out = hub.run(&["jobs", "retry", &waiting.to_string()]);
    assert!(text(&out).contains("is queued again"), "{}", text(&out));
    let out = hub.run(&["jobs", "retry", "999999"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("job 999999 not found"),
        "{}",
        text(&out)
    );
    let out = hub.run(&["jobs", "list", "--status", "stuck"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unknown status \"stuck\""),
        "{}",
        text(&out)
    );
    let cancelled: Value = serde_json::from_slice(
        &hub.run(&["jobs", "list", "--status", "queued", "--json"])
            .stdout,
    )
    .unwrap();
    assert!(
        cancelled["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"].as_str() == Some(format!("{waiting}").as_str()))
    );
    let trail = store.trail().latest(10).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"job.cancel") && actions.contains(&"job.retry"),
        "{actions:?}"
    );
}
