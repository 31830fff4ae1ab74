//! Wrike clients for connections: where they may go (Wrike's hosts only, on public
//! addresses, unless the policy allows any host), permanent tokens as they are, OAuth tokens
//! through the store (so refreshes rotate atomically), and who a token runs as.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use weft_store::{Connection, ConnectionKind, WrikeIdentity};
use wrike_api::http::{Reach, is_public};
use wrike_api::models::Plan;
use wrike_api::{ApiBase, Budget, ClientConfig, PermanentToken, TokenSource, WrikeClient};

use crate::Hub;
use crate::error::{HubError, HubResult};
use crate::oauth_tokens::StoredOAuthTokens;

/// Which addresses the hub's clients may reach under its policy.
pub fn reach(hub: &Hub) -> Reach {
    if hub.policy.allow_any_wrike_host {
        Reach::Anywhere
    } else {
        Reach::PublicOnly
    }
}

/// True for Wrike's own hosts: `wrike.com` and its subdomains (`www`, `app-eu`, `app-us2`).
pub fn is_wrike_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "wrike.com" || host.ends_with(".wrike.com")
}

/// Refuses an API base the hub may not call: unless the policy allows any host, it must be
/// a Wrike host over HTTPS whose every address is public (checked after DNS resolution).
/// The refusal never repeats anything the host answered.
pub async fn check_api_base(hub: &Hub, base: &ApiBase) -> HubResult<()> {
    if hub.policy.allow_any_wrike_host {
        return Ok(());
    }
    let url = base.url();
    let host = url.host_str().unwrap_or_default();
    if url.scheme() != "https" || !is_wrike_host(host) {
        return Err(HubError::Invalid(format!(
            "the API URL {url} is not a Wrike host (https://wrike.com or a subdomain such as app-eu.wrike.com); allow_any_wrike_host = true lets a hub reach a simulator or test server"
        )));
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| HubError::Invalid(format!("the API host {host} cannot be resolved: {e}")))?
        .collect();
    if addresses.is_empty() || addresses.iter().any(|a| !is_public(a.ip())) {
        return Err(HubError::Invalid(format!(
            "the API host {host} resolves to a private, loopback or link-local address, which this hub does not call"
        )));
    }
    Ok(())
}

/// A client that answers promptly (validation and health checks want an answer in
/// seconds, not minutes of retries), reaching only what the policy allows.
pub fn prompt_client(hub: &Hub, base: ApiBase, tokens: Arc<dyn TokenSource>) -> WrikeClient {
    WrikeClient::new(
        base,
        tokens,
        ClientConfig {
            max_retries: 1,
            timeout: Duration::from_secs(20),
            reach: reach(hub),
            ..ClientConfig::default()
        },
    )
}

/// The token source of a stored connection.
pub async fn token_source(hub: &Hub, connection: &Connection) -> HubResult<Arc<dyn TokenSource>> {
    let base = ApiBase::from_url(&connection.api_base)
        .map_err(|e| HubError::Internal(format!("connection {}: {e}", connection.name)))?;
    Ok(match connection.kind {
        ConnectionKind::Permanent => {
            let secrets = hub.store.connections().secrets(&connection.id).await?;
            let token = hub
                .key()?
                .open(&connection.id, &secrets.tokens.access_token)
                .map_err(|e| {
                    HubError::Internal(format!("the token of {}: {e}", connection.name))
                })?;
            let token = String::from_utf8(token).map_err(|_| {
                HubError::Internal(format!(
                    "the stored token of {} is not text",
                    connection.name
                ))
            })?;
            hub.secrets.register(&token);
            Arc::new(PermanentToken::new(SecretString::from(token)))
        }
        ConnectionKind::OAuth => {
            let oauth = hub.oauth.clone().ok_or_else(|| {
                HubError::Invalid(format!(
                    "{} is an OAuth connection and this hub has no OAuth app configured (oauth_client_id, oauth_client_secret)",
                    connection.name
                ))
            })?;
            Arc::new(StoredOAuthTokens {
                store: hub.store.clone(),
                key: hub.key()?.clone(),
                clock: hub.clock.clone(),
                connection_id: connection.id.clone(),
                oauth,
                host: Some(base.host()),
                secrets: hub.secrets.clone(),
            })
        }
    })
}

/// The request budgets of this process, one per connection.
#[derive(Default)]
pub struct Budgets(std::sync::Mutex<std::collections::HashMap<String, Arc<Budget>>>);

impl Budgets {
    /// The budget of `connection_id`, made on first use.
    pub fn of(&self, connection_id: &str, per_minute: u32) -> Arc<Budget> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(connection_id.to_owned())
            .or_insert_with(|| Budget::per_minute(per_minute))
            .clone()
    }
}

/// A prompt client for a stored connection, on the connection's shared budget.
pub async fn client_for(hub: &Hub, connection: &Connection) -> HubResult<WrikeClient> {
    let base = ApiBase::from_url(&connection.api_base)
        .map_err(|e| HubError::Internal(format!("connection {}: {e}", connection.name)))?;
    Ok(WrikeClient::with_budget(
        base,
        token_source(hub, connection).await?,
        ClientConfig {
            max_retries: 1,
            timeout: Duration::from_secs(20),
            reach: reach(hub),
            ..ClientConfig::default()
        },
        hub.budgets
            .of(&connection.id, hub.policy.requests_per_minute),
    ))
}

/// A patient client for long work on a stored connection (syncs, reclaims): it waits out
/// rate limits and retries what Wrike fails transiently, spending the connection's shared
/// budget.
pub async fn patient_client(hub: &Hub, connection: &Connection) -> HubResult<WrikeClient> {
    let base = ApiBase::from_url(&connection.api_base)
        .map_err(|e| HubError::Internal(format!("connection {}: {e}", connection.name)))?;
    Ok(WrikeClient::with_budget(
        base,
        token_source(hub, connection).await?,
        ClientConfig {
            max_retries: 6,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            timeout: Duration::from_secs(90),
            reach: reach(hub),
            ..ClientConfig::default()
        },
        hub.budgets
            .of(&connection.id, hub.policy.requests_per_minute),
    ))
}

/// Who the token runs as and the account's plan, asked of Wrike.
pub async fn identify(wrike: &WrikeClient) -> HubResult<(WrikeIdentity, Option<Plan>)> {
    let context = || format!("Wrike at {} refused the token", wrike.base().url());
    let me = wrike
        .me()
        .await
        .map_err(|e| HubError::wrike(context(), e))?;
    let account = wrike
        .account(&["subscription"])
        .await
        .map_err(|e| HubError::wrike(context(), e))?;
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
