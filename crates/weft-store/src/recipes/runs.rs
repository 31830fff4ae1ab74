//! Recipe runs and their step attempts: starting a run with its job (once per event),
//! writing each attempt with the run's progress under the job's lease, cancelling, listing;
//! on SQLite, starts and step writes commit in groups.

use crate::db::{Pool, failed, on_pool};
use crate::group_commit::GroupCommit;
use crate::jobs::{COMPLETE_JOB, Lease, NewJob, insert_job};
use crate::{StoreError, StoreResult};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, SqliteConnection};
use std::future::Future;
use std::pin::Pin;

use super::{RecipeState, Recipes};

/// A run's start as `start_run` writes it, owned so that it can wait in SQLite's group
/// commit.
pub(crate) struct RunStart {
    recipe_id: i64,
    version: i64,
    event_key: String,
    trigger: String,
    next_step: i64,
    outputs: String,
    rerun_of: Option<i64>,
    started_by: Option<String>,
    hand_made: bool,
    job: NewJob,
    now_ms: i64,
}

/// Writes a `RunStart` (`$s`, a reference) on `$conn` (a connection in a transaction): the
/// run unless its event has one already, and its job. An `async` block whose output is
/// `StoreResult<RunStarted>`; a macro so that both databases' connections run it.
macro_rules! write_run_start {
    ($conn:ident, $s:ident) => {
        async move {
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO recipe_runs (recipe_id, version, event_key, trigger_event, status, next_step, outputs, rerun_of, created_ms, updated_ms, started_by, hand_made) \
                 VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $8, $9, $10) ON CONFLICT (recipe_id, event_key) DO NOTHING RETURNING id")
                .bind($s.recipe_id).bind($s.version).bind(&$s.event_key).bind(&$s.trigger).bind($s.next_step)
                .bind(&$s.outputs).bind($s.rerun_of).bind($s.now_ms).bind(&$s.started_by).bind($s.hand_made)
                .fetch_optional(&mut *$conn).await.map_err(failed("starting a run"))?;
            let Some(run_id) = inserted else {
                let existing: i64 = sqlx::query_scalar("SELECT id FROM recipe_runs WHERE recipe_id = $1 AND event_key = $2")
                    .bind($s.recipe_id).bind(&$s.event_key)
                    .fetch_one(&mut *$conn).await.map_err(failed("a run"))?;
                return Ok(RunStarted::Duplicate { run_id: existing });
            };
            let mut job = $s.job.clone();
            job.payload = serde_json::json!({ "run": run_id });
            job.dedupe_key = Some(format!("recipe-run:{run_id}:0"));
            let payload = job.payload.to_string();
            let job_id: Option<i64> = insert_job!(job, payload, $s.now_ms)
                .fetch_optional(&mut *$conn).await.map_err(failed("enqueueing a run"))?;
            let job_id = job_id.ok_or_else(|| StoreError::Conflict { what: format!("the job of run {run_id}") })?;
            Ok::<_, StoreError>(RunStarted::New { run_id, job_id })
        }
    };
}

/// A step attempt's write (`record_step`, `finish_step`), owned so that it can wait in
/// SQLite's group commit.
pub(crate) struct StepWrite {
    run_id: i64,
    attempt: AttemptRow,
    status: StepStatus,
    output: Option<String>,
    error: Option<String>,
    run_status: RunStatus,
    next_step: i64,
    outputs: String,
    run_error: Option<String>,
    then: Option<NewJob>,
    completes: Option<Lease>,
    now_ms: i64,
}

/// The attempt's row: written whole, the end of one `begin_step` wrote, or a decision on
/// an attempt that waits (an approval given or refused, or timed out).
enum AttemptRow {
    Whole {
        step_index: i64,
        step_id: String,
        attempt: i64,
        input: Option<String>,
        started_ms: i64,
    },
    End {
        seq: i64,
    },
    /// Only while the attempt and its run still wait: one decision wins, the others are
    /// refused as `Stale`.
    Decision {
        seq: i64,
    },
}

/// Writes a `StepWrite` (`$w`, a reference) on `$conn`: when the run ends here, the
/// completion of the job running it, fenced by its lease (a lost lease is `Stale`, with
/// nothing written, so the job's new owner redoes the step); the attempt, the run's progress,
/// and the run's next job. A run cancelled meanwhile, or a decision on a run that no longer
/// waits, is refused as `Stale` too, before anything is written; the conditional writes
/// after make the same checks again for PostgreSQL's concurrent transactions (whose
/// refusal rolls the whole transaction back). An `async` block whose output is the
/// attempt's `seq`.
macro_rules! write_step {
    ($conn:ident, $w:ident) => {
        async move {
            let decision = matches!($w.attempt, AttemptRow::Decision { .. });
            let now: Option<String> = sqlx::query_scalar("SELECT status FROM recipe_runs WHERE id = $1")
                .bind($w.run_id).fetch_optional(&mut *$conn).await.map_err(failed("a run"))?;
            let refused = match now.as_deref() {
                None => Some("it was removed".to_owned()),
                Some("cancelled") => Some("it was cancelled".to_owned()),
                Some(status) if decision && status != "waiting" => {
                    Some(format!("it is {status}, no longer waiting for a decision"))
                }
                _ => None,
            };
            if let Some(why) = refused {
                return Err(StoreError::Stale { what: format!("run {} ({why})", $w.run_id) });
            }
            // The fence next: a lost lease is refused before anything is written.
            if let Some(lease) = $w.completes.as_ref().filter(|_| $w.run_status.is_final()) {
                let result = serde_json::json!({"run": $w.run_id, "status": $w.run_status.as_str()});
                let done = sqlx::query(COMPLETE_JOB)
                    .bind(result.to_string()).bind($w.now_ms).bind(lease.job_id).bind(&lease.owner).bind(lease.attempt)
                    .execute(&mut *$conn).await.map_err(failed("completing a run's job"))?
                    .rows_affected();
                if done != 1 {
                    return Err(StoreError::Stale { what: "the run's job (its lease was lost)".into() });
                }
            }
            let finished = $w.run_status.is_final().then_some($w.now_ms);
            let seq: i64 = match &$w.attempt {
                AttemptRow::Whole { step_index, step_id, attempt, input, started_ms } => sqlx::query_scalar(
                    "INSERT INTO recipe_run_steps (run_id, seq, step_index, step_id, attempt, status, input, output, error, started_ms, finished_ms) \
                     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM recipe_run_steps WHERE run_id = $1 RETURNING seq")
                    .bind($w.run_id).bind(step_index).bind(step_id).bind(attempt).bind($w.status.as_str())
                    .bind(input).bind(&$w.output).bind(&$w.error).bind(started_ms).bind($w.now_ms)
                    .fetch_one(&mut *$conn).await.map_err(failed("a step"))?,
                AttemptRow::End { seq } => {
                    sqlx::query("UPDATE recipe_run_steps SET status = $1, output = $2, error = $3, finished_ms = $4 WHERE run_id = $5 AND seq = $6")
                        .bind($w.status.as_str()).bind(&$w.output).bind(&$w.error).bind($w.now_ms).bind($w.run_id).bind(seq)
                        .execute(&mut *$conn).await.map_err(failed("a step"))?;
                    *seq
                }
                AttemptRow::Decision { seq } => {
                    let decided = sqlx::query("UPDATE recipe_run_steps SET status = $1, output = $2, error = $3, finished_ms = $4 WHERE run_id = $5 AND seq = $6 AND status = 'waiting'")
                        .bind($w.status.as_str()).bind(&$w.output).bind(&$w.error).bind($w.now_ms).bind($w.run_id).bind(seq)
                        .execute(&mut *$conn).await.map_err(failed("a step"))?
                        .rows_affected();
                    if decided != 1 {
                        return Err(StoreError::Stale { what: format!("step {seq} of run {} (it was decided already)", $w.run_id) });
                    }
                    *seq
                }
            };
            let moved = sqlx::query("UPDATE recipe_runs SET status = $1, next_step = $2, outputs = $3, error = $4, updated_ms = $5, finished_ms = $6 \
                 WHERE id = $7 AND status <> 'cancelled' AND ($8 = 0 OR status = 'waiting')")
                .bind($w.run_status.as_str()).bind($w.next_step).bind(&$w.outputs).bind(&$w.run_error).bind($w.now_ms).bind(finished).bind($w.run_id)
                .bind(i64::from(decision))
                .execute(&mut *$conn).await.map_err(failed("a run"))?
                .rows_affected();
            if moved != 1 {
                // Only a concurrent transaction on PostgreSQL gets here (SQLite's writer saw
                // the run above); the caller's transaction is rolled back whole.
                return Err(StoreError::Stale { what: format!("run {} (it changed meanwhile)", $w.run_id) });
            }
            if let Some(job) = &$w.then {
                let payload = job.payload.to_string();
                let _: Option<i64> = insert_job!(job, payload, $w.now_ms)
                    .fetch_optional(&mut *$conn).await.map_err(failed("enqueueing a run"))?;
            }
            Ok::<i64, StoreError>(seq)
        }
    };
}

/// The recipe writes that SQLite commits in groups (see `group_commit`).
#[derive(Default)]
pub(crate) struct RunWrites {
    starts: GroupCommit<RunStart, RunStarted>,
    steps: GroupCommit<StepWrite, i64>,
}

type Written<'c, R> = Pin<Box<dyn Future<Output = StoreResult<R>> + Send + 'c>>;

fn start_run_on_sqlite<'c>(
    conn: &'c mut SqliteConnection,
    s: &'c RunStart,
) -> Written<'c, RunStarted> {
    Box::pin(write_run_start!(conn, s))
}

fn write_step_on_sqlite<'c>(conn: &'c mut SqliteConnection, w: &'c StepWrite) -> Written<'c, i64> {
    Box::pin(write_step!(conn, w))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Queued,
    Running,
    /// Waiting for a person (an approval) or for a step's retry.
    Waiting,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Waiting,
        RunStatus::Succeeded,
        RunStatus::Failed,
        RunStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Waiting => "waiting",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: i64,
    pub recipe_id: i64,
    pub recipe_name: String,
    pub version: i64,
    pub event_key: String,
    pub trigger_event: Value,
    pub status: RunStatus,
    pub next_step: i64,
    /// `{"STEP_ID": output, ...}` for the steps done so far.
    pub outputs: Value,
    pub error: Option<String>,
    pub rerun_of: Option<i64>,
    /// Who started the run by hand (run now, rerun); None when a trigger started it.
    pub started_by: Option<String>,
    /// A person wrote the trigger event (run now with an event) rather than a trigger.
    pub hand_made: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    recipe_id: i64,
    recipe_name: String,
    version: i64,
    event_key: String,
    trigger_event: String,
    status: String,
    next_step: i64,
    outputs: String,
    error: Option<String>,
    rerun_of: Option<i64>,
    started_by: Option<String>,
    hand_made: bool,
    created_ms: i64,
    updated_ms: i64,
    finished_ms: Option<i64>,
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

impl RunRow {
    fn into_run(self) -> StoreResult<Run> {
        let status = RunStatus::parse(&self.status).ok_or_else(|| StoreError::Database {
            what: format!("run {}", self.id),
            message: format!("unknown status {:?}", self.status),
        })?;
        Ok(Run {
            id: self.id,
            recipe_id: self.recipe_id,
            recipe_name: self.recipe_name,
            version: self.version,
            event_key: self.event_key,
            trigger_event: json(&self.trigger_event),
            status,
            next_step: self.next_step,
            outputs: json(&self.outputs),
            error: self.error,
            rerun_of: self.rerun_of,
            started_by: self.started_by,
            hand_made: self.hand_made,
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
            finished_ms: self.finished_ms,
        })
    }
}

/// `SELECT` of a `RunRow` (runs `r` joined to their recipe `c`) with `$tail` after it.
macro_rules! select_run {
    ($tail:literal) => {
        concat!(
            "SELECT r.id, r.recipe_id, c.name AS recipe_name, r.version, r.event_key, r.trigger_event, r.status, r.next_step, r.outputs, r.error, r.rerun_of, r.started_by, r.hand_made, r.created_ms, r.updated_ms, r.finished_ms ",
            $tail
        )
    };
}

/// What `start_run` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStarted {
    New {
        run_id: i64,
        job_id: i64,
    },
    /// A run for this event exists already.
    Duplicate {
        run_id: i64,
    },
}

impl RunStarted {
    pub fn run_id(self) -> i64 {
        match self {
            RunStarted::New { run_id, .. } | RunStarted::Duplicate { run_id } => run_id,
        }
    }
}

/// A run to create.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub recipe_id: i64,
    pub version: i64,
    pub event_key: &'a str,
    pub trigger_event: &'a Value,
    pub next_step: i64,
    pub outputs: &'a Value,
    pub rerun_of: Option<i64>,
    pub started_by: Option<&'a str>,
    pub hand_made: bool,
}

/// Which runs to list; newest first.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub recipe_id: Option<i64>,
    pub status: Option<RunStatus>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Running,
    Succeeded,
    Failed,
    Skipped,
    Waiting,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Running => "running",
            StepStatus::Succeeded => "succeeded",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
            StepStatus::Waiting => "waiting",
        }
    }

    fn parse(text: &str) -> StepStatus {
        match text {
            "succeeded" => StepStatus::Succeeded,
            "failed" => StepStatus::Failed,
            "skipped" => StepStatus::Skipped,
            "waiting" => StepStatus::Waiting,
            _ => StepStatus::Running,
        }
    }
}

/// One attempt of one step of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepAttempt {
    pub seq: i64,
    pub step_index: i64,
    pub step_id: String,
    pub attempt: i64,
    pub status: StepStatus,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    seq: i64,
    step_index: i64,
    step_id: String,
    attempt: i64,
    status: String,
    input: Option<String>,
    output: Option<String>,
    error: Option<String>,
    started_ms: i64,
    finished_ms: Option<i64>,
}

/// A step attempt written whole by `record_step`.
#[derive(Debug, Clone)]
pub struct FinishedStep<'a> {
    pub step_index: i64,
    pub step_id: &'a str,
    pub attempt: i64,
    pub input: Option<&'a Value>,
    pub started_ms: i64,
}

/// A run as its job needs it: the run, the text of its recipe version, the recipe's state.
#[derive(Debug, Clone)]
pub struct RunToWork {
    pub run: Run,
    pub source: String,
    pub recipe_state: RecipeState,
}

#[derive(sqlx::FromRow)]
struct RunToWorkRow {
    #[sqlx(flatten)]
    run: RunRow,
    version_source: String,
    recipe_state: String,
}

/// How a step attempt ended, and where the run goes from there; written in one transaction.
#[derive(Debug, Clone)]
pub struct StepOutcome<'a> {
    pub run_id: i64,
    pub seq: i64,
    pub status: StepStatus,
    pub output: Option<&'a Value>,
    pub error: Option<&'a str>,
    /// The run after this attempt.
    pub run_status: RunStatus,
    pub next_step: i64,
    pub outputs: &'a Value,
    pub run_error: Option<&'a str>,
    /// A job to add in the same transaction (the run's next attempt after a backoff).
    pub then: Option<&'a NewJob>,
    /// The job running the run, to complete in the same transaction when the run ends
    /// here; the write is refused (`Stale`) and nothing is kept when its lease is gone.
    pub completes: Option<&'a Lease>,
}

fn step_write(attempt: AttemptRow, o: &StepOutcome<'_>, now_ms: i64) -> StepWrite {
    StepWrite {
        run_id: o.run_id,
        attempt,
        status: o.status,
        output: o.output.map(Value::to_string),
        error: o.error.map(str::to_owned),
        run_status: o.run_status,
        next_step: o.next_step,
        outputs: o.outputs.to_string(),
        run_error: o.run_error.map(str::to_owned),
        then: o.then.cloned(),
        completes: o.completes.cloned(),
        now_ms,
    }
}

impl Recipes<'_> {
    /// Deletes finished runs with their steps: succeeded and cancelled runs that finished
    /// before `done_before_ms`, failed ones before `failed_before_ms` (kept longer: they may
    /// be rerun). Runs not finished are kept whatever their age. In batches, so that no
    /// single write holds the database for long. Returns how many runs went.
    pub async fn purge_runs(&self, done_before_ms: i64, failed_before_ms: i64) -> StoreResult<u64> {
        const BATCH: i64 = 2_000;
        macro_rules! old_runs {
            () => {
                "SELECT id FROM recipe_runs \
                 WHERE (status IN ('succeeded', 'cancelled') AND finished_ms < $1) OR (status = 'failed' AND finished_ms < $2) \
                 ORDER BY id LIMIT $3"
            };
        }
        let mut total = 0;
        loop {
            let n = on_pool!(self.db, pool => {
                let mut tx = pool.begin().await.map_err(failed("purging runs"))?;
                // Steps first: SQLite only cascades with foreign keys switched on.
                sqlx::query(concat!("DELETE FROM recipe_run_steps WHERE run_id IN (", old_runs!(), ")"))
                    .bind(done_before_ms).bind(failed_before_ms).bind(BATCH)
                    .execute(&mut *tx).await.map_err(failed("purging runs"))?;
                let n = sqlx::query(concat!("DELETE FROM recipe_runs WHERE id IN (", old_runs!(), ")"))
                    .bind(done_before_ms).bind(failed_before_ms).bind(BATCH)
                    .execute(&mut *tx).await.map_err(failed("purging runs"))?.rows_affected();
                tx.commit().await.map_err(failed("purging runs"))?;
                Ok::<_, StoreError>(n)
            })?;
            total += n;
            if n < BATCH as u64 {
                return Ok(total);
            }
        }
    }

    /// Creates a run and the job that runs it, in one transaction, unless the recipe already
    /// has a run for `event_key`.
    pub async fn start_run(
        &self,
        run: &NewRun<'_>,
        job: &NewJob,
        now_ms: i64,
    ) -> StoreResult<RunStarted> {
        let start = RunStart {
            recipe_id: run.recipe_id,
            version: run.version,
            event_key: run.event_key.to_owned(),
            trigger: run.trigger_event.to_string(),
            next_step: run.next_step,
            outputs: run.outputs.to_string(),
            rerun_of: run.rerun_of,
            started_by: run.started_by.map(str::to_owned),
            hand_made: run.hand_made,
            job: job.clone(),
            now_ms,
        };
        match &self.db.pool {
            Pool::Sqlite(pool) => {
                self.writes
                    .starts
                    .submit(pool, start, start_run_on_sqlite)
                    .await
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(failed("starting a run"))?;
                let conn: &mut PgConnection = &mut tx;
                let start = &start;
                let started = write_run_start!(conn, start).await?;
                tx.commit().await.map_err(failed("starting a run"))?;
                Ok(started)
            }
        }
    }

    pub async fn run(&self, id: i64) -> StoreResult<Option<Run>> {
        let row: Option<RunRow> = on_pool!(self.db, pool => sqlx::query_as(select_run!("FROM recipe_runs r JOIN recipes c ON c.id = r.recipe_id WHERE r.id = $1")).bind(id)
            .fetch_optional(pool).await.map_err(failed("a run")))?;
        row.map(RunRow::into_run).transpose()
    }

    pub async fn runs(&self, f: &RunFilter) -> StoreResult<Vec<Run>> {
        let rows: Vec<RunRow> = on_pool!(self.db, pool => sqlx::query_as(select_run!(
            "FROM recipe_runs r JOIN recipes c ON c.id = r.recipe_id WHERE ($1 IS NULL OR r.recipe_id = $1) AND ($2 IS NULL OR r.status = $2) \
             AND ($3 IS NULL OR r.created_ms >= $3) AND ($4 IS NULL OR r.created_ms < $4) AND ($5 IS NULL OR r.id < $5) \
             ORDER BY r.id DESC LIMIT $6"))
            .bind(f.recipe_id).bind(f.status.map(|s| s.as_str())).bind(f.since_ms).bind(f.until_ms).bind(f.before_id)
            .bind(f.limit.clamp(1, 1000))
            .fetch_all(pool).await.map_err(failed("runs")))?;
        rows.into_iter().map(RunRow::into_run).collect()
    }

    /// How many runs match the filter on every page together (its cursor ignored).
    pub async fn count_matching(&self, f: &RunFilter) -> StoreResult<i64> {
        on_pool!(self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM recipe_runs r WHERE ($1 IS NULL OR r.recipe_id = $1) AND ($2 IS NULL OR r.status = $2) \
             AND ($3 IS NULL OR r.created_ms >= $3) AND ($4 IS NULL OR r.created_ms < $4)")
            .bind(f.recipe_id).bind(f.status.map(|s| s.as_str())).bind(f.since_ms).bind(f.until_ms)
            .fetch_one(pool).await.map_err(failed("runs")))
    }

    /// Runs of a recipe in one status (the index by status keeps this cheap for the few
    /// that wait or run).
    pub async fn count_runs(&self, recipe_id: i64, status: RunStatus) -> StoreResult<i64> {
        on_pool!(self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM recipe_runs WHERE status = $1 AND recipe_id = $2")
            .bind(status.as_str()).bind(recipe_id).fetch_one(pool).await.map_err(failed("runs")))
    }

    /// Runs waiting at an approval step (not those waiting for their connection).
    pub async fn awaiting_approval(&self) -> StoreResult<i64> {
        on_pool!(self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM recipe_runs r WHERE r.status = 'waiting' \
             AND EXISTS (SELECT 1 FROM recipe_run_steps s WHERE s.run_id = r.id AND s.status = 'waiting')")
            .fetch_one(pool).await.map_err(failed("runs awaiting approval")))
    }

    /// Runs of each status for a recipe.
    /// For every recipe with runs: how many, how many succeeded and failed, and its newest
    /// run's status and start, in one query.
    pub async fn run_summaries(&self) -> StoreResult<Vec<RunSummary>> {
        let rows: Vec<(i64, i64, i64, i64, i64, String, i64)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT s.recipe_id, s.total, s.succeeded, s.failed, l.id, l.status, l.created_ms FROM \
             (SELECT recipe_id, COUNT(*) AS total, \
                     SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded, \
                     SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed, \
                     MAX(id) AS last_id \
              FROM recipe_runs GROUP BY recipe_id) s \
             JOIN recipe_runs l ON l.id = s.last_id")
            .fetch_all(pool).await.map_err(failed("run summaries")))?;
        Ok(rows
            .into_iter()
            .filter_map(
                |(recipe_id, total, succeeded, failed, last, status, created_ms)| {
                    Some(RunSummary {
                        recipe_id,
                        total,
                        succeeded,
                        failed,
                        last_run_id: last,
                        last_status: RunStatus::parse(&status)?,
                        last_created_ms: created_ms,
                    })
                },
            )
            .collect())
    }

    /// Marks a queued run running if its recipe has fewer than `limit` runs running, on
    /// every instance at once: SQLite takes the write lock for the check and the change,
    /// PostgreSQL locks the recipe's row so two instances cannot both take the last slot.
    /// False when the recipe is at its limit (the run stays queued).
    pub async fn claim_run_slot(
        &self,
        run_id: i64,
        recipe_id: i64,
        limit: i64,
        now_ms: i64,
    ) -> StoreResult<bool> {
        const CLAIM: &str = "UPDATE recipe_runs SET status = 'running', updated_ms = $1 \
             WHERE id = $2 AND status = 'queued' \
             AND (SELECT COUNT(*) FROM recipe_runs WHERE recipe_id = $3 AND status = 'running') < $4";
        match &self.db.pool {
            Pool::Sqlite(pool) => {
                let n = sqlx::query(CLAIM)
                    .bind(now_ms)
                    .bind(run_id)
                    .bind(recipe_id)
                    .bind(limit)
                    .execute(pool)
                    .await
                    .map_err(failed("a run's slot"))?
                    .rows_affected();
                Ok(n == 1)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(failed("a run's slot"))?;
                sqlx::query("SELECT id FROM recipes WHERE id = $1 FOR UPDATE")
                    .bind(recipe_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed("a run's slot"))?;
                let n = sqlx::query(CLAIM)
                    .bind(now_ms)
                    .bind(run_id)
                    .bind(recipe_id)
                    .bind(limit)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed("a run's slot"))?
                    .rows_affected();
                tx.commit().await.map_err(failed("a run's slot"))?;
                Ok(n == 1)
            }
        }
    }

    pub async fn run_counts(&self, recipe_id: i64) -> StoreResult<Vec<(RunStatus, i64)>> {
        let rows: Vec<(String, i64)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT status, COUNT(*) FROM recipe_runs WHERE recipe_id = $1 GROUP BY status")
            .bind(recipe_id).fetch_all(pool).await.map_err(failed("run counts")))?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| RunStatus::parse(&s).map(|s| (s, n)))
            .collect())
    }

    /// Records the start of a step attempt (and marks the run running, when asked);
    /// returns its `seq`.
    #[allow(clippy::too_many_arguments)]
    pub async fn begin_step(
        &self,
        run_id: i64,
        step_index: i64,
        step_id: &str,
        attempt: i64,
        input: Option<&Value>,
        mark_running: bool,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let input = input.map(|v| v.to_string());
        // One statement: the next `seq` and the row together.
        let seq: i64 = on_pool!(self.db, pool => sqlx::query_scalar(
            "INSERT INTO recipe_run_steps (run_id, seq, step_index, step_id, attempt, status, input, started_ms) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, 'running', $5, $6 FROM recipe_run_steps WHERE run_id = $1 RETURNING seq")
            .bind(run_id).bind(step_index).bind(step_id).bind(attempt).bind(&input).bind(now_ms)
            .fetch_one(pool).await.map_err(failed("a step")))?;
        if mark_running {
            on_pool!(self.db, pool => sqlx::query("UPDATE recipe_runs SET status = 'running', updated_ms = $1 WHERE id = $2")
                .bind(now_ms).bind(run_id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a run")))?;
        }
        Ok(seq)
    }

    /// Records a whole step attempt at once (a step with nothing outside the hub to wait
    /// for: skipped, computed, or refused before it ran) and moves the run on, in one
    /// transaction. `o.seq` is not used.
    pub async fn record_step(
        &self,
        step: &FinishedStep<'_>,
        o: &StepOutcome<'_>,
        now_ms: i64,
    ) -> StoreResult<i64> {
        let attempt = AttemptRow::Whole {
            step_index: step.step_index,
            step_id: step.step_id.to_owned(),
            attempt: step.attempt,
            input: step.input.map(Value::to_string),
            started_ms: step.started_ms,
        };
        self.write_step(step_write(attempt, o, now_ms)).await
    }

    /// A run with its recipe version's text and the recipe's state, in one read.
    pub async fn run_to_work(&self, id: i64) -> StoreResult<Option<RunToWork>> {
        let row: Option<RunToWorkRow> = on_pool!(self.db, pool => sqlx::query_as(select_run!(
            ", v.source AS version_source, c.state AS recipe_state \
             FROM recipe_runs r JOIN recipes c ON c.id = r.recipe_id \
             JOIN recipe_versions v ON v.recipe_id = r.recipe_id AND v.version = r.version WHERE r.id = $1"))
            .bind(id).fetch_optional(pool).await.map_err(failed("a run")))?;
        let Some(row) = row else { return Ok(None) };
        let recipe_state = RecipeState::parse(&row.recipe_state).unwrap_or(RecipeState::Stopped);
        Ok(Some(RunToWork {
            source: row.version_source,
            recipe_state,
            run: row.run.into_run()?,
        }))
    }

    /// Records how a step attempt ended and moves the run on, in one transaction.
    pub async fn finish_step(&self, o: &StepOutcome<'_>, now_ms: i64) -> StoreResult<()> {
        let attempt = AttemptRow::End { seq: o.seq };
        self.write_step(step_write(attempt, o, now_ms)).await?;
        Ok(())
    }

    /// Records a decision on an attempt that waits (an approval given or refused, or its
    /// timeout) and moves the run on, in one transaction, only while the attempt and the run
    /// still wait: of concurrent decisions (or a decision and a cancel) one wins, and the
    /// others get `Stale` with nothing written.
    pub async fn decide_step(&self, o: &StepOutcome<'_>, now_ms: i64) -> StoreResult<()> {
        let attempt = AttemptRow::Decision { seq: o.seq };
        self.write_step(step_write(attempt, o, now_ms)).await?;
        Ok(())
    }

    /// Cancels a run that has not finished, with the attempts still running or waiting
    /// marked failed, in one transaction; false when the run had finished already. The
    /// attempts are written before the run, in the order every step write takes its locks,
    /// so a cancel and a decision on PostgreSQL wait for each other instead of deadlocking.
    pub async fn cancel_run(&self, run_id: i64, why: &str, now_ms: i64) -> StoreResult<bool> {
        macro_rules! cancel {
            ($conn:expr) => {
                async {
                    sqlx::query("UPDATE recipe_run_steps SET status = 'failed', error = $1, finished_ms = $2 \
                         WHERE run_id = $3 AND status IN ('running', 'waiting') \
                         AND EXISTS (SELECT 1 FROM recipe_runs WHERE id = $3 AND status NOT IN ('succeeded', 'failed', 'cancelled'))")
                        .bind(why).bind(now_ms).bind(run_id)
                        .execute(&mut *$conn).await.map_err(failed("cancelling a run"))?;
                    let n = sqlx::query(
                        "UPDATE recipe_runs SET status = 'cancelled', error = $1, updated_ms = $2, finished_ms = $2 \
                         WHERE id = $3 AND status NOT IN ('succeeded', 'failed', 'cancelled')")
                        .bind(why).bind(now_ms).bind(run_id)
                        .execute(&mut *$conn).await.map_err(failed("cancelling a run"))?
                        .rows_affected();
                    Ok::<bool, StoreError>(n == 1)
                }
            };
        }
        // Nothing is kept unless the run itself was cancelled.
        match &self.db.pool {
            Pool::Sqlite(pool) => {
                let mut tx = pool
                    .begin_with(self.db.begin_read_then_write())
                    .await
                    .map_err(failed("cancelling a run"))?;
                let done = cancel!(&mut *tx).await?;
                if done {
                    tx.commit().await.map_err(failed("cancelling a run"))?;
                }
                Ok(done)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(failed("cancelling a run"))?;
                let done = cancel!(&mut *tx).await?;
                if done {
                    tx.commit().await.map_err(failed("cancelling a run"))?;
                }
                Ok(done)
            }
        }
    }

    async fn write_step(&self, w: StepWrite) -> StoreResult<i64> {
        match &self.db.pool {
            Pool::Sqlite(pool) => {
                self.writes
                    .steps
                    .submit(pool, w, write_step_on_sqlite)
                    .await
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(failed("a step"))?;
                let conn: &mut PgConnection = &mut tx;
                let w = &w;
                let seq = write_step!(conn, w).await?;
                tx.commit().await.map_err(failed("a step"))?;
                Ok(seq)
            }
        }
    }

    /// Sets the status of a run that has not finished (pause, finish without a step); false
    /// when it had finished (or was cancelled) already.
    pub async fn set_run_status(
        &self,
        run_id: i64,
        status: RunStatus,
        error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let finished = status.is_final().then_some(now_ms);
        let n = on_pool!(self.db, pool => sqlx::query(
            "UPDATE recipe_runs SET status = $1, error = COALESCE($2, error), updated_ms = $3, finished_ms = $4 \
             WHERE id = $5 AND status NOT IN ('succeeded', 'failed', 'cancelled')")
            .bind(status.as_str()).bind(error).bind(now_ms).bind(finished).bind(run_id)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a run")))?;
        Ok(n > 0)
    }

    /// Every step attempt of a run, in order.
    pub async fn steps(&self, run_id: i64) -> StoreResult<Vec<StepAttempt>> {
        let rows: Vec<StepRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT seq, step_index, step_id, attempt, status, input, output, error, started_ms, finished_ms FROM recipe_run_steps WHERE run_id = $1 ORDER BY seq")
            .bind(run_id).fetch_all(pool).await.map_err(failed("a run's steps")))?;
        Ok(rows
            .into_iter()
            .map(|r| StepAttempt {
                seq: r.seq,
                step_index: r.step_index,
                step_id: r.step_id,
                attempt: r.attempt,
                status: StepStatus::parse(&r.status),
                input: r.input.as_deref().map(json),
                output: r.output.as_deref().map(json),
                error: r.error,
                started_ms: r.started_ms,
                finished_ms: r.finished_ms,
            })
            .collect())
    }
}

/// A recipe's runs in brief, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub recipe_id: i64,
    pub total: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub last_run_id: i64,
    pub last_status: RunStatus,
    pub last_created_ms: i64,
}

impl RunSummary {
    /// Succeeded among the runs that ended one way or the other, in percent; `None` before
    /// any has.
    pub fn success_percent(&self) -> Option<i64> {
        let ended = self.succeeded + self.failed;
        (ended > 0).then(|| (self.succeeded * 100 + ended / 2) / ended)
    }
}
