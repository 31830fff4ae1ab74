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

/// Which trail entries to read: each filter optional; a page of `limit`, newest first,
/// below `before_id` (the cursor of the page before).
#[derive(Debug, Clone, Default)]
pub struct TrailFilter {
    /// Part of who did it, any case (`alice`, `cli:`).
    pub actor: Option<String>,
    /// What was done: an action (`connection.token`) or its family (`connection.`).
    pub action: Option<String>,
    /// At or after (Unix seconds).
    pub since: Option<i64>,
    /// Before (Unix seconds).
    pub until: Option<i64>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// `text` as a LIKE pattern that matches it literally (`!` escapes).
fn literal(text: &str) -> String {
    text.replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_")
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

    /// Appends many entries in one transaction (a dialogue's round lets in thousands of
    /// people at once).
    pub async fn append_many(&self, entries: &[NewTrailEntry]) -> StoreResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        match &self.db.pool {
            crate::db::Pool::Sqlite(pool) => {
                let mut tx = pool.begin().await.map_err(failed("trail"))?;
                for chunk in entries.chunks(500) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO trail (at, actor, action, target, before_json, after_json) ",
                    );
                    insert.push_values(chunk, |mut row, e| {
                        row.push_bind(e.at)
                            .push_bind(&e.actor)
                            .push_bind(&e.action)
                            .push_bind(&e.target)
                            .push_bind(e.before.as_ref().map(|v| v.to_string()))
                            .push_bind(e.after.as_ref().map(|v| v.to_string()));
                    });
                    insert
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(failed("trail"))?;
                }
                tx.commit().await.map_err(failed("trail"))?;
                Ok(())
            }
            // One statement of six arrays: cheaper to parse than VALUES lists of many rows.
            crate::db::Pool::Postgres(pool) => {
                let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
                sqlx::query(
                    "INSERT INTO trail (at, actor, action, target, before_json, after_json) \
                     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])")
                    .bind(entries.iter().map(|e| e.at).collect::<Vec<_>>())
                    .bind(entries.iter().map(|e| e.actor.clone()).collect::<Vec<_>>())
                    .bind(entries.iter().map(|e| e.action.clone()).collect::<Vec<_>>())
                    .bind(entries.iter().map(|e| e.target.clone()).collect::<Vec<_>>())
                    .bind(entries.iter().map(|e| json(&e.before)).collect::<Vec<_>>())
                    .bind(entries.iter().map(|e| json(&e.after)).collect::<Vec<_>>())
                    .execute(pool).await.map_err(failed("trail"))?;
                Ok(())
            }
        }
    }

    /// The latest `limit` entries, newest first.
    pub async fn latest(&self, limit: i64) -> StoreResult<Vec<TrailEntry>> {
        self.search(&TrailFilter {
            limit,
            ..TrailFilter::default()
        })
        .await
    }

    /// Every action the trail holds, sorted (for a filter's choices).
    pub async fn actions(&self) -> StoreResult<Vec<String>> {
        on_pool!(self.db, pool => sqlx::query_scalar("SELECT DISTINCT action FROM trail ORDER BY action")
            .fetch_all(pool).await.map_err(failed("trail")))
    }

    /// How many entries `f` selects on every page together (its cursor ignored).
    pub async fn count(&self, f: &TrailFilter) -> StoreResult<i64> {
        let (actor, action) = patterns(f);
        on_pool!(self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM trail \
             WHERE ($1 IS NULL OR LOWER(actor) LIKE $1 ESCAPE '!') AND ($2 IS NULL OR action LIKE $2 ESCAPE '!') \
             AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4)")
            .bind(&actor).bind(&action).bind(f.since).bind(f.until)
            .fetch_one(pool).await.map_err(failed("trail")))
    }

    /// One page of the entries `f` selects, newest first.
    pub async fn search(&self, f: &TrailFilter) -> StoreResult<Vec<TrailEntry>> {
        let (actor, action) = patterns(f);
        let rows: Vec<TrailRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, at, actor, action, target, before_json, after_json FROM trail \
             WHERE ($1 IS NULL OR LOWER(actor) LIKE $1 ESCAPE '!') AND ($2 IS NULL OR action LIKE $2 ESCAPE '!') \
             AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) AND ($5 IS NULL OR id < $5) \
             ORDER BY id DESC LIMIT $6")
            .bind(&actor).bind(&action).bind(f.since).bind(f.until).bind(f.before_id).bind(f.limit.clamp(1, 1000))
            .fetch_all(pool).await.map_err(failed("trail")))?;
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

/// The LIKE patterns of a filter's actor (a part, any case) and action (an action, or a
/// family ending in '.': every action under it).
fn patterns(f: &TrailFilter) -> (Option<String>, Option<String>) {
    let actor = f
        .actor
        .as_deref()
        .map(|a| format!("%{}%", literal(&a.to_lowercase())));
    let action = f.action.as_deref().map(|a| {
        if a.ends_with('.') {
            format!("{}%", literal(a))
        } else {
            literal(a)
        }
    });
    (actor, action)
}
