//! Who may use the hub: local users with roles (who can be disabled), web sessions and API
//! tokens (both kept only as SHA-256 hashes; tokens may expire and record their last use),
//! OAuth consents in progress, and the count of failed sign-ins per account and source.

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
    /// When an Admin disabled the user (their sessions and tokens do not work meanwhile).
    pub disabled_at: Option<i64>,
    /// How the user signs in: with a password, or through the identity provider.
    pub sign_in: SignInMethod,
}

/// How a user signs in (never both ways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SignInMethod {
    #[default]
    Password,
    /// Single sign-on: the identity provider vouches for them; they have no password here.
    Sso,
}

impl SignInMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "password",
            SignInMethod::Sso => "sso",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    /// Empty for a user who signs in through the identity provider.
    pub password_hash: String,
    pub role: Role,
    pub created_at: i64,
    pub sign_in: SignInMethod,
}

/// An identity provider's person linked to a hub user: the provider's issuer and its
/// subject (which never changes for a person, unlike names and e-mail addresses).
#[derive(Debug, Clone)]
pub struct SsoIdentity {
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
}

/// A single sign-on in progress (the state sent to the provider is kept as a hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SsoState {
    pub state_hash: String,
    pub nonce: String,
    pub code_verifier: String,
    /// Where the browser goes once signed in.
    pub next: String,
    pub expires_at: i64,
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
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A token with the name of its user, for listings.
#[derive(Debug, Clone, Serialize)]
pub struct ListedToken {
    #[serde(flatten)]
    pub token: ApiToken,
    pub username: String,
}

/// An OAuth consent in progress, keyed by the hash of its `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    pub state_hash: String,
    pub user_id: String,
    pub connection_name: String,
    pub scopes: Vec<String>,
    pub features: Vec<String>,
    /// The PKCE code verifier of this consent.
    pub code_verifier: String,
    pub expires_at: i64,
}

/// How many failed sign-ins a key (an account or a source address) may have before it must
/// wait, and how long.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub free_failures: i64,
    /// The first wait; each further failure doubles it.
    pub first_wait_s: i64,
    pub longest_wait_s: i64,
    /// Failures older than this are forgotten.
    pub memory_s: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    username: String,
    password_hash: String,
    role: String,
    created_at: i64,
    disabled_at: Option<i64>,
    sign_in: String,
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
            disabled_at: self.disabled_at,
            sign_in: if self.sign_in == "sso" {
                SignInMethod::Sso
            } else {
                SignInMethod::Password
            },
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

#[derive(sqlx::FromRow)]
struct TokenUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    token_expires_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ApiTokenRow {
    id: String,
    user_id: String,
    name: String,
    token_hash: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> ApiToken {
        ApiToken {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            token_hash: r.token_hash,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ListedTokenRow {
    #[sqlx(flatten)]
    token: ApiTokenRow,
    username: String,
}

#[derive(sqlx::FromRow)]
struct OAuthStateRow {
    state_hash: String,
    user_id: String,
    connection_name: String,
    scopes: String,
    features: String,
    code_verifier: String,
    expires_at: i64,
}

// Sessions and tokens share one cache; their hashes cannot collide across kinds.
fn session_key(id_hash: &str) -> String {
    format!("s:{id_hash}")
}

fn token_key(token_hash: &str) -> String {
    format!("t:{token_hash}")
}

/// Seconds between two recordings of one token's last use.
const TOUCH_EVERY_S: i64 = 60;

/// The access area of the store.
pub struct Access<'a> {
    pub(crate) db: &'a Db,
}

impl Access<'_> {
    pub async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        let what = format!("user {}", user.username);
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, created_at, sign_in) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&user.id).bind(&user.username).bind(&user.password_hash).bind(user.role.as_str()).bind(user.created_at)
            .bind(user.sign_in.as_str())
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed(&what)))?;
        self.db.freshness.changed();
        Ok(User {
            id: user.id,
            username: user.username,
            password_hash: user.password_hash,
            role: user.role,
            created_at: user.created_at,
            disabled_at: None,
            sign_in: user.sign_in,
        })
    }

    pub async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, username, password_hash, role, created_at, disabled_at, sign_in FROM users WHERE username = $1")
            .bind(username).fetch_optional(pool).await.map_err(failed("users")))?;
        row.map(UserRow::into_user).transpose()
    }

    pub async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, username, password_hash, role, created_at, disabled_at, sign_in FROM users WHERE id = $1")
            .bind(id).fetch_optional(pool).await.map_err(failed("users")))?;
        row.map(UserRow::into_user).transpose()
    }

    /// Every user, by name.
    pub async fn users(&self) -> StoreResult<Vec<User>> {
        let rows: Vec<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, username, password_hash, role, created_at, disabled_at, sign_in FROM users ORDER BY username")
            .fetch_all(pool).await.map_err(failed("users")))?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    /// After a change to one user: the caches are stale, and nothing changed means no user.
    fn user_changed(&self, id: &str, rows: u64) -> StoreResult<()> {
        self.db.freshness.changed();
        if rows == 0 {
            return Err(StoreError::NotFound {
                what: format!("user {id}"),
            });
        }
        Ok(())
    }

    pub async fn set_role(&self, id: &str, role: Role) -> StoreResult<()> {
        let rows = on_pool!(self.db, pool => sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str()).bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("users")))?;
        self.user_changed(id, rows)
    }

    /// Disables (`Some(at)`) or enables (`None`) a user.
    pub async fn set_disabled(&self, id: &str, at: Option<i64>) -> StoreResult<()> {
        let rows = on_pool!(self.db, pool => sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(at).bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("users")))?;
        self.user_changed(id, rows)
    }

    pub async fn set_password_hash(&self, id: &str, hash: &str) -> StoreResult<()> {
        let rows = on_pool!(self.db, pool => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash).bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("users")))?;
        self.user_changed(id, rows)
    }

    /// Removes a user with their sessions, tokens and consents in progress.
    pub async fn delete_user(&self, id: &str) -> StoreResult<()> {
        let rows = on_pool!(self.db, pool => sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("users")))?;
        self.user_changed(id, rows)
    }

    pub async fn create_session(&self, s: NewSession) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.id_hash).bind(&s.user_id).bind(&s.csrf).bind(s.created_at).bind(s.expires_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("session")))?;
        Ok(())
    }

    /// The (enabled) user of a live session and the session's CSRF token, from the read
    /// cache while it is exact (see `freshness`).
    pub async fn session_user(
        &self,
        id_hash: &str,
        now: i64,
    ) -> StoreResult<Option<(User, String)>> {
        let generation = self.db.freshness.current();
        if let Some(cached) = generation.and_then(|g| self.db.callers.get(&session_key(id_hash), g))
        {
            return Ok(cached
                .live(now)
                .map(|(user, csrf)| (user, csrf.unwrap_or_default())));
        }
        let row: Option<SessionRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, u.disabled_at, u.sign_in, s.csrf, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.disabled_at IS NULL")
            .bind(id_hash).fetch_optional(pool).await.map_err(failed("sessions")))?;
        let Some(row) = row else { return Ok(None) };
        let caller = Caller {
            user: row.user.into_user()?,
            csrf: Some(row.csrf),
            expires_at: Some(row.expires_at),
        };
        if let Some(g) = generation {
            self.db.callers.put(session_key(id_hash), g, caller.clone());
        }
        Ok(caller
            .live(now)
            .map(|(user, csrf)| (user, csrf.unwrap_or_default())))
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("sessions")))?;
        self.db.freshness.changed();
        Ok(())
    }

    /// Ends every session of a user (but the one whose hash is `keep`); returns how many.
    pub async fn delete_sessions_of(&self, user_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        let done = on_pool!(self.db, pool => sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR id_hash <> $2)")
            .bind(user_id).bind(keep).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("sessions")))?;
        self.db.freshness.changed();
        Ok(done)
    }

    pub async fn create_api_token(&self, t: ApiToken) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&t.id).bind(&t.user_id).bind(&t.name).bind(&t.token_hash).bind(t.created_at).bind(t.expires_at)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("API token")))?;
        Ok(())
    }

    /// The (enabled) user of an unexpired API token, from the read cache while it is exact
    /// (see `freshness`; unknown tokens are never cached). Records the token's use, at most
    /// once a minute.
    pub async fn api_token_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<User>> {
        let generation = self.db.freshness.current();
        let cached = generation.and_then(|g| self.db.callers.get(&token_key(token_hash), g));
        let caller = match cached {
            Some(caller) => caller,
            None => {
                let row: Option<TokenUserRow> = on_pool!(self.db, pool => sqlx::query_as(
                    "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, u.disabled_at, u.sign_in, t.expires_at AS token_expires_at \
                     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND u.disabled_at IS NULL")
                    .bind(token_hash).fetch_optional(pool).await.map_err(failed("API tokens")))?;
                let Some(row) = row else { return Ok(None) };
                let caller = Caller {
                    user: row.user.into_user()?,
                    csrf: None,
                    expires_at: row.token_expires_at,
                };
                if let Some(g) = generation {
                    self.db
                        .callers
                        .put(token_key(token_hash), g, caller.clone());
                }
                caller
            }
        };
        let Some((user, _)) = caller.live(now) else {
            return Ok(None);
        };
        self.touch(token_hash, now).await?;
        Ok(Some(user))
    }

    async fn touch(&self, token_hash: &str, now: i64) -> StoreResult<()> {
        {
            let mut touched = self.db.touched.0.lock().unwrap_or_else(|p| p.into_inner());
            if touched
                .get(token_hash)
                .is_some_and(|at| now - at < TOUCH_EVERY_S)
            {
                return Ok(());
            }
            if touched.len() > 10_000 {
                touched.clear();
            }
            touched.insert(token_hash.to_owned(), now);
        }
        on_pool!(self.db, pool => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now).bind(token_hash).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("API tokens")))?;
        Ok(())
    }

    pub async fn api_token(&self, id: &str) -> StoreResult<Option<ApiToken>> {
        let row: Option<ApiTokenRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, user_id, name, token_hash, created_at, expires_at, last_used_at FROM api_tokens WHERE id = $1")
            .bind(id).fetch_optional(pool).await.map_err(failed("API tokens")))?;
        Ok(row.map(ApiToken::from))
    }

    /// Tokens with their users' names: of one user, or of everyone (`None`).
    pub async fn api_tokens(&self, user_id: Option<&str>) -> StoreResult<Vec<ListedToken>> {
        let rows: Vec<ListedTokenRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT t.id, t.user_id, t.name, t.token_hash, t.created_at, t.expires_at, t.last_used_at, u.username \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ($1 IS NULL OR t.user_id = $1) ORDER BY u.username, t.created_at, t.id")
            .bind(user_id).fetch_all(pool).await.map_err(failed("API tokens")))?;
        Ok(rows
            .into_iter()
            .map(|r| ListedToken {
                token: r.token.into(),
                username: r.username,
            })
            .collect())
    }

    pub async fn delete_api_token(&self, id: &str) -> StoreResult<()> {
        let done = on_pool!(self.db, pool => sqlx::query("DELETE FROM api_tokens WHERE id = $1")
            .bind(id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("API tokens")))?;
        self.db.freshness.changed();
        if done == 0 {
            return Err(StoreError::NotFound {
                what: format!("API token {id}"),
            });
        }
        Ok(())
    }

    /// The hub user an identity is linked to, if any.
    pub async fn sso_user(&self, issuer: &str, subject: &str) -> StoreResult<Option<User>> {
        let row: Option<UserRow> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, u.disabled_at, u.sign_in \
             FROM sso_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer = $1 AND i.subject = $2")
            .bind(issuer).bind(subject).fetch_optional(pool).await.map_err(failed("single sign-on identities")))?;
        row.map(UserRow::into_user).transpose()
    }

    /// Links an identity to a user (a user has at most one per issuer); false when the
    /// user is linked to another identity of that issuer already.
    pub async fn link_sso(&self, identity: &SsoIdentity, at: i64) -> StoreResult<bool> {
        // One identity per user and issuer is a unique index: two first sign-ins racing for
        // one user cannot both link.
        let linked = on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO sso_identities (issuer, subject, user_id, linked_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (issuer, subject) DO UPDATE SET last_sign_in_at = excluded.last_sign_in_at")
            .bind(&identity.issuer).bind(&identity.subject).bind(&identity.user_id).bind(at)
            .execute(pool).await.map(drop).map_err(failed("single sign-on identities")));
        match linked {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn put_sso_state(&self, s: &SsoState) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO sso_states (state_hash, nonce, code_verifier, next, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.state_hash).bind(&s.nonce).bind(&s.code_verifier).bind(&s.next).bind(s.expires_at)
            .execute(pool).await.map(drop).map_err(failed("single sign-on state")))
    }

    /// Removes and returns a live sign-on state: each can be finished once.
    pub async fn take_sso_state(
        &self,
        state_hash: &str,
        now: i64,
    ) -> StoreResult<Option<SsoState>> {
        let row: Option<SsoState> = on_pool!(self.db, pool => sqlx::query_as(
            "DELETE FROM sso_states WHERE state_hash = $1 RETURNING state_hash, nonce, code_verifier, next, expires_at")
            .bind(state_hash).fetch_optional(pool).await.map_err(failed("single sign-on state")))?;
        Ok(row.filter(|r| r.expires_at > now))
    }

    pub async fn put_oauth_state(&self, s: OAuthState) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO oauth_states (state_hash, user_id, connection_name, scopes, features, code_verifier, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&s.state_hash).bind(&s.user_id).bind(&s.connection_name).bind(s.scopes.join(",")).bind(s.features.join(","))
            .bind(&s.code_verifier).bind(s.expires_at)
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
            "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING state_hash, user_id, connection_name, scopes, features, code_verifier, expires_at")
            .bind(state_hash).fetch_optional(pool).await.map_err(failed("OAuth state")))?;
        Ok(row.filter(|r| r.expires_at > now).map(|r| OAuthState {
            scopes: split(&r.scopes),
            features: split(&r.features),
            state_hash: r.state_hash,
            user_id: r.user_id,
            connection_name: r.connection_name,
            code_verifier: r.code_verifier,
            expires_at: r.expires_at,
        }))
    }

    /// Deletes expired sessions, OAuth consents and API tokens; returns how many rows.
    pub async fn purge_expired(&self, now: i64) -> StoreResult<u64> {
        let mut purged = 0;
        for sql in [
            "DELETE FROM sessions WHERE expires_at <= $1",
            "DELETE FROM oauth_states WHERE expires_at <= $1",
            "DELETE FROM sso_states WHERE expires_at <= $1",
            "DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1",
        ] {
            purged += on_pool!(self.db, pool => sqlx::query(sql)
                .bind(now).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("purging expired access")))?;
        }
        Ok(purged)
    }

    /// Until when (Unix seconds) the keys must wait before another sign-in, if any must.
    pub async fn sign_in_locked_until(
        &self,
        keys: &[String],
        now: i64,
    ) -> StoreResult<Option<i64>> {
        let mut until = None;
        for key in keys {
            let locked: Option<Option<i64>> = on_pool!(self.db, pool => sqlx::query_scalar(
                "SELECT locked_until FROM sign_in_failures WHERE key = $1")
                .bind(key).fetch_optional(pool).await.map_err(failed("sign-in failures")))?;
            if let Some(Some(at)) = locked
                && at > now
            {
                until = Some(until.map_or(at, |u: i64| u.max(at)));
            }
        }
        Ok(until)
    }

    /// Counts a failed sign-in for `key`; returns until when the key must now wait, if it
    /// must. Failures older than the policy's memory are forgotten first.
    pub async fn record_sign_in_failure(
        &self,
        key: &str,
        now: i64,
        policy: ThrottlePolicy,
    ) -> StoreResult<Option<i64>> {
        let failures: i64 = on_pool!(self.db, pool => sqlx::query_scalar(
            "INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN sign_in_failures.last_failure_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END, \
               last_failure_at = $2 \
             RETURNING failures")
            .bind(key).bind(now).bind(now - policy.memory_s)
            .fetch_one(pool).await.map_err(failed("sign-in failures")))?;
        let excess = failures - policy.free_failures;
        if excess <= 0 {
            return Ok(None);
        }
        let wait = policy
            .first_wait_s
            .saturating_mul(1i64 << (excess - 1).clamp(0, 30))
            .min(policy.longest_wait_s);
        let until = now + wait;
        on_pool!(self.db, pool => sqlx::query("UPDATE sign_in_failures SET locked_until = $1 WHERE key = $2")
            .bind(until).bind(key).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("sign-in failures")))?;
        Ok(Some(until))
    }

    pub async fn clear_sign_in_failures(&self, key: &str) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("sign-in failures")))?;
        Ok(())
    }
}
