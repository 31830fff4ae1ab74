//! Every usage figure against an answer known in advance. The simulated accounts are emptied
//! down to their owner and integration user (and a few tasks nobody authored), people are planted with activity at chosen
//! moments (some exactly on the idle boundary), and each figure is computed here from that
//! planted list alone, never from the hub's own queries. Then the JSON API, the pages and
//! the CSV exports are read and compared: seats held, idle and never active, collaborators,
//! deactivated people keeping a paid type, seats nobody holds, savings under a filter and
//! in two currencies, an account connected twice, weekly trends with the weeks before the
//! data marked, the renewal plan with its recommendations and date, and a reclaim plan's
//! saving and exclusions. On SQLite, and on PostgreSQL when `WEFT_TEST_POSTGRES_URL` is set.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, Utc};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use weft_core::clock::ManualClock;
use weft_hub::usage::sync::{self, Silent, SyncOptions};
use wrike_api::models::ContactType;
use wrike_sim::{Listen, RunningSim, SimConfig};

const DAY: i64 = 86_400;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-19T15:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Regular, External, Light, Collaborator: the simulator's user types, in its order.
const REGULAR: usize = 0;
const EXTERNAL: usize = 1;
const LIGHT: usize = 2;

/// A person as planted: account index, user type (None: a collaborator), whether active,
/// company, and what they did (kind, seconds before now).
struct Person {
    name: &'static str,
    account: usize,
    user_type: Option<usize>,
    active: bool,
    company: Option<&'static str>,
    activity: Vec<(&'static str, i64)>,
}

fn person(
    name: &'static str,
    account: usize,
    user_type: Option<usize>,
    activity: Vec<(&'static str, i64)>,
) -> Person {
    Person {
        name,
        account,
        user_type,
        active: true,
        company: None,
        activity,
    }
}

/// The people of both accounts. The owner and the integration user stay in each account
/// as Regular users who never did anything; they are listed here too, as `kept`.
fn planted() -> Vec<Person> {
    let d = |days: i64| days * DAY;
    let mut people = vec![
        person("ana", 0, Some(REGULAR), vec![("login", d(10))]),
        // Exactly 90 days idle: idle at a threshold of 90, active at 91.
        person("ben", 0, Some(REGULAR), vec![("login", d(90))]),
        // One second short of 90 days: active at 90.
        person("cai", 0, Some(REGULAR), vec![("login", d(90) - 1)]),
        person("dee", 0, Some(REGULAR), vec![]),
        person("eli", 0, Some(LIGHT), vec![("comment", d(120))]),
        person("fay", 0, Some(LIGHT), vec![("taskCreated", d(5))]),
        person("gus", 0, Some(EXTERNAL), vec![("timelog", d(150))]),
        Person {
            active: false,
            ..person("hal", 0, Some(REGULAR), vec![("login", d(50))])
        },
        person("ida", 0, None, vec![("login", d(3))]),
        Person {
            company: Some("Globex"),
            ..person("jon", 0, Some(REGULAR), vec![("login", d(100))])
        },
        Person {
            company: Some("Globex"),
            ..person("kim", 0, Some(LIGHT), vec![])
        },
        // The Business account: no audit log, so only work counts.
        person("lea", 1, Some(REGULAR), vec![("comment", d(100))]),
        person("max", 1, Some(REGULAR), vec![("taskCreated", d(2))]),
    ];
    for account in [0, 1] {
        for kept in ["owner", "integration"] {
            people.push(person(kept, account, Some(REGULAR), vec![]));
        }
    }
    people
}

/// Seats bought: what each account's `userLimit` is set to.
const BOUGHT: [u32; 2] = [20, 5];
/// Yearly costs in cents: a seat, and the Light type where it differs.
const SEAT_COST: [i64; 2] = [30_000, 24_000];
const LIGHT_COST: i64 = 12_000;
const CURRENCY: [&str; 2] = ["USD", "EUR"];

fn cost(account: usize, user_type: Option<usize>) -> i64 {
    match (account, user_type) {
        (0, Some(LIGHT)) => LIGHT_COST,
        _ => SEAT_COST[account],
    }
}

/// A person's latest activity (Unix seconds) as the account can see it.
fn last(p: &Person, t: i64) -> Option<i64> {
    p.activity
        .iter()
        .filter(|(kind, _)| p.account == 0 || *kind != "login")
        .map(|(_, ago)| t - ago)
        .max()
}

fn paid(p: &Person) -> bool {
    p.user_type.is_some()
}

fn held(p: &Person) -> bool {
    p.active && paid(p)
}

fn idle(p: &Person, t: i64, days: i64) -> bool {
    held(p) && last(p, t).is_none_or(|at| at <= t - days * DAY)
}

/// The figures of one account, from the planted list alone.
#[derive(Debug, PartialEq)]
struct Expected {
    held: i64,
    idle: i64,
    never: i64,
    collaborators: i64,
    deactivated_typed: i64,
    unassigned: i64,
    idle_saves: i64,
    unassigned_saves: i64,
}

fn expected(people: &[Person], account: usize, t: i64, days: i64) -> Expected {
    let mine: Vec<&Person> = people.iter().filter(|p| p.account == account).collect();
    let count = |f: &dyn Fn(&Person) -> bool| mine.iter().filter(|p| f(p)).count() as i64;
    let held_n = count(&|p| held(p));
    let unassigned = BOUGHT[account] as i64 - held_n;
    Expected {
        held: held_n,
        idle: count(&|p| idle(p, t, days)),
        never: count(&|p| held(p) && last(p, t).is_none()),
        collaborators: count(&|p| p.active && !paid(p)),
        deactivated_typed: count(&|p| !p.active && paid(p)),
        unassigned,
        idle_saves: mine
            .iter()
            .filter(|p| idle(p, t, days))
            .map(|p| cost(account, p.user_type))
            .sum(),
        unassigned_saves: unassigned * SEAT_COST[account],
    }
}

async fn sim() -> RunningSim {
    wrike_sim::start(
        SimConfig {
            users: 12,
            rate_limit_per_minute: 0,
            now: Some(now()),
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Empties both accounts down to their owner and integration user (both Regular, with no
/// activity), plants the people, and sets the seats bought. Answers the planted ids.
async fn plant(sim: &RunningSim, people: &[Person]) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    let mut type_ids = Vec::new();
    {
        let mut world = sim.sim.write();
        for (index, account) in world.accounts.iter_mut().enumerate().take(2) {
            let integration = account.integration_user().map(|u| u.id().to_owned());
            let owner = account.owner().id().to_owned();
            let regular = account.user_types[REGULAR].id.clone();
            account.users.retain(|u| {
                u.contact.contact_type != ContactType::Person
                    || u.id() == owner
                    || Some(u.id()) == integration.as_deref()
            });
            for u in account.users.iter_mut() {
                if u.contact.contact_type == ContactType::Person {
                    u.contact.user_type_id = Some(regular.clone());
                }
            }
            account.audit.clear();
            // A few tasks stay for comments and timelogs to be planted on, authored by
            // nobody.
            account
                .tasks
                .retain(|t| t.scope == wrike_api::models::TreeScope::WsTask);
            account.tasks.truncate(5);
            for task in account.tasks.iter_mut() {
                task.author_ids = Some(Vec::new());
            }
            account.comments.clear();
            account.timelogs.clear();
            ids.insert(format!("owner{index}"), owner);
            type_ids.push(
                account
                    .user_types
                    .iter()
                    .map(|t| t.id.clone())
                    .collect::<Vec<_>>(),
            );
        }
    }
    let accounts: Vec<String> = sim.sim.read().accounts[..2]
        .iter()
        .map(|a| a.id().to_owned())
        .collect();
    // An account without an integration user (Business) is connected as its owner.
    let kept = people
        .iter()
        .filter(|p| p.name == "owner" || p.name == "integration")
        .count();
    assert_eq!(kept, 4);
    for p in people
        .iter()
        .filter(|p| p.name != "owner" && p.name != "integration")
    {
        let activity: Vec<Value> = p
            .activity
            .iter()
            .map(|(kind, ago)| {
                json!({"kind": kind, "at": (now() - Duration::seconds(*ago)).to_rfc3339()})
            })
            .collect();
        let answer: Value = client()
            .post(format!(
                "{}/_sim/accounts/{}/people",
                sim.base_url(),
                accounts[p.account]
            ))
            .json(&json!({
                "firstName": p.name, "lastName": "Planted",
                "email": format!("{}@planted{}.example", p.name, p.account),
                "role": if paid(p) { "User" } else { "Collaborator" },
                "userTypeId": p.user_type.map(|t| type_ids[p.account][t].clone())
                    .unwrap_or_else(|| type_ids[p.account][3].clone()),
                "active": p.active,
                "companyName": p.company,
                "activity": activity,
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.insert(
            p.name.to_owned(),
            answer["id"]
                .as_str()
                .unwrap_or_else(|| panic!("planting {}: {answer}", p.name))
                .to_owned(),
        );
    }
    {
        let mut world = sim.sim.write();
        for (index, account) in world.accounts.iter_mut().enumerate().take(2) {
            account.user_limit = BOUGHT[index];
            // The integration user of an account without one is its owner: one person.
            if account.integration_user().is_none() {
                let owner = account.owner().id().to_owned();
                ids.insert(format!("integration{index}"), owner);
            }
        }
    }
    ids
}

/// The Monday of the week a Unix time falls in, as a day number.
/// A day on the wire (`YYYY-MM-DD`) as days since the epoch.
fn day(value: &Value) -> i64 {
    let date = chrono::NaiveDate::parse_from_str(value.as_str().expect("a day"), "%Y-%m-%d")
        .expect("a YYYY-MM-DD day");
    (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
}

fn monday(at: i64) -> i64 {
    let date = DateTime::from_timestamp(at, 0).unwrap().date_naive();
    let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
    (monday - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
}

fn money(cents: i64, currency: &str) -> String {
    weft_core::usage::money(cents, currency)
}

#[tokio::test]
async fn every_figure_matches_the_planted_answer() {
    let people = planted();
    // Each account has no integration user when the generator made none; then the owner is
    // the one person kept, and the list above names it twice: drop the second.
    let sim = sim().await;
    let has_integration: Vec<bool> = sim.sim.read().accounts[..2]
        .iter()
        .map(|a| a.integration_user().is_some())
        .collect();
    let people: Vec<Person> = people
        .into_iter()
        .filter(|p| p.name != "integration" || has_integration[p.account])
        .collect();
    let ids = plant(&sim, &people).await;
    let t = now().timestamp();
    for store in common::every_store("usage-numbers").await {
        let team = common::team(&store).await;
        let (admin, analyst) = (&team[0], &team[1]);
        let mut hub = common::hub_on(store.clone(), None, None);
        hub.policy.requests_per_minute = 0;
        hub.clock = Arc::new(ManualClock::new(now()));
        // Acme connected twice (its integration user both times), Nordlicht as its owner.
        let mut connections = Vec::new();
        for (name, account) in [("acme", 0), ("acme-again", 0), ("nordlicht", 1)] {
            let user = ids
                .get(&format!("integration{account}"))
                .cloned()
                .unwrap_or_else(|| {
                    sim.sim.read().accounts[account]
                        .integration_user()
                        .unwrap()
                        .id()
                        .to_owned()
                });
            let token: Value = client()
                .post(format!("{}/_sim/tokens", sim.base_url()))
                .json(&json!({"userId": user,
                              "scopes": ["Default", "amReadOnlyAuditLog", "amReadWriteUser"]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let c = weft_hub::connections::add(
                &hub,
                "test",
                name,
                token["apiUrl"].as_str().unwrap(),
                secrecy::SecretString::from(token["accessToken"].as_str().unwrap().to_owned()),
                vec![],
            )
            .await
            .unwrap()
            .connection;
            sync::run(
                &hub,
                &c,
                "t",
                &SyncOptions::default(),
                Arc::new(Silent),
                CancellationToken::new(),
            )
            .await
            .unwrap();
            connections.push(c);
        }
        let served = common::start(hub.clone(), std::time::Duration::from_secs(3600)).await;
        let url = served.url.clone();
        let get = |path: &str| {
            client()
                .get(format!("{url}{path}"))
                .bearer_auth(&analyst.api_token)
        };
        let json_of = |path: String| {
            let request = get(&path);
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                response.json::<Value>().await.unwrap()
            }
        };
        let page = |path: String| {
            let request = client()
                .get(format!("{url}{path}"))
                .header(COOKIE, format!("weft_session={}", analyst.session));
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                response.text().await.unwrap()
            }
        };

        // Before any cost is entered, idle seats and seats nobody holds are counted as
        // unpriced, never as an amount.
        let unpriced = json_of("/api/v1/usage/summary?idle=90".into()).await;
        for entry in unpriced["connections"].as_array().unwrap() {
            let account = usize::from(entry["connection"] == "nordlicht");
            let want = expected(&people, account, t, 90);
            assert_eq!(entry["savings"]["unpricedSeats"], want.idle, "{entry}");
            assert_eq!(entry["savings"]["byCurrency"], json!([]), "{entry}");
            assert_eq!(
                entry["unassigned"]["savings"]["unpricedSeats"], want.unassigned,
                "{entry}"
            );
        }
        let unpriced_page = page("/".into()).await;
        assert!(unpriced_page.contains(&format!(
            "{} seats without a cost entered",
            expected(&people, 0, t, 90).idle + expected(&people, 1, t, 90).idle
        )));

        // Seats by type and role, per account: held seats and the idle among them.
        let seats = json_of("/api/v1/usage/seats?idle=90".into()).await;
        for (account, index, role) in [
            (0, Some(REGULAR), "User"),
            (0, Some(LIGHT), "User"),
            (0, Some(EXTERNAL), "User"),
            (1, Some(REGULAR), "User"),
        ] {
            let connection = if account == 0 {
                &connections[..2]
            } else {
                &connections[2..]
            };
            let type_id = sim.sim.read().accounts[account].user_types[index.unwrap()]
                .id
                .clone();
            let group = seats["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| {
                    g["userTypeId"] == type_id.as_str()
                        && g["role"] == role
                        && connection
                            .iter()
                            .any(|c| g["connectionId"] == c.id.as_str())
                })
                .unwrap_or_else(|| panic!("{type_id} in {seats}"));
            let of = people
                .iter()
                .filter(|p| p.account == account && p.user_type == index && held(p));
            assert_eq!(group["seats"], of.clone().count() as i64, "{group}");
            assert_eq!(
                group["idle"],
                of.filter(|p| idle(p, t, 90)).count() as i64,
                "{group}"
            );
        }

        // Renewal costs: acme in USD with a cheaper Light type, 8 Regular seats bought, 20 %
        // headroom and a date 45 days ahead; nordlicht in EUR.
        let acme = &connections[0];
        let types: Vec<String> = sim.sim.read().accounts[0]
            .user_types
            .iter()
            .map(|t| t.id.clone())
            .collect();
        let renewal_date = (now() + Duration::days(45)).date_naive().to_string();
        for (c, body) in [
            (
                acme,
                json!({"seatCost": "300", "currency": "USD", "renewalDate": renewal_date,
                       "typeCosts": {types[LIGHT].clone(): "120"},
                       "typeSeats": {types[REGULAR].clone(): "8"}, "headroomPct": "20"}),
            ),
            (
                &connections[2],
                json!({"seatCost": "240", "currency": "EUR"}),
            ),
        ] {
            let saved = client()
                .put(format!(
                    "{}/api/v1/usage/connections/{}/renewal",
                    served.url, c.id
                ))
                .bearer_auth(&admin.api_token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(saved.status(), StatusCode::OK, "{}", c.name);
        }
        // Another account's user type is refused by name.
        let other_type = sim.sim.read().accounts[1].user_types[LIGHT].id.clone();
        let refused = client()
            .put(format!(
                "{}/api/v1/usage/connections/{}/renewal",
                served.url, acme.id
            ))
            .bearer_auth(&admin.api_token)
            .json(&json!({"seatCost": "300", "currency": "USD", "typeCosts": {other_type.clone(): "1"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.text().await.unwrap().contains(&other_type));

        // The summary: one entry per account, acme's naming its second connection.
        for days in [90, 91, 30] {
            let summary = json_of(format!("/api/v1/usage/summary?idle={days}")).await;
            let entries = summary["connections"].as_array().unwrap();
            assert_eq!(entries.len(), 2, "acme counted once: {summary}");
            for entry in entries {
                let account = if entry["connection"] == "nordlicht" {
                    1
                } else {
                    0
                };
                let want = expected(&people, account, t, days);
                let c = &entry["counts"];
                let got = Expected {
                    held: c["paidSeats"].as_i64().unwrap(),
                    idle: c["idleN"].as_i64().unwrap(),
                    never: c["neverActive"].as_i64().unwrap(),
                    collaborators: c["freeSeats"].as_i64().unwrap(),
                    deactivated_typed: c["inactiveStillTyped"].as_i64().unwrap(),
                    unassigned: entry["unassigned"]["seats"].as_i64().unwrap(),
                    idle_saves: entry["savings"]["byCurrency"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|money| money["cents"].as_i64().unwrap())
                        .sum(),
                    unassigned_saves: entry["unassigned"]["savings"]["byCurrency"][0]["cents"]
                        .as_i64()
                        .unwrap(),
                };
                assert_eq!(got, want, "account {account} at {days} days: {entry}");
                // A currency no idle seat is billed in is never shown as a zero amount.
                for pair in entry["savings"]["byCurrency"].as_array().unwrap() {
                    assert_eq!(pair["currency"], CURRENCY[account]);
                    assert!(pair["cents"].as_i64().unwrap() > 0);
                }
                if account == 0 {
                    let other = if entry["connection"] == "acme" {
                        "acme-again"
                    } else {
                        "acme"
                    };
                    assert_eq!(entry["signals"]["sharedWith"], json!([other]));
                }
            }
        }
        let acme_counts = expected(&people, 0, t, 90);
        let nord_counts = expected(&people, 1, t, 90);
        assert!(acme_counts.idle > acme_counts.never && acme_counts.never > 0);
        assert!(
            nord_counts.idle_saves > 0,
            "both currencies have idle seats"
        );

        // The dashboard shows the same, once per account, in both currencies.
        let dashboard = page("/".into()).await;
        assert_eq!(dashboard.matches("class=\"card usage-card\"").count(), 2);
        assert!(dashboard.contains(&format!(
            "<strong id=\"total-paid\">{}</strong>",
            acme_counts.held + nord_counts.held
        )));
        assert!(dashboard.contains(&format!(
            "<strong id=\"total-idle\">{}</strong>",
            acme_counts.idle + nord_counts.idle
        )));
        assert!(dashboard.contains(&format!(
            "<span id=\"total-never\">{}</span>",
            acme_counts.never + nord_counts.never
        )));
        assert!(dashboard.contains(&format!(
            "<strong id=\"total-savings\">{} a year, plus {} a year</strong>",
            money(acme_counts.idle_saves, "USD"),
            money(nord_counts.idle_saves, "EUR")
        )));
        assert!(dashboard.contains(&format!(
            "<strong id=\"total-unassigned\">{}</strong>",
            acme_counts.unassigned + nord_counts.unassigned
        )));
        assert!(dashboard.contains("is also connected as"));
        assert!(!dashboard.contains("EUR 0.00") && !dashboard.contains("USD 0.00"));
        // One seats chart per account, each with its own seats bought.
        assert_eq!(dashboard.matches("<svg id=\"seats-by-type-").count(), 2);
        for bought in BOUGHT {
            assert!(dashboard.contains(&format!("seats purchased: {bought}<")));
        }

        // Savings count exactly the people a filter shows, and only idle held seats.
        let globex: Vec<&Person> = people
            .iter()
            .filter(|p| p.company == Some("Globex"))
            .collect();
        let globex_saves: i64 = globex
            .iter()
            .filter(|p| idle(p, t, 90))
            .map(|p| cost(0, p.user_type))
            .sum();
        let filtered = page(format!(
            "/usage/users?connection={}&company=Globex",
            acme.id
        ))
        .await;
        assert!(filtered.contains(&format!(
            "<span id=\"idle-in-filter\">{}</span>",
            globex.iter().filter(|p| idle(p, t, 90)).count()
        )));
        assert!(
            filtered.contains(&format!(
                "<strong id=\"filter-savings\">{} a year</strong>",
                money(globex_saves, "USD")
            )),
            "{}",
            &filtered[filtered.find("filter-savings-line").unwrap()..][..400]
        );
        // Deactivated people hold no seat: nothing to reclaim among them.
        let deactivated = page("/usage/users?active=false&paid=true".into()).await;
        assert!(deactivated.contains(&format!(
            "<strong id=\"total\">{}</strong>",
            acme_counts.deactivated_typed + nord_counts.deactivated_typed
        )));
        assert!(deactivated.contains("<strong id=\"filter-savings\">nothing</strong>"));
        let nobody = page("/usage/users?q=nobody-is-called-this".into()).await;
        assert!(nobody.contains("<strong id=\"filter-savings\">nothing</strong>"));

        // Weekly trend: the weeks before the backfill are no data, not zero; the others
        // count the planted people active in them.
        let trend = json_of("/api/v1/usage/trend?period=week&count=40".into()).await;
        let from = day(&trend["dataFrom"]);
        assert_eq!(from, (t - hub.policy.backfill_days * DAY).div_euclid(DAY));
        for point in trend["points"].as_array().unwrap() {
            let start = day(&point["start"]);
            let end = day(&point["end"]);
            assert_eq!(end, start + 6);
            if end < from {
                assert_eq!(point["coverage"], "noData", "{point}");
                assert!(point["activeUsers"].is_null());
                continue;
            }
            let active: BTreeSet<&str> = people
                .iter()
                .filter(|p| {
                    p.activity.iter().any(|(kind, ago)| {
                        (p.account == 0 || *kind != "login")
                            && (start..=end).contains(&(t - ago).div_euclid(DAY))
                    })
                })
                .map(|p| p.name)
                .collect();
            assert_eq!(
                point["activeUsers"].as_i64().unwrap(),
                active.len() as i64,
                "week of day {start}: {active:?}"
            );
            let partial = start < from || end >= t.div_euclid(DAY);
            assert_eq!(
                point["coverage"],
                if partial { "partial" } else { "full" },
                "{point}"
            );
        }
        assert_eq!(
            monday(t),
            day(&trend["points"].as_array().unwrap().last().unwrap()["start"])
        );

        // Monthly trend: calendar months, the current one partial.
        let monthly = json_of("/api/v1/usage/trend?period=month&count=8".into()).await;
        for point in monthly["points"].as_array().unwrap() {
            let (start, end) = (day(&point["start"]), day(&point["end"]));
            let first = DateTime::from_timestamp(start * DAY, 0)
                .unwrap()
                .date_naive();
            assert_eq!(first.day(), 1, "{point}");
            let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
            assert_eq!(
                end,
                (next - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() - 1
            );
            if end < from {
                assert!(point["activeUsers"].is_null(), "{point}");
                continue;
            }
            let active = people
                .iter()
                .filter(|p| {
                    p.activity.iter().any(|(kind, ago)| {
                        (p.account == 0 || *kind != "login")
                            && (start..=end).contains(&(t - ago).div_euclid(DAY))
                    })
                })
                .count() as i64;
            assert_eq!(point["activeUsers"], active, "{point}");
        }
        assert_eq!(
            monthly["points"].as_array().unwrap().last().unwrap()["coverage"],
            "partial"
        );

        // The renewal plan of acme: per type, and each action's saving.
        let plan = json_of(format!(
            "/api/v1/usage/connections/{}/renewal-plan",
            acme.id
        ))
        .await;
        assert_eq!(plan["daysLeft"], 45);
        assert_eq!(plan["renewalDate"], renewal_date);
        assert_eq!(plan["currency"], "USD");
        let mut total_recommended = 0;
        let mut spend_recommended = 0;
        let mut held_all = 0;
        for (index, title) in [
            (REGULAR, "Regular User"),
            (EXTERNAL, "External User"),
            (LIGHT, "Light User"),
        ] {
            let of: Vec<&Person> = people
                .iter()
                .filter(|p| p.account == 0 && p.user_type == Some(index))
                .collect();
            let held_n = of.iter().filter(|p| held(p)).count() as i64;
            let idle_n = of.iter().filter(|p| idle(p, t, 90)).count() as i64;
            let active = held_n - idle_n;
            let recommended = (active * 120 + 99) / 100;
            total_recommended += recommended;
            spend_recommended += recommended * cost(0, Some(index));
            held_all += held_n;
            let line = plan["plan"]["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["title"] == title)
                .unwrap_or_else(|| panic!("{title} in {plan}"));
            assert_eq!(line["assigned"], held_n, "{title}");
            assert_eq!(line["idle"], idle_n, "{title}");
            assert_eq!(line["active"], active, "{title}");
            assert_eq!(
                line["neverActive"],
                of.iter()
                    .filter(|p| held(p) && last(p, t).is_none())
                    .count() as i64
            );
            assert_eq!(line["recommended"], recommended, "{title}");
            assert_eq!(
                line["deactivatedTyped"],
                of.iter().filter(|p| !p.active).count() as i64
            );
            if index == REGULAR {
                assert_eq!(line["bought"], 8);
                assert_eq!(line["unassigned"], (8 - held_n).max(0));
                assert_eq!(line["downgradeTo"], "Light User");
                assert_eq!(
                    line["downgradeSavesCents"],
                    idle_n * (SEAT_COST[0] - LIGHT_COST)
                );
            }
        }
        let regular_held = people
            .iter()
            .filter(|p| p.account == 0 && p.user_type == Some(REGULAR) && held(p))
            .count() as i64;
        let untyped = BOUGHT[0] as i64 - 8 - (held_all - regular_held);
        assert_eq!(plan["plan"]["unassignedUntyped"], untyped);
        assert_eq!(
            plan["plan"]["unassigned"],
            untyped + (8 - regular_held).max(0)
        );
        assert_eq!(plan["plan"]["recommended"], total_recommended);
        assert_eq!(plan["plan"]["recommendedSpendCents"], spend_recommended);
        let action = |key: &str| {
            plan["plan"]["actions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["key"] == key)
                .unwrap()
                .clone()
        };
        assert_eq!(action("reclaim_idle")["savesCents"], acme_counts.idle_saves);
        assert_eq!(action("reclaim_idle")["seats"], acme_counts.idle);
        assert_eq!(
            action("drop_unassigned")["savesCents"],
            ((8 - regular_held).max(0) + untyped) * SEAT_COST[0]
        );
        // The CSV carries the same table; the page shows it.
        let csv = get(&format!(
            "/api/v1/usage/connections/{}/renewal-plan.csv",
            acme.id
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        let regular_row = csv
            .lines()
            .find(|l| l.starts_with("type,Regular User,"))
            .unwrap();
        assert!(
            regular_row.contains(&format!(",USD,300.00,8,{regular_held},")),
            "{regular_row}"
        );
        assert!(csv.lines().any(|l| l.starts_with("action:reclaim_idle,")
            && l.ends_with(&format!(
                ",{},{}.{:02}",
                acme_counts.idle,
                acme_counts.idle_saves / 100,
                acme_counts.idle_saves % 100
            ))));
        let renewal_page = page(format!("/usage/renewal/{}", acme.id)).await;
        assert!(renewal_page.contains(&format!(
            "<span id=\"plan-recommended\">{total_recommended}</span>"
        )));
        assert!(renewal_page.contains(&format!("{renewal_date} (in 45 days)")));
        assert!(renewal_page.contains(&format!(
            "<span id=\"plan-idle\">{}</span>",
            acme_counts.idle
        )));
        // What changed: a second sync after someone is deactivated in Wrike.
        {
            let mut world = sim.sim.write();
            let ana = ids["ana"].clone();
            let account = &mut world.accounts[0];
            let user = account.users.iter_mut().find(|u| u.id() == ana).unwrap();
            user.contact.profiles[0].active = Some(false);
        }
        hub.clock = Arc::new(ManualClock::new(now() + Duration::hours(1)));
        sync::run(
            &hub,
            acme,
            "t",
            &SyncOptions::default(),
            Arc::new(Silent),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let after = weft_hub::usage::renewal::plan(&hub, acme, 90)
            .await
            .unwrap();
        let since_sync = &after.changes[0];
        assert_eq!(since_sync.since, "previousSync");
        assert!(
            since_sync.moved.iter().any(|m| m.figure == "assigned"
                && m.then == acme_counts.held
                && m.now == acme_counts.held - 1),
            "{:?}",
            since_sync.moved
        );
        assert!(
            after.changes[1].at.is_none(),
            "no sync a month ago to compare with"
        );
        {
            let mut world = sim.sim.write();
            let ana = ids["ana"].clone();
            let account = &mut world.accounts[0];
            let user = account.users.iter_mut().find(|u| u.id() == ana).unwrap();
            user.contact.profiles[0].active = Some(true);
        }

        // A reclaim plan names the user type, prices the change, and lets people out.
        let plan = client()
            .post(format!("{}/api/v1/usage/reclaims", served.url))
            .bearer_auth(&admin.api_token)
            .json(
                &json!({"connection": acme.id, "action": "set_type", "target": types[LIGHT],
                          "filter": {"company": "Globex"}}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(plan.status(), StatusCode::CREATED);
        let plan: Value = plan.json().await.unwrap();
        assert_eq!(plan["headline"], "Change the user type to Light User");
        // Jon moves from Regular to Light; Kim is Light already (skipped).
        assert_eq!(plan["saving"]["cents"], SEAT_COST[0] - LIGHT_COST);
        let id = plan["id"].as_str().unwrap().to_owned();
        let page_html = page(format!("/usage/reclaims/{id}")).await;
        assert!(page_html.contains(&format!(
            "<strong id=\"plan-saving\">{} a year</strong>",
            money(SEAT_COST[0] - LIGHT_COST, "USD")
        )));
        assert!(page_html.contains("Change the user type to Light User"));
        let excluded: Value = client()
            .post(format!("{}/api/v1/usage/reclaims/{id}/exclude", served.url))
            .bearer_auth(&admin.api_token)
            .json(&json!({"users": [ids["jon"]]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(excluded["saving"]["cents"], 0, "{excluded}");
        let jon = excluded["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["userId"] == ids["jon"].as_str())
            .unwrap();
        assert_eq!(jon["result"], "excluded");
        // Another account's user type as the target is refused with names.
        let wrong = client()
            .post(format!("{}/api/v1/usage/reclaims", served.url))
            .bearer_auth(&admin.api_token)
            .json(
                &json!({"connection": acme.id, "action": "set_type", "target": other_type,
                          "filter": {"company": "Globex"}}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
        assert!(wrong.text().await.unwrap().contains("Light User ("));
        // Past plans, with who made them; the plan's CSV.
        let listed = json_of("/api/v1/usage/reclaims".into()).await;
        assert_eq!(listed["items"][0]["id"], id);
        assert_eq!(listed["items"][0]["createdBy"], admin.username);
        // Paged: the total counts every plan, the next page starts where this one ended.
        let total = listed["total"].as_i64().unwrap();
        assert_eq!(total as usize, listed["items"].as_array().unwrap().len());
        let first = json_of("/api/v1/usage/reclaims?limit=1".into()).await;
        assert_eq!(
            (first["total"].as_i64(), first["limit"].as_i64()),
            (Some(total), Some(1))
        );
        assert_eq!(first["items"][0]["id"], id);
        let past = json_of(format!("/api/v1/usage/reclaims?offset={total}")).await;
        assert_eq!(past["total"], total);
        assert_eq!(past["items"], json!([]), "{past}");
        let elsewhere = json_of("/api/v1/usage/reclaims?connection=nordlicht".into()).await;
        assert!(elsewhere["total"].as_i64().unwrap() < total, "{elsewhere}");
        let plans_page = page("/usage/reclaims".into()).await;
        assert!(plans_page.contains(&format!("data-plan=\"{id}\"")));
        let plan_csv = get(&format!("/api/v1/usage/reclaims/{id}/csv"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(plan_csv.contains(",excluded,excluded by"));
    }
}
