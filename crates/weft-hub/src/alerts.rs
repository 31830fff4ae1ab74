//! Alerts when a connection breaks or recovers: a structured log event always, and a JSON
//! POST to a configured webhook URL.

use std::time::Duration;

use serde::Serialize;
use weft_core::health::FailureClass;
use weft_store::{Connection, Health};

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
    /// The alert a change of health calls for, if any: broken (or broken differently), or
    /// recovered.
    pub fn for_change(
        connection: &Connection,
        before: Option<&Health>,
        after: &Health,
    ) -> Option<Alert> {
        let event = match (before, after.healthy) {
            (Some(b), false) if !b.healthy && b.class == after.class => return None,
            (_, false) => "connection.broken",
            (Some(b), true) if !b.healthy => "connection.recovered",
            _ => return None,
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
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("static client");
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
}

/// A connection that is broken now: what the UI banner and `GET /api/v1/alerts` show.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    /// The connection's name.
    pub connection: String,
    pub id: String,
    pub class: &'static str,
    pub message: String,
    pub advice: &'static str,
    /// When the failure was last seen (Unix seconds).
    pub since: i64,
}

/// Every connection whose last health check failed.
pub async fn needing_attention(
    store: &dyn weft_store::Store,
) -> Result<Vec<Attention>, weft_store::StoreError> {
    Ok(store
        .list_connections()
        .await?
        .into_iter()
        .filter_map(|c| {
            let h = c.health.filter(|h| !h.healthy)?;
            Some(Attention {
                connection: c.name,
                id: c.id,
                class: h.class.map_or("other", FailureClass::as_str),
                message: h.message.unwrap_or_default(),
                advice: h.class.map_or("", FailureClass::advice),
                since: h.checked_at,
            })
        })
        .collect())
}
