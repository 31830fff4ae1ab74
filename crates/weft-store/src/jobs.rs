//! The durable job queue: background work (health probes, syncs, recipe runs) as rows that
//! any hub instance may claim, run under a lease, and finish.
//!
//! # Locking rules
//!
//! 1. **Enqueue** is one `INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`: a job whose dedupe
//!    key exists already is not added again, whatever its status (the key is unique for as
//!    long as the row is kept).
//! 2. **Claim** moves queued, due jobs to `running` in one write that also sets the lease
//!    (owner, expiry, heartbeat) and counts the attempt. On PostgreSQL the candidates are
//!    chosen with `FOR UPDATE SKIP LOCKED`, so concurrent claimers on any instance take
//!    disjoint jobs without waiting for each other. On SQLite the claim runs in a
//!    `BEGIN IMMEDIATE` transaction, which takes the database's write lock before it reads,
//!    so two claimers are serialised and never see the same queued row.
//! 3. **Fencing**: a lease is `(job id, owner, attempt)`. Heartbeat, complete and fail
//!    only change a row that is still `running` under that exact lease. A worker whose lease
//!    expired and whose job was re-queued or taken by another worker (a new attempt) changes
//!    nothing and is told so; it must stop working on the job.
//! 4. **Expiry**: `reap_expired` re-queues running jobs whose lease expired (their worker
//!    died or hung), or buries them when that was their last attempt. Any instance may run
//!    it at any time; it only touches rows whose lease is already over.
//! 5. **Cancel** sets `cancelled` on a queued or running job; the running worker's next
//!    heartbeat finds its lease gone and stops.
//!
//! Times here are Unix milliseconds.

use serde::Serialize;
use serde_json::Value;

use crate::db::{Db, Pool, failed, on_pool};
use crate::{StoreError, StoreResult};

/// Lost leases (the worker died or hung while running it) after which a job is set aside.
pub const MAX_LOST_LEASES: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for `run_at` (a first attempt or a retry).
    Queued,
    /// Leased to a worker.
    Running,
    Succeeded,
    /// Failed for good: out of attempts, or an error no retry can fix. Kept with its error.
    Dead,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Dead,
        JobStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Dead => "dead",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// True once nothing will run the job again by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Dead | JobStatus::Cancelled
        )
    }
}

/// How often a job is tried and how long it waits between tries, kept beside the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: i64,
    /// Wait after the first failed attempt; doubled after each further one.
    pub backoff_ms: i64,
    /// The longest wait.
    pub backoff_max_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            backoff_ms: 10_000,
            backoff_max_ms: 3_600_000,
        }
    }
}

impl RetryPolicy {
    /// Tried once, never retried.
    pub const ONCE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        backoff_ms: 0,
        backoff_max_ms: 0,
    };

    /// The wait after failed attempt number `attempt` (1 for the first).
    pub fn delay_ms(&self, attempt: i64) -> i64 {
        let doublings = (attempt - 1).clamp(0, 40) as u32;
        self.backoff_ms
            .saturating_mul(1i64 << doublings)
            .min(self.backoff_max_ms)
            .max(0)
    }
}

/// A job to add.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    /// Makes the same job impossible to enqueue twice (e.g. `schedule:NAME:OCCURRENCE`).
    pub dedupe_key: Option<String>,
    /// Who or what asked for it (`schedule health.probe`, `user ada`, ...).
    pub origin: String,
    /// Higher runs first among due jobs.
    pub priority: i64,
    pub run_at_ms: i64,
    pub retry: RetryPolicy,
}

/// What `enqueue` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    New(i64),
    /// A job with the same dedupe key exists: its id.
    Duplicate(i64),
}

impl Enqueued {
    pub fn id(self) -> i64 {
        match self {
            Enqueued::New(id) | Enqueued::Duplicate(id) => id,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub dedupe_key: Option<String>,
    pub origin: String,
    pub priority: i64,
    pub status: JobStatus,
    pub run_at_ms: i64,
    /// Attempts started so far.
    pub attempts: i64,
    pub retry: RetryPolicy,
    /// The worker holding (or that last held) the lease.
    pub lease_owner: Option<String>,
    pub lease_expires_ms: Option<i64>,
    pub heartbeat_ms: Option<i64>,
    pub last_error: Option<String>,
    pub result: Option<Value>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub finished_ms: Option<i64>,
}

/// The right to work on one attempt of a job; every later write is fenced by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job_id: i64,
    pub owner: String,
    pub attempt: i64,
}

/// A claimed job and the lease it runs under.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub job: Job,
    pub lease: Lease,
}

/// Which jobs to list; newest first.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub kind: Option<String>,
    pub status: Option<JobStatus>,
    /// Created at or after (Unix ms).
    pub since_ms: Option<i64>,
    /// Created before (Unix ms).
    pub until_ms: Option<i64>,
    /// Only ids below this one (the next page after a page ending at it).
    pub before_id: Option<i64>,
    /// Kinds left out (routine work that would bury the rest).
    pub hide_kinds: Vec<String>,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    payload: String,
    dedupe_key: Option<String>,
    origin: String,
    priority: i64,
    status: String,
    run_at_ms: i64,
    attempts: i64,
    max_attempts: i64,
    backoff_ms: i64,
    backoff_max_ms: i64,
    lease_owner: Option<String>,
    lease_expires_ms: Option<i64>,
    heartbeat_ms: Option<i64>,
    last_error: Option<String>,
    result: Option<String>,
    created_ms: i64,
    updated_ms: i64,
    finished_ms: Option<i64>,
}

impl JobRow {
    fn into_job(self) -> StoreResult<Job> {
        let status = JobStatus::parse(&self.status).ok_or_else(|| StoreError::Database {
            what: format!("job {}", self.id),
            message: format!("unknown status {:?}", self.status),
        })?;
        let json = |text: &str| serde_json::from_str(text).unwrap_or(Value::String(text.into()));
        Ok(Job {
            payload: json(&self.payload),
            result: self.result.as_deref().map(json),
            id: self.id,
            kind: self.kind,
            dedupe_key: self.dedupe_key,
            origin: self.origin,
            priority: self.priority,
            status,
            run_at_ms: self.run_at_ms,
            attempts: self.attempts,
            retry: RetryPolicy {
                max_attempts: self.max_attempts,
                backoff_ms: self.backoff_ms,
                backoff_max_ms: self.backoff_max_ms,
            },
            lease_owner: self.lease_owner,
            lease_expires_ms: self.lease_expires_ms,
            heartbeat_ms: self.heartbeat_ms,
            last_error: self.last_error,
            created_ms: self.created_ms,
            updated_ms: self.updated_ms,
            finished_ms: self.finished_ms,
        })
    }
}

/// The columns of a `JobRow`, as one static string with `$tail` after them.
macro_rules! job_columns {
    ($head:literal, $tail:literal) => {
        concat!(
            $head,
            " id, kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts, backoff_ms, backoff_max_ms, lease_owner, lease_expires_ms, heartbeat_ms, last_error, result, created_ms, updated_ms, finished_ms ",
            $tail
        )
    };
}

/// Longest error text kept on a job.
const MAX_ERROR: usize = 4_000;

fn clip(error: &str) -> String {
    if error.len() <= MAX_ERROR {
        return error.to_owned();
    }
    let mut end = MAX_ERROR;
    while !error.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &error[..end])
}

/// The query that adds `$job` (a `&NewJob`) unless its dedupe key exists, returning the new
/// id; a macro so that other areas can run it inside their own transactions.
/// Marks a job done, fenced by its lease: binds result, now, job id, owner, attempt. Shared
/// with writers that end a job in their own transaction (a recipe run's last step).
pub(crate) const COMPLETE_JOB: &str = "UPDATE jobs SET status = 'succeeded', result = $1, finished_ms = $2, updated_ms = $2, lease_expires_ms = NULL \
     WHERE id = $3 AND status = 'running' AND lease_owner = $4 AND attempts = $5";

macro_rules! insert_job {
    ($job:expr, $payload:expr, $now_ms:expr) => {
        sqlx::query_scalar(
            "INSERT INTO jobs (kind, payload, dedupe_key, origin, priority, status, run_at_ms, attempts, max_attempts, backoff_ms, backoff_max_ms, created_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, 'queued', $6, 0, $7, $8, $9, $10, $10) \
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id")
            .bind(&$job.kind).bind(&$payload).bind(&$job.dedupe_key).bind(&$job.origin).bind($job.priority)
            .bind($job.run_at_ms).bind($job.retry.max_attempts.max(1)).bind($job.retry.backoff_ms).bind($job.retry.backoff_max_ms)
            .bind($now_ms)
    };
}
pub(crate) use insert_job;

/// The jobs area of the store.
pub struct Jobs<'a> {
    pub(crate) db: &'a Db,
}

impl Jobs<'_> {
    /// Adds a job unless one with the same dedupe key exists.
    pub async fn enqueue(&self, job: &NewJob, now_ms: i64) -> StoreResult<Enqueued> {
        let payload = job.payload.to_string();
        let inserted: Option<i64> = on_pool!(self.db, pool => insert_job!(job, payload, now_ms)
            .fetch_optional(pool).await.map_err(failed("enqueueing a job")))?;
        if let Some(id) = inserted {
            return Ok(Enqueued::New(id));
        }
        let existing: Option<i64> = on_pool!(self.db, pool => sqlx::query_scalar(
            "SELECT id FROM jobs WHERE dedupe_key = $1")
            .bind(&job.dedupe_key).fetch_optional(pool).await.map_err(failed("jobs")))?;
        existing
            .map(Enqueued::Duplicate)
            .ok_or_else(|| StoreError::Stale {
                what: format!(
                    "the job with dedupe key {:?} (removed while enqueueing)",
                    job.dedupe_key
                ),
            })
    }

    /// Leases up to `limit` due jobs of the given kinds to `owner` for `lease_ms`, highest
    /// priority first, then oldest `run_at`. See the locking rules at the top of this file.
    pub async fn claim(
        &self,
        owner: &str,
        kinds: &[String],
        limit: i64,
        lease_ms: i64,
        now_ms: i64,
    ) -> StoreResult<Vec<Claimed>> {
        if kinds.is_empty() || limit <= 0 {
            return Ok(Vec::new());
        }
        let rows: Vec<JobRow> = match &self.db.pool {
            Pool::Postgres(pool) => sqlx::query_as(job_columns!(
                "UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_ms = $2, heartbeat_ms = $3, attempts = attempts + 1, updated_ms = $3 \
                 WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND run_at_ms <= $3 AND kind = ANY($4) \
                 ORDER BY priority DESC, run_at_ms, id LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING",
                ""
            ))
            .bind(owner)
            .bind(now_ms + lease_ms)
            .bind(now_ms)
            .bind(kinds)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(failed("claiming jobs"))?,
            Pool::Sqlite(pool) => {
                let kinds = serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into());
                let mut tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(failed("claiming jobs"))?;
                let rows = sqlx::query_as(job_columns!(
                    "UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_ms = $2, heartbeat_ms = $3, attempts = attempts + 1, updated_ms = $3 \
                     WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND run_at_ms <= $3 AND kind IN (SELECT value FROM json_each($4)) \
                     ORDER BY priority DESC, run_at_ms, id LIMIT $5) RETURNING",
                    ""
                ))
                .bind(owner)
                .bind(now_ms + lease_ms)
                .bind(now_ms)
                .bind(kinds)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await
                .map_err(failed("claiming jobs"))?;
                tx.commit().await.map_err(failed("claiming jobs"))?;
                rows
            }
        };
        let mut claimed = rows
            .into_iter()
            .map(|row| {
                let job = row.into_job()?;
                Ok(Claimed {
                    lease: Lease {
                        job_id: job.id,
                        owner: owner.to_owned(),
                        attempt: job.attempts,
                    },
                    job,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        // RETURNING does not keep the subquery's order.
        claimed.sort_by_key(|c| (-c.job.priority, c.job.run_at_ms, c.job.id));
        Ok(claimed)
    }

    /// Extends the lease; false when it is no longer held (expired and taken over, or the
    /// job was cancelled), and the worker must stop.
    pub async fn heartbeat(&self, lease: &Lease, lease_ms: i64, now_ms: i64) -> StoreResult<bool> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE jobs SET lease_expires_ms = $1, heartbeat_ms = $2 WHERE id = $3 AND status = 'running' AND lease_owner = $4 AND attempts = $5")
            .bind(now_ms + lease_ms).bind(now_ms).bind(lease.job_id).bind(&lease.owner).bind(lease.attempt)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("job heartbeat")))?;
        Ok(done == 1)
    }

    /// Marks the job done with its result; false (and nothing changed) when the lease is
    /// no longer held.
    pub async fn complete(
        &self,
        lease: &Lease,
        result: Option<&Value>,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let result = result.map(Value::to_string);
        let done = on_pool!(self.db, pool => sqlx::query(COMPLETE_JOB)
            .bind(result).bind(now_ms).bind(lease.job_id).bind(&lease.owner).bind(lease.attempt)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("completing a job")))?;
        Ok(done == 1)
    }

    /// Records a failed attempt: queued again at `retry_at_ms` while attempts remain, dead
    /// when they are spent or when `retry_at_ms` is None (no retry can help). Returns the
    /// new status, or None (nothing changed) when the lease is no longer held.
    pub async fn fail(
        &self,
        lease: &Lease,
        error: &str,
        retry_at_ms: Option<i64>,
        now_ms: i64,
    ) -> StoreResult<Option<JobStatus>> {
        let error = clip(error);
        let status: Option<String> = on_pool!(self.db, pool => sqlx::query_scalar(
            "UPDATE jobs SET \
               status = CASE WHEN $1 IS NULL OR attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
               run_at_ms = COALESCE($1, run_at_ms), \
               finished_ms = CASE WHEN $1 IS NULL OR attempts >= max_attempts THEN $2 ELSE NULL END, \
               last_error = $3, updated_ms = $2, lease_expires_ms = NULL \
             WHERE id = $4 AND status = 'running' AND lease_owner = $5 AND attempts = $6 RETURNING status")
            .bind(retry_at_ms).bind(now_ms).bind(&error).bind(lease.job_id).bind(&lease.owner).bind(lease.attempt)
            .fetch_optional(pool).await.map_err(failed("failing a job")))?;
        Ok(status.as_deref().and_then(JobStatus::parse))
    }

    /// Gives a job back unfinished (its worker is shutting down): queued again at once, and
    /// the interrupted attempt does not count. False when the lease is no longer held.
    pub async fn release(&self, lease: &Lease, reason: &str, now_ms: i64) -> StoreResult<bool> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at_ms = $1, updated_ms = $1, last_error = $2, lease_expires_ms = NULL \
             WHERE id = $3 AND status = 'running' AND lease_owner = $4 AND attempts = $5")
            .bind(now_ms).bind(clip(reason)).bind(lease.job_id).bind(&lease.owner).bind(lease.attempt)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("releasing a job")))?;
        Ok(done == 1)
    }

    /// Re-queues (or buries, after the last attempt) running jobs whose lease expired before
    /// `now_ms`; returns their ids. Each expiry is counted as a lost lease: a job whose
    /// worker died or hung `MAX_LOST_LEASES` times is set aside as dead with that reason,
    /// whatever attempts it has left, since it may be what takes its process down (a run
    /// that exhausts memory would otherwise crash every instance that claims it).
    pub async fn reap_expired(&self, now_ms: i64) -> StoreResult<Vec<i64>> {
        on_pool!(self.db, pool => sqlx::query_scalar(
            "UPDATE jobs SET \
               lost_leases = lost_leases + 1, \
               status = CASE WHEN attempts >= max_attempts OR lost_leases + 1 >= $2 THEN 'dead' ELSE 'queued' END, \
               finished_ms = CASE WHEN attempts >= max_attempts OR lost_leases + 1 >= $2 THEN $1 ELSE NULL END, \
               last_error = CASE WHEN lost_leases + 1 >= $2 AND attempts < max_attempts \
                 THEN 'set aside: its worker died or hung ' || (lost_leases + 1) || ' times while running it (last: ' || COALESCE(lease_owner, '?') || '); retry it once the cause is fixed' \
                 ELSE 'attempt ' || attempts || ' lost its lease: worker ' || COALESCE(lease_owner, '?') || ' stopped or hung' END, \
               run_at_ms = $1, updated_ms = $1, lease_expires_ms = NULL \
             WHERE status = 'running' AND lease_expires_ms < $1 RETURNING id")
            .bind(now_ms).bind(MAX_LOST_LEASES).fetch_all(pool).await.map_err(failed("reaping expired leases")))
    }

    pub async fn get(&self, id: i64) -> StoreResult<Option<Job>> {
        let row: Option<JobRow> = on_pool!(self.db, pool => sqlx::query_as(job_columns!("SELECT", "FROM jobs WHERE id = $1"))
            .bind(id).fetch_optional(pool).await.map_err(failed("jobs")))?;
        row.map(JobRow::into_job).transpose()
    }

    /// Jobs matching the filter, newest first.
    pub async fn list(&self, f: &JobFilter) -> StoreResult<Vec<Job>> {
        let rows: Vec<JobRow> = on_pool!(self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(job_columns!("SELECT", "FROM jobs WHERE 1 = 1"));
            push_job_filter(&mut query, f);
            if let Some(before) = f.before_id {
                query.push(" AND id < ").push_bind(before);
            }
            query.push(" ORDER BY id DESC LIMIT ").push_bind(f.limit.clamp(1, 1000));
            query.build_query_as().fetch_all(pool).await.map_err(failed("jobs"))
        })?;
        rows.into_iter().map(JobRow::into_job).collect()
    }

    /// How many jobs match the filter on every page together (its cursor ignored).
    pub async fn count(&self, f: &JobFilter) -> StoreResult<i64> {
        on_pool!(self.db, pool => {
            let mut query = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM jobs WHERE 1 = 1");
            push_job_filter(&mut query, f);
            query.build_query_scalar().fetch_one(pool).await.map_err(failed("jobs"))
        })
    }

    /// How many jobs are in each status.
    pub async fn counts(&self) -> StoreResult<Vec<(JobStatus, i64)>> {
        let rows: Vec<(String, i64)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT status, COUNT(*) FROM jobs GROUP BY status")
            .fetch_all(pool).await.map_err(failed("jobs")))?;
        Ok(rows
            .into_iter()
            .filter_map(|(status, n)| Some((JobStatus::parse(&status)?, n)))
            .collect())
    }

    /// How many jobs wait to be claimed (the queue's depth), from the index of queued jobs.
    pub async fn queued(&self) -> StoreResult<i64> {
        on_pool!(self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
            .fetch_one(pool).await.map_err(failed("jobs")))
    }

    /// Queues a dead or cancelled job again, due now, with its attempts reset.
    pub async fn retry(&self, id: i64, now_ms: i64) -> StoreResult<Job> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE jobs SET status = 'queued', run_at_ms = $1, attempts = 0, lost_leases = 0, finished_ms = NULL, updated_ms = $1 \
             WHERE id = $2 AND status IN ('dead', 'cancelled')")
            .bind(now_ms).bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("retrying a job")))?;
        self.after_transition(id, done, "retried: only dead or cancelled jobs are")
            .await
    }

    /// Cancels a queued or running job (a running one stops at its next heartbeat).
    pub async fn cancel(&self, id: i64, now_ms: i64) -> StoreResult<Job> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE jobs SET status = 'cancelled', finished_ms = $1, updated_ms = $1, lease_expires_ms = NULL \
             WHERE id = $2 AND status IN ('queued', 'running')")
            .bind(now_ms).bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("cancelling a job")))?;
        self.after_transition(id, done, "cancelled: only queued or running jobs are")
            .await
    }

    async fn after_transition(&self, id: i64, changed: u64, refusal: &str) -> StoreResult<Job> {
        let job = self.get(id).await?.ok_or_else(|| StoreError::NotFound {
            what: format!("job {id}"),
        })?;
        if changed == 0 {
            return Err(StoreError::WrongState {
                message: format!(
                    "job {id} is {}; it cannot be {refusal}",
                    job.status.as_str()
                ),
            });
        }
        Ok(job)
    }

    /// Deletes finished jobs: succeeded and cancelled ones finished before `done_before_ms`,
    /// dead ones before `dead_before_ms` (kept longer, so people can see what failed).
    pub async fn purge(&self, done_before_ms: i64, dead_before_ms: i64) -> StoreResult<u64> {
        on_pool!(self.db, pool => sqlx::query(
            "DELETE FROM jobs WHERE (status IN ('succeeded', 'cancelled') AND finished_ms < $1) OR (status = 'dead' AND finished_ms < $2)")
            .bind(done_before_ms).bind(dead_before_ms)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("purging jobs")))
    }
}

/// The conditions of a job filter but its cursor, for the listing and its count.
fn push_job_filter<DB: sqlx::Database>(query: &mut sqlx::QueryBuilder<DB>, f: &JobFilter)
where
    for<'t> &'t String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'static str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(kind) = &f.kind {
        query.push(" AND kind = ").push_bind(kind);
    }
    if let Some(status) = f.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(since) = f.since_ms {
        query.push(" AND created_ms >= ").push_bind(since);
    }
    if let Some(until) = f.until_ms {
        query.push(" AND created_ms < ").push_bind(until);
    }
    if !f.hide_kinds.is_empty() {
        query.push(" AND kind NOT IN (");
        let mut kinds = query.separated(", ");
        for kind in &f.hide_kinds {
            kinds.push_bind(kind);
        }
        query.push(")");
    }
}
