//! What every handler can reach: the hub's services and the server's own settings.

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use weft_hub::Hub;

/// OAuth application settings for connecting Wrike accounts in the browser.
#[derive(Clone)]
pub struct OAuthSettings {
    pub client_id: String,
    pub client_secret: secrecy::SecretString,
    /// `https://login.wrike.com`, or the simulator's base URL.
    pub login_base: String,
    /// This hub's callback, registered with the Wrike app: `{public_url}/connections/oauth/callback`.
    pub redirect_url: String,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("login_base", &self.login_base)
            .field("redirect_url", &self.redirect_url)
            .finish()
    }
}

/// Server settings (the binary builds them from its configuration).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Browsers reach the hub over HTTPS (its public URL is https): cookies are `Secure`
    /// and `__Host-` named, and answers carry HSTS.
    pub https: bool,
    pub session_lifetime: Duration,
    /// Take the client's address from `X-Forwarded-For` (behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// `/metrics` answers only with `Authorization: Bearer <this>`.
    pub metrics_token: Option<secrecy::SecretString>,
    /// `/metrics` is served on a listener of its own, not on the hub's port.
    pub metrics_elsewhere: bool,
    /// Longest time one request may take (reading its body included).
    pub request_timeout: Duration,
    /// Longest time a client may take to send a request's headers.
    pub header_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            https: false,
            session_lifetime: Duration::from_secs(12 * 3600),
            trust_forwarded_for: false,
            metrics_token: None,
            metrics_elsewhere: false,
            request_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub config: Arc<ServerConfig>,
    pub metrics: Option<PrometheusHandle>,
}
