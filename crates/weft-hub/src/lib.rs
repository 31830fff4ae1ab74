//! The hub's application services. The CLI and the HTTP server are two front-ends over
//! these; neither holds business logic of its own.

pub mod alerts;
pub mod connections;
pub mod monitor;
pub mod oauth_tokens;
pub mod users;
pub mod util;

use std::sync::Arc;

use weft_core::secrets::SecretKey;
use weft_store::Store;

/// What the services work with; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    pub store: Arc<dyn Store>,
    pub key: SecretKey,
    /// The OAuth application, when configured (to connect and refresh OAuth tokens).
    pub oauth: Option<wrike_api::OAuthClient>,
    pub alerter: alerts::Alerter,
}
