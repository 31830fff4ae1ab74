//! Backup and restore of the embedded database: `weft backup` while a sync is writing and
//! recipe runs are under way makes a consistent copy that says which key it needs (the
//! restored hub finishes the runs); `weft restore` refuses another key, a
//! data folder that is not empty and a file that is no backup, and restores into an empty
//! one: the same rows as the backup counted, the connection's token still opens, and a sync
//! of the restored hub resumes to the same audit records as the original. PostgreSQL is
//! backed up with its own tools, and `weft backup` says how. `weft store copy` moves the
//! embedded database into an empty PostgreSQL one, where the hub goes on with the same
//! people, token, runs and jobs.

use std::process::Stdio;

use serde_json::Value;
use std::time::Duration;

mod common;
use common::{Instance, text};

const SETTINGS: &[(&str, &str)] = &[
    ("WEFT_ALLOW_ANY_WRIKE_HOST", "true"),
    // The waiting recipe's step calls the test on loopback.
    ("WEFT_RECIPE_HTTP_ALLOW", "127.0.0.1"),
    ("WEFT_WRIKE_REQUESTS_PER_MINUTE", "600"),
    ("WEFT_LOG", "warn"),
];

/// A recipe whose one step waits on the test's endpoint (`WAIT_URL`), run by hand.
const WAITING_RECIPE: &str = "name: wait-a-while
connection: acme
trigger:
  schedule:
    cron: \"0 8 * * MON\"
steps:
  - id: wait
    action: http.request
    input:
      url: \"WAIT_URL\"
      method: POST
      json: {}
";

/// The recipe runs a hub lists, read with the CLI.
fn runs(hub: &Instance) -> Vec<Value> {
    let out = hub.run(&["recipes", "runs", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

fn finished(run: &Value) -> bool {
    matches!(
        run["status"].as_str(),
        Some("succeeded" | "failed" | "cancelled")
    )
}

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

    // A sync writes page after page, and recipe runs are under way (three, whose step
    // waits four seconds, taken by a worker); the backup is made meanwhile.
    let (wait_url, waits) = common::delayed_endpoint(Duration::from_secs(4)).await;
    let recipes = hub.dir.join("recipes");
    std::fs::create_dir_all(&recipes).unwrap();
    std::fs::write(
        recipes.join("wait.yaml"),
        WAITING_RECIPE.replace("WAIT_URL", &wait_url),
    )
    .unwrap();
    for args in [
        &["recipes", "apply", recipes.to_str().unwrap()][..],
        &["recipes", "start", "wait-a-while"],
        &["recipes", "trigger", "wait-a-while"],
        &["recipes", "trigger", "wait-a-while"],
        &["recipes", "trigger", "wait-a-while"],
    ] {
        let out = hub.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let mut sync = hub
        .command(&["sync", "acme"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the sync holds the connection, the worker's own scheduled sync of it stands aside.
    let store = weft_store::Store::open(&hub.database_url()).await.unwrap();
    let connection = store.connections().list().await.unwrap().remove(0);
    let started = std::time::Instant::now();
    while store
        .usage()
        .sync_state(&connection.id)
        .await
        .unwrap()
        .and_then(|s| s.lease_owner)
        .is_none()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the sync never began"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(store);
    let mut worker = common::spawn(&hub, &["worker"], "worker.log");
    let started = std::time::Instant::now();
    while waits.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no run started: {}",
            hub.log("worker.log")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    worker.kill().unwrap();
    worker.wait().unwrap();
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
    // The runs in flight when the backup was made are in it unfinished, their leases let
    // go: the restored hub's worker finishes each of them.
    let in_flight = runs(&restored);
    assert_eq!(in_flight.len(), 3, "{in_flight:?}");
    assert!(
        in_flight.iter().any(|r| !finished(r)),
        "the backup was made while runs were under way: {in_flight:?}"
    );
    let mut worker = common::spawn(&restored, &["worker"], "worker.log");
    let started = std::time::Instant::now();
    let done = loop {
        let now = runs(&restored);
        if now.iter().all(finished) {
            break now;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{now:?}\n{}",
            restored.log("worker.log")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    worker.kill().unwrap();
    worker.wait().unwrap();
    assert!(done.iter().all(|r| r["status"] == "succeeded"), "{done:?}");
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

/// The recipe the copy carries a queued run of: it reads the copied people and calls Wrike
/// with the copied (sealed) token.
const RECIPE: &str = "name: idle-check
connection: acme
trigger:
  schedule:
    cron: \"0 8 * * MON\"
steps:
  - id: idle
    action: usage.inactive_users
    input:
      days: 90
  - id: someone
    action: wrike.get_user
    input:
      id: \"{{ steps.idle.users[0].id }}\"
";

/// The people a hub lists, by id with their last activity, read with the CLI.
fn people(out: &std::process::Output) -> Vec<(String, Value)> {
    assert!(out.status.success(), "{}", text(out));
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut people: Vec<(String, Value)> = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["lastActivityAt"].clone(),
            )
        })
        .collect();
    people.sort_by(|a, b| a.0.cmp(&b.0));
    people
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_database_moves_to_postgresql_whole() {
    let Some(pg) = weft_store::testing::postgres_url() else {
        eprintln!("no PostgreSQL (WEFT_TEST_POSTGRES_URL): the copy is not tested here");
        return;
    };
    let target = weft_store::testing::postgres_schema_url(&pg, "store_copy")
        .await
        .unwrap();
    let sim = common::sim_of(120).await;
    let hub = Instance::new("copy-origin", SETTINGS);
    let token_request = common::integration_token_request(&sim, &["Default", "amReadOnlyAuditLog"]);
    common::connect(&hub, &sim, "acme", token_request).await;
    let synced = hub.run(&["sync", "acme"]);
    assert!(synced.status.success(), "{}", text(&synced));
    let recipes = hub.dir.join("recipes");
    std::fs::create_dir_all(&recipes).unwrap();
    std::fs::write(recipes.join("idle-check.yaml"), RECIPE).unwrap();
    for args in [
        &["recipes", "apply", recipes.to_str().unwrap()][..],
        &["recipes", "start", "idle-check"],
        &["recipes", "trigger", "idle-check"],
    ] {
        let out = hub.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let listing = ["usage", "users", "acme", "--limit", "1000", "--json"];
    let before = people(&hub.run(&listing));
    assert!(before.len() > 100, "{before:?}");
    let made = hub.run(&["backup", hub.dir.join("before.backup").to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    let in_sqlite = counts(&text(&made));

    // Refused, with nothing written: a password in argv, a URL that is not PostgreSQL.
    let with_password = target.replacen("postgres://", "postgres://weft:hunter2@", 1);
    let out = hub.run(&["store", "copy", "--to", &with_password]);
    assert!(!out.status.success());
    assert!(text(&out).contains("PGPASSWORD"), "{}", text(&out));
    assert!(!text(&out).contains("hunter2"), "{}", text(&out));
    let out = hub.run(&["store", "copy", "--to", "sqlite:///tmp/elsewhere.db"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not a PostgreSQL URL"),
        "{}",
        text(&out)
    );

    // The copy: every table, counted on both sides.
    let out = hub.run(&["store", "copy", "--to", &target]);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("each table's rows counted on both sides"),
        "{said}"
    );
    let key_id = weft_core::secrets::SecretKey::from_hex(hub.key())
        .unwrap()
        .id();
    assert!(
        said.contains(&format!("secrets key with id {key_id}")),
        "{said}"
    );
    assert!(!said.contains(hub.key()), "the key itself is never printed");
    let copied = counts(&said);
    for table in [
        "wrike_users",
        "wrike_audit_records",
        "recipe_runs",
        "jobs",
        "trail",
        "connections",
    ] {
        let n = copied.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
        assert!(n.is_some_and(|n| n > 0), "{table}: {said}");
    }
    // A second copy into the same database is refused: it holds data now.
    let again = hub.run(&["store", "copy", "--to", &target]);
    assert!(!again.status.success());
    assert!(
        text(&again).contains("copy only into an empty database"),
        "{}",
        text(&again)
    );

    // The hub on PostgreSQL, with the same key: the same rows, people, token and runs.
    let on_pg = |args: &[&str]| {
        hub.command(args)
            .env("WEFT_DATABASE_URL", &target)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let check = on_pg(&["connections", "check", "acme"]);
    assert!(check.status.success(), "{}", text(&check));
    assert_eq!(people(&on_pg(&listing)), before);
    let runs = |out: std::process::Output| -> Vec<Value> {
        assert!(out.status.success(), "{}", text(&out));
        let page: Value = serde_json::from_slice(&out.stdout).unwrap();
        page["items"].as_array().cloned().unwrap_or_default()
    };
    let queued = runs(on_pg(&["recipes", "runs", "--json"]));
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["status"], "queued", "{queued:?}");
    // A worker on PostgreSQL takes up the run queued on SQLite, and new rows get new ids.
    let mut worker = hub
        .command(&["worker"])
        .env("WEFT_DATABASE_URL", &target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(hub.dir.join("worker.log")).unwrap())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let finished = loop {
        let now = runs(on_pg(&["recipes", "runs", "--json"]));
        if now[0]["status"] != "queued" && now[0]["status"] != "running" {
            break now;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{now:?}\n{}",
            hub.log("worker.log")
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(
        finished[0]["status"],
        "succeeded",
        "{finished:?}\n{}",
        hub.log("worker.log")
    );
    let out = on_pg(&["recipes", "trigger", "idle-check"]);
    assert!(out.status.success(), "{}", text(&out));
    let both = runs(on_pg(&["recipes", "runs", "--json"]));
    assert_eq!(both.len(), 2, "{both:?}");
    let id = |run: &Value| run["id"].as_str().and_then(|id| id.parse::<i64>().ok());
    assert!(id(&both[0]) > id(&both[1]), "{both:?}");
    worker.kill().unwrap();
    let _ = worker.wait();
    // The sync on PostgreSQL goes on from the copied checkpoints and leases.
    let resync = on_pg(&["sync", "acme"]);
    assert!(resync.status.success(), "{}", text(&resync));
    let copied_audit = copied
        .iter()
        .find(|(t, _)| t == "wrike_audit_records")
        .map(|(_, n)| *n);
    assert_eq!(copied_audit, Some(audit_records(&in_sqlite)));
}
