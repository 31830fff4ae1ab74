//! The hub's storage: one `Store` over embedded SQLite (the default, one instance) or
//! PostgreSQL (several instances sharing the work), chosen by the URL's scheme.
//!
//! The store is split by area, each a handle with its own records: `connections()`,
//! `access()` (users, sessions, API tokens, OAuth consents, sign-in failures), `trail()`
//! (the hub's own record of who changed what), `jobs()` (the durable queue), `schedules()`
//! (periodic jobs) and `secrets()` (the key check and re-sealing).
//! The SQL is written once for both databases (`$N` placeholders, integer times, text and
//! bytes); where they must differ (claiming jobs, the refresh lock) the area says so in a
//! `match` on the backend.
//!
//! Secrets arrive here already encrypted (`weft_core::secrets`); a store never sees a
//! plaintext token. Times are Unix seconds, except in the job queue and schedules, which keep
//! Unix milliseconds in columns named `_ms`.

mod access;
pub mod backup;
mod checkpoint;
mod connections;
mod copy;
mod db;
mod freshness;
mod group_commit;
mod jobs;
mod recipes;
mod schedules;
mod secrets;
pub mod testing;
mod trail;
mod usage;

pub use access::*;
pub use connections::*;
pub use copy::CopiedTable;
pub use db::Backend;
pub use jobs::*;
pub use recipes::*;
pub use schedules::*;
pub use secrets::*;
pub use trail::*;
pub use usage::*;

use db::Db;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: String },
    /// A unique name or key is taken.
    #[error("{what} already exists")]
    Conflict { what: String },
    /// The row is in a state that does not allow the change (a finished job cancelled).
    #[error("{message}")]
    WrongState { message: String },
    /// Someone else changed the row first (compare-and-swap lost).
    #[error("{what} was changed concurrently; read it again")]
    Stale { what: String },
    #[error(
        "this database was written by a newer weft (schema {found}, this weft knows up to {supported}); upgrade weft instead of downgrading the database"
    )]
    NewerSchema { found: i64, supported: i64 },
    /// The database could not be reached in time (down, overloaded, pool exhausted).
    #[error("the database is unavailable ({what}): {message}")]
    Unavailable { what: String, message: String },
    /// Anything else the database refused; the text is for logs, not for callers.
    #[error("database error ({what}): {message}")]
    Database { what: String, message: String },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the hub keeps. Cheap to share behind an `Arc`.
pub struct Store {
    db: Db,
    run_writes: recipes::RunWrites,
}

impl Store {
    /// Opens `sqlite://PATH` (creating the file and its directory), `sqlite::memory:`, or
    /// `postgres://...`; refuses a database written by a newer weft; migrates.
    pub async fn open(url: &str) -> StoreResult<Store> {
        Ok(Store {
            db: Db::open(url).await?,
            run_writes: recipes::RunWrites::default(),
        })
    }

    /// Every value of every table as text, one row a line: what a test searches for what
    /// must never be stored (a planted secret).
    pub async fn dump_text(&self) -> StoreResult<String> {
        self.db.dump_text().await
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The newest migration applied to the database (none: not migrated), and the newest
    /// this weft knows: equal when the schema is current.
    pub async fn schema(&self) -> StoreResult<(Option<i64>, i64)> {
        self.db.schema().await
    }

    pub fn connections(&self) -> Connections<'_> {
        Connections { db: &self.db }
    }

    pub fn access(&self) -> Access<'_> {
        Access { db: &self.db }
    }

    pub fn trail(&self) -> Trail<'_> {
        Trail { db: &self.db }
    }

    pub fn jobs(&self) -> Jobs<'_> {
        Jobs { db: &self.db }
    }

    pub fn recipes(&self) -> Recipes<'_> {
        Recipes {
            db: &self.db,
            writes: &self.run_writes,
        }
    }

    pub fn schedules(&self) -> Schedules<'_> {
        Schedules { db: &self.db }
    }

    pub fn secrets(&self) -> Secrets<'_> {
        Secrets { db: &self.db }
    }

    pub fn usage(&self) -> Usage<'_> {
        Usage { db: &self.db }
    }

    /// Keeps the read caches exact while it runs: polls the database's change counter every
    /// `freshness::POLL` until an error. The hub's runtime runs it, supervised; without it
    /// running, reads bypass the caches (see `freshness`).
    pub async fn watch_changes(&self) -> StoreResult<()> {
        loop {
            self.db.poll_changes().await?;
            tokio::time::sleep(freshness::POLL).await;
        }
    }

    /// How long a change made by one process may take to reach every other one's caches;
    /// revocations wait this long before they report success.
    pub fn propagation_delay(&self) -> std::time::Duration {
        freshness::POLL * 3
    }

    /// Runs one statement as it is (tests use it to fake a newer schema or break a row).
    pub async fn execute_unchecked(&self, sql: &str) -> StoreResult<u64> {
        self.db.execute_unchecked(sql).await
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}
