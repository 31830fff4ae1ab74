//! A connection's health: what went wrong, decided from Wrike's answer, and when a failure
//! is breakage worth an alert rather than a blip.

use serde::{Deserialize, Serialize};
use wrike_api::WrikeError;

/// Why a connection is broken. The first four need a person to act; the rest may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// This hub's own policy refuses the connection's API host (a private or loopback
    /// address without `allow_any_wrike_host`): nothing reached Wrike.
    HostRefused,
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
                | FailureClass::HostRefused
        )
    }

    /// True for failures that usually pass by themselves (rate limits, Wrike down): they
    /// alert only when they persist.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FailureClass::RateLimited | FailureClass::WrikeUnavailable
        )
    }

    pub const ALL: [FailureClass; 8] = [
        FailureClass::TokenRejected,
        FailureClass::ScopeMissing,
        FailureClass::PlanOrRightMissing,
        FailureClass::WrongDataCenter,
        FailureClass::RateLimited,
        FailureClass::WrikeUnavailable,
        FailureClass::HostRefused,
        FailureClass::Other,
    ];

    pub fn parse(text: &str) -> Option<FailureClass> {
        FailureClass::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::TokenRejected => "token_rejected",
            FailureClass::ScopeMissing => "scope_missing",
            FailureClass::PlanOrRightMissing => "plan_or_right_missing",
            FailureClass::WrongDataCenter => "wrong_data_center",
            FailureClass::RateLimited => "rate_limited",
            FailureClass::WrikeUnavailable => "wrike_unavailable",
            FailureClass::HostRefused => "host_refused",
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
            FailureClass::HostRefused => {
                "This hub does not call private, loopback or link-local addresses: fix the connection's API URL, or set allow_any_wrike_host = true for a simulator or test server."
            }
            FailureClass::Other => "Wrike refused a request; see the message.",
        }
    }
}

/// Where a connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthState {
    Healthy,
    /// Failing with a transient class for less than the grace period: shown, not alerted.
    Degraded,
    /// Failing for good, or transiently for longer than the grace period: alerted.
    Broken,
}

impl HealthState {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Healthy => "healthy",
            HealthState::Degraded => "degraded",
            HealthState::Broken => "broken",
        }
    }

    pub fn parse(text: &str) -> Option<HealthState> {
        [
            HealthState::Healthy,
            HealthState::Degraded,
            HealthState::Broken,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The last health check of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub state: HealthState,
    pub class: Option<FailureClass>,
    pub message: Option<String>,
    /// Unix seconds.
    pub checked_at: i64,
    /// When the current run of failures began (Unix seconds); None while healthy.
    pub failing_since: Option<i64>,
}

impl Health {
    pub fn is_healthy(&self) -> bool {
        self.state == HealthState::Healthy
    }
}

/// What a health change calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alerting {
    None,
    /// The connection broke (or broke differently).
    Broken,
    /// A broken connection works again.
    Recovered,
}

/// The health after a probe, and whether to alert. Definitive failures break a connection
/// at once; transient ones (rate limited, Wrike unavailable) leave it degraded until they
/// have lasted `grace_s` seconds. Only a change into or out of `Broken` alerts, and a
/// connection that stays broken for the same reason alerts once.
pub fn next_health(
    before: Option<&Health>,
    outcome: Result<(), (FailureClass, String)>,
    now: i64,
    grace_s: i64,
) -> (Health, Alerting) {
    let was_broken = before.is_some_and(|b| b.state == HealthState::Broken);
    let (class, message) = match outcome {
        Ok(()) => {
            let health = Health {
                state: HealthState::Healthy,
                class: None,
                message: None,
                checked_at: now,
                failing_since: None,
            };
            let alerting = if was_broken {
                Alerting::Recovered
            } else {
                Alerting::None
            };
            return (health, alerting);
        }
        Err(failure) => failure,
    };
    let failing_since = before
        .filter(|b| b.state != HealthState::Healthy)
        .and_then(|b| b.failing_since)
        .unwrap_or(now);
    let persisted = now - failing_since >= grace_s;
    let state = if !class.is_transient() || persisted || was_broken {
        HealthState::Broken
    } else {
        HealthState::Degraded
    };
    let message = if state == HealthState::Broken && class.is_transient() && !was_broken {
        format!("{message} (failing for {} s)", now - failing_since)
    } else {
        message
    };
    let alerting = match before {
        _ if state != HealthState::Broken => Alerting::None,
        // Still broken: alert again only for a new definitive reason.
        Some(b) if was_broken && (b.class == Some(class) || class.is_transient()) => Alerting::None,
        _ => Alerting::Broken,
    };
    let health = Health {
        state,
        class: Some(class),
        message: Some(message),
        checked_at: now,
        failing_since: Some(failing_since),
    };
    (health, alerting)
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
        WrikeError::HostRefused(_) => FailureClass::HostRefused,
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

    fn probe(
        before: Option<&Health>,
        outcome: Result<(), FailureClass>,
        now: i64,
    ) -> (Health, Alerting) {
        next_health(before, outcome.map_err(|c| (c, "boom".into())), now, 300)
    }

    #[test]
    fn definitive_failures_alert_at_once_and_once() {
        let (healthy, alerting) = probe(None, Ok(()), 100);
        assert_eq!(
            (healthy.state, alerting),
            (HealthState::Healthy, Alerting::None)
        );
        let (broken, alerting) = probe(Some(&healthy), Err(FailureClass::TokenRejected), 160);
        assert_eq!(
            (broken.state, alerting),
            (HealthState::Broken, Alerting::Broken)
        );
        assert_eq!(broken.failing_since, Some(160));
        let (still, alerting) = probe(Some(&broken), Err(FailureClass::TokenRejected), 220);
        assert_eq!(
            (still.state, alerting),
            (HealthState::Broken, Alerting::None)
        );
        assert_eq!(
            still.failing_since,
            Some(160),
            "the episode keeps its start"
        );
        let (other, alerting) = probe(Some(&still), Err(FailureClass::ScopeMissing), 280);
        assert_eq!(
            alerting,
            Alerting::Broken,
            "broken for a new reason alerts again"
        );
        let (blip, alerting) = probe(Some(&other), Err(FailureClass::WrikeUnavailable), 340);
        assert_eq!(
            (blip.state, alerting),
            (HealthState::Broken, Alerting::None)
        );
        let (back, alerting) = probe(Some(&blip), Ok(()), 400);
        assert_eq!(
            (back.state, alerting),
            (HealthState::Healthy, Alerting::Recovered)
        );
        assert_eq!(back.failing_since, None);
    }

    #[test]
    fn transient_failures_degrade_first_and_alert_only_when_they_persist() {
        let (healthy, _) = probe(None, Ok(()), 0);
        let (first, alerting) = probe(Some(&healthy), Err(FailureClass::WrikeUnavailable), 60);
        assert_eq!(
            (first.state, alerting),
            (HealthState::Degraded, Alerting::None)
        );
        let (second, alerting) = probe(Some(&first), Err(FailureClass::RateLimited), 120);
        assert_eq!(
            (second.state, alerting),
            (HealthState::Degraded, Alerting::None)
        );
        // A blip that passes never alerted, so its recovery does not either.
        let (back, alerting) = probe(Some(&second), Ok(()), 180);
        assert_eq!(
            (back.state, alerting),
            (HealthState::Healthy, Alerting::None)
        );
        // One that lasts the grace period breaks the connection and alerts once.
        let (a, _) = probe(Some(&back), Err(FailureClass::WrikeUnavailable), 200);
        let (b, alerting) = probe(Some(&a), Err(FailureClass::WrikeUnavailable), 499);
        assert_eq!((b.state, alerting), (HealthState::Degraded, Alerting::None));
        let (c, alerting) = probe(Some(&b), Err(FailureClass::WrikeUnavailable), 500);
        assert_eq!((c.state, alerting), (HealthState::Broken, Alerting::Broken));
        assert!(c.message.as_deref().unwrap().contains("failing for 300 s"));
        let (d, alerting) = probe(Some(&c), Err(FailureClass::WrikeUnavailable), 560);
        assert_eq!((d.state, alerting), (HealthState::Broken, Alerting::None));
        let (_, alerting) = probe(Some(&d), Ok(()), 620);
        assert_eq!(alerting, Alerting::Recovered);
    }

    #[test]
    fn classes_round_trip_as_text() {
        for class in FailureClass::ALL {
            assert_eq!(FailureClass::parse(class.as_str()), Some(class));
        }
        assert_eq!(FailureClass::parse("nope"), None);
    }

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
