//! The records a store keeps.

use serde::Serialize;
use weft_core::health::FailureClass;
use weft_core::roles::Role;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    /// Argon2 PHC string; never the password.
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: i64,
}

/// How a connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    #[serde(rename = "oauth")]
    OAuth,
    Permanent,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::OAuth => "oauth",
            ConnectionKind::Permanent => "permanent",
        }
    }
    pub fn parse(text: &str) -> Option<ConnectionKind> {
        match text {
            "oauth" => Some(ConnectionKind::OAuth),
            "permanent" => Some(ConnectionKind::Permanent),
            _ => None,
        }
    }
}

/// Who the connection runs as on Wrike.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WrikeIdentity {
    pub account_id: String,
    pub account_name: String,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub admin: bool,
}

/// Encrypted tokens as stored (see `weft_core::secrets`).
#[derive(Debug, Clone, Default)]
pub struct SealedTokens {
    pub access_token: Vec<u8>,
    pub refresh_token: Option<Vec<u8>>,
    /// Unix seconds; None for permanent tokens.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct StoredSecrets {
    pub tokens: SealedTokens,
    pub version: i64,
}

/// The last health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub healthy: bool,
    pub class: Option<FailureClass>,
    pub message: Option<String>,
    pub checked_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    /// `https://{host}/api/v4/`.
    pub api_base: String,
    pub identity: WrikeIdentity,
    /// Granted scopes when known (OAuth), empty for permanent tokens.
    pub scopes: Vec<String>,
    /// What the connection is used for (scope planner features).
    pub features: Vec<String>,
    pub health: Option<Health>,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    pub api_base: String,
    pub identity: WrikeIdentity,
    pub scopes: Vec<String>,
    pub features: Vec<String>,
    pub tokens: SealedTokens,
    pub created_at: i64,
    pub created_by: String,
}

/// One line of the hub's own audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A web session; the cookie value itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: String,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A per-user API token; stored as a hash.
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: i64,
}

/// An OAuth consent in progress, keyed by the hash of its `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthState {
    pub state_hash: String,
    pub user_id: String,
    pub connection_name: String,
    pub scopes: Vec<String>,
    pub features: Vec<String>,
    pub expires_at: i64,
}
