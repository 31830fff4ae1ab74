//! `weft sim`: a faithful local Wrike API v4 for tests, demos, benchmarks and sandboxes.
//!
//! One listener per simulated data center (`us` on the given address, `eu` on another
//! port); a token works only on its account's data center and gets HTTP 300 elsewhere,
//! as on Wrike. Each listener serves `/api/v4/...`, `/oauth2/...` and the `/_sim/` control
//! API.

mod api;
mod clock;
mod control;
mod delivery;
mod faults;
mod gate;
mod generate;
mod hooks;
mod ids;
mod oauth;
mod params;
mod plant;
mod reply;
mod scopes;
mod sim;
mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::{Extension, Router};

pub use faults::{Fault, FaultKind};
pub use sim::{DataCenterInfo, Sim, SimConfig};
pub use world::{AccountData, SimUser, World};

/// Where to listen and whether to speak TLS.
#[derive(Debug, Clone)]
pub struct Listen {
    /// The first (`us`) data center.
    pub primary: SocketAddr,
    /// The second (`eu`) data center; port 0 picks a free one.
    pub secondary: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
}

impl Listen {
    /// Both data centers on free loopback ports, plain HTTP: what tests want.
    pub fn loopback() -> Listen {
        Listen {
            primary: "127.0.0.1:0".parse().expect("static"),
            secondary: "127.0.0.1:0".parse().expect("static"),
            tls: None,
        }
    }
}

/// A simulator serving in the background until dropped.
pub struct RunningSim {
    pub sim: Arc<Sim>,
    handles: Vec<axum_server::Handle<SocketAddr>>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT` of the primary data center: the OAuth base and control API.
    pub fn base_url(&self) -> String {
        let dc = self.sim.data_center(0);
        format!("{}://{}", dc.scheme, dc.host)
    }

    /// The API base of data center `index` (`.../api/v4`).
    pub fn api_url(&self, index: usize) -> String {
        self.sim.data_center(index).api_url()
    }

    pub fn data_centers(&self) -> Vec<DataCenterInfo> {
        self.sim.data_centers.read().expect("dc lock").clone()
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        for handle in &self.handles {
            handle.shutdown();
        }
    }
}

/// The whole app of one data center's listener.
pub fn app(sim: Arc<Sim>, data_center: usize) -> Router {
    let api = api::router(sim.clone())
        .fallback(gate::unknown_method)
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            gate::gate,
        ));
    Router::new()
        .nest("/api/v4", api)
        .route(
            "/attachment_links/{token}",
            axum::routing::get(api::activity::linked_file).with_state(sim.clone()),
        )
        .merge(oauth::router(sim.clone()))
        .nest("/_sim", control::router(sim))
        .layer(Extension(gate::DcIndex(data_center)))
}

/// `error` with what was being done, keeping its kind.
fn doing(what: String) -> impl FnOnce(std::io::Error) -> std::io::Error {
    move |error| std::io::Error::new(error.kind(), format!("{what}: {error}"))
}

/// Generates the world and starts serving it.
pub async fn start(config: SimConfig, listen: Listen) -> std::io::Result<RunningSim> {
    let sim = Sim::new(config);
    delivery::start(&sim);
    let tls = match &listen.tls {
        Some((cert, key)) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(doing(format!(
                    "loading TLS certificate {} and key {}",
                    cert.display(),
                    key.display()
                )))?,
        ),
        None => None,
    };
    let mut handles = Vec::new();
    for (index, addr) in [listen.primary, listen.secondary].into_iter().enumerate() {
        let listener = std::net::TcpListener::bind(addr)
            .map_err(doing(format!("binding the simulator to {addr}")))?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        {
            let mut dcs = sim.data_centers.write().expect("dc lock");
            dcs[index].host = local.to_string();
            dcs[index].scheme = if tls.is_some() {
                "https".into()
            } else {
                "http".into()
            };
        }
        let handle = axum_server::Handle::new();
        let service = tower::make::Shared::new(
            tower::ServiceBuilder::new()
                .map_request(gate::method_override)
                .service(app(sim.clone(), index)),
        );
        let server_handle = handle.clone();
        match &tls {
            Some(tls) => {
                let server =
                    axum_server::from_tcp_rustls(listener, tls.clone())?.handle(server_handle);
                tokio::spawn(async move { server.serve(service).await });
            }
            None => {
                let server = axum_server::from_tcp(listener)?.handle(server_handle);
                tokio::spawn(async move { server.serve(service).await });
            }
        }
        handles.push(handle);
    }
    Ok(RunningSim { sim, handles })
}
