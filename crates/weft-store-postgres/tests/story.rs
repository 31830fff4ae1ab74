//! The store story on PostgreSQL, when `WEFT_TEST_POSTGRES_URL` names a database it may
//! wipe (CI sets it to the local server). Without it the test says so and passes.

use weft_store::{Store, StoreError};
use weft_store_postgres::PostgresStore;

async fn fresh() -> Option<PostgresStore> {
    let Ok(url) = std::env::var("WEFT_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: set WEFT_TEST_POSTGRES_URL to run the PostgreSQL store tests");
        return None;
    };
    // One schema of its own per test binary run, so nothing else in the database is touched.
    let schema = format!("weft_test_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to WEFT_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    Some(
        PostgresStore::open(&format!("{url}{separator}options=-csearch_path%3D{schema}"))
            .await
            .unwrap(),
    )
}

#[tokio::test]
async fn story_on_postgres_and_newer_schema_refused() {
    let Some(store) = fresh().await else { return };
    assert_eq!(store.backend(), "postgres");
    weft_store::story::run(&store).await;
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, '\\x00', 0)").execute(store.pool()).await.unwrap();
    let url = std::env::var("WEFT_TEST_POSTGRES_URL").unwrap();
    let schema = format!("weft_test_{}", std::process::id());
    let separator = if url.contains('?') { '&' } else { '?' };
    let err = PostgresStore::open(&format!("{url}{separator}options=-csearch_path%3D{schema}"))
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(err, StoreError::NewerSchema { found: 9999, .. }),
        "{err}"
    );
}
