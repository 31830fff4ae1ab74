//! `HubError`: what can go wrong in the hub's services, typed by what the caller should do
//! about it. The server turns it into an HTTP answer in one place; the CLI prints it.

use weft_core::health::{FailureClass, classify};
use weft_store::StoreError;
use wrike_api::WrikeError;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The thing asked for does not exist.
    #[error("{what} not found")]
    NotFound { what: String },
    /// The request clashes with what exists (a taken name, a job that already finished).
    #[error("{0}")]
    Conflict(String),
    /// The input is wrong; the message names what and where.
    #[error("{0}")]
    Invalid(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Someone else is doing it right now (a sync of the same connection); try later.
    #[error("{0}")]
    Busy(String),
    /// Wrike refused or failed; `class` says what kind of failure it was.
    #[error("{context} ({}): {error}. {}", .class.as_str(), .class.advice())]
    Wrike {
        context: String,
        class: FailureClass,
        error: WrikeError,
    },
    /// The database failed; the text is for logs only.
    #[error("storage failed: {0}")]
    Store(StoreError),
    /// A fault of the hub itself (a stored secret that does not open, a broken invariant).
    #[error("{0}")]
    Internal(String),
}

pub type HubResult<T> = Result<T, HubError>;

impl HubError {
    pub fn invalid(message: impl Into<String>) -> HubError {
        HubError::Invalid(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> HubError {
        HubError::NotFound { what: what.into() }
    }

    /// A failed Wrike call, classified.
    pub fn wrike(context: impl Into<String>, error: WrikeError) -> HubError {
        HubError::Wrike {
            context: context.into(),
            class: classify(&error),
            error,
        }
    }

    /// True when the same call may succeed later with nothing changed (Wrike busy or down,
    /// the database unreachable).
    pub fn is_transient(&self) -> bool {
        match self {
            HubError::Wrike { class, .. } => class.is_transient(),
            HubError::Store(StoreError::Unavailable { .. } | StoreError::Stale { .. }) => true,
            HubError::Store(StoreError::Database { .. }) => true,
            _ => false,
        }
    }
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => HubError::NotFound { what },
            StoreError::Conflict { what } => HubError::Conflict(format!("{what} already exists")),
            StoreError::WrongState { message } => HubError::Conflict(message),
            other => HubError::Store(other),
        }
    }
}
