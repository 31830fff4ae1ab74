//! Wrike connections: adding them (a permanent token, or a completed OAuth consent) after
//! checking the token against Wrike, removing them, finding them, and service-account
//! hygiene.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use weft_core::scope_plan::{self, AccountFacts, Feature, Missing};
use weft_store::{Connection, ConnectionKind, NewConnection, SealedTokens, WrikeIdentity};
use wrike_api::models::Plan;
use wrike_api::{DataCenter, OAuthTokens, PermanentToken, Scope, TokenSet};

use crate::error::{HubError, HubResult};
use crate::wrike::{check_api_base, identify, prompt_client};
use crate::{Hub, health, new_id, trail};

/// What `add` reports besides the stored connection.
#[derive(Debug, Serialize)]
pub struct Added {
    pub connection: Connection,
    pub warnings: Vec<String>,
    pub missing: Vec<Missing>,
}

fn check_name(name: &str) -> HubResult<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        return Err(HubError::invalid(format!(
            "connection name {name:?} must be 1-64 letters, digits, '.', '_' or '-'"
        )));
    }
    // Ids look like `conn_...`; a name that did too could be mistaken for another connection.
    if name.to_ascii_lowercase().starts_with("conn_") {
        return Err(HubError::invalid(format!(
            "connection name {name:?} may not start with conn_, which is how connection ids start"
        )));
    }
    Ok(())
}

/// Accounts people sign in with rarely say "integration"; dedicated ones usually do.
fn looks_like_a_person(identity: &WrikeIdentity) -> bool {
    let local = identity
        .user_email
        .split('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = identity.user_name.to_ascii_lowercase();
    ![
        "integration",
        "bot",
        "api",
        "service",
        "svc",
        "automation",
        "system",
        "noreply",
        "no-reply",
        "robot",
    ]
    .iter()
    .any(|hint| local.contains(hint) || name.contains(hint))
}

/// A connection as listings show it: with its hygiene warnings.
#[derive(Debug, Serialize)]
pub struct Listed<'a> {
    pub connection: &'a Connection,
    pub warnings: Vec<String>,
}

/// Every connection with its warnings, serialised as is by the API and the CLI.
pub fn listing(all: &[Connection]) -> Vec<Listed<'_>> {
    all.iter()
        .map(|connection| Listed {
            connection,
            warnings: hygiene(connection, all),
        })
        .collect()
}

/// Hygiene warnings for a connection among all connections.
pub fn hygiene(connection: &Connection, all: &[Connection]) -> Vec<String> {
    let who = format!(
        "{} <{}>",
        connection.identity.user_name, connection.identity.user_email
    );
    let mut warnings = Vec::new();
    if looks_like_a_person(&connection.identity) {
        warnings.push(format!("runs as {who}, which looks like a person's own account: use a dedicated integration user, so that a password change or a departure does not break it"));
    }
    let shared: Vec<&str> = all
        .iter()
        .filter(|c| {
            c.id != connection.id
                && c.identity.account_id == connection.identity.account_id
                && c.identity.user_id == connection.identity.user_id
        })
        .map(|c| c.name.as_str())
        .collect();
    if !shared.is_empty() {
        warnings.push(format!("shares the Wrike user {who} with {}: one revoked token or rate limit then hits all of them", shared.join(", ")));
    }
    if !connection.identity.admin {
        warnings.push(format!("{who} is not an account admin: usage analytics, reclaiming seats and invitations will be refused"));
    }
    warnings
}

/// Stores a validated connection, records it, probes it, and reports hygiene and gaps.
async fn store_new(
    hub: &Hub,
    actor: &str,
    new: NewConnection,
    plan: Option<Plan>,
    features: &[Feature],
    granted: Option<Vec<Scope>>,
) -> HubResult<Added> {
    let (name, identity) = (new.name.clone(), new.identity.clone());
    let created =
        hub.store
            .connections()
            .create(new)
            .await
            .map_err(|e| match HubError::from(e) {
                HubError::Conflict(_) => {
                    HubError::Conflict(format!("a connection named {name} already exists"))
                }
                other => other,
            })?;
    trail::record(
        hub,
        actor,
        "connection.create",
        &name,
        None,
        Some(serde_json::json!({"name": name, "kind": created.kind, "account": identity.account_id, "runsAs": identity.user_email, "apiBase": created.api_base})),
    )
    .await?;
    health::probe(hub, &created).await?;
    let connection = find(hub, &created.id).await?;
    let all = hub.store.connections().list().await?;
    let facts = AccountFacts {
        plan,
        admin: Some(identity.admin),
        activity_reports: None,
    };
    Ok(Added {
        warnings: hygiene(&connection, &all),
        missing: scope_plan::missing(features, granted.as_deref(), &facts),
        connection,
    })
}

/// Validates a permanent token against Wrike, stores it sealed, checks its health.
pub async fn add(
    hub: &Hub,
    actor: &str,
    name: &str,
    data_center: &str,
    token: SecretString,
    features: Vec<Feature>,
) -> HubResult<Added> {
    check_name(name)?;
    let base = DataCenter::parse(data_center)
        .map_err(|e| HubError::invalid(format!("data center: {e}")))?
        .api_base();
    check_api_base(hub, &base).await?;
    let wrike = prompt_client(
        hub,
        base.clone(),
        Arc::new(PermanentToken::new(token.clone())),
    );
    let (identity, plan) = identify(&wrike).await?;
    let id = new_id("conn");
    let new = NewConnection {
        tokens: SealedTokens {
            access_token: hub.key()?.seal(&id, token.expose_secret().as_bytes()),
            refresh_token: None,
            expires_at: None,
        },
        id,
        name: name.to_owned(),
        kind: ConnectionKind::Permanent,
        api_base: base.url().to_string(),
        identity,
        scopes: Vec::new(),
        features: features.iter().map(|f| f.as_str().to_owned()).collect(),
        created_at: hub.clock.now_s(),
        created_by: actor.to_owned(),
    };
    store_new(hub, actor, new, plan, &features, None).await
}

/// Who a consent's tokens run as, checked against the hub's policy for their API host.
async fn identify_consent(
    hub: &Hub,
    tokens: &TokenSet,
) -> HubResult<(wrike_api::ApiBase, WrikeIdentity, Option<Plan>)> {
    let oauth = hub
        .oauth
        .clone()
        .ok_or_else(|| HubError::invalid("OAuth is not configured on this hub"))?;
    let base = tokens
        .api_base()
        .map_err(|e| HubError::wrike("the token response", e))?;
    check_api_base(hub, &base).await?;
    let wrike = prompt_client(
        hub,
        base.clone(),
        Arc::new(OAuthTokens::new(oauth, tokens.clone(), None)),
    );
    let (identity, plan) = identify(&wrike).await?;
    Ok((base, identity, plan))
}

/// A consent's tokens sealed to the connection `id`.
fn seal_consent(hub: &Hub, id: &str, tokens: &TokenSet) -> HubResult<SealedTokens> {
    let key = hub.key()?;
    let seal = |secret: &SecretString| key.seal(id, secret.expose_secret().as_bytes());
    Ok(SealedTokens {
        access_token: seal(&tokens.access_token),
        refresh_token: tokens.refresh_token.as_ref().map(seal),
        expires_at: tokens.expires_at.map(|t| t.timestamp()),
    })
}

/// Stores a connection from a completed OAuth consent; its API base is the token's `host`.
pub async fn add_oauth(
    hub: &Hub,
    actor: &str,
    name: &str,
    tokens: TokenSet,
    scopes: Vec<Scope>,
    features: Vec<Feature>,
) -> HubResult<Added> {
    check_name(name)?;
    let (base, identity, plan) = identify_consent(hub, &tokens).await?;
    let id = new_id("conn");
    let new = NewConnection {
        tokens: seal_consent(hub, &id, &tokens)?,
        id: id.clone(),
        name: name.to_owned(),
        kind: ConnectionKind::OAuth,
        api_base: base.url().to_string(),
        identity,
        scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        features: features.iter().map(|f| f.as_str().to_owned()).collect(),
        created_at: hub.clock.now_s(),
        created_by: actor.to_owned(),
    };
    store_new(hub, actor, new, plan, &features, Some(scopes)).await
}

/// Connects an existing OAuth connection again after a new consent (its token was revoked,
/// or it needs more scopes): the tokens, scopes and uses are replaced in place, so its
/// recipes keep it. The consent must be for the same Wrike account.
pub async fn reconnect_oauth(
    hub: &Hub,
    actor: &str,
    connection: &Connection,
    tokens: TokenSet,
    scopes: Vec<Scope>,
    features: Vec<Feature>,
) -> HubResult<Added> {
    let (_, identity, plan) = identify_consent(hub, &tokens).await?;
    if identity.account_id != connection.identity.account_id {
        return Err(HubError::invalid(format!(
            "the consent was given in account {}, the connection {} is for account {}",
            identity.account_id, connection.name, connection.identity.account_id
        )));
    }
    let current = hub.store.connections().secrets(&connection.id).await?;
    hub.store
        .connections()
        .replace_secrets(
            &connection.id,
            current.version,
            seal_consent(hub, &connection.id, &tokens)?,
        )
        .await?;
    let scope_names: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
    let feature_names: Vec<String> = features.iter().map(|f| f.as_str().to_owned()).collect();
    hub.store
        .connections()
        .set_grant(&connection.id, &scope_names, &feature_names)
        .await?;
    hub.store
        .connections()
        .mark_token_set(&connection.id, hub.clock.now_s())
        .await?;
    trail::record(
        hub,
        actor,
        "connection.reconsent",
        &connection.name,
        Some(serde_json::json!({"scopes": connection.scopes, "runsAs": connection.identity.user_email})),
        Some(serde_json::json!({"scopes": scope_names, "runsAs": identity.user_email})),
    )
    .await?;
    let refreshed = by_id(hub, &connection.id).await?;
    health::probe(hub, &refreshed).await?;
    let connection = by_id(hub, &connection.id).await?;
    let all = hub.store.connections().list().await?;
    let facts = AccountFacts {
        plan,
        admin: Some(identity.admin),
        activity_reports: None,
    };
    Ok(Added {
        warnings: hygiene(&connection, &all),
        missing: scope_plan::missing(&features, Some(&scopes), &facts),
        connection,
    })
}

/// Gives a permanent-token connection a new token (the old one was revoked, or its user's
/// password changed). The token must run in the same account. Callers probe the connection
/// next (`health::probe`), which lets recipes paused on it go on.
pub async fn replace_token(
    hub: &Hub,
    actor: &str,
    connection: &Connection,
    token: SecretString,
) -> HubResult<Connection> {
    if connection.kind != ConnectionKind::Permanent {
        return Err(HubError::invalid(format!(
            "{} is an OAuth connection: reconnect it with OAuth on its page instead",
            connection.name
        )));
    }
    let base = wrike_api::ApiBase::from_url(&connection.api_base)
        .map_err(|e| HubError::Internal(format!("connection {}: {e}", connection.name)))?;
    let wrike = prompt_client(hub, base, Arc::new(PermanentToken::new(token.clone())));
    let (identity, _) = identify(&wrike).await?;
    if identity.account_id != connection.identity.account_id {
        return Err(HubError::invalid(format!(
            "the token belongs to account {}, the connection {} to account {}",
            identity.account_id, connection.name, connection.identity.account_id
        )));
    }
    let current = hub.store.connections().secrets(&connection.id).await?;
    hub.store
        .connections()
        .replace_secrets(
            &connection.id,
            current.version,
            SealedTokens {
                access_token: hub
                    .key()?
                    .seal(&connection.id, token.expose_secret().as_bytes()),
                refresh_token: None,
                expires_at: None,
            },
        )
        .await?;
    hub.store
        .connections()
        .mark_token_set(&connection.id, hub.clock.now_s())
        .await?;
    trail::record(
        hub,
        actor,
        "connection.token",
        &connection.name,
        Some(serde_json::json!({"runsAs": connection.identity.user_email})),
        Some(serde_json::json!({"runsAs": identity.user_email})),
    )
    .await?;
    by_id(hub, &connection.id).await
}

/// When an OAuth connection's access token expires (it is refreshed before then).
pub async fn access_token_expiry(hub: &Hub, connection: &Connection) -> HubResult<Option<i64>> {
    Ok(hub
        .store
        .connections()
        .secrets(&connection.id)
        .await?
        .tokens
        .expires_at)
}

/// Every connection.
pub async fn list(hub: &Hub) -> HubResult<Vec<Connection>> {
    Ok(hub.store.connections().list().await?)
}

/// The connection with this id (the API addresses connections by id only).
pub async fn by_id(hub: &Hub, id: &str) -> HubResult<Connection> {
    hub.store
        .connections()
        .get(id)
        .await?
        .ok_or_else(|| HubError::not_found(format!("connection {id}")))
}

/// Finds a connection by id or name (for people: the CLI).
pub async fn find(hub: &Hub, id_or_name: &str) -> HubResult<Connection> {
    if let Some(found) = hub.store.connections().get(id_or_name).await? {
        return Ok(found);
    }
    hub.store
        .connections()
        .list()
        .await?
        .into_iter()
        .find(|c| c.name == id_or_name)
        .ok_or_else(|| HubError::not_found(format!("connection {id_or_name}")))
}

/// Removes a connection and its sealed tokens.
pub async fn remove(hub: &Hub, actor: &str, connection: Connection) -> HubResult<Connection> {
    hub.store.connections().delete(&connection.id).await?;
    trail::record(
        hub,
        actor,
        "connection.delete",
        &connection.name,
        Some(serde_json::json!({"name": connection.name, "account": connection.identity.account_id, "runsAs": connection.identity.user_email})),
        None,
    )
    .await?;
    Ok(connection)
}
