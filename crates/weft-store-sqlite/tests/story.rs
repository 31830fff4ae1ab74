//! The store story on SQLite, and the refusal of a database from a newer weft.

use weft_store::{Store, StoreError};
use weft_store_sqlite::SqliteStore;

fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("weft-store-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}", dir.join("weft.db").display())
}

#[tokio::test]
async fn story_on_sqlite() {
    let store = SqliteStore::open(&temp_db("story")).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    weft_store::story::run(&store).await;
}

#[tokio::test]
async fn a_database_from_a_newer_weft_is_refused_and_left_alone() {
    let url = temp_db("newer");
    let store = SqliteStore::open(&url).await.unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, X'00', 0)").execute(store.pool()).await.unwrap();
    drop(store);
    let err = SqliteStore::open(&url).await.err().expect("refused");
    assert!(
        matches!(err, StoreError::NewerSchema { found: 9999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer weft"));
}
