//! `weft users`: the hub's own team.

use anyhow::Context;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use secrecy::{ExposeSecret, SecretString};
use weft_core::roles::Role;
use weft_store::{NewAuditEntry, NewUser, Store, StoreError, User};

use crate::util::{new_id, now};

/// Hashes a password with Argon2id (a fresh salt each time).
pub fn hash_password(password: &SecretString) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.expose_secret().as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    Ok(hash.to_string())
}

pub async fn add(
    store: &dyn Store,
    actor: &str,
    username: &str,
    role: Role,
    password: SecretString,
) -> anyhow::Result<User> {
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    anyhow::ensure!(
        valid,
        "username {username:?} must be 1-64 letters, digits, '.', '_', '-' or '@'"
    );
    anyhow::ensure!(
        password.expose_secret().chars().count() >= 10,
        "the password must have at least 10 characters"
    );
    let user = NewUser {
        id: new_id("usr"),
        username: username.to_owned(),
        password_hash: hash_password(&password)?,
        role,
        created_at: now(),
    };
    let user = match store.create_user(user).await {
        Err(StoreError::Conflict { .. }) => anyhow::bail!("a user named {username} already exists"),
        other => other.context("storing the user")?,
    };
    store
        .append_audit(NewAuditEntry {
            at: now(),
            actor: actor.to_owned(),
            action: "user.create".into(),
            target: user.username.clone(),
            before: None,
            after: Some(serde_json::json!({"username": user.username, "role": role})),
        })
        .await?;
    Ok(user)
}

/// Checks a password against a stored Argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// The user when the password matches. Unknown users are checked against a throwaway hash,
/// so the answer takes as long whether or not the name exists.
pub async fn authenticate(
    store: &dyn Store,
    username: &str,
    password: &str,
) -> anyhow::Result<Option<User>> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let user = store.user_by_name(username).await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => DUMMY
            .get_or_init(|| {
                hash_password(&SecretString::from("not a real password")).unwrap_or_default()
            })
            .clone(),
    };
    Ok(user.filter(|_| verify_password(password, &hash)))
}
