//! Usage analytics over HTTP, on both backends: the JSON API answers the same numbers the
//! hub computes, refuses bad parameters by name, exports formula-safe CSV, and keeps
//! Operators out; the pages show the dashboard with its figures and charts, filter people,
//! take renewal costs, start a sync, and walk a reclaim from the dry run to an Admin's
//! confirmation, which Analysts cannot give.

mod common;

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use weft_hub::usage::reports::{self, ReportRequest};
use weft_hub::usage::sync::{self, Silent, SyncOptions};
use wrike_sim::{Listen, RunningSim, SimConfig};

async fn sim() -> RunningSim {
    wrike_sim::start(
        SimConfig {
            users: 40,
            rate_limit_per_minute: 0,
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

#[tokio::test]
async fn usage_reports_pages_and_reclaim_over_http() {
    let sim = sim().await;
    let account = sim.sim.read().accounts[0].id().to_owned();
    // Someone whose name a spreadsheet would run as a formula.
    let planted: Value = client()
        .post(format!("{}/_sim/accounts/{account}/people", sim.base_url()))
        .json(
            &json!({"firstName": "=HYPERLINK(\"http://evil.example\")", "lastName": "Formula",
                      "email": "formula@acme.example", "activity": []}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let planted = planted["id"].as_str().unwrap().to_owned();
    for store in common::every_store("usage").await {
        let team = common::team(&store).await;
        let (admin, analyst, operator) = (&team[0], &team[1], &team[2]);
        let mut hub = common::hub_on(store.clone(), None, None);
        hub.policy.requests_per_minute = 0;
        let integration = sim.sim.read().accounts[0]
            .integration_user()
            .unwrap()
            .id()
            .to_owned();
        let c = common::connect_sim(
            &hub,
            &sim,
            &integration,
            &["Default", "amReadOnlyAuditLog", "amReadWriteUser"],
        )
        .await;
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
        let served = common::start(hub.clone(), std::time::Duration::from_secs(3600)).await;
        let api = |path: &str, member: &common::Member| {
            client()
                .get(format!("{}{path}", served.url))
                .bearer_auth(&member.api_token)
        };

        // The API's numbers are the hub's.
        let mut request = ReportRequest::default();
        request.filter.idle_days = Some(60);
        let expected = reports::inactive(&hub, &request).await.unwrap();
        let got: Value = api("/api/v1/usage/inactive?idle=60", analyst)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(got["counts"]["paidSeats"], expected.counts.paid_seats);
        assert_eq!(got["counts"]["idleN"], expected.counts.idle_n);
        assert_eq!(got["counts"]["neverActive"], expected.counts.never_active);
        assert!(expected.counts.idle_n > 0 && expected.counts.never_active > 0);
        let people: Value = api("/api/v1/usage/users?sort=name&limit=5&offset=5", analyst)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(people["items"].as_array().unwrap().len(), 5);
        assert_eq!(
            people["total"],
            sim.sim.read().accounts[0].users.len() as i64
        );
        // Bad parameters are refused by name.
        for (query, name) in [
            ("idle=soon", "idle"),
            ("signals=vibes", "vibes"),
            ("colour=red", "colour"),
            ("sort=size", "sort"),
        ] {
            let response = api(&format!("/api/v1/usage/users?{query}"), analyst)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
            let body: Value = response.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains(name),
                "{query}: {body}"
            );
        }
        // CSV: a header, one line per person, and the formula made text.
        let csv = api("/api/v1/usage/users.csv?q=formula", analyst)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let text = csv.text().await.unwrap();
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("connection,id,first_name,last_name,email")
        );
        let row = lines.next().unwrap();
        assert!(
            row.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
            "{row}"
        );
        assert!(lines.next().is_none());
        // Operators see no usage data.
        assert_eq!(
            api("/api/v1/usage/summary", operator)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );

        // Pages: the dashboard shows each connection's figures and the charts.
        let page = |path: &str, member: &common::Member| {
            client()
                .get(format!("{}{path}", served.url))
                .header(COOKIE, format!("weft_session={}", member.session))
        };
        let html = page("/?idle=60", analyst)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!(
                "data-figure=\"idle\" href=\"/usage/users?connection={}&amp;idle=60",
                c.id
            )),
            "{html}"
        );
        assert!(html.contains(&format!(">{}</a>", expected.counts.idle_n)));
        assert!(html.contains("<svg id=\"active-weekly\""));
        assert!(html.contains("<svg id=\"seats-by-type-"));
        let operator_home = page("/", operator)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !operator_home.contains("data-figure"),
            "Operators get the plain home page"
        );
        let filtered = page("/usage/users?q=formula", analyst)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            filtered.contains("<strong id=\"total\">1</strong>"),
            "{filtered}"
        );
        assert!(
            filtered.contains("=HYPERLINK(&#34;http://evil.example&#34;) Formula")
                || filtered.contains("=HYPERLINK(&quot;http://evil.example&quot;) Formula"),
            "escaped in HTML"
        );
        let bad = page("/usage/users?idle=-1", analyst).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.text().await.unwrap().contains("idle"));

        // Renewal costs from the form, refused by name when wrong.
        let form = |member: &common::Member, path: &str, fields: &[(&str, &str)]| {
            let mut body: Vec<(String, String)> = fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            body.push(("csrf".into(), member.csrf.clone()));
            client()
                .post(format!("{}{path}", served.url))
                .header(COOKIE, format!("weft_session={}", member.session))
                .form(&body)
        };
        let wrong = form(
            analyst,
            &format!("/usage/renewal/{}/costs", c.id),
            &[("seat_cost", "lots"), ("currency", "USD")],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
        assert!(wrong.text().await.unwrap().contains("seat cost"));
        let saved = form(
            analyst,
            &format!("/usage/renewal/{}/costs", c.id),
            &[
                ("seat_cost", "300"),
                ("currency", "EUR"),
                ("renewal_date", "2027-01-31"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            store
                .usage()
                .renewal(&c.id)
                .await
                .unwrap()
                .unwrap()
                .seat_cost_cents,
            30_000
        );

        // Sync now: a job.
        let started = form(analyst, &format!("/usage/sync/{}", c.id), &[])
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), StatusCode::SEE_OTHER);
        assert!(
            started.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/jobs/")
        );

        // Reclaim: Analysts cannot even plan; an Admin's dry run changes nothing; the
        // confirmation does, once.
        let filter = "q=formula";
        let refused = form(
            analyst,
            "/usage/reclaims",
            &[
                ("connection", &c.id),
                ("action", "deactivate"),
                ("filter", filter),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let planned = form(
            admin,
            "/usage/reclaims",
            &[
                ("connection", &c.id),
                ("action", "deactivate"),
                ("filter", filter),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(planned.status(), StatusCode::SEE_OTHER);
        let plan_url = planned.headers()["location"].to_str().unwrap().to_owned();
        let plan_page = page(&plan_url, analyst)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(plan_page.contains(&format!("data-user=\"{planted}\" data-result=\"planned\"")));
        assert!(
            !plan_page.contains("confirm-reclaim"),
            "only Admins see the confirmation"
        );
        assert!(
            sim.sim.read().accounts[0]
                .user(&planted)
                .unwrap()
                .is_active(),
            "a dry run"
        );
        let admin_view = page(&plan_url, admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(admin_view.contains("confirm-reclaim"));
        let confirmed = form(admin, &format!("{plan_url}/apply"), &[])
            .send()
            .await
            .unwrap();
        assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
        assert!(
            !sim.sim.read().accounts[0]
                .user(&planted)
                .unwrap()
                .is_active()
        );
        let done = page(&plan_url, admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            done.contains(&format!("data-user=\"{planted}\" data-result=\"ok\"")),
            "{done}"
        );
        let twice = form(admin, &format!("{plan_url}/apply"), &[])
            .send()
            .await
            .unwrap();
        assert_eq!(twice.status(), StatusCode::CONFLICT);
        let trail: Value = client()
            .get(format!("{}/api/v1/audit-trail", served.url))
            .bearer_auth(&admin.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> = trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"usage.reclaim.plan") && actions.contains(&"usage.reclaim.apply"),
            "{actions:?}"
        );
        // Put the person back for the next backend.
        let wrike = weft_hub::wrike::client_for(&hub, &c).await.unwrap();
        wrike.set_users_active(&[&planted], true).await.unwrap();
    }
}
