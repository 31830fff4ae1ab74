//! Alerts when a connection breaks or recovers, recipes' notifications and the hub's own
//! notices (renewal reminders): a structured log event always, a JSON POST to a configured
//! webhook URL, and e-mail through the configured SMTP server.

use std::time::Duration;

use lettre::message::Mailbox;
use serde::Serialize;
use weft_core::health::{Alerting, FailureClass, Health};
use weft_store::Connection;

use crate::mail::Mailer;

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
    mail: Option<Mailer>,
    /// Who gets connection alerts and recipes' notifications that name nobody.
    alert_to: Vec<Mailbox>,
}

/// Why a notification was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyError {
    /// Another attempt may succeed (the webhook or the SMTP server down or refusing).
    Delivery(String),
    /// The hub is not set up for it (addresses given but no SMTP server).
    Setup(String),
}

impl Alerter {
    pub fn new(webhook: Option<String>) -> Alerter {
        let http =
            wrike_api::http::http_client(Duration::from_secs(10), wrike_api::http::Reach::Anywhere);
        Alerter {
            webhook,
            http,
            mail: None,
            alert_to: Vec::new(),
        }
    }

    /// Also e-mails alerts to `alert_to` through `mailer`, which recipes' notifications to
    /// named addresses use too.
    pub fn with_mail(mut self, mailer: Mailer, alert_to: Vec<Mailbox>) -> Alerter {
        self.mail = Some(mailer);
        self.alert_to = alert_to;
        self
    }

    /// The mailer, where an SMTP server is set up.
    pub fn mailer(&self) -> Option<&Mailer> {
        self.mail.as_ref()
    }

    /// POSTs `body` as JSON to the alert webhook; `None` when there is none.
    async fn post_to_webhook(&self, body: &impl Serialize) -> Option<Result<(), String>> {
        let url = self.webhook.as_ref()?;
        Some(match self.http.post(url).json(body).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!(
                "the alert webhook answered {}",
                r.status().as_u16()
            )),
            Err(e) => Err(format!(
                "the alert webhook could not be reached: {}",
                wrike_api::http::describe_reqwest(&e)
            )),
        })
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
        if let Some(Err(error)) = self.post_to_webhook(alert).await {
            tracing::warn!(%error, "the alert was not delivered");
        }
        if let Some(mailer) = self.mail.as_ref().filter(|_| !self.alert_to.is_empty()) {
            let (subject, body) = alert_mail(alert);
            if let Err(error) = mailer.send(&self.alert_to, &subject, &body).await {
                tracing::warn!(%error, "the alert e-mail was not sent");
            }
        }
    }

    /// A recipe's `notify` step: logged, then e-mailed to `to` when it names anyone;
    /// otherwise POSTed to the alert webhook as `{"event": "recipe.notify", ...}` and
    /// e-mailed to `alert_emails`, where those are set. Returns the channels it went out on
    /// (none when the hub has no channel: the log and the run's timeline keep it).
    pub async fn notify(
        &self,
        recipe: &str,
        subject: &str,
        message: &str,
        to: &[Mailbox],
    ) -> Result<Vec<&'static str>, NotifyError> {
        tracing::info!(
            event = "recipe.notify",
            recipe,
            subject,
            message,
            "recipe notification"
        );
        if !to.is_empty() {
            let mailer = self.mail.as_ref().ok_or_else(|| {
                NotifyError::Setup(
                    "sending to addresses needs an SMTP server: set smtp_url and email_from".into(),
                )
            })?;
            mailer
                .send(to, subject, message)
                .await
                .map_err(NotifyError::Delivery)?;
            return Ok(vec!["email"]);
        }
        let body = serde_json::json!({"event": "recipe.notify", "recipe": recipe, "subject": subject, "message": message});
        self.broadcast(&body, subject, message).await
    }

    /// Posts `body` to the alert webhook and e-mails `subject` and `message` to the alert
    /// addresses, where each is set up. Returns the channels it went out on; an error when
    /// a channel that is set up refused it (the webhook is tried first).
    pub async fn broadcast(
        &self,
        body: &serde_json::Value,
        subject: &str,
        message: &str,
    ) -> Result<Vec<&'static str>, NotifyError> {
        let mut channels = Vec::new();
        match self.post_to_webhook(body).await {
            Some(Ok(())) => channels.push("webhook"),
            Some(Err(error)) => return Err(NotifyError::Delivery(error)),
            None => {}
        }
        if let Some(mailer) = self.mail.as_ref().filter(|_| !self.alert_to.is_empty()) {
            mailer
                .send(&self.alert_to, subject, message)
                .await
                .map_err(NotifyError::Delivery)?;
            channels.push("email");
        }
        Ok(channels)
    }
}

/// The subject and text of an alert's e-mail.
fn alert_mail(alert: &Alert) -> (String, String) {
    let what = match alert.event {
        "connection.broken" => "broken",
        _ => "recovered",
    };
    let subject = format!("weft: connection {} {what}", alert.connection_name);
    let mut body = format!(
        "The Wrike connection {} (account {}) is {what}.\n",
        alert.connection_name, alert.account_id
    );
    if let Some(class) = alert.class {
        body.push_str(&format!("\nWhat failed: {}\n", class.as_str()));
    }
    if let Some(message) = &alert.message {
        body.push_str(&format!("Wrike said: {message}\n"));
    }
    if let Some(advice) = alert.advice {
        body.push_str(&format!("What to do: {advice}\n"));
    }
    (subject, body)
}
