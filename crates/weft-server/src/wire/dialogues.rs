//! The reclaim dialogue on the wire: one person in a policy's dialogue, as the board shows
//! them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::time;

/// One person in a policy's reclaim dialogue.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dialogue {
    pub id: String,
    pub policy: String,
    pub connection_id: String,
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub user_type_id: Option<String>,
    /// `ask_first` (the person is e-mailed) or `silent` (the Admin decides alone).
    pub mode: String,
    /// The change proposed, in words.
    pub change: String,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub last_signal: Option<String>,
    /// What the change saves a year, in cents, where the renewal's costs are entered.
    pub annual_saving_cents: Option<i64>,
    /// pending, notified, reminded, kept, released, escalated, applied, failed or cancelled.
    pub state: String,
    /// Why it is in that state (who cancelled it, the activity that took them out, ...).
    pub reason: Option<String>,
    pub started_at: DateTime<Utc>,
    /// The Admin who started the policy's dialogue.
    pub started_by: String,
    pub notified_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    /// When the links expire and, without an answer, an Admin is asked.
    pub deadline_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Someone who kept their seat is not asked again before this.
    pub keep_until: Option<DateTime<Utc>>,
    /// The reclaim plan that carries the change out (an Admin confirms an escalation's).
    pub plan_id: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<weft_store::Dialogue> for Dialogue {
    fn from(d: weft_store::Dialogue) -> Self {
        Dialogue {
            id: d.id,
            policy: d.policy,
            connection_id: d.connection_id,
            user_id: d.user_id,
            name: d.name,
            email: d.email,
            user_type_id: d.user_type_id,
            mode: d.mode,
            change: d.change_label,
            last_activity_at: d.last_activity_at.map(time),
            last_signal: d.last_signal,
            annual_saving_cents: d.annual_saving_cents,
            state: d.state,
            reason: d.reason,
            started_at: time(d.started_at),
            started_by: d.started_by,
            notified_at: d.notified_at.map(time),
            reminded_at: d.reminded_at.map(time),
            deadline_at: d.deadline_at.map(time),
            answered_at: d.answered_at.map(time),
            keep_until: d.keep_until.map(time),
            plan_id: d.plan_id,
            updated_at: time(d.updated_at),
        }
    }
}
