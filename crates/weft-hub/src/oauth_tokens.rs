//! OAuth tokens kept in the store: refreshed shortly before expiry (and after a 401), the
//! rotated pair stored with compare-and-swap, so when two hub instances refresh at once
//! exactly one rotation is kept and the other instance adopts it.

use std::sync::Arc;

use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use weft_core::secrets::SecretKey;
use weft_store::{SealedTokens, Store, StoreError};
use wrike_api::{OAuthClient, TokenSource, WrikeError};

/// Refresh this many seconds before the access token expires.
const MARGIN: i64 = 300;

pub struct StoredOAuthTokens {
    pub store: Arc<dyn Store>,
    pub key: SecretKey,
    pub connection_id: String,
    pub oauth: OAuthClient,
    /// The data-center host refreshes go to.
    pub host: Option<String>,
}

fn internal(e: impl std::fmt::Display) -> WrikeError {
    WrikeError::Invalid(format!("stored OAuth tokens: {e}"))
}

impl StoredOAuthTokens {
    fn open(&self, sealed: &[u8]) -> Result<SecretString, WrikeError> {
        let bytes = self
            .key
            .open(&self.connection_id, sealed)
            .map_err(internal)?;
        Ok(SecretString::from(
            String::from_utf8(bytes).map_err(internal)?,
        ))
    }

    /// Refreshes unless someone else already did since `seen_version`; returns the access
    /// token to use.
    async fn refresh(
        &self,
        seen_version: i64,
        refresh_sealed: Option<Vec<u8>>,
    ) -> Result<SecretString, WrikeError> {
        let Some(refresh_sealed) = refresh_sealed else {
            return Err(WrikeError::NotAuthorized {
                description: "the access token expired and no refresh token is stored".into(),
            });
        };
        let refresh = self.open(&refresh_sealed)?;
        match self.oauth.refresh(&refresh, self.host.as_deref()).await {
            Ok(fresh) => {
                let tokens = SealedTokens {
                    access_token: self.key.seal(
                        &self.connection_id,
                        fresh.access_token.expose_secret().as_bytes(),
                    ),
                    refresh_token: fresh.refresh_token.as_ref().map(|r| {
                        self.key
                            .seal(&self.connection_id, r.expose_secret().as_bytes())
                    }),
                    expires_at: fresh.expires_at.map(|t| t.timestamp()),
                };
                match self
                    .store
                    .replace_secrets(&self.connection_id, seen_version, tokens)
                    .await
                {
                    Ok(_) => Ok(fresh.access_token),
                    Err(StoreError::Stale { .. }) => self.adopt().await,
                    Err(e) => Err(internal(e)),
                }
            }
            // Another instance may have rotated the refresh token a moment ago.
            Err(e) if e.is_auth_failure() => {
                let now = self
                    .store
                    .connection_secrets(&self.connection_id)
                    .await
                    .map_err(internal)?;
                if now.version != seen_version {
                    self.open(&now.tokens.access_token)
                } else {
                    Err(e)
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn adopt(&self) -> Result<SecretString, WrikeError> {
        let now = self
            .store
            .connection_secrets(&self.connection_id)
            .await
            .map_err(internal)?;
        self.open(&now.tokens.access_token)
    }
}

impl TokenSource for StoredOAuthTokens {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, WrikeError>> {
        Box::pin(async move {
            let secrets = self
                .store
                .connection_secrets(&self.connection_id)
                .await
                .map_err(internal)?;
            let expiring = secrets
                .tokens
                .expires_at
                .is_some_and(|at| at - MARGIN <= crate::util::now());
            if expiring {
                return self
                    .refresh(secrets.version, secrets.tokens.refresh_token)
                    .await;
            }
            self.open(&secrets.tokens.access_token)
        })
    }

    fn renew(&self) -> BoxFuture<'_, Result<bool, WrikeError>> {
        Box::pin(async move {
            let secrets = self
                .store
                .connection_secrets(&self.connection_id)
                .await
                .map_err(internal)?;
            if secrets.tokens.refresh_token.is_none() {
                return Ok(false);
            }
            self.refresh(secrets.version, secrets.tokens.refresh_token)
                .await
                .map(|_| true)
        })
    }
}
