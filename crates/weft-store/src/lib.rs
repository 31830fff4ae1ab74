//! The storage interface of the hub. Backends (SQLite, PostgreSQL) live in their own crates
//! with their own migrations; the binary picks one from the database URL's scheme.
//!
//! Secrets arrive here already encrypted (`weft_core::secrets`); a store never sees a
//! plaintext token. Times are Unix seconds (UTC) in every backend.

mod model;
mod sql;
pub mod story;

use async_trait::async_trait;

pub use model::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{what} already exists")]
    Conflict { what: String },
    /// Someone else changed the row first (compare-and-swap lost).
    #[error("{what} was changed concurrently; read it again")]
    Stale { what: String },
    #[error(
        "this database was written by a newer weft (schema {found}, this weft knows up to {supported}); upgrade weft instead of downgrading the database"
    )]
    NewerSchema { found: i64, supported: i64 },
    #[error("database error: {0}")]
    Database(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the hub keeps. One implementation per backend.
#[async_trait]
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    async fn create_connection(&self, connection: NewConnection) -> StoreResult<Connection>;
    async fn connection(&self, id: &str) -> StoreResult<Option<Connection>>;
    async fn list_connections(&self) -> StoreResult<Vec<Connection>>;
    async fn delete_connection(&self, id: &str) -> StoreResult<()>;
    /// The encrypted tokens and their version.
    async fn connection_secrets(&self, id: &str) -> StoreResult<StoredSecrets>;
    /// Replaces the tokens if their version is still `expected_version` (a refresh that
    /// raced another one loses and must re-read); returns the new version.
    async fn replace_secrets(
        &self,
        id: &str,
        expected_version: i64,
        secrets: SealedTokens,
    ) -> StoreResult<i64>;
    async fn record_health(&self, id: &str, health: &Health) -> StoreResult<()>;
    /// Runs `work` while holding the refresh lock of one connection, so that hub instances
    /// sharing the database refresh its tokens one at a time (PostgreSQL: a transaction-scoped
    /// advisory lock keyed by the connection; SQLite serves one instance and just runs it).
    async fn with_refresh_lock<'a>(
        &'a self,
        connection_id: &'a str,
        work: futures::future::BoxFuture<'a, ()>,
    ) -> StoreResult<()>;

    async fn create_session(&self, session: NewSession) -> StoreResult<()>;
    /// The user of a live session and the session's CSRF token.
    async fn session_user(&self, id_hash: &str, now: i64) -> StoreResult<Option<(User, String)>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    async fn create_api_token(&self, token: ApiToken) -> StoreResult<()>;
    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>>;
    async fn list_api_tokens(&self, user_id: &str) -> StoreResult<Vec<ApiToken>>;

    async fn put_oauth_state(&self, state: OAuthState) -> StoreResult<()>;
    /// Removes and returns a live state: each consent can be completed once.
    async fn take_oauth_state(&self, state_hash: &str, now: i64)
    -> StoreResult<Option<OAuthState>>;

    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<()>;
    /// Newest first.
    async fn audit_trail(&self, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}
