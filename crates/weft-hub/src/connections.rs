//! Wrike connections: adding them (permanent token or completed OAuth consent), checking
//! them the way their features use Wrike, classifying failures, and service-account hygiene.

use std::sync::Arc;

use anyhow::Context;
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use weft_core::health::{FailureClass, classify};
use weft_core::scope_plan::{self, AccountFacts, Feature, Missing};
use weft_store::{
    Connection, ConnectionKind, Health, NewAuditEntry, NewConnection, SealedTokens, Store,
    StoreError, WrikeIdentity,
};
use wrike_api::models::Plan;
use wrike_api::requests::AuditLogQuery;
use wrike_api::{
    ApiBase, ClientConfig, DataCenter, OAuthTokens, PermanentToken, Scope, TokenSet, TokenSource,
    WrikeClient, WrikeError,
};

use crate::Hub;
use crate::oauth_tokens::StoredOAuthTokens;
use crate::util::{new_id, now};

/// What `add` reports besides the stored connection.
#[derive(Debug, Serialize)]
pub struct Added {
    pub connection: Connection,
    pub warnings: Vec<String>,
    pub missing: Vec<Missing>,
}

fn client(base: ApiBase, tokens: Arc<dyn TokenSource>) -> WrikeClient {
    // Health checks and validation want a prompt answer, not minutes of retries.
    WrikeClient::new(
        base,
        tokens,
        ClientConfig {
            max_retries: 1,
            timeout: std::time::Duration::from_secs(20),
            ..ClientConfig::default()
        },
    )
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    anyhow::ensure!(
        valid,
        "connection name {name:?} must be 1-64 letters, digits, '.', '_' or '-'"
    );
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

/// Who the token runs as, asked of Wrike; a refusal becomes an error that names its class.
async fn identify(wrike: &WrikeClient) -> anyhow::Result<(WrikeIdentity, Option<Plan>)> {
    let refused = |e: WrikeError| {
        let class = classify(&e);
        anyhow::anyhow!(
            "Wrike at {} refused the token ({}): {e}. {}",
            wrike.base().url(),
            class.as_str(),
            class.advice()
        )
    };
    let me = wrike.me().await.map_err(refused)?;
    let account = wrike.account(&["subscription"]).await.map_err(refused)?;
    let profile = me.primary_profile();
    let identity = WrikeIdentity {
        account_id: account.id.clone(),
        account_name: account.name.clone(),
        user_id: me.id.clone(),
        user_name: format!("{} {}", me.first_name, me.last_name)
            .trim()
            .to_owned(),
        user_email: me.email().unwrap_or_default().to_owned(),
        admin: profile.is_some_and(|p| p.admin || p.owner),
    };
    Ok((identity, account.subscription.map(|s| s.plan)))
}

/// Stores a validated connection, audits it, probes it, and reports hygiene and gaps.
async fn store_new(
    hub: &Hub,
    actor: &str,
    new: NewConnection,
    plan: Option<Plan>,
    features: &[Feature],
    granted: Option<Vec<Scope>>,
) -> anyhow::Result<Added> {
    let (id, name, identity) = (new.id.clone(), new.name.clone(), new.identity.clone());
    let created = match hub.store.create_connection(new).await {
        Err(StoreError::Conflict { .. }) => {
            anyhow::bail!("a connection named {name} already exists")
        }
        other => other.context("storing the connection")?,
    };
    hub.store
        .append_audit(NewAuditEntry {
            at: now(),
            actor: actor.to_owned(),
            action: "connection.create".into(),
            target: name.clone(),
            before: None,
            after: Some(serde_json::json!({"name": name, "kind": created.kind, "account": identity.account_id, "runsAs": identity.user_email, "apiBase": created.api_base})),
        })
        .await?;
    crate::monitor::probe(hub, &created).await?;
    let connection = hub
        .store
        .connection(&id)
        .await?
        .context("the connection just stored")?;
    let all = hub.store.list_connections().await?;
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
) -> anyhow::Result<Added> {
    check_name(name)?;
    let base = DataCenter::parse(data_center)?.api_base();
    let wrike = client(base.clone(), Arc::new(PermanentToken::new(token.clone())));
    let (identity, plan) = identify(&wrike).await?;
    let id = new_id("conn");
    let new = NewConnection {
        tokens: SealedTokens {
            access_token: hub.key.seal(&id, token.expose_secret().as_bytes()),
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
        created_at: now(),
        created_by: actor.to_owned(),
    };
    store_new(hub, actor, new, plan, &features, None).await
}

/// Stores a connection from a completed OAuth consent; its API base is the token's `host`.
pub async fn add_oauth(
    hub: &Hub,
    actor: &str,
    name: &str,
    tokens: TokenSet,
    scopes: Vec<Scope>,
    features: Vec<Feature>,
) -> anyhow::Result<Added> {
    check_name(name)?;
    let oauth = hub.oauth.clone().context("OAuth is not configured")?;
    let base = tokens.api_base()?;
    let wrike = client(
        base.clone(),
        Arc::new(OAuthTokens::new(oauth, tokens.clone(), None)),
    );
    let (identity, plan) = identify(&wrike).await?;
    let id = new_id("conn");
    let seal = |secret: &SecretString| hub.key.seal(&id, secret.expose_secret().as_bytes());
    let sealed = SealedTokens {
        access_token: seal(&tokens.access_token),
        refresh_token: tokens.refresh_token.as_ref().map(seal),
        expires_at: tokens.expires_at.map(|t| t.timestamp()),
    };
    let new = NewConnection {
        tokens: sealed,
        id: id.clone(),
        name: name.to_owned(),
        kind: ConnectionKind::OAuth,
        api_base: base.url().to_string(),
        identity,
        scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        features: features.iter().map(|f| f.as_str().to_owned()).collect(),
        created_at: now(),
        created_by: actor.to_owned(),
    };
    store_new(hub, actor, new, plan, &features, Some(scopes)).await
}

/// A client for a stored connection: permanent tokens as they are, OAuth tokens through the
/// store so that refreshes rotate atomically.
pub async fn client_for(hub: &Hub, connection: &Connection) -> anyhow::Result<WrikeClient> {
    let base = ApiBase::from_url(&connection.api_base)?;
    let tokens: Arc<dyn TokenSource> = match connection.kind {
        ConnectionKind::Permanent => {
            let secrets = hub.store.connection_secrets(&connection.id).await?;
            let token = hub
                .key
                .open(&connection.id, &secrets.tokens.access_token)
                .with_context(|| format!("decrypting the token of {}", connection.name))?;
            Arc::new(PermanentToken::new(SecretString::from(
                String::from_utf8(token).context("stored token is not text")?,
            )))
        }
        ConnectionKind::OAuth => {
            let oauth = hub.oauth.clone().with_context(|| {
                format!(
                    "{} is an OAuth connection and OAuth is not configured",
                    connection.name
                )
            })?;
            Arc::new(StoredOAuthTokens {
                store: hub.store.clone(),
                key: hub.key.clone(),
                connection_id: connection.id.clone(),
                oauth,
                host: Some(base.host()),
            })
        }
    };
    Ok(client(base, tokens))
}

/// Probes a connection the way its features use Wrike; records and returns the health.
pub async fn check(hub: &Hub, connection: &Connection) -> anyhow::Result<Health> {
    let wrike = client_for(hub, connection).await?;
    let health = match probe(&wrike, connection).await {
        Ok(()) => Health {
            healthy: true,
            class: None,
            message: None,
            checked_at: now(),
        },
        Err((step, e)) => Health {
            healthy: false,
            class: Some(classify(&e)),
            message: Some(format!("{step}: {e}")),
            checked_at: now(),
        },
    };
    hub.store.record_health(&connection.id, &health).await?;
    Ok(health)
}

async fn probe(
    wrike: &WrikeClient,
    connection: &Connection,
) -> Result<(), (&'static str, WrikeError)> {
    let me = wrike
        .me()
        .await
        .map_err(|e| ("who am I (GET /contacts?me=true)", e))?;
    for feature in connection
        .features
        .iter()
        .filter_map(|f| Feature::parse(f).ok())
    {
        match feature {
            Feature::UsageAnalytics => {
                let pages = wrike
                    .audit_log_pages(&AuditLogQuery::default(), 1)
                    .map_err(|e| ("audit log", e))?;
                let mut pages = std::pin::pin!(pages);
                if let Some(page) = pages.next().await {
                    page.map_err(|e| ("audit log (GET /audit_log)", e))?;
                }
            }
            Feature::Reclaim => drop(
                wrike
                    .user(&me.id)
                    .await
                    .map_err(|e| ("user management (GET /users/{id})", e))?,
            ),
            Feature::Invitations => drop(
                wrike
                    .invitations()
                    .await
                    .map_err(|e| ("invitations (GET /invitations)", e))?,
            ),
            Feature::ReadWork | Feature::WriteWork => drop(
                wrike
                    .spaces()
                    .await
                    .map_err(|e| ("workspace (GET /spaces)", e))?,
            ),
            Feature::Webhooks => drop(
                wrike
                    .webhooks()
                    .await
                    .map_err(|e| ("webhooks (GET /webhooks)", e))?,
            ),
        }
    }
    Ok(())
}

/// Finds a connection by name or id.
pub async fn find(store: &dyn Store, name_or_id: &str) -> anyhow::Result<Connection> {
    let all = store.list_connections().await?;
    all.into_iter()
        .find(|c| c.name == name_or_id || c.id == name_or_id)
        .with_context(|| format!("no connection named {name_or_id}"))
}

pub async fn remove(
    store: &dyn Store,
    actor: &str,
    name_or_id: &str,
) -> anyhow::Result<Connection> {
    let connection = find(store, name_or_id).await?;
    store.delete_connection(&connection.id).await?;
    store
        .append_audit(NewAuditEntry {
            at: now(),
            actor: actor.to_owned(),
            action: "connection.delete".into(),
            target: connection.name.clone(),
            before: Some(serde_json::json!({"name": connection.name, "account": connection.identity.account_id, "runsAs": connection.identity.user_email})),
            after: None,
        })
        .await?;
    Ok(connection)
}

/// One line of health for people.
pub fn describe(health: Option<&Health>) -> String {
    match health {
        None => "not checked".into(),
        Some(h) if h.healthy => "healthy".into(),
        Some(h) => format!(
            "BROKEN ({}): {}",
            h.class.map_or("other", FailureClass::as_str),
            h.message.as_deref().unwrap_or("")
        ),
    }
}
