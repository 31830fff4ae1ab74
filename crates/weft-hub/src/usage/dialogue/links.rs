//! The links in a dialogue's e-mails: signed with the hub's key for one purpose, naming the
//! dialogue, the answer and when they expire; answered once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::json;
use weft_core::policy;
use weft_store::{Dialogue, Step};

use super::{RELEASE_BATCH_MS, batched_plan_request, day, get, queue, record_step};
use crate::Hub;
use crate::error::{HubError, HubResult};
use crate::usage::policies;

/// What a signature in a seat link is for (a signature for anything else is worthless).
const LINK_PURPOSE: &str = "weft reclaim dialogue answer";

/// A person's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Keep,
    Release,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Keep => "keep",
            Answer::Release => "release",
        }
    }

    fn parse(text: &str) -> Option<Answer> {
        match text {
            "keep" => Some(Answer::Keep),
            "release" => Some(Answer::Release),
            _ => None,
        }
    }
}

/// A seat link: `ID.ANSWER.EXPIRES.SIGNATURE`.
fn link_token(hub: &Hub, id: &str, answer: Answer, expires: i64) -> HubResult<String> {
    let message = format!("{id}.{}.{expires}", answer.as_str());
    let signature = hub.key()?.sign(LINK_PURPOSE, message.as_bytes());
    Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

pub(super) fn link(hub: &Hub, id: &str, answer: Answer, expires: i64) -> HubResult<String> {
    Ok(format!(
        "{}/seat/{}",
        hub.policy.public_url.trim_end_matches('/'),
        link_token(hub, id, answer, expires)?
    ))
}

/// What a seat link says, once its signature is checked.
#[derive(Debug, Clone)]
pub struct SeatLink {
    pub dialogue: Dialogue,
    pub answer: Answer,
    pub expires_at: i64,
    pub expired: bool,
}

/// Reads a seat link. Anything not signed by this hub is refused the same way, saying
/// nothing of why (a forged or altered link).
pub async fn read_link(hub: &Hub, token: &str) -> HubResult<SeatLink> {
    let invalid = || HubError::not_found("this link is not valid (it may have been altered)");
    let mut parts = token.rsplitn(2, '.');
    let (Some(signature), Some(message)) = (parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid())?;
    if !hub
        .key()?
        .verify(LINK_PURPOSE, message.as_bytes(), &signature)
    {
        return Err(invalid());
    }
    let mut fields = message.split('.');
    let (Some(id), Some(answer), Some(expires), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(invalid());
    };
    let answer = Answer::parse(answer).ok_or_else(invalid)?;
    let expires_at: i64 = expires.parse().map_err(|_| invalid())?;
    let dialogue = hub.store.usage().dialogue(id).await?.ok_or_else(invalid)?;
    Ok(SeatLink {
        dialogue,
        answer,
        expires_at,
        expired: hub.clock.now_s() > expires_at,
    })
}

/// What answering a link did.
#[derive(Debug, Clone)]
pub enum Answered {
    /// Taken now.
    Taken(Dialogue),
    /// Not taken: the dialogue is past asking (answered, cancelled, escalated...).
    Closed(Dialogue),
    Expired(SeatLink),
}

/// The person's answer through a link `read_link` read and checked: once, before it
/// expires.
pub async fn answer(hub: &Hub, link: &SeatLink) -> HubResult<Answered> {
    if link.expired {
        return Ok(Answered::Expired(link.clone()));
    }
    let d = &link.dialogue;
    let record = policies::get(hub, &d.policy).await?;
    let keep_for = policy::parse(&d.policy, &record.text)
        .map(|p| p.dialogue)
        .unwrap_or_default()
        .keep_for;
    let now = hub.clock.now_s();
    let (to, set): (&str, Vec<(&'static str, i64)>) = match link.answer {
        Answer::Keep => (
            "kept",
            vec![
                ("answered_at", now),
                ("keep_until", now + keep_for.seconds()),
            ],
        ),
        Answer::Release => ("released", vec![("answered_at", now)]),
    };
    let reason = match link.answer {
        Answer::Keep => format!(
            "kept by the person; not asked again before {}",
            day(now + keep_for.seconds())
        ),
        Answer::Release => "released by the person".to_owned(),
    };
    let moved = hub
        .store
        .usage()
        .step_dialogue(
            &d.id,
            &Step {
                from: &["notified", "reminded"],
                to,
                reason: Some(&reason),
                set: &set,
                at: now,
            },
        )
        .await?;
    let after = get(hub, &d.id).await?;
    if !moved {
        return Ok(Answered::Closed(after));
    }
    let who = format!(
        "{} (by e-mail link)",
        d.email.as_deref().unwrap_or(&d.user_id)
    );
    let action = match link.answer {
        Answer::Keep => "usage.dialogue.keep",
        Answer::Release => "usage.dialogue.release",
    };
    record_step(hub, &who, action, &after, json!({"reason": reason})).await;
    if link.answer == Answer::Release {
        let now_ms = hub.clock.now_ms();
        queue(
            hub,
            &who,
            batched_plan_request(&d.policy, now_ms, RELEASE_BATCH_MS, now_ms),
        )
        .await?;
    }
    Ok(Answered::Taken(after))
}
