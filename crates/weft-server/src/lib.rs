//! The hub's HTTP server: one port serving the JSON API (`/api/v1`, per-user API tokens)
//! and the server-rendered web UI (sessions with CSRF tokens). Every route is declared in
//! `routes.rs` with the access it needs, and the router is built from that table.

mod api;
mod auth;
mod error;
mod oauth_connect;
mod openapi;
mod pages;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use weft_hub::Hub;

pub use openapi::document as openapi_document;
pub use routes::{Access, RouteSpec, route_table};

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
    pub oauth: Option<OAuthSettings>,
    /// Send cookies only over HTTPS (set when the hub is served behind TLS).
    pub secure_cookies: bool,
    pub session_lifetime: Duration,
    pub probe_interval: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            oauth: None,
            secure_cookies: false,
            session_lifetime: Duration::from_secs(12 * 3600),
            probe_interval: Duration::from_secs(60),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub config: Arc<ServerConfig>,
    pub metrics: Option<PrometheusHandle>,
}

/// The whole app.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Installs the Prometheus recorder once per process and returns its handle.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .ok()
        })
        .clone()
}

/// Serves the app on `listener` and probes connections every `probe_interval` until `stop`
/// resolves; then finishes the requests in flight and stops the monitor.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let hub = state.hub.clone();
    let interval = state.config.probe_interval;
    let monitor = tokio::spawn(async move {
        weft_hub::monitor::run(&hub, interval, async move {
            let _ = stopped.changed().await;
        })
        .await
    });
    let result = axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("shutting down: finishing requests in flight");
            let _ = stopping.send(true);
        })
        .await;
    let _ = monitor.await;
    result
}
