//! Connections on the wire: a connection with its Wrike identity and health, the listing
//! with hygiene warnings, what adding one reports, scope plans and the alerts banner.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use weft_core::health::{FailureClass, HealthState};
use weft_core::scope_plan::{Missing, Requirements, Right};
use weft_store::ConnectionKind;

use super::time;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    /// The Wrike API base it calls (`https://www.wrike.com/api/v4` or a data center's).
    pub api_base: String,
    /// Who the connection acts as, in which account.
    pub identity: Identity,
    pub scopes: Vec<String>,
    pub features: Vec<String>,
    /// The last check's outcome; null before the first.
    pub health: Option<Health>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// When its token was last stored; null for connections older than the record.
    pub token_set_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub account_id: String,
    pub account_name: String,
    pub user_id: String,
    pub user_name: String,
    pub user_email: String,
    pub admin: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub state: HealthState,
    pub class: Option<FailureClass>,
    /// What Wrike (or the network) said, when not healthy.
    pub message: Option<String>,
    pub checked_at: DateTime<Utc>,
    pub failing_since: Option<DateTime<Utc>>,
}

impl From<&weft_core::health::Health> for Health {
    fn from(h: &weft_core::health::Health) -> Self {
        Health {
            state: h.state,
            class: h.class,
            message: h.message.clone(),
            checked_at: time(h.checked_at),
            failing_since: h.failing_since.map(time),
        }
    }
}

impl From<&weft_store::Connection> for Connection {
    fn from(c: &weft_store::Connection) -> Self {
        let i = &c.identity;
        Connection {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: c.kind,
            api_base: c.api_base.clone(),
            identity: Identity {
                account_id: i.account_id.clone(),
                account_name: i.account_name.clone(),
                user_id: i.user_id.clone(),
                user_name: i.user_name.clone(),
                user_email: i.user_email.clone(),
                admin: i.admin,
            },
            scopes: c.scopes.clone(),
            features: c.features.clone(),
            health: c.health.as_ref().map(Health::from),
            created_at: time(c.created_at),
            created_by: c.created_by.clone(),
            token_set_at: c.token_set_at.map(time),
        }
    }
}

/// A connection with its hygiene warnings (a shared admin's token, missing scopes).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub connection: Connection,
    pub warnings: Vec<String>,
}

impl From<weft_hub::connections::Listed<'_>> for Listed {
    fn from(l: weft_hub::connections::Listed<'_>) -> Self {
        Listed {
            connection: l.connection.into(),
            warnings: l.warnings,
        }
    }
}

/// Every connection with its warnings.
pub fn listing(all: &[weft_store::Connection]) -> Vec<Listed> {
    weft_hub::connections::listing(all)
        .into_iter()
        .map(Listed::from)
        .collect()
}

/// A connection checked now, by name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    pub name: String,
    pub health: Health,
}

/// A connection just added: what it is, its warnings, and what its features lack.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Added {
    pub connection: Connection,
    pub warnings: Vec<String>,
    pub missing: Vec<Missing>,
}

impl From<&weft_hub::connections::Added> for Added {
    fn from(a: &weft_hub::connections::Added) -> Self {
        Added {
            connection: (&a.connection).into(),
            warnings: a.warnings.clone(),
            missing: a.missing.clone(),
        }
    }
}

/// The least a set of features needs: OAuth scopes and Wrike rights.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopePlan {
    pub scopes: Vec<String>,
    pub rights: Vec<Right>,
}

impl From<&Requirements> for ScopePlan {
    fn from(r: &Requirements) -> Self {
        ScopePlan {
            scopes: r.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            rights: r.rights.iter().copied().collect(),
        }
    }
}

/// A connection that is broken or degraded now: what the banner shows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attention {
    /// The connection's name.
    pub connection: String,
    pub id: String,
    pub state: HealthState,
    pub class: String,
    pub message: String,
    pub advice: String,
    /// When the failure began.
    pub since: DateTime<Utc>,
}

impl From<&weft_hub::health::Attention> for Attention {
    fn from(a: &weft_hub::health::Attention) -> Self {
        Attention {
            connection: a.connection.clone(),
            id: a.id.clone(),
            state: a.state,
            class: a.class.to_owned(),
            message: a.message.clone(),
            advice: a.advice.to_owned(),
            since: time(a.since),
        }
    }
}
