//! The story every backend must tell the same way: users, sessions, tokens, consents,
//! connections with their secrets and health, the refresh lock, the trail, and the refusal
//! of a database from a newer weft. Runs on SQLite, and on PostgreSQL when
//! `WEFT_TEST_POSTGRES_URL` names a database.

// Tests start their own servers and read the wall clock: the rules are the library's.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use weft_core::health::{FailureClass, Health, HealthState};
use weft_core::roles::Role;
use weft_store::*;

fn connection(id: &str, name: &str, token: &[u8]) -> NewConnection {
    NewConnection {
        id: id.into(),
        name: name.into(),
        kind: ConnectionKind::Permanent,
        api_base: "https://www.wrike.com/api/v4/".into(),
        identity: WrikeIdentity {
            account_id: "IEAAAAAQ".into(),
            account_name: "Acme".into(),
            user_id: "KUAAAAAQ".into(),
            user_name: "Wrike Integration".into(),
            user_email: "wrike-integration@acme.example".into(),
            admin: true,
        },
        scopes: vec![],
        features: vec!["usage_analytics".into()],
        tokens: SealedTokens {
            access_token: token.to_vec(),
            refresh_token: None,
            expires_at: None,
        },
        created_at: 1_700_000_000,
        created_by: "ada".into(),
    }
}

fn user(id: &str, name: &str, role: Role) -> NewUser {
    NewUser {
        id: id.into(),
        username: name.into(),
        password_hash: "$argon2id$x".into(),
        role,
        created_at: 10,
        sign_in: weft_store::SignInMethod::Password,
    }
}

async fn access_story(store: &Store) {
    let access = store.access();
    let ada = access
        .create_user(user("u1", "ada", Role::Admin))
        .await
        .expect("create admin");
    assert_eq!(ada.role, Role::Admin);
    let dup = access.create_user(user("u2", "ada", Role::Operator)).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "duplicate username refused: {dup:?}"
    );
    access
        .create_user(user("u3", "bo", Role::Operator))
        .await
        .expect("create operator");
    assert_eq!(
        access.user_by_name("bo").await.unwrap().unwrap().role,
        Role::Operator
    );
    assert!(access.user_by_name("nobody").await.unwrap().is_none());
    let names: Vec<String> = access
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["ada", "bo"]);

    // Sessions expire and are found only by their hash.
    access
        .create_session(NewSession {
            id_hash: "h1".into(),
            user_id: "u1".into(),
            csrf: "c1".into(),
            created_at: 100,
            expires_at: 200,
        })
        .await
        .unwrap();
    let (found, csrf) = access
        .session_user("h1", 150)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!((found.username.as_str(), csrf.as_str()), ("ada", "c1"));
    assert!(
        access.session_user("h1", 200).await.unwrap().is_none(),
        "expired at its expiry time"
    );
    access.delete_session("h1").await.unwrap();
    assert!(
        access.session_user("h1", 150).await.unwrap().is_none(),
        "logged out"
    );

    // API tokens map to their user; a hash is unique.
    let token = |id: &str, hash: &str| ApiToken {
        id: id.into(),
        user_id: "u3".into(),
        name: "ci".into(),
        token_hash: hash.into(),
        created_at: 5,
        expires_at: None,
        last_used_at: None,
    };
    access.create_api_token(token("t1", "th1")).await.unwrap();
    assert_eq!(
        access
            .api_token_user("th1", 10)
            .await
            .unwrap()
            .unwrap()
            .username,
        "bo"
    );
    assert!(access.api_token_user("nope", 10).await.unwrap().is_none());
    assert!(matches!(
        access.create_api_token(token("t2", "th1")).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(access.api_tokens(Some("u3")).await.unwrap().len(), 1);
    let listed = access.api_tokens(None).await.unwrap();
    assert_eq!(
        (listed[0].username.as_str(), listed[0].token.last_used_at),
        ("bo", Some(10)),
        "listings name the user and the last use"
    );

    // An OAuth state is taken once, and only while it lives.
    let state = OAuthState {
        state_hash: "s1".into(),
        user_id: "u1".into(),
        connection_name: "n".into(),
        scopes: vec!["Default".into(), "amReadOnlyAuditLog".into()],
        features: vec!["usage_analytics".into()],
        code_verifier: "verifier".into(),
        expires_at: 500,
    };
    access.put_oauth_state(state.clone()).await.unwrap();
    assert_eq!(
        access.take_oauth_state("s1", 400).await.unwrap(),
        Some(state.clone())
    );
    assert_eq!(
        access.take_oauth_state("s1", 400).await.unwrap(),
        None,
        "single use"
    );
    access.put_oauth_state(state).await.unwrap();
    assert_eq!(
        access.take_oauth_state("s1", 501).await.unwrap(),
        None,
        "expired"
    );
}

/// The access lifecycle: disabled users, expiring tokens, ending sessions, removal,
/// throttling failed sign-ins, purging what expired.
async fn lifecycle_story(store: &Store) {
    let access = store.access();
    access
        .create_user(user("u9", "cy", Role::Analyst))
        .await
        .unwrap();
    access
        .create_session(NewSession {
            id_hash: "cy-1".into(),
            user_id: "u9".into(),
            csrf: "c".into(),
            created_at: 1,
            expires_at: 1_000,
        })
        .await
        .unwrap();
    access
        .create_session(NewSession {
            id_hash: "cy-2".into(),
            user_id: "u9".into(),
            csrf: "c".into(),
            created_at: 1,
            expires_at: 1_000,
        })
        .await
        .unwrap();
    access
        .create_api_token(ApiToken {
            id: "t9".into(),
            user_id: "u9".into(),
            name: "short-lived".into(),
            token_hash: "th9".into(),
            created_at: 1,
            expires_at: Some(100),
            last_used_at: None,
        })
        .await
        .unwrap();
    assert!(access.api_token_user("th9", 99).await.unwrap().is_some());
    assert!(
        access.api_token_user("th9", 100).await.unwrap().is_none(),
        "expired"
    );
    // Disabled: neither sessions nor tokens work; enabled again, they do.
    access.set_disabled("u9", Some(50)).await.unwrap();
    assert!(access.session_user("cy-1", 10).await.unwrap().is_none());
    assert!(access.api_token_user("th9", 10).await.unwrap().is_none());
    assert_eq!(
        access.user("u9").await.unwrap().unwrap().disabled_at,
        Some(50)
    );
    access.set_disabled("u9", None).await.unwrap();
    assert!(access.api_token_user("th9", 10).await.unwrap().is_some());
    access.set_role("u9", Role::Operator).await.unwrap();
    assert_eq!(
        access
            .session_user("cy-1", 10)
            .await
            .unwrap()
            .unwrap()
            .0
            .role,
        Role::Operator
    );
    // Sign out everywhere but here, then everywhere.
    assert_eq!(
        access.delete_sessions_of("u9", Some("cy-2")).await.unwrap(),
        1
    );
    assert!(access.session_user("cy-2", 10).await.unwrap().is_some());
    assert_eq!(access.delete_sessions_of("u9", None).await.unwrap(), 1);
    // Failed sign-ins: free ones, then waits that double, forgotten after the memory.
    let policy = ThrottlePolicy {
        free_failures: 2,
        first_wait_s: 30,
        longest_wait_s: 100,
        memory_s: 3_600,
    };
    let key = "account:cy".to_owned();
    assert_eq!(
        access
            .record_sign_in_failure(&key, 1_000, policy)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        access
            .record_sign_in_failure(&key, 1_001, policy)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        access
            .record_sign_in_failure(&key, 1_002, policy)
            .await
            .unwrap(),
        Some(1_032)
    );
    assert_eq!(
        access
            .record_sign_in_failure(&key, 1_003, policy)
            .await
            .unwrap(),
        Some(1_063)
    );
    assert_eq!(
        access
            .record_sign_in_failure(&key, 1_004, policy)
            .await
            .unwrap(),
        Some(1_104),
        "capped"
    );
    assert_eq!(
        access
            .sign_in_locked_until(&[key.clone(), "source:x".into()], 1_050)
            .await
            .unwrap(),
        Some(1_104)
    );
    assert_eq!(
        access
            .sign_in_locked_until(std::slice::from_ref(&key), 1_200)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        access
            .record_sign_in_failure(&key, 9_000, policy)
            .await
            .unwrap(),
        None,
        "old failures are forgotten"
    );
    access.clear_sign_in_failures(&key).await.unwrap();
    // Removal takes the user's tokens along; purging drops what expired.
    access.delete_user("u9").await.unwrap();
    assert!(access.api_token("t9").await.unwrap().is_none());
    assert!(matches!(
        access.delete_user("u9").await,
        Err(StoreError::NotFound { .. })
    ));
    access
        .create_session(NewSession {
            id_hash: "old".into(),
            user_id: "u1".into(),
            csrf: "c".into(),
            created_at: 1,
            expires_at: 2,
        })
        .await
        .unwrap();
    assert!(access.purge_expired(10).await.unwrap() >= 1);
}

/// The key check's marker and re-sealing every secret in one transaction.
async fn secrets_story(store: &Store) {
    let secrets = store.secrets();
    assert_eq!(secrets.marker().await.unwrap(), None);
    let (row, sealed) = secrets.any().await.unwrap().expect("a connection's token");
    assert_eq!(row, "c1");
    secrets.set_marker(b"marker-1").await.unwrap();
    // A failure part-way changes nothing.
    let failed = secrets
        .reseal(|_, _| Err::<Vec<u8>, _>("cannot open"), b"marker-2")
        .await
        .unwrap();
    assert_eq!(failed, Err("cannot open"));
    assert_eq!(
        secrets.marker().await.unwrap().as_deref(),
        Some(&b"marker-1"[..])
    );
    assert_eq!(
        store
            .connections()
            .secrets("c1")
            .await
            .unwrap()
            .tokens
            .access_token,
        sealed
    );
    let done = secrets
        .reseal(
            |row, old| Ok::<_, ()>([row.as_bytes(), old].concat()),
            b"marker-2",
        )
        .await
        .unwrap();
    assert_eq!(done, Ok(2), "the access and the refresh token of c1");
    let now = store.connections().secrets("c1").await.unwrap();
    assert_eq!(
        now.tokens.access_token,
        [b"c1".as_slice(), &sealed].concat()
    );
    assert_eq!(
        secrets.marker().await.unwrap().as_deref(),
        Some(&b"marker-2"[..])
    );
}

async fn connections_story(store: &Store) {
    let connections = store.connections();
    let created = connections
        .create(connection("c1", "acme-analytics", b"sealed-1"))
        .await
        .expect("create connection");
    assert_eq!(
        created.identity.user_email,
        "wrike-integration@acme.example"
    );
    assert!(created.health.is_none());
    let dup = connections
        .create(connection("c2", "acme-analytics", b"x"))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "duplicate name refused: {dup:?}"
    );
    connections
        .create(connection("c3", "acme-recipes", b"sealed-3"))
        .await
        .unwrap();
    assert_eq!(connections.list().await.unwrap().len(), 2);

    // Secrets round-trip as bytes; rotation is compare-and-swap.
    let secrets = connections.secrets("c1").await.unwrap();
    assert_eq!(secrets.tokens.access_token, b"sealed-1");
    let rotated = SealedTokens {
        access_token: b"sealed-1b".to_vec(),
        refresh_token: Some(b"refresh".to_vec()),
        expires_at: Some(1_700_003_600),
    };
    let v2 = connections
        .replace_secrets("c1", secrets.version, rotated.clone())
        .await
        .expect("first rotation wins");
    assert_eq!(v2, secrets.version + 1);
    let lost = connections
        .replace_secrets("c1", secrets.version, rotated)
        .await;
    assert!(
        matches!(lost, Err(StoreError::Stale { .. })),
        "the second rotation loses: {lost:?}"
    );
    let now = connections.secrets("c1").await.unwrap();
    assert_eq!(
        (
            now.tokens.access_token.as_slice(),
            now.tokens.refresh_token.as_deref(),
            now.tokens.expires_at
        ),
        (
            &b"sealed-1b"[..],
            Some(&b"refresh"[..]),
            Some(1_700_003_600)
        )
    );

    // Health is recorded by compare-and-swap and read back whole.
    let broken = Health {
        state: HealthState::Broken,
        class: Some(FailureClass::TokenRejected),
        message: Some("Access token is unknown or invalid".into()),
        checked_at: 1_700_000_100,
        failing_since: Some(1_700_000_040),
    };
    let before = connections.get("c1").await.unwrap().unwrap().health_version;
    connections
        .record_health("c1", before, &broken)
        .await
        .unwrap();
    let read = connections.get("c1").await.unwrap().unwrap();
    assert_eq!(read.health, Some(broken.clone()));
    assert_eq!(read.health_version, before + 1);
    assert!(
        matches!(
            connections.record_health("c1", before, &broken).await,
            Err(StoreError::Stale { .. })
        ),
        "a probe that read the old health loses"
    );
    assert!(matches!(
        connections.record_health("nope", 0, &broken).await,
        Err(StoreError::NotFound { .. })
    ));

    // Removal.
    connections.delete("c3").await.unwrap();
    assert!(connections.get("c3").await.unwrap().is_none());
    assert!(matches!(
        connections.delete("c3").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        connections.secrets("c3").await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn refresh_lock_story(store: &Arc<Store>) {
    // Work under one connection's lock never overlaps; other connections are not held up.
    let inside = Arc::new(AtomicUsize::new(0));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (store, inside, overlaps) = (store.clone(), inside.clone(), overlaps.clone());
        tasks.push(tokio::spawn(async move {
            store
                .connections()
                .with_refresh_lock("c1", async {
                    if inside.fetch_add(1, Ordering::SeqCst) > 0 {
                        overlaps.fetch_add(1, Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    i
                })
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(
        overlaps.load(Ordering::SeqCst),
        0,
        "one refresh at a time per connection"
    );
    let other = store
        .connections()
        .with_refresh_lock("c2", async { 7 })
        .await
        .unwrap();
    assert_eq!(other, 7);
}

async fn trail_story(store: &Store) {
    for (i, action) in ["user.create", "connection.create", "connection.delete"]
        .iter()
        .enumerate()
    {
        store
            .trail()
            .append(NewTrailEntry {
                at: 100 + i as i64,
                actor: "ada".into(),
                action: action.to_string(),
                target: format!("t{i}"),
                before: (i == 2).then(|| json!({"name": "acme-recipes"})),
                after: (i < 2).then(|| json!({"i": i})),
            })
            .await
            .unwrap();
    }
    let trail = store.trail().latest(2).await.unwrap();
    assert_eq!(
        trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["connection.delete", "connection.create"]
    );
    assert_eq!(trail[0].before, Some(json!({"name": "acme-recipes"})));
    assert_eq!(trail[1].after, Some(json!({"i": 1})));
}

/// The reclaim dialogue's rows written many at once: one open dialogue per person and
/// policy (a second one is left out, and said so by the ids answered), the trail's batch in
/// order, a policy that does not exist refused, and the rows removed with their policy and
/// with their connection's.
async fn dialogues_story(store: &Store) {
    store
        .connections()
        .create(connection("cd", "acme-dialogues", b"sealed-d"))
        .await
        .unwrap();
    let usage = store.usage();
    for name in ["idle", "other"] {
        usage
            .save_policy(name, "cd", "name: x", 1_000, "ada")
            .await
            .unwrap();
    }
    let dialogue = |id: &str, policy: &str, user: &str| Dialogue {
        id: id.into(),
        policy: policy.into(),
        connection_id: "cd".into(),
        user_id: user.into(),
        name: format!("Person {user}"),
        email: Some(format!("{user}@acme.example")),
        user_type_id: None,
        mode: "silent".into(),
        change: "\"deactivate\"".into(),
        change_label: "deactivate".into(),
        last_activity_at: Some(10),
        last_signal: Some("login".into()),
        annual_saving_cents: Some(30_000),
        state: "escalated".into(),
        reason: None,
        started_at: 1_000,
        started_by: "ada".into(),
        notify_claimed_at: None,
        notified_at: None,
        remind_at: None,
        remind_claimed_at: None,
        reminded_at: None,
        deadline_at: None,
        answered_at: None,
        keep_until: None,
        plan_id: None,
        updated_at: 1_000,
    };
    let opened = usage
        .open_dialogues_many(&[
            dialogue("d1", "idle", "U1"),
            dialogue("d2", "idle", "U2"),
            dialogue("d3", "other", "U1"),
        ])
        .await
        .unwrap();
    assert_eq!(opened.len(), 3);
    // U1 is in an open dialogue of `idle` already: only U3 joins.
    let mut opened = usage
        .open_dialogues_many(&[dialogue("d4", "idle", "U1"), dialogue("d5", "idle", "U3")])
        .await
        .unwrap();
    opened.sort();
    assert_eq!(opened, ["d5"]);
    let open = usage.open_dialogues("idle").await.unwrap();
    assert_eq!(
        open.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["d1", "d2", "d5"]
    );
    assert_eq!(open[0], dialogue("d1", "idle", "U1"));
    let refused = usage
        .open_dialogues_many(&[dialogue("d6", "gone", "U1")])
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(usage.dialogue("d6").await.unwrap().is_none());

    let batch: Vec<NewTrailEntry> = (0..1200)
        .map(|i| NewTrailEntry {
            at: 2_000,
            actor: "dialogue".into(),
            action: "usage.dialogue.join".into(),
            target: format!("idle-{i}"),
            before: None,
            after: Some(json!({"i": i})),
        })
        .collect();
    store.trail().append_many(&batch).await.unwrap();
    let latest = store.trail().latest(2).await.unwrap();
    assert_eq!(latest[0].target, "idle-1199");
    assert_eq!(latest[0].after, Some(json!({"i": 1199})));
    assert_eq!(latest[1].target, "idle-1198");
    assert_eq!(latest[1].before, None);

    // Removing a policy removes its dialogues; removing the connection removes the rest.
    assert!(usage.delete_policy("idle").await.unwrap());
    assert!(usage.dialogue("d1").await.unwrap().is_none());
    assert!(usage.dialogue("d3").await.unwrap().is_some());
    store.connections().delete("cd").await.unwrap();
    assert!(usage.dialogue("d3").await.unwrap().is_none());
}

/// The read caches: served while exact, dropped at once after a change made here, and
/// within the propagation delay after one made behind this process's back.
async fn caches_story(store: &Arc<Store>) {
    let access = store.access();
    access
        .create_session(NewSession {
            id_hash: "cached-session".into(),
            user_id: "u1".into(),
            csrf: "c".into(),
            created_at: 1,
            expires_at: 1_000,
        })
        .await
        .unwrap();
    let watcher = {
        let store = store.clone();
        tokio::spawn(async move { store.watch_changes().await })
    };
    tokio::time::sleep(store.propagation_delay()).await;
    assert!(access.api_token_user("th1", 10).await.unwrap().is_some());
    assert!(
        access
            .session_user("cached-session", 10)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        access
            .session_user("cached-session", 1_000)
            .await
            .unwrap()
            .is_none(),
        "a cached session still expires on time"
    );
    // A change made here is seen at once.
    access.delete_session("cached-session").await.unwrap();
    assert!(
        access
            .session_user("cached-session", 10)
            .await
            .unwrap()
            .is_none()
    );
    // A token revoked by another process (plain SQL, no call into this store's areas) stops
    // working within the propagation delay.
    assert_eq!(store.connections().list().await.unwrap().len(), 1);
    store
        .execute_unchecked("DELETE FROM api_tokens WHERE token_hash = 'th1'")
        .await
        .unwrap();
    store
        .execute_unchecked("UPDATE connections SET name = 'renamed-elsewhere' WHERE id = 'c1'")
        .await
        .unwrap();
    tokio::time::sleep(store.propagation_delay()).await;
    assert!(
        access.api_token_user("th1", 10).await.unwrap().is_none(),
        "revoked elsewhere, refused here"
    );
    assert!(
        store
            .connections()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|c| c.name == "renamed-elsewhere"),
        "the connections list follows changes made elsewhere"
    );
    // Without a live watcher nothing is cached: every read goes to the database.
    watcher.abort();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    store
        .execute_unchecked("UPDATE connections SET name = 'acme-analytics' WHERE id = 'c1'")
        .await
        .unwrap();
    assert!(
        store
            .connections()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|c| c.name == "acme-analytics")
    );
}

/// Activity derived from stored audit records (a window resumed after a crash) tells a
/// sign-in through OAuth from a sign-in to Wrike, in SQL, as the page-by-page fold does.
async fn derived_sign_ins_story(store: &Store) {
    store
        .connections()
        .create(connection("c-audit", "acme-audit", b"sealed"))
        .await
        .unwrap();
    let usage = store.usage();
    assert!(
        usage
            .claim_sync("c-audit", "me", 1_000, 9_000)
            .await
            .unwrap()
    );
    let sign_in = |id: &str, at: i64, login_type: &str| AuditRow {
        id: id.into(),
        operation: "UserLoggedIn".into(),
        user_id: Some("KU1".into()),
        user_email: Some("one@acme.example".into()),
        event_at: at,
        ip_address: None,
        object_type: Some("User".into()),
        object_name: Some("one@acme.example".into()),
        object_id: Some("KU1".into()),
        details: format!(r#"{{"Login Type":"{login_type}","User Agent":"x"}}"#),
    };
    let quiet = ActivitySummary::default();
    let mid_window = Checkpoint {
        synced_through: None,
        window: Some((0, 500_000)),
        page_token: Some("next".into()),
    };
    usage
        .save_page(
            "c-audit",
            "me",
            source::AUDIT_LOG,
            &[
                sign_in("a1", 100_000, "Password"),
                sign_in("a2", 300_000, "Oauth2"),
            ],
            &quiet,
            None,
            &mid_window,
            1,
            1_000,
        )
        .await
        .unwrap();
    let last = Checkpoint {
        synced_through: Some(500_000),
        window: None,
        page_token: None,
    };
    usage
        .save_page(
            "c-audit",
            "me",
            source::AUDIT_LOG,
            &[sign_in("a3", 400_000, "OAUTH2")],
            &quiet,
            Some((0, 500_000)),
            &last,
            1,
            1_000,
        )
        .await
        .unwrap();
    let person = usage.user("c-audit", "KU1").await.unwrap().unwrap();
    assert_eq!(person.last_login_at, Some(100_000));
    assert_eq!(person.last_integration_at, Some(400_000));
    assert_eq!(person.last_activity_at, Some(400_000));
    assert_eq!(
        person.active_by,
        Some(weft_core::usage::Signal::Integration)
    );
}

/// Single sign-on: an identity links to one user per issuer (a second person of the same
/// provider is refused, another provider's is not); a sign-in's state is taken once and not
/// after it expires.
async fn sso_story(store: &Store) {
    let access = store.access();
    let mut sso = user("u-sso", "sso-person", Role::Analyst);
    sso.password_hash = String::new();
    sso.sign_in = weft_store::SignInMethod::Sso;
    let created = access.create_user(sso).await.expect("an SSO user");
    assert_eq!(created.sign_in, weft_store::SignInMethod::Sso);
    let identity = |issuer: &str, subject: &str| weft_store::SsoIdentity {
        issuer: issuer.into(),
        subject: subject.into(),
        user_id: "u-sso".into(),
    };
    assert!(
        access
            .link_sso(&identity("https://idp", "s1"), 100)
            .await
            .unwrap()
    );
    assert!(
        access
            .link_sso(&identity("https://idp", "s1"), 200)
            .await
            .unwrap()
    );
    assert!(
        !access
            .link_sso(&identity("https://idp", "s2"), 300)
            .await
            .unwrap(),
        "a second person of the same provider cannot take the user"
    );
    assert!(
        access
            .link_sso(&identity("https://other", "s2"), 300)
            .await
            .unwrap()
    );
    let found = access.sso_user("https://idp", "s1").await.unwrap().unwrap();
    assert_eq!(
        (found.id.as_str(), found.sign_in),
        ("u-sso", weft_store::SignInMethod::Sso)
    );
    assert!(
        access
            .sso_user("https://idp", "s2")
            .await
            .unwrap()
            .is_none()
    );

    let state = |hash: &str, expires_at: i64| weft_store::SsoState {
        state_hash: hash.into(),
        nonce: "n".into(),
        code_verifier: "v".into(),
        next: "/runs".into(),
        expires_at,
    };
    access.put_sso_state(&state("h1", 1_000)).await.unwrap();
    access.put_sso_state(&state("h2", 1_000)).await.unwrap();
    let taken = access.take_sso_state("h1", 500).await.unwrap().unwrap();
    assert_eq!(taken.next, "/runs");
    assert!(
        access.take_sso_state("h1", 500).await.unwrap().is_none(),
        "once"
    );
    assert!(
        access.take_sso_state("h2", 1_000).await.unwrap().is_none(),
        "not once expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_on_every_backend() {
    for store in weft_store::testing::every_backend("story").await {
        let backend = store.backend();
        let store = Arc::new(store);
        access_story(&store).await;
        lifecycle_story(&store).await;
        connections_story(&store).await;
        secrets_story(&store).await;
        caches_story(&store).await;
        refresh_lock_story(&store).await;
        trail_story(&store).await;
        derived_sign_ins_story(&store).await;
        dialogues_story(&store).await;
        sso_story(&store).await;
        eprintln!("story told on {}", backend.as_str());
    }
}

#[tokio::test]
async fn a_database_from_a_newer_weft_is_refused_and_left_alone() {
    let mut urls = vec![weft_store::testing::temp_sqlite_url("newer")];
    if let Some(url) = weft_store::testing::postgres_url() {
        urls.push(
            weft_store::testing::postgres_schema_url(&url, "newer")
                .await
                .unwrap(),
        );
    }
    for url in urls {
        let store = Store::open(&url).await.unwrap();
        store
            .execute_unchecked("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, 'x', 0)")
            .await
            .unwrap();
        store
            .access()
            .create_user(user("u1", "kept", Role::Admin))
            .await
            .unwrap();
        drop(store);
        let err = Store::open(&url).await.expect_err("refused");
        assert!(
            matches!(err, StoreError::NewerSchema { found: 9999, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("newer weft"));
    }
}
