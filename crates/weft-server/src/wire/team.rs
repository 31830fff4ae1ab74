//! The team on the wire: users and their roles, API tokens, the caller, and the hub's
//! audit trail.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use weft_core::roles::Role;

use super::time;

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// When the user was disabled; null while they may sign in.
    pub disabled_at: Option<DateTime<Utc>>,
    /// How they sign in: `password`, or `sso` (through the identity provider, with no
    /// password here).
    #[schema(example = "password")]
    pub sign_in: String,
}

impl From<&weft_store::User> for User {
    fn from(u: &weft_store::User) -> Self {
        User {
            id: u.id.clone(),
            username: u.username.clone(),
            role: u.role,
            created_at: time(u.created_at),
            disabled_at: u.disabled_at.map(time),
            sign_in: u.sign_in.as_str().to_owned(),
        }
    }
}

/// An API token, never its secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: String,
    pub name: String,
    /// Whose it is.
    pub username: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&weft_store::ListedToken> for Token {
    fn from(t: &weft_store::ListedToken) -> Self {
        Token {
            id: t.token.id.clone(),
            name: t.token.name.clone(),
            username: t.username.clone(),
            created_at: time(t.token.created_at),
            expires_at: t.token.expires_at.map(time),
            last_used_at: t.token.last_used_at.map(time),
        }
    }
}

/// A token just created, with its secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    pub id: String,
    pub name: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// The bearer token; weft keeps only its hash.
    pub token: String,
}

/// One entry of the hub's audit trail: who did what to what, with the values before and
/// after (secrets never among them).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrailEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl From<&weft_store::TrailEntry> for TrailEntry {
    fn from(e: &weft_store::TrailEntry) -> Self {
        TrailEntry {
            id: e.id.to_string(),
            at: time(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
        }
    }
}
