//! The hub's own trail: who changed what in the hub, when, with the state before and after.
//! (Not to be confused with Wrike's audit log, which usage analytics syncs.)

use serde::Serialize;

use crate::StoreResult;
use crate::db::{Db, failed, on_pool};

/// One line of the hub's trail.
#[derive(Debug, Clone, Serialize)]
pub struct TrailEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct NewTrailEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(sqlx::FromRow)]
struct TrailRow {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// The trail area of the store.
pub struct Trail<'a> {
    pub(crate) db: &'a Db,
}

impl Trail<'_> {
    pub async fn append(&self, e: NewTrailEntry) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO trail (at, actor, action, target, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(e.at).bind(&e.actor).bind(&e.action).bind(&e.target)
            .bind(e.before.as_ref().map(|v| v.to_string())).bind(e.after.as_ref().map(|v| v.to_string()))
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("trail")))?;
        Ok(())
    }

    /// The latest `limit` entries, newest first.
    pub async fn latest(&self, limit: i64) -> StoreResult<Vec<TrailEntry>> {
        let rows: Vec<TrailRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, at, actor, action, target, before_json, after_json FROM trail ORDER BY id DESC LIMIT $1")
            .bind(limit).fetch_all(pool).await.map_err(failed("trail")))?;
        let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        Ok(rows
            .into_iter()
            .map(|r| TrailEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                target: r.target,
                before: json(r.before_json),
                after: json(r.after_json),
            })
            .collect())
    }
}
