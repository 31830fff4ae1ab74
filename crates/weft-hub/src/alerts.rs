//! Alerts when a connection breaks or recovers: a structured log event always, and a JSON
//! POST to a configured webhook URL.

use std::time::Duration;

use serde::Serialize;
use weft_core::health::{Alerting, FailureClass, Health};
use weft_store::Connection;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// `connection.broken` or `connection.recovered`.
    pub event: &'static str,
    pub connection_id: String,
    pub connection_name: String,
    pub account_id: String,
    pub class: Option<FailureClass>,
    pub message: Option<String>,
    pub advice: Option<&'static str>,
    pub at: i64,
}

impl Alert {
    /// The alert a health change calls for, if any.
    pub fn for_change(
        connection: &Connection,
        after: &Health,
        alerting: Alerting,
    ) -> Option<Alert> {
        let event = match alerting {
            Alerting::None => return None,
            Alerting::Broken => "connection.broken",
            Alerting::Recovered => "connection.recovered",
        };
        Some(Alert {
            event,
            connection_id: connection.id.clone(),
            connection_name: connection.name.clone(),
            account_id: connection.identity.account_id.clone(),
            class: after.class,
            message: after.message.clone(),
            advice: after.class.map(FailureClass::advice),
            at: after.checked_at,
        })
    }
}

/// Where alerts go.
#[derive(Clone, Debug)]
pub struct Alerter {
    webhook: Option<String>,
    http: reqwest::Client,
}

impl Alerter {
    pub fn new(webhook: Option<String>) -> Alerter {
        let http =
            wrike_api::http::http_client(Duration::from_secs(10), wrike_api::http::Reach::Anywhere);
        Alerter { webhook, http }
    }

    pub async fn send(&self, alert: &Alert) {
        match alert.event {
            "connection.broken" => {
                tracing::warn!(event = alert.event, connection = %alert.connection_name, class = alert.class.map_or("", FailureClass::as_str), message = alert.message.as_deref().unwrap_or(""), "connection broken")
            }
            _ => {
                tracing::info!(event = alert.event, connection = %alert.connection_name, "connection recovered")
            }
        }
        let Some(url) = &self.webhook else { return };
        match self.http.post(url).json(alert).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(
                status = r.status().as_u16(),
                "the alert webhook refused an alert"
            ),
            Err(e) => tracing::warn!(error = %e, "the alert webhook could not be reached"),
        }
    }

    /// A recipe's `notify` step: logged, and POSTed to the alert webhook as
    /// `{"event": "recipe.notify", ...}`.
    pub async fn notify(&self, recipe: &str, subject: &str, message: &str) {
        tracing::info!(
            event = "recipe.notify",
            recipe,
            subject,
            message,
            "recipe notification"
        );
        let Some(url) = &self.webhook else { return };
        let body = serde_json::json!({"event": "recipe.notify", "recipe": recipe, "subject": subject, "message": message});
        match self.http.post(url).json(&body).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(
                status = r.status().as_u16(),
                "the alert webhook refused a notification"
            ),
            Err(e) => tracing::warn!(error = %e, "the alert webhook could not be reached"),
        }
    }
}
