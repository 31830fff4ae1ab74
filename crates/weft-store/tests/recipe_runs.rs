//! A recipe run's writes on every backend: the step that ends a run completes the run's job
//! in the same transaction, fenced by the job's lease, so a worker that lost its lease can
//! neither finish the run nor leave a step behind for the job's new owner to trip over.

use serde_json::json;
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

async fn a_lost_lease_cannot_end_a_run(store: &Store) {
    let recipes = store.recipes();
    let Saved::Created { id: recipe_id } = recipes
        .save(
            &RecipeFile {
                name: "fenced",
                connection_name: "c",
                trigger_kind: "http",
                source: "name: fenced\n",
            },
            "test",
            T0,
        )
        .await
        .unwrap()
    else {
        panic!("a new recipe is created")
    };
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_s_last_step_completes_its_job_only_under_a_live_lease() {
    for store in weft_store::testing::every_backend("recipe_runs").await {
        a_lost_lease_cannot_end_a_run(&store).await;
        eprintln!("checked on {}", store.backend().as_str());
    }
}
