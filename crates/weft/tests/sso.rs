//! Single sign-on against a real OpenID provider: `oidc-provider` from npm, started by the
//! test with `tests/oidc/provider.mjs` (its development sign-in form takes any password),
//! and `weft serve`. The sign-in is walked as a browser would, one redirect at a time with
//! each host's cookies: roles mapped from groups and changed at the next sign-in, users
//! added first or created, disabled users refused; ID tokens with a wrong audience, an
//! expired one, a wrong nonce, a foreign signature, a replayed callback, a callback in
//! another browser; password sign-in off but for a break-glass Admin; the provider down.

mod common;
#[path = "oidc/provider.rs"]
mod provider;

use std::collections::HashMap;
use std::process::Child;

use common::{Browser, Instance, free_port, joined, text};
use provider::{CLIENT_SECRET, Provider};
use serde_json::{Value, json};

/// The hub's users by name: (role, sign-in method, disabled).
fn users(hub: &Instance) -> HashMap<String, (String, String, bool)> {
    let out = hub.run(&["users", "list", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["username"].as_str().unwrap().to_owned(),
                (
                    u["role"].as_str().unwrap().to_owned(),
                    u["signIn"].as_str().unwrap().to_owned(),
                    !u["disabledAt"].is_null(),
                ),
            )
        })
        .collect()
}

fn hub_settings(public: &str, issuer: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let listen = public.trim_start_matches("http://").to_owned();
    let mut all = vec![
        ("WEFT_LISTEN", listen.as_str()),
        ("WEFT_PUBLIC_URL", public),
        ("WEFT_PROBE_INTERVAL_SECONDS", "3600"),
        ("WEFT_SSO_ISSUER", issuer),
        ("WEFT_SSO_CLIENT_ID", "weft"),
        ("WEFT_SSO_CLIENT_SECRET", CLIENT_SECRET),
        ("WEFT_SSO_ADMIN_VALUES", "weft-admins"),
        ("WEFT_SSO_ANALYST_VALUES", "weft-analysts"),
        ("WEFT_SSO_OPERATOR_VALUES", "weft-operators"),
    ];
    all.extend_from_slice(extra);
    all.into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// `weft serve` until dropped.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve(hub: &Instance, public: &str) -> Serving {
    let serving = Serving(common::spawn(hub, &["serve"], "serve.log"));
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{public}/healthz")).send().await
            && r.status().is_success()
        {
            return serving;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("weft serve did not start: {}", hub.log("serve.log"));
}

#[tokio::test]
async fn people_sign_in_through_the_identity_provider() {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let Some(provider) = Provider::start(&format!("{public}/sso/callback")) else {
        return;
    };
    let settings = hub_settings(&public, &provider.issuer, &[]);
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let hub = Instance::new("sso", &settings);
    // Users must be added first (the default): Alice, Bob and Carol are; Dave is too, but
    // the provider gives him no weft role; Erin is not.
    for (name, role) in [
        ("alice", "analyst"),
        ("bob", "analyst"),
        ("carol", "operator"),
        ("dave", "analyst"),
    ] {
        let out = hub.run(&["users", "add", "--username", name, "--role", role, "--sso"]);
        assert!(out.status.success(), "{}", text(&out));
    }
    common::add_user(&hub, "root", "admin", "a long root password");
    let _serving = serve(&hub, &public).await;

    // Alice's group makes her an Admin (she was added as an Analyst): the provider's role
    // is the one that counts, and she lands where she was going.
    let mut alice = Browser::new();
    let (status, url, page) = alice.sso(&public, "alice").await;
    assert_eq!(
        (status, url.as_str()),
        (200, format!("{public}/runs").as_str()),
        "{page}"
    );
    let session = alice.session(&public).expect("a session");
    let team = reqwest::Client::new()
        .get(format!("{public}/team"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(team.status(), 200, "an Admin sees the team");
    assert_eq!(users(&hub)["alice"], ("admin".into(), "sso".into(), false));

    // The same callback again (a replay) is refused: the state was used.
    // (With the state's cookie too, as a thief of both would send them.)
    let replayed = alice.callback();
    let state = reqwest::Url::parse(&replayed)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut again = Browser::new();
    again
        .cookies
        .entry(Browser::host(&public))
        .or_default()
        .insert("weft_sso".into(), state);
    let (status, _, page) = again.follow(&replayed).await;
    assert_eq!(status, 403);
    assert!(page.contains("finished already"), "{page}");

    // Bob is an Analyst; his group changes at the provider and his next sign-in says so.
    let mut bob = Browser::new();
    let (status, _, _) = bob.sso(&public, "bob").await;
    assert_eq!(status, 200);
    assert_eq!(users(&hub)["bob"].0, "analyst");
    provider
        .control("people/bob", json!({"groups": ["weft-operators"]}))
        .await;
    let mut bob = Browser::new();
    bob.sso(&public, "bob").await;
    assert_eq!(users(&hub)["bob"].0, "operator");

    // Dave: no mapped group. Erin: not added. Carol: disabled. None signs in.
    let mut dave = Browser::new();
    let (status, _, page) = dave.sso(&public, "dave").await;
    assert_eq!(status, 403);
    assert!(page.contains("no weft role"), "{page}");
    assert!(dave.session(&public).is_none());
    provider
        .control(
            "people/erin",
            json!({"email": "erin@corp.example", "name": "Erin", "groups": ["weft-analysts"]}),
        )
        .await;
    let mut erin = Browser::new();
    let (status, _, page) = erin.sso(&public, "erin").await;
    assert_eq!(status, 403);
    assert!(page.contains("erin is not a weft user"), "{page}");
    // An Admin adds her through the API (a password is refused for such a user); she gets in.
    let admin = common::api_token(&hub, "auditor", "admin");
    let api = reqwest::Client::new();
    let add = |body: Value| {
        api.post(format!("{public}/api/v1/users"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let refused = add(json!({"username": "erin", "role": "analyst", "signIn": "sso", "password": "a long password"}))
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let added = add(json!({"username": "erin", "role": "analyst", "signIn": "sso"}))
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let (status, _, _) = Browser::new().sso(&public, "erin").await;
    assert_eq!(status, 200);
    assert_eq!(users(&hub)["erin"], ("analyst".into(), "sso".into(), false));
    let out = hub.run(&["users", "disable", "carol"]);
    assert!(out.status.success(), "{}", text(&out));
    let mut carol = Browser::new();
    let (status, _, page) = carol.sso(&public, "carol").await;
    assert_eq!(status, 403);
    assert!(page.contains("disabled"), "{page}");

    // ID tokens the provider spoils (signed all the same) are refused, each for its reason.
    for (spoil, says) in [
        (json!({"aud": "another-app"}), "audience"),
        (json!({"exp": true}), "expired"),
        (json!({"nonce": "not-the-one"}), "nonce"),
        (json!({"key": "stranger"}), "signature"),
        (json!({"iss": "https://impostor.example"}), "issuer"),
    ] {
        provider.control("spoil", spoil.clone()).await;
        let mut browser = Browser::new();
        let (status, _, page) = browser.sso(&public, "alice").await;
        assert_eq!(status, 403, "{spoil}: {page}");
        assert!(
            page.to_lowercase().contains(says),
            "{spoil} is refused for its {says}: {page}"
        );
        assert!(browser.session(&public).is_none(), "{spoil}");
    }

    // A callback in another browser than the one that began (a planted sign-in) is refused.
    let mut victim = Browser::new();
    let mut attacker = Browser::new();
    let begun = attacker.get(&format!("{public}/sso/start")).await;
    assert_eq!(begun.status(), 303);
    let authorize = begun.headers()["location"].to_str().unwrap().to_owned();
    let (_, url, page) = attacker.follow(&authorize).await;
    let mut next = attacker.provider_sign_in(&url, &page, "alice").await;
    let callback = loop {
        let r = attacker.get(&next).await;
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        if location.contains("/sso/callback") {
            break location;
        }
        next = joined(&next, &location);
    };
    let (status, _, page) = victim.follow(&callback).await;
    assert_eq!(status, 403);
    assert!(page.contains("not begun in this browser"), "{page}");
    assert!(victim.session(&public).is_none());

    // Password sign-in still works while it is on; an SSO user has no password.
    let http = common::no_redirects();
    common::sign_in(&http, &public, "root", "a long root password").await;
    let out = hub
        .command(&[
            "users",
            "password",
            "alice",
            "--password-env",
            "NEW_PASSWORD",
        ])
        .env("NEW_PASSWORD", "a long new password")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("single sign-on"), "{}", text(&out));

    // The trail says who signed in how, and why the others were refused.
    let trail: Value = http
        .get(format!(
            "{public}/api/v1/audit-trail?action=session.&limit=200"
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = trail["items"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["action"] == "session.login"
            && e["actor"] == "alice"
            && e["after"]["by"] == "sso"),
        "{trail}"
    );
    assert!(
        entries.iter().any(|e| e["action"] == "session.sso_failed"
            && e["after"]["reason"]
                .as_str()
                .unwrap_or("")
                .contains("no weft role")),
        "{trail}"
    );
}

#[tokio::test]
async fn break_glass_admins_sign_in_when_passwords_are_off_and_the_provider_is_down() {
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let Some(provider) = Provider::start(&format!("{public}/sso/callback")) else {
        return;
    };
    let settings = hub_settings(
        &public,
        &provider.issuer,
        &[
            ("WEFT_SSO_CREATE_USERS", "true"),
            ("WEFT_LOCAL_PASSWORDS", "false"),
            ("WEFT_BREAK_GLASS_ADMINS", "root"),
        ],
    );
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let hub = Instance::new("sso-glass", &settings);
    common::add_user(&hub, "root", "admin", "a long root password");
    common::add_user(&hub, "ana", "analyst", "a long analyst password");
    let _serving = serve(&hub, &public).await;

    // Created at the first sign-in, with the role the provider's groups give.
    let mut bob = Browser::new();
    let (status, _, _) = bob.sso(&public, "bob").await;
    assert_eq!(status, 200);
    assert_eq!(users(&hub)["bob"], ("analyst".into(), "sso".into(), false));
    // Without a username at the provider, the e-mail address names the new user, but only
    // once the provider says it verified it.
    provider
        .control(
            "people/gina",
            json!({"preferred_username": null, "email": "gina@corp.example",
                   "email_verified": false, "groups": ["weft-operators"]}),
        )
        .await;
    let (status, _, page) = Browser::new().sso(&public, "gina").await;
    assert_eq!(status, 403);
    assert!(page.contains("nor a verified email"), "{page}");
    provider
        .control("people/gina", json!({"email_verified": true}))
        .await;
    let (status, _, _) = Browser::new().sso(&public, "gina").await;
    assert_eq!(status, 200);
    assert_eq!(
        users(&hub)["gina@corp.example"],
        ("operator".into(), "sso".into(), false)
    );

    // The provider cannot take the Admin role from the only enabled Admin: the sign-in is
    // refused and the role stays.
    let (status, _, _) = Browser::new().sso(&public, "alice").await;
    assert_eq!(status, 200);
    assert_eq!(users(&hub)["alice"].0, "admin");
    assert!(hub.run(&["users", "disable", "root"]).status.success());
    provider
        .control("people/alice", json!({"groups": ["weft-analysts"]}))
        .await;
    let (status, _, page) = Browser::new().sso(&public, "alice").await;
    assert_eq!(status, 403);
    assert!(page.contains("only enabled Admin"), "{page}");
    assert_eq!(users(&hub)["alice"].0, "admin");
    assert!(hub.run(&["users", "enable", "root"]).status.success());

    // Passwords are off: Ana's is refused, the break-glass Admin's works.
    let http = common::no_redirects();
    let refused = common::post_sign_in(&http, &public, "ana", "a long analyst password").await;
    assert_eq!(refused.status(), 401);
    let page = http
        .get(format!("{public}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Break-glass sign-in") && page.contains("id=\"sso\""),
        "{page}"
    );

    // The provider goes down: the sign-in page says so; the break-glass Admin gets in.
    drop(provider);
    let mut late = Browser::new();
    let (status, _, page) = late.follow(&format!("{public}/sso/start")).await;
    assert_eq!(status, 503);
    assert!(
        page.contains("Single sign-on is unavailable") && page.contains("does not answer"),
        "{page}"
    );
    common::sign_in(&http, &public, "root", "a long root password").await;
}
