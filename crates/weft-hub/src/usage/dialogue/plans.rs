//! The dialogue's reclaim plans: released people's, applied at once; escalated people's,
//! confirmed by an Admin; and the people's rows brought up to date with their plan.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use weft_core::policy::Change;
use weft_store::{Dialogue, RetryPolicy, Step};

use super::steps::times;
use super::{APPLY, date, dialogue_actor, plan_request, queue, record_step};
use crate::error::{HubError, HubResult};
use crate::jobs::Request;
use crate::usage::policies;
use crate::usage::reclaim::{self, Action, Selection};
use crate::{Hub, connections, trail};

/// A released person's plan waits this long for its job (it is applied at once).
const RELEASE_PLAN_LIFETIME_S: i64 = 24 * 3600;

fn action_of(change: &str) -> HubResult<Action> {
    let change: Change = serde_json::from_str(change)
        .map_err(|e| HubError::Internal(format!("a dialogue's change does not read: {e}")))?;
    Ok(match change {
        Change::Deactivate => Action::Deactivate,
        Change::SetType { id, .. } => Action::SetType(id),
        Change::SetRole { role } => Action::SetRole(role),
    })
}

/// Turns a policy's released and escalated people into reclaim plans: the released ones'
/// applied at once (they said so), the escalated ones' waiting for an Admin; and plans an
/// Admin let expire planned anew.
pub async fn plan(hub: &Hub, name: &str) -> HubResult<Value> {
    let store = hub.store.usage();
    let record = policies::get(hub, name).await?;
    let connection = connections::by_id(hub, &record.connection_id).await?;
    let actor = dialogue_actor(name);
    let now = hub.clock.now_s();
    // Escalations whose plan expired unconfirmed go back to waiting for a plan.
    let mut expired = std::collections::BTreeSet::new();
    for d in store.open_dialogues(name).await? {
        if let (Some(plan_id), "escalated") = (&d.plan_id, d.state.as_str())
            && !expired.contains(plan_id)
        {
            let plan = reclaim::get(hub, plan_id).await?;
            if plan.status == "planned" && plan.expires_at < now {
                store.unplan_dialogues(plan_id, now).await?;
                expired.insert(plan_id.clone());
            }
        }
    }
    let times = times(hub, name).await?;
    let mut made = Vec::new();
    for (state, lifetime) in [
        ("released", RELEASE_PLAN_LIFETIME_S),
        ("escalated", times.approve_within.seconds()),
    ] {
        let waiting = store.unplanned_dialogues(name, state).await?;
        let mut by_change: BTreeMap<String, Vec<Dialogue>> = BTreeMap::new();
        for d in waiting {
            by_change.entry(d.change.clone()).or_default().push(d);
        }
        for (change, people) in by_change {
            for chunk in people.chunks(reclaim::MAX_USERS as usize) {
                let users = chunk.iter().map(|d| d.user_id.clone()).collect();
                let plan = reclaim::draft(
                    hub,
                    &format!("{actor}, started by {}", chunk[0].started_by),
                    &connection,
                    action_of(&change)?,
                    Selection::Users(users),
                    lifetime,
                )
                .await?;
                let ids: Vec<String> = chunk.iter().map(|d| d.id.clone()).collect();
                if !store.plan_dialogues(&plan, &ids, state).await? {
                    return Err(HubError::Busy(
                        "people of this plan were taken meanwhile; planning again".into(),
                    ));
                }
                trail::record(
                    hub,
                    &actor,
                    "usage.reclaim.plan",
                    &connection.name,
                    None,
                    Some(json!({"plan": plan.id, "action": plan.action, "target": plan.target, "users": plan.items.len(), "dialogue": state})),
                )
                .await?;
                let now_ms = hub.clock.now_ms();
                if state == "released" {
                    queue(
                        hub,
                        &actor,
                        Request::new(APPLY, json!({"plan": plan.id}))
                            .dedupe(format!("dialogue-apply:{}", plan.id))
                            .retry(RetryPolicy {
                                max_attempts: 20,
                                backoff_ms: 60_000,
                                backoff_max_ms: 3_600_000,
                            }),
                    )
                    .await?;
                } else {
                    // Look again when it expires, to plan anew what nobody confirmed.
                    queue(
                        hub,
                        &actor,
                        plan_request(name, (plan.expires_at + 1) * 1000, now_ms),
                    )
                    .await?;
                    let url = format!(
                        "{}/usage/reclaims/{}",
                        hub.policy.public_url.trim_end_matches('/'),
                        plan.id
                    );
                    let subject = format!(
                        "{} people await an Admin's approval (policy {name})",
                        plan.items.len()
                    );
                    let text = format!(
                        "Policy {name} on {}: {} people did not answer or were not asked. \
                         Confirm or exclude them in reclaim plan {} before {}: {url}",
                        connection.name,
                        plan.items.len(),
                        plan.id,
                        date(plan.expires_at)
                    );
                    // Telling the Admins is best effort: the plan waits on the page anyway.
                    if let Err(e) = hub.alerter.notify(&actor, &subject, &text, &[]).await {
                        tracing::warn!(error = ?e, plan = %plan.id, "telling the Admins of an escalation");
                    }
                }
                made.push(json!({"plan": plan.id, "state": state, "people": ids.len()}));
            }
        }
    }
    Ok(json!({"plans": made, "replanned": expired.len()}))
}

/// Applies a plan of released people (once; a plan its earlier attempt left part way is
/// carried on), then brings their rows up to date.
pub async fn apply_released(hub: &Hub, plan_id: &str) -> HubResult<Value> {
    let plan = reclaim::get(hub, plan_id).await?;
    let policy = hub
        .store
        .usage()
        .planned_dialogues(plan_id)
        .await?
        .first()
        .map(|d| d.policy.clone())
        .unwrap_or_default();
    let actor = dialogue_actor(&policy);
    let plan = match plan.status.as_str() {
        "planned" => reclaim::apply(hub, &actor, plan_id).await?,
        "applying" => reclaim::resume(hub, &actor, plan_id).await?,
        _ => plan,
    };
    settle(hub, plan_id).await?;
    Ok(json!({"plan": plan.id, "status": plan.status}))
}

/// Brings the people a reclaim plan carries out up to date with its results.
pub async fn settle(hub: &Hub, plan_id: &str) -> HubResult<Value> {
    let store = hub.store.usage();
    let people = store.planned_dialogues(plan_id).await?;
    if people.is_empty() {
        return Ok(json!({"skipped": "no dialogue waits on this plan"}));
    }
    let plan = reclaim::get(hub, plan_id).await?;
    let now = hub.clock.now_s();
    let mut moved = 0;
    for d in people.iter().filter(|d| d.is_open()) {
        let item = plan.items.iter().find(|i| i.user_id == d.user_id);
        let result = item.and_then(|i| i.result.as_deref());
        let message = item.and_then(|i| i.message.clone());
        let (to, reason, action) = match (plan.status.as_str(), result) {
            ("cancelled", _) => (
                "cancelled",
                format!(
                    "reclaim plan {plan_id} was cancelled by {}",
                    plan.cancelled_by.as_deref().unwrap_or("an Admin")
                ),
                "usage.dialogue.cancel",
            ),
            (_, Some(reclaim::EXCLUDED)) => (
                "cancelled",
                message.unwrap_or_else(|| "excluded from the plan".into()),
                "usage.dialogue.cancel",
            ),
            ("applied", Some("ok")) => (
                "applied",
                format!(
                    "{} (reclaim plan {plan_id}, by {})",
                    d.change_label,
                    plan.applied_by.as_deref().unwrap_or("an Admin")
                ),
                "usage.dialogue.apply",
            ),
            ("applied", Some("failed")) => (
                "failed",
                message.unwrap_or_else(|| "Wrike refused the change".into()),
                "usage.dialogue.fail",
            ),
            ("applied", _) => (
                "cancelled",
                message.unwrap_or_else(|| "not changed".into()),
                "usage.dialogue.cancel",
            ),
            _ => continue,
        };
        if store
            .step_dialogue(
                &d.id,
                &Step {
                    from: &weft_store::OPEN_STATES,
                    to,
                    reason: Some(&reason),
                    set: &[],
                    at: now,
                },
            )
            .await?
        {
            moved += 1;
            let actor = match to {
                "applied" | "failed" => plan.applied_by.clone(),
                _ => plan.cancelled_by.clone(),
            }
            .unwrap_or_else(|| dialogue_actor(&d.policy));
            record_step(
                hub,
                &actor,
                action,
                d,
                json!({"plan": plan_id, "reason": reason}),
            )
            .await;
        }
    }
    Ok(json!({"plan": plan_id, "moved": moved}))
}
