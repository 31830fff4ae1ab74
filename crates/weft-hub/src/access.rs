//! Who may use the hub: the team (users with roles and Argon2id passwords, disabled or
//! removed by Admins), signing in (throttled per account and per source address, failures
//! recorded) and out (here or everywhere), and per-user API tokens (named, optionally
//! expiring, revocable). Sessions and tokens are random secrets the store keeps only as
//! SHA-256 hashes. Every change lands in the trail; every revocation returns only once no
//! instance accepts what was revoked.

use std::sync::OnceLock;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use weft_core::roles::Role;
use weft_store::{ApiToken, ListedToken, NewSession, NewUser, SignInMethod, ThrottlePolicy, User};

use crate::error::{HubError, HubResult};
use crate::{Hub, new_id, trail};

/// SHA-256 hex of a secret: what the store keeps instead of session ids and API tokens.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Argon2 runs on blocking threads, a few at a time, so a burst of sign-ins can neither
/// stall the async workers (and with them `/healthz`, probes and jobs) nor exhaust memory.
fn hashing() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> HubResult<T> {
    let _permit = hashing()
        .acquire()
        .await
        .map_err(|_| HubError::Internal("password hashing is shut down".into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HubError::Internal(format!("password hashing failed: {e}")))
}

/// Hashes a password with Argon2id (a fresh salt each time), off the async workers.
pub async fn hash_password(password: &SecretString) -> HubResult<String> {
    let password = password.clone();
    off_the_workers(move || {
        use argon2::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(password.expose_secret().as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| HubError::Internal(format!("hashing a password: {e}")))
    })
    .await?
}

/// Checks a password against a stored Argon2 hash, off the async workers.
pub async fn verify_password(password: &str, hash: &str) -> HubResult<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    off_the_workers(move || {
        use argon2::PasswordVerifier;
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
}

pub(crate) fn check_username(username: &str) -> HubResult<()> {
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
    let length = password.expose_secret().chars().count();
    if !(10..=1024).contains(&length) {
        return Err(HubError::invalid(
            "the password must have at least 10 characters (and at most 1024)",
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
    let hash = hash_password(&password).await?;
    let user = create(hub, username, role, Some(hash)).await?;
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

/// Adds a member of the team who signs in through the identity provider (single sign-on):
/// their first sign-in links the provider's person whose username (or e-mail address) is
/// this name. They have no password here.
pub async fn add_sso_user(hub: &Hub, actor: &str, username: &str, role: Role) -> HubResult<User> {
    check_username(username)?;
    let user = create(hub, username, role, None).await?;
    trail::record(
        hub,
        actor,
        "user.create",
        &user.username,
        None,
        Some(json!({"username": user.username, "role": role, "signIn": "sso"})),
    )
    .await?;
    Ok(user)
}

/// Stores a new user: with a password hash, or without one for a user who signs in through
/// the identity provider.
pub(crate) async fn create(
    hub: &Hub,
    username: &str,
    role: Role,
    password_hash: Option<String>,
) -> HubResult<User> {
    let sign_in = match password_hash {
        Some(_) => SignInMethod::Password,
        None => SignInMethod::Sso,
    };
    hub.store
        .access()
        .create_user(NewUser {
            id: new_id("usr"),
            username: username.to_owned(),
            password_hash: password_hash.unwrap_or_default(),
            role,
            created_at: hub.clock.now_s(),
            sign_in,
        })
        .await
        .map_err(|e| match HubError::from(e) {
            HubError::Conflict(_) => {
                HubError::Conflict(format!("a user named {username} already exists"))
            }
            other => other,
        })
}

/// Everyone on the team.
pub async fn users(hub: &Hub) -> HubResult<Vec<User>> {
    Ok(hub.store.access().users().await?)
}

/// A user by id or name.
pub async fn find_user(hub: &Hub, id_or_name: &str) -> HubResult<User> {
    let access = hub.store.access();
    if let Some(user) = access.user(id_or_name).await? {
        return Ok(user);
    }
    access
        .user_by_name(id_or_name)
        .await?
        .ok_or_else(|| HubError::not_found(format!("user {id_or_name}")))
}

/// Refuses a change that would leave the hub without an enabled Admin.
async fn keep_an_admin(hub: &Hub, user: &User, what: &str) -> HubResult<()> {
    if user.role != Role::Admin || user.disabled_at.is_some() {
        return Ok(());
    }
    let others = hub
        .store
        .access()
        .users()
        .await?
        .into_iter()
        .filter(|u| u.id != user.id && u.role == Role::Admin && u.disabled_at.is_none())
        .count();
    if others == 0 {
        return Err(HubError::Conflict(format!(
            "{} is the only enabled Admin: add or enable another Admin before you {what}",
            user.username
        )));
    }
    Ok(())
}

/// Waits until a revocation written here has reached every instance's read caches.
async fn revoked(hub: &Hub) {
    tokio::time::sleep(hub.store.propagation_delay()).await;
}

/// Changes a user's role.
pub async fn set_role(hub: &Hub, actor: &str, id_or_name: &str, role: Role) -> HubResult<User> {
    let user = find_user(hub, id_or_name).await?;
    if user.role == role {
        return Ok(user);
    }
    if role != Role::Admin {
        keep_an_admin(hub, &user, "take the Admin role away").await?;
    }
    hub.store.access().set_role(&user.id, role).await?;
    trail::record(
        hub,
        actor,
        "user.role",
        &user.username,
        Some(json!({"role": user.role})),
        Some(json!({"role": role})),
    )
    .await?;
    revoked(hub).await;
    find_user(hub, &user.id).await
}

/// Disables a user: their sessions end and their tokens stop working at once (the tokens
/// work again if the user is enabled again).
pub async fn disable_user(hub: &Hub, actor: &str, id_or_name: &str) -> HubResult<User> {
    let user = find_user(hub, id_or_name).await?;
    if user.disabled_at.is_some() {
        return Ok(user);
    }
    keep_an_admin(hub, &user, "disable them").await?;
    let access = hub.store.access();
    access
        .set_disabled(&user.id, Some(hub.clock.now_s()))
        .await?;
    let sessions = access.delete_sessions_of(&user.id, None).await?;
    trail::record(
        hub,
        actor,
        "user.disable",
        &user.username,
        Some(json!({"disabled": false})),
        Some(json!({"disabled": true, "sessionsEnded": sessions})),
    )
    .await?;
    revoked(hub).await;
    find_user(hub, &user.id).await
}

pub async fn enable_user(hub: &Hub, actor: &str, id_or_name: &str) -> HubResult<User> {
    let user = find_user(hub, id_or_name).await?;
    if user.disabled_at.is_none() {
        return Ok(user);
    }
    hub.store.access().set_disabled(&user.id, None).await?;
    trail::record(
        hub,
        actor,
        "user.enable",
        &user.username,
        Some(json!({"disabled": true})),
        Some(json!({"disabled": false})),
    )
    .await?;
    find_user(hub, &user.id).await
}

/// Removes a user with their sessions and tokens.
pub async fn remove_user(hub: &Hub, actor: &str, id_or_name: &str) -> HubResult<User> {
    let user = find_user(hub, id_or_name).await?;
    keep_an_admin(hub, &user, "remove them").await?;
    hub.store.access().delete_user(&user.id).await?;
    trail::record(
        hub,
        actor,
        "user.remove",
        &user.username,
        Some(json!({"username": user.username, "role": user.role})),
        None,
    )
    .await?;
    revoked(hub).await;
    Ok(user)
}

/// A user who signs in through the identity provider has no password here to set.
fn refuse_for_sso(user: &User) -> HubResult<()> {
    if user.sign_in == SignInMethod::Sso {
        return Err(HubError::Invalid(format!(
            "{} signs in through single sign-on and has no password here",
            user.username
        )));
    }
    Ok(())
}

/// An Admin sets a new password for a user; the user's sessions end.
pub async fn reset_password(
    hub: &Hub,
    actor: &str,
    id_or_name: &str,
    password: SecretString,
) -> HubResult<User> {
    check_password(&password)?;
    let user = find_user(hub, id_or_name).await?;
    refuse_for_sso(&user)?;
    let access = hub.store.access();
    access
        .set_password_hash(&user.id, &hash_password(&password).await?)
        .await?;
    let sessions = access.delete_sessions_of(&user.id, None).await?;
    trail::record(
        hub,
        actor,
        "user.password_reset",
        &user.username,
        None,
        Some(json!({"sessionsEnded": sessions})),
    )
    .await?;
    revoked(hub).await;
    Ok(user)
}

/// A user changes their own password, proving the current one; their other sessions end.
pub async fn change_own_password(
    hub: &Hub,
    user: &User,
    current: &str,
    new: SecretString,
    this_session: Option<&str>,
) -> HubResult<()> {
    check_password(&new)?;
    let stored = find_user(hub, &user.id).await?;
    refuse_for_sso(&stored)?;
    if !verify_password(current, &stored.password_hash).await? {
        return Err(HubError::Invalid("the current password is wrong".into()));
    }
    let access = hub.store.access();
    access
        .set_password_hash(&user.id, &hash_password(&new).await?)
        .await?;
    let sessions = access.delete_sessions_of(&user.id, this_session).await?;
    trail::record(
        hub,
        &user.username,
        "user.password_change",
        &user.username,
        None,
        Some(json!({"otherSessionsEnded": sessions})),
    )
    .await?;
    revoked(hub).await;
    Ok(())
}

/// Ends every session of a user (their API tokens stay).
pub async fn sign_out_everywhere(hub: &Hub, actor: &str, user: &User) -> HubResult<u64> {
    let ended = hub
        .store
        .access()
        .delete_sessions_of(&user.id, None)
        .await?;
    trail::record(
        hub,
        actor,
        "session.sign_out_everywhere",
        &user.username,
        None,
        Some(json!({"sessionsEnded": ended})),
    )
    .await?;
    revoked(hub).await;
    Ok(ended)
}

/// Failed sign-ins an account may have before it must wait (30 s, doubling to an hour).
const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    first_wait_s: 30,
    longest_wait_s: 3_600,
    memory_s: 3_600,
};

/// The same per source address, looser: many people may share one office address.
const PER_SOURCE: ThrottlePolicy = ThrottlePolicy {
    free_failures: 20,
    first_wait_s: 30,
    longest_wait_s: 3_600,
    memory_s: 3_600,
};

/// A session just opened: the cookie value is shown to the browser once and never stored.
#[derive(Debug)]
pub struct OpenedSession {
    pub user: User,
    pub cookie_value: String,
    pub lifetime_s: i64,
}

/// What a sign-in came to.
#[derive(Debug)]
pub enum SignIn {
    Opened(OpenedSession),
    /// A wrong name or password (or a disabled user; the answer does not say which).
    Refused,
    /// Too many failures for this account or address: try again after this many seconds.
    Throttled {
        retry_after_s: i64,
    },
}

/// Signs a user in from `source` (an address): throttled per account and per source,
/// failures recorded in the trail with the source.
pub async fn sign_in(
    hub: &Hub,
    username: &str,
    password: &str,
    lifetime_s: i64,
    source: &str,
) -> HubResult<SignIn> {
    let now = hub.clock.now_s();
    let shown: String = username.chars().take(64).collect();
    let account_key = format!("account:{}", shown.to_lowercase());
    let source_key = format!("source:{source}");
    let access = hub.store.access();
    if let Some(until) = access
        .sign_in_locked_until(&[account_key.clone(), source_key.clone()], now)
        .await?
    {
        record_failure(hub, &shown, source, "throttled").await?;
        return Ok(SignIn::Throttled {
            retry_after_s: until - now,
        });
    }
    // Unknown names are checked against a throwaway hash, so the answer takes as long
    // whether or not the name exists.
    static DUMMY: OnceLock<String> = OnceLock::new();
    let user = access.user_by_name(username).await?;
    // A user who signs in through the identity provider has no password (an empty hash):
    // the dummy is checked instead, as for an unknown name, so the answer takes as long.
    let hash = match &user {
        Some(u) if !u.password_hash.is_empty() => u.password_hash.clone(),
        _ => match DUMMY.get() {
            Some(hash) => hash.clone(),
            None => {
                let made = hash_password(&SecretString::from("not a real password")).await?;
                DUMMY.get_or_init(|| made).clone()
            }
        },
    };
    let matches = verify_password(password, &hash).await?
        && user.as_ref().is_some_and(|u| !u.password_hash.is_empty());
    let passwords_off = user.as_ref().is_some_and(|u| !may_use_password(hub, u));
    let user = match user {
        Some(user) if matches && user.disabled_at.is_none() && !passwords_off => user,
        other => {
            let reason = match other {
                Some(u) if u.sign_in == SignInMethod::Sso => "signs in through single sign-on",
                Some(_) if matches && passwords_off => "password sign-in is off",
                Some(u) if matches && u.disabled_at.is_some() => "disabled",
                Some(_) => "wrong password",
                None => "unknown user",
            };
            let mut locked = None;
            for (key, policy) in [(&account_key, PER_ACCOUNT), (&source_key, PER_SOURCE)] {
                if let Some(until) = access.record_sign_in_failure(key, now, policy).await? {
                    locked = Some(locked.map_or(until, |l: i64| l.max(until)));
                }
            }
            record_failure(hub, &shown, source, reason).await?;
            return Ok(match locked {
                Some(until) => SignIn::Throttled {
                    retry_after_s: until - now,
                },
                None => SignIn::Refused,
            });
        }
    };
    access.clear_sign_in_failures(&account_key).await?;
    Ok(SignIn::Opened(
        open_session(hub, user, lifetime_s, source, "password").await?,
    ))
}

/// Whether `user` may sign in with a password: always, unless password sign-in is turned
/// off, when only the named break-glass Admins may.
pub fn may_use_password(hub: &Hub, user: &User) -> bool {
    user.sign_in == SignInMethod::Password
        && (hub.policy.local_passwords
            || (user.role == Role::Admin && hub.policy.break_glass_admins.contains(&user.username)))
}

/// Opens a session for a user who proved who they are (`how`: `password` or `sso`).
pub(crate) async fn open_session(
    hub: &Hub,
    user: User,
    lifetime_s: i64,
    source: &str,
    how: &str,
) -> HubResult<OpenedSession> {
    let now = hub.clock.now_s();
    let access = hub.store.access();
    let cookie_value = weft_core::secrets::random_token();
    access
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
        Some(json!({"source": source, "by": how})),
    )
    .await?;
    Ok(OpenedSession {
        user,
        cookie_value,
        lifetime_s,
    })
}

async fn record_failure(hub: &Hub, username: &str, source: &str, reason: &str) -> HubResult<()> {
    trail::record(
        hub,
        "anonymous",
        "session.login_failed",
        username,
        None,
        Some(json!({"source": source, "reason": reason})),
    )
    .await
}

/// Ends a session on the server; returns once no instance accepts it any more.
pub async fn sign_out(hub: &Hub, session_hash: &str) -> HubResult<()> {
    hub.store.access().delete_session(session_hash).await?;
    revoked(hub).await;
    Ok(())
}

/// A signed-in caller found from a session cookie: the user and the session's CSRF token.
pub async fn session_caller(hub: &Hub, cookie_value: &str) -> HubResult<Option<(User, String)>> {
    Ok(hub
        .store
        .access()
        .session_user(&hash_secret(cookie_value), hub.clock.now_s())
        .await?)
}

/// The user an API token belongs to, while the token lives and the user is enabled.
pub async fn token_caller(hub: &Hub, token: &str) -> HubResult<Option<User>> {
    Ok(hub
        .store
        .access()
        .api_token_user(&hash_secret(token), hub.clock.now_s())
        .await?)
}

/// Creates an API token for `owner`, acting with the owner's role, expiring after
/// `expires_in_days` when given. The secret is returned once.
pub async fn issue_api_token(
    hub: &Hub,
    actor: &str,
    owner: &User,
    name: &str,
    expires_in_days: Option<u32>,
) -> HubResult<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(HubError::invalid(
            "a token needs a name of 1 to 64 characters",
        ));
    }
    if expires_in_days.is_some_and(|d| !(1..=3_650).contains(&d)) {
        return Err(HubError::invalid(
            "a token expires after 1 to 3650 days (or never)",
        ));
    }
    let now = hub.clock.now_s();
    let secret = format!("wft_{}", weft_core::secrets::random_token());
    let token = ApiToken {
        id: new_id("tok"),
        user_id: owner.id.clone(),
        name: name.to_owned(),
        token_hash: hash_secret(&secret),
        created_at: now,
        expires_at: expires_in_days.map(|d| now + i64::from(d) * 86_400),
        last_used_at: None,
    };
    hub.store.access().create_api_token(token.clone()).await?;
    trail::record(
        hub,
        actor,
        "api_token.create",
        &format!("{} ({})", name, owner.username),
        None,
        Some(json!({"id": token.id, "user": owner.username, "expiresAt": token.expires_at})),
    )
    .await?;
    Ok((token, secret))
}

/// Tokens `caller` may see: their own, or everyone's when `all` (Admins only).
pub async fn list_tokens(hub: &Hub, caller: &User, all: bool) -> HubResult<Vec<ListedToken>> {
    if all && caller.role != Role::Admin {
        return Err(HubError::Forbidden(
            "only Admins see everyone's API tokens".into(),
        ));
    }
    let owner = (!all).then_some(caller.id.as_str());
    Ok(hub.store.access().api_tokens(owner).await?)
}

/// The API tokens of one user, or everyone's (the machine's own command line).
pub async fn tokens_of(hub: &Hub, owner: Option<&User>) -> HubResult<Vec<ListedToken>> {
    Ok(hub
        .store
        .access()
        .api_tokens(owner.map(|u| u.id.as_str()))
        .await?)
}

/// Revokes a token: one's own, or anyone's for an Admin (`caller` None: the machine's
/// own command line). Returns once no instance accepts it.
pub async fn revoke_token(
    hub: &Hub,
    actor: &str,
    caller: Option<&User>,
    id: &str,
) -> HubResult<ApiToken> {
    let access = hub.store.access();
    let token = access
        .api_token(id)
        .await?
        .ok_or_else(|| HubError::not_found(format!("API token {id}")))?;
    if let Some(caller) = caller
        && caller.role != Role::Admin
        && caller.id != token.user_id
    {
        // Someone else's token is, to a non-Admin, a token that does not exist.
        return Err(HubError::not_found(format!("API token {id}")));
    }
    access.delete_api_token(id).await?;
    trail::record(
        hub,
        actor,
        "api_token.revoke",
        &token.name,
        Some(json!({"id": token.id, "userId": token.user_id})),
        None,
    )
    .await?;
    revoked(hub).await;
    Ok(token)
}
