//! The reclaim dialogue's rows: one per person a policy flagged, moving forward only by
//! conditional updates (a step taken twice, by a retried job or a second instance, changes
//! nothing the second time), and the step that hands a batch of them to a reclaim plan in
//! the same transaction that stores the plan.

use std::collections::HashMap;

use serde::Serialize;

use super::{ReclaimPlan, Usage};
use crate::db::{failed, on_pool};
use crate::{StoreError, StoreResult};

/// The states a dialogue is still going in (the unique index allows one per person).
pub const OPEN_STATES: [&str; 5] = ["pending", "notified", "reminded", "released", "escalated"];

/// One person in a policy's dialogue.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Dialogue {
    pub id: String,
    pub policy: String,
    pub connection_id: String,
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub user_type_id: Option<String>,
    /// `ask_first` or `silent`.
    pub mode: String,
    /// The change proposed, as `weft_core::policy::Change` in JSON.
    pub change: String,
    /// The change in words ("deactivate", "downgrade to Collaborator").
    pub change_label: String,
    pub last_activity_at: Option<i64>,
    pub last_signal: Option<String>,
    pub annual_saving_cents: Option<i64>,
    /// pending, notified, reminded, kept, released, escalated, applied, failed, cancelled.
    pub state: String,
    /// Why it is in that state (cancelled because..., escalated because..., failed...).
    pub reason: Option<String>,
    pub started_at: i64,
    pub started_by: String,
    pub notify_claimed_at: Option<i64>,
    pub notified_at: Option<i64>,
    pub remind_at: Option<i64>,
    pub remind_claimed_at: Option<i64>,
    pub reminded_at: Option<i64>,
    pub deadline_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub keep_until: Option<i64>,
    pub plan_id: Option<String>,
    pub updated_at: i64,
}

impl Dialogue {
    pub fn is_open(&self) -> bool {
        OPEN_STATES.contains(&self.state.as_str())
    }
}

/// The columns a new dialogue is written with, in the order both inserts bind them.
const INSERTED: &str = "id, policy, connection_id, user_id, name, email, user_type_id, mode, change, change_label, \
    last_activity_at, last_signal, annual_saving_cents, state, reason, started_at, started_by, updated_at";

const COLUMNS: &str = "SELECT id, policy, connection_id, user_id, name, email, user_type_id, mode, change, change_label, \
    last_activity_at, last_signal, annual_saving_cents, state, reason, started_at, started_by, notify_claimed_at, notified_at, \
    remind_at, remind_claimed_at, reminded_at, deadline_at, answered_at, keep_until, plan_id, updated_at FROM usage_dialogues";

/// A move of one dialogue: from any of `from` to `to`, with the reason and the time columns
/// it sets.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub from: &'a [&'a str],
    pub to: &'a str,
    pub reason: Option<&'a str>,
    /// Columns set with the move (names from this module's callers, never from input).
    pub set: &'a [(&'static str, i64)],
    pub at: i64,
}

/// What a board lists.
#[derive(Debug, Clone, Default)]
pub struct DialogueFilter {
    pub policy: Option<String>,
    pub state: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn quoted(states: &[&str]) -> String {
    states
        .iter()
        .map(|s| {
            debug_assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            format!("'{s}'")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Usage<'_> {
    /// Opens a dialogue; false when the person already has an open one under this policy.
    pub async fn open_dialogue(&self, d: &Dialogue) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_dialogues (id, policy, connection_id, user_id, name, email, user_type_id, mode, change, change_label, \
               last_activity_at, last_signal, annual_saving_cents, state, reason, started_at, started_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16) ON CONFLICT DO NOTHING")
            .bind(&d.id).bind(&d.policy).bind(&d.connection_id).bind(&d.user_id).bind(&d.name).bind(&d.email)
            .bind(&d.user_type_id).bind(&d.mode).bind(&d.change).bind(&d.change_label).bind(d.last_activity_at)
            .bind(&d.last_signal).bind(d.annual_saving_cents).bind(&d.state).bind(&d.reason).bind(d.started_at).bind(&d.started_by)
            .execute(pool).await.map(|r| r.rows_affected()).map_err(failed("a dialogue")))?;
        Ok(n == 1)
    }

    /// Opens many dialogues in one transaction; answers the ids of those opened (a person
    /// already in an open dialogue of the policy is left as they are).
    pub async fn open_dialogues_many(&self, all: &[Dialogue]) -> StoreResult<Vec<String>> {
        if all.is_empty() {
            return Ok(Vec::new());
        }
        match &self.db.pool {
            crate::db::Pool::Sqlite(pool) => {
                let mut tx = pool.begin().await.map_err(failed("dialogues"))?;
                let mut opened = Vec::with_capacity(all.len());
                // 18 values a row, well under SQLite's 32,766 bound parameters a statement.
                for chunk in all.chunks(1000) {
                    let mut insert = sqlx::QueryBuilder::new(format!(
                        "INSERT INTO usage_dialogues ({INSERTED}) "
                    ));
                    insert.push_values(chunk, |mut row, d| {
                        row.push_bind(&d.id)
                            .push_bind(&d.policy)
                            .push_bind(&d.connection_id)
                            .push_bind(&d.user_id)
                            .push_bind(&d.name)
                            .push_bind(&d.email)
                            .push_bind(&d.user_type_id)
                            .push_bind(&d.mode)
                            .push_bind(&d.change)
                            .push_bind(&d.change_label)
                            .push_bind(d.last_activity_at)
                            .push_bind(&d.last_signal)
                            .push_bind(d.annual_saving_cents)
                            .push_bind(&d.state)
                            .push_bind(&d.reason)
                            .push_bind(d.started_at)
                            .push_bind(&d.started_by)
                            .push_bind(d.updated_at);
                    });
                    insert.push(" ON CONFLICT DO NOTHING RETURNING id");
                    let ids: Vec<String> = insert
                        .build_query_scalar()
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(failed("dialogues"))?;
                    opened.extend(ids);
                }
                tx.commit().await.map_err(failed("dialogues"))?;
                Ok(opened)
            }
            // PostgreSQL takes every row as 18 arrays in one statement: parsing and planning
            // a thousand-row VALUES list per chunk cost seconds for 20,000 rows. Its
            // dialogues have no foreign keys (migration 0017): each policy is locked here
            // once, as each row's check did, so one removed meanwhile waits for this batch and
            // its trigger then removes the batch too.
            crate::db::Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(failed("dialogues"))?;
                let policies: std::collections::BTreeSet<(&str, &str)> = all
                    .iter()
                    .map(|d| (d.policy.as_str(), d.connection_id.as_str()))
                    .collect();
                for (policy, connection) in policies {
                    let held: Option<i32> = sqlx::query_scalar(
                        "SELECT 1 FROM usage_policies WHERE name = $1 AND connection_id = $2 FOR KEY SHARE")
                        .bind(policy).bind(connection)
                        .fetch_optional(&mut *tx).await.map_err(failed("dialogues"))?;
                    if held.is_none() {
                        return Err(StoreError::NotFound {
                            what: format!("policy {policy} of connection {connection}"),
                        });
                    }
                }
                fn column<T: Clone>(all: &[Dialogue], f: impl Fn(&Dialogue) -> T) -> Vec<T> {
                    all.iter().map(f).collect()
                }
                let sql = format!(
                    "INSERT INTO usage_dialogues ({INSERTED}) \
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
                       $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::bigint[], $14::text[], $15::text[], \
                       $16::bigint[], $17::text[], $18::bigint[]) \
                     ON CONFLICT DO NOTHING RETURNING id"
                );
                let opened: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(column(all, |d| d.id.clone()))
                    .bind(column(all, |d| d.policy.clone()))
                    .bind(column(all, |d| d.connection_id.clone()))
                    .bind(column(all, |d| d.user_id.clone()))
                    .bind(column(all, |d| d.name.clone()))
                    .bind(column(all, |d| d.email.clone()))
                    .bind(column(all, |d| d.user_type_id.clone()))
                    .bind(column(all, |d| d.mode.clone()))
                    .bind(column(all, |d| d.change.clone()))
                    .bind(column(all, |d| d.change_label.clone()))
                    .bind(column(all, |d| d.last_activity_at))
                    .bind(column(all, |d| d.last_signal.clone()))
                    .bind(column(all, |d| d.annual_saving_cents))
                    .bind(column(all, |d| d.state.clone()))
                    .bind(column(all, |d| d.reason.clone()))
                    .bind(column(all, |d| d.started_at))
                    .bind(column(all, |d| d.started_by.clone()))
                    .bind(column(all, |d| d.updated_at))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(failed("dialogues"))?;
                tx.commit().await.map_err(failed("dialogues"))?;
                Ok(opened)
            }
        }
    }

    /// Everyone of a policy who kept their seat, with until when the latest keep holds.
    pub async fn kept_until_all(&self, policy: &str) -> StoreResult<HashMap<String, i64>> {
        let rows: Vec<(String, Option<i64>)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT user_id, MAX(keep_until) FROM usage_dialogues WHERE policy = $1 AND state = 'kept' GROUP BY user_id")
            .bind(policy).fetch_all(pool).await.map_err(failed("dialogues")))?;
        Ok(rows
            .into_iter()
            .filter_map(|(user, until)| until.map(|u| (user, u)))
            .collect())
    }

    pub async fn dialogue(&self, id: &str) -> StoreResult<Option<Dialogue>> {
        let sql = format!("{COLUMNS} WHERE id = $1");
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(pool).await.map_err(failed("a dialogue")))
    }

    /// The open dialogues of a policy.
    pub async fn open_dialogues(&self, policy: &str) -> StoreResult<Vec<Dialogue>> {
        let sql = format!(
            "{COLUMNS} WHERE policy = $1 AND state IN ({}) ORDER BY id",
            quoted(&OPEN_STATES)
        );
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(policy).fetch_all(pool).await.map_err(failed("dialogues")))
    }

    /// A policy's dialogues in one state without a reclaim plan yet.
    pub async fn unplanned_dialogues(
        &self,
        policy: &str,
        state: &str,
    ) -> StoreResult<Vec<Dialogue>> {
        let sql =
            format!("{COLUMNS} WHERE policy = $1 AND state = $2 AND plan_id IS NULL ORDER BY id");
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(policy).bind(state).fetch_all(pool).await.map_err(failed("dialogues")))
    }

    /// The dialogues a reclaim plan carries out.
    pub async fn planned_dialogues(&self, plan_id: &str) -> StoreResult<Vec<Dialogue>> {
        let sql = format!("{COLUMNS} WHERE plan_id = $1 ORDER BY id");
        on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(plan_id).fetch_all(pool).await.map_err(failed("dialogues")))
    }

    /// Until when someone who kept their seat under a policy is left alone (the latest).
    pub async fn kept_until(&self, policy: &str, user_id: &str) -> StoreResult<Option<i64>> {
        on_pool!(self.db, pool => sqlx::query_scalar(
            "SELECT MAX(keep_until) FROM usage_dialogues WHERE policy = $1 AND user_id = $2 AND state = 'kept'")
            .bind(policy).bind(user_id).fetch_one(pool).await.map_err(failed("dialogues")))
    }

    /// The board: dialogues newest first, with how many match.
    pub async fn dialogues(&self, filter: &DialogueFilter) -> StoreResult<(Vec<Dialogue>, i64)> {
        let mut conditions = vec!["1 = 1".to_owned()];
        if filter.policy.is_some() {
            conditions.push("policy = $3".into());
        }
        if filter.state.is_some() {
            conditions.push("state = $4".into());
        }
        let condition = conditions.join(" AND ");
        let list = format!(
            "{COLUMNS} WHERE {condition} ORDER BY started_at DESC, id DESC LIMIT $1 OFFSET $2"
        );
        // The count takes the same binds, with a limit and offset it ignores.
        let count = format!(
            "SELECT COUNT(*) FROM usage_dialogues WHERE {condition} AND $1 >= 0 AND $2 >= 0"
        );
        let policy = filter.policy.clone().unwrap_or_default();
        let state = filter.state.clone().unwrap_or_default();
        on_pool!(self.db, pool => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(list))
                .bind(filter.limit).bind(filter.offset).bind(&policy).bind(&state)
                .fetch_all(pool).await.map_err(failed("dialogues"))?;
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
                .bind(filter.limit).bind(filter.offset).bind(&policy).bind(&state)
                .fetch_one(pool).await.map_err(failed("dialogues"))?;
            Ok::<_, StoreError>((rows, total))
        })
    }

    /// How many dialogues of a policy are in each state.
    pub async fn dialogue_counts(&self, policy: &str) -> StoreResult<Vec<(String, i64)>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT state, COUNT(*) FROM usage_dialogues WHERE policy = $1 GROUP BY state ORDER BY state")
            .bind(policy).fetch_all(pool).await.map_err(failed("dialogues")))
    }

    /// Takes one step of a dialogue if it is still in one of `step.from`; false otherwise.
    pub async fn step_dialogue(&self, id: &str, step: &Step<'_>) -> StoreResult<bool> {
        let mut sets = String::new();
        for (i, (column, _)) in step.set.iter().enumerate() {
            debug_assert!(column.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            sets.push_str(&format!(", {column} = ${}", 5 + i));
        }
        let sql = format!(
            "UPDATE usage_dialogues SET state = $2, reason = COALESCE($3, reason), updated_at = $4{sets} \
             WHERE id = $1 AND state IN ({})",
            quoted(step.from)
        );
        let n = on_pool!(self.db, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id).bind(step.to).bind(step.reason).bind(step.at);
            for (_, value) in step.set {
                query = query.bind(*value);
            }
            query.execute(pool).await.map(|r| r.rows_affected()).map_err(failed("a dialogue"))
        })?;
        Ok(n == 1)
    }

    /// Claims an e-mail of a dialogue before it is sent (`column` is `notify_claimed_at` or
    /// `remind_claimed_at`): false when it was claimed already, so it is never sent twice.
    pub async fn claim_dialogue_mail(
        &self,
        id: &str,
        column: &'static str,
        state: &str,
        at: i64,
    ) -> StoreResult<bool> {
        debug_assert!(matches!(column, "notify_claimed_at" | "remind_claimed_at"));
        let sql = format!(
            "UPDATE usage_dialogues SET {column} = $2, updated_at = $2 WHERE id = $1 AND {column} IS NULL AND state = $3"
        );
        let n = on_pool!(self.db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id).bind(at).bind(state).execute(pool).await.map(|r| r.rows_affected()).map_err(failed("a dialogue")))?;
        Ok(n == 1)
    }

    /// Gives back a claim whose e-mail the SMTP server refused (it was not sent), so a
    /// retry may send it.
    pub async fn unclaim_dialogue_mail(&self, id: &str, column: &'static str) -> StoreResult<()> {
        debug_assert!(matches!(column, "notify_claimed_at" | "remind_claimed_at"));
        let sql = format!("UPDATE usage_dialogues SET {column} = NULL WHERE id = $1");
        on_pool!(self.db, pool => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id).execute(pool).await.map(drop).map_err(failed("a dialogue")))
    }

    /// Stores `plan` and hands it the dialogues `ids` (each still in `state` without a plan)
    /// in one transaction; false, storing nothing, when any of them was taken meanwhile.
    pub async fn plan_dialogues(
        &self,
        plan: &ReclaimPlan,
        ids: &[String],
        state: &str,
    ) -> StoreResult<bool> {
        let items = serde_json::to_string(&plan.items).unwrap_or_else(|_| "[]".into());
        on_pool!(self.db, pool => {
            let mut tx = pool.begin().await.map_err(failed("planning dialogues"))?;
            sqlx::query(
                "INSERT INTO usage_reclaims (id, connection_id, action, target, items, status, created_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&plan.id).bind(&plan.connection_id).bind(&plan.action).bind(&plan.target).bind(items)
                .bind(&plan.status).bind(&plan.created_by).bind(plan.created_at).bind(plan.expires_at)
                .execute(&mut *tx).await.map_err(failed("a reclaim plan"))?;
            let mut taken = 0;
            for id in ids {
                taken += sqlx::query(
                    "UPDATE usage_dialogues SET plan_id = $2, updated_at = $3 WHERE id = $1 AND state = $4 AND plan_id IS NULL")
                    .bind(id).bind(&plan.id).bind(plan.created_at).bind(state)
                    .execute(&mut *tx).await.map_err(failed("a dialogue"))?.rows_affected();
            }
            if taken as usize != ids.len() {
                tx.rollback().await.map_err(failed("planning dialogues"))?;
                return Ok(false);
            }
            tx.commit().await.map_err(failed("planning dialogues"))?;
            Ok::<_, StoreError>(true)
        })
    }

    /// Lets go of a plan the dialogues of `plan_id` waited on (it expired unconfirmed), so
    /// they are planned anew.
    pub async fn unplan_dialogues(&self, plan_id: &str, at: i64) -> StoreResult<u64> {
        on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_dialogues SET plan_id = NULL, updated_at = $2 WHERE plan_id = $1 AND state = 'escalated'")
            .bind(plan_id).bind(at).execute(pool).await.map(|r| r.rows_affected()).map_err(failed("dialogues")))
    }
}
