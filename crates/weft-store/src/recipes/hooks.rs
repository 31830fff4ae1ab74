//! The Wrike webhook or HTTP endpoint a recipe registered, with its sealed secret.

use crate::StoreResult;
use crate::db::{failed, on_pool};
use serde::Serialize;

use super::Recipes;

/// The webhook a recipe registered in Wrike.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct RecipeHook {
    pub recipe_id: i64,
    /// `wrike` (Wrike's deliveries) or `http` (other systems' calls): the route it answers on.
    pub kind: String,
    pub connection_id: String,
    pub token: String,
    #[serde(skip)]
    pub secret: Vec<u8>,
    pub webhook_id: Option<String>,
    pub status: String,
    pub updated_at: i64,
}

impl Recipes<'_> {
    pub async fn save_hook(&self, hook: &RecipeHook) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO recipe_hooks (recipe_id, connection_id, token, secret, webhook_id, status, updated_at, kind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (recipe_id) DO UPDATE SET connection_id = excluded.connection_id, token = excluded.token, secret = excluded.secret, \
             webhook_id = excluded.webhook_id, status = excluded.status, updated_at = excluded.updated_at, kind = excluded.kind")
            .bind(hook.recipe_id).bind(&hook.connection_id).bind(&hook.token).bind(&hook.secret)
            .bind(&hook.webhook_id).bind(&hook.status).bind(hook.updated_at).bind(&hook.kind)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe hook")))?;
        Ok(())
    }

    pub async fn hook_of(&self, recipe_id: i64) -> StoreResult<Option<RecipeHook>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT recipe_id, kind, connection_id, token, secret, webhook_id, status, updated_at FROM recipe_hooks WHERE recipe_id = $1")
            .bind(recipe_id).fetch_optional(pool).await.map_err(failed("a recipe hook")))
    }

    /// The hook of `kind` (`wrike` or `http`) whose URL ends in `token`: a token of the
    /// other kind is not found.
    pub async fn hook_by_token(&self, kind: &str, token: &str) -> StoreResult<Option<RecipeHook>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT recipe_id, kind, connection_id, token, secret, webhook_id, status, updated_at FROM recipe_hooks WHERE token = $1 AND kind = $2")
            .bind(token).bind(kind).fetch_optional(pool).await.map_err(failed("a recipe hook")))
    }

    pub async fn hooks(&self) -> StoreResult<Vec<RecipeHook>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT recipe_id, kind, connection_id, token, secret, webhook_id, status, updated_at FROM recipe_hooks ORDER BY recipe_id")
            .fetch_all(pool).await.map_err(failed("recipe hooks")))
    }

    pub async fn remove_hook(&self, recipe_id: i64) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM recipe_hooks WHERE recipe_id = $1")
            .bind(recipe_id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a recipe hook")))?;
        Ok(())
    }
}
