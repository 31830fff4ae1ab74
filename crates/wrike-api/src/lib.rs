//! Typed client for the Wrike REST API v4.
//!
//! `WrikeClient` is the only way weft talks to Wrike (or to `weft sim`, which is the same
//! thing at another URL). This crate knows nothing of databases or web servers.

pub mod api;
pub mod base;
pub mod client;
pub mod encode;
pub mod error;
pub mod http;
pub mod models;
pub mod oauth;
mod open_enum;
pub mod requests;
pub mod scope;
pub mod tokens;
pub mod webhook;

pub use base::{ApiBase, DataCenter};
pub use client::{Budget, ClientConfig, FileUpload, WrikeClient};
pub use error::WrikeError;
pub use oauth::{OAuthClient, OAuthConfig, TokenSet};
pub use scope::Scope;
pub use tokens::{OAuthTokens, PermanentToken, TokenSource};
