//! The reclaim dialogue end to end, across real processes: an SMTP server process
//! (aiosmtpd, writing a maildir), the simulator with planted people, `weft serve` killed
//! (SIGKILL) right after the first e-mail and started again, and the CLI. The e-mails'
//! signed links are followed over HTTP: one person keeps their seat (the link works once; an
//! altered one is refused), one releases it (deactivated in Wrike once), one never answers
//! (a reminder, then the deadline, an Admin alerted, the Admin confirms the plan), one
//! becomes active in a later sync (taken out with the reason). Nobody gets an e-mail twice;
//! someone who kept their seat is not asked again; every step is in the trail. On SQLite,
//! and on PostgreSQL when `WEFT_TEST_POSTGRES_URL` is set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use weft_store::{Store, TrailFilter};
use wrike_sim::{Listen, RunningSim, SimConfig};

mod common;
use common::{api_token, hub_for, spawn, text};

const POLICY: &str = "name: ask-idle
connection: acme-analytics
idle_days: 30
grace_days: 0
action: deactivate
decide: ask_first
dialogue:
  remind_after: 15s
  answer_within: 40s
  keep_for: 30d
  approve_within: 1d
";

/// The planted people: name and days since their last sign-in (none: never).
const PEOPLE: [(&str, Option<i64>); 5] = [
    ("keeper", Some(100)),
    ("leaver", Some(100)),
    ("silent", None),
    ("returner", Some(60)),
    ("worker", Some(1)),
];

/// An SMTP server in a process of its own, delivering into a maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One e-mail as delivered.
#[derive(Debug, Clone)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

impl SmtpServer {
    /// Starts aiosmtpd on a free port; none when Python's aiosmtpd is missing (a failure
    /// when `WEFT_REQUIRE_SMTP_SERVER=1`, as `scripts/test` sets).
    async fn start(dir: &Path) -> Option<SmtpServer> {
        let has = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !has {
            assert!(
                std::env::var("WEFT_REQUIRE_SMTP_SERVER").as_deref() != Ok("1"),
                "WEFT_REQUIRE_SMTP_SERVER=1 but python3 has no aiosmtpd (scripts/test installs it)"
            );
            eprintln!("skipped: python3 has no aiosmtpd (pip install aiosmtpd)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = dir.join("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = SmtpServer {
            child,
            port,
            maildir,
        };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the SMTP server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(server)
    }

    /// Every e-mail delivered so far.
    fn mails(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut mails = Vec::new();
        for entry in entries.flatten() {
            let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
            let header = |name: &str| {
                head.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let body = body.replace("\r\n", "\n");
            let body =
                if header("Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable") {
                    quoted_printable(&body)
                } else {
                    body
                };
            mails.push(Mail {
                to: header("X-RcptTo"),
                subject: header("Subject"),
                body,
            });
        }
        mails
    }

    fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to == address)
            .collect()
    }
}

/// A quoted-printable body decoded (long lines, such as the links, come soft-broken).
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'=', Some(byte)) = (bytes[i], hex) {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn wait_for<T>(what: &str, seconds: u64, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(seconds),
            "waited {seconds} s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The simulator's first account down to its owner and integration user, with the
/// planted people; their ids by name, and the account's id.
async fn planted_sim() -> (RunningSim, BTreeMap<String, String>, String) {
    let sim = wrike_sim::start(
        SimConfig {
            users: 6,
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap();
    let (account_id, user_type) = {
        let mut world = sim.sim.write();
        let account = &mut world.accounts[0];
        account.keep_only_owner_and_integration();
        (account.id().to_owned(), account.user_types[0].id.clone())
    };
    let mut ids = BTreeMap::new();
    for (name, days) in PEOPLE {
        let activity: Vec<Value> = days
            .map(|d| json!({"kind": "login", "at": (Utc::now() - chrono::Duration::days(d)).to_rfc3339()}))
            .into_iter()
            .collect();
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/_sim/accounts/{account_id}/people", sim.base_url()))
            .json(&json!({"firstName": name, "lastName": "Planted", "email": format!("{name}@planted.example"),
                          "userTypeId": user_type, "activity": activity}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.insert(name.to_owned(), answer["id"].as_str().unwrap().to_owned());
    }
    let integration = {
        let world = sim.sim.read();
        let account = &world.accounts[0];
        account
            .integration_user()
            .unwrap_or_else(|| account.owner())
            .id()
            .to_owned()
    };
    ids.insert("integration".into(), integration);
    (sim, ids, account_id)
}

fn link(mail: &Mail, answer: &str) -> String {
    mail.body
        .split_whitespace()
        .find(|w| w.contains("/seat/") && w.contains(&format!(".{answer}.")))
        .unwrap_or_else(|| panic!("no {answer} link in {mail:?}"))
        .to_owned()
}

/// The board as the API answers it, by person's name.
async fn board(public: &str, token: &str) -> BTreeMap<String, Vec<Value>> {
    let page: Value = reqwest::Client::new()
        .get(format!("{public}/api/v1/dialogues?policy=ask-idle"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut by_name: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for d in page["items"].as_array().cloned().unwrap_or_default() {
        let name = d["name"]
            .as_str()
            .unwrap()
            .trim_end_matches(" Planted")
            .to_owned();
        by_name.entry(name).or_default().push(d);
    }
    by_name
}

fn state_of(board: &BTreeMap<String, Vec<Value>>, name: &str) -> String {
    board
        .get(name)
        .and_then(|d| d.first())
        .map(|d| d["state"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

const FIRST: &str = "Do you still need your Wrike seat?";
const REMINDER: &str = "Reminder: do you still need your Wrike seat?";

async fn scenario(backend: &str, database: Option<String>) {
    let (sim, ids, account_id) = planted_sim().await;
    let dir = std::env::temp_dir().join(format!("weft-dialogue-{}-{backend}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let Some(smtp) = SmtpServer::start(&dir).await else {
        return;
    };
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let mut settings = vec![
        ("WEFT_SMTP_URL", smtp_url.as_str()),
        ("WEFT_EMAIL_FROM", "weft@acme.example"),
        ("WEFT_ALERT_EMAILS", "admins@acme.example"),
        ("WEFT_JOB_LEASE_SECONDS", "2"),
        ("WEFT_DIALOGUE_EMAILS_PER_MINUTE", "30"),
        ("WEFT_LOG", "info"),
    ];
    if let Some(url) = &database {
        settings.push(("WEFT_DATABASE_URL", url.as_str()));
    }
    let (hub, public) = hub_for(
        &sim,
        &format!("dialogue-{backend}"),
        &settings,
        json!({"userId": ids["integration"], "scopes": ["Default", "amReadOnlyAuditLog", "amReadWriteUser"]}),
    )
    .await;
    let database = database.unwrap_or_else(|| hub.database_url());
    let admin = api_token(&hub, "ada", "admin");
    let analyst = api_token(&hub, "ann", "analyst");
    let http = reqwest::Client::new();

    let run = |args: &[&str]| {
        let out = hub.run(args);
        assert!(out.status.success(), "weft {args:?}: {}", text(&out));
        text(&out)
    };
    run(&["sync", "acme-analytics"]);
    let file = hub.dir.join("ask-idle.yaml");
    std::fs::write(&file, POLICY).unwrap();
    run(&["policies", "apply", file.to_str().unwrap()]);
    let serve = |log: &str| spawn(&hub, &["serve"], log);
    let mut server = serve("serve-1.log");
    wait_for("the hub to serve", 60, async || {
        http.get(format!("{public}/healthz")).send().await.ok()
    })
    .await;

    // An Analyst may edit policies but not start a dialogue, which changes Wrike users.
    let refused = http
        .post(format!("{public}/api/v1/policies/ask-idle/dialogue/start"))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(run(&["policies", "dialogue", "start", "ask-idle"]).contains("dialogue running"));

    // The first e-mail goes out; the hub is killed at once, and started again.
    wait_for("a first e-mail", 60, async || {
        (!smtp.mails().is_empty()).then_some(())
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let mut server = serve("serve-2.log");
    let flagged = ["keeper", "leaver", "silent", "returner"];
    let firsts = wait_for("a first e-mail to each flagged person", 90, async || {
        let firsts: BTreeMap<&str, Mail> = flagged
            .iter()
            .filter_map(|name| {
                smtp.mails_to(&format!("{name}@planted.example"))
                    .into_iter()
                    .find(|m| m.subject == FIRST)
                    .map(|m| (*name, m))
            })
            .collect();
        (firsts.len() == flagged.len()).then_some(firsts)
    })
    .await;
    let keeper_mail = &firsts["keeper"];
    assert!(
        keeper_mail.body.contains("keeper Planted")
            && keeper_mail
                .body
                .contains("Your last Wrike activity we know of was on"),
        "{keeper_mail:?}"
    );
    assert!(keeper_mail.body.contains("deactivate"), "{keeper_mail:?}");

    // Keeping: the page (opening it answers nothing), then the answer, taken once; an
    // altered link is refused.
    let keep = link(keeper_mail, "keep");
    assert!(keep.starts_with(&format!("{public}/seat/")), "{keep}");
    let page = http.get(&keep).send().await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Keep my seat") && page.contains("width=device-width"),
        "{page}"
    );
    let altered = keep.replace(".keep.", ".release.");
    let refused = http.post(&altered).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(refused.text().await.unwrap().contains("not valid"));
    let kept = http.post(&keep).send().await.unwrap().text().await.unwrap();
    assert!(kept.contains("you keep your seat"), "{kept}");
    let again = http.post(&keep).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("You chose to keep your seat"), "{again}");
    // The release link of someone who kept is closed too.
    let late = http
        .post(link(keeper_mail, "release"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(late.contains("You chose to keep your seat"), "{late}");

    // Releasing.
    let released = http
        .post(link(&firsts["leaver"], "release"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(released.contains("your seat is released"), "{released}");

    // The returner signs in to Wrike; the next sync takes them out of the dialogue.
    let planted = http
        .post(format!(
            "{}/_sim/accounts/{account_id}/activity",
            sim.base_url()
        ))
        .json(&json!([{"userId": ids["returner"], "kind": "login",
                        "at": (sim.sim.clock.now() - chrono::Duration::seconds(1)).to_rfc3339()}]))
        .send()
        .await
        .unwrap();
    assert!(planted.status().is_success(), "{:?}", planted.text().await);
    // The served hub may be syncing on its schedule: wait for that one, then sync.
    run(&["sync", "acme-analytics", "--wait", "120"]);

    // The silent one is reminded, then escalated at the deadline: the Admins are told.
    let escalated = wait_for("the board to settle", 120, async || {
        let b = board(&public, &admin).await;
        (state_of(&b, "keeper") == "kept"
            && state_of(&b, "leaver") == "applied"
            && state_of(&b, "returner") == "cancelled"
            && state_of(&b, "silent") == "escalated"
            && b["silent"][0]["planId"].is_string())
        .then_some(b)
    })
    .await;
    let returner = &escalated["returner"][0];
    assert!(
        returner["reason"]
            .as_str()
            .unwrap()
            .starts_with("active again: login on "),
        "{returner}"
    );
    assert!(
        escalated["keeper"][0]["keepUntil"].is_string(),
        "{}",
        escalated["keeper"][0]
    );
    assert!(
        !escalated.contains_key("worker"),
        "the active person is not asked"
    );
    let plan = escalated["silent"][0]["planId"]
        .as_str()
        .unwrap()
        .to_owned();
    let alert = wait_for("the Admins' alert", 30, async || {
        smtp.mails_to("admins@acme.example")
            .into_iter()
            .find(|m| m.body.contains(&plan))
    })
    .await;
    assert!(
        alert.subject.contains("await an Admin's approval"),
        "{alert:?}"
    );

    // The Admin confirms the escalation's plan; the person's dialogue follows it.
    let applied = run(&["usage", "apply", &plan]);
    assert!(
        applied.contains("ok") || applied.contains("applied"),
        "{applied}"
    );
    wait_for("the escalation to be applied", 60, async || {
        (state_of(&board(&public, &admin).await, "silent") == "applied").then_some(())
    })
    .await;

    // Another sync: the keeper, still idle, is not asked again within the cooldown.
    run(&["sync", "acme-analytics", "--wait", "120"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let out = hub.run(&[
        "policies", "dialogue", "board", "--policy", "ask-idle", "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let cli_board: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keeper_rows = cli_board["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == "keeper Planted")
        .count();
    assert_eq!(keeper_rows, 1, "{cli_board}");
    assert_eq!(cli_board["total"], 4, "{cli_board}");

    // Wrike: the two who went are deactivated, each by one call; the others are not.
    {
        let world = sim.sim.read();
        let account = &world.accounts[0];
        for (name, active) in [
            ("keeper", true),
            ("leaver", false),
            ("silent", false),
            ("returner", true),
            ("worker", true),
        ] {
            assert_eq!(
                account.user(&ids[name]).unwrap().is_active(),
                active,
                "{name}"
            );
        }
        let log = sim.sim.log.lock().unwrap();
        for name in ["leaver", "silent"] {
            let calls = log
                .since(0)
                .filter(|r| r.method == "PUT" && r.path.ends_with(&format!("/users/{}", ids[name])))
                .count();
            assert_eq!(calls, 1, "{name} is changed by one call");
        }
    }

    // Nobody got an e-mail twice: one first e-mail each, one reminder for the silent one.
    for name in flagged {
        let mails = smtp.mails_to(&format!("{name}@planted.example"));
        let count = |subject: &str| mails.iter().filter(|m| m.subject == subject).count();
        assert_eq!(count(FIRST), 1, "{name}: {mails:?}");
        let reminders = count(REMINDER);
        match name {
            "silent" => assert_eq!(reminders, 1, "{name}"),
            "keeper" | "leaver" => assert_eq!(reminders, 0, "{name}"),
            _ => assert!(reminders <= 1, "{name}"),
        }
    }
    assert!(smtp.mails_to("worker@planted.example").is_empty());

    // Every step is in the trail.
    let store = Store::open(&database).await.unwrap();
    let steps = store
        .trail()
        .search(&TrailFilter {
            action: Some("usage.dialogue.".into()),
            limit: 500,
            ..TrailFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = steps.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "usage.dialogue.start",
        "usage.dialogue.join",
        "usage.dialogue.notify",
        "usage.dialogue.remind",
        "usage.dialogue.keep",
        "usage.dialogue.release",
        "usage.dialogue.escalate",
        "usage.dialogue.apply",
        "usage.dialogue.cancel",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(
        steps.iter().any(
            |e| e.action == "usage.dialogue.keep" && e.actor.contains("keeper@planted.example")
        ),
        "the person's answer is theirs in the trail"
    );

    // Stopping it: the policy no longer runs a dialogue.
    assert!(run(&["policies", "dialogue", "stop", "ask-idle"]).contains("not running"));
    server.kill().unwrap();
    server.wait().unwrap();
    let log = hub.log("serve-2.log");
    assert!(!log.contains("panicked"), "{log}");
    drop(smtp);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_asked_once_and_their_answers_hold_across_a_kill() {
    scenario("sqlite", None).await;
    if let Some(url) = weft_store::testing::postgres_url() {
        let database = weft_store::testing::postgres_schema_url(&url, "dialogue")
            .await
            .expect("the PostgreSQL test database");
        scenario("postgres", Some(database)).await;
    }
}
