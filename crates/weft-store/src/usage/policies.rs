//! License policies as applied (their text and version, per connection), and what evaluating
//! one reads: every paid seat of a connection with its latest activity per signal and when
//! it was seated, and the account's groups with their members.

use serde::Serialize;

use super::Usage;
use crate::StoreResult;
use crate::db::{failed, on_pool};

/// A policy as applied.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRecord {
    pub name: String,
    pub connection_id: String,
    pub version: i64,
    pub text: String,
    pub updated_at: i64,
    pub updated_by: String,
    /// The Admin who let the policy's reclaim dialogue run, and when; none: it does not run.
    pub dialogue_by: Option<String>,
    pub dialogue_at: Option<i64>,
}

/// A paid seat as a policy sees it (read from a JSON array on SQLite: field order matters).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct SeatRow {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub user_type_id: Option<String>,
    pub owner: bool,
    pub last_login_at: Option<i64>,
    pub last_change_at: Option<i64>,
    pub last_task_at: Option<i64>,
    pub last_comment_at: Option<i64>,
    pub last_timelog_at: Option<i64>,
    pub last_integration_at: Option<i64>,
    pub seated_since: Option<i64>,
}

/// A Wrike group as the contacts listing gave it (`raw` holds its `memberIds`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: String,
    pub first_name: String,
    pub raw: Option<String>,
}

const POLICY_COLUMNS: &str = "SELECT name, connection_id, version, text, updated_at, updated_by, dialogue_by, dialogue_at FROM usage_policies";

impl Usage<'_> {
    /// Stores a policy's text as its next version (1 when new); answers the version.
    pub async fn save_policy(
        &self,
        name: &str,
        connection_id: &str,
        text: &str,
        at: i64,
        by: &str,
    ) -> StoreResult<i64> {
        on_pool!(self.db, pool => sqlx::query_scalar(
            "INSERT INTO usage_policies (name, connection_id, version, text, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET connection_id = excluded.connection_id, version = usage_policies.version + 1, \
               text = excluded.text, updated_at = excluded.updated_at, updated_by = excluded.updated_by RETURNING version")
            .bind(name).bind(connection_id).bind(text).bind(at).bind(by)
            .fetch_one(pool).await.map_err(failed("a policy")))
    }

    pub async fn policy(&self, name: &str) -> StoreResult<Option<PolicyRecord>> {
        let sql = format!("{POLICY_COLUMNS} WHERE name = $1");
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(name).fetch_optional(pool).await.map_err(failed("a policy")))
    }

    /// Every policy, by name.
    pub async fn policies(&self) -> StoreResult<Vec<PolicyRecord>> {
        let sql = format!("{POLICY_COLUMNS} ORDER BY name");
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool).await.map_err(failed("policies")))
    }

    /// Lets a policy's dialogue run (`by` an Admin) or stops it (`None`); false when there is
    /// no such policy.
    pub async fn set_dialogue(&self, name: &str, by: Option<&str>, at: i64) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_policies SET dialogue_by = $2, dialogue_at = CASE WHEN $2 IS NULL THEN NULL ELSE $3 END WHERE name = $1")
            .bind(name).bind(by).bind(at).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a policy")))?;
        Ok(n == 1)
    }

    /// Removes a policy; answers whether there was one.
    pub async fn delete_policy(&self, name: &str) -> StoreResult<bool> {
        let gone = on_pool!(self.db, pool => sqlx::query("DELETE FROM usage_policies WHERE name = $1")
            .bind(name).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a policy")))?;
        Ok(gone > 0)
    }

    /// Every person of a connection holding a paid seat (active, not deleted), by id.
    pub async fn paid_seats(&self, connection_id: &str) -> StoreResult<Vec<SeatRow>> {
        const COLUMNS: &str = "id, first_name, last_name, email, company_name, title, user_type_id, owner, \
            last_login_at, last_change_at, last_task_at, last_comment_at, last_timelog_at, last_integration_at, seated_since";
        const SEATS: &str = "FROM wrike_users WHERE connection_id = $1 AND kind = 'Person' AND seated AND paid ORDER BY id";
        match &self.db.pool {
            // A hundred thousand rows cost SQLite's driver several microseconds each; the
            // same rows as one JSON array, built by SQLite and parsed here, take a third of
            // the time (measured in BENCHMARKS.md, `policy-eval`).
            crate::db::Pool::Sqlite(pool) => {
                let as_json = format!(
                    "SELECT json_group_array(json_array({})) FROM (SELECT {COLUMNS} {SEATS})",
                    COLUMNS.replace(
                        "owner,",
                        "CASE WHEN owner THEN json('true') ELSE json('false') END,"
                    )
                );
                let (array,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(as_json))
                    .bind(connection_id)
                    .fetch_one(pool)
                    .await
                    .map_err(failed("paid seats"))?;
                serde_json::from_str(&array).map_err(|e| crate::StoreError::Database {
                    what: "paid seats".into(),
                    message: format!("reading them as JSON: {e}"),
                })
            }
            // PostgreSQL keeps its rows: read through json_agg, the 84,148 seats of the
            // benchmark took longer (444 ms against 354 ms, one run each).
            crate::db::Pool::Postgres(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {SEATS}")))
                    .bind(connection_id)
                    .fetch_all(pool)
                    .await
                    .map_err(failed("paid seats"))
            }
        }
    }

    /// The account's groups, as its contacts listed them (deleted ones left out).
    pub async fn groups(&self, connection_id: &str) -> StoreResult<Vec<GroupRow>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, first_name, raw FROM wrike_users WHERE connection_id = $1 AND kind = 'Group' AND NOT deleted ORDER BY id")
            .bind(connection_id).fetch_all(pool).await.map_err(failed("groups")))
    }
}
