//! The savings ledger against the simulator: applied reclaims (a deactivation each for two
//! people, a downgrade for a third) are recorded with what they save a year at the costs
//! entered, worked out here from those costs; a person the next sync finds reactivated in
//! Wrike nets out with the reason; the months hold realized against potential savings; the
//! renewal plan shows what was realized since the last renewal; the CSV and the page agree.
//! On SQLite, and on PostgreSQL when `WEFT_TEST_POSTGRES_URL` is set.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use weft_core::clock::ManualClock;
use weft_hub::usage::reclaim::{self, Action, Selection};
use wrike_api::models::ContactType;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-10T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn applied_reclaims_are_realized_and_restores_net_out() {
    for store in common::every_store("savings").await {
        let sim = common::small_sim(now()).await;
        // Three idle people of the first account: two regular users, one external.
        let (account_id, types, integration) = {
            let mut world = sim.sim.write();
            let account = &mut world.accounts[0];
            let integration = account
                .integration_user()
                .unwrap_or_else(|| account.owner())
                .id()
                .to_owned();
            let owner = account.owner().id().to_owned();
            account.users.retain(|u| {
                u.contact.contact_type != ContactType::Person
                    || u.id() == owner
                    || u.id() == integration
            });
            let types: BTreeMap<String, String> = account
                .user_types
                .iter()
                .map(|t| (t.title.clone(), t.id.clone()))
                .collect();
            (account.id().to_owned(), types, integration)
        };
        let (regular, external, collaborator) = (
            types["Regular User"].clone(),
            types["External User"].clone(),
            types["Collaborator"].clone(),
        );
        let mut ids = BTreeMap::new();
        for (name, user_type) in [("ann", &regular), ("bob", &regular), ("cat", &external)] {
            let answer: Value = reqwest::Client::new()
                .post(format!("{}/_sim/accounts/{account_id}/people", sim.base_url()))
                .json(&json!({"firstName": name, "lastName": "Idle", "email": format!("{name}@idle.example"),
                              "userTypeId": user_type,
                              "activity": [{"kind": "login", "at": (now() - Duration::days(200)).to_rfc3339()}]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.insert(name, answer["id"].as_str().unwrap().to_owned());
        }

        let team = common::team(&store).await;
        let (admin, analyst) = (&team[0], &team[1]);
        let mut hub = common::hub_on(store.clone(), None, None);
        hub.policy.requests_per_minute = 0;
        let clock = Arc::new(ManualClock::new(now()));
        hub.clock = clock.clone();
        let connection = common::connect_sim(
            &hub,
            &sim,
            &integration,
            &["Default", "amReadOnlyAuditLog", "amReadWriteUser"],
        )
        .await;
        let sync_now = || common::sync_when_free(&hub, &connection);
        // The user types come with the first sync; the costs are entered for them.
        sync_now().await;
        // Costs: a seat 300 a year, an external user 120, a collaborator nothing; the
        // renewal 60 days on, so the last one was 10 months ago.
        let renewal_date = (now() + Duration::days(60)).date_naive().to_string();
        weft_hub::usage::reports::set_renewal(
            &hub,
            "test",
            &connection,
            &weft_hub::usage::reports::RenewalInput {
                seat_cost: "300".into(),
                currency: "USD".into(),
                type_costs: [
                    (external.clone(), "120".to_owned()),
                    (collaborator.clone(), "0".to_owned()),
                ]
                .into(),
                renewal_date: renewal_date.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        sync_now().await;

        let served = common::start(hub.clone(), std::time::Duration::from_secs(3600)).await;
        let url = served.url.clone();
        let http = reqwest::Client::new();
        let get = |path: String, token: &str| {
            let request = http.get(format!("{url}{path}")).bearer_auth(token);
            async move {
                let answer = request.send().await.unwrap();
                assert!(answer.status().is_success(), "{}", answer.status());
                answer.text().await.unwrap()
            }
        };
        let ledger = |token: &str| {
            let path = format!("/api/v1/usage/connections/{}/savings", connection.id);
            let request = get(path, token);
            async move { serde_json::from_str::<Value>(&request.await).unwrap() }
        };
        let empty = ledger(&analyst.api_token).await;
        assert_eq!(empty["entries"], json!([]));
        assert_eq!(empty["realizedCents"], 0);
        // Three idle seats: 300 + 300 + 120 a year, as the sync's snapshot kept it.
        assert_eq!(empty["potentialCents"], 72_000, "{empty:#}");

        let deactivate = reclaim::plan(
            &hub,
            "test",
            &connection,
            Action::Deactivate,
            Selection::Users(vec![ids["ann"].clone(), ids["bob"].clone()]),
        )
        .await
        .unwrap();
        let downgrade = reclaim::plan(
            &hub,
            "test",
            &connection,
            Action::SetType(collaborator.clone()),
            Selection::Users(vec![ids["cat"].clone()]),
        )
        .await
        .unwrap();
        for plan in [&deactivate, &downgrade] {
            let applied = http
                .post(format!("{url}/api/v1/usage/reclaims/{}/apply", plan.id))
                .bearer_auth(&admin.api_token)
                .send()
                .await
                .unwrap();
            assert!(applied.status().is_success(), "{}", applied.status());
        }
        let realized = ledger(&analyst.api_token).await;
        let entries = realized["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 3, "{realized:#}");
        let saving_of = |ledger: &Value, id: &str| {
            ledger["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["userId"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(
            saving_of(&realized, &ids["ann"])["annualSavingCents"],
            30_000
        );
        assert_eq!(
            saving_of(&realized, &ids["cat"])["annualSavingCents"],
            12_000
        );
        assert_eq!(
            saving_of(&realized, &ids["cat"])["change"],
            "External User → Collaborator"
        );
        assert_eq!(realized["realizedCents"], 72_000);
        let month = realized["months"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(month["month"], "2026-11");
        assert_eq!(month["realizedCents"], 72_000);
        let plan: Value = serde_json::from_str(
            &get(
                format!("/api/v1/usage/connections/{}/renewal-plan", connection.id),
                &analyst.api_token,
            )
            .await,
        )
        .unwrap();
        let since = (now() + Duration::days(60) - chrono::Months::new(12))
            .date_naive()
            .to_string();
        assert_eq!(
            plan["realizedSinceRenewal"],
            json!({"since": since, "cents": 72_000, "people": 3})
        );

        // Ann is reactivated in Wrike; the next sync nets her saving out, with why.
        {
            let mut world = sim.sim.write();
            let account = &mut world.accounts[0];
            let ann = account
                .users
                .iter_mut()
                .find(|u| u.id() == ids["ann"])
                .unwrap();
            ann.profile_mut().active = Some(true);
        }
        // A sync that began no later than the change cannot tell what it listed came after
        // it (the served hub's own sync may have listed Ann before her deactivation): it
        // leaves the entry standing; the next one judges it.
        sync_now().await;
        let same_moment = ledger(&analyst.api_token).await;
        assert!(
            saving_of(&same_moment, &ids["ann"])["restoredAt"].is_null(),
            "{same_moment:#}"
        );
        assert_eq!(same_moment["realizedCents"], 72_000);
        clock.advance(Duration::days(25));
        sync_now().await;
        let after = ledger(&analyst.api_token).await;
        let ann = saving_of(&after, &ids["ann"]);
        assert!(
            ann["restoredReason"]
                .as_str()
                .unwrap()
                .starts_with("reactivated in Wrike"),
            "{ann}"
        );
        assert!(saving_of(&after, &ids["bob"])["restoredAt"].is_null());
        assert_eq!(after["realizedCents"], 42_000);
        assert_eq!(after["restoredCents"], 30_000);
        // November ended with Ann's seat still saved; December holds it no longer.
        let months: BTreeMap<String, Value> = after["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["month"].as_str().unwrap().to_owned(), m.clone()))
            .collect();
        assert_eq!(months["2026-11"]["realizedCents"], 72_000);
        assert_eq!(months["2026-12"]["realizedCents"], 42_000);
        assert_eq!(months["2026-12"]["partial"], true);
        // Ann is idle again, and the only idle paid seat left: 300 a year of potential.
        assert_eq!(months["2026-12"]["potentialCents"], 30_000);

        // The CSV and the page say the same.
        let csv = get(
            format!("/api/v1/usage/connections/{}/savings.csv", connection.id),
            &analyst.api_token,
        )
        .await;
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[0].starts_with("realized_at,connection,user_id,name,change,annual_saving"));
        let ann_line = lines.iter().find(|l| l.contains(&ids["ann"])).unwrap();
        assert!(ann_line.contains(",300.00,USD,") && ann_line.contains("reactivated in Wrike"));
        let page = http
            .get(format!("{url}/usage/savings?connection={}", connection.id))
            .header("cookie", format!("weft_session={}", analyst.session))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"savings-chart\""), "{page}");
        assert!(page.contains(r#"data-label="2026-12" data-series="realized" data-value="420""#));
        assert!(page.contains("USD 420.00"), "{page}");
        drop(served);
    }
}
