//! Who may use the hub: local users with roles, web sessions and API tokens (both kept only
//! as SHA-256 hashes), and OAuth consents in progress.

use serde::Serialize;
use weft_core::roles::Role;

use crate::db::{Caller, Db, failed, on_pool, split};
use crate::{StoreError, StoreResult};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    /// Argon2 PHC string; never the password.
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: i64,
}

/// A web session; the cookie value itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: String,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A per-user API token; stored as a hash.
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: i64,
}

/// An OAuth consent in progress, keyed by the hash of its `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    pub state_hash: String,
    pub user_id: String,
    pub connection_name: String,
    pub scopes: Vec<String>,
    pub features: Vec<String>,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    password_hash: String,
    role: String,
    created_at: i64,
}

impl UserRow {
    fn into_user(self) -> StoreResult<User> {
        let role = Role::parse(&self.role).map_err(|message| StoreError::Database {
            what: format!("user {}", self.username),
            message,
        })?;
        Ok(User {
            id: self.id,
            username: self.username,
            password_hash: self.password_hash,
            role,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    csrf: String,
    expires_at: i64,
}

// Sessions and tokens share one cache; their hashes cannot collide across kinds.
fn session_key(id_hash: &str) -> String {
    format!("s:{id_hash}")
}

fn token_key(token_hash: &str) -> String {
    format!("t:{token_hash}")
}

#[derive(sqlx::FromRow)]
struct ApiTokenRow {
    id: String,
    user_id: String,
    name: String,
    token_hash: String,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
struct OAuthStateRow {
    state_hash: String,
    user_id: String,
    connection_name: String,
    scopes: String,
    features: String,
    expires_at: i64,
}

/// The access area of the store.
pub struct Access<'a> {
    pub(crate) db: &'a Db,
}

impl Access<'_> {
    pub async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        let what = format!("user {}", user.username);
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&user.id).bind(&user.username).bind(&user.password_hash).bind(user.role.as_str()).bind(user.created_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed(&what)))?;
        self.db.freshness.changed();
        Ok(User {
            id: user.id,
            username: user.username,
            password_hash: user.password_hash,
            role: user.role,
            created_at: user.created_at,
        })
    }

    pub async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, username, password_hash, role, created_at FROM users WHERE username = $1")
            .bind(username).fetch_optional(pool).await.map_err(failed("users")))?;
        row.map(UserRow::into_user).transpose()
    }

    /// Every user, by name.
    pub async fn users(&self) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, username, password_hash, role, created_at FROM users ORDER BY username")
            .fetch_all(pool).await.map_err(failed("users")))?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    pub async fn create_session(&self, s: NewSession) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.id_hash).bind(&s.user_id).bind(&s.csrf).bind(s.created_at).bind(s.expires_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("session")))?;
        Ok(())
    }

    /// The user of a live session and the session's CSRF token (from the read cache while
    /// it is exact, see `freshness`).
    pub async fn session_user(
        &self,
        id_hash: &str,
        now: i64,
    ) -> StoreResult<Option<(User, String)>> {
        let generation = self.db.freshness.current();
        if let Some(Caller {
            user,
            session: Some((csrf, expires_at)),
        }) = generation.and_then(|g| self.db.callers.get(&session_key(id_hash), g))
        {
            return Ok((expires_at > now).then_some((user, csrf)));
        }
        let row: Option<SessionRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1")
            .bind(id_hash).fetch_optional(pool).await.map_err(failed("sessions")))?;
        let Some(row) = row else { return Ok(None) };
        let user = row.user.into_user()?;
        if let Some(g) = generation {
            let cached = Caller {
                user: user.clone(),
                session: Some((row.csrf.clone(), row.expires_at)),
            };
            self.db.callers.put(session_key(id_hash), g, cached);
        }
        Ok((row.expires_at > now).then_some((user, row.csrf)))
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("sessions")))?;
        self.db.freshness.changed();
        Ok(())
    }

    pub async fn create_api_token(&self, t: ApiToken) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&t.id).bind(&t.user_id).bind(&t.name).bind(&t.token_hash).bind(t.created_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("API token")))?;
        Ok(())
    }

    /// The user an API token belongs to (from the read cache while it is exact, see
    /// `freshness`; unknown tokens are never cached).
    pub async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        let generation = self.db.freshness.current();
        if let Some(cached) =
            generation.and_then(|g| self.db.callers.get(&token_key(token_hash), g))
        {
            return Ok(Some(cached.user));
        }
        let row: Option<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, u.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1")
            .bind(token_hash).fetch_optional(pool).await.map_err(failed("API tokens")))?;
        let user = row.map(UserRow::into_user).transpose()?;
        if let (Some(g), Some(user)) = (generation, &user) {
            let cached = Caller {
                user: user.clone(),
                session: None,
            };
            self.db.callers.put(token_key(token_hash), g, cached);
        }
        Ok(user)
    }

    pub async fn api_tokens(&self, user_id: &str) -> StoreResult<Vec<ApiToken>> {
        let rows: Vec<ApiTokenRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, user_id, name, token_hash, created_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id")
            .bind(user_id).fetch_all(pool).await.map_err(failed("API tokens")))?;
        Ok(rows
            .into_iter()
            .map(|r| ApiToken {
                id: r.id,
                user_id: r.user_id,
                name: r.name,
                token_hash: r.token_hash,
                created_at: r.created_at,
            })
            .collect())
    }

    pub async fn put_oauth_state(&self, s: OAuthState) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO oauth_states (state_hash, user_id, connection_name, scopes, features, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&s.state_hash).bind(&s.user_id).bind(&s.connection_name).bind(s.scopes.join(",")).bind(s.features.join(",")).bind(s.expires_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("OAuth state")))?;
        Ok(())
    }

    /// Removes and returns a live state: each consent can be completed once.
    pub async fn take_oauth_state(
        &self,
        state_hash: &str,
        now: i64,
    ) -> StoreResult<Option<OAuthState>> {
        // DELETE ... RETURNING makes taking a state atomic on both databases.
        let row: Option<OAuthStateRow> = on_pool!(self.db, pool => sqlx::query_as(
            "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING state_hash, user_id, connection_name, scopes, features, expires_at")
            .bind(state_hash).fetch_optional(pool).await.map_err(failed("OAuth state")))?;
        Ok(row.filter(|r| r.expires_at > now).map(|r| OAuthState {
            scopes: split(&r.scopes),
            features: split(&r.features),
            state_hash: r.state_hash,
            user_id: r.user_id,
            connection_name: r.connection_name,
            expires_at: r.expires_at,
        }))
    }
}
