//! The savings ledger on the wire: potential against realized savings month by month, and
//! every person an applied reclaim changed.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use weft_hub::usage::savings::{Ledger, Month};

use super::time;

/// One person an applied reclaim changed in Wrike.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavingEntry {
    pub id: String,
    pub plan_id: String,
    pub user_id: String,
    pub name: String,
    /// `deactivate`, `set_type` or `set_role`.
    pub action: String,
    pub target: Option<String>,
    /// The change in words ("Regular User → deactivated").
    pub change: String,
    /// A year's saving at the costs entered when it was applied; null without costs.
    pub annual_saving_cents: Option<i64>,
    pub currency: Option<String>,
    pub realized_at: DateTime<Utc>,
    pub realized_by: String,
    /// When a sync saw the person restored (the saving nets out), and how.
    pub restored_at: Option<DateTime<Utc>>,
    pub restored_reason: Option<String>,
}

/// Potential and realized savings at the end of one month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavingsMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// What the idle seats would save a year, as the month's last sync saw them; null where
    /// no sync kept it.
    pub potential_cents: Option<i64>,
    /// What the applied reclaims standing at the month's end save a year.
    pub realized_cents: i64,
    /// The month is still going: its figures are as of now.
    pub partial: bool,
}

/// A connection's savings ledger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavingsLedger {
    pub connection_id: String,
    pub connection: String,
    pub currency: Option<String>,
    /// What the standing entries save a year.
    pub realized_cents: i64,
    /// What entries netted out by a restore had saved.
    pub restored_cents: i64,
    /// What the idle seats would save a year, as of the last sync.
    pub potential_cents: Option<i64>,
    pub months: Vec<SavingsMonth>,
    pub entries: Vec<SavingEntry>,
    pub generated_at: DateTime<Utc>,
}

impl From<&Month> for SavingsMonth {
    fn from(m: &Month) -> Self {
        SavingsMonth {
            month: m.month.clone(),
            potential_cents: m.potential_cents,
            realized_cents: m.realized_cents,
            partial: m.partial,
        }
    }
}

impl From<&Ledger> for SavingsLedger {
    fn from(l: &Ledger) -> Self {
        SavingsLedger {
            connection_id: l.connection_id.clone(),
            connection: l.connection.clone(),
            currency: l.currency.clone(),
            realized_cents: l.realized_cents,
            restored_cents: l.restored_cents,
            potential_cents: l.potential_cents,
            months: l.months.iter().map(Into::into).collect(),
            entries: l
                .entries
                .iter()
                .map(|e| SavingEntry {
                    id: e.id.clone(),
                    plan_id: e.plan_id.clone(),
                    user_id: e.user_id.clone(),
                    name: e.name.clone(),
                    action: e.action.clone(),
                    target: e.target.clone(),
                    change: e.change_label.clone(),
                    annual_saving_cents: e.annual_saving_cents,
                    currency: e.currency.clone(),
                    realized_at: time(e.realized_at),
                    realized_by: e.realized_by.clone(),
                    restored_at: e.restored_at.map(time),
                    restored_reason: e.restored_reason.clone(),
                })
                .collect(),
            generated_at: time(l.generated_at),
        }
    }
}
