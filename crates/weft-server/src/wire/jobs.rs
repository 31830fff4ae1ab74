//! Jobs on the wire: the durable queue's entries as operators see them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use weft_store::{JobStatus, RetryPolicy};

use super::time_ms;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub kind: String,
    /// What the job works on; its shape depends on the kind.
    pub payload: Value,
    pub dedupe_key: Option<String>,
    /// Who or what enqueued it.
    pub origin: String,
    pub priority: i64,
    pub status: JobStatus,
    /// When it may run (next).
    pub run_at: DateTime<Utc>,
    pub attempts: i64,
    pub retry: RetryPolicy,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub result: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&weft_store::Job> for Job {
    fn from(j: &weft_store::Job) -> Self {
        Job {
            id: j.id.to_string(),
            kind: j.kind.clone(),
            payload: j.payload.clone(),
            dedupe_key: j.dedupe_key.clone(),
            origin: j.origin.clone(),
            priority: j.priority,
            status: j.status,
            run_at: time_ms(j.run_at_ms),
            attempts: j.attempts,
            retry: j.retry,
            lease_owner: j.lease_owner.clone(),
            lease_expires_at: j.lease_expires_ms.map(time_ms),
            heartbeat_at: j.heartbeat_ms.map(time_ms),
            last_error: j.last_error.clone(),
            result: j.result.clone(),
            created_at: time_ms(j.created_ms),
            updated_at: time_ms(j.updated_ms),
            finished_at: j.finished_ms.map(time_ms),
        }
    }
}

/// A job started on request: where to follow it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Enqueued {
    pub job_id: String,
}
