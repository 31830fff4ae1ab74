//! Why an action failed and what may be done about it: tried again, the connection
//! repaired, or nothing. Every action answers an `ActionResult`.

use std::time::Duration;

use serde_json::Value;
use weft_core::health::{FailureClass, classify};
use wrike_api::WrikeError;

/// Why an action failed, and what may be done about it.
#[derive(Debug, Clone)]
pub struct ActionError {
    pub message: String,
    pub kind: FailureKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Worth another attempt (Wrike or the other system down, rate limited, a timeout).
    Transient { after: Option<Duration> },
    /// The connection itself is broken (token refused, scope or right missing): the recipe
    /// pauses until it is repaired.
    Connection(FailureClass),
    /// No retry can help (a bad request, an item that does not exist).
    Permanent,
}

impl ActionError {
    pub(crate) fn permanent(message: impl Into<String>) -> ActionError {
        ActionError {
            message: message.into(),
            kind: FailureKind::Permanent,
        }
    }

    pub(crate) fn transient(message: impl Into<String>) -> ActionError {
        ActionError {
            message: message.into(),
            kind: FailureKind::Transient { after: None },
        }
    }

    pub(crate) fn from_wrike(what: &str, e: WrikeError) -> ActionError {
        let class = classify(&e);
        let kind = if class.needs_action() {
            FailureKind::Connection(class)
        } else if class.is_transient() {
            FailureKind::Transient {
                after: match &e {
                    WrikeError::RateLimited { retry_after } => *retry_after,
                    _ => None,
                },
            }
        } else {
            FailureKind::Permanent
        };
        ActionError {
            message: format!("{what}: {e}"),
            kind,
        }
    }
}

pub type ActionResult = Result<Value, ActionError>;
