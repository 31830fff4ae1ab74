//! Renewal reminders and the weekly digest on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weft_hub::usage::digest::Digest;
use weft_store::{DigestSubscription, ReminderSent};

use super::time;

/// Whether the caller gets the weekly digest, and where.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DigestSetting {
    pub subscribed: bool,
    pub email: Option<String>,
    pub subscribed_at: Option<DateTime<Utc>>,
}

impl From<Option<DigestSubscription>> for DigestSetting {
    fn from(s: Option<DigestSubscription>) -> Self {
        DigestSetting {
            subscribed: s.is_some(),
            email: s.as_ref().map(|s| s.email.clone()),
            subscribed_at: s.map(|s| time(s.subscribed_at)),
        }
    }
}

/// Where the weekly digest should go.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DigestRequest {
    /// An e-mail address.
    #[schema(min_length = 3)]
    pub email: String,
}

/// This week's digest as it would be sent now, section by section.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DigestPreview {
    /// The ISO week, `2026-W49`.
    pub week: String,
    pub policies: Vec<String>,
    pub dialogues: Vec<String>,
    pub savings: Vec<String>,
    pub attention: Vec<String>,
    pub subject: String,
    pub text: String,
}

impl DigestPreview {
    pub fn of(digest: Digest, public_url: &str) -> Self {
        let (subject, text) = digest.words(public_url);
        DigestPreview {
            week: digest.week,
            policies: digest.policies,
            dialogues: digest.dialogues,
            savings: digest.savings,
            attention: digest.attention,
            subject,
            text,
        }
    }
}

/// A renewal reminder that went out.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReminderEntry {
    /// `YYYY-MM-DD`.
    pub renewal_date: String,
    /// The mark: days before the renewal.
    pub days_before: i64,
    pub sent_at: DateTime<Utc>,
    /// `webhook`, `email`, both, or `none` (neither is set up).
    pub channels: Vec<String>,
}

impl From<&ReminderSent> for ReminderEntry {
    fn from(r: &ReminderSent) -> Self {
        ReminderEntry {
            renewal_date: r.renewal_date.clone(),
            days_before: r.days_before,
            sent_at: time(r.sent_at),
            channels: r
                .channels
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}
