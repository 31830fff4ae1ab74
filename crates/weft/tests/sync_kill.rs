//! The backfill survives SIGKILL: `weft sync` processes are killed at random moments, each
//! next one resumes from the last stored page, and when one finally completes every audit
//! record of the window is stored exactly once, with the activity it shows. Then `weft sync`
//! and `weft usage` report from the CLI (plain lines when not at a terminal).

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use weft_store::Store;

mod common;
use common::{Instance, text};

/// A hub for `weft sync`: any Wrike host (the simulator), 50 requests a second (a backfill of
/// some 130 pages takes a few seconds, long enough to be killed several times whatever the
/// machine), and a short sync lease (a killed sync holds the connection until it runs out).
fn hub() -> Instance {
    Instance::new(
        "sync-kill",
        &[
            ("WEFT_ALLOW_ANY_WRIKE_HOST", "true"),
            ("WEFT_WRIKE_REQUESTS_PER_MINUTE", "3000"),
            ("WEFT_SYNC_LEASE_SECONDS", "2"),
            ("WEFT_LOG", "warn"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_at_random_moments_loses_and_doubles_nothing() {
    let sim = common::sim_of(400).await;
    let hub = hub();
    let token_request = common::integration_token_request(&sim, &["Default", "amReadOnlyAuditLog"]);
    common::connect(&hub, &sim, "acme", token_request).await;

    // Kill syncs at random moments until one finishes by itself.
    let mut rng = fastrand::Rng::with_seed(7);
    let mut kills = 0;
    let mut finished = None;
    for round in 0..40 {
        let mut child = hub
            .command(&["sync", "acme"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let delay = Duration::from_millis(rng.u64(200..700) + round * 60);
        tokio::time::sleep(delay).await;
        match child.try_wait().unwrap() {
            Some(_) => {
                let output = child.wait_with_output().unwrap();
                if output.status.success() {
                    finished = Some(output);
                    break;
                }
                // Started while the killed one's lease had not quite run out.
                assert!(
                    text(&output).contains("already running"),
                    "{}",
                    text(&output)
                );
                tokio::time::sleep(Duration::from_millis(1_000)).await;
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
                // Its lease (2 s from its last heartbeat, in whole seconds) must run out
                // before the next sync may start.
                tokio::time::sleep(Duration::from_millis(3_000)).await;
            }
        }
    }
    finished.expect("a sync completes within the rounds");
    assert!(
        kills >= 3,
        "killed {kills} times; the test proves little otherwise"
    );
    eprintln!("killed {kills} syncs before one completed");

    // Every record of the window, once; and the activity derived from them.
    let store = Store::open(&hub.database_url()).await.unwrap();
    let connection = store.connections().list().await.unwrap().remove(0);
    let since = chrono::Utc::now().timestamp() - 183 * 86_400;
    let (expected, last_logins) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        let mut last: std::collections::HashMap<String, i64> = Default::default();
        let mut count = 0i64;
        for r in a.audit.iter().filter(|r| r.event_date.timestamp() >= since) {
            count += 1;
            // Sign-ins through OAuth (the integration user's) are the integration signal,
            // not a login.
            let login_type = r.details.get("Login Type").and_then(Value::as_str);
            if weft_core::usage::signal_of(&r.operation, login_type)
                == Some(weft_core::usage::Signal::Login)
            {
                let e = last.entry(r.user_id.clone().unwrap()).or_default();
                *e = (*e).max(r.event_date.timestamp());
            }
        }
        (count, last)
    };
    let stored = store.usage().audit_count(&connection.id).await.unwrap();
    assert_eq!(
        stored, expected,
        "no record lost (and the key allows none twice)"
    );
    let mut ids = std::collections::HashSet::new();
    let mut after = None;
    loop {
        let page = store
            .usage()
            .audit_page(&connection.id, after.clone(), 10_000)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|e| (e.event_at, e.id.clone()));
        for e in page {
            assert!(ids.insert(e.id.clone()), "{} stored twice", e.id);
        }
    }
    assert_eq!(ids.len() as i64, expected);
    for (user, at) in &last_logins {
        let row = store
            .usage()
            .user(&connection.id, user)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.last_login_at, Some(*at), "{user}");
    }

    // The CLI reports: plain progress lines off a terminal, then the reports.
    let sync = hub.run(&["sync", "acme"]);
    let out = text(&sync);
    assert!(sync.status.success(), "{out}");
    assert!(
        out.contains("audit_log") && out.contains("sync of acme ok"),
        "{out}"
    );
    let inactive = hub.run(&["usage", "inactive", "acme", "--idle-days", "60", "--json"]);
    assert!(inactive.status.success(), "{}", text(&inactive));
    let report: Value = serde_json::from_slice(&inactive.stdout).unwrap();
    assert!(report["report"]["counts"]["paidSeats"].as_i64().unwrap() > 100);
    assert_eq!(report["report"]["idleDays"], 60);
    // The plain report names each threshold once, the chosen one marked.
    let plain = text(&hub.run(&["usage", "inactive", "acme", "--idle-days", "90"]));
    // (Only in the summary line: a person's "90d ago" in the table below is not a threshold.)
    let thresholds = plain
        .lines()
        .find(|l| l.starts_with("paid seats held and idle"))
        .unwrap_or_default();
    assert_eq!(thresholds.matches("90d ").count(), 1, "{plain}");
    assert!(plain.contains("(the threshold)"), "{plain}");
    // The renewal plan: user types by name, the same figures as JSON and CSV, and the same
    // as the inactive-seats report.
    let with_costs = hub.run(&[
        "usage",
        "renewal",
        "acme",
        "--seat-cost",
        "300",
        "--type-cost",
        "light user=120",
        "--renewal-date",
        "2031-01-31",
    ]);
    let shown = text(&with_costs);
    assert!(with_costs.status.success(), "{shown}");
    assert!(
        shown.contains("Light User") && shown.contains("USD 120.00"),
        "{shown}"
    );
    assert!(!shown.contains("NH77777"), "no user type ids: {shown}");
    let plan: Value =
        serde_json::from_slice(&hub.run(&["usage", "renewal", "acme", "--json"]).stdout).unwrap();
    let counts: Value =
        serde_json::from_slice(&hub.run(&["usage", "inactive", "acme", "--json"]).stdout).unwrap();
    assert_eq!(
        plan["plan"]["assigned"],
        counts["report"]["counts"]["paidSeats"]
    );
    assert_eq!(plan["plan"]["idle"], counts["report"]["counts"]["idleN"]);
    assert_eq!(plan["renewalDate"], "2031-01-31");
    let plan_csv = text(&hub.run(&["usage", "renewal", "acme", "--csv"]));
    assert!(
        plan_csv.starts_with("row,user_type,user_type_id,currency"),
        "{plan_csv}"
    );
    assert!(plan_csv.contains("type,Light User,") && plan_csv.contains("action:together,"));
    let wrong_type = hub.run(&[
        "usage",
        "renewal",
        "acme",
        "--seat-cost",
        "300",
        "--type-cost",
        "platinum=1",
    ]);
    assert!(!wrong_type.status.success());
    assert!(text(&wrong_type).contains("'platinum' is not a user type"));
    let csv = hub.run(&["usage", "users", "acme", "--idle", "90", "--csv"]);
    let csv_text = String::from_utf8_lossy(&csv.stdout).to_string();
    assert!(
        csv_text.starts_with("connection,id,first_name"),
        "{csv_text}"
    );
    let bad = hub.run(&["usage", "users", "acme", "--signals", "vibes"]);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("--signals"), "{}", text(&bad));
    let nobody = hub.run(&["usage", "users", "nowhere"]);
    assert!(text(&nobody).contains("nowhere"), "{}", text(&nobody));

    // Another sync holds the connection (the schedule's, say): a plain `weft sync` is
    // refused at once, naming it; `--wait` waits for it to end, then syncs.
    let now = chrono::Utc::now().timestamp();
    let usage = store.usage();
    assert!(
        usage
            .claim_sync(&connection.id, "worker-7/job-1", now, now + 600)
            .await
            .unwrap()
    );
    let refused = hub.run(&["sync", "acme"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("already running (worker-7/job-1"),
        "{}",
        text(&refused)
    );
    let said = hub.dir.join("waiting.err");
    let mut waiting = hub
        .command(&["sync", "acme", "--wait", "120"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&said).unwrap())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if std::fs::read_to_string(&said)
            .unwrap_or_default()
            .contains("waiting for it to end")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "it waits while the other sync runs: {}",
        std::fs::read_to_string(&said).unwrap_or_default()
    );
    // The other sync's lease runs out.
    let now = chrono::Utc::now().timestamp();
    assert!(
        usage
            .heartbeat_sync(&connection.id, "worker-7/job-1", now - 1, "{}")
            .await
            .unwrap()
    );
    let done = waiting.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{out} {}",
        std::fs::read_to_string(&said).unwrap_or_default()
    );
    assert!(out.contains("sync of acme ok"), "{out}");
}
