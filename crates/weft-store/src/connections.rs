//! Wrike connections: who each runs as, its sealed tokens (rotated by compare-and-swap), its
//! health (recorded by compare-and-swap too, so two probes cannot both alert), and the
//! per-connection lock that makes token refreshes one at a time.

use std::future::Future;

use serde::Serialize;
use weft_core::health::{FailureClass, Health, HealthState};

use crate::db::{Db, Pool, failed, on_pool, split};
use crate::{StoreError, StoreResult};

/// How a connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum ConnectionKind {
    #[serde(rename = "oauth")]
    OAuth,
    #[serde(rename = "permanent")]
    Permanent,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::OAuth => "oauth",
            ConnectionKind::Permanent => "permanent",
        }
    }
    pub fn parse(text: &str) -> Option<ConnectionKind> {
        match text {
            "oauth" => Some(ConnectionKind::OAuth),
            "permanent" => Some(ConnectionKind::Permanent),
            _ => None,
        }
    }
}

/// Who the connection runs as on Wrike.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WrikeIdentity {
    pub account_id: String,
    pub account_name: String,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub admin: bool,
}

/// Encrypted tokens as stored (see `weft_core::secrets`).
#[derive(Debug, Clone, Default)]
pub struct SealedTokens {
    pub access_token: Vec<u8>,
    pub refresh_token: Option<Vec<u8>>,
    /// Unix seconds; None for permanent tokens.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct StoredSecrets {
    pub tokens: SealedTokens,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    /// `https://{host}/api/v4/`.
    pub api_base: String,
    pub identity: WrikeIdentity,
    /// Granted scopes when known (OAuth), empty for permanent tokens.
    pub scopes: Vec<String>,
    /// What the connection is used for (scope planner features).
    pub features: Vec<String>,
    pub health: Option<Health>,
    /// Compare-and-swap counter of `health`.
    #[serde(skip)]
    pub health_version: i64,
    pub created_at: i64,
    pub created_by: String,
    /// When the token was last given to weft (Unix seconds): added or replaced, not refreshed.
    pub token_set_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    pub api_base: String,
    pub identity: WrikeIdentity,
    pub scopes: Vec<String>,
    pub features: Vec<String>,
    pub tokens: SealedTokens,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: String,
    name: String,
    kind: String,
    api_base: String,
    account_id: String,
    account_name: String,
    wrike_user_id: String,
    wrike_user_name: String,
    wrike_user_email: String,
    wrike_user_admin: bool,
    scopes: String,
    features: String,
    health_state: Option<String>,
    health_class: Option<String>,
    health_message: Option<String>,
    checked_at: Option<i64>,
    failing_since: Option<i64>,
    health_version: i64,
    created_at: i64,
    created_by: String,
    token_set_at: Option<i64>,
}

/// `SELECT` of a `ConnectionRow` followed by `$tail`, as one static string.
macro_rules! select_connections {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, health_state, health_class, health_message, checked_at, failing_since, health_version, created_at, created_by, token_set_at FROM connections ",
            $tail
        )
    };
}

impl ConnectionRow {
    fn into_connection(self) -> StoreResult<Connection> {
        let corrupt = |what: String| StoreError::Database {
            what: format!("connection {}", self.id),
            message: what,
        };
        let kind = ConnectionKind::parse(&self.kind)
            .ok_or_else(|| corrupt(format!("unknown kind {:?}", self.kind)))?;
        let health = match (self.checked_at, self.health_state.as_deref()) {
            (Some(checked_at), Some(state)) => Some(Health {
                state: HealthState::parse(state)
                    .ok_or_else(|| corrupt(format!("unknown health state {state:?}")))?,
                class: self.health_class.as_deref().and_then(FailureClass::parse),
                message: self.health_message,
                checked_at,
                failing_since: self.failing_since,
            }),
            _ => None,
        };
        Ok(Connection {
            kind,
            api_base: self.api_base,
            identity: WrikeIdentity {
                account_id: self.account_id,
                account_name: self.account_name,
                user_id: self.wrike_user_id,
                user_name: self.wrike_user_name,
                user_email: self.wrike_user_email,
                admin: self.wrike_user_admin,
            },
            scopes: split(&self.scopes),
            features: split(&self.features),
            health,
            health_version: self.health_version,
            created_at: self.created_at,
            created_by: self.created_by,
            token_set_at: self.token_set_at,
            id: self.id,
            name: self.name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SecretsRow {
    access_token: Vec<u8>,
    refresh_token: Option<Vec<u8>>,
    expires_at: Option<i64>,
    token_version: i64,
}

/// The connections area of the store.
pub struct Connections<'a> {
    pub(crate) db: &'a Db,
}

impl Connections<'_> {
    pub async fn create(&self, c: NewConnection) -> StoreResult<Connection> {
        let what = format!("connection {}", c.name);
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO connections (id, name, kind, api_base, account_id, account_name, wrike_user_id, wrike_user_name, wrike_user_email, wrike_user_admin, scopes, features, access_token, refresh_token, expires_at, token_version, created_at, created_by, token_set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $17, $16)",
        )
        .bind(&c.id).bind(&c.name).bind(c.kind.as_str()).bind(&c.api_base)
        .bind(&c.identity.account_id).bind(&c.identity.account_name).bind(&c.identity.user_id)
        .bind(&c.identity.user_name).bind(&c.identity.user_email).bind(c.identity.admin)
        .bind(c.scopes.join(",")).bind(c.features.join(","))
        .bind(&c.tokens.access_token).bind(&c.tokens.refresh_token).bind(c.tokens.expires_at)
        .bind(c.created_at).bind(&c.created_by)
        .execute(pool).await.map(|d| d.rows_affected()).map_err(failed(&what)))?;
        self.db.freshness.changed();
        self.get(&c.id).await?.ok_or(StoreError::NotFound { what })
    }

    pub async fn get(&self, id: &str) -> StoreResult<Option<Connection>> {
        let row: Option<ConnectionRow> = on_pool!(self.db, pool => sqlx::query_as(select_connections!("WHERE id = $1"))
            .bind(id).fetch_optional(pool).await.map_err(failed("connections")))?;
        row.map(ConnectionRow::into_connection).transpose()
    }

    /// Every connection, by name (from the read cache while it is exact, see `freshness`).
    pub async fn list(&self) -> StoreResult<Vec<Connection>> {
        let generation = self.db.freshness.current();
        if let Some(cached) = generation.and_then(|g| self.db.connections.get(&(), g)) {
            return Ok(cached);
        }
        let rows: Vec<ConnectionRow> = on_pool!(self.db, pool => sqlx::query_as(select_connections!("ORDER BY name"))
            .fetch_all(pool).await.map_err(failed("connections")))?;
        let all = rows
            .into_iter()
            .map(ConnectionRow::into_connection)
            .collect::<StoreResult<Vec<_>>>()?;
        if let Some(g) = generation {
            self.db.connections.put((), g, all.clone());
        }
        Ok(all)
    }

    pub async fn delete(&self, id: &str) -> StoreResult<()> {
        let done = on_pool!(self.db, pool => sqlx::query("DELETE FROM connections WHERE id = $1")
            .bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("connections")))?;
        self.db.freshness.changed();
        if done == 0 {
            return Err(StoreError::NotFound {
                what: format!("connection {id}"),
            });
        }
        Ok(())
    }

    /// The encrypted tokens and their version.
    pub async fn secrets(&self, id: &str) -> StoreResult<StoredSecrets> {
        let row: Option<SecretsRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT access_token, refresh_token, expires_at, token_version FROM connections WHERE id = $1")
            .bind(id).fetch_optional(pool).await.map_err(failed("connections")))?;
        let row = row.ok_or_else(|| StoreError::NotFound {
            what: format!("connection {id}"),
        })?;
        Ok(StoredSecrets {
            tokens: SealedTokens {
                access_token: row.access_token,
                refresh_token: row.refresh_token,
                expires_at: row.expires_at,
            },
            version: row.token_version,
        })
    }

    /// Replaces the tokens if their version is still `expected_version` (a refresh that
    /// raced another one loses and must re-read); returns the new version.
    pub async fn replace_secrets(
        &self,
        id: &str,
        expected_version: i64,
        t: SealedTokens,
    ) -> StoreResult<i64> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE connections SET access_token = $1, refresh_token = $2, expires_at = $3, token_version = token_version + 1 WHERE id = $4 AND token_version = $5")
            .bind(&t.access_token).bind(&t.refresh_token).bind(t.expires_at).bind(id).bind(expected_version)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("connections")))?;
        if done == 1 {
            return Ok(expected_version + 1);
        }
        self.stale_or_missing(id, "tokens").await
    }

    /// Records what a new consent granted an OAuth connection: its scopes and uses.
    pub async fn set_grant(
        &self,
        id: &str,
        scopes: &[String],
        features: &[String],
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("UPDATE connections SET scopes = $1, features = $2 WHERE id = $3")
            .bind(scopes.join(",")).bind(features.join(",")).bind(id)
            .execute(pool).await.map(drop).map_err(failed("connections")))?;
        self.db.freshness.changed();
        Ok(())
    }

    /// Records that a person gave the connection a new token at `at` (not a refresh).
    pub async fn mark_token_set(&self, id: &str, at: i64) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("UPDATE connections SET token_set_at = $1 WHERE id = $2")
            .bind(at).bind(id).execute(pool).await.map(drop).map_err(failed("connections")))?;
        self.db.freshness.changed();
        Ok(())
    }

    /// Records a probe's result if nobody recorded another since `expected_version` was
    /// read; returns the new version. A `Stale` loser re-reads and decides again.
    pub async fn record_health(
        &self,
        id: &str,
        expected_version: i64,
        h: &Health,
    ) -> StoreResult<i64> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "UPDATE connections SET health_state = $1, health_class = $2, health_message = $3, checked_at = $4, failing_since = $5, health_version = health_version + 1 WHERE id = $6 AND health_version = $7")
            .bind(h.state.as_str()).bind(h.class.map(FailureClass::as_str)).bind(&h.message)
            .bind(h.checked_at).bind(h.failing_since).bind(id).bind(expected_version)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("connections")))?;
        self.db.freshness.changed();
        if done == 1 {
            return Ok(expected_version + 1);
        }
        self.stale_or_missing(id, "health").await
    }

    async fn stale_or_missing<T>(&self, id: &str, what: &str) -> StoreResult<T> {
        match self.get(id).await? {
            Some(_) => Err(StoreError::Stale {
                what: format!("{what} of connection {id}"),
            }),
            None => Err(StoreError::NotFound {
                what: format!("connection {id}"),
            }),
        }
    }

    /// Runs `work` while holding the refresh lock of one connection, so that its tokens are
    /// refreshed one at a time: across every instance on PostgreSQL (a transaction-scoped
    /// advisory lock, released even if this process dies), within this process on SQLite
    /// (which serves one instance).
    pub async fn with_refresh_lock<F: Future>(
        &self,
        connection_id: &str,
        work: F,
    ) -> StoreResult<F::Output> {
        match &self.db.pool {
            Pool::Sqlite(_) => {
                let lock = self.db.local_locks.get(connection_id);
                let _held = lock.lock().await;
                Ok(work.await)
            }
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(failed("refresh lock"))?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
                    .bind(connection_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed("refresh lock"))?;
                let output = work.await;
                tx.commit().await.map_err(failed("refresh lock"))?;
                Ok(output)
            }
        }
    }
}
