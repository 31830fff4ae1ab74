//! The PostgreSQL store, for several hub instances sharing one database. Migrations in
//! `migrations/` run on open (sqlx takes an advisory lock, so instances starting together
//! migrate once).

use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres};
use weft_store::{StoreError, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

pub struct PostgresStore {
    pool: Pool<Postgres>,
}

impl PostgresStore {
    /// Connects to `postgres://...`, refuses a database from a newer weft, and migrates.
    pub async fn open(url: &str) -> StoreResult<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(url)
            .await
            .map_err(|e| StoreError::Database(format!("connecting to PostgreSQL: {e}")))?;
        weft_store::check_schema_not_newer!(&pool, MIGRATOR)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(format!("migrating PostgreSQL: {e}")))?;
        Ok(PostgresStore { pool })
    }

    /// For tests: raw SQL (e.g. to fake a newer schema).
    pub fn pool(&self) -> &Pool<Postgres> {
        &self.pool
    }
}

weft_store::sql_store!(PostgresStore, Postgres, "postgres", {
    async fn with_refresh_lock<'a>(
        &'a self,
        connection_id: &'a str,
        work: futures::future::BoxFuture<'a, ()>,
    ) -> weft_store::StoreResult<()> {
        let db = |e: sqlx::Error| StoreError::Database(format!("refresh lock: {e}"));
        // Transaction-scoped, so a crash or a dropped future can never leave it held.
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
            .bind(connection_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        work.await;
        tx.commit().await.map_err(db)
    }
});
