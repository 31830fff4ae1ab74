//! Which token each call carries: the `TokenSource` trait, permanent tokens, and OAuth
//! tokens held in memory and refreshed before they expire.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::error::WrikeError;
use crate::oauth::{OAuthClient, TokenSet};

/// Supplies the bearer token for each call and renews it when Wrike refuses it.
pub trait TokenSource: Send + Sync {
    /// The token to send now (refreshing first if it is about to expire).
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, WrikeError>>;
    /// Called after a 401: renew if possible. `Ok(true)` means a retry may succeed.
    fn renew(&self) -> BoxFuture<'_, Result<bool, WrikeError>>;
}

/// A permanent access token: sent as is, never refreshed.
pub struct PermanentToken(SecretString);

impl PermanentToken {
    pub fn new(token: SecretString) -> Self {
        PermanentToken(token)
    }
}

impl TokenSource for PermanentToken {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, WrikeError>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
    fn renew(&self) -> BoxFuture<'_, Result<bool, WrikeError>> {
        Box::pin(async { Ok(false) })
    }
}

/// Called with every new token set, so the caller can store a rotated refresh token.
pub type OnRefresh = Arc<dyn Fn(&TokenSet) + Send + Sync>;

/// OAuth tokens kept in memory, refreshed shortly before expiry and after a 401.
/// Persistence (and cross-instance locking) belongs to the hub, through `on_refresh`.
pub struct OAuthTokens {
    oauth: OAuthClient,
    current: Mutex<TokenSet>,
    on_refresh: Option<OnRefresh>,
    /// Refresh this long before `expires_at`.
    margin: Duration,
}

impl OAuthTokens {
    pub fn new(oauth: OAuthClient, tokens: TokenSet, on_refresh: Option<OnRefresh>) -> Self {
        OAuthTokens {
            oauth,
            current: Mutex::new(tokens),
            on_refresh,
            margin: Duration::minutes(5),
        }
    }

    /// The token set now held (after any refresh).
    pub async fn current(&self) -> TokenSet {
        self.current.lock().await.clone()
    }

    async fn refresh_locked(&self, current: &mut TokenSet) -> Result<(), WrikeError> {
        let Some(refresh) = current.refresh_token.clone() else {
            return Err(WrikeError::NotAuthorized {
                description: "access token expired and no refresh token is held".into(),
            });
        };
        let fresh = self
            .oauth
            .refresh(&refresh, current.host.as_deref())
            .await?;
        if let Some(hook) = &self.on_refresh {
            hook(&fresh);
        }
        *current = fresh;
        Ok(())
    }

    fn expiring(&self, tokens: &TokenSet, now: DateTime<Utc>) -> bool {
        tokens.expires_at.is_some_and(|at| at - self.margin <= now)
    }
}

impl TokenSource for OAuthTokens {
    fn access_token(&self) -> BoxFuture<'_, Result<SecretString, WrikeError>> {
        Box::pin(async move {
            // The lock is held across the refresh so concurrent callers wait for one refresh
            // instead of each spending (and invalidating) the rotating refresh token.
            let mut current = self.current.lock().await;
            if self.expiring(&current, Utc::now()) {
                self.refresh_locked(&mut current).await?;
            }
            Ok(current.access_token.clone())
        })
    }

    fn renew(&self) -> BoxFuture<'_, Result<bool, WrikeError>> {
        Box::pin(async move {
            let mut current = self.current.lock().await;
            if current.refresh_token.is_none() {
                return Ok(false);
            }
            self.refresh_locked(&mut current).await?;
            Ok(true)
        })
    }
}

/// Redacted view of a secret for logs: its length and a short prefix hash, never the value.
pub fn fingerprint(secret: &SecretString) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(secret.expose_secret().as_bytes());
    format!("sha256:{}", &hex::encode(digest)[..12])
}
