//! Where sealed secrets live, for the key check and key rotation: the sealed marker that
//! proves which key sealed this database's secrets, and re-sealing every secret with a new
//! key in one transaction (all or nothing).

use crate::StoreResult;
use crate::db::{Db, failed, on_pool};

const MARKER: &str = "key_check";

/// The secrets area of the store.
pub struct Secrets<'a> {
    pub(crate) db: &'a Db,
}

impl Secrets<'_> {
    /// The sealed marker, once a key has been checked against this database.
    pub async fn marker(&self) -> StoreResult<Option<Vec<u8>>> {
        on_pool!(self.db, pool => sqlx::query_scalar("SELECT value FROM hub_settings WHERE name = $1")
            .bind(MARKER).fetch_optional(pool).await.map_err(failed("the key check")))
    }

    pub async fn set_marker(&self, sealed: &[u8]) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO hub_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .bind(MARKER).bind(sealed).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the key check")))?;
        Ok(())
    }

    /// One stored secret and the row it is bound to, to check a key before any marker exists.
    pub async fn any(&self) -> StoreResult<Option<(String, Vec<u8>)>> {
        on_pool!(self.db, pool => sqlx::query_as("SELECT id, access_token FROM connections ORDER BY id LIMIT 1")
            .fetch_optional(pool).await.map_err(failed("connections")))
    }

    /// Every stored secret with the row it is bound to (connection tokens, recipe hook
    /// secrets), for the hub to learn the secrets it must keep out of what it stores.
    pub async fn sealed_all(&self) -> StoreResult<Vec<(String, Vec<u8>)>> {
        let mut all: Vec<(String, Vec<u8>)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, access_token FROM connections UNION ALL \
             SELECT id, refresh_token FROM connections WHERE refresh_token IS NOT NULL")
            .fetch_all(pool).await.map_err(failed("connections")))?;
        let hooks: Vec<(String, Vec<u8>)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT 'recipe-hook:' || token, secret FROM recipe_hooks UNION ALL \
             SELECT 'recipe-secret:' || name, value FROM recipe_secrets")
            .fetch_all(pool).await.map_err(failed("recipe hooks and secrets")))?;
        all.extend(hooks);
        Ok(all)
    }

    /// Re-seals every stored secret with `reseal(row id, sealed) -> sealed again`, and sets
    /// the new marker, in one transaction: a failure of `reseal` changes nothing. Returns how
    /// many secrets were re-sealed.
    pub async fn reseal<E>(
        &self,
        reseal: impl Fn(&str, &[u8]) -> Result<Vec<u8>, E>,
        marker: &[u8],
    ) -> StoreResult<Result<usize, E>> {
        let begin = self.db.begin_read_then_write();
        on_pool!(self.db, pool => {
            let mut tx = pool.begin_with(begin).await.map_err(failed("re-sealing secrets"))?;
            let rows: Vec<(String, Vec<u8>, Option<Vec<u8>>)> =
                sqlx::query_as("SELECT id, access_token, refresh_token FROM connections")
                    .fetch_all(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            let mut count = 0;
            for (id, access, refresh) in rows {
                let access = match reseal(&id, &access) {
                    Ok(sealed) => sealed,
                    Err(e) => return Ok(Err(e)),
                };
                let refresh = match refresh.map(|r| reseal(&id, &r)).transpose() {
                    Ok(sealed) => sealed,
                    Err(e) => return Ok(Err(e)),
                };
                count += 1 + usize::from(refresh.is_some());
                sqlx::query("UPDATE connections SET access_token = $1, refresh_token = $2 WHERE id = $3")
                    .bind(access).bind(refresh).bind(&id)
                    .execute(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            }
            // Recipe hook secrets are bound to `recipe-hook:TOKEN`.
            let hooks: Vec<(i64, String, Vec<u8>)> =
                sqlx::query_as("SELECT recipe_id, token, secret FROM recipe_hooks")
                    .fetch_all(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            for (recipe_id, token, secret) in hooks {
                let secret = match reseal(&format!("recipe-hook:{token}"), &secret) {
                    Ok(sealed) => sealed,
                    Err(e) => return Ok(Err(e)),
                };
                count += 1;
                sqlx::query("UPDATE recipe_hooks SET secret = $1 WHERE recipe_id = $2")
                    .bind(secret).bind(recipe_id)
                    .execute(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            }
            // Recipe secrets are bound to `recipe-secret:NAME`.
            let recipe_secrets: Vec<(String, Vec<u8>)> =
                sqlx::query_as("SELECT name, value FROM recipe_secrets")
                    .fetch_all(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            for (name, value) in recipe_secrets {
                let value = match reseal(&format!("recipe-secret:{name}"), &value) {
                    Ok(sealed) => sealed,
                    Err(e) => return Ok(Err(e)),
                };
                count += 1;
                sqlx::query("UPDATE recipe_secrets SET value = $1 WHERE name = $2")
                    .bind(value).bind(&name)
                    .execute(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            }
            sqlx::query("INSERT INTO hub_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(MARKER).bind(marker)
                .execute(&mut *tx).await.map_err(failed("re-sealing secrets"))?;
            tx.commit().await.map_err(failed("re-sealing secrets"))?;
            Ok(Ok(count))
        })
    }
}
