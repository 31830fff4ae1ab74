//! One person's steps: the first e-mail, the reminder, the deadline. Each e-mail takes its
//! turn at the hub's bounded rate, then is claimed in the database, then sent.

use serde_json::{Value, json};
use weft_core::policy;
use weft_store::{Dialogue, Step};

use super::links::{Answer, link};
use super::{
    ESCALATION_BATCH_MS, RELEASE_BATCH_MS, batched_plan_request, date, day, dialogue_actor,
    enqueue_advance, queue, record_step,
};
use crate::Hub;
use crate::error::{HubError, HubResult};
use crate::usage::policies;

/// The e-mail of a dialogue: the first one, or the reminder.
fn message(hub: &Hub, d: &Dialogue, deadline: i64, reminder: bool) -> HubResult<(String, String)> {
    let seen = match (d.last_activity_at, d.last_signal.as_deref()) {
        (Some(at), Some(signal)) => format!(
            "Your last Wrike activity we know of was on {} ({}).",
            day(at),
            weft_core::usage::Signal::parse(signal).map_or(signal, |s| s.describe())
        ),
        _ => "We have no record of Wrike activity from you.".to_owned(),
    };
    let keep = link(hub, &d.id, Answer::Keep, deadline)?;
    let release = link(hub, &d.id, Answer::Release, deadline)?;
    let subject = if reminder {
        "Reminder: do you still need your Wrike seat?".to_owned()
    } else {
        "Do you still need your Wrike seat?".to_owned()
    };
    let body = format!(
        "Hello {name},\n\n\
         your company reviews who uses its paid Wrike seats. {seen}\n\n\
         If you still need your seat, keep it (nothing changes):\n{keep}\n\n\
         If you no longer need it, release it:\n{release}\n\n\
         Without an answer by {deadline}, an administrator decides whether to {change} \
         your Wrike account. The links work once and until then; opening them does not \
         sign you in to Wrike.\n",
        name = d.name,
        deadline = date(deadline),
        change = d.change_label,
    );
    Ok((subject, body))
}

/// Sends one e-mail of a dialogue (its turn at the hub's bounded rate taken already).
async fn send(hub: &Hub, d: &Dialogue, subject: &str, body: &str) -> Result<(), String> {
    let mailer = hub
        .alerter
        .mailer()
        .ok_or("the hub sends no e-mail: set smtp_url and email_from")?;
    let to = d
        .email
        .as_deref()
        .ok_or("no e-mail address")?
        .parse::<crate::mail::Mailbox>()
        .map_err(|e| format!("{:?} is not an e-mail address ({e})", d.email))?;
    mailer.send(&[to], subject, body).await
}

/// The times a policy's dialogue keeps, as its current version says.
pub(super) async fn times(hub: &Hub, policy_name: &str) -> HubResult<policy::DialogueTimes> {
    let record = policies::get(hub, policy_name).await?;
    Ok(policy::parse(policy_name, &record.text)
        .map(|p| p.dialogue)
        .unwrap_or_default())
}

/// Carries one person's dialogue to its next step, if its time has come, and queues the
/// step after.
pub async fn advance(hub: &Hub, id: &str) -> HubResult<Value> {
    let store = hub.store.usage();
    let Some(d) = store.dialogue(id).await? else {
        return Ok(json!({"skipped": "no such dialogue"}));
    };
    let now = hub.clock.now_s();
    let now_ms = hub.clock.now_ms();
    let actor = dialogue_actor(&d.policy);
    match d.state.as_str() {
        "pending" => {
            let times = times(hub, &d.policy).await?;
            let (sent_at, note) = match d.notify_claimed_at {
                // Claimed by an attempt that never said how it went: the e-mail may have
                // gone; it is not sent again.
                Some(claimed) => (
                    claimed,
                    Some(
                        "the first e-mail's delivery was not confirmed (the hub stopped); it is not sent again",
                    ),
                ),
                None => {
                    // The e-mail's turn comes before its claim: a process killed while it
                    // waits has claimed nothing.
                    hub.policy.dialogue_mail.until_ready().await;
                    let now = hub.clock.now_s();
                    if !store
                        .claim_dialogue_mail(id, "notify_claimed_at", "pending", now)
                        .await?
                    {
                        return Ok(json!({"skipped": "taken by another attempt"}));
                    }
                    let deadline = now + times.answer_within.seconds();
                    let (subject, body) = message(hub, &d, deadline, false)?;
                    if let Err(e) = send(hub, &d, &subject, &body).await {
                        store.unclaim_dialogue_mail(id, "notify_claimed_at").await?;
                        return Err(HubError::Busy(format!("e-mailing {}: {e}", d.name)));
                    }
                    (now, None)
                }
            };
            let remind_at = sent_at + times.remind_after.seconds();
            let deadline = sent_at + times.answer_within.seconds();
            let moved = store
                .step_dialogue(
                    id,
                    &Step {
                        from: &["pending"],
                        to: "notified",
                        reason: note,
                        set: &[
                            ("notified_at", sent_at),
                            ("remind_at", remind_at),
                            ("deadline_at", deadline),
                        ],
                        at: now,
                    },
                )
                .await?;
            if moved {
                record_step(
                    hub,
                    &actor,
                    "usage.dialogue.notify",
                    &d,
                    json!({"to": d.email, "deadline": deadline, "note": note}),
                )
                .await;
            }
            queue(hub, &actor, enqueue_advance(id, remind_at * 1000, now_ms)).await?;
            Ok(json!({"state": "notified"}))
        }
        "notified" | "reminded" => {
            let deadline = d.deadline_at.unwrap_or(now);
            if now >= deadline {
                return escalate(hub, &d, &format!("no answer by {}", date(deadline))).await;
            }
            let remind_at = d.remind_at.unwrap_or(deadline);
            if d.state == "reminded" || now < remind_at {
                let next = if d.state == "reminded" {
                    deadline
                } else {
                    remind_at
                };
                queue(hub, &actor, enqueue_advance(id, next * 1000, now_ms)).await?;
                return Ok(json!({"waiting": d.state}));
            }
            let note = match d.remind_claimed_at {
                Some(_) => Some(
                    "the reminder's delivery was not confirmed (the hub stopped); it is not sent again",
                ),
                None => {
                    hub.policy.dialogue_mail.until_ready().await;
                    if !store
                        .claim_dialogue_mail(id, "remind_claimed_at", "notified", now)
                        .await?
                    {
                        return Ok(json!({"skipped": "taken by another attempt"}));
                    }
                    let (subject, body) = message(hub, &d, deadline, true)?;
                    if let Err(e) = send(hub, &d, &subject, &body).await {
                        store.unclaim_dialogue_mail(id, "remind_claimed_at").await?;
                        return Err(HubError::Busy(format!("reminding {}: {e}", d.name)));
                    }
                    None
                }
            };
            let moved = store
                .step_dialogue(
                    id,
                    &Step {
                        from: &["notified"],
                        to: "reminded",
                        reason: note,
                        set: &[("reminded_at", now)],
                        at: now,
                    },
                )
                .await?;
            if moved {
                record_step(
                    hub,
                    &actor,
                    "usage.dialogue.remind",
                    &d,
                    json!({"to": d.email, "note": note}),
                )
                .await;
            }
            queue(hub, &actor, enqueue_advance(id, deadline * 1000, now_ms)).await?;
            Ok(json!({"state": "reminded"}))
        }
        "released" | "escalated" if d.plan_id.is_none() => {
            let batch = if d.state == "released" {
                RELEASE_BATCH_MS
            } else {
                ESCALATION_BATCH_MS
            };
            queue(
                hub,
                &actor,
                batched_plan_request(&d.policy, now_ms, batch, now_ms),
            )
            .await?;
            Ok(json!({"planning": d.state}))
        }
        other => Ok(json!({"skipped": format!("the dialogue is {other}")})),
    }
}

async fn escalate(hub: &Hub, d: &Dialogue, reason: &str) -> HubResult<Value> {
    let now = hub.clock.now_s();
    let moved = hub
        .store
        .usage()
        .step_dialogue(
            &d.id,
            &Step {
                from: &["notified", "reminded"],
                to: "escalated",
                reason: Some(reason),
                set: &[],
                at: now,
            },
        )
        .await?;
    let actor = dialogue_actor(&d.policy);
    if moved {
        record_step(
            hub,
            &actor,
            "usage.dialogue.escalate",
            d,
            json!({"reason": reason}),
        )
        .await;
    }
    let now_ms = hub.clock.now_ms();
    queue(
        hub,
        &actor,
        batched_plan_request(&d.policy, now_ms, ESCALATION_BATCH_MS, now_ms),
    )
    .await?;
    Ok(json!({"state": "escalated"}))
}
