//! Who may use the hub: the team (users with roles and Argon2id passwords), signing in and
//! out (web sessions), and per-user API tokens. Sessions and tokens are random secrets that
//! the store keeps only as SHA-256 hashes.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};
use weft_core::roles::Role;
use weft_store::{ApiToken, NewSession, NewUser, User};

use crate::error::{HubError, HubResult};
use crate::{Hub, new_id, trail};

/// SHA-256 hex of a secret: what the store keeps instead of session ids and API tokens.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with Argon2id (a fresh salt each time).
pub fn hash_password(password: &SecretString) -> HubResult<String> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.expose_secret().as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HubError::Internal(format!("hashing a password: {e}")))
}

/// Checks a password against a stored Argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

fn check_username(username: &str) -> HubResult<()> {
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid {
        return Err(HubError::invalid(format!(
            "username {username:?} must be 1-64 letters, digits, '.', '_', '-' or '@'"
        )));
    }
    Ok(())
}

fn check_password(password: &SecretString) -> HubResult<()> {
    if password.expose_secret().chars().count() < 10 {
        return Err(HubError::invalid(
            "the password must have at least 10 characters",
        ));
    }
    Ok(())
}

/// Adds a member of the team.
pub async fn add_user(
    hub: &Hub,
    actor: &str,
    username: &str,
    role: Role,
    password: SecretString,
) -> HubResult<User> {
    check_username(username)?;
    check_password(&password)?;
    let user = hub
        .store
        .access()
        .create_user(NewUser {
            id: new_id("usr"),
            username: username.to_owned(),
            password_hash: hash_password(&password)?,
            role,
            created_at: hub.clock.now_s(),
        })
        .await
        .map_err(|e| match HubError::from(e) {
            HubError::Conflict(_) => {
                HubError::Conflict(format!("a user named {username} already exists"))
            }
            other => other,
        })?;
    trail::record(
        hub,
        actor,
        "user.create",
        &user.username,
        None,
        Some(json!({"username": user.username, "role": role})),
    )
    .await?;
    Ok(user)
}

/// The user when the password matches. Unknown users are checked against a throwaway hash,
/// so the answer takes as long whether or not the name exists.
pub async fn authenticate(hub: &Hub, username: &str, password: &str) -> HubResult<Option<User>> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let user = hub.store.access().user_by_name(username).await?;
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

/// A session just opened: the cookie value is shown to the browser once and never stored.
#[derive(Debug)]
pub struct OpenedSession {
    pub user: User,
    pub cookie_value: String,
    pub lifetime_s: i64,
}

/// Signs a user in: checks the password, opens a session, records it in the trail.
/// `Ok(None)` for a wrong name or password.
pub async fn sign_in(
    hub: &Hub,
    username: &str,
    password: &str,
    lifetime_s: i64,
) -> HubResult<Option<OpenedSession>> {
    let Some(user) = authenticate(hub, username, password).await? else {
        return Ok(None);
    };
    let cookie_value = weft_core::secrets::random_token();
    let now = hub.clock.now_s();
    hub.store
        .access()
        .create_session(NewSession {
            id_hash: hash_secret(&cookie_value),
            user_id: user.id.clone(),
            csrf: weft_core::secrets::random_token(),
            created_at: now,
            expires_at: now.saturating_add(lifetime_s),
        })
        .await?;
    trail::record(
        hub,
        &user.username,
        "session.login",
        &user.username,
        None,
        None,
    )
    .await?;
    Ok(Some(OpenedSession {
        user,
        cookie_value,
        lifetime_s,
    }))
}

/// Ends a session on the server; returns once no instance accepts it any more.
pub async fn sign_out(hub: &Hub, session_hash: &str) -> HubResult<()> {
    hub.store.access().delete_session(session_hash).await?;
    revoked(hub).await;
    Ok(())
}

/// Waits until a revocation written here has reached every instance's read caches.
async fn revoked(hub: &Hub) {
    tokio::time::sleep(hub.store.propagation_delay()).await;
}

/// A signed-in caller found from a session cookie: the user and the session's CSRF token.
pub async fn session_caller(hub: &Hub, cookie_value: &str) -> HubResult<Option<(User, String)>> {
    Ok(hub
        .store
        .access()
        .session_user(&hash_secret(cookie_value), hub.clock.now_s())
        .await?)
}

/// The user an API token belongs to.
pub async fn token_caller(hub: &Hub, token: &str) -> HubResult<Option<User>> {
    Ok(hub
        .store
        .access()
        .api_token_user(&hash_secret(token))
        .await?)
}

/// Creates an API token for `user`, with the user's role. The secret is returned once.
pub async fn issue_api_token(hub: &Hub, user: &User, name: &str) -> HubResult<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(HubError::invalid(
            "a token needs a name of 1 to 64 characters",
        ));
    }
    let secret = format!("wft_{}", weft_core::secrets::random_token());
    let token = ApiToken {
        id: new_id("tok"),
        user_id: user.id.clone(),
        name: name.to_owned(),
        token_hash: hash_secret(&secret),
        created_at: hub.clock.now_s(),
    };
    hub.store.access().create_api_token(token.clone()).await?;
    trail::record(
        hub,
        &user.username,
        "api_token.create",
        name,
        None,
        Some(json!({"id": token.id})),
    )
    .await?;
    Ok((token, secret))
}
