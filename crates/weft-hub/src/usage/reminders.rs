//! Renewal reminders: as each account's renewal nears (120, 90, 60 and 30 days before by
//! default, `Policy::renewal_reminder_days`), one reminder by the alert webhook and e-mail
//! with the renewal plan's figures and a link to it. A reminder is claimed before it goes
//! out, so no mark is sent twice; a hub that was down past several marks sends only the
//! nearest one, and a reminder no channel took is given back for the next round.

use std::time::Duration;

use serde::Serialize;
use serde_json::json;
use weft_core::schedule::Cadence;
use weft_core::usage::money;
use weft_store::{Connection, RetryPolicy, ScheduleSpec};

use super::renewal::{self, RenewalPlan};
use crate::error::HubResult;
use crate::runtime::handlers::{JobContext, JobResult, Registry};
use crate::{Hub, trail};

pub const REMIND: &str = "usage.reminders";

pub fn register(registry: &mut Registry) {
    registry.register(REMIND, remind_job);
}

/// The reminders' schedule: a look every `every` (an hour unless a test says otherwise).
pub fn schedule(every: Duration) -> Result<ScheduleSpec, String> {
    Ok(ScheduleSpec {
        name: REMIND.into(),
        kind: REMIND.into(),
        payload: json!({}),
        cadence: Cadence::every_seconds(every.as_secs())?,
        priority: 0,
        retry: RetryPolicy::ONCE,
        enabled: true,
    })
}

async fn remind_job(ctx: JobContext) -> JobResult {
    let sent = send_due(&ctx.hub).await?;
    Ok(Some(json!({"sent": sent})))
}

/// One reminder that went out.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub connection_id: String,
    pub connection: String,
    pub renewal_date: String,
    /// The mark it is for (days before the renewal).
    pub days_before: i64,
    pub days_left: i64,
    /// Where it went: `webhook`, `email`; none when the hub has neither set up.
    pub channels: Vec<&'static str>,
}

/// The reminders sent for a connection, newest first.
pub async fn sent(hub: &Hub, connection_id: &str) -> HubResult<Vec<weft_store::ReminderSent>> {
    Ok(hub.store.usage().reminders(connection_id).await?)
}

/// The mark due `days_left` days before a renewal: the nearest one not yet passed (none
/// before the first, or once the date has passed).
pub fn mark_due(marks: &[i64], days_left: i64) -> Option<i64> {
    if days_left < 0 {
        return None;
    }
    marks.iter().copied().filter(|m| days_left <= *m).min()
}

/// Sends every reminder due now, across connections. A connection whose plan cannot be
/// made (never synced) is passed over; a channel that refuses gives the reminder back.
pub async fn send_due(hub: &Hub) -> HubResult<Vec<Reminder>> {
    let mut sent = Vec::new();
    for connection in hub.store.connections().list().await? {
        if let Some(reminder) = remind(hub, &connection).await? {
            sent.push(reminder);
        }
    }
    Ok(sent)
}

async fn remind(hub: &Hub, connection: &Connection) -> HubResult<Option<Reminder>> {
    let plan = match renewal::plan(hub, connection, renewal::IDLE_DAYS).await {
        Ok(plan) => plan,
        Err(error) => {
            tracing::debug!(connection = %connection.name, %error, "no renewal plan to remind of");
            return Ok(None);
        }
    };
    let (Some(date), Some(days_left)) = (plan.renewal_date.clone(), plan.days_left) else {
        return Ok(None);
    };
    let Some(mark) = mark_due(&hub.policy.renewal_reminder_days, days_left) else {
        return Ok(None);
    };
    let store = hub.store.usage();
    if !store
        .claim_reminder(&connection.id, &date, mark, hub.clock.now_s())
        .await?
    {
        return Ok(None);
    }
    let link = format!(
        "{}/usage/renewal?connection={}",
        hub.policy.public_url, connection.id
    );
    let (subject, text) = words(&plan, days_left, &link);
    let body = json!({
        "event": "renewal.reminder",
        "connectionId": connection.id,
        "connection": connection.name,
        "renewalDate": date,
        "daysLeft": days_left,
        "daysBefore": mark,
        "link": link,
        "plan": &plan.plan,
        "figures": &plan.figures,
        "currency": plan.currency,
        "realizedSinceRenewal": plan.realized_since_renewal,
    });
    let channels = match hub.alerter.broadcast(&body, &subject, &text).await {
        Ok(channels) => channels,
        Err(error) => {
            tracing::warn!(connection = %connection.name, ?error, "the renewal reminder was not delivered; the next round tries again");
            store.release_reminder(&connection.id, &date, mark).await?;
            return Ok(None);
        }
    };
    let said = if channels.is_empty() {
        "none".to_owned()
    } else {
        channels.join(",")
    };
    store
        .reminder_sent(&connection.id, &date, mark, &said)
        .await?;
    tracing::info!(event = "renewal.reminder", connection = %connection.name, renewal_date = %date, days_left, channels = %said, "renewal reminder");
    trail::record(
        hub,
        "weft",
        "usage.renewal.reminder",
        &connection.id,
        None,
        Some(json!({"renewalDate": date, "daysBefore": mark, "daysLeft": days_left, "channels": said})),
    )
    .await?;
    Ok(Some(Reminder {
        connection_id: connection.id.clone(),
        connection: connection.name.clone(),
        renewal_date: date,
        days_before: mark,
        days_left,
        channels,
    }))
}

/// The reminder's subject and text: the date, the seats to buy, what idle seats cost.
fn words(plan: &RenewalPlan, days_left: i64, link: &str) -> (String, String) {
    let date = plan.renewal_date.as_deref().unwrap_or("?");
    let subject = format!(
        "weft: Wrike renewal of {} in {days_left} days ({date})",
        plan.connection
    );
    let f = &plan.figures;
    let mut text = format!(
        "The Wrike subscription read by {} renews on {date}, in {days_left} days.\n\n",
        plan.connection
    );
    if let Some(bought) = f.bought {
        text.push_str(&format!("Seats bought: {bought}\n"));
    }
    text.push_str(&format!(
        "Paid seats assigned: {}\nActive in the last {} days: {}\nIdle: {} (never active: {})\nSeats recommended at renewal: {}\n",
        f.assigned, f.idle_days, f.active, f.idle, f.never_active, plan.plan.recommended
    ));
    if let (Some(currency), Some(saving)) = (&plan.currency, f.potential_saving_cents) {
        text.push_str(&format!(
            "Reclaiming the idle seats would save {} a year.\n",
            money(saving, currency)
        ));
    }
    if let (Some(currency), Some(realized)) = (&plan.currency, &plan.realized_since_renewal) {
        text.push_str(&format!(
            "Realized since {}: {} a year ({} people).\n",
            realized.since,
            money(realized.cents, currency),
            realized.people
        ));
    }
    text.push_str(&format!("\nThe renewal plan: {link}\n"));
    (subject, text)
}

#[cfg(test)]
mod tests {
    use super::mark_due;

    #[test]
    fn the_nearest_mark_not_passed_is_due() {
        let marks = [120, 90, 60, 30];
        assert_eq!(mark_due(&marks, 121), None);
        assert_eq!(mark_due(&marks, 120), Some(120));
        assert_eq!(mark_due(&marks, 100), Some(120));
        assert_eq!(mark_due(&marks, 90), Some(90));
        assert_eq!(
            mark_due(&marks, 45),
            Some(60),
            "a late hub sends one, not three"
        );
        assert_eq!(mark_due(&marks, 0), Some(30));
        assert_eq!(mark_due(&marks, -1), None, "the date has passed");
        assert_eq!(mark_due(&[], 10), None);
    }
}
