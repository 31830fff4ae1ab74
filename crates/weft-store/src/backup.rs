//! Backups of the embedded database: a consistent copy made while the hub serves (SQLite's
//! `VACUUM INTO`, one read transaction), stamped with the id of the secrets key it needs, and
//! read back before a restore without migrating or changing it.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

use crate::db::{Pool, failed};
use crate::{Store, StoreError, StoreResult};

/// Where a backup keeps the id of the key its secrets are sealed with.
const KEY_ID: &str = "backup:key_id";
/// Where the hub keeps its key marker (see `secrets.rs`).
const MARKER: &str = "key_check";

/// The tables a backup is described by: what an operator compares after a restore.
pub const COUNTED: &[(&str, &str)] = &[
    ("connections", "connections"),
    ("users", "hub users"),
    ("wrike_users", "Wrike people"),
    ("wrike_audit_records", "audit records"),
    ("recipes", "recipes"),
    ("recipe_runs", "recipe runs"),
    ("jobs", "jobs"),
    ("usage_policies", "policies"),
    ("trail", "trail entries"),
];

/// What a backup file holds, read without changing it.
#[derive(Debug, Clone)]
pub struct BackupInfo {
    /// The id of the secrets key its secrets are sealed with (none: made before stamping).
    pub key_id: Option<String>,
    /// The sealed key marker, to check a key against before restoring.
    pub marker: Option<Vec<u8>>,
    /// The newest migration applied to it.
    pub migration: Option<i64>,
    /// Rows per counted table (label, rows).
    pub counts: Vec<(&'static str, i64)>,
}

impl Store {
    /// Writes a consistent copy of the embedded database to `to` (which must not exist),
    /// while the hub keeps serving, and stamps it with `key_id`. PostgreSQL is backed up with
    /// its own tools; the error says how.
    pub async fn backup_to(&self, to: &Path, key_id: &str) -> StoreResult<()> {
        let Pool::Sqlite(pool) = &self.db.pool else {
            return Err(StoreError::WrongState {
                message: "a PostgreSQL database is backed up with PostgreSQL's tools: `pg_dump --format=custom --file=weft.dump DATABASE_URL`, and restored into an empty database with `pg_restore --dbname=DATABASE_URL weft.dump` (keep the secrets key with it)".into(),
            });
        };
        sqlx::query("VACUUM INTO $1")
            .bind(to.to_string_lossy().into_owned())
            .execute(pool)
            .await
            .map_err(failed("copying the database"))?;
        let copy = open_file(to, false).await?;
        let stamped = stamp(&copy, key_id).await;
        copy.close().await;
        stamped
    }
}

/// Stamps a fresh copy with the key's id, and lets go of the leases it holds: the syncs and
/// jobs running when it was made belong to processes that are not in it, so a restored hub
/// takes them up at once instead of waiting for their leases to run out.
async fn stamp(copy: &SqlitePool, key_id: &str) -> StoreResult<()> {
    let mut tx = copy.begin().await.map_err(failed("stamping the backup"))?;
    sqlx::query(
        "INSERT INTO hub_settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(KEY_ID)
    .bind(key_id.as_bytes())
    .execute(&mut *tx)
    .await
    .map_err(failed("stamping the backup"))?;
    sqlx::query("UPDATE usage_syncs SET lease_expires_at = 0 WHERE lease_owner IS NOT NULL")
        .execute(&mut *tx)
        .await
        .map_err(failed("letting go of the backup's sync leases"))?;
    sqlx::query("UPDATE jobs SET lease_expires_ms = 0 WHERE status = 'running'")
        .execute(&mut *tx)
        .await
        .map_err(failed("letting go of the backup's job leases"))?;
    tx.commit().await.map_err(failed("stamping the backup"))
}

async fn open_file(path: &Path, read_only: bool) -> StoreResult<SqlitePool> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false);
    SqlitePool::connect_with(options)
        .await
        .map_err(|e| StoreError::Database {
            what: format!("opening {}", path.display()),
            message: e.to_string(),
        })
}

/// Reads what a backup file holds, without migrating or changing it.
pub async fn describe(path: &Path) -> StoreResult<BackupInfo> {
    let pool = open_file(path, true).await?;
    let info = read_info(&pool).await;
    pool.close().await;
    info
}

async fn read_info(pool: &SqlitePool) -> StoreResult<BackupInfo> {
    let setting = |name: &'static str| async move {
        sqlx::query_scalar::<_, Vec<u8>>("SELECT value FROM hub_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await
            .map_err(failed("reading the backup (is it a weft database?)"))
    };
    let key_id = setting(KEY_ID)
        .await?
        .map(|v| String::from_utf8_lossy(&v).into_owned());
    let marker = setting(MARKER).await?;
    let migration =
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await
            .map_err(failed("reading the backup's migrations"))?;
    let mut counts = Vec::new();
    for (table, label) in COUNTED {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(pool)
                .await
                .map_err(failed("counting the backup's rows"))?;
        counts.push((*label, n));
    }
    Ok(BackupInfo {
        key_id,
        marker,
        migration,
        counts,
    })
}

impl Store {
    /// Rows per counted table of this database, as `describe` counts a backup's.
    pub async fn counts(&self) -> StoreResult<Vec<(&'static str, i64)>> {
        let mut counts = Vec::new();
        for (table, label) in COUNTED {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = crate::db::on_pool!(self.db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool).await.map_err(failed("counting rows")))?;
            counts.push((*label, n));
        }
        Ok(counts)
    }
}

/// The file an embedded database URL names (none for PostgreSQL or a database in memory).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (path != Path::new(":memory:") && !path.as_os_str().is_empty()).then(|| path.to_path_buf())
}
