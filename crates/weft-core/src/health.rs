//! What went wrong with a connection, decided from Wrike's answer.

use serde::{Deserialize, Serialize};
use wrike_api::WrikeError;

/// Why a connection is broken. The first four need a person to act; the rest may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// Wrike refuses the token: revoked, expired, the user's password changed, or the user
    /// was deactivated (Wrike answers all of these the same way).
    TokenRejected,
    /// The token lacks a scope the call needs.
    ScopeMissing,
    /// The plan, license, or the user's admin rights do not allow the call.
    PlanOrRightMissing,
    /// The token belongs to another data center.
    WrongDataCenter,
    /// Over Wrike's rate limit.
    RateLimited,
    /// Wrike is unreachable, erroring, or answering garbage.
    WrikeUnavailable,
    /// Anything else (a request Wrike called invalid, an item not found).
    Other,
}

impl FailureClass {
    /// True when only a person can repair it (new consent, new token, more rights).
    pub fn needs_action(self) -> bool {
        matches!(
            self,
            FailureClass::TokenRejected
                | FailureClass::ScopeMissing
                | FailureClass::PlanOrRightMissing
                | FailureClass::WrongDataCenter
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::TokenRejected => "token_rejected",
            FailureClass::ScopeMissing => "scope_missing",
            FailureClass::PlanOrRightMissing => "plan_or_right_missing",
            FailureClass::WrongDataCenter => "wrong_data_center",
            FailureClass::RateLimited => "rate_limited",
            FailureClass::WrikeUnavailable => "wrike_unavailable",
            FailureClass::Other => "other",
        }
    }

    /// What to tell the person who owns the connection.
    pub fn advice(self) -> &'static str {
        match self {
            FailureClass::TokenRejected => {
                "Wrike no longer accepts this token (revoked, expired, password changed or user deactivated): reconnect or paste a new token."
            }
            FailureClass::ScopeMissing => {
                "The token lacks a scope this use needs: reconnect with the scopes the planner lists."
            }
            FailureClass::PlanOrRightMissing => {
                "The Wrike plan or the user's rights do not allow this: use an admin with the needed right, or an Enterprise account."
            }
            FailureClass::WrongDataCenter => {
                "The token belongs to another Wrike data center: change the connection's data center."
            }
            FailureClass::RateLimited => {
                "Wrike is rate limiting this token; calls resume when the limit resets."
            }
            FailureClass::WrikeUnavailable => {
                "Wrike did not answer properly; the hub keeps retrying."
            }
            FailureClass::Other => "Wrike refused a request; see the message.",
        }
    }
}

/// Classifies an error from a Wrike call.
pub fn classify(error: &WrikeError) -> FailureClass {
    match error {
        WrikeError::NotAuthorized { .. } => FailureClass::TokenRejected,
        WrikeError::OAuth { error, .. } if error == "invalid_grant" || error == "invalid_token" => {
            FailureClass::TokenRejected
        }
        WrikeError::AccessForbidden { description }
            if description.to_ascii_lowercase().contains("scope") =>
        {
            FailureClass::ScopeMissing
        }
        WrikeError::NotAllowed { .. } => FailureClass::PlanOrRightMissing,
        WrikeError::WrongDataCenter { .. } => FailureClass::WrongDataCenter,
        WrikeError::RateLimited { .. } => FailureClass::RateLimited,
        WrikeError::Server { .. } | WrikeError::Transport { .. } | WrikeError::Decode { .. } => {
            FailureClass::WrikeUnavailable
        }
        _ => FailureClass::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_for_every_kind_of_failure() {
        let cases = [
            (
                WrikeError::NotAuthorized {
                    description: "Access token is unknown or invalid".into(),
                },
                FailureClass::TokenRejected,
            ),
            (
                WrikeError::OAuth {
                    status: 400,
                    error: "invalid_grant".into(),
                    description: None,
                },
                FailureClass::TokenRejected,
            ),
            (
                WrikeError::AccessForbidden {
                    description: "Access token scope does not allow this method".into(),
                },
                FailureClass::ScopeMissing,
            ),
            (
                WrikeError::AccessForbidden {
                    description: "no access to folder".into(),
                },
                FailureClass::Other,
            ),
            (
                WrikeError::NotAllowed {
                    description: "Enterprise only".into(),
                },
                FailureClass::PlanOrRightMissing,
            ),
            (
                WrikeError::WrongDataCenter { location: None },
                FailureClass::WrongDataCenter,
            ),
            (
                WrikeError::RateLimited { retry_after: None },
                FailureClass::RateLimited,
            ),
            (
                WrikeError::Server {
                    status: 503,
                    description: String::new(),
                },
                FailureClass::WrikeUnavailable,
            ),
            (
                WrikeError::Transport {
                    url: String::new(),
                    message: "refused".into(),
                },
                FailureClass::WrikeUnavailable,
            ),
        ];
        for (error, class) in cases {
            assert_eq!(classify(&error), class, "{error}");
        }
        assert!(FailureClass::TokenRejected.needs_action());
        assert!(!FailureClass::RateLimited.needs_action());
    }
}
