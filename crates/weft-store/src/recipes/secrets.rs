//! The secrets recipes read (`{{ secrets.NAME }}`): each value sealed, with the hosts a
//! step may send it to.

use crate::StoreResult;
use crate::db::{failed, on_pool};
use serde::Serialize;

use super::Recipes;

/// A secret recipes use, as stored: its value sealed, where steps may send it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct RecipeSecret {
    pub name: String,
    #[serde(skip)]
    pub value: Vec<u8>,
    /// JSON list of host patterns.
    #[serde(skip)]
    pub hosts: String,
    pub updated_by: String,
    pub updated_at: i64,
}

impl RecipeSecret {
    /// The hosts a step may send the secret to.
    pub fn host_list(&self) -> Vec<String> {
        serde_json::from_str(&self.hosts).unwrap_or_default()
    }
}

impl Recipes<'_> {
    /// Sets (adds or replaces) a recipe secret.
    pub async fn set_secret(
        &self,
        name: &str,
        sealed: &[u8],
        hosts: &[String],
        actor: &str,
        now: i64,
    ) -> StoreResult<()> {
        let hosts = serde_json::to_string(hosts).unwrap_or_else(|_| "[]".into());
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO recipe_secrets (name, value, hosts, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, hosts = excluded.hosts, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(name).bind(sealed).bind(&hosts).bind(actor).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe secret")))?;
        Ok(())
    }

    pub async fn secret(&self, name: &str) -> StoreResult<Option<RecipeSecret>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT name, value, hosts, updated_by, updated_at FROM recipe_secrets WHERE name = $1")
            .bind(name).fetch_optional(pool).await.map_err(failed("a recipe secret")))
    }

    /// Every recipe secret, by name (their values sealed).
    pub async fn secrets(&self) -> StoreResult<Vec<RecipeSecret>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT name, value, hosts, updated_by, updated_at FROM recipe_secrets ORDER BY name")
            .fetch_all(pool).await.map_err(failed("recipe secrets")))
    }

    pub async fn remove_secret(&self, name: &str) -> StoreResult<bool> {
        let n = on_pool!(self.db, pool => sqlx::query("DELETE FROM recipe_secrets WHERE name = $1")
            .bind(name).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe secret")))?;
        Ok(n > 0)
    }
}
