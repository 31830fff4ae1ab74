//! Where to send API calls and with which token: data centers, API bases, token sources.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use url::Url;

use crate::error::WrikeError;
use crate::oauth::{OAuthClient, TokenSet};

/// Wrike's data centers. A token only works on the data center of its account; any other
/// answers HTTP 300.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataCenter {
    /// `www.wrike.com` (US, the default).
    Us,
    /// `app-us2.wrike.com`.
    Us2,
    /// `app-eu.wrike.com`.
    Eu,
    /// Any other API base URL, e.g. the simulator's `http://127.0.0.1:PORT/api/v4`.
    Custom(Url),
}

impl DataCenter {
    /// Parses `us`, `us2`, `eu`, a bare host (`app-eu.wrike.com`) or a full URL.
    pub fn parse(text: &str) -> Result<DataCenter, WrikeError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "us" | "www" | "www.wrike.com" => Ok(DataCenter::Us),
            "us2" | "app-us2.wrike.com" => Ok(DataCenter::Us2),
            "eu" | "app-eu.wrike.com" => Ok(DataCenter::Eu),
            _ if text.contains("://") => Url::parse(text.trim())
                .map(DataCenter::Custom)
                .map_err(|e| WrikeError::Invalid(format!("data center URL {text:?}: {e}"))),
            _ => Err(WrikeError::Invalid(format!(
                "unknown data center {text:?}: expected us, us2, eu or an API URL like https://app-eu.wrike.com/api/v4"
            ))),
        }
    }

    /// The API base URL, ending in `/api/v4/`.
    pub fn api_base(&self) -> ApiBase {
        match self {
            DataCenter::Us => ApiBase::from_host("www.wrike.com", "https").expect("static host"),
            DataCenter::Us2 => {
                ApiBase::from_host("app-us2.wrike.com", "https").expect("static host")
            }
            DataCenter::Eu => ApiBase::from_host("app-eu.wrike.com", "https").expect("static host"),
            DataCenter::Custom(url) => ApiBase::from_url(url.as_str()).expect("parsed URL"),
        }
    }
}

/// The base URL API paths are joined to (`https://www.wrike.com/api/v4/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(Url);

impl ApiBase {
    /// From the `host` of a token response. The scheme is that of the OAuth endpoint, so a
    /// simulator on `http://127.0.0.1:PORT` yields `http://HOST/api/v4/`.
    pub fn from_host(host: &str, scheme: &str) -> Result<ApiBase, WrikeError> {
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
            return Err(WrikeError::Invalid(format!(
                "token response host {host:?} is not a host name"
            )));
        }
        ApiBase::from_url(&format!("{scheme}://{host}/api/v4/"))
    }

    /// From a full URL (`https://app-eu.wrike.com/api/v4`); a missing `/api/v4` is added.
    pub fn from_url(text: &str) -> Result<ApiBase, WrikeError> {
        let mut url =
            Url::parse(text).map_err(|e| WrikeError::Invalid(format!("API URL {text:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WrikeError::Invalid(format!(
                "API URL {text:?} must be http or https"
            )));
        }
        let mut path = url.path().trim_end_matches('/').to_owned();
        if !path.ends_with("/api/v4") {
            path.push_str("/api/v4");
        }
        path.push('/');
        url.set_path(&path);
        url.set_query(None);
        Ok(ApiBase(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The host (with port when not the default), as Wrike's token response names it.
    pub fn host(&self) -> String {
        match self.0.port() {
            Some(port) => format!("{}:{port}", self.0.host_str().unwrap_or_default()),
            None => self.0.host_str().unwrap_or_default().to_owned(),
        }
    }

    /// Joins an API path (`tasks/ID`) to the base.
    pub fn join(&self, path: &str) -> Result<Url, WrikeError> {
        self.0
            .join(path.trim_start_matches('/'))
            .map_err(|e| WrikeError::Invalid(format!("API path {path:?}: {e}")))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_centers_and_bases() {
        assert_eq!(
            DataCenter::parse("eu").unwrap().api_base().url().as_str(),
            "https://app-eu.wrike.com/api/v4/"
        );
        assert_eq!(
            DataCenter::parse("US").unwrap().api_base().host(),
            "www.wrike.com"
        );
        let custom = DataCenter::parse("http://127.0.0.1:8123")
            .unwrap()
            .api_base();
        assert_eq!(custom.url().as_str(), "http://127.0.0.1:8123/api/v4/");
        assert_eq!(custom.host(), "127.0.0.1:8123");
        assert_eq!(
            custom.join("tasks/A,B").unwrap().as_str(),
            "http://127.0.0.1:8123/api/v4/tasks/A,B"
        );
        assert!(DataCenter::parse("mars").is_err());
        assert!(ApiBase::from_host("evil.com/x", "https").is_err());
        assert_eq!(
            ApiBase::from_host("app-eu.wrike.com", "https")
                .unwrap()
                .url()
                .as_str(),
            "https://app-eu.wrike.com/api/v4/"
        );
    }
}
