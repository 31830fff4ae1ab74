//! The hub's HTTP server: one port serving the JSON API (`/api/v1`, per-user API tokens)
//! and the server-rendered web UI (sessions with CSRF tokens). Every route is declared in
//! `routes.rs` with the access it needs, and the router is built from that table. The
//! server only serves HTTP; background work belongs to `weft_hub::runtime`.

mod api;
mod error;
mod forms;
mod guard;
mod openapi;
mod policy;
mod routes;
mod state;
mod telemetry;
mod web;

pub use openapi::document as openapi_document;
pub use policy::{Access, RouteSpec};
pub use routes::route_table;
pub use state::{AppState, OAuthSettings, ServerConfig};

/// The whole app.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Installs the Prometheus recorder once per process and returns its handle.
pub fn metrics_handle() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
        std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .ok()
        })
        .clone()
}

/// Serves the app on `listener` until `stop` resolves, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move {
            stop.await;
            tracing::info!("shutting down: finishing requests in flight");
        })
        .await
}
