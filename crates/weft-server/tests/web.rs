//! The hub over real HTTP with the simulator: signing in and out, an expired session, an
//! OAuth connection made through Wrike's consent page, and a broken connection raising an
//! alert within one probe interval and clearing when it recovers.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use weft_store::NewSession;
use wrike_sim::{Listen, SimConfig};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Signs in through the login form; returns the session cookie and the page's CSRF token.
async fn sign_in(
    base: &str,
    username: &str,
    password: &str,
) -> Result<(String, String), StatusCode> {
    let http = no_redirects();
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    let login_cookie = cookie_value(&page, "weft_login").expect("login form cookie");
    let html = page.text().await.unwrap();
    let response = http
        .post(format!("{base}/login"))
        .header(COOKIE, format!("weft_login={login_cookie}"))
        .form(&[
            ("login_csrf", field(&html, "login_csrf").as_str()),
            ("next", "/"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    if response.status() != StatusCode::SEE_OTHER {
        return Err(response.status());
    }
    let session = cookie_value(&response, "weft_session").expect("session cookie");
    let home = http
        .get(format!("{base}/"))
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(&format!("{username} (")),
        "signed in as {username}"
    );
    Ok((session, field(&home, "csrf")))
}

#[tokio::test]
async fn sign_in_wrong_password_expiry_and_sign_out() {
    for store in common::every_store("web-login").await {
        sign_in_story(store).await;
    }
}

async fn sign_in_story(store: std::sync::Arc<weft_store::Store>) {
    let hub = common::hub_on(store, None, None);
    let store = hub.store.clone();
    common::team(&store).await;
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let base = served.url.clone();
    assert_eq!(
        sign_in(&base, "admin", "wrong password").await.unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&base, "nobody", "admin-password")
            .await
            .unwrap_err(),
        StatusCode::UNAUTHORIZED
    );
    let (session, csrf) = sign_in(&base, "admin", "admin-password").await.unwrap();
    let http = no_redirects();

    // A forged login form (no double-submit cookie) is refused.
    let forged = http
        .post(format!("{base}/login"))
        .form(&[
            ("login_csrf", "x"),
            ("username", "admin"),
            ("password", "admin-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // An expired session sends the browser to the login page.
    store
        .access()
        .create_session(NewSession {
            id_hash: common::sha("old-session"),
            user_id: "u-admin".into(),
            csrf: "c".into(),
            created_at: 1,
            expires_at: 2,
        })
        .await
        .unwrap();
    let expired = http
        .get(format!("{base}/connections"))
        .header(COOKIE, "weft_session=old-session")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::SEE_OTHER);
    assert_eq!(expired.headers()[LOCATION], "/login?next=%2Fconnections");

    // Signing out ends the session on the server, not only in the browser.
    let out = http
        .post(format!("{base}/logout"))
        .header(COOKIE, format!("weft_session={session}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = http
        .get(format!("{base}/"))
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.headers()[LOCATION], "/login?next=%2F");
    assert!(
        store
            .trail()
            .latest(10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.action == "session.login")
    );
}

#[tokio::test]
async fn oauth_connection_through_the_consent_page_refreshes_and_rotates() {
    for store in common::every_store("web-oauth").await {
        oauth_story(store).await;
    }
}

async fn oauth_story(store: std::sync::Arc<weft_store::Store>) {
    let (sim, base, store, _runtime) = common::oauth_hub_on(store).await;
    let (session, csrf) = sign_in(&base, "analyst", "analyst-password").await.unwrap();
    let http = no_redirects();

    // Start: pick scopes, be sent to the consent page with Default always included.
    let start = http
        .post(format!("{base}/connections/oauth/start"))
        .header(COOKIE, format!("weft_session={session}"))
        .body(format!("csrf={csrf}&name=acme-oauth&scope=amReadOnlyAuditLog&scope=wsReadWrite&feature=usage_analytics"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let consent = url::Url::parse(start.headers()[LOCATION].to_str().unwrap()).unwrap();
    let query: std::collections::HashMap<String, String> =
        consent.query_pairs().into_owned().collect();
    // The use's own scopes are added even when not ticked (usage analytics: wsReadOnly).
    assert_eq!(
        query["scope"],
        "Default,amReadOnlyAuditLog,wsReadWrite,wsReadOnly"
    );

    // The integration user accepts on Wrike's page.
    let (account, integration) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        (
            a.id().to_owned(),
            a.integration_user().unwrap().id().to_owned(),
        )
    };
    let mut form: Vec<(String, String)> = query.into_iter().collect();
    form.push(("user".into(), format!("{account}|{integration}")));
    form.push(("decision".into(), "accept".into()));
    let back = http
        .post(format!("{}/oauth2/authorize/v4/decision", sim.base_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let back_to_hub = back.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(back_to_hub.starts_with(&base));

    // Without the session that started it, the callback is refused.
    let stranger = http.get(&back_to_hub).send().await.unwrap();
    assert_eq!(
        stranger.status(),
        StatusCode::SEE_OTHER,
        "anonymous: to the login page"
    );
    let done = http
        .get(&back_to_hub)
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        StatusCode::SEE_OTHER,
        "{}",
        done.text().await.unwrap_or_default()
    );
    let replay = http
        .get(&back_to_hub)
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::BAD_REQUEST,
        "a consent completes once"
    );

    let connection = store
        .connections()
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "acme-oauth")
        .expect("stored");
    assert_eq!(connection.kind, weft_store::ConnectionKind::OAuth);
    assert_eq!(connection.identity.user_id, integration);
    assert!(
        connection.api_base.starts_with(&sim.api_url(0)),
        "the API base comes from the token's host"
    );
    assert_eq!(
        connection.health.as_ref().map(|h| h.is_healthy()),
        Some(true)
    );
    let page = http
        .get(format!("{base}/connections"))
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-name=\"acme-oauth\"") && !page.contains("missing: scope"),
        "the granted scopes cover the features"
    );
    let spec: Value = http
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0", "the OpenAPI document is public");
    assert!(spec["paths"]["/api/v1/connections"]["post"]["requestBody"].is_object());
    let before = store.connections().secrets(&connection.id).await.unwrap();

    // Two hours later on Wrike's clock the access token is dead: a check refreshes it,
    // stores the rotated pair once, and the connection stays healthy.
    reqwest::Client::new()
        .post(format!("{}/_sim/clock", sim.base_url()))
        .json(&json!({"advanceSeconds": 7200}))
        .send()
        .await
        .unwrap();
    let checked: Value = http
        .post(format!("{base}/api/v1/connections/{}/check", connection.id))
        .header("authorization", "Bearer wft_token-analyst")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(checked["state"], "healthy", "{checked}");
    let after = store.connections().secrets(&connection.id).await.unwrap();
    assert_eq!(after.version, before.version + 1, "one rotation stored");
    assert_ne!(after.tokens.refresh_token, before.tokens.refresh_token);

    // The integration user's tokens are revoked: the connection breaks, and its own page
    // reconnects it in place through a new consent (same id, same name, new tokens).
    reqwest::Client::new()
        .post(format!("{}/_sim/tokens/revoke", sim.base_url()))
        .json(&json!({"userId": integration}))
        .send()
        .await
        .unwrap();
    let checked: Value = http
        .post(format!("{base}/api/v1/connections/{}/check", connection.id))
        .header("authorization", "Bearer wft_token-analyst")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(checked["state"], "broken", "{checked}");
    let page = http
        .get(format!("{base}/connections/{}", connection.id))
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = &page[page
        .find("id=\"reconnect-form\"")
        .expect("a reconnect form")..];
    let form = &form[..form.find("</form>").unwrap()];
    let fields: Vec<(String, String)> = form
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let name = input
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let value = input
                .split("value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect();
    assert!(
        fields.contains(&("scope".into(), "amReadOnlyAuditLog".into())),
        "{fields:?}"
    );
    let start = http
        .post(format!("{base}/connections/oauth/start"))
        .header(COOKIE, format!("weft_session={session}"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let consent = url::Url::parse(start.headers()[LOCATION].to_str().unwrap()).unwrap();
    let mut form: Vec<(String, String)> = consent.query_pairs().into_owned().collect();
    form.push(("user".into(), format!("{account}|{integration}")));
    form.push(("decision".into(), "accept".into()));
    let back = http
        .post(format!("{}/oauth2/authorize/v4/decision", sim.base_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    let done = http
        .get(back.headers()[LOCATION].to_str().unwrap())
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let all = store.connections().list().await.unwrap();
    assert_eq!(all.len(), 1, "reconnected in place, not added");
    assert_eq!(all[0].id, connection.id);
    assert_eq!(all[0].health.as_ref().map(|h| h.is_healthy()), Some(true));
    let trail = store.trail().latest(10).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "connection.reconsent" && e.target == "acme-oauth")
    );
}

/// How a test breaks a connection in the simulator, the class the hub must name, and how it
/// is repaired (None: only a new token repairs it).
struct Breakage {
    class: &'static str,
    breaks: Vec<(&'static str, &'static str, Value)>,
    repairs: Vec<(&'static str, &'static str, Value)>,
}

#[tokio::test]
async fn each_failure_alerts_within_one_probe_interval_and_clears_on_recovery() {
    for store in common::every_store("web-alerts").await {
        alerts_story(store).await;
    }
}

async fn alerts_story(store: std::sync::Arc<weft_store::Store>) {
    let sim = wrike_sim::start(
        SimConfig {
            users: 20,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap();
    // The alert webhook receiver.
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/alerts",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(v) }
        }),
    );
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let alerts_url = format!("http://{}/alerts", receiver.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(receiver, app).await.unwrap() });

    let mut hub = common::hub_on(store, None, Some(alerts_url));
    // Transient failures alert only after lasting this long; meanwhile they show degraded.
    hub.policy.transient_grace_s = 3;
    common::team(&hub.store).await;
    let served = common::start(hub, Duration::from_secs(1)).await;
    let base = served.url.clone();
    let (account, integration) = {
        let world = sim.sim.read();
        let a = &world.accounts[0];
        (
            a.id().to_owned(),
            a.integration_user().unwrap().id().to_owned(),
        )
    };
    let api = reqwest::Client::new();
    let control = |path: String| format!("{}/_sim/{path}", sim.base_url());
    let add = |name: &'static str, scopes: Vec<&'static str>| {
        let (api, base, control) = (api.clone(), base.clone(), control(String::from("tokens")));
        let (dc, integration) = (sim.api_url(0), integration.clone());
        async move {
            let token: Value = api
                .post(control)
                .json(&json!({"userId": integration, "scopes": scopes}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let added = api
                .post(format!("{base}/api/v1/connections"))
                .header("authorization", "Bearer wft_token-admin")
                .json(&json!({"name": name, "dataCenter": dc, "token": token["accessToken"], "features": ["usage_analytics"]}))
                .send()
                .await
                .unwrap();
            let status = added.status();
            let added: Value = added.json().await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{added}");
            added["connection"]["id"].as_str().unwrap().to_owned()
        }
    };
    let wait_for = |event: &'static str, class: &'static str| {
        let received = received.clone();
        async move {
            // Bounded: a few probe intervals (and the transient grace) at most.
            for _ in 0..100 {
                let found = received
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|a| a["event"] == event && (class.is_empty() || a["class"] == class))
                    .cloned();
                if let Some(alert) = found {
                    return alert;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("no {event} alert {class}");
        }
    };

    let cases = vec![
        // On Enterprise the audit log is expected; losing the activity-report right breaks
        // usage analytics. (A Business plan does not: work activity is read there instead.)
        Breakage {
            class: "plan_or_right_missing",
            breaks: vec![("PUT", "rights", json!({"activityReports": false}))],
            repairs: vec![("PUT", "rights", json!({"activityReports": true}))],
        },
        Breakage {
            class: "wrike_unavailable",
            breaks: vec![(
                "POST",
                "faults",
                json!({"kind": "serverError", "rate": 1.0}),
            )],
            repairs: vec![("DELETE", "faults", json!(null))],
        },
        Breakage {
            class: "rate_limited",
            breaks: vec![("POST", "faults", json!({"kind": "rateLimit", "rate": 1.0}))],
            repairs: vec![("DELETE", "faults", json!(null))],
        },
        Breakage {
            class: "scope_missing",
            breaks: vec![],
            repairs: vec![],
        },
        Breakage {
            class: "token_rejected",
            breaks: vec![("POST", "password", json!({}))],
            repairs: vec![],
        },
    ];
    for case in cases {
        received.lock().unwrap().clear();
        // A fresh connection per case (the scope case is born without the audit scope).
        let name: &'static str =
            Box::leak(format!("acme-{}", case.class.replace('_', "-")).into_boxed_str());
        let scopes = if case.class == "scope_missing" {
            vec!["Default"]
        } else {
            vec!["Default", "amReadOnlyAuditLog"]
        };
        let id = add(name, scopes).await;
        for (method, what, body) in &case.breaks {
            let url = match *what {
                "plan" => control(format!("accounts/{account}/plan")),
                "password" => control(format!("users/{integration}/password")),
                "rights" => control(format!("users/{integration}/rights")),
                other => control(other.to_owned()),
            };
            api.request(method.parse().unwrap(), url)
                .json(body)
                .send()
                .await
                .unwrap();
        }
        let alerts_now = |api: reqwest::Client, base: String| async move {
            api.get(format!("{base}/api/v1/alerts"))
                .header("authorization", "Bearer wft_token-analyst")
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        };
        if matches!(case.class, "wrike_unavailable" | "rate_limited") {
            // A transient failure shows as degraded first, without an alert.
            let mut degraded = false;
            for _ in 0..40 {
                let banner = alerts_now(api.clone(), base.clone()).await;
                if banner["items"].as_array().unwrap().iter().any(|b| {
                    b["connection"] == name && b["state"] == "degraded" && b["class"] == case.class
                }) {
                    degraded = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(degraded, "{name} shows as degraded within a probe interval");
            assert!(
                !received
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|a| a["event"] == "connection.broken"),
                "a blip does not alert"
            );
        }
        let alert = wait_for("connection.broken", case.class).await;
        assert_eq!(alert["connectionName"], name, "{alert}");
        assert!(alert["advice"].as_str().is_some_and(|a| !a.is_empty()));
        let banner: Value = api
            .get(format!("{base}/api/v1/alerts"))
            .header("authorization", "Bearer wft_token-analyst")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            banner["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["connection"] == name
                    && b["class"] == case.class
                    && b["state"] == "broken"),
            "{banner}"
        );
        let page = api
            .get(format!("{base}/"))
            .header(COOKIE, "weft_session=session-operator")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("data-connection=\"{name}\"")),
            "the UI banner shows it to everyone, operators included"
        );
        if case.repairs.is_empty() {
            // Only a new token repairs these; remove the connection so the next case starts clean.
            api.delete(format!("{base}/api/v1/connections/{id}"))
                .header("authorization", "Bearer wft_token-admin")
                .send()
                .await
                .unwrap();
            continue;
        }
        for (method, what, body) in &case.repairs {
            let url = match *what {
                "plan" => control(format!("accounts/{account}/plan")),
                "rights" => control(format!("users/{integration}/rights")),
                other => control(other.to_owned()),
            };
            api.request(method.parse().unwrap(), url)
                .json(body)
                .send()
                .await
                .unwrap();
        }
        wait_for("connection.recovered", "").await;
        let banner: Value = api
            .get(format!("{base}/api/v1/alerts"))
            .header("authorization", "Bearer wft_token-analyst")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            !banner["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["connection"] == name),
            "the alert clears: {banner}"
        );
        api.delete(format!("{base}/api/v1/connections/{id}"))
            .header("authorization", "Bearer wft_token-admin")
            .send()
            .await
            .unwrap();
    }
}

/// The recipe reference lists every action of the catalog with all its inputs, and the
/// trigger events, for anyone who may read recipes (an Operator here).
#[tokio::test]
async fn the_recipe_reference_shows_every_action_and_its_inputs() {
    let hub = common::hub_on(common::store("web-reference").await, None, None);
    common::team(&hub.store).await;
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let (session, _) = sign_in(&served.url, "operator", "operator-password")
        .await
        .unwrap();
    let page = no_redirects()
        .get(format!("{}/recipes/reference", served.url))
        .header(COOKIE, format!("weft_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for action in weft_core::recipe::CATALOG {
        assert!(
            html.contains(&format!("data-action=\"{}\"", action.name)),
            "{} is missing",
            action.name
        );
    }
    // The update action's shared task fields are listed too, and required inputs stand out.
    let update = html
        .split("data-action=\"wrike.update_task\"")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap();
    assert!(update.contains("<code>customFields</code>"), "{update}");
    assert!(
        update.contains("<strong><code>id</code></strong>"),
        "{update}"
    );
    assert!(html.contains("<code>TaskStatusChanged</code>"));
    assert!(html.contains("<code>user_inactive</code>"));
    // Each action's privilege, the administering ones marked as Admins' only.
    let row = |name: &str| {
        html.split(&format!("data-action=\"{name}\""))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap()
            .to_owned()
    };
    assert!(
        row("wrike.update_user")
            .contains("<strong>administer users and seats</strong> (Admins only)")
    );
    assert!(row("wrike.create_comment").contains(">write work<"));
    assert!(row("wrike.get_task").contains(">read<"));
}

#[tokio::test]
async fn a_broken_connection_gets_a_new_token_on_its_own_page() {
    for store in common::every_store("web-connection-page").await {
        connection_page_story(store).await;
    }
}

async fn connection_page_story(store: std::sync::Arc<weft_store::Store>) {
    let sim = wrike_sim::start(
        SimConfig {
            users: 20,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await
    .unwrap();
    let hub = common::hub_on(store.clone(), None, None);
    common::team(&hub.store).await;
    // Probes only when asked: the page's own button.
    let served = common::start(hub, Duration::from_secs(3600)).await;
    let base = served.url.clone();
    let http = no_redirects();
    let token_of = |account: usize| {
        let (http, sim) = (http.clone(), &sim);
        async move {
            let user = sim.sim.read().accounts[account]
                .integration_user()
                .map(|u| u.id().to_owned())
                .unwrap_or_else(|| sim.sim.read().accounts[account].owner().id().to_owned());
            let answer: Value = http
                .post(format!("{}/_sim/tokens", sim.base_url()))
                .json(&json!({"userId": user, "scopes": ["Default", "amReadOnlyAuditLog"]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (answer["accessToken"].as_str().unwrap().to_owned(), user)
        }
    };
    let (token, user) = token_of(0).await;
    let added: Value = http
        .post(format!("{base}/api/v1/connections"))
        .header("authorization", "Bearer wft_token-admin")
        .json(&json!({"name": "acme", "dataCenter": sim.api_url(0), "token": token, "features": ["usage_analytics"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = added["connection"]["id"].as_str().unwrap().to_owned();
    let page = |who: &'static str| {
        let (http, url) = (http.clone(), format!("{base}/connections/{id}"));
        async move {
            let answer = http
                .get(url)
                .header(COOKIE, format!("weft_session=session-{who}"))
                .send()
                .await
                .unwrap();
            (answer.status(), answer.text().await.unwrap())
        }
    };
    let post = |who: &'static str, path: &'static str, body: String| {
        let (http, url) = (http.clone(), format!("{base}/connections/{id}/{path}"));
        async move {
            http.post(url)
                .header(COOKIE, format!("weft_session=session-{who}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf=csrf-{who}&{body}"))
                .send()
                .await
                .unwrap()
        }
    };

    let (status, html) = page("analyst").await;
    assert_eq!(status, StatusCode::OK);
    for fact in [
        "healthy",
        "Runs as",
        "Token set",
        "just now",
        "Last usage sync",
        "never",
    ] {
        assert!(html.contains(fact), "the page shows {fact}");
    }
    assert!(
        html.contains("id=\"token-form\""),
        "analysts manage connections"
    );
    let (status, _) = page("operator").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "operators do not see connections"
    );
    let refused = post("operator", "token", "token=x".into()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The token stops working; the page's check shows why.
    http.post(format!("{}/_sim/users/{user}/password", sim.base_url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let checked = post("admin", "check", "back=page".into()).await;
    assert_eq!(checked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        checked.headers()[LOCATION],
        format!("/connections/{id}").as_str()
    );
    let (_, html) = page("admin").await;
    assert!(html.contains("token_rejected"), "{html}");

    // A token of another account (the simulator's second one, in another data center) is
    // refused with the reason, and the stored one is kept.
    let (stranger, _) = token_of(1).await;
    let wrong = post("admin", "token", format!("token={stranger}")).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("belongs to another Wrike data center"),
        "{html}"
    );
    let empty = post("admin", "token", "token=+".into()).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);

    // The right account's new token: stored, checked at once, healthy.
    let (fresh, _) = token_of(0).await;
    let replaced = post("admin", "token", format!("token={fresh}")).await;
    assert_eq!(replaced.status(), StatusCode::SEE_OTHER);
    let back = replaced.headers()[LOCATION].to_str().unwrap().to_owned();
    let html = http
        .get(format!("{base}{back}"))
        .header(COOKIE, "weft_session=session-admin")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("the connection is healthy"), "{html}");
    assert!(html.contains("id=\"health\">healthy<"), "{html}");
    assert!(!html.contains(&fresh), "the token is never shown");
    let trail = store.trail().latest(20).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "connection.token" && e.actor == "admin" && e.target == "acme"),
        "{trail:?}"
    );
}
