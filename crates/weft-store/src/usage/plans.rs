//! What people enter and decide about seats: the renewal (cost per seat, per-type costs,
//! renewal date) of each connection, and reclaim plans (made by a dry run, applied once on
//! an Admin's confirmation, with Wrike's answer per user).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Usage;
use crate::db::{failed, on_pool};
use crate::{StoreError, StoreResult};

/// The renewal of one connection's subscription.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Renewal {
    pub connection_id: String,
    /// What one paid seat costs a year, in cents.
    pub seat_cost_cents: i64,
    pub currency: String,
    /// Yearly cost per user type id, where it differs from `seat_cost_cents`.
    pub type_costs: BTreeMap<String, i64>,
    /// `YYYY-MM-DD`.
    pub renewal_date: Option<String>,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(sqlx::FromRow)]
struct RenewalRow {
    connection_id: String,
    seat_cost_cents: i64,
    currency: String,
    type_costs: String,
    renewal_date: Option<String>,
    updated_at: i64,
    updated_by: String,
}

impl From<RenewalRow> for Renewal {
    fn from(r: RenewalRow) -> Self {
        Renewal {
            connection_id: r.connection_id,
            seat_cost_cents: r.seat_cost_cents,
            currency: r.currency,
            type_costs: serde_json::from_str(&r.type_costs).unwrap_or_default(),
            renewal_date: r.renewal_date,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        }
    }
}

/// One user in a reclaim plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimItem {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub user_type_id: Option<String>,
    /// What the user is now (`Regular User`, `active`) and will be after.
    pub before: String,
    pub after: String,
    pub last_activity_at: Option<i64>,
    /// `ok`, `failed` or `skipped` once applied.
    pub result: Option<String>,
    pub message: Option<String>,
}

/// A reclaim: an action over a set of users, planned by a dry run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimPlan {
    pub id: String,
    pub connection_id: String,
    /// `deactivate`, `set_type` (to `target`, a user type id) or `set_role` (to `target`).
    pub action: String,
    pub target: Option<String>,
    pub items: Vec<ReclaimItem>,
    /// `planned`, `applying`, `applied`, `cancelled`.
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub applied_by: Option<String>,
    pub applied_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ReclaimRow {
    id: String,
    connection_id: String,
    action: String,
    target: Option<String>,
    items: String,
    status: String,
    created_by: String,
    created_at: i64,
    expires_at: i64,
    applied_by: Option<String>,
    applied_at: Option<i64>,
}

impl ReclaimRow {
    fn into_plan(self) -> StoreResult<ReclaimPlan> {
        let items = serde_json::from_str(&self.items).map_err(|e| StoreError::Database {
            what: format!("reclaim plan {}", self.id),
            message: e.to_string(),
        })?;
        Ok(ReclaimPlan {
            id: self.id,
            connection_id: self.connection_id,
            action: self.action,
            target: self.target,
            items,
            status: self.status,
            created_by: self.created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            applied_by: self.applied_by,
            applied_at: self.applied_at,
        })
    }
}

const RECLAIM_COLUMNS: &str = "SELECT id, connection_id, action, target, items, status, created_by, created_at, expires_at, applied_by, applied_at FROM usage_reclaims";

impl Usage<'_> {
    pub async fn save_renewal(&self, r: &Renewal) -> StoreResult<()> {
        let type_costs = serde_json::to_string(&r.type_costs).unwrap_or_else(|_| "{}".into());
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_renewals (connection_id, seat_cost_cents, currency, type_costs, renewal_date, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (connection_id) DO UPDATE SET seat_cost_cents = excluded.seat_cost_cents, currency = excluded.currency, \
               type_costs = excluded.type_costs, renewal_date = excluded.renewal_date, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
            .bind(&r.connection_id).bind(r.seat_cost_cents).bind(&r.currency).bind(type_costs)
            .bind(&r.renewal_date).bind(r.updated_at).bind(&r.updated_by)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the renewal")))?;
        Ok(())
    }

    pub async fn renewal(&self, connection_id: &str) -> StoreResult<Option<Renewal>> {
        let row: Option<RenewalRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, seat_cost_cents, currency, type_costs, renewal_date, updated_at, updated_by FROM usage_renewals WHERE connection_id = $1")
            .bind(connection_id).fetch_optional(pool).await.map_err(failed("the renewal")))?;
        Ok(row.map(Renewal::from))
    }

    pub async fn create_reclaim(&self, plan: &ReclaimPlan) -> StoreResult<()> {
        let items = serde_json::to_string(&plan.items).unwrap_or_else(|_| "[]".into());
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_reclaims (id, connection_id, action, target, items, status, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(&plan.id).bind(&plan.connection_id).bind(&plan.action).bind(&plan.target).bind(items)
            .bind(&plan.status).bind(&plan.created_by).bind(plan.created_at).bind(plan.expires_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a reclaim plan")))?;
        Ok(())
    }

    pub async fn reclaim(&self, id: &str) -> StoreResult<Option<ReclaimPlan>> {
        let sql = format!("{RECLAIM_COLUMNS} WHERE id = $1");
        let row: Option<ReclaimRow> = on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(pool).await.map_err(failed("a reclaim plan")))?;
        row.map(ReclaimRow::into_plan).transpose()
    }

    /// The latest plans of a connection, newest first.
    pub async fn reclaims(&self, connection_id: &str, limit: i64) -> StoreResult<Vec<ReclaimPlan>> {
        let sql = format!(
            "{RECLAIM_COLUMNS} WHERE connection_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<ReclaimRow> = on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(connection_id).bind(limit).fetch_all(pool).await.map_err(failed("reclaim plans")))?;
        rows.into_iter().map(ReclaimRow::into_plan).collect()
    }

    /// Moves a plan from `planned` to `applying` for `by`, once: false when it was applied,
    /// cancelled or taken already, or has expired at `now`.
    pub async fn start_reclaim(&self, id: &str, by: &str, now: i64) -> StoreResult<bool> {
        let moved = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_reclaims SET status = 'applying', applied_by = $2, applied_at = $3 WHERE id = $1 AND status = 'planned' AND expires_at >= $3")
            .bind(id).bind(by).bind(now).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a reclaim plan")))?;
        Ok(moved == 1)
    }

    /// Records the per-user results so far, and the plan's status.
    pub async fn record_reclaim(
        &self,
        id: &str,
        items: &[ReclaimItem],
        status: &str,
    ) -> StoreResult<()> {
        let items = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
        on_pool!(self.db, pool => sqlx::query("UPDATE usage_reclaims SET items = $2, status = $3 WHERE id = $1")
            .bind(id).bind(items).bind(status).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a reclaim plan")))?;
        Ok(())
    }

    /// Cancels a plan that was not applied; false when it was applied or is being applied.
    pub async fn cancel_reclaim(&self, id: &str) -> StoreResult<bool> {
        let moved = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_reclaims SET status = 'cancelled' WHERE id = $1 AND status = 'planned'")
            .bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a reclaim plan")))?;
        Ok(moved == 1)
    }
}
