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
    /// Send cookies only over HTTPS (set when the hub is served behind TLS).
    pub secure_cookies: bool,
    pub session_lifetime: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            secure_cookies: false,
            session_lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub config: Arc<ServerConfig>,
    pub metrics: Option<PrometheusHandle>,
}
