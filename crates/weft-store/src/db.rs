//! The two databases behind one store: their pools, how each is opened and migrated, how
//! their errors become `StoreError`s, and `on_pool!`, which runs the same query text on
//! whichever pool is open.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::freshness::{Cache, Freshness};
use crate::{Connection, StoreError, User};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the open pool, whichever database it is. The body is
/// the same text for both; its result type must not depend on the database (decode rows
/// with `sqlx::FromRow` types, which work on both).
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match &$db.pool {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// In-process locks by key, for what SQLite cannot lock across connections by name.
#[derive(Default)]
pub(crate) struct LocalLocks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl LocalLocks {
    pub fn get(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget locks nobody holds or waits for, so the map stays as small as the work.
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(key.to_owned()).or_default().clone()
    }
}

/// When each API token's last use was last written by this process (the access area
/// records a use at most once a minute per token).
#[derive(Default)]
pub(crate) struct Touched(pub(crate) Mutex<HashMap<String, i64>>);

pub(crate) struct Db {
    pub pool: Pool,
    /// SQLite only: copies the WAL into the database file in the background.
    _checkpointer: Option<crate::checkpoint::Checkpointer>,
    pub local_locks: LocalLocks,
    pub freshness: Freshness,
    /// API token and session hashes to the caller they belong to.
    pub callers: Cache<String, Caller>,
    pub connections: Cache<(), Vec<Connection>>,
    /// When this process last recorded each API token's use.
    pub touched: Touched,
}

/// A cached caller: the user, the session's CSRF token, and when the session or token ends.
#[derive(Clone)]
pub(crate) struct Caller {
    pub user: User,
    pub csrf: Option<String>,
    pub expires_at: Option<i64>,
}

impl Caller {
    /// The user and CSRF token, unless the session or token has expired at `now`.
    pub fn live(self, now: i64) -> Option<(User, Option<String>)> {
        match self.expires_at {
            Some(at) if at <= now => None,
            _ => Some((self.user, self.csrf)),
        }
    }
}

impl Db {
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        let pool = if url.starts_with("sqlite:") {
            Pool::Sqlite(open_sqlite(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::Postgres(open_postgres(url).await?)
        } else {
            return Err(StoreError::Database {
                what: "database URL".into(),
                message: "use sqlite://PATH or postgres://USER@HOST/DB".into(),
            });
        };
        let checkpointer = match &pool {
            Pool::Sqlite(pool) if !url.contains(":memory:") => {
                Some(crate::checkpoint::start(pool.clone()))
            }
            _ => None,
        };
        Ok(Db {
            pool,
            _checkpointer: checkpointer,
            local_locks: LocalLocks::default(),
            freshness: Freshness::new(),
            callers: Cache::new(),
            connections: Cache::new(),
            touched: Touched::default(),
        })
    }

    /// The statement that opens a transaction which reads before it writes. On SQLite a
    /// deferred transaction that first reads cannot always take the write lock later (it
    /// fails with "database is locked" at once, not after the busy timeout), so such
    /// transactions take the lock up front.
    pub fn begin_read_then_write(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "BEGIN IMMEDIATE",
            Pool::Postgres(_) => "BEGIN",
        }
    }

    /// Every value of every table as text (see `Store::dump_text`).
    pub async fn dump_text(&self) -> Result<String, StoreError> {
        let mut out = String::new();
        match &self.pool {
            Pool::Sqlite(pool) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(pool)
                .await
                .map_err(failed("listing tables"))?;
                for table in tables {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                            .bind(&table)
                            .fetch_all(pool)
                            .await
                            .map_err(failed("listing columns"))?;
                    let cells = columns
                        .iter()
                        .map(|c| {
                            format!(
                                "COALESCE(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE CAST(\"{c}\" AS TEXT) END, '')"
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(" || ' ' || ");
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT {cells} FROM \"{table}\""
                    )))
                    .fetch_all(pool)
                    .await
                    .map_err(failed("dumping a table"))?;
                    for row in rows {
                        out.push_str(&format!("{table}: {row}\n"));
                    }
                }
            }
            Pool::Postgres(pool) => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
                )
                .fetch_all(pool)
                .await
                .map_err(failed("listing tables"))?;
                for table in tables {
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT t::text FROM \"{table}\" t"
                    )))
                    .fetch_all(pool)
                    .await
                    .map_err(failed("dumping a table"))?;
                    for row in rows {
                        out.push_str(&format!("{table}: {row}\n"));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The newest migration applied to the database, and the newest this weft knows.
    pub async fn schema(&self) -> Result<(Option<i64>, i64), StoreError> {
        let (applied, migrator) = match &self.pool {
            Pool::Sqlite(pool) => (
                sqlx::query_scalar::<_, Option<i64>>(APPLIED)
                    .fetch_one(pool)
                    .await,
                &SQLITE_MIGRATIONS,
            ),
            Pool::Postgres(pool) => (
                sqlx::query_scalar::<_, Option<i64>>(APPLIED)
                    .fetch_one(pool)
                    .await,
                &POSTGRES_MIGRATIONS,
            ),
        };
        let applied = applied.map_err(failed("reading the applied migrations"))?;
        Ok((
            applied,
            migrator.iter().map(|m| m.version).max().unwrap_or(0),
        ))
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Reads the change counter once and tells the caches (see `freshness`).
    pub async fn poll_changes(&self) -> Result<(), StoreError> {
        let counter: i64 = on_pool!(self, pool => sqlx::query_scalar("SELECT seq FROM change_counter WHERE id = 1")
            .fetch_one(pool).await.map_err(failed("the change counter")))?;
        self.freshness.polled(counter);
        Ok(())
    }

    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64, StoreError> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        on_pool!(self, pool => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(failed("statement")))
    }
}

async fn open_sqlite(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Database {
            what: format!("database URL {url:?}"),
            message: e.to_string(),
        })?
        .create_if_missing(true)
        // 4 KiB pages (SQLite's default) for new databases; an existing file keeps its
        // own. Every commit writes each page it changed to the WAL whole: 16 KiB pages made
        // a backfill's big commits some 4% faster but each small commit of the job queue
        // and recipe runs four times the bytes (a third fewer runs a second; BENCHMARKS.md).
        .page_size(4_096)
        .journal_mode(SqliteJournalMode::Wal)
        // With WAL, NORMAL keeps every commit atomic and the database consistent after a
        // crash; only a power loss can drop the last commits. FULL would fsync every commit.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        // Syncs write pages of a thousand records at a time; a 4 MiB page cache per
        // connection (twice the default) holds a page's working set without growing the
        // hub's memory much (eight connections).
        .pragma("cache_size", "-4096")
        // Checkpoint the WAL every 4,000 pages (16 MiB) instead of every 1,000: fewer
        // fsyncs in a backfill.
        .pragma("wal_autocheckpoint", "4000");
    let path = options.get_filename().to_owned();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Database {
            what: format!("the data directory {}", dir.display()),
            message: e.to_string(),
        })?;
    }
    // An in-memory database lives in one connection only.
    let max = if url.contains(":memory:") { 1 } else { 8 };
    let pool = SqlitePoolOptions::new()
        .max_connections(max)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(failed(&format!("opening {url}")))?;
    let applied = sqlx::query_scalar::<_, Option<i64>>(APPLIED)
        .fetch_one(&pool)
        .await;
    refuse_newer(applied.ok().flatten(), &SQLITE_MIGRATIONS)?;
    SQLITE_MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Database {
            what: format!("migrating {url}"),
            message: e.to_string(),
        })?;
    Ok(pool)
}

async fn open_postgres(url: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::Database {
            what: "the PostgreSQL URL".into(),
            message: e.to_string(),
        })?
        // Reports run their queries side by side (a page and its count) and requests run
        // side by side; with parallel workers each query took the machine's cores for
        // itself and the pair answered in 50 ms instead of 25 (BENCHMARKS.md, usage-report).
        .options([("max_parallel_workers_per_gather", "0")]);
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(failed("connecting to PostgreSQL"))?;
    let applied = sqlx::query_scalar::<_, Option<i64>>(APPLIED)
        .fetch_one(&pool)
        .await;
    refuse_newer(applied.ok().flatten(), &POSTGRES_MIGRATIONS)?;
    // sqlx takes an advisory lock, so instances starting together migrate once.
    POSTGRES_MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| StoreError::Database {
            what: "migrating PostgreSQL".into(),
            message: e.to_string(),
        })?;
    Ok(pool)
}

/// The newest migration applied, or None for a new database (no migrations table yet).
const APPLIED: &str = "SELECT MAX(version) FROM _sqlx_migrations";

/// Refuses a database whose applied migrations go beyond what this weft knows.
fn refuse_newer(found: Option<i64>, migrator: &sqlx::migrate::Migrator) -> Result<(), StoreError> {
    let known: i64 = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    match found {
        Some(found) if found > known => Err(StoreError::NewerSchema {
            found,
            supported: known,
        }),
        _ => Ok(()),
    }
}

/// Maps a database error to a `StoreError` naming what was being done.
pub(crate) fn failed(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            what: what.to_owned(),
        },
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable {
                what: what.to_owned(),
                message: e.to_string(),
            }
        }
        _ => StoreError::Database {
            what: what.to_owned(),
            message: e.to_string(),
        },
    }
}

/// Comma lists as stored in text columns.
pub(crate) fn split(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
