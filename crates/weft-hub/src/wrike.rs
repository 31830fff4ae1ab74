//! Wrike clients for connections: permanent tokens as they are, OAuth tokens through the
//! store (so refreshes rotate atomically), and who a token runs as.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use weft_store::{Connection, ConnectionKind, WrikeIdentity};
use wrike_api::models::Plan;
use wrike_api::{ApiBase, ClientConfig, PermanentToken, TokenSource, WrikeClient};

use crate::Hub;
use crate::error::{HubError, HubResult};
use crate::oauth_tokens::StoredOAuthTokens;

/// A client that answers promptly: validation and health checks want an answer in seconds,
/// not minutes of retries.
pub fn prompt_client(base: ApiBase, tokens: Arc<dyn TokenSource>) -> WrikeClient {
    WrikeClient::new(
        base,
        tokens,
        ClientConfig {
            max_retries: 1,
            timeout: Duration::from_secs(20),
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
                .key
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
                key: hub.key.clone(),
                clock: hub.clock.clone(),
                connection_id: connection.id.clone(),
                oauth,
                host: Some(base.host()),
            })
        }
    })
}

/// A prompt client for a stored connection.
pub async fn client_for(hub: &Hub, connection: &Connection) -> HubResult<WrikeClient> {
    let base = ApiBase::from_url(&connection.api_base)
        .map_err(|e| HubError::Internal(format!("connection {}: {e}", connection.name)))?;
    Ok(prompt_client(base, token_source(hub, connection).await?))
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
