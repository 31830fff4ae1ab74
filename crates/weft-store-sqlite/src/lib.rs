//! The embedded SQLite store: one file, WAL journal, a busy timeout so concurrent writers
//! wait instead of failing. Migrations in `migrations/` run on open.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Pool, Sqlite};
use weft_store::{StoreError, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

pub struct SqliteStore {
    pool: Pool<Sqlite>,
}

impl SqliteStore {
    /// Opens (creating if needed) `sqlite://PATH` or `sqlite::memory:`, refuses a database
    /// from a newer weft, and migrates.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Database(format!("database URL {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // An in-memory database lives in one connection only.
        let max = if url.contains(":memory:") { 1 } else { 4 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Database(format!("opening {url}: {e}")))?;
        weft_store::check_schema_not_newer!(&pool, MIGRATOR)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migrating {url}: {e}")))?;
        Ok(SqliteStore { pool })
    }

    /// For tests: raw SQL against the file (e.g. to fake a newer schema).
    pub fn pool(&self) -> &Pool<Sqlite> {
        &self.pool
    }
}

weft_store::sql_store!(SqliteStore, Sqlite, "sqlite", {
    // One hub instance owns an SQLite file, so there is no one to race.
    async fn with_refresh_lock<'a>(
        &'a self,
        _connection_id: &'a str,
        work: futures::future::BoxFuture<'a, ()>,
    ) -> weft_store::StoreResult<()> {
        work.await;
        Ok(())
    }
});
