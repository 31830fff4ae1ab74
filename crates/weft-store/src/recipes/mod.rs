//! Recipes: each recipe's current file and every version before it (here), its runs and each
//! step attempt of a run (`runs`), the Wrike webhook or HTTP endpoint a recipe registered
//! (`hooks`), and the secrets recipes read (`secrets`).
//!
//! A run is created together with the job that runs it, in one transaction, and at most once
//! per `(recipe, event_key)`: that is what lets a trigger acknowledge an event only once it
//! is safe, and never start a recipe twice for one event. A run's progress (the next step
//! and the outputs so far) is written in the same transaction as the step attempt that made
//! it, so a worker killed between steps leaves a run that resumes where it stopped.

use crate::db::{Db, failed, on_pool};
use crate::{StoreError, StoreResult};
use serde::Serialize;

mod hooks;
mod runs;
mod secrets;

pub use hooks::*;
pub(crate) use runs::RunWrites;
pub use runs::*;
pub use secrets::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecipeState {
    Stopped,
    Running,
    /// Running, but held back by something outside it (its connection broke); its events
    /// wait and run when the cause is gone.
    Paused,
}

impl RecipeState {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipeState::Stopped => "stopped",
            RecipeState::Running => "running",
            RecipeState::Paused => "paused",
        }
    }

    pub fn parse(text: &str) -> Option<RecipeState> {
        [
            RecipeState::Stopped,
            RecipeState::Running,
            RecipeState::Paused,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipeRecord {
    pub id: i64,
    pub name: String,
    pub connection_name: String,
    pub trigger_kind: String,
    pub source: String,
    pub version: i64,
    pub state: RecipeState,
    pub state_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(sqlx::FromRow)]
struct RecipeRow {
    id: i64,
    name: String,
    connection_name: String,
    trigger_kind: String,
    source: String,
    version: i64,
    state: String,
    state_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
    updated_by: String,
}

impl RecipeRow {
    fn into_record(self) -> StoreResult<RecipeRecord> {
        let state = RecipeState::parse(&self.state).ok_or_else(|| StoreError::Database {
            what: format!("recipe {}", self.name),
            message: format!("unknown state {:?}", self.state),
        })?;
        Ok(RecipeRecord {
            id: self.id,
            name: self.name,
            connection_name: self.connection_name,
            trigger_kind: self.trigger_kind,
            source: self.source,
            version: self.version,
            state,
            state_reason: self.state_reason,
            created_at: self.created_at,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

/// `SELECT` of a `RecipeRow` with `$tail` after it, as one static string.
macro_rules! select_recipe {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, connection_name, trigger_kind, source, version, state, state_reason, created_at, updated_at, updated_by FROM recipes ",
            $tail
        )
    };
}

/// A recipe file to store.
#[derive(Debug, Clone)]
pub struct RecipeFile<'a> {
    pub name: &'a str,
    pub connection_name: &'a str,
    pub trigger_kind: &'a str,
    pub source: &'a str,
}

/// What `save` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created {
        id: i64,
    },
    Updated {
        id: i64,
        version: i64,
    },
    /// The stored file is already this text.
    Unchanged {
        id: i64,
    },
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct RecipeVersion {
    pub version: i64,
    pub source: String,
    pub changed_by: String,
    pub changed_at: i64,
}

/// The recipes area of the store.
pub struct Recipes<'a> {
    pub(crate) db: &'a Db,
    pub(crate) writes: &'a RunWrites,
}

impl Recipes<'_> {
    pub async fn list(&self) -> StoreResult<Vec<RecipeRecord>> {
        let rows: Vec<RecipeRow> = on_pool!(self.db, pool => sqlx::query_as(select_recipe!("ORDER BY name"))
            .fetch_all(pool).await.map_err(failed("recipes")))?;
        rows.into_iter().map(RecipeRow::into_record).collect()
    }

    pub async fn by_name(&self, name: &str) -> StoreResult<Option<RecipeRecord>> {
        let row: Option<RecipeRow> = on_pool!(self.db, pool => sqlx::query_as(select_recipe!("WHERE name = $1")).bind(name)
            .fetch_optional(pool).await.map_err(failed("a recipe")))?;
        row.map(RecipeRow::into_record).transpose()
    }

    pub async fn get(&self, id: i64) -> StoreResult<Option<RecipeRecord>> {
        let row: Option<RecipeRow> = on_pool!(self.db, pool => sqlx::query_as(select_recipe!("WHERE id = $1")).bind(id)
            .fetch_optional(pool).await.map_err(failed("a recipe")))?;
        row.map(RecipeRow::into_record).transpose()
    }

    /// Adds a recipe (stopped) or records a new version of it; an identical file changes
    /// nothing.
    pub async fn save(&self, file: &RecipeFile<'_>, actor: &str, now: i64) -> StoreResult<Saved> {
        let begin = self.db.begin_read_then_write();
        on_pool!(self.db, pool => {
            let mut tx = pool.begin_with(begin).await.map_err(failed("saving a recipe"))?;
            let existing: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT id, version, source FROM recipes WHERE name = $1")
                .bind(file.name).fetch_optional(&mut *tx).await.map_err(failed("a recipe"))?;
            let saved = match existing {
                Some((id, _, source)) if source == file.source => Saved::Unchanged { id },
                Some((id, version, _)) => {
                    let version = version + 1;
                    sqlx::query("UPDATE recipes SET connection_name = $1, trigger_kind = $2, source = $3, version = $4, updated_at = $5, updated_by = $6 WHERE id = $7")
                        .bind(file.connection_name).bind(file.trigger_kind).bind(file.source).bind(version)
                        .bind(now).bind(actor).bind(id)
                        .execute(&mut *tx).await.map_err(failed("a recipe"))?;
                    Saved::Updated { id, version }
                }
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO recipes (name, connection_name, trigger_kind, source, version, state, created_at, updated_at, updated_by) \
                         VALUES ($1, $2, $3, $4, 1, 'stopped', $5, $5, $6) RETURNING id")
                        .bind(file.name).bind(file.connection_name).bind(file.trigger_kind).bind(file.source)
                        .bind(now).bind(actor)
                        .fetch_one(&mut *tx).await.map_err(failed("a recipe"))?;
                    Saved::Created { id }
                }
            };
            let version = match saved {
                Saved::Created { .. } => Some(1),
                Saved::Updated { version, .. } => Some(version),
                Saved::Unchanged { .. } => None,
            };
            if let (Some(version), Saved::Created { id } | Saved::Updated { id, .. }) = (version, saved) {
                sqlx::query("INSERT INTO recipe_versions (recipe_id, version, source, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id).bind(version).bind(file.source).bind(actor).bind(now)
                    .execute(&mut *tx).await.map_err(failed("a recipe version"))?;
            }
            tx.commit().await.map_err(failed("saving a recipe"))?;
            Ok::<_, StoreError>(saved)
        })
    }

    /// Removes a recipe with its versions, runs and hook record.
    pub async fn remove(&self, id: i64) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => {
            let mut tx = pool.begin().await.map_err(failed("removing a recipe"))?;
            // Children first: SQLite only cascades with foreign keys switched on.
            for sql in [
                "DELETE FROM recipe_run_steps WHERE run_id IN (SELECT id FROM recipe_runs WHERE recipe_id = $1)",
                "DELETE FROM recipe_runs WHERE recipe_id = $1",
                "DELETE FROM recipe_versions WHERE recipe_id = $1",
                "DELETE FROM recipe_hooks WHERE recipe_id = $1",
                "DELETE FROM recipe_cursors WHERE recipe_id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await.map_err(failed("removing a recipe"))?;
            }
            let n = sqlx::query("DELETE FROM recipes WHERE id = $1").bind(id)
                .execute(&mut *tx).await.map_err(failed("removing a recipe"))?.rows_affected();
            tx.commit().await.map_err(failed("removing a recipe"))?;
            Ok::<_, StoreError>(n)
        })?;
        Ok(n > 0)
    }

    /// Every version, newest first.
    pub async fn versions(&self, recipe_id: i64) -> StoreResult<Vec<RecipeVersion>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT version, source, changed_by, changed_at FROM recipe_versions WHERE recipe_id = $1 ORDER BY version DESC")
            .bind(recipe_id).fetch_all(pool).await.map_err(failed("recipe versions")))
    }

    pub async fn version(
        &self,
        recipe_id: i64,
        version: i64,
    ) -> StoreResult<Option<RecipeVersion>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT version, source, changed_by, changed_at FROM recipe_versions WHERE recipe_id = $1 AND version = $2")
            .bind(recipe_id).bind(version).fetch_optional(pool).await.map_err(failed("a recipe version")))
    }

    /// Sets the state; false when the recipe is gone.
    pub async fn set_state(
        &self,
        id: i64,
        state: RecipeState,
        reason: Option<&str>,
        actor: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => sqlx::query(
            "UPDATE recipes SET state = $1, state_reason = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
            .bind(state.as_str()).bind(reason).bind(now).bind(actor).bind(id)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe's state")))?;
        Ok(n > 0)
    }

    /// A polling recipe's cursor.
    pub async fn cursor(&self, recipe_id: i64) -> StoreResult<Option<String>> {
        on_pool!(self.db, pool => sqlx::query_scalar("SELECT cursor FROM recipe_cursors WHERE recipe_id = $1")
            .bind(recipe_id).fetch_optional(pool).await.map_err(failed("a recipe cursor")))
    }

    pub async fn set_cursor(&self, recipe_id: i64, cursor: &str, now: i64) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO recipe_cursors (recipe_id, cursor, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (recipe_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at")
            .bind(recipe_id).bind(cursor).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe cursor")))?;
        Ok(())
    }

    pub async fn clear_cursor(&self, recipe_id: i64) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM recipe_cursors WHERE recipe_id = $1")
            .bind(recipe_id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe cursor")))?;
        Ok(())
    }
}
