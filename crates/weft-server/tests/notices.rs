//! Renewal reminders and the weekly digest, against the simulator on every backend:
//! reminders go out once per mark (120, 90, 60, 30 days before) by the alert webhook and
//! e-mail with the plan's figures and link, only the nearest mark when several passed, and
//! again later when no channel took one; the digest goes to the Admins and Analysts who
//! asked, from Monday 08:00 UTC, once a week, with the policies' idle seats and what needs
//! attention.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weft_core::clock::ManualClock;
use weft_hub::alerts::Alerter;
use weft_hub::usage::{digest, reminders};

/// A Tuesday.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-10T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

const POLICY: &str = "name: idle-seats
connection: acme
idle_days: 30
action: deactivate
";

#[tokio::test]
async fn reminders_and_the_weekly_digest_go_out_once_each() {
    for store in common::every_store("notices").await {
        let backend = store.backend().as_str();
        let sim = common::small_sim(start()).await;
        let integration = {
            let world = sim.sim.read();
            let account = &world.accounts[0];
            account
                .integration_user()
                .unwrap_or_else(|| account.owner())
                .id()
                .to_owned()
        };
        let team = common::team(&store).await;
        let (admin, analyst, operator) = (&team[0], &team[1], &team[2]);
        let (hook, posted) = common::receiver().await;
        let (smtp, mails) = common::smtp_sink().await;
        let mut hub = common::hub_on(store.clone(), None, Some(hook));
        let mailer = weft_hub::mail::Mailer::new(
            &secrecy::SecretString::from(smtp),
            "weft <weft@acme.example>",
        )
        .unwrap();
        hub.alerter = hub.alerter.clone().with_mail(
            mailer,
            weft_hub::mail::parse_addresses(&["it@acme.example".to_owned()]).unwrap(),
        );
        hub.policy.requests_per_minute = 0;
        let clock = Arc::new(ManualClock::new(start()));
        hub.clock = clock.clone();
        let connection = common::connect_sim(
            &hub,
            &sim,
            &integration,
            &["Default", "amReadOnlyAuditLog", "amReadWriteUser"],
        )
        .await;
        common::sync_when_free(&hub, &connection).await;
        let renewal_date = (start() + Duration::days(100)).date_naive().to_string();
        weft_hub::usage::reports::set_renewal(
            &hub,
            "test",
            &connection,
            &weft_hub::usage::reports::RenewalInput {
                seat_cost: "300".into(),
                currency: "USD".into(),
                renewal_date: renewal_date.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Served without a runtime: the reminders and digests run here, when the test says,
        // not on the hourly schedule.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(weft_server::serve(
            common::state(hub.clone()),
            listener,
            std::future::pending(),
        ));
        let http = reqwest::Client::new();

        // 100 days before: the 120-day reminder, by the webhook and e-mail, with the plan.
        let sent = reminders::send_due(&hub).await.unwrap();
        assert_eq!(sent.len(), 1, "{backend}: {sent:?}");
        assert_eq!(
            (sent[0].days_before, sent[0].days_left),
            (120, 100),
            "{sent:?}"
        );
        assert_eq!(sent[0].channels, vec!["webhook", "email"]);
        let body = posted.lock().unwrap().last().cloned().unwrap();
        assert_eq!(body["event"], "renewal.reminder");
        assert_eq!(body["renewalDate"], renewal_date.as_str());
        assert_eq!(body["daysLeft"], 100);
        assert!(
            body["link"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/usage/renewal?connection={}", connection.id)),
            "{body}"
        );
        assert!(body["plan"]["recommended"].is_i64(), "{body}");
        {
            let kept = mails.lock().unwrap();
            let mail = kept.last().unwrap();
            assert_eq!(mail.to, vec!["<it@acme.example>"]);
            assert!(mail.data.contains("in 100 days"), "{}", mail.data);
            assert!(mail.data.contains("Seats recommended at renewal"));
        }
        // Not twice.
        assert!(reminders::send_due(&hub).await.unwrap().is_empty());

        // The digest: Admins and Analysts ask for it; an Operator may not; the address is
        // checked.
        let subscribe = |token: &str, email: &str| {
            http.put(format!("{url}/api/v1/me/digest"))
                .bearer_auth(token)
                .json(&json!({ "email": email }))
                .send()
        };
        assert_eq!(
            subscribe(&operator.api_token, "op@acme.example")
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        let bad = subscribe(&analyst.api_token, "not an address")
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.text().await.unwrap().contains("email"));
        let set: Value = subscribe(&analyst.api_token, "analyst@acme.example")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(set["subscribed"], true);
        assert_eq!(set["email"], "analyst@acme.example");
        let mine: Value = http
            .get(format!("{url}/api/v1/me/digest"))
            .bearer_auth(&admin.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["subscribed"], false, "each member's own");
        let applied = http
            .put(format!("{url}/api/v1/policies/idle-seats"))
            .bearer_auth(&analyst.api_token)
            .json(&json!({"text": POLICY, "file": "idle-seats.yaml"}))
            .send()
            .await
            .unwrap();
        assert_eq!(applied.status(), StatusCode::OK);
        let flagged = weft_hub::usage::policies::evaluate(&hub, "idle-seats", false)
            .await
            .unwrap()
            .tally
            .flagged;

        // Monday 07:00 is too early; from 08:00 it goes, once; the next Monday again.
        let mails_before = mails.lock().unwrap().len();
        clock.set(start() + Duration::days(6) - Duration::hours(2));
        assert_eq!(digest::send_due(&hub).await.unwrap(), 0);
        clock.set(start() + Duration::days(6));
        assert_eq!(digest::send_due(&hub).await.unwrap(), 1, "{backend}");
        assert_eq!(digest::send_due(&hub).await.unwrap(), 0, "once a week");
        let digest_mail = mails.lock().unwrap()[mails_before..].to_vec();
        assert_eq!(digest_mail.len(), 1);
        assert_eq!(digest_mail[0].to, vec!["<analyst@acme.example>"]);
        let text = &digest_mail[0].data;
        assert!(text.contains("weekly digest, 2026-W47"), "{text}");
        assert!(
            text.contains(&format!("idle-seats (acme): {flagged} of ")),
            "{text}"
        );
        // Six days after the last sync, the data is stale: it needs attention.
        assert!(text.contains("Needs attention"), "{text}");
        assert!(text.contains("hours ago"), "{text}");
        let preview: Value = http
            .get(format!("{url}/api/v1/usage/digest"))
            .bearer_auth(&analyst.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(preview["week"], "2026-W47");
        assert!(!preview["attention"].as_array().unwrap().is_empty());
        clock.set(start() + Duration::days(13));
        assert_eq!(digest::send_due(&hub).await.unwrap(), 1, "the next week");

        // The account page turns it off.
        let cookie = format!("weft_session={}", analyst.session);
        let page = http
            .get(format!("{url}/account"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(r#"value="analyst@acme.example""#), "{page}");
        let off = http
            .post(format!("{url}/account/digest"))
            .header("cookie", &cookie)
            .form(&[("csrf", "csrf-analyst"), ("action", "off")])
            .send()
            .await
            .unwrap();
        assert_eq!(off.status(), StatusCode::OK);
        assert!(
            off.text()
                .await
                .unwrap()
                .contains("The weekly digest is off.")
        );
        clock.set(start() + Duration::days(20));
        assert_eq!(digest::send_due(&hub).await.unwrap(), 0, "unsubscribed");

        // 89 days before: the 90-day reminder.
        clock.set(start() + Duration::days(11));
        let sent = reminders::send_due(&hub).await.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].days_before, sent[0].days_left), (90, 89));
        // 20 days before, with the webhook down: nothing goes and the reminder is kept for
        // later; once it is up, only the 30-day one goes (the 60-day mark passed unseen).
        clock.set(start() + Duration::days(80));
        let mut down = hub.clone();
        down.alerter = Alerter::new(Some("http://127.0.0.1:9/down".into()));
        assert!(reminders::send_due(&down).await.unwrap().is_empty());
        let sent = reminders::send_due(&hub).await.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].days_before, sent[0].days_left), (30, 20));
        let listed: Value = http
            .get(format!(
                "{url}/api/v1/usage/connections/{}/reminders",
                connection.id
            ))
            .bearer_auth(&analyst.api_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let marks: BTreeMap<i64, Value> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["daysBefore"].as_i64().unwrap(), r["channels"].clone()))
            .collect();
        assert_eq!(
            marks.keys().copied().collect::<Vec<_>>(),
            vec![30, 90, 120],
            "{listed}"
        );
        assert_eq!(marks[&30], json!(["webhook", "email"]));
        let renewal_posts = posted
            .lock()
            .unwrap()
            .iter()
            .filter(|b| b["event"] == "renewal.reminder")
            .count();
        assert_eq!(renewal_posts, 3, "{backend}");
        // After the date, nothing more.
        clock.set(start() + Duration::days(101));
        assert!(reminders::send_due(&hub).await.unwrap().is_empty());
    }
}
