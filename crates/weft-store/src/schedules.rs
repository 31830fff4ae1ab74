//! Periodic jobs, kept in the database so that any number of instances run each occurrence
//! once. Firing an occurrence is two idempotent steps: enqueue its job with the dedupe key
//! `schedule:NAME:DUE_MS` (a second instance gets the existing job), then advance
//! `next_run_ms` by compare-and-swap on its old value (only one instance moves it). A crash
//! between the two steps leaves the occurrence due; the next tick enqueues nothing new and
//! advances it.

use serde::Serialize;
use serde_json::Value;
use weft_core::schedule::Cadence;

use crate::db::{Db, failed, on_pool};
use crate::jobs::RetryPolicy;
use crate::{StoreError, StoreResult};

/// A schedule as its owner defines it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleSpec {
    pub name: String,
    pub kind: String,
    pub payload: Value,
    pub cadence: Cadence,
    pub priority: i64,
    pub retry: RetryPolicy,
    pub enabled: bool,
}

/// A stored schedule and where it stands.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    #[serde(flatten)]
    pub spec: ScheduleSpec,
    pub next_run_ms: i64,
    pub last_run_ms: Option<i64>,
    pub last_job_id: Option<i64>,
}

impl Schedule {
    /// The dedupe key of the occurrence due at `due_ms`.
    pub fn occurrence_key(&self, due_ms: i64) -> String {
        format!("schedule:{}:{due_ms}", self.spec.name)
    }
}

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    name: String,
    kind: String,
    payload: String,
    every_ms: Option<i64>,
    cron: Option<String>,
    timezone: Option<String>,
    priority: i64,
    max_attempts: i64,
    backoff_ms: i64,
    backoff_max_ms: i64,
    enabled: bool,
    next_run_ms: i64,
    last_run_ms: Option<i64>,
    last_job_id: Option<i64>,
}

impl ScheduleRow {
    fn into_schedule(self) -> StoreResult<Schedule> {
        let cadence =
            Cadence::from_parts(self.every_ms, self.cron, self.timezone).map_err(|message| {
                StoreError::Database {
                    what: format!("schedule {}", self.name),
                    message,
                }
            })?;
        Ok(Schedule {
            spec: ScheduleSpec {
                payload: serde_json::from_str(&self.payload).unwrap_or(Value::Null),
                name: self.name,
                kind: self.kind,
                cadence,
                priority: self.priority,
                retry: RetryPolicy {
                    max_attempts: self.max_attempts,
                    backoff_ms: self.backoff_ms,
                    backoff_max_ms: self.backoff_max_ms,
                },
                enabled: self.enabled,
            },
            next_run_ms: self.next_run_ms,
            last_run_ms: self.last_run_ms,
            last_job_id: self.last_job_id,
        })
    }
}

macro_rules! select_schedules {
    ($tail:literal) => {
        concat!(
            "SELECT name, kind, payload, every_ms, cron, timezone, priority, max_attempts, backoff_ms, backoff_max_ms, enabled, next_run_ms, last_run_ms, last_job_id FROM schedules ",
            $tail
        )
    };
}

/// The schedules area of the store.
pub struct Schedules<'a> {
    pub(crate) db: &'a Db,
}

impl Schedules<'_> {
    /// Creates or updates a schedule. An unchanged cadence keeps its next occurrence; a new
    /// or changed one starts at `next_run_ms`.
    pub async fn upsert(&self, s: &ScheduleSpec, next_run_ms: i64, now_ms: i64) -> StoreResult<()> {
        let (every_ms, cron, timezone) = s.cadence.to_parts();
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO schedules (name, kind, payload, every_ms, cron, timezone, priority, max_attempts, backoff_ms, backoff_max_ms, enabled, next_run_ms, updated_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, priority = excluded.priority, \
               max_attempts = excluded.max_attempts, backoff_ms = excluded.backoff_ms, backoff_max_ms = excluded.backoff_max_ms, \
               enabled = excluded.enabled, updated_ms = excluded.updated_ms, \
               next_run_ms = CASE WHEN schedules.every_ms IS DISTINCT FROM excluded.every_ms OR schedules.cron IS DISTINCT FROM excluded.cron \
                 OR schedules.timezone IS DISTINCT FROM excluded.timezone THEN excluded.next_run_ms ELSE schedules.next_run_ms END, \
               every_ms = excluded.every_ms, cron = excluded.cron, timezone = excluded.timezone")
            .bind(&s.name).bind(&s.kind).bind(s.payload.to_string()).bind(every_ms).bind(cron).bind(timezone)
            .bind(s.priority).bind(s.retry.max_attempts).bind(s.retry.backoff_ms).bind(s.retry.backoff_max_ms)
            .bind(s.enabled).bind(next_run_ms).bind(now_ms)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("schedules")))?;
        Ok(())
    }

    /// Enabled schedules whose next occurrence is due at `now_ms`.
    pub async fn due(&self, now_ms: i64) -> StoreResult<Vec<Schedule>> {
        let rows: Vec<ScheduleRow> = on_pool!(self.db, pool => sqlx::query_as(select_schedules!("WHERE enabled AND next_run_ms <= $1 ORDER BY next_run_ms"))
            .bind(now_ms).fetch_all(pool).await.map_err(failed("schedules")))?;
        rows.into_iter().map(ScheduleRow::into_schedule).collect()
    }

    /// Moves a schedule from the occurrence due at `due_ms` to `next_run_ms`, unless another
    /// instance moved it first; true when this call moved it.
    pub async fn advance(
        &self,
        name: &str,
        due_ms: i64,
        next_run_ms: i64,
        job_id: i64,
        now_ms: i64,
    ) -> StoreResult<bool> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE schedules SET next_run_ms = $1, last_run_ms = $2, last_job_id = $3, updated_ms = $4 WHERE name = $5 AND next_run_ms = $2")
            .bind(next_run_ms).bind(due_ms).bind(job_id).bind(now_ms).bind(name)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("schedules")))?;
        Ok(done == 1)
    }

    pub async fn list(&self) -> StoreResult<Vec<Schedule>> {
        let rows: Vec<ScheduleRow> = on_pool!(self.db, pool => sqlx::query_as(select_schedules!("ORDER BY name"))
            .fetch_all(pool).await.map_err(failed("schedules")))?;
        rows.into_iter().map(ScheduleRow::into_schedule).collect()
    }

    pub async fn remove(&self, name: &str) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM schedules WHERE name = $1")
            .bind(name).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("schedules")))?;
        Ok(())
    }
}
