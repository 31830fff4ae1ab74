//! The reclaim dialogue: the people a policy flags are asked, by e-mail, to keep or release
//! their seat (or, where the policy is silent, put straight before an Admin). Each person is
//! a row that moves forward only (`weft_store::Dialogue`), carried by jobs:
//!
//! - `usage.dialogue.round` (after each sync, and when an Admin starts a policy's dialogue):
//!   people who became active, exempt or seatless leave at once with the reason; newly
//!   flagged people join, unless they kept their seat within the cooldown;
//! - `usage.dialogue.advance` (one person, at the time of their next step): the e-mail, the
//!   reminder, the deadline;
//! - `usage.dialogue.plan` (one policy): released people become a reclaim plan applied at
//!   once; escalated people a plan an Admin confirms on the reclaim page;
//! - `usage.dialogue.apply` (one plan of released people) and `usage.dialogue.settle` (any
//!   plan whose results changed): the people's rows follow their plan's results.
//!
//! `links` signs and answers the e-mails' links, `steps` is one person's e-mails and
//! deadline, `plans` the reclaim plans and their results.
//!
//! Every e-mail is claimed in the database before it is sent, so a hub killed at any point
//! never sends one twice (one whose delivery was not confirmed is counted as sent, and said
//! so); every change in Wrike goes through a reclaim plan, applied at most once. The links
//! in the e-mails are signed with the hub's key, expire at the deadline, and are answered
//! once; they lead to weft, never to Wrike, so answering is no Wrike activity.

mod links;
mod plans;
mod steps;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use weft_core::policy::{self, Change, Decide, Verdict};
use weft_store::{Dialogue, DialogueFilter, PolicyRecord, RetryPolicy, Step};

pub use links::{Answer, Answered, SeatLink, answer, read_link};
pub use plans::{apply_released, plan, settle};
pub use steps::advance;

use super::policies::{self, JudgedPerson};
use super::reclaim;
use crate::error::{HubError, HubResult};
use crate::jobs::{self, Request, kinds};
use crate::runtime::handlers::{JobContext, JobError, JobResult, Registry};
use crate::{Hub, trail};

pub const ROUND: &str = kinds::DIALOGUE_ROUND;
pub const ADVANCE: &str = "usage.dialogue.advance";
pub const PLAN: &str = "usage.dialogue.plan";
pub const APPLY: &str = "usage.dialogue.apply";
pub const SETTLE: &str = kinds::RECLAIM_SETTLED;

pub fn register(registry: &mut Registry) {
    registry
        .register(ROUND, round_job)
        .register(ADVANCE, advance_job)
        .register(PLAN, plan_job)
        .register(APPLY, apply_job)
        .register(SETTLE, settle_job);
}

fn date(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| at.to_string())
}

fn day(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| at.to_string())
}

/// The trail's name for what the dialogue does by itself.
fn dialogue_actor(policy: &str) -> String {
    format!("policy {policy} (dialogue)")
}

/// What the trail says of one step of a dialogue: which, whose, and `detail`.
fn step_detail(d: &Dialogue, detail: Value) -> Value {
    let mut after =
        json!({"dialogue": d.id, "policy": d.policy, "user": d.user_id, "name": d.name});
    if let (Some(map), Value::Object(extra)) = (after.as_object_mut(), detail) {
        map.extend(extra);
    }
    after
}

async fn record_step(hub: &Hub, actor: &str, action: &str, d: &Dialogue, detail: Value) {
    let after = step_detail(d, detail);
    // The step is stored already; a trail that cannot be written is logged, not undone.
    if let Err(e) = trail::record(hub, actor, action, &d.policy, None, Some(after)).await {
        tracing::warn!(error = %e, dialogue = %d.id, "writing a dialogue step to the trail");
    }
}

fn enqueue_advance(id: &str, at_ms: i64, now_ms: i64) -> Request {
    let mut request = Request::new(ADVANCE, json!({"dialogue": id}))
        .dedupe(format!("dialogue-advance:{id}:{at_ms}"))
        .retry(RetryPolicy {
            max_attempts: 20,
            backoff_ms: 30_000,
            backoff_max_ms: 3_600_000,
        });
    request.delay_ms = (at_ms - now_ms).max(0);
    request
}

async fn queue(hub: &Hub, origin: &str, request: Request) -> HubResult<()> {
    jobs::enqueue(hub, origin, request).await.map(drop)
}

/// Released people are planned (and applied) in batches this far apart.
const RELEASE_BATCH_MS: i64 = 5_000;
/// Escalations are gathered this long into one plan (one alert to the Admins).
const ESCALATION_BATCH_MS: i64 = 30_000;

/// The plan job for a policy at the end of the batch window `at_ms` falls in: every step
/// within one window shares the job (its dedupe key), so one plan carries them all.
fn batched_plan_request(policy: &str, at_ms: i64, batch_ms: i64, now_ms: i64) -> Request {
    let end = (at_ms.max(0) / batch_ms + 1) * batch_ms;
    plan_request(policy, end, now_ms)
}

fn plan_request(policy: &str, at_ms: i64, now_ms: i64) -> Request {
    let mut request = Request::new(PLAN, json!({"policy": policy}))
        .dedupe(format!("dialogue-plan:{policy}:{at_ms}"))
        .retry(RetryPolicy {
            max_attempts: 20,
            backoff_ms: 30_000,
            backoff_max_ms: 3_600_000,
        });
    request.delay_ms = (at_ms - now_ms).max(0);
    request
}

/// Whether a policy asks anyone first (its own rule or a user type's).
fn asks_first(policy: &policy::Policy) -> bool {
    policy.decide == Decide::AskFirst
        || policy
            .user_types
            .iter()
            .any(|r| r.decide == Some(Decide::AskFirst))
}

/// Lets a policy's dialogue run (an Admin's decision): the people it flags now are asked
/// (or put before an Admin), and after every sync newly flagged people join. Refused on
/// stale data, and for a policy that asks people first when the hub sends no e-mail.
pub async fn start(hub: &Hub, actor: &str, name: &str) -> HubResult<PolicyRecord> {
    let record = policies::get(hub, name).await?;
    let checked = match policies::check(hub, name, &record.text).await? {
        Ok(c) => c,
        Err(problems) => {
            return Err(HubError::Conflict(format!(
                "policy {name} no longer fits its account (re-apply it after fixing): {problems}"
            )));
        }
    };
    if asks_first(&checked.resolved.policy) && hub.alerter.mailer().is_none() {
        return Err(HubError::invalid(format!(
            "policy {name} asks people first, which needs e-mail: set smtp_url and email_from"
        )));
    }
    super::freshness::require_fresh(
        hub,
        &checked.connection,
        &format!("starting policy {name}'s dialogue"),
    )
    .await?;
    let now = hub.clock.now_s();
    hub.store
        .usage()
        .set_dialogue(name, Some(actor), now)
        .await?;
    trail::record(
        hub,
        actor,
        "usage.dialogue.start",
        name,
        None,
        Some(json!({"version": record.version})),
    )
    .await?;
    queue(hub, actor, round_request(name, hub.clock.now_ms())).await?;
    policies::get(hub, name).await
}

/// Stops a policy's dialogue taking new people; those in it go on to their end (an Admin
/// may cancel them).
pub async fn stop(hub: &Hub, actor: &str, name: &str) -> HubResult<PolicyRecord> {
    let record = policies::get(hub, name).await?;
    if record.dialogue_by.is_some() {
        hub.store
            .usage()
            .set_dialogue(name, None, hub.clock.now_s())
            .await?;
        trail::record(
            hub,
            actor,
            "usage.dialogue.stop",
            name,
            Some(json!({"startedBy": record.dialogue_by})),
            None,
        )
        .await?;
    }
    policies::get(hub, name).await
}

fn round_request(policy: &str, now_ms: i64) -> Request {
    Request::new(ROUND, json!({"policy": policy}))
        .dedupe(format!("dialogue-round:{policy}:{now_ms}"))
        .retry(RetryPolicy {
            max_attempts: 5,
            backoff_ms: 60_000,
            backoff_max_ms: 900_000,
        })
}

/// After a sync of `connection_id`: a round for each of its policies that has a dialogue
/// running or people in one.
pub async fn after_sync(hub: &Hub, connection_id: &str) -> HubResult<usize> {
    let store = hub.store.usage();
    let mut queued = 0;
    for record in store.policies().await? {
        if record.connection_id != connection_id {
            continue;
        }
        if record.dialogue_by.is_none() && store.open_dialogues(&record.name).await?.is_empty() {
            continue;
        }
        queue(
            hub,
            "usage sync",
            round_request(&record.name, hub.clock.now_ms()),
        )
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// Why someone in a dialogue leaves it, from what the policy says of them now (none: they
/// are still flagged).
fn leaves_because(judged: Option<&JudgedPerson>) -> Option<String> {
    let Some(judged) = judged else {
        return Some("no longer holds a paid seat (changed in Wrike)".into());
    };
    match &judged.judged.verdict {
        Verdict::Flagged { .. } => None,
        Verdict::Active { at, by } => Some(format!("active again: {} on {}", by.name(), day(*at))),
        Verdict::NewSeat { since, .. } => Some(format!("seated anew on {}", day(*since))),
        Verdict::Exempt { reason } => Some(format!("now exempt: {reason}")),
        Verdict::Protected { reason } => Some(format!("now protected: {reason}")),
        Verdict::Unjudged { reason } => Some(format!("cannot be judged now: {reason}")),
    }
}

/// What a round did.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundReport {
    pub joined: usize,
    pub left: usize,
    pub kept_out: usize,
    pub stale: Option<String>,
}

/// One round of a policy's dialogue (see the module's description).
pub async fn round(hub: &Hub, name: &str) -> HubResult<RoundReport> {
    let store = hub.store.usage();
    let record = policies::get(hub, name).await?;
    // The flagged may join; those in the dialogue are listed whatever their verdict, to
    // say why they leave.
    let open = store.open_dialogues(name).await?;
    let mut in_dialogue: std::collections::HashSet<String> =
        open.iter().map(|d| d.user_id.clone()).collect();
    let evaluation =
        policies::evaluate_listing(hub, name, policies::Listing::FlaggedAnd(&in_dialogue)).await?;
    let mut report = RoundReport::default();
    if let Some(stale) = &evaluation.freshness.stale {
        // Nobody joins or leaves on old data; the next sync's round decides.
        report.stale = Some(stale.clone());
        return Ok(report);
    }
    let judged: BTreeMap<&str, &JudgedPerson> = evaluation
        .people
        .iter()
        .map(|p| (p.judged.person_id.as_str(), p))
        .collect();
    let actor = dialogue_actor(name);
    let now = hub.clock.now_s();
    for d in &open {
        if let Some(reason) = leaves_because(judged.get(d.user_id.as_str()).copied())
            && cancel_one(hub, &actor, d, &reason).await?
        {
            report.left += 1;
            in_dialogue.remove(&d.user_id);
        }
    }
    if record.dialogue_by.is_none() {
        return Ok(report);
    }
    let started_by = record.dialogue_by.clone().unwrap_or_default();
    // Everyone let in is written at once: one query for who kept their seat, one
    // transaction for the rows, one for the trail.
    let kept = store.kept_until_all(name).await?;
    let mut joining: Vec<Dialogue> = Vec::new();
    for p in &evaluation.people {
        let Verdict::Flagged {
            last_activity_at,
            last_signal,
            change,
            decide,
            ..
        } = &p.judged.verdict
        else {
            continue;
        };
        if in_dialogue.contains(&p.judged.person_id) {
            continue;
        }
        if kept
            .get(&p.judged.person_id)
            .is_some_and(|until| *until > now)
        {
            report.kept_out += 1;
            continue;
        }
        let (state, reason) = match (decide, &p.email) {
            (Decide::AskFirst, Some(_)) => ("pending", None),
            (Decide::AskFirst, None) => (
                "escalated",
                Some("no e-mail address to ask; the Admin decides".to_owned()),
            ),
            (Decide::Silent, _) => (
                "escalated",
                Some("silent: the Admin decides without asking".to_owned()),
            ),
        };
        let d = Dialogue {
            id: crate::new_id("dlg"),
            policy: name.to_owned(),
            connection_id: evaluation.connection_id.clone(),
            user_id: p.judged.person_id.clone(),
            name: p.name.clone(),
            email: p.email.clone(),
            user_type_id: p.user_type_id.clone(),
            mode: decide.as_str().to_owned(),
            change: serde_json::to_string(change).unwrap_or_default(),
            change_label: change_label(change),
            last_activity_at: *last_activity_at,
            last_signal: last_signal.map(|s| s.name().to_owned()),
            annual_saving_cents: p.annual_saving_cents,
            state: state.to_owned(),
            reason: reason.clone(),
            started_at: now,
            started_by: started_by.clone(),
            notify_claimed_at: None,
            notified_at: None,
            remind_at: None,
            remind_claimed_at: None,
            reminded_at: None,
            deadline_at: None,
            answered_at: None,
            keep_until: None,
            plan_id: None,
            updated_at: now,
        };
        joining.push(d);
    }
    let opened: std::collections::HashSet<String> = store
        .open_dialogues_many(&joining)
        .await?
        .into_iter()
        .collect();
    let joined: Vec<&Dialogue> = joining.iter().filter(|d| opened.contains(&d.id)).collect();
    report.joined = joined.len();
    let steps = joined
        .iter()
        .map(|d| {
            (
                actor.clone(),
                "usage.dialogue.join".to_owned(),
                d.policy.clone(),
                step_detail(
                    d,
                    json!({"mode": d.mode, "change": d.change_label, "state": d.state, "reason": d.reason}),
                ),
            )
        })
        .collect();
    // The rows are stored already; a trail that cannot be written is logged, not undone.
    if let Err(e) = trail::record_many(hub, steps).await {
        tracing::warn!(error = %e, policy = name, "writing a round's joins to the trail");
    }
    let mut escalated = false;
    for d in &joined {
        if d.state == "pending" {
            let now_ms = hub.clock.now_ms();
            queue(hub, &actor, enqueue_advance(&d.id, now_ms, now_ms)).await?;
        } else {
            escalated = true;
        }
    }
    if escalated {
        let now_ms = hub.clock.now_ms();
        queue(
            hub,
            &actor,
            batched_plan_request(name, now_ms, ESCALATION_BATCH_MS, now_ms),
        )
        .await?;
    }
    Ok(report)
}

fn change_label(change: &Change) -> String {
    match change {
        Change::Deactivate => "deactivate".into(),
        Change::SetType { title, .. } => format!("downgrade to {title}"),
        Change::SetRole { role } => format!("change the role to {role}"),
    }
}

/// Takes one person out of a dialogue with the reason; a person in a reclaim plan not yet
/// confirmed is excluded from it first. False when they had left already or their plan is
/// being applied.
async fn cancel_one(hub: &Hub, actor: &str, d: &Dialogue, reason: &str) -> HubResult<bool> {
    if let Some(plan_id) = &d.plan_id {
        let plan = reclaim::get(hub, plan_id).await?;
        if plan.status != "planned" {
            return Ok(false);
        }
        match reclaim::exclude(hub, actor, plan_id, std::slice::from_ref(&d.user_id)).await {
            Ok(_) => {}
            Err(HubError::Conflict(_)) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    let moved = hub
        .store
        .usage()
        .step_dialogue(
            &d.id,
            &Step {
                from: &weft_store::OPEN_STATES,
                to: "cancelled",
                reason: Some(reason),
                set: &[],
                at: hub.clock.now_s(),
            },
        )
        .await?;
    if moved {
        record_step(
            hub,
            actor,
            "usage.dialogue.cancel",
            d,
            json!({"reason": reason}),
        )
        .await;
    }
    Ok(moved)
}

/// An Admin takes someone out of a dialogue.
pub async fn cancel(hub: &Hub, actor: &str, id: &str) -> HubResult<Dialogue> {
    let d = get(hub, id).await?;
    if !d.is_open() {
        return Err(HubError::Conflict(format!(
            "dialogue {id} is {} already",
            d.state
        )));
    }
    if !cancel_one(hub, actor, &d, &format!("cancelled by {actor}")).await? {
        return Err(HubError::Conflict(format!(
            "dialogue {id} cannot be cancelled now: its reclaim plan is being applied"
        )));
    }
    get(hub, id).await
}

pub async fn get(hub: &Hub, id: &str) -> HubResult<Dialogue> {
    hub.store
        .usage()
        .dialogue(id)
        .await?
        .ok_or_else(|| HubError::not_found(format!("dialogue {id}")))
}

/// The board: everyone in a dialogue, newest first, with how many there are.
pub async fn board(hub: &Hub, filter: &DialogueFilter) -> HubResult<(Vec<Dialogue>, i64)> {
    if let Some(state) = &filter.state
        && !STATES.contains(&state.as_str())
    {
        return Err(HubError::invalid(format!(
            "state: '{state}' is not one of {}",
            STATES.join(", ")
        )));
    }
    Ok(hub.store.usage().dialogues(filter).await?)
}

/// How many of a policy's dialogues are in each state.
pub async fn counts(hub: &Hub, policy: &str) -> HubResult<Vec<(String, i64)>> {
    Ok(hub.store.usage().dialogue_counts(policy).await?)
}

/// Every state a dialogue may be in.
pub const STATES: [&str; 9] = [
    "pending",
    "notified",
    "reminded",
    "kept",
    "released",
    "escalated",
    "applied",
    "failed",
    "cancelled",
];

fn payload<'a>(ctx: &'a JobContext, field: &str) -> Result<&'a str, JobError> {
    ctx.job.payload[field]
        .as_str()
        .ok_or_else(|| JobError::Permanent(format!("the payload has no {field}")))
}

/// A policy removed meanwhile ends its jobs quietly; what may pass (an SMTP server down,
/// people taken by a concurrent plan, usage data too old to act on until the next sync) is
/// tried again later.
fn gone(result: HubResult<Value>) -> JobResult {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(HubError::NotFound { what }) => Ok(Some(json!({"skipped": format!("{what} is gone")}))),
        Err(HubError::Busy(m) | HubError::Conflict(m)) => Err(JobError::Retry(m)),
        Err(e) => Err(e.into()),
    }
}

async fn round_job(ctx: JobContext) -> JobResult {
    let policy = payload(&ctx, "policy")?;
    gone(
        round(&ctx.hub, policy)
            .await
            .map(|r| serde_json::to_value(r).unwrap_or_default()),
    )
}

async fn advance_job(ctx: JobContext) -> JobResult {
    gone(advance(&ctx.hub, payload(&ctx, "dialogue")?).await)
}

async fn plan_job(ctx: JobContext) -> JobResult {
    gone(plan(&ctx.hub, payload(&ctx, "policy")?).await)
}

async fn apply_job(ctx: JobContext) -> JobResult {
    gone(apply_released(&ctx.hub, payload(&ctx, "plan")?).await)
}

async fn settle_job(ctx: JobContext) -> JobResult {
    gone(settle(&ctx.hub, payload(&ctx, "plan")?).await)
}
