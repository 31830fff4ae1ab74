//! The story every backend must tell the same way. Each backend's tests call `run` on a fresh
//! store (SQLite always, PostgreSQL when `WEFT_TEST_POSTGRES_URL` names a database).

use serde_json::json;
use weft_core::health::FailureClass;
use weft_core::roles::Role;

use crate::*;

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

/// Runs the story; panics with a message naming the step that broke.
pub async fn run(store: &dyn Store) {
    // Users: unique names, roles kept.
    let ada = store
        .create_user(NewUser {
            id: "u1".into(),
            username: "ada".into(),
            password_hash: "$argon2id$x".into(),
            role: Role::Admin,
            created_at: 10,
        })
        .await
        .expect("create admin");
    assert_eq!(ada.role, Role::Admin);
    let dup = store
        .create_user(NewUser {
            id: "u2".into(),
            username: "ada".into(),
            password_hash: "h".into(),
            role: Role::Operator,
            created_at: 11,
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "duplicate username refused: {dup:?}"
    );
    store
        .create_user(NewUser {
            id: "u3".into(),
            username: "bo".into(),
            password_hash: "h".into(),
            role: Role::Operator,
            created_at: 12,
        })
        .await
        .expect("create operator");
    assert_eq!(
        store.user_by_name("bo").await.unwrap().unwrap().role,
        Role::Operator
    );
    assert!(store.user_by_name("nobody").await.unwrap().is_none());
    assert_eq!(
        store
            .list_users()
            .await
            .unwrap()
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["ada", "bo"]
    );

    // Connections: unique names, secrets round-trip as bytes, compare-and-swap on rotation.
    let created = store
        .create_connection(connection("c1", "acme-analytics", b"sealed-1"))
        .await
        .expect("create connection");
    assert_eq!(
        created.identity.user_email,
        "wrike-integration@acme.example"
    );
    assert!(created.health.is_none());
    let dup = store
        .create_connection(connection("c2", "acme-analytics", b"x"))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "duplicate connection name refused: {dup:?}"
    );
    store
        .create_connection(connection("c3", "acme-recipes", b"sealed-3"))
        .await
        .unwrap();
    assert_eq!(store.list_connections().await.unwrap().len(), 2);
    let secrets = store.connection_secrets("c1").await.unwrap();
    assert_eq!(secrets.tokens.access_token, b"sealed-1");
    let rotated = SealedTokens {
        access_token: b"sealed-1b".to_vec(),
        refresh_token: Some(b"refresh".to_vec()),
        expires_at: Some(1_700_003_600),
    };
    let v2 = store
        .replace_secrets("c1", secrets.version, rotated.clone())
        .await
        .expect("first rotation wins");
    assert_eq!(v2, secrets.version + 1);
    let lost = store.replace_secrets("c1", secrets.version, rotated).await;
    assert!(
        matches!(lost, Err(StoreError::Stale { .. })),
        "a second rotation from the old version loses: {lost:?}"
    );
    let now = store.connection_secrets("c1").await.unwrap();
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

    // Health is recorded and read back.
    let broken = Health {
        healthy: false,
        class: Some(FailureClass::TokenRejected),
        message: Some("Access token is unknown or invalid".into()),
        checked_at: 1_700_000_100,
    };
    store.record_health("c1", &broken).await.unwrap();
    assert_eq!(
        store.connection("c1").await.unwrap().unwrap().health,
        Some(broken)
    );
    assert!(matches!(
        store
            .record_health(
                "nope",
                &Health {
                    healthy: true,
                    class: None,
                    message: None,
                    checked_at: 1
                }
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // Removal.
    store.delete_connection("c3").await.unwrap();
    assert!(store.connection("c3").await.unwrap().is_none());
    assert!(matches!(
        store.delete_connection("c3").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.connection_secrets("c3").await,
        Err(StoreError::NotFound { .. })
    ));

    // Sessions expire and are found only by their hash.
    store
        .create_session(NewSession {
            id_hash: "h1".into(),
            user_id: "u1".into(),
            csrf: "c1".into(),
            created_at: 100,
            expires_at: 200,
        })
        .await
        .unwrap();
    let (user, csrf) = store
        .session_user("h1", 150)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!((user.username.as_str(), csrf.as_str()), ("ada", "c1"));
    assert!(
        store.session_user("h1", 200).await.unwrap().is_none(),
        "expired at its expiry time"
    );
    store.delete_session("h1").await.unwrap();
    assert!(
        store.session_user("h1", 150).await.unwrap().is_none(),
        "logged out"
    );

    // API tokens map to their user.
    store
        .create_api_token(ApiToken {
            id: "t1".into(),
            user_id: "u3".into(),
            name: "ci".into(),
            token_hash: "th1".into(),
            created_at: 5,
        })
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user("th1").await.unwrap().unwrap().username,
        "bo"
    );
    assert!(store.api_token_user("nope").await.unwrap().is_none());
    assert!(matches!(
        store
            .create_api_token(ApiToken {
                id: "t2".into(),
                user_id: "u3".into(),
                name: "dup".into(),
                token_hash: "th1".into(),
                created_at: 6
            })
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.list_api_tokens("u3").await.unwrap().len(), 1);

    // An OAuth state is taken once, and only while it lives.
    let state = OAuthState {
        state_hash: "s1".into(),
        user_id: "u1".into(),
        connection_name: "n".into(),
        scopes: vec!["Default".into(), "amReadOnlyAuditLog".into()],
        features: vec!["usage_analytics".into()],
        expires_at: 500,
    };
    store.put_oauth_state(state.clone()).await.unwrap();
    assert_eq!(
        store.take_oauth_state("s1", 400).await.unwrap(),
        Some(state.clone())
    );
    assert_eq!(
        store.take_oauth_state("s1", 400).await.unwrap(),
        None,
        "single use"
    );
    store.put_oauth_state(state).await.unwrap();
    assert_eq!(
        store.take_oauth_state("s1", 501).await.unwrap(),
        None,
        "expired"
    );

    // The audit trail, newest first, with before/after.
    for (i, action) in ["user.create", "connection.create", "connection.delete"]
        .iter()
        .enumerate()
    {
        store
            .append_audit(NewAuditEntry {
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
    let trail = store.audit_trail(2).await.unwrap();
    assert_eq!(
        trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["connection.delete", "connection.create"]
    );
    assert_eq!(trail[0].before, Some(json!({"name": "acme-recipes"})));
    assert_eq!(trail[1].after, Some(json!({"i": 1})));
}
