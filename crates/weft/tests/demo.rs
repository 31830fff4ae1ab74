//! `weft demo`, the README's first command, end to end at a small size: it generates and
//! serves the simulated accounts, connects and syncs them, applies the example recipes and
//! starts one, and the task change it makes for a first impression has a run that succeeds.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use weft_store::{RunFilter, RunStatus, Store};

mod common;
use common::Instance;

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_serves_a_synced_hub_whose_first_recipe_run_succeeds() {
    let hub = Instance::new("demo", &[]);
    let log = std::fs::File::create(hub.dir.join("demo.log")).unwrap();
    let mut child = hub
        .command(&[
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--hub-listen",
            "127.0.0.1:0",
            "--users",
            "20",
            "--months",
            "1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // What it prints, up to the line that says it is ready.
    let printed = tokio::task::spawn_blocking(move || {
        let mut seen = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            seen.push_str(&line);
            seen.push('\n');
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        seen
    });
    let printed = tokio::time::timeout(Duration::from_secs(300), printed)
        .await
        .unwrap_or_else(|_| panic!("the demo did not get ready: {}", hub.log("demo.log")))
        .unwrap();
    assert!(
        printed.contains("sign in as admin with the password"),
        "{printed}"
    );
    assert!(
        hub.log("demo.log").contains("synced acme-analytics"),
        "{}",
        hub.log("demo.log")
    );

    let db = hub.dir.join("weft-demo-data").join("weft.db");
    let store = Store::open(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let started = Instant::now();
    let run = loop {
        let recipe = store
            .recipes()
            .by_name("comment-on-status-change")
            .await
            .unwrap()
            .expect("the example recipes are applied");
        let runs = store
            .recipes()
            .runs(&RunFilter {
                recipe_id: Some(recipe.id),
                limit: 100,
                ..RunFilter::default()
            })
            .await
            .unwrap();
        if let Some(done) = runs.iter().find(|r| r.status.is_final()) {
            break done.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no finished run of the demo recipe: {runs:?}\n{printed}\n{}",
            hub.log("demo.log")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.trigger_event["status"], "Completed", "{run:?}");

    // Ctrl-C (SIGTERM) stops it cleanly.
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}: {}", hub.log("demo.log"));
}
