//! Fresh stores for tests: an SQLite file in a temporary directory, or a PostgreSQL schema
//! of its own (dropped and created again), so tests never touch each other's data.

use crate::{Store, StoreResult};

/// A new SQLite database under the system's temporary directory.
pub async fn temp_sqlite(name: &str) -> StoreResult<Store> {
    Store::open(&temp_sqlite_url(name)).await
}

/// The URL of a new, empty SQLite file for `name` (its directory is emptied first).
pub fn temp_sqlite_url(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("weft-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("weft.db").display())
}

/// The URL of a new, empty schema `weft_test_PID_NAME` in the PostgreSQL database at `url`:
/// every connection opened with it works in that schema only.
pub async fn postgres_schema_url(url: &str, name: &str) -> StoreResult<String> {
    let schema = format!(
        "weft_test_{}_{}",
        std::process::id(),
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let admin = sqlx::PgPool::connect(url)
        .await
        .map_err(crate::db::failed("connecting to the test database"))?;
    for statement in [
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        format!("CREATE SCHEMA {schema}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&admin)
            .await
            .map_err(crate::db::failed("preparing the test schema"))?;
    }
    admin.close().await;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}options=-csearch_path%3D{schema}"))
}

/// A store on a new schema of the PostgreSQL database at `url`.
pub async fn postgres(url: &str, name: &str) -> StoreResult<Store> {
    Store::open(&postgres_schema_url(url, name).await?).await
}

/// The PostgreSQL database the tests may use: `WEFT_TEST_POSTGRES_URL`. Without it the
/// caller skips its PostgreSQL part, loudly, unless `WEFT_REQUIRE_POSTGRES=1` (set by
/// `scripts/test` and CI), which makes a missing database a failure instead of a skip.
/// (Test support is the one library code allowed to read `WEFT_*` switches.)
pub fn postgres_url() -> Option<String> {
    match std::env::var("WEFT_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("WEFT_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "WEFT_REQUIRE_POSTGRES=1 but WEFT_TEST_POSTGRES_URL is not set"
            );
            eprintln!(
                "SKIPPED on PostgreSQL: set WEFT_TEST_POSTGRES_URL to run this test there too"
            );
            None
        }
    }
}

/// A fresh store on every backend the tests may use: SQLite always, PostgreSQL when
/// `postgres_url()` names a database (an unreachable one fails the test).
pub async fn every_backend(name: &str) -> Vec<Store> {
    let mut stores = vec![temp_sqlite(name).await.expect("a fresh SQLite store")];
    if let Some(url) = postgres_url() {
        stores.push(
            postgres(&url, name)
                .await
                .unwrap_or_else(|e| panic!("the PostgreSQL test database at {url}: {e}")),
        );
    }
    stores
}
