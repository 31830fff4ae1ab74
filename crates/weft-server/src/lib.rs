//! The hub's HTTP server: one port serving the JSON API (`/api/v1`, per-user API tokens)
//! and the server-rendered web UI (sessions with CSRF tokens). Every route is declared in
//! `routes.rs` with the access it needs, and the router is built from that table. The
//! server only serves HTTP; background work belongs to `weft_hub::runtime`.

mod api;
mod charts;
mod error;
mod flow;
mod forms;
mod guard;
mod openapi;
mod policy;
mod routes;
mod security;
mod state;
mod telemetry;
mod web;
pub mod wire;

pub use policy::{Access, RouteSpec};
pub use routes::route_table;
pub use state::{AppState, OAuthSettings, ServerConfig};

/// The OpenAPI document of the API, as `/api/v1/openapi.json` serves it.
pub fn openapi_document() -> serde_json::Value {
    openapi::document(routes::described_routes())
}

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

/// Serves the app on `listener` until `stop` resolves, then finishes the requests in flight
/// (for at most ten seconds). Clients get `header_timeout` to send their request headers.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = state.config.header_timeout;
    serve_router(app(state), listener, header_timeout, stop).await
}

/// Serves only `/metrics`, on a listener of its own (for `metrics_listen`).
pub async fn serve_metrics(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = state.config.header_timeout;
    let metrics = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(
                |axum::extract::State(state): axum::extract::State<AppState>| async move {
                    web::render_metrics(&state)
                },
            ),
        )
        .with_state(state);
    serve_router(metrics, listener, header_timeout, stop).await
}

async fn serve_router(
    router: axum::Router,
    listener: tokio::net::TcpListener,
    header_timeout: std::time::Duration,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    let mut server = axum_server::from_tcp(listener.into_std()?)?.handle(handle);
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
    let serving =
        server.serve(router.into_make_service_with_connect_info::<std::net::SocketAddr>());
    tokio::pin!(serving);
    // Serves until `stop`, then lets the requests in flight finish (no task of its own).
    tokio::select! {
        served = &mut serving => served,
        () = stop => {
            tracing::info!("shutting down: finishing requests in flight");
            stopping.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
            serving.await
        }
    }
}
