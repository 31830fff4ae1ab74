//! Backup and restore of the embedded database: `weft backup` while a sync is writing makes
//! a consistent copy that says which key it needs; `weft restore` refuses another key, a
//! data folder that is not empty and a file that is no backup, and restores into an empty
//! one: the same rows as the backup counted, the connection's token still opens, and a sync
//! of the restored hub resumes to the same audit records as the original. PostgreSQL is
//! backed up with its own tools, and `weft backup` says how.

use std::process::Stdio;
use std::time::Duration;

mod common;
use common::{Instance, text};

const SETTINGS: &[(&str, &str)] = &[
    ("WEFT_ALLOW_ANY_WRIKE_HOST", "true"),
    ("WEFT_WRIKE_REQUESTS_PER_MINUTE", "1200"),
    ("WEFT_LOG", "warn"),
];

/// The counts a backup or restore printed: `  N what` lines.
fn counts(out: &str) -> Vec<(String, i64)> {
    out.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (n, what) = l.split_once(' ')?;
            Some((what.trim().to_owned(), n.parse().ok()?))
        })
        .collect()
}

fn audit_records(out: &[(String, i64)]) -> i64 {
    out.iter()
        .find(|(w, _)| w == "audit records")
        .map(|(_, n)| *n)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_made_during_a_sync_restores_whole_with_its_key_only() {
    let sim = common::sim_of(300).await;
    let hub = Instance::new("backup-origin", SETTINGS);
    let token_request = common::integration_token_request(&sim, &["Default", "amReadOnlyAuditLog"]);
    common::connect(&hub, &sim, "acme", token_request).await;

    // A sync writes page after page; the backup is made meanwhile.
    let mut sync = hub
        .command(&["sync", "acme"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let file = hub.dir.join("weft.backup");
    let made = hub.run(&["backup", file.to_str().unwrap()]);
    let made_text = text(&made);
    assert!(made.status.success(), "{made_text}");
    let key_id = made_text
        .split("secrets key with id ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert_eq!(key_id.len(), 12, "{made_text}");
    assert!(
        !made_text.contains(hub.key()),
        "the key itself is never printed"
    );
    let in_backup = counts(&made_text);
    assert_eq!(in_backup.len(), 9, "{made_text}");
    assert!(
        sync.try_wait().unwrap().is_none(),
        "the backup was made while the sync ran"
    );
    let synced = sync.wait_with_output().unwrap();
    assert!(synced.status.success(), "{}", text(&synced));
    let mut original_audit = None;
    for line in text(&synced).lines() {
        if line.starts_with("audit_log") {
            original_audit = line.split_whitespace().nth(2).map(str::to_owned);
        }
    }
    assert!(original_audit.is_some(), "{}", text(&synced));
    // A backup never overwrites.
    let again = hub.run(&["backup", file.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("never overwrites"),
        "{}",
        text(&again)
    );

    // Another key is refused, naming the key the backup needs; nothing is written.
    let stranger = Instance::new("backup-stranger", SETTINGS);
    let refused = stranger.run(&["restore", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains(&format!("needs the secrets key with id {key_id}")),
        "{}",
        text(&refused)
    );
    assert!(!stranger.dir.join("weft.db").exists());
    // A file that is not a backup is refused by name.
    let junk = stranger.dir.join("junk.backup");
    std::fs::write(&junk, "not a database").unwrap();
    let refused = stranger.run(&["restore", junk.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("is not a weft backup"),
        "{}",
        text(&refused)
    );

    // With its key, into an empty folder: the same rows as the backup counted.
    let restored = Instance::new("backup-restored", SETTINGS).with_key(hub.key());
    let out = restored.run(&["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let after = counts(&text(&out));
    assert_eq!(after, in_backup, "{}", text(&out));
    // A second restore would overwrite it: refused.
    let twice = restored.run(&["restore", file.to_str().unwrap()]);
    assert!(!twice.status.success());
    assert!(
        text(&twice).contains("empty data folder"),
        "{}",
        text(&twice)
    );
    // The sealed token opens: the connection checks out against Wrike.
    let check = restored.run(&["connections", "check", "acme"]);
    assert!(check.status.success(), "{}", text(&check));
    // The backup held a consistent page boundary: the restored hub's sync resumes from it
    // and ends with the same audit records as the original, none twice.
    let resumed = restored.run(&["sync", "acme"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    let final_counts = |instance: &Instance| {
        let file = instance
            .dir
            .join(format!("count-{}.backup", fastrand::u32(..)));
        let out = instance.run(&["backup", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        audit_records(&counts(&text(&out)))
    };
    let original = final_counts(&hub);
    assert!(original >= audit_records(&in_backup));
    assert_eq!(final_counts(&restored), original);

    // PostgreSQL: its own tools, said by name.
    if let Ok(pg) = std::env::var("WEFT_TEST_POSTGRES_URL") {
        let pg = weft_store::testing::postgres_schema_url(&pg, "backup")
            .await
            .unwrap();
        let out = hub
            .command(&["backup", "/tmp/never-written.backup"])
            .env("WEFT_DATABASE_URL", &pg)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    }
}
