//! E-mail through the operator's SMTP server: connection alerts to `alert_emails`, and
//! recipes' `notify` steps to the addresses they name (or to `alert_emails`).

use std::time::Duration;

pub use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

/// The addresses of a list, each checked; the error names the one that is not an address.
pub fn parse_addresses(list: &[String]) -> Result<Vec<Mailbox>, String> {
    list.iter()
        .map(|a| {
            a.trim()
                .parse::<Mailbox>()
                .map_err(|e| format!("{a:?} is not an e-mail address ({e})"))
        })
        .collect()
}

/// Sends mail from one sender through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the SMTP credentials.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://[user:password@]host[:port]` with `?tls=required`
    /// for STARTTLS, or `smtps://` for TLS from the start) sending as `from`. Errors never
    /// repeat the URL, which may hold a password.
    pub fn new(smtp_url: &SecretString, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.expose_secret())
            .map_err(|_| {
                "smtp_url is not an SMTP URL: smtp://[user:password@]host[:port][?tls=required] or smtps://..."
                    .to_owned()
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|e| format!("email_from {from:?} is not an e-mail address ({e})"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends a plain-text message to `to`.
    pub async fn send(&self, to: &[Mailbox], subject: &str, body: &str) -> Result<(), String> {
        if to.is_empty() {
            return Err("no recipient".into());
        }
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN);
        for address in to {
            message = message.to(address.clone());
        }
        let message = message
            .body(body.to_owned())
            .map_err(|e| format!("the message cannot be built: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| format!("the SMTP server did not take the message: {e}"))
    }
}
