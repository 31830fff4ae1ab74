//! The SQLite store copies its WAL into the database file in the background, without
//! waiting for a writer to cross the autocheckpoint mark.

use std::time::Duration;

use weft_store::Store;

#[tokio::test]
async fn committed_pages_reach_the_database_file_without_a_writer_checkpointing() {
    let url = weft_store::testing::temp_sqlite_url("checkpoint");
    let path = std::path::PathBuf::from(url.trim_start_matches("sqlite://"));
    let store = Store::open(&url).await.unwrap();
    store
        .execute_unchecked("CREATE TABLE filler (n INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        .await
        .unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    // About 4 MiB: some 1,400 pages of 4 KiB, well below the 4,000 that make a writer
    // checkpoint, so only the background copy can move them into the file.
    store
        .execute_unchecked(
            "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 4000) \
             INSERT INTO filler SELECT n, printf('%.1000c', 'x') FROM i",
        )
        .await
        .unwrap();
    let mut grown = 0;
    for _ in 0..300 {
        grown = std::fs::metadata(&path).unwrap().len();
        if grown > before + 4_000_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        grown > before + 4_000_000,
        "the database file stayed at {grown} bytes (from {before}): the WAL was not copied"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
