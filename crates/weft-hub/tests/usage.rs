//! Usage analytics end to end against the simulator: syncs of an Enterprise and a Business
//! account whose every report number is checked against an answer computed independently
//! from the simulator's own data (with planted people whose activity dates the test chose),
//! incremental syncs that cost one or two requests per source, a sync stopped midway that
//! resumes without losing or doubling anything, one sync per connection at a time, either
//! reading of contacts' `deleted` flag, a revoked token that stops the sync, faults that are
//! retried, renewal savings, trends, and reclaiming seats. On SQLite, and on PostgreSQL when
//! `WEFT_TEST_POSTGRES_URL` names a database.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use weft_core::clock::ManualClock;
use weft_core::secrets::SecretKey;
use weft_core::usage::{Signal, Signals};
use weft_hub::usage::reclaim::{self, Action, Selection};
use weft_hub::usage::reports::{self, Period, RenewalInput, ReportRequest};
use weft_hub::usage::sync::{self, ProgressSink, Silent, SyncOptions, SyncProgress};
use weft_hub::{Hub, HubError, connections};
use weft_store::{Connection, SeatCounts, SortBy, Store, UsageScope, UserFilter};
use wrike_api::models::AuditOperation;
use wrike_sim::{AccountData, Listen, RunningSim, SimConfig};

const DAY: i64 = 86_400;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn sim(users: u32) -> RunningSim {
    wrike_sim::start(
        SimConfig {
            users,
            rate_limit_per_minute: 0,
            now: Some(now()),
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap()
}

async fn control(sim: &RunningSim, method: reqwest::Method, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .request(method, format!("{}/_sim/{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn hub_on(store: Arc<Store>) -> Hub {
    let mut hub = Hub::new(
        store,
        SecretKey::from_hex(&SecretKey::generate_hex()).unwrap(),
    );
    hub.policy.allow_any_wrike_host = true;
    hub.policy.requests_per_minute = 0;
    hub.clock = Arc::new(ManualClock::new(now() + Duration::minutes(1)));
    hub
}

async fn stores(name: &str) -> Vec<Arc<Store>> {
    weft_store::testing::every_backend(name)
        .await
        .into_iter()
        .map(Arc::new)
        .collect()
}

/// Connects the hub to account `index` as its integration user (or the owner).
async fn connect(hub: &Hub, sim: &RunningSim, index: usize, name: &str) -> Connection {
    let (user, account) = {
        let world = sim.sim.read();
        let a = &world.accounts[index];
        let user = a
            .integration_user()
            .unwrap_or_else(|| a.owner())
            .id()
            .to_owned();
        (user, a.id().to_owned())
    };
    // Business accounts have no integration user with the activity-report right; the owner
    // is an admin.
    let _ = account;
    let token = control(
        sim,
        reqwest::Method::POST,
        "tokens",
        json!({"userId": user, "scopes": ["Default", "amReadOnlyAuditLog", "amReadWriteUser"]}),
    )
    .await;
    connections::add(
        hub,
        "test",
        name,
        token["apiUrl"].as_str().unwrap(),
        secrecy::SecretString::from(token["accessToken"].as_str().unwrap().to_owned()),
        vec![],
    )
    .await
    .unwrap()
    .connection
}

async fn run(hub: &Hub, c: &Connection) -> sync::SyncReport {
    sync::run(
        hub,
        c,
        "test-owner",
        &SyncOptions::default(),
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await
    .unwrap()
}

/// People planted with activity at chosen dates (days before `now`).
async fn plant(sim: &RunningSim, account: &str, domain: &str) -> HashMap<&'static str, String> {
    let at = |days: i64| (now() - Duration::days(days)).to_rfc3339();
    let regular = sim.sim.read().account(account).unwrap().user_types[0]
        .id
        .clone();
    let people = [
        (
            "pia",
            json!([{"kind": "login", "at": at(10)}, {"kind": "comment", "at": at(40)}]),
            true,
            false,
            "User",
        ),
        (
            "ivo",
            json!([{"kind": "login", "at": at(100)}, {"kind": "timelog", "at": at(95)}]),
            true,
            false,
            "User",
        ),
        ("nora", json!([]), true, false, "User"),
        (
            "wanda",
            json!([{"kind": "comment", "at": at(5)}, {"kind": "taskCreated", "at": at(70)}]),
            true,
            false,
            "User",
        ),
        (
            "dora",
            json!([{"kind": "login", "at": at(50)}]),
            false,
            false,
            "User",
        ),
        (
            "cole",
            json!([{"kind": "login", "at": at(200)}]),
            true,
            false,
            "Collaborator",
        ),
    ];
    let mut ids = HashMap::new();
    for (name, activity, active, deleted, role) in people {
        let answer = control(
            sim,
            reqwest::Method::POST,
            &format!("accounts/{account}/people"),
            json!({"firstName": name, "lastName": "Planted", "email": format!("{name}.planted@{domain}"),
                   "role": role, "active": active, "deleted": deleted,
                   "userTypeId": if role == "User" { Some(regular.clone()) } else { None },
                   "activity": activity}),
        )
        .await;
        ids.insert(name, answer["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Each person's latest activity per signal, computed from the simulator's own data the way
/// the sync should find it.
fn truth(a: &AccountData, has_audit: bool, since: i64) -> HashMap<String, [i64; 6]> {
    let mut last: HashMap<String, [i64; 6]> = HashMap::new();
    let mut see = |user: &str, signal: Signal, at: i64| {
        let slot = Signal::ALL.iter().position(|s| *s == signal).unwrap();
        let entry = last.entry(user.to_owned()).or_default();
        entry[slot] = entry[slot].max(at);
    };
    if has_audit {
        for r in a.audit.iter().filter(|r| r.event_date.timestamp() >= since) {
            // A sign-in by an API client (the details say `Login Type: Oauth2`) is an
            // integration's, apart from sign-ins to Wrike itself.
            let oauth = r
                .details
                .get("Login Type")
                .and_then(|v| v.as_str())
                .is_some_and(|t| t.eq_ignore_ascii_case("oauth2"));
            let signal = match r.operation {
                AuditOperation::UserLoggedIn | AuditOperation::UserLogout if oauth => {
                    Signal::Integration
                }
                AuditOperation::UserLoggedIn | AuditOperation::UserLogout => Signal::Login,
                AuditOperation::UserFailLogin => continue,
                _ => Signal::Change,
            };
            if let Some(user) = &r.user_id {
                see(user, signal, r.event_date.timestamp());
            }
        }
    }
    for t in &a.tasks {
        if t.scope != wrike_api::models::TreeScope::WsTask || t.updated_date.timestamp() < since {
            continue;
        }
        for author in t.author_ids.iter().flatten() {
            see(author, Signal::Task, t.created_date.timestamp());
        }
    }
    for c in a
        .comments
        .iter()
        .filter(|c| c.updated_date.unwrap_or(c.created_date).timestamp() >= since)
    {
        see(&c.author_id, Signal::Comment, c.created_date.timestamp());
        if let Some(u) = c.updated_date {
            see(&c.author_id, Signal::Comment, u.timestamp());
        }
    }
    for t in a
        .timelogs
        .iter()
        .filter(|t| t.updated_date.timestamp() >= since)
    {
        see(&t.user_id, Signal::Timelog, t.created_date.timestamp());
        see(&t.user_id, Signal::Timelog, t.updated_date.timestamp());
    }
    last
}

fn latest(last: Option<&[i64; 6]>, signals: Signals) -> i64 {
    Signal::ALL
        .iter()
        .enumerate()
        .filter(|(_, s)| signals.contains(**s))
        .map(|(i, _)| last.map_or(0, |l| l[i]))
        .max()
        .unwrap_or(0)
}

/// The seat counts the report should show, from the simulator's data.
fn expected_counts(
    a: &AccountData,
    truth: &HashMap<String, [i64; 6]>,
    signals: Signals,
    at: i64,
    idle_n: i64,
) -> SeatCounts {
    let mut c = SeatCounts::default();
    for u in &a.users {
        let license = a
            .user_types
            .iter()
            .find(|t| Some(&t.id) == u.contact.user_type_id.as_ref())
            .and_then(|t| t.license_type.clone());
        let paid = u.profile().role == wrike_api::models::Role::User
            && !license.is_some_and(|l| l.eq_ignore_ascii_case("collaborator"));
        let active = u.is_active();
        let last = latest(truth.get(u.id()), signals);
        c.people += 1;
        if active && paid {
            c.paid_seats += 1;
            for (days, slot) in [
                (30, &mut c.idle_30),
                (60, &mut c.idle_60),
                (90, &mut c.idle_90),
                (idle_n, &mut c.idle_n),
            ] {
                if last <= at - days * DAY {
                    *slot += 1;
                }
            }
            if last == 0 {
                c.never_active += 1;
            }
        } else if active {
            c.free_seats += 1;
        } else if paid && u.contact.user_type_id.is_some() {
            c.inactive_still_typed += 1;
        }
    }
    c
}

#[tokio::test]
async fn enterprise_reports_match_the_simulators_own_answer() {
    let sim = sim(60).await;
    let account = sim.sim.read().accounts[0].id().to_owned();
    let planted = plant(&sim, &account, "acme.example").await;
    for store in stores("usage-enterprise").await {
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 0, "acme").await;
        let report = run(&hub, &c).await;
        assert_eq!(report.outcome, "ok", "{report:?}");
        assert!(
            report.sources.iter().all(|s| s.status == "ok"),
            "{report:?}"
        );
        let at = hub.clock.now_s();
        let (counts_truth, all_truth) = {
            let world = sim.sim.read();
            let a = world.account(&account).unwrap();
            let since = at - hub.policy.backfill_days * DAY;
            let t = truth(a, true, since);
            // Older than the backfill window (cole's login, 200 days ago) is not read.
            let records = a
                .audit
                .iter()
                .filter(|r| r.event_date.timestamp() >= since)
                .count() as i64;
            (
                [
                    (
                        Signals::ALL,
                        90,
                        expected_counts(a, &t, Signals::ALL, at, 90),
                    ),
                    (
                        Signals::LOGINS,
                        45,
                        expected_counts(a, &t, Signals::LOGINS, at, 45),
                    ),
                    (
                        Signals::WORK,
                        120,
                        expected_counts(a, &t, Signals::WORK, at, 120),
                    ),
                ],
                (t, records),
            )
        };
        let (t, records) = all_truth;
        assert_eq!(
            store.usage().audit_count(&c.id).await.unwrap(),
            records,
            "every record, once"
        );
        for (signals, idle, expected) in counts_truth {
            let mut request = ReportRequest {
                signals: Some(signals),
                ..Default::default()
            };
            request.filter.idle_days = Some(idle);
            let got = reports::inactive(&hub, &request).await.unwrap();
            assert_eq!(got.counts, expected, "signals {signals}, idle {idle}");
            // The indexed figures agree with the pass that works out every row.
            let mut scope = UsageScope::one(&c.id, signals, at);
            scope.filter.idle_days = Some(idle);
            let mut by_rows = SeatCounts::default();
            let mut idle_by_type = Vec::new();
            for (connection, type_id, counts) in
                store.usage().seat_counts_by_rows(&scope).await.unwrap()
            {
                by_rows.add(&counts);
                if counts.idle_n > 0 {
                    idle_by_type.push((connection, type_id, counts.idle_n));
                }
            }
            assert_eq!(
                by_rows, expected,
                "row by row: signals {signals}, idle {idle}"
            );
            let mut summary = store.usage().seat_summary(&scope).await.unwrap();
            summary.idle_by_type.sort();
            idle_by_type.sort();
            assert_eq!(summary.counts, expected);
            assert_eq!(
                summary.idle_by_type, idle_by_type,
                "idle seats by user type: signals {signals}, idle {idle}"
            );
            assert!(
                idle_by_type.len() > 1,
                "the idle seats span several user types"
            );
            assert_eq!(got.signals[0].used, signals);
            assert!(got.signals[0].missing.is_empty());
        }
        // Every person's last activity, as listed.
        let page = reports::users(
            &hub,
            &ReportRequest::default(),
            SortBy::Name,
            false,
            1000,
            0,
        )
        .await
        .unwrap();
        let people = sim.sim.read().account(&account).unwrap().users.len() as i64;
        assert_eq!(page.page.total, people);
        for row in &page.page.rows {
            let expected = latest(t.get(&row.id), Signals::ALL);
            assert_eq!(row.last_activity_at.unwrap_or(0), expected, "{}", row.id);
            let login = latest(t.get(&row.id), Signals::LOGINS);
            assert_eq!(row.last_login_at.unwrap_or(0), login, "{}", row.id);
        }
        // The planted people, by name.
        let find = |name: &str| {
            page.page
                .rows
                .iter()
                .find(|r| r.id == planted[name])
                .unwrap()
                .clone()
        };
        let ago = |days: i64| Some(now().timestamp() - days * DAY);
        assert_eq!(find("pia").last_login_at, ago(10));
        assert_eq!(find("pia").last_comment_at, ago(40));
        assert_eq!(find("ivo").last_activity_at, ago(95));
        assert_eq!(find("nora").last_activity_at, None);
        assert_eq!(find("wanda").last_login_at, None);
        assert_eq!(find("wanda").last_work_at, ago(5));
        assert_eq!(find("wanda").last_task_at, ago(70));
        assert!(!find("dora").active);
        assert!(!find("cole").paid);

        // Filters: logins only, 30 days, by e-mail domain: pia (10d) is active, ivo is not.
        let request = ReportRequest {
            signals: Some(Signals::LOGINS),
            filter: UserFilter {
                q: Some("planted".into()),
                idle_days: Some(30),
                active: Some(true),
                ..Default::default()
            },
            ..Default::default()
        };
        let idle = reports::users(&hub, &request, SortBy::Name, false, 100, 0)
            .await
            .unwrap();
        let mut names: Vec<&str> = idle
            .page
            .rows
            .iter()
            .map(|r| r.first_name.as_str())
            .collect();
        names.sort();
        assert_eq!(names, vec!["cole", "ivo", "nora", "wanda"]);
        let request = ReportRequest {
            signals: Some(Signals::ALL),
            filter: UserFilter {
                q: Some("planted".into()),
                idle_days: Some(30),
                active: Some(true),
                paid: Some(true),
                ..Default::default()
            },
            ..Default::default()
        };
        let idle = reports::users(&hub, &request, SortBy::Name, false, 100, 0)
            .await
            .unwrap();
        let mut names: Vec<&str> = idle
            .page
            .rows
            .iter()
            .map(|r| r.first_name.as_str())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec!["ivo", "nora"],
            "wanda's comment counts with all signals"
        );

        // Seats by type and role add up to the active people, against userLimit.
        let seats = reports::seats(&hub, &ReportRequest::default())
            .await
            .unwrap();
        let active = sim
            .sim
            .read()
            .account(&account)
            .unwrap()
            .users
            .iter()
            .filter(|u| u.is_active())
            .count() as i64;
        assert_eq!(seats.groups.iter().map(|g| g.seats).sum::<i64>(), active);
        assert_eq!(
            seats.accounts[0].user_limit,
            Some(sim.sim.read().account(&account).unwrap().user_limit as i64)
        );

        // Trends: daily active users by logins, checked against the simulator for the last
        // ten days.
        let trend = reports::trend(
            &hub,
            &ReportRequest {
                signals: Some(Signals::LOGINS),
                ..Default::default()
            },
            Period::Day,
            10,
        )
        .await
        .unwrap();
        assert_eq!(trend.points.len(), 10);
        for point in &trend.points {
            let world = sim.sim.read();
            let a = world.account(&account).unwrap();
            let mut users: Vec<&str> = a
                .audit
                .iter()
                .filter(|r| {
                    matches!(
                        r.operation,
                        AuditOperation::UserLoggedIn | AuditOperation::UserLogout
                    )
                })
                // Sign-ins by an API client are the integration signal, not logins.
                .filter(|r| {
                    !r.details
                        .get("Login Type")
                        .and_then(|v| v.as_str())
                        .is_some_and(|t| t.eq_ignore_ascii_case("oauth2"))
                })
                .filter(|r| r.event_date.timestamp().div_euclid(DAY) == point.start_day)
                .filter_map(|r| r.user_id.as_deref())
                .collect();
            users.sort_unstable();
            users.dedup();
            assert_eq!(
                point.active_users,
                Some(users.len() as i64),
                "day {}",
                point.start_day
            );
        }
        let monthly = reports::trend(&hub, &ReportRequest::default(), Period::Month, 7)
            .await
            .unwrap();
        assert!(
            monthly
                .points
                .iter()
                .skip(1)
                .all(|p| p.active_users.is_some_and(|n| n > 0)),
            "{monthly:?}"
        );

        // Trends read the per-period counts the sync kept; with none kept they count the
        // activity days. Both answer the same for every period and choice of signals.
        let every_way = || async {
            let mut all = Vec::new();
            for signals in [
                Signals::ALL,
                Signals::LOGINS,
                Signals::WORK,
                Signals::of(&[Signal::Change, Signal::Comment]),
            ] {
                for (period, count) in [(Period::Day, 60), (Period::Week, 26), (Period::Month, 7)] {
                    let request = ReportRequest {
                        signals: Some(signals),
                        ..Default::default()
                    };
                    let trend = reports::trend(&hub, &request, period, count).await.unwrap();
                    all.push((signals, period, trend.points));
                }
            }
            all
        };
        let kept = every_way().await;
        store
            .execute_unchecked("DELETE FROM usage_period_state")
            .await
            .unwrap();
        let counted = every_way().await;
        assert_eq!(kept, counted, "kept and counted trends agree");
        assert!(
            kept.iter()
                .any(|(_, _, points)| points.iter().any(|p| p.active_users > Some(0)))
        );
        let today = hub.clock.now_s().div_euclid(DAY);
        store
            .usage()
            .refresh_period_counts(&c.id, today)
            .await
            .unwrap();
        assert_eq!(every_way().await, kept, "recounted from nothing");
    }
}

#[tokio::test]
async fn business_accounts_count_work_and_say_what_is_missing() {
    let sim = sim(20).await;
    let account = sim.sim.read().accounts[1].id().to_owned();
    let planted = plant(&sim, &account, "nordlicht.example").await;
    for store in stores("usage-business").await {
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 1, "nordlicht").await;
        let report = run(&hub, &c).await;
        assert_eq!(report.outcome, "partial");
        let audit = report
            .sources
            .iter()
            .find(|s| s.source == "audit_log")
            .unwrap();
        assert_eq!(audit.status, "unavailable");
        assert!(
            audit
                .message
                .as_deref()
                .unwrap()
                .contains("Enterprise or Pinnacle"),
            "{audit:?}"
        );
        assert_eq!(audit.requests, 0, "the plan says so; no call wasted");
        assert_eq!(store.usage().audit_count(&c.id).await.unwrap(), 0);
        // Asked for every signal, the report uses work only and says why.
        let got = reports::inactive(&hub, &ReportRequest::default())
            .await
            .unwrap();
        assert_eq!(got.signals[0].used, Signals::WORK);
        assert_eq!(
            got.signals[0].missing.len(),
            3,
            "{:?}",
            got.signals[0].missing
        );
        assert!(
            got.signals[0].missing[0].contains("audit log"),
            "{:?}",
            got.signals[0].missing
        );
        let at = hub.clock.now_s();
        let expected = {
            let world = sim.sim.read();
            let a = world.account(&account).unwrap();
            let t = truth(a, false, at - hub.policy.backfill_days * DAY);
            expected_counts(a, &t, Signals::WORK, at, 90)
        };
        assert_eq!(got.counts, expected);
        // Planted logins are invisible here (no audit log); work shows.
        let row = store
            .usage()
            .user(&c.id, &planted["pia"])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.last_login_at, None);
        assert_eq!(row.last_comment_at, Some(now().timestamp() - 40 * DAY));
        // Asked for logins only, nothing can be counted, and the report says so.
        let logins = reports::scope(
            &hub,
            &ReportRequest {
                signals: Some(Signals::LOGINS),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(logins.signals[0].used.is_empty());
        assert_eq!(
            logins.signals[0].described,
            "no activity signal is available yet"
        );
    }
}

#[tokio::test]
async fn later_syncs_read_only_what_is_new() {
    let sim = sim(40).await;
    let store = Arc::new(
        weft_store::testing::temp_sqlite("usage-incremental")
            .await
            .unwrap(),
    );
    let hub = hub_on(store.clone());
    let c = connect(&hub, &sim, 0, "acme").await;
    run(&hub, &c).await;
    // An hour later, one person signs in.
    let clock = ManualClock::new(now() + Duration::minutes(61));
    let mut later = hub.clone();
    later.clock = Arc::new(clock);
    let account = sim.sim.read().accounts[0].id().to_owned();
    let someone = sim.sim.read().accounts[0].users[5].id().to_owned();
    control(
        &sim,
        reqwest::Method::POST,
        &format!("accounts/{account}/activity"),
        json!([{"userId": someone, "kind": "login", "at": (now() - Duration::minutes(1)).to_rfc3339()}]),
    )
    .await;
    let before = sim.sim.log.lock().unwrap().last_seq();
    let report = run(&later, &c).await;
    assert_eq!(report.outcome, "ok");
    let requests: Vec<String> = sim
        .sim
        .log
        .lock()
        .unwrap()
        .since(before)
        .map(|r| r.path.clone())
        .collect();
    for path in [
        "/api/v4/audit_log",
        "/api/v4/tasks",
        "/api/v4/comments",
        "/api/v4/timelogs",
    ] {
        let n = requests.iter().filter(|p| p.as_str() == path).count();
        assert!((1..=2).contains(&n), "{path}: {n} requests: {requests:?}");
    }
    let row = store.usage().user(&c.id, &someone).await.unwrap().unwrap();
    assert_eq!(
        row.last_login_at,
        Some((now() - Duration::minutes(1)).timestamp())
    );
}

/// Stops the sync after a few audit-log pages.
struct StopAfter {
    pages: AtomicUsize,
    after: usize,
    stop: CancellationToken,
}

impl ProgressSink for StopAfter {
    fn progress(&self, p: &SyncProgress) {
        if p.source == "audit_log"
            && p.requests > 0
            && self.pages.fetch_add(1, Ordering::SeqCst) + 1 >= self.after
        {
            self.stop.cancel();
        }
    }
    fn line(&self, _: &str) {}
}

#[tokio::test]
async fn a_stopped_sync_resumes_from_its_last_page_and_doubles_nothing() {
    let sim = sim(120).await;
    for store in stores("usage-resume").await {
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 0, "acme").await;
        let stop = CancellationToken::new();
        let sink = Arc::new(StopAfter {
            pages: AtomicUsize::new(0),
            after: 3,
            stop: stop.clone(),
        });
        let options = SyncOptions {
            page_size: 200,
            ..SyncOptions::default()
        };
        let stopped = sync::run(&hub, &c, "first", &options, sink, stop).await;
        assert!(matches!(stopped, Err(HubError::Conflict(_))), "{stopped:?}");
        let state = store
            .usage()
            .source(&c.id, "audit_log")
            .await
            .unwrap()
            .unwrap();
        assert!(
            state.window_start.is_some() && state.page_token.is_some(),
            "{state:?}"
        );
        let partial = store.usage().audit_count(&c.id).await.unwrap();
        assert!(partial > 0, "some pages were stored before the stop");
        let report = sync::run(
            &hub,
            &c,
            "second",
            &options,
            Arc::new(Silent),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(report.outcome, "ok");
        let expected = sim.sim.read().accounts[0].audit.len() as i64;
        assert_eq!(store.usage().audit_count(&c.id).await.unwrap(), expected);
        assert!(
            report.sources[3].records < expected as u64,
            "it did not start over"
        );
    }
}

#[tokio::test]
async fn one_sync_runs_per_connection_at_a_time() {
    let sim = sim(20).await;
    for store in stores("usage-lease").await {
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 0, "acme").await;
        let at = hub.clock.now_s();
        assert!(
            store
                .usage()
                .claim_sync(&c.id, "elsewhere", at, at + 60)
                .await
                .unwrap()
        );
        let busy = sync::run(
            &hub,
            &c,
            "here",
            &SyncOptions::default(),
            Arc::new(Silent),
            CancellationToken::new(),
        )
        .await;
        match busy {
            Err(HubError::Busy(message)) => assert!(message.contains("elsewhere"), "{message}"),
            other => panic!("expected busy, got {other:?}"),
        }
        // Its lease expired, the other instance is presumed dead: the sync takes over.
        let mut later = hub.clone();
        later.clock = Arc::new(ManualClock::new(now() + Duration::minutes(5)));
        let report = sync::run(
            &later,
            &c,
            "here",
            &SyncOptions::default(),
            Arc::new(Silent),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(report.outcome, "ok");
        let state = store.usage().sync_state(&c.id).await.unwrap().unwrap();
        assert_eq!(state.lease_owner, None);
        assert_eq!(state.outcome.as_deref(), Some("ok"));
    }
}

#[tokio::test]
async fn deleted_people_are_found_whichever_way_wrike_reads_the_flag() {
    let sim = sim(60).await;
    let deleted = sim.sim.read().accounts[0]
        .users
        .iter()
        .filter(|u| u.contact.deleted)
        .count() as i64;
    let everyone = sim.sim.read().accounts[0].users.len() as i64;
    assert!(deleted > 0);
    for reading in ["includes", "only"] {
        control(
            &sim,
            reqwest::Method::PUT,
            "contacts_deleted",
            json!({"reading": reading}),
        )
        .await;
        let store = Arc::new(
            weft_store::testing::temp_sqlite(&format!("usage-deleted-{reading}"))
                .await
                .unwrap(),
        );
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 0, "acme").await;
        run(&hub, &c).await;
        let scope = UsageScope::one(&c.id, Signals::ALL, hub.clock.now_s());
        assert_eq!(
            store.usage().count(&scope).await.unwrap(),
            everyone,
            "{reading}"
        );
        let mut gone = scope.clone();
        gone.filter.deleted = Some(true);
        assert_eq!(
            store.usage().count(&gone).await.unwrap(),
            deleted,
            "{reading}"
        );
    }
}

#[tokio::test]
async fn a_rejected_token_stops_the_sync_with_its_class_and_asks_for_a_probe() {
    let sim = sim(20).await;
    let store = Arc::new(
        weft_store::testing::temp_sqlite("usage-revoked")
            .await
            .unwrap(),
    );
    let hub = hub_on(store.clone());
    let c = connect(&hub, &sim, 0, "acme").await;
    let user = c.identity.user_id.clone();
    control(
        &sim,
        reqwest::Method::POST,
        &format!("users/{user}/password"),
        json!({}),
    )
    .await;
    let before = sim.sim.log.lock().unwrap().last_seq();
    let failed = sync::run(
        &hub,
        &c,
        "x",
        &SyncOptions::default(),
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await;
    match &failed {
        Err(HubError::Wrike { class, .. }) => {
            assert_eq!(*class, weft_core::health::FailureClass::TokenRejected)
        }
        other => panic!("expected a Wrike failure, got {other:?}"),
    }
    let sent = sim.sim.log.lock().unwrap().since(before).count();
    assert!(sent <= 2, "no retry storm: {sent} requests");
    let state = store.usage().sync_state(&c.id).await.unwrap().unwrap();
    assert_eq!(state.outcome.as_deref(), Some("failed"));
    let probes = weft_hub::jobs::list(&hub, &weft_store::JobFilter::default())
        .await
        .unwrap();
    assert!(
        probes.iter().any(|j| j.kind == "health.probe"),
        "a probe was asked for"
    );
}

#[tokio::test]
async fn a_backfill_through_429s_and_500s_loses_nothing() {
    let sim = sim(60).await;
    let store = Arc::new(
        weft_store::testing::temp_sqlite("usage-faults")
            .await
            .unwrap(),
    );
    let hub = hub_on(store.clone());
    let c = connect(&hub, &sim, 0, "acme").await;
    control(
        &sim,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "rateLimit", "count": 2, "pathPrefix": "/api/v4/audit_log"}),
    )
    .await;
    control(
        &sim,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "serverError", "count": 2, "pathPrefix": "/api/v4/tasks"}),
    )
    .await;
    control(
        &sim,
        reqwest::Method::POST,
        "faults",
        json!({"kind": "rateLimit", "count": 1, "retryAfter": 1, "pathPrefix": "/api/v4/contacts"}),
    )
    .await;
    let report = sync::run(
        &hub,
        &c,
        "x",
        &SyncOptions {
            page_size: 300,
            ..SyncOptions::default()
        },
        Arc::new(Silent),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, "ok");
    let expected = sim.sim.read().accounts[0].audit.len() as i64;
    assert_eq!(store.usage().audit_count(&c.id).await.unwrap(), expected);
}

#[tokio::test]
async fn renewal_costs_price_the_idle_seats() {
    let sim = sim(60).await;
    let store = Arc::new(
        weft_store::testing::temp_sqlite("usage-renewal")
            .await
            .unwrap(),
    );
    let hub = hub_on(store.clone());
    let c = connect(&hub, &sim, 0, "acme").await;
    run(&hub, &c).await;
    let light = sim.sim.read().accounts[0].user_types[2].id.clone();
    let bad = reports::set_renewal(
        &hub,
        "admin",
        &c,
        &RenewalInput {
            seat_cost: "abc".into(),
            currency: "USD".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(bad.unwrap_err().to_string().contains("seat cost"));
    let renewal = reports::set_renewal(
        &hub,
        "admin",
        &c,
        &RenewalInput {
            seat_cost: "300".into(),
            currency: "usd".into(),
            type_costs: [(light.clone(), "120.50".into())].into(),
            renewal_date: "2027-03-31".into(),
            ..RenewalInput::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(renewal.currency, "USD");
    let mut request = ReportRequest::default();
    request.filter.idle_days = Some(60);
    let got = reports::inactive(&hub, &request).await.unwrap();
    // The idle paid seats, priced by type.
    let mut idle = UsageScope::one(&c.id, Signals::ALL, hub.clock.now_s());
    idle.filter.idle_days = Some(60);
    idle.filter.paid = Some(true);
    idle.filter.active = Some(true);
    idle.filter.deleted = Some(false);
    let rows = store
        .usage()
        .users(&idle, SortBy::Name, false, 1000, 0)
        .await
        .unwrap();
    let expected: i64 = rows
        .rows
        .iter()
        .map(|r| {
            if r.user_type_id.as_deref() == Some(light.as_str()) {
                12_050
            } else {
                30_000
            }
        })
        .sum();
    assert!(expected > 0);
    assert_eq!(got.savings.seats, rows.total);
    assert_eq!(got.savings.by_currency, vec![("USD".to_owned(), expected)]);
    assert_eq!(got.savings.unpriced_seats, 0);
    let trail = store.trail().latest(5).await.unwrap();
    assert!(trail.iter().any(|t| t.action == "usage.renewal"));
}

#[tokio::test]
async fn reclaiming_is_a_dry_run_then_one_confirmed_application() {
    let sim = sim(40).await;
    let account = sim.sim.read().accounts[0].id().to_owned();
    let planted = plant(&sim, &account, "acme.example").await;
    for store in stores("usage-reclaim").await {
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 0, "acme").await;
        run(&hub, &c).await;
        let light = sim.sim.read().accounts[0].user_types[2].id.clone();
        // A dry run over a filter: the planted people idle for 90 days.
        let mut request = ReportRequest::default();
        request.filter.q = Some("planted".into());
        request.filter.idle_days = Some(90);
        request.filter.paid = Some(true);
        let plan = reclaim::plan(
            &hub,
            "admin",
            &c,
            Action::SetType(light.clone()),
            Selection::Filter(Box::new(request)),
        )
        .await
        .unwrap();
        let mut who: Vec<&str> = plan.items.iter().map(|i| i.name.as_str()).collect();
        who.sort();
        assert_eq!(who, vec!["ivo Planted", "nora Planted"]);
        assert_eq!(plan.status, "planned");
        assert_eq!(plan.items[0].after, "Light User");
        // Nothing changed in Wrike yet.
        let type_of = |id: &str| {
            sim.sim
                .read()
                .account(&account)
                .unwrap()
                .user(id)
                .unwrap()
                .contact
                .user_type_id
                .clone()
        };
        assert_ne!(type_of(&planted["ivo"]), Some(light.clone()));
        // Applied once, with a result per user; a second confirmation is refused.
        let applied = reclaim::apply(&hub, "admin", &plan.id).await.unwrap();
        assert_eq!(applied.status, "applied");
        assert!(
            applied
                .items
                .iter()
                .all(|i| i.result.as_deref() == Some("ok")),
            "{applied:?}"
        );
        assert_eq!(type_of(&planted["ivo"]), Some(light.clone()));
        assert_eq!(type_of(&planted["nora"]), Some(light.clone()));
        let again = reclaim::apply(&hub, "admin", &plan.id).await.unwrap_err();
        assert!(again.to_string().contains("applied"), "{again}");
        let row = store
            .usage()
            .user(&c.id, &planted["ivo"])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.user_type_id,
            Some(light.clone()),
            "reports see it at once"
        );
        // Deactivating the owner is planned as skipped, never sent.
        let owner = sim.sim.read().accounts[0].owner().id().to_owned();
        let plan = reclaim::plan(
            &hub,
            "admin",
            &c,
            Action::Deactivate,
            Selection::Users(vec![owner.clone(), planted["pia"].clone()]),
        )
        .await
        .unwrap();
        let applied = reclaim::apply(&hub, "admin", &plan.id).await.unwrap();
        let result = |id: &str| {
            applied
                .items
                .iter()
                .find(|i| i.user_id == id)
                .unwrap()
                .result
                .clone()
        };
        assert_eq!(result(&owner).as_deref(), Some("skipped"));
        assert_eq!(result(&planted["pia"]).as_deref(), Some("ok"));
        // Nor is the owner's type or role changed: planned as skipped, never sent.
        for action in [
            Action::SetType(light.clone()),
            Action::SetRole("Collaborator".into()),
        ] {
            let plan = reclaim::plan(
                &hub,
                "admin",
                &c,
                action,
                Selection::Users(vec![owner.clone()]),
            )
            .await
            .unwrap();
            assert_eq!(plan.items[0].result.as_deref(), Some("skipped"), "{plan:?}");
            assert!(
                plan.items[0].message.as_deref().unwrap().contains("owner"),
                "{plan:?}"
            );
        }
        assert!(
            !sim.sim
                .read()
                .account(&account)
                .unwrap()
                .user(&planted["pia"])
                .unwrap()
                .is_active()
        );
        // The kept seat counts followed each change: they agree with a count of every row.
        let scope = UsageScope::one(&c.id, Signals::ALL, hub.clock.now_s());
        let mut by_rows = SeatCounts::default();
        for (_, _, counts) in store.usage().seat_counts_by_rows(&scope).await.unwrap() {
            by_rows.add(&counts);
        }
        let kept = store.usage().seat_summary(&scope).await.unwrap().counts;
        assert_eq!(kept, by_rows, "seat counts after reclaiming");
        assert!(kept.inactive_still_typed > 0, "pia still holds her type");
        // Bad targets are refused by name before anything is planned.
        let bad = reclaim::plan(
            &hub,
            "admin",
            &c,
            Action::SetType("nope".into()),
            Selection::Users(vec![planted["pia"].clone()]),
        )
        .await;
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("nope is not a user type")
        );
        let trail = store.trail().latest(10).await.unwrap();
        assert!(
            trail
                .iter()
                .filter(|t| t.action.starts_with("usage.reclaim"))
                .count()
                >= 4
        );
        // Put Wrike back for the next backend.
        let client = weft_hub::wrike::client_for(&hub, &c).await.unwrap();
        client
            .set_users_active(&[&planted["pia"]], true)
            .await
            .unwrap();
        for name in ["ivo", "nora"] {
            let regular = sim.sim.read().accounts[0].user_types[0].id.clone();
            client
                .update_user(
                    &planted[name],
                    &wrike_api::requests::UserUpdate::UserType(regular),
                )
                .await
                .unwrap();
        }
        connections::remove(&hub, "test", c).await.unwrap();
    }
}

/// A connection whose sources never synced counts no signal at all; its people listing,
/// sorted by last activity, must still answer (an empty signal set once became `ORDER BY 0`,
/// which SQLite reads as a column number and refuses).
#[tokio::test]
async fn a_connection_that_never_synced_lists_nobody_instead_of_failing() {
    let sim = sim(20).await;
    for store in stores("never_synced").await {
        let hub = hub_on(store.clone());
        let c = connect(&hub, &sim, 0, "never-synced").await;
        let request = ReportRequest {
            connections: vec![c.id.clone()],
            filter: UserFilter {
                paid: Some(true),
                idle_days: Some(90),
                ..UserFilter::default()
            },
            signals: None,
            policy: None,
        };
        for sort in [SortBy::LastActivity, SortBy::LastWork, SortBy::Name] {
            let page = reports::users(&hub, &request, sort, false, 50, 0)
                .await
                .unwrap_or_else(|e| panic!("{sort:?} on {}: {e}", store.backend().as_str()));
            assert_eq!(page.page.total, 0);
        }
    }
}
