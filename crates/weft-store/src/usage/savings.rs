//! The savings ledger: what each applied reclaim saved a year, per person, and whether a
//! later sync saw the person restored (which nets the saving out).

use serde::Serialize;

use super::Usage;
use crate::StoreResult;
use crate::db::{failed, on_pool};

/// One person a reclaim plan changed in Wrike.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Saving {
    pub id: String,
    pub connection_id: String,
    pub plan_id: String,
    pub user_id: String,
    pub name: String,
    /// `deactivate`, `set_type` or `set_role`, as the plan's.
    pub action: String,
    pub target: Option<String>,
    /// The change in words ("Regular User → deactivated").
    pub change_label: String,
    /// A year's saving at the costs entered when it was applied; none without costs.
    pub annual_saving_cents: Option<i64>,
    pub currency: Option<String>,
    pub realized_at: i64,
    pub realized_by: String,
    pub restored_at: Option<i64>,
    pub restored_reason: Option<String>,
}

/// A saving not netted out yet, with the person as the last sync saw them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StandingSaving {
    pub id: String,
    pub action: String,
    pub target: Option<String>,
    pub name: String,
    /// None when the person is no longer listed.
    pub active: Option<bool>,
    pub deleted: Option<bool>,
    pub user_type_id: Option<String>,
    pub role: Option<String>,
}

const COLUMNS: &str = "SELECT id, connection_id, plan_id, user_id, name, action, target, change_label, annual_saving_cents, currency, \
    realized_at, realized_by, restored_at, restored_reason FROM usage_savings";

impl Usage<'_> {
    /// Records a saving once per plan and person; false when it was recorded already.
    pub async fn record_saving(&self, s: &Saving) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_savings (id, connection_id, plan_id, user_id, name, action, target, change_label, annual_saving_cents, \
               currency, realized_at, realized_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING")
            .bind(&s.id).bind(&s.connection_id).bind(&s.plan_id).bind(&s.user_id).bind(&s.name).bind(&s.action)
            .bind(&s.target).bind(&s.change_label).bind(s.annual_saving_cents).bind(&s.currency).bind(s.realized_at)
            .bind(&s.realized_by)
            .execute(pool).await.map(|r| r.rows_affected()).map_err(failed("a saving")))?;
        Ok(n == 1)
    }

    /// A connection's ledger, oldest first.
    pub async fn savings(&self, connection_id: &str) -> StoreResult<Vec<Saving>> {
        let sql = format!("{COLUMNS} WHERE connection_id = $1 ORDER BY realized_at, id");
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(connection_id).fetch_all(pool).await.map_err(failed("savings")))
    }

    /// The savings of a connection still standing that were realized before `before`, with
    /// each person as last synced.
    pub async fn standing_savings(
        &self,
        connection_id: &str,
        before: i64,
    ) -> StoreResult<Vec<StandingSaving>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT s.id, s.action, s.target, s.name, u.active, u.deleted, u.user_type_id, u.role \
             FROM usage_savings s LEFT JOIN wrike_users u ON u.connection_id = s.connection_id AND u.id = s.user_id \
             WHERE s.connection_id = $1 AND s.restored_at IS NULL AND s.realized_at < $2 ORDER BY s.id")
            .bind(connection_id).bind(before).fetch_all(pool).await.map_err(failed("savings")))
    }

    /// Nets a saving out: the person was seen restored. False when it was already.
    pub async fn restore_saving(&self, id: &str, at: i64, reason: &str) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_savings SET restored_at = $2, restored_reason = $3 WHERE id = $1 AND restored_at IS NULL")
            .bind(id).bind(at).bind(reason).execute(pool).await.map(|r| r.rows_affected()).map_err(failed("a saving")))?;
        Ok(n == 1)
    }
}
