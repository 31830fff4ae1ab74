//! The weekly digest, to the Admins and Analysts who ask for it: the idle seats under each
//! policy, how the reclaim dialogue goes, the savings realized, and the connections or
//! syncs that need attention. It goes out from Monday 08:00 UTC, once per person and ISO
//! week (claimed before it is sent; an e-mail the server refused is given back, so a hub
//! that was down on Monday sends it when it is up again that week).

use std::time::Duration;

use chrono::{Datelike, TimeZone, Utc};
use serde::Serialize;
use serde_json::json;
use weft_core::health::HealthState;
use weft_core::roles::Permission;
use weft_core::schedule::Cadence;
use weft_core::usage::money;
use weft_store::{DigestSubscription, RetryPolicy, ScheduleSpec};

use super::{dialogue, freshness, policies, savings};
use crate::error::{HubError, HubResult};
use crate::runtime::handlers::{JobContext, JobResult, Registry};
use crate::{Hub, mail, trail};

pub const DIGEST: &str = "usage.digest";

/// When in its week the digest goes: Monday (the ISO week's first day) at this hour, UTC.
const SEND_HOUR_UTC: u32 = 8;

pub fn register(registry: &mut Registry) {
    registry.register(DIGEST, digest_job);
}

/// The digest's schedule: a look every `every` (an hour unless a test says otherwise).
pub fn schedule(every: Duration) -> Result<ScheduleSpec, String> {
    Ok(ScheduleSpec {
        name: DIGEST.into(),
        kind: DIGEST.into(),
        payload: json!({}),
        cadence: Cadence::every_seconds(every.as_secs())?,
        priority: 0,
        retry: RetryPolicy::ONCE,
        enabled: true,
    })
}

async fn digest_job(ctx: JobContext) -> JobResult {
    let sent = send_due(&ctx.hub).await?;
    Ok(Some(json!({"sent": sent})))
}

/// The ISO week of `now` (`2026-W49`), and whether its digest is due (Monday 08:00 UTC
/// has come).
pub fn week_of(now: i64) -> (String, bool) {
    let at = Utc.timestamp_opt(now, 0).single().unwrap_or_default();
    let week = at.iso_week();
    let monday =
        at.date_naive() - chrono::Duration::days(i64::from(at.weekday().num_days_from_monday()));
    let due_from = monday
        .and_hms_opt(SEND_HOUR_UTC, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(i64::MAX);
    (
        format!("{}-W{:02}", week.year(), week.week()),
        now >= due_from,
    )
}

/// Subscribes a team member to the digest at `email`. Only those who may see analytics
/// (Admins, Analysts) may; the address must be one.
pub async fn subscribe(hub: &Hub, user_id: &str, email: &str) -> HubResult<DigestSubscription> {
    let user = hub
        .store
        .access()
        .user(user_id)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("user {user_id}"),
        })?;
    if !user.role.allows(Permission::ViewAnalytics) {
        return Err(HubError::invalid(format!(
            "{} is an {}: the digest goes to Admins and Analysts",
            user.username,
            user.role.as_str()
        )));
    }
    let email = email.trim();
    mail::parse_addresses(&[email.to_owned()])
        .map_err(|e| HubError::invalid(format!("email: {e}")))?;
    let store = hub.store.usage();
    store
        .subscribe_digest(user_id, email, hub.clock.now_s())
        .await?;
    trail::record(
        hub,
        &user.username,
        "usage.digest.subscribe",
        user_id,
        None,
        Some(json!({"email": email})),
    )
    .await?;
    store
        .digest_subscription(user_id)
        .await?
        .ok_or_else(|| HubError::Internal("the subscription was not kept".into()))
}

pub async fn unsubscribe(hub: &Hub, user_id: &str, actor: &str) -> HubResult<bool> {
    let gone = hub.store.usage().unsubscribe_digest(user_id).await?;
    if gone {
        trail::record(hub, actor, "usage.digest.unsubscribe", user_id, None, None).await?;
    }
    Ok(gone)
}

pub async fn subscription(hub: &Hub, user_id: &str) -> HubResult<Option<DigestSubscription>> {
    Ok(hub.store.usage().digest_subscription(user_id).await?)
}

/// What a digest says, section by section (each a list of lines).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    pub week: String,
    pub policies: Vec<String>,
    pub dialogues: Vec<String>,
    pub savings: Vec<String>,
    pub attention: Vec<String>,
}

impl Digest {
    /// The e-mail's subject and text.
    pub fn words(&self, public_url: &str) -> (String, String) {
        let subject = format!("weft: weekly digest, {}", self.week);
        let section = |title: &str, lines: &[String], empty: &str| {
            let mut text = format!("{title}\n");
            if lines.is_empty() {
                text.push_str(&format!("  {empty}\n"));
            }
            for line in lines {
                text.push_str(&format!("  - {line}\n"));
            }
            text.push('\n');
            text
        };
        let mut text = format!("weft, week {}\n\n", self.week);
        text.push_str(&section(
            "Idle seats under each policy",
            &self.policies,
            "No policy is applied.",
        ));
        text.push_str(&section(
            "The reclaim dialogue",
            &self.dialogues,
            "Nobody is in a dialogue.",
        ));
        text.push_str(&section(
            "Savings realized",
            &self.savings,
            "No reclaim applied yet.",
        ));
        text.push_str(&section(
            "Needs attention",
            &self.attention,
            "Nothing: every connection is healthy and current.",
        ));
        text.push_str(&format!(
            "Policies: {public_url}/usage/policies\nDialogues: {public_url}/usage/dialogues\nSavings: {public_url}/usage/savings\n"
        ));
        (subject, text)
    }
}

/// Gathers this week's digest from every connection and policy.
pub async fn compose(hub: &Hub) -> HubResult<Digest> {
    let now = hub.clock.now_s();
    let mut digest = Digest {
        week: week_of(now).0,
        ..Digest::default()
    };
    for (record, evaluation) in policies::evaluate_every(hub).await? {
        match evaluation {
            Ok(e) => {
                let saving = match (e.potential_saving_cents, &e.currency) {
                    (Some(cents), Some(currency)) => {
                        format!(", {} a year", money(cents, currency))
                    }
                    _ => String::new(),
                };
                digest.policies.push(format!(
                    "{} ({}): {} of {} paid seats idle{saving}",
                    e.policy, e.connection, e.tally.flagged, e.tally.judged
                ));
            }
            Err(error) => digest
                .policies
                .push(format!("{}: not evaluated: {error}", record.name)),
        }
        let counts = dialogue::counts(hub, &record.name).await?;
        if counts.iter().any(|(_, n)| *n > 0) {
            let said: Vec<String> = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(state, n)| format!("{n} {state}"))
                .collect();
            digest
                .dialogues
                .push(format!("{}: {}", record.name, said.join(", ")));
        }
    }
    let week_ago = now - 7 * 86_400;
    for connection in hub.store.connections().list().await? {
        let ledger = savings::ledger(hub, &connection).await?;
        let standing: Vec<_> = ledger
            .entries
            .iter()
            .filter(|e| e.restored_at.is_none())
            .collect();
        if !standing.is_empty() {
            let this_week: i64 = standing
                .iter()
                .filter(|e| e.realized_at >= week_ago)
                .filter_map(|e| e.annual_saving_cents)
                .sum();
            let currency = ledger.currency.as_deref().unwrap_or("");
            digest.savings.push(format!(
                "{}: {} a year from {} people ({} of it this week)",
                connection.name,
                money(ledger.realized_cents, currency),
                standing.len(),
                money(this_week, currency)
            ));
        }
        if let Some(health) = connection
            .health
            .as_ref()
            .filter(|h| h.state != HealthState::Healthy)
        {
            digest.attention.push(format!(
                "{}: connection {}: {}",
                connection.name,
                health.state.as_str(),
                health.message.as_deref().unwrap_or("no detail")
            ));
        }
        for source in hub.store.usage().sources(&connection.id).await? {
            if source.status == "failed" {
                digest.attention.push(format!(
                    "{}: the last sync of {} failed: {}",
                    connection.name,
                    source.source,
                    source.message.as_deref().unwrap_or("no detail")
                ));
            }
        }
        if let Some(stale) = freshness::of(hub, &connection).await?.stale {
            digest
                .attention
                .push(format!("{}: {stale}", connection.name));
        }
    }
    Ok(digest)
}

/// Sends this week's digest to everyone subscribed who has not had it, once it is due.
/// Returns how many went. Without SMTP there is nothing to send with.
pub async fn send_due(hub: &Hub) -> HubResult<usize> {
    let now = hub.clock.now_s();
    let (week, due) = week_of(now);
    let Some(mailer) = hub.alerter.mailer() else {
        return Ok(0);
    };
    if !due {
        return Ok(0);
    }
    let store = hub.store.usage();
    let subscriptions = store.digest_subscriptions().await?;
    let mut digest: Option<(String, String)> = None;
    let mut sent = 0;
    for subscription in subscriptions {
        let Some(user) = hub.store.access().user(&subscription.user_id).await? else {
            continue;
        };
        // A member whose role changed, or who was disabled, gets nothing meanwhile.
        if !user.role.allows(Permission::ViewAnalytics) || user.disabled_at.is_some() {
            continue;
        }
        if !store.claim_digest(&user.id, &week, now).await? {
            continue;
        }
        if digest.is_none() {
            digest = Some(compose(hub).await?.words(&hub.policy.public_url));
        }
        let (subject, text) = digest.as_ref().expect("composed above");
        let to = mail::parse_addresses(std::slice::from_ref(&subscription.email))
            .map_err(|e| HubError::invalid(format!("digest address of {}: {e}", user.username)))?;
        match mailer.send(&to, subject, text).await {
            Ok(()) => {
                sent += 1;
                tracing::info!(event = "usage.digest", user = %user.username, %week, "weekly digest sent");
            }
            Err(error) => {
                tracing::warn!(user = %user.username, %error, "the weekly digest was not sent; the next round tries again");
                store.release_digest(&user.id, &week).await?;
            }
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::week_of;

    #[test]
    fn the_week_is_due_from_monday_eight() {
        // 2026-12-07 is a Monday.
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(week_of(monday), ("2026-W50".into(), false));
        assert!(!week_of(monday + 8 * 3600 - 1).1);
        assert_eq!(week_of(monday + 8 * 3600), ("2026-W50".into(), true));
        assert_eq!(
            week_of(monday + 6 * 86_400 + 23 * 3600),
            ("2026-W50".into(), true)
        );
        assert_eq!(week_of(monday - 1), ("2026-W49".into(), true));
    }
}
