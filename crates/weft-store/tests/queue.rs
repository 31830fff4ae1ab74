//! The job queue and schedules on every backend: dedupe, order, concurrent claims that never
//! overlap, leases that fence out a worker that lost them, retries and burial, cancel and
//! retry by people, purging, and schedules that fire each occurrence once.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::json;
use weft_core::schedule::Cadence;
use weft_store::*;

const T0: i64 = 1_800_000_000_000;

fn job(kind: &str, key: Option<&str>) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: json!({"n": 1}),
        dedupe_key: key.map(str::to_owned),
        origin: "test".into(),
        priority: 0,
        run_at_ms: T0,
        retry: RetryPolicy {
            max_attempts: 3,
            backoff_ms: 1_000,
            backoff_max_ms: 60_000,
        },
    }
}

fn kinds(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

async fn dedupe_and_order(store: &Store) {
    let jobs = store.jobs();
    let first = jobs.enqueue(&job("a", Some("k1")), T0).await.unwrap();
    assert!(matches!(first, Enqueued::New(_)));
    assert_eq!(
        jobs.enqueue(&job("a", Some("k1")), T0).await.unwrap(),
        Enqueued::Duplicate(first.id()),
        "the same dedupe key is never enqueued twice"
    );
    let low = jobs.enqueue(&job("a", None), T0).await.unwrap().id();
    let high = jobs
        .enqueue(
            &NewJob {
                priority: 5,
                ..job("a", None)
            },
            T0,
        )
        .await
        .unwrap()
        .id();
    let later = jobs
        .enqueue(
            &NewJob {
                run_at_ms: T0 + 10_000,
                ..job("a", None)
            },
            T0,
        )
        .await
        .unwrap()
        .id();
    let other_kind = jobs.enqueue(&job("b", None), T0).await.unwrap().id();

    let claimed = jobs
        .claim("w1", &kinds(&["a"]), 10, 30_000, T0)
        .await
        .unwrap();
    let ids: Vec<i64> = claimed.iter().map(|c| c.job.id).collect();
    assert_eq!(
        ids,
        [high, first.id(), low],
        "priority first, then age; not due and other kinds left"
    );
    assert!(
        claimed
            .iter()
            .all(|c| c.job.status == JobStatus::Running && c.lease.attempt == 1)
    );
    assert!(
        jobs.claim("w1", &kinds(&["a"]), 10, 30_000, T0)
            .await
            .unwrap()
            .is_empty()
    );
    let due_later = jobs
        .claim("w1", &kinds(&["a", "b"]), 10, 30_000, T0 + 10_000)
        .await
        .unwrap();
    let ids: HashSet<i64> = due_later.iter().map(|c| c.job.id).collect();
    assert_eq!(ids, HashSet::from([later, other_kind]));
    for c in claimed.iter().chain(&due_later) {
        assert!(
            jobs.complete(&c.lease, Some(&json!({"ok": true})), T0 + 11_000)
                .await
                .unwrap()
        );
    }
    let done = jobs.get(high).await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.result),
        (JobStatus::Succeeded, Some(json!({"ok": true})))
    );
    assert_eq!(
        done.lease_owner.as_deref(),
        Some("w1"),
        "who ran it stays visible"
    );
}

async fn concurrent_claims_never_overlap(store: Arc<Store>) {
    for _ in 0..200 {
        store.jobs().enqueue(&job("c", None), T0).await.unwrap();
    }
    let mut workers = Vec::new();
    for w in 0..6 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .jobs()
                    .claim(&format!("w{w}"), &kinds(&["c"]), 7, 30_000, T0)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return mine;
                }
                for c in batch {
                    assert!(store.jobs().complete(&c.lease, None, T0).await.unwrap());
                    mine.push(c.job.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(
        (all.len(), unique.len()),
        (200, 200),
        "every job claimed exactly once"
    );
}

async fn leases_fence_out_a_worker_that_lost_them(store: &Store) {
    let jobs = store.jobs();
    let id = jobs.enqueue(&job("f", None), T0).await.unwrap().id();
    let a = jobs
        .claim("a", &kinds(&["f"]), 1, 1_000, T0)
        .await
        .unwrap()
        .remove(0);
    assert!(
        jobs.heartbeat(&a.lease, 1_000, T0 + 500).await.unwrap(),
        "a live lease extends"
    );
    // A stops heartbeating; its lease ends at T0 + 1500 and the reaper re-queues the job.
    assert!(
        jobs.reap_expired(T0 + 1_400).await.unwrap().is_empty(),
        "not yet expired"
    );
    assert_eq!(jobs.reap_expired(T0 + 1_600).await.unwrap(), [id]);
    let reaped = jobs.get(id).await.unwrap().unwrap();
    assert_eq!(reaped.status, JobStatus::Queued);
    assert!(
        reaped
            .last_error
            .as_deref()
            .unwrap()
            .contains("worker a stopped or hung")
    );
    let b = jobs
        .claim("b", &kinds(&["f"]), 1, 1_000, T0 + 1_600)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(b.lease.attempt, 2);
    // A wakes up: it can neither extend, complete nor fail what B now holds.
    assert!(!jobs.heartbeat(&a.lease, 1_000, T0 + 1_700).await.unwrap());
    assert!(
        !jobs
            .complete(&a.lease, Some(&json!("a")), T0 + 1_700)
            .await
            .unwrap()
    );
    assert_eq!(
        jobs.fail(&a.lease, "late", Some(T0), T0 + 1_700)
            .await
            .unwrap(),
        None
    );
    assert!(
        jobs.complete(&b.lease, Some(&json!("b")), T0 + 1_800)
            .await
            .unwrap()
    );
    let done = jobs.get(id).await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.result, done.attempts),
        (JobStatus::Succeeded, Some(json!("b")), 2)
    );
    // The same worker's lease on an older attempt is fenced too.
    assert!(
        !jobs
            .complete(
                &Lease {
                    attempt: 1,
                    ..b.lease.clone()
                },
                None,
                T0
            )
            .await
            .unwrap()
    );
}

/// A job whose worker keeps dying while it runs it (a run that takes its process down) is
/// set aside as dead after `MAX_LOST_LEASES` lost leases, with that reason, however many
/// attempts its policy still allows; a person's retry gives it its chances again.
async fn a_job_that_keeps_killing_its_worker_is_set_aside(store: &Store) {
    let jobs = store.jobs();
    let id = jobs
        .enqueue(
            &NewJob {
                retry: RetryPolicy {
                    max_attempts: 10,
                    backoff_ms: 1_000,
                    backoff_max_ms: 60_000,
                },
                ..job("crashy", None)
            },
            T0,
        )
        .await
        .unwrap()
        .id();
    let mut now = T0;
    for lost in 1..=MAX_LOST_LEASES {
        let claimed = jobs
            .claim(&format!("w{lost}"), &kinds(&["crashy"]), 1, 1_000, now)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "claimable after {} lost leases", lost - 1);
        // The worker dies: no heartbeat, no completion; its lease runs out.
        now += 2_000;
        assert_eq!(jobs.reap_expired(now).await.unwrap(), [id]);
    }
    let buried = jobs.get(id).await.unwrap().unwrap();
    assert_eq!(buried.status, JobStatus::Dead, "{buried:?}");
    assert_eq!(
        buried.attempts, MAX_LOST_LEASES,
        "attempts left, yet set aside"
    );
    let why = buried.last_error.clone().unwrap();
    assert!(
        why.contains("died or hung 3 times") && why.contains("w3"),
        "{why}"
    );
    assert!(
        jobs.claim("w9", &kinds(&["crashy"]), 1, 1_000, now)
            .await
            .unwrap()
            .is_empty(),
        "never claimed again by itself"
    );
    // Retried by a person once the cause is fixed: claimable, with its count reset.
    jobs.retry(id, now).await.unwrap();
    let again = jobs
        .claim("w10", &kinds(&["crashy"]), 1, 1_000, now)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    now += 2_000;
    jobs.reap_expired(now).await.unwrap();
    assert_eq!(
        jobs.get(id).await.unwrap().unwrap().status,
        JobStatus::Queued,
        "one lost lease after the retry is not three"
    );
}

async fn retries_follow_the_policy_and_dead_jobs_keep_their_error(store: &Store) {
    let jobs = store.jobs();
    let policy = RetryPolicy {
        max_attempts: 3,
        backoff_ms: 1_000,
        backoff_max_ms: 60_000,
    };
    assert_eq!(
        (policy.delay_ms(1), policy.delay_ms(2), policy.delay_ms(3)),
        (1_000, 2_000, 4_000)
    );
    assert_eq!(
        RetryPolicy {
            backoff_max_ms: 1_500,
            ..policy
        }
        .delay_ms(3),
        1_500
    );
    let id = jobs.enqueue(&job("r", None), T0).await.unwrap().id();
    let mut now = T0;
    for attempt in 1..=3 {
        let c = jobs
            .claim("w", &kinds(&["r"]), 1, 30_000, now)
            .await
            .unwrap()
            .remove(0);
        assert_eq!(c.lease.attempt, attempt);
        let retry_at = now + policy.delay_ms(attempt);
        let status = jobs
            .fail(
                &c.lease,
                &format!("Wrike answered HTTP 500 (attempt {attempt})"),
                Some(retry_at),
                now,
            )
            .await
            .unwrap();
        if attempt < 3 {
            assert_eq!(status, Some(JobStatus::Queued));
            assert!(
                jobs.claim("w", &kinds(&["r"]), 1, 30_000, retry_at - 1)
                    .await
                    .unwrap()
                    .is_empty(),
                "not before its backoff"
            );
            now = retry_at;
        } else {
            assert_eq!(status, Some(JobStatus::Dead), "out of attempts");
        }
    }
    let dead = jobs
        .list(&JobFilter {
            status: Some(JobStatus::Dead),
            kind: Some("r".into()),
            limit: 10,
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("Wrike answered HTTP 500 (attempt 3)")
    );
    assert!(dead[0].finished_ms.is_some());
    // A permanent failure is dead at once.
    jobs.enqueue(&job("p", None), T0).await.unwrap();
    let c = jobs
        .claim("w", &kinds(&["p"]), 1, 30_000, T0)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        jobs.fail(&c.lease, "bad payload", None, T0).await.unwrap(),
        Some(JobStatus::Dead)
    );
    // People can queue a dead job again, with fresh attempts.
    let again = jobs.retry(id, now + 5).await.unwrap();
    assert_eq!(
        (again.status, again.attempts, again.run_at_ms),
        (JobStatus::Queued, 0, now + 5)
    );
    let refused = jobs.retry(id, now).await.unwrap_err();
    assert!(refused.to_string().contains("is queued"), "{refused}");
}

async fn cancel_stops_queued_and_running_jobs(store: &Store) {
    let jobs = store.jobs();
    let queued = jobs
        .enqueue(&job("x", None), T0 + 60_000)
        .await
        .unwrap()
        .id();
    assert_eq!(
        jobs.cancel(queued, T0).await.unwrap().status,
        JobStatus::Cancelled
    );
    let running = jobs.enqueue(&job("x", None), T0).await.unwrap().id();
    let c = jobs
        .claim("w", &kinds(&["x"]), 5, 30_000, T0)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(c.job.id, running, "the cancelled one is never claimed");
    jobs.cancel(running, T0 + 1).await.unwrap();
    assert!(
        !jobs.heartbeat(&c.lease, 30_000, T0 + 2).await.unwrap(),
        "the worker learns it must stop"
    );
    assert!(!jobs.complete(&c.lease, None, T0 + 3).await.unwrap());
    let err = jobs.cancel(running, T0).await.unwrap_err();
    assert!(matches!(err, StoreError::WrongState { .. }), "{err}");
    assert!(matches!(
        jobs.cancel(999_999, T0).await,
        Err(StoreError::NotFound { .. })
    ));
    let counts = jobs.counts().await.unwrap();
    assert!(counts.contains(&(JobStatus::Cancelled, 2)), "{counts:?}");
}

async fn purge_keeps_what_people_still_need(store: &Store) {
    let jobs = store.jobs();
    let before = jobs
        .list(&JobFilter {
            limit: 1000,
            ..JobFilter::default()
        })
        .await
        .unwrap()
        .len();
    // Everything finished so far ended before T0 + 100 s; purge finished ones but keep the dead.
    let purged = jobs.purge(T0 + 100_000, T0).await.unwrap();
    let after = jobs
        .list(&JobFilter {
            limit: 1000,
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(after.len() as u64, before as u64 - purged);
    assert!(
        after
            .iter()
            .all(|j| !matches!(j.status, JobStatus::Succeeded | JobStatus::Cancelled))
    );
    assert!(
        after.iter().any(|j| j.status == JobStatus::Dead),
        "dead jobs stay visible"
    );
}

async fn schedules_fire_each_occurrence_once(store: Arc<Store>) {
    let spec = ScheduleSpec {
        name: "health.probe".into(),
        kind: "health.round".into(),
        payload: json!({}),
        cadence: Cadence::every_seconds(60).unwrap(),
        priority: 0,
        retry: RetryPolicy::ONCE,
        enabled: true,
    };
    store.schedules().upsert(&spec, T0, T0).await.unwrap();
    // Three instances tick at the same moment.
    let mut ticks = Vec::new();
    for _ in 0..3 {
        let store = store.clone();
        ticks.push(tokio::spawn(async move {
            let mut fired = Vec::new();
            for schedule in store.schedules().due(T0 + 500).await.unwrap() {
                let due = schedule.next_run_ms;
                let new = NewJob {
                    kind: schedule.spec.kind.clone(),
                    payload: schedule.spec.payload.clone(),
                    dedupe_key: Some(schedule.occurrence_key(due)),
                    origin: "schedule".into(),
                    priority: 0,
                    run_at_ms: due,
                    retry: schedule.spec.retry,
                };
                let enqueued = store.jobs().enqueue(&new, T0 + 500).await.unwrap();
                if store
                    .schedules()
                    .advance(
                        &schedule.spec.name,
                        due,
                        due + 60_000,
                        enqueued.id(),
                        T0 + 500,
                    )
                    .await
                    .unwrap()
                {
                    fired.push(enqueued);
                }
            }
            fired
        }));
    }
    let mut moved = 0;
    for t in ticks {
        moved += t.await.unwrap().len();
    }
    assert_eq!(moved, 1, "one instance advanced the schedule");
    let runs = store
        .jobs()
        .list(&JobFilter {
            kind: Some("health.round".into()),
            limit: 10,
            ..JobFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(runs.len(), 1, "one job for the occurrence");
    assert_eq!(
        runs[0].dedupe_key.as_deref(),
        Some(&*format!("schedule:health.probe:{T0}"))
    );
    assert!(store.schedules().due(T0 + 500).await.unwrap().is_empty());
    // Re-declaring the same cadence keeps the next occurrence; a new cadence restarts it.
    store
        .schedules()
        .upsert(&spec, T0 + 999, T0 + 600)
        .await
        .unwrap();
    assert_eq!(
        store.schedules().list().await.unwrap()[0].next_run_ms,
        T0 + 60_000
    );
    let faster = ScheduleSpec {
        cadence: Cadence::every_seconds(30).unwrap(),
        ..spec.clone()
    };
    store
        .schedules()
        .upsert(&faster, T0 + 999, T0 + 600)
        .await
        .unwrap();
    let listed = store.schedules().list().await.unwrap();
    assert_eq!(
        (listed[0].next_run_ms, &listed[0].spec.cadence),
        (T0 + 999, &faster.cadence)
    );
    let nightly = ScheduleSpec {
        name: "nightly".into(),
        cadence: Cadence::cron("0 3 * * *", "Europe/Berlin").unwrap(),
        ..spec
    };
    store.schedules().upsert(&nightly, T0, T0).await.unwrap();
    let stored = store.schedules().list().await.unwrap();
    assert_eq!(
        stored[1].spec.cadence, nightly.cadence,
        "cron and zone round-trip"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_on_every_backend() {
    for store in weft_store::testing::every_backend("queue").await {
        let backend = store.backend();
        let store = Arc::new(store);
        dedupe_and_order(&store).await;
        concurrent_claims_never_overlap(store.clone()).await;
        leases_fence_out_a_worker_that_lost_them(&store).await;
        a_job_that_keeps_killing_its_worker_is_set_aside(&store).await;
        retries_follow_the_policy_and_dead_jobs_keep_their_error(&store).await;
        cancel_stops_queued_and_running_jobs(&store).await;
        purge_keeps_what_people_still_need(&store).await;
        schedules_fire_each_occurrence_once(store.clone()).await;
        eprintln!("queue checked on {}", backend.as_str());
    }
}
