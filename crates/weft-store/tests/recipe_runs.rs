//! A recipe run's writes on every backend: the step that ends a run completes the run's job
//! in the same transaction, fenced by the job's lease, so a worker that lost its lease can
//! neither finish the run nor leave a step behind for the job's new owner to trip over; and
//! writers at once (grouped into shared commits on SQLite) each get their own answer; old
//! finished runs are purged with their steps.

use std::sync::Arc;

use serde_json::json;
use tokio::task::JoinSet;
use weft_store::*;

const T0: i64 = 1_800_000_000_000;

fn run_job() -> NewJob {
    NewJob {
        kind: "recipe.run".into(),
        payload: json!({}),
        dedupe_key: None,
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

/// Saves a new recipe called `name` (an inbound HTTP trigger); returns its id.
async fn new_recipe(store: &Store, name: &str) -> i64 {
    let source = format!("name: {name}\n");
    let saved = store
        .recipes()
        .save(
            &RecipeFile {
                name,
                connection_name: "c",
                trigger_kind: "http",
                source: &source,
            },
            "test",
            T0,
        )
        .await
        .unwrap();
    let Saved::Created { id } = saved else {
        panic!("a new recipe is created")
    };
    id
}

async fn a_lost_lease_cannot_end_a_run(store: &Store) {
    let recipes = store.recipes();
    let recipe_id = new_recipe(store, "fenced").await;
    let RunStarted::New { run_id, job_id } = recipes
        .start_run(
            &NewRun {
                recipe_id,
                version: 1,
                event_key: "e1",
                trigger_event: &json!({"n": 1}),
                next_step: 0,
                outputs: &json!({}),
                rerun_of: None,
                started_by: None,
                hand_made: false,
            },
            &run_job(),
            T0,
        )
        .await
        .unwrap()
    else {
        panic!("a new event starts a run")
    };
    let jobs = store.jobs();
    let kinds = ["recipe.run".to_owned()];
    let a = jobs
        .claim("a", &kinds, 1, 1_000, T0)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(a.job.id, job_id);
    // A hangs past its lease; B takes the job over.
    assert_eq!(jobs.reap_expired(T0 + 2_000).await.unwrap(), [job_id]);
    let b = jobs
        .claim("b", &kinds, 1, 1_000, T0 + 2_000)
        .await
        .unwrap()
        .remove(0);

    let step = FinishedStep {
        step_index: 0,
        step_id: "only",
        attempt: 1,
        input: Some(&json!({"n": 1})),
        started_ms: T0,
    };
    let (output, outputs) = (json!({"n": 1}), json!({"only": {"n": 1}}));
    let outcome = |lease| StepOutcome {
        run_id,
        seq: 0,
        status: StepStatus::Succeeded,
        output: Some(&output),
        error: None,
        run_status: RunStatus::Succeeded,
        next_step: 1,
        outputs: &outputs,
        run_error: None,
        then: None,
        completes: Some(lease),
    };
    let late = recipes
        .record_step(&step, &outcome(&a.lease), T0 + 2_100)
        .await;
    assert!(
        matches!(late, Err(StoreError::Stale { .. })),
        "A's late end of the run is refused: {late:?}"
    );
    assert!(
        recipes.steps(run_id).await.unwrap().is_empty(),
        "the refused step left nothing behind"
    );
    assert_eq!(
        recipes.run(run_id).await.unwrap().unwrap().status,
        RunStatus::Queued
    );
    assert_eq!(
        jobs.get(job_id).await.unwrap().unwrap().status,
        JobStatus::Running,
        "B still holds the job"
    );

    recipes
        .record_step(&step, &outcome(&b.lease), T0 + 2_200)
        .await
        .unwrap();
    let job = jobs.get(job_id).await.unwrap().unwrap();
    assert_eq!(
        (job.status, job.attempts, job.finished_ms),
        (JobStatus::Succeeded, 2, Some(T0 + 2_200)),
        "the run's last step completed its job"
    );
    assert_eq!(
        job.result,
        Some(json!({"run": run_id, "status": "succeeded"}))
    );
    let run = recipes.run(run_id).await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(recipes.steps(run_id).await.unwrap().len(), 1);
}

/// Many writers at once (SQLite commits them in groups): each gets its own answer, a
/// repeated event in the same group is still one run, and the one writer whose lease is
/// gone is refused alone while the others' writes are kept.
async fn writers_at_once_each_get_their_own_answer(store: Arc<Store>) {
    let recipe_id = new_recipe(&store, "grouped").await;
    let mut starting = JoinSet::new();
    for i in 0..21 {
        let store = store.clone();
        // The last event repeats the first.
        let key = format!("e{}", i % 20);
        starting.spawn(async move {
            let started = store
                .recipes()
                .start_run(
                    &NewRun {
                        recipe_id,
                        version: 1,
                        event_key: &key,
                        trigger_event: &json!({"key": key}),
                        next_step: 0,
                        outputs: &json!({}),
                        rerun_of: None,
                        started_by: None,
                        hand_made: false,
                    },
                    &run_job(),
                    T0,
                )
                .await
                .unwrap();
            (key, started)
        });
    }
    let mut runs = std::collections::BTreeMap::new();
    let mut repeated = 0;
    while let Some(joined) = starting.join_next().await {
        let (key, started) = joined.unwrap();
        match started {
            RunStarted::New { run_id, .. } => assert!(runs.insert(key, run_id).is_none()),
            RunStarted::Duplicate { .. } => repeated += 1,
        }
    }
    assert_eq!(
        (runs.len(), repeated),
        (20, 1),
        "twenty events, one repeated"
    );

    let kinds = ["recipe.run".to_owned()];
    let claimed = store
        .jobs()
        .claim("w", &kinds, 100, 60_000, T0)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 20);
    let stale_run = runs["e0"];
    let mut writing = JoinSet::new();
    for c in claimed {
        let run_id = c.job.payload["run"].as_i64().unwrap();
        let lease = if run_id == stale_run {
            Lease {
                attempt: c.lease.attempt + 1,
                ..c.lease.clone()
            }
        } else {
            c.lease.clone()
        };
        let store = store.clone();
        writing.spawn(async move {
            let (output, outputs) = (json!({"run": run_id}), json!({}));
            let written = store
                .recipes()
                .record_step(
                    &FinishedStep {
                        step_index: 0,
                        step_id: "only",
                        attempt: 1,
                        input: None,
                        started_ms: T0,
                    },
                    &StepOutcome {
                        run_id,
                        seq: 0,
                        status: StepStatus::Succeeded,
                        output: Some(&output),
                        error: None,
                        run_status: RunStatus::Succeeded,
                        next_step: 1,
                        outputs: &outputs,
                        run_error: None,
                        then: None,
                        completes: Some(&lease),
                    },
                    T0 + 10,
                )
                .await;
            (run_id, c.job.id, written)
        });
    }
    while let Some(joined) = writing.join_next().await {
        let (run_id, job_id, written) = joined.unwrap();
        let steps = store.recipes().steps(run_id).await.unwrap();
        let job = store.jobs().get(job_id).await.unwrap().unwrap();
        let run = store.recipes().run(run_id).await.unwrap().unwrap();
        if run_id == stale_run {
            assert!(
                matches!(written, Err(StoreError::Stale { .. })),
                "{written:?}"
            );
            assert!(steps.is_empty());
            assert_eq!(
                (job.status, run.status),
                (JobStatus::Running, RunStatus::Queued)
            );
        } else {
            assert_eq!(written.unwrap(), 1);
            assert_eq!(steps.len(), 1);
            assert_eq!(
                (job.status, run.status),
                (JobStatus::Succeeded, RunStatus::Succeeded)
            );
        }
    }
}

/// Old finished runs go with their steps, failed ones later than the rest; runs that have
/// not finished stay whatever their age.
#[tokio::test]
async fn old_finished_runs_are_purged_with_their_steps() {
    for store in weft_store::testing::every_backend("recipe_purge").await {
        purge_story(&store).await;
    }
}

async fn purge_story(store: &Store) {
    let recipes = store.recipes();
    let recipe_id = new_recipe(store, "kept").await;
    const DAY: i64 = 86_400_000;
    // (event, final status and when it finished, in days before now)
    let plan = [
        ("old-ok", Some((RunStatus::Succeeded, 40))),
        ("new-ok", Some((RunStatus::Succeeded, 10))),
        ("old-cancelled", Some((RunStatus::Cancelled, 40))),
        ("old-failed", Some((RunStatus::Failed, 40))),
        ("ancient-failed", Some((RunStatus::Failed, 100))),
        ("old-waiting", None),
    ];
    let now = T0 + 200 * DAY;
    let mut ids = std::collections::HashMap::new();
    for (key, end) in plan {
        let started_at = now - 150 * DAY;
        let RunStarted::New { run_id, .. } = recipes
            .start_run(
                &NewRun {
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
                &run_job(),
                started_at,
            )
            .await
            .unwrap()
        else {
            panic!("a new run")
        };
        recipes
            .begin_step(run_id, 0, "only", 1, Some(&json!({})), true, started_at)
            .await
            .unwrap();
        match end {
            Some((status, days_ago)) => {
                recipes
                    .set_run_status(run_id, status, None, now - days_ago * DAY)
                    .await
                    .unwrap();
            }
            None => {
                recipes
                    .set_run_status(run_id, RunStatus::Waiting, None, started_at)
                    .await
                    .unwrap();
            }
        }
        ids.insert(key, run_id);
    }
    let purged = recipes
        .purge_runs(now - 30 * DAY, now - 90 * DAY)
        .await
        .unwrap();
    assert_eq!(purged, 3);
    for (key, kept) in [
        ("old-ok", false),
        ("new-ok", true),
        ("old-cancelled", false),
        ("old-failed", true),
        ("ancient-failed", false),
        ("old-waiting", true),
    ] {
        let id = ids[key];
        assert_eq!(recipes.run(id).await.unwrap().is_some(), kept, "{key}");
        assert_eq!(
            recipes.steps(id).await.unwrap().len(),
            usize::from(kept),
            "{key}"
        );
    }
    // Nothing more to do the second time.
    assert_eq!(
        recipes
            .purge_runs(now - 30 * DAY, now - 90 * DAY)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_s_last_step_completes_its_job_only_under_a_live_lease() {
    for store in weft_store::testing::every_backend("recipe_runs").await {
        a_lost_lease_cannot_end_a_run(&store).await;
        writers_at_once_each_get_their_own_answer(Arc::new(store)).await;
        eprintln!("checked on a backend");
    }
}
