//! OAuth tokens kept in the store: refreshed shortly before expiry (and after a 401), under
//! the connection's refresh lock (shared by every instance on PostgreSQL), and the rotated
//! pair stored with compare-and-swap, so exactly one refresh reaches Wrike and every other
//! instance adopts its result.

use std::sync::Arc;

use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use weft_core::clock::Clock;
use weft_core::secrets::SecretKey;
use weft_store::{SealedTokens, Store, StoreError};
use wrike_api::{OAuthClient, TokenSource, WrikeError};

/// Refresh this many seconds before the access token expires.
const MARGIN: i64 = 300;

#[derive(Clone)]
pub struct StoredOAuthTokens {
    pub store: Arc<Store>,
    pub key: SecretKey,
    pub clock: Arc<dyn Clock>,
    pub connection_id: String,
    pub oauth: OAuthClient,
    /// The data-center host refreshes go to.
    pub host: Option<String>,
    /// Where every token opened or made here is remembered, so recipe runs never keep one.
    pub secrets: Arc<weft_core::redact::KnownSecrets>,
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
        let token = String::from_utf8(bytes).map_err(internal)?;
        self.secrets.register(&token);
        Ok(SecretString::from(token))
    }

    fn seal(&self, secret: &SecretString) -> Vec<u8> {
        self.secrets.register(secret.expose_secret());
        self.key
            .seal(&self.connection_id, secret.expose_secret().as_bytes())
    }

    /// Refreshes under the connection's refresh lock unless another instance already did
    /// since `seen_version`; returns the access token to use. The refresh runs as a task of
    /// its own: a caller that gives up (a timeout, a closed browser) does not stop it, so a
    /// rotated refresh token Wrike already issued is always stored.
    async fn refresh(&self, seen_version: i64) -> Result<SecretString, WrikeError> {
        let this = self.clone();
        // Scoped to this refresh, awaited below; detached only from a caller that gives up.
        #[allow(clippy::disallowed_methods)]
        let refresh = tokio::spawn(async move {
            this.store
                .connections()
                .with_refresh_lock(&this.connection_id, this.refresh_locked(seen_version))
                .await
                .map_err(internal)?
        });
        refresh.await.map_err(internal)?
    }

    async fn refresh_locked(&self, seen_version: i64) -> Result<SecretString, WrikeError> {
        let current = self
            .store
            .connections()
            .secrets(&self.connection_id)
            .await
            .map_err(internal)?;
        if current.version != seen_version {
            // Someone refreshed while we waited for the lock: use theirs.
            return self.open(&current.tokens.access_token);
        }
        let Some(refresh_sealed) = current.tokens.refresh_token else {
            return Err(WrikeError::NotAuthorized {
                description: "the access token expired and no refresh token is stored".into(),
            });
        };
        let fresh = self
            .oauth
            .refresh(&self.open(&refresh_sealed)?, self.host.as_deref())
            .await?;
        let tokens = SealedTokens {
            access_token: self.seal(&fresh.access_token),
            refresh_token: fresh.refresh_token.as_ref().map(|r| self.seal(r)),
            expires_at: fresh.expires_at.map(|t| t.timestamp()),
        };
        match self
            .store
            .connections()
            .replace_secrets(&self.connection_id, seen_version, tokens)
            .await
        {
            Ok(_) => Ok(fresh.access_token),
            // Only possible without a real lock (never on PostgreSQL): keep the stored pair.
            Err(StoreError::Stale { .. }) => {
                let now = self
                    .store
                    .connections()
                    .secrets(&self.connection_id)
                    .await
                    .map_err(internal)?;
                self.open(&now.tokens.access_token)
            }
            Err(e) => Err(internal(e)),
        }
    }
}

impl TokenSource for StoredOAuthTokens {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, WrikeError>> {
        Box::pin(async move {
            let secrets = self
                .store
                .connections()
                .secrets(&self.connection_id)
                .await
                .map_err(internal)?;
            let expiring = secrets
                .tokens
                .expires_at
                .is_some_and(|at| at - MARGIN <= self.clock.now_s());
            if expiring {
                return self.refresh(secrets.version).await;
            }
            self.open(&secrets.tokens.access_token)
        })
    }

    fn renew(&self) -> BoxFuture<'_, Result<bool, WrikeError>> {
        Box::pin(async move {
            let secrets = self
                .store
                .connections()
                .secrets(&self.connection_id)
                .await
                .map_err(internal)?;
            if secrets.tokens.refresh_token.is_none() {
                return Ok(false);
            }
            self.refresh(secrets.version).await.map(|_| true)
        })
    }
}
