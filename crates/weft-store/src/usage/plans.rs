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
    /// Seats recommended at renewal are the active ones plus this share, in percent.
    #[serde(default = "default_headroom")]
    pub headroom_pct: i64,
    /// Seats bought per user type id, where the contract says (Wrike gives only the
    /// account's total).
    #[serde(default)]
    pub type_seats: BTreeMap<String, i64>,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The headroom of a renewal nobody set: 10 % above the active seats.
pub const DEFAULT_HEADROOM_PCT: i64 = 10;

fn default_headroom() -> i64 {
    DEFAULT_HEADROOM_PCT
}

#[derive(sqlx::FromRow)]
struct RenewalRow {
    connection_id: String,
    seat_cost_cents: i64,
    currency: String,
    type_costs: String,
    renewal_date: Option<String>,
    headroom_pct: i64,
    type_seats: String,
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
            headroom_pct: r.headroom_pct,
            type_seats: serde_json::from_str(&r.type_seats).unwrap_or_default(),
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
    #[serde(default)]
    pub cancelled_by: Option<String>,
    #[serde(default)]
    pub cancelled_at: Option<i64>,
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
    cancelled_by: Option<String>,
    cancelled_at: Option<i64>,
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
            cancelled_by: self.cancelled_by,
            cancelled_at: self.cancelled_at,
        })
    }
}

const RECLAIM_COLUMNS: &str = "SELECT id, connection_id, action, target, items, status, created_by, created_at, expires_at, applied_by, applied_at, cancelled_by, cancelled_at FROM usage_reclaims";

impl Usage<'_> {
    pub async fn save_renewal(&self, r: &Renewal) -> StoreResult<()> {
        let type_costs = serde_json::to_string(&r.type_costs).unwrap_or_else(|_| "{}".into());
        let type_seats = serde_json::to_string(&r.type_seats).unwrap_or_else(|_| "{}".into());
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_renewals (connection_id, seat_cost_cents, currency, type_costs, renewal_date, headroom_pct, type_seats, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (connection_id) DO UPDATE SET seat_cost_cents = excluded.seat_cost_cents, currency = excluded.currency, \
               type_costs = excluded.type_costs, renewal_date = excluded.renewal_date, headroom_pct = excluded.headroom_pct, \
               type_seats = excluded.type_seats, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
            .bind(&r.connection_id).bind(r.seat_cost_cents).bind(&r.currency).bind(type_costs)
            .bind(&r.renewal_date).bind(r.headroom_pct).bind(type_seats).bind(r.updated_at).bind(&r.updated_by)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the renewal")))?;
        Ok(())
    }

    pub async fn renewal(&self, connection_id: &str) -> StoreResult<Option<Renewal>> {
        let row: Option<RenewalRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, seat_cost_cents, currency, type_costs, renewal_date, headroom_pct, type_seats, updated_at, updated_by FROM usage_renewals WHERE connection_id = $1")
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

    /// One page of the plans of a connection (or of every one), newest first, and how many
    /// there are in all.
    pub async fn reclaim_page(
        &self,
        connection_id: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<ReclaimPlan>, i64)> {
        let sql = format!(
            "{RECLAIM_COLUMNS} WHERE ($1 IS NULL OR connection_id = $1) ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
        );
        let rows: Vec<ReclaimRow> = on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(connection_id).bind(limit).bind(offset).fetch_all(pool).await.map_err(failed("reclaim plans")))?;
        let total: i64 = on_pool!(self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM usage_reclaims WHERE ($1 IS NULL OR connection_id = $1)")
            .bind(connection_id).fetch_one(pool).await.map_err(failed("reclaim plans")))?;
        let plans = rows
            .into_iter()
            .map(ReclaimRow::into_plan)
            .collect::<StoreResult<_>>()?;
        Ok((plans, total))
    }

    /// The latest plans of every connection, newest first.
    pub async fn all_reclaims(&self, limit: i64) -> StoreResult<Vec<ReclaimPlan>> {
        let sql = format!("{RECLAIM_COLUMNS} ORDER BY created_at DESC, id DESC LIMIT $1");
        let rows: Vec<ReclaimRow> = on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(limit).fetch_all(pool).await.map_err(failed("reclaim plans")))?;
        rows.into_iter().map(ReclaimRow::into_plan).collect()
    }

    /// Replaces the people of a plan still `planned` (someone excluded some); false when
    /// it was applied, cancelled or taken already.
    pub async fn replan_reclaim(&self, id: &str, items: &[ReclaimItem]) -> StoreResult<bool> {
        let items = serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
        let moved = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_reclaims SET items = $2 WHERE id = $1 AND status = 'planned'")
            .bind(id).bind(items).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a reclaim plan")))?;
        Ok(moved == 1)
    }

    /// Keeps what a connection's seats looked like at `taken_at` (the end of a sync).
    pub async fn save_snapshot(
        &self,
        connection_id: &str,
        taken_at: i64,
        figures: &serde_json::Value,
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_snapshots (connection_id, taken_at, figures) VALUES ($1, $2, $3) \
             ON CONFLICT (connection_id, taken_at) DO UPDATE SET figures = excluded.figures")
            .bind(connection_id).bind(taken_at).bind(figures.to_string())
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a seat snapshot")))?;
        Ok(())
    }

    /// The latest snapshots of a connection taken at or before `at`, newest first.
    pub async fn snapshots_before(
        &self,
        connection_id: &str,
        at: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, serde_json::Value)>> {
        let rows: Vec<(i64, String)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT taken_at, figures FROM usage_snapshots WHERE connection_id = $1 AND taken_at <= $2 ORDER BY taken_at DESC LIMIT $3")
            .bind(connection_id).bind(at).bind(limit).fetch_all(pool).await.map_err(failed("seat snapshots")))?;
        Ok(rows
            .into_iter()
            .filter_map(|(at, text)| serde_json::from_str(&text).ok().map(|v| (at, v)))
            .collect())
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
    pub async fn cancel_reclaim(&self, id: &str, by: &str, now: i64) -> StoreResult<bool> {
        let moved = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_reclaims SET status = 'cancelled', cancelled_by = $2, cancelled_at = $3 WHERE id = $1 AND status = 'planned'")
            .bind(id).bind(by).bind(now).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a reclaim plan")))?;
        Ok(moved == 1)
    }
}
