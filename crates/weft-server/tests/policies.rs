//! License policies against planted people, with every verdict worked out here from the
//! planted list alone: the idle threshold exactly on its boundary, never-active seats, the
//! grace period of seats activated or invited recently (from Wrike's audit log, and from a
//! sync that sees someone new), each kind of exemption (person, group, company, domain,
//! title), a per-type rule with its own threshold and downgrade, the account owner, the
//! connection's own user and a service account. Through the JSON API (apply by an Analyst,
//! refused to an Operator; evaluation; reclaim plans by an Admin only), and the refusal to
//! act on data older than the freshness setting. On SQLite, and on PostgreSQL when
//! `WEFT_TEST_POSTGRES_URL` is set.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weft_core::clock::ManualClock;
use wrike_sim::RunningSim;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-19T15:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A planted person: name, user type index (0 Regular, 1 External), extra profile fields,
/// and activity as (kind, days ago).
struct Planted {
    name: &'static str,
    user_type: usize,
    email: Option<&'static str>,
    company: Option<&'static str>,
    title: Option<&'static str>,
    activity: Vec<(&'static str, i64)>,
    /// The verdict this test expects, worked out from the policy below by hand.
    expect: &'static str,
}

fn planted() -> Vec<Planted> {
    let p = |name, user_type, activity: Vec<(&'static str, i64)>, expect| Planted {
        name,
        user_type,
        email: None,
        company: None,
        title: None,
        activity,
        expect,
    };
    vec![
        // The threshold is 30 days, by logins and work (changes do not count).
        p("boundary", 0, vec![("login", 30)], "flagged"),
        p("inside", 0, vec![("login", 29)], "active"),
        p("never", 0, vec![], "flagged"),
        p(
            "commenter",
            0,
            vec![("login", 200), ("comment", 3)],
            "active",
        ),
        // A change alone is not activity under this policy.
        p("changer", 0, vec![("taskChange", 1)], "flagged"),
        // Sign-ins through an API client (OAuth) count as an integration's use; one who
        // opens Wrike rarely but works through one is active.
        p(
            "integrator",
            0,
            vec![("login", 100), ("oauthLogin", 3)],
            "active",
        ),
        // Grace is 20 days from an activation or an accepted invitation.
        p("activated", 0, vec![("activated", 19)], "newSeat"),
        p("graceover", 0, vec![("activated", 20)], "flagged"),
        p("invited", 0, vec![("invitationAccepted", 2)], "newSeat"),
        // External users: 10 days, downgraded to Collaborator.
        p("external", 1, vec![("login", 10)], "flagged"),
        p("externalok", 1, vec![("login", 9)], "active"),
        p("grouped", 0, vec![], "exempt"),
        Planted {
            company: Some("Acme Legal"),
            ..p("lawyer", 0, vec![], "exempt")
        },
        Planted {
            email: Some("partner@eu.partner.example"),
            ..p("partner", 0, vec![], "exempt")
        },
        Planted {
            title: Some("Chief Executive"),
            ..p("chief", 0, vec![], "exempt")
        },
        Planted {
            email: Some("listed@planted.example"),
            ..p("listed", 0, vec![], "exempt")
        },
        Planted {
            title: Some("Service Account"),
            ..p("robotic", 0, vec![], "protected")
        },
    ]
}

const POLICY: &str = "name: idle-seats
connection: acme
idle_days: 30
signals: [login, integration, task, comment, timelog]
grace_days: 20
action: deactivate
exempt:
  people: [LISTED@planted.example]
  groups: [Exempt Team]
  companies: [acme legal]
  domains: [partner.example]
  titles: [chief executive]
user_types:
  - user_type: External User
    idle_days: 10
    action: {downgrade_to: Collaborator}
";

async fn sim() -> RunningSim {
    common::small_sim(now()).await
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Empties the first account down to its owner and integration user, plants the people,
/// and puts "grouped" in a group titled "Exempt Team". Answers name → id.
async fn plant(sim: &RunningSim) -> BTreeMap<String, String> {
    let (account_id, types) = {
        let mut world = sim.sim.write();
        let account = &mut world.accounts[0];
        account.keep_only_owner_and_integration();
        let types: Vec<String> = account.user_types.iter().map(|t| t.id.clone()).collect();
        (account.id().to_owned(), types)
    };
    let mut ids = BTreeMap::new();
    for p in planted() {
        let activity: Vec<Value> = p
            .activity
            .iter()
            .map(|(kind, days)| {
                json!({"kind": kind, "at": (now() - Duration::days(*days)).to_rfc3339()})
            })
            .collect();
        let answer: Value = client()
            .post(format!("{}/_sim/accounts/{account_id}/people", sim.base_url()))
            .json(&json!({
                "firstName": p.name, "lastName": "Planted",
                "email": p.email.map(str::to_owned).unwrap_or_else(|| format!("{}@planted.example", p.name)),
                "userTypeId": types[p.user_type],
                "companyName": p.company,
                "title": p.title,
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
                .unwrap_or_else(|| panic!("{}: {answer}", p.name))
                .to_owned(),
        );
    }
    let mut world = sim.sim.write();
    let account = &mut world.accounts[0];
    let group = account
        .groups
        .first_mut()
        .expect("the generated account has groups");
    group.title = "Exempt Team".into();
    group.member_ids.push(ids["grouped"].clone());
    ids.insert("owner".into(), account.owner().id().to_owned());
    let integration = account
        .integration_user()
        .unwrap_or_else(|| account.owner())
        .id()
        .to_owned();
    ids.insert("integration".into(), integration);
    ids
}

#[tokio::test]
async fn every_policy_rule_gives_the_planted_verdict() {
    let sim = sim().await;
    let ids = plant(&sim).await;
    let name_of: BTreeMap<String, String> =
        ids.iter().map(|(n, id)| (id.clone(), n.clone())).collect();
    for store in common::every_store("policies").await {
        let team = common::team(&store).await;
        let (admin, analyst, operator) = (&team[0], &team[1], &team[2]);
        let mut hub = common::hub_on(store.clone(), None, None);
        hub.policy.requests_per_minute = 0;
        let clock = Arc::new(ManualClock::new(now()));
        hub.clock = clock.clone();
        let connection = common::connect_sim(
            &hub,
            &sim,
            &ids["integration"],
            &["Default", "amReadOnlyAuditLog", "amReadWriteUser"],
        )
        .await;
        let sync_now = || common::sync_when_free(&hub, &connection);
        sync_now().await;
        let served = common::start(hub.clone(), std::time::Duration::from_secs(3600)).await;
        let url = served.url.clone();
        let put = |token: &str, text: &str| {
            client()
                .put(format!("{url}/api/v1/policies/idle-seats"))
                .bearer_auth(token)
                .json(&json!({"text": text, "file": "idle-seats.yaml"}))
                .send()
        };

        // Operators may not write policies; a file naming an unknown type is refused with
        // the field; an Analyst applies the policy.
        assert_eq!(
            put(&operator.api_token, POLICY).await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let bad = put(
            &analyst.api_token,
            &POLICY.replace("External User", "Contractor"),
        )
        .await
        .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad: Value = bad.json().await.unwrap();
        let problem = &bad["problems"]["problems"][0];
        assert_eq!(problem["field"], "user_types[0].user_type", "{bad}");
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("External User"),
            "{bad}"
        );
        let applied = put(&analyst.api_token, POLICY).await.unwrap();
        assert_eq!(applied.status(), StatusCode::OK);
        let applied: Value = applied.json().await.unwrap();
        assert_eq!(applied["policy"]["version"], 1);
        assert_eq!(applied["changed"], true);
        // The same text again is no new version.
        let again: Value = put(&analyst.api_token, POLICY)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(again["changed"], false);

        let evaluation: Value = client()
            .get(format!(
                "{url}/api/v1/policies/idle-seats/evaluation?everyone=true"
            ))
            .bearer_auth(&analyst.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let verdicts: BTreeMap<String, String> = evaluation["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    name_of[p["userId"].as_str().unwrap()].clone(),
                    p["verdict"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut want: BTreeMap<String, String> = planted()
            .into_iter()
            .map(|p| (p.name.to_owned(), p.expect.to_owned()))
            .collect();
        // The owner and the connection's user are never proposed (one person on accounts
        // connected as their owner).
        want.insert("owner".into(), "protected".into());
        want.insert("integration".into(), "protected".into());
        assert_eq!(verdicts, want, "{evaluation:#}");
        let row = |name: &str| {
            evaluation["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["userId"] == ids[name].as_str())
                .unwrap()
                .clone()
        };
        assert_eq!(row("external")["change"], "setType");
        assert_eq!(row("external")["changeTo"], "Collaborator");
        assert_eq!(row("external")["rule"], "External User");
        assert_eq!(row("boundary")["change"], "deactivate");
        assert_eq!(row("commenter")["lastSignal"], "comment");
        assert_eq!(row("integrator")["lastSignal"], "integration");

        // The people report says which signal made someone active: by every signal the
        // integrator is active by the integration three days ago; by sign-ins to Wrike
        // alone (what hosted tools count), 100 days ago.
        let person = |signals: &'static str| {
            let request = client()
                .get(format!(
                    "{url}/api/v1/usage/users?q=integrator&signals={signals}"
                ))
                .bearer_auth(&analyst.api_token);
            async move {
                let page: Value = request.send().await.unwrap().json().await.unwrap();
                assert_eq!(page["total"], 1, "{page}");
                page["items"][0].clone()
            }
        };
        let by_all = person("all").await;
        assert_eq!(by_all["activeBy"], "integration", "{by_all}");
        let day = |at: &Value| {
            (now() - at.as_str().unwrap().parse::<DateTime<Utc>>().unwrap()).num_days()
        };
        assert_eq!(day(&by_all["lastActivityAt"]), 3);
        assert_eq!(day(&by_all["lastIntegrationAt"]), 3);
        assert_eq!(day(&by_all["lastLoginAt"]), 100, "a UI sign-in is its own");
        let by_logins = person("logins").await;
        assert_eq!(by_logins["activeBy"], "login");
        assert_eq!(day(&by_logins["lastActivityAt"]), 100);
        assert!(
            row("grouped")["reason"]
                .as_str()
                .unwrap()
                .contains("Exempt Team")
        );
        assert!(
            row("partner")["reason"]
                .as_str()
                .unwrap()
                .contains("partner.example")
        );
        let flagged = want.values().filter(|v| *v == "flagged").count();
        assert_eq!(evaluation["tally"]["flagged"], flagged);

        // The pages say the same: the list, the policy's page with everyone judged, and the
        // editor that names a bad file's field before anything is applied.
        let cookie = format!("weft_session={}", analyst.session);
        let page = |path: String| {
            let request = client()
                .get(format!("{url}{path}"))
                .header("cookie", cookie.clone());
            async move { request.send().await.unwrap().text().await.unwrap() }
        };
        let list = page("/usage/policies".into()).await;
        assert!(
            list.contains(&format!(
                r#"<td class="num" data-col="flagged">{flagged}</td>"#
            )),
            "{list}"
        );
        assert!(
            list.contains("id=\"freshness\""),
            "usage pages say how old the data is"
        );
        // Every policy at once (the list, the digest) reads the seats once and says what
        // each policy says alone: a second, stricter policy of the same connection.
        {
            use weft_hub::usage::policies;
            let strict = POLICY
                .replace("name: idle-seats", "name: strict")
                .replace("idle_days: 30", "idle_days: 100");
            let checked = policies::check(&hub, "strict.yaml", &strict)
                .await
                .unwrap()
                .unwrap();
            policies::apply(&hub, "test", &checked).await.unwrap();
            let every = policies::evaluate_every(&hub).await.unwrap();
            let names: Vec<&str> = every.iter().map(|(r, _)| r.name.as_str()).collect();
            assert_eq!(names, ["idle-seats", "strict"]);
            for (record, together) in &every {
                let together = together.as_ref().unwrap();
                let alone = policies::evaluate(&hub, &record.name, false).await.unwrap();
                assert_eq!(together.tally, alone.tally, "{}", record.name);
                let ids = |e: &policies::Evaluation| {
                    e.people
                        .iter()
                        .map(|p| p.judged.person_id.clone())
                        .collect::<Vec<_>>()
                };
                assert_eq!(ids(together), ids(&alone), "{}", record.name);
            }
            let (first, second) = (
                every[0].1.as_ref().unwrap().tally.flagged,
                every[1].1.as_ref().unwrap().tally.flagged,
            );
            assert_eq!(first, flagged);
            assert!(second < first, "100 days flags fewer than 30: {second}");
            policies::remove(&hub, "test", "strict").await.unwrap();
        }
        let shown = page("/usage/policies/idle-seats?everyone=1".into()).await;
        assert!(shown.contains(&format!(r#"<span id="tally-flagged">{flagged}</span>"#)));
        assert_eq!(
            shown.matches("data-verdict=\"flagged\"").count(),
            flagged,
            "{shown}"
        );
        assert!(shown.contains(&format!(
            r#"data-user="{}" data-verdict="exempt""#,
            ids["grouped"]
        )));
        let checked = client()
            .post(format!("{url}/usage/policies"))
            .header("cookie", cookie.clone())
            .form(&[
                ("csrf", "csrf-analyst"),
                ("action", "apply"),
                ("text", &POLICY.replace("idle_days: 30", "idle_days: 0")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(checked.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let checked = checked.text().await.unwrap();
        assert!(checked.contains("idle_days"), "{checked}");

        // "Idle under this policy" filters every report: the people report holds exactly
        // the flagged, in JSON, CSV and on the page; a second filter narrows it further.
        let flagged_names: Vec<String> = want
            .iter()
            .filter(|(_, v)| *v == "flagged")
            .map(|(n, _)| n.clone())
            .collect();
        let under = |query: &'static str| {
            let request = client()
                .get(format!("{url}/api/v1/usage/users?{query}&limit=500"))
                .bearer_auth(&analyst.api_token);
            async move { request.send().await.unwrap() }
        };
        let names_in = |page: &Value| {
            let mut names: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| name_of[p["id"].as_str().unwrap()].clone())
                .collect();
            names.sort();
            names
        };
        let listed: Value = under("policy=idle-seats").await.json().await.unwrap();
        assert_eq!(names_in(&listed), flagged_names, "{listed:#}");
        assert_eq!(listed["total"], flagged_names.len());
        let narrowed: Value = under("policy=idle-seats&userType=IEAAAAARNH777777&q=b")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            names_in(&narrowed),
            vec!["boundary".to_owned()],
            "{narrowed:#}"
        );
        let csv = client()
            .get(format!("{url}/api/v1/usage/users.csv?policy=idle-seats"))
            .bearer_auth(&analyst.api_token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), flagged_names.len() + 1, "{csv}");
        let missing = under("policy=no-such-policy").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert!(missing.text().await.unwrap().contains("no-such-policy"));
        let shown = page("/usage/users?policy=idle-seats".into()).await;
        assert!(
            shown.contains(&format!(
                r#"<strong id="total">{}</strong>"#,
                flagged_names.len()
            )),
            "{shown}"
        );
        assert!(shown.contains("<option selected>idle-seats</option>"));

        // Reclaims: Admins only; one plan per change, holding exactly the flagged people.
        let reclaim = |token: &str| {
            client()
                .post(format!("{url}/api/v1/policies/idle-seats/reclaims"))
                .bearer_auth(token)
                .send()
        };
        assert_eq!(
            reclaim(&analyst.api_token).await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let plans = reclaim(&admin.api_token).await.unwrap();
        assert_eq!(plans.status(), StatusCode::CREATED);
        let plans: Value = plans.json().await.unwrap();
        let mut planned: Vec<(String, String)> = plans
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|plan| {
                let action = plan["action"].as_str().unwrap().to_owned();
                let name_of = &name_of;
                plan["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |i| {
                        (
                            action.clone(),
                            name_of[i["userId"].as_str().unwrap()].clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        planned.sort();
        let mut expected: Vec<(String, String)> = want
            .iter()
            .filter(|(_, v)| *v == "flagged")
            .map(|(n, _)| {
                let action = if n == "external" {
                    "set_type"
                } else {
                    "deactivate"
                };
                (action.to_owned(), n.clone())
            })
            .collect();
        expected.sort();
        assert_eq!(planned, expected, "{plans:#}");

        // Someone new seen by a later sync is a new seat, from that sync on.
        {
            let account_id = sim.sim.read().accounts[0].id().to_owned();
            let answer: Value = client()
                .post(format!("{}/_sim/accounts/{account_id}/people", sim.base_url()))
                .json(&json!({"firstName": "late", "lastName": "Planted", "email": "late@planted.example"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let late = answer["id"].as_str().unwrap().to_owned();
            sync_now().await;
            let evaluation = weft_hub::usage::policies::evaluate(&hub, "idle-seats", true)
                .await
                .unwrap();
            let judged = evaluation
                .people
                .iter()
                .find(|p| p.judged.person_id == late)
                .unwrap();
            assert!(
                matches!(
                    judged.judged.verdict,
                    weft_core::policy::Verdict::NewSeat { since, .. } if since == now().timestamp()
                ),
                "{:?}",
                judged.judged.verdict
            );
            // Remove the late person again so the next store sees the same world.
            sim.sim.write().accounts[0].users.retain(|u| u.id() != late);
        }

        // Two days on, the data is too old to act on: planning is refused with why, and the
        // evaluation says so.
        clock.advance(Duration::seconds(48 * 3600 + 60));
        let refused = reclaim(&admin.api_token).await.unwrap();
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        let refused: Value = refused.json().await.unwrap();
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("older than 48 hours"),
            "{refused}"
        );
        let stale: Value = client()
            .get(format!("{url}/api/v1/usage/connections/acme/freshness"))
            .bearer_auth(&analyst.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            stale["stale"].as_str().unwrap().contains("users"),
            "{stale}"
        );
    }
}
