//! Connection health: a probe calls Wrike the way the connection's features will, the
//! result is recorded (compare-and-swap, so concurrent probes agree on one transition), and
//! a change into or out of `broken` raises an alert. Probes run as periodic jobs (see
//! `runtime::builtin`), on demand, and after a connection is added.

use futures::StreamExt;
use serde::Serialize;
use weft_core::health::{Alerting, FailureClass, Health, HealthState, classify, next_health};
use weft_core::recipe::HubEvent;
use weft_core::scope_plan::Feature;
use weft_store::{Connection, StoreError};
use wrike_api::requests::AuditLogQuery;
use wrike_api::{WrikeClient, WrikeError};

use crate::Hub;
use crate::alerts::Alert;
use crate::error::{HubError, HubResult};
use crate::jobs::kinds;

/// Probes a connection, records its health, alerts on a change; returns the new health.
pub async fn probe(hub: &Hub, connection: &Connection) -> HubResult<Health> {
    let outcome = match crate::wrike::client_for(hub, connection).await {
        Ok(wrike) => call(&wrike, connection)
            .await
            .map_err(|(step, e)| (classify(&e), format!("{step}: {e}"))),
        // A token that cannot be opened breaks the connection as surely as a revoked one.
        Err(HubError::Internal(message)) => Err((FailureClass::Other, message)),
        Err(other) => return Err(other),
    };
    let mut current = connection.clone();
    // A probe that raced another one re-reads and decides again from the stored health.
    for _ in 0..5 {
        let now = hub.clock.now_s();
        let (after, alerting) = next_health(
            current.health.as_ref(),
            outcome.clone(),
            now,
            hub.policy.transient_grace_s,
        );
        match hub
            .store
            .connections()
            .record_health(&current.id, current.health_version, &after)
            .await
        {
            Ok(_) => {
                if let Some(alert) = Alert::for_change(&current, &after, alerting) {
                    hub.alerter.send(&alert).await;
                    // Recipes react through the queue (once, on whichever instance).
                    let event = match alerting {
                        Alerting::Recovered => Some(HubEvent::ConnectionRecovered),
                        Alerting::Broken => Some(HubEvent::ConnectionBroken),
                        Alerting::None => None,
                    };
                    if let Some(event) = event {
                        // A break and a recovery may share a second: the event is in the key.
                        let key = format!("{}:{}:{}", event.as_str(), current.id, after.checked_at);
                        let payload = serde_json::json!({
                            "connectionId": current.id,
                            "event": event.as_str(),
                            "key": key,
                            "alert": alert,
                        });
                        let request = crate::jobs::Request::new(kinds::CONNECTION_EVENT, payload)
                            .dedupe(format!("connection-event:{key}"));
                        if let Err(e) = crate::jobs::enqueue(hub, "health", request).await {
                            tracing::warn!(error = %e, "queueing the recipes' reaction to a connection event");
                        }
                    }
                }
                return Ok(after);
            }
            Err(StoreError::Stale { .. }) => {
                current = hub
                    .store
                    .connections()
                    .get(&current.id)
                    .await?
                    .ok_or_else(|| {
                        HubError::not_found(format!("connection {}", connection.name))
                    })?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(HubError::Conflict(format!(
        "the health of {} kept changing under this probe; try again",
        connection.name
    )))
}

/// The calls a connection's features depend on; the first failure with the step it broke.
async fn call(
    wrike: &WrikeClient,
    connection: &Connection,
) -> Result<(), (&'static str, WrikeError)> {
    let me = wrike
        .me()
        .await
        .map_err(|e| ("who am I (GET /contacts?me=true)", e))?;
    for feature in connection
        .features
        .iter()
        .filter_map(|f| Feature::parse(f).ok())
    {
        match feature {
            Feature::UsageAnalytics => {
                // Activity comes from work data on every plan; the audit log is checked
                // only where the plan has one, and there its absence is a real fault.
                let account = wrike
                    .account(&["subscription"])
                    .await
                    .map_err(|e| ("account (GET /account)", e))?;
                let plan = account.subscription.map(|s| s.plan);
                if plan.is_some_and(|p| p.is_known() && !p.has_audit_log()) {
                    continue;
                }
                let pages = wrike
                    .audit_log_pages(&AuditLogQuery::default(), 1)
                    .map_err(|e| ("audit log", e))?;
                let mut pages = std::pin::pin!(pages);
                if let Some(page) = pages.next().await {
                    page.map_err(|e| ("audit log (GET /audit_log)", e))?;
                }
            }
            Feature::Reclaim => drop(
                wrike
                    .user(&me.id)
                    .await
                    .map_err(|e| ("user management (GET /users/{id})", e))?,
            ),
            Feature::Invitations => drop(
                wrike
                    .invitations()
                    .await
                    .map_err(|e| ("invitations (GET /invitations)", e))?,
            ),
            Feature::ReadWork | Feature::WriteWork => drop(
                wrike
                    .spaces()
                    .await
                    .map_err(|e| ("workspace (GET /spaces)", e))?,
            ),
            Feature::Webhooks => drop(
                wrike
                    .webhooks()
                    .await
                    .map_err(|e| ("webhooks (GET /webhooks)", e))?,
            ),
            Feature::Groups => drop(
                wrike
                    .groups()
                    .await
                    .map_err(|e| ("groups (GET /groups)", e))?,
            ),
        }
    }
    Ok(())
}

/// One line of health for people.
pub fn describe(health: Option<&Health>) -> String {
    match health {
        None => "not checked".into(),
        Some(h) if h.is_healthy() => "healthy".into(),
        Some(h) => format!(
            "{} ({}): {}",
            if h.state == HealthState::Broken {
                "BROKEN"
            } else {
                "degraded"
            },
            h.class.map_or("other", FailureClass::as_str),
            h.message.as_deref().unwrap_or("")
        ),
    }
}

/// A connection that is not healthy now: what the UI banner and `GET /api/v1/alerts` show.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    /// The connection's name.
    pub connection: String,
    pub id: String,
    /// `broken` (alerted) or `degraded` (a transient failure within its grace period).
    pub state: HealthState,
    pub class: &'static str,
    pub message: String,
    pub advice: &'static str,
    /// When the failure began (Unix seconds).
    pub since: i64,
}

/// Every connection that is broken or degraded, broken first.
pub async fn needing_attention(hub: &Hub) -> HubResult<Vec<Attention>> {
    let mut all: Vec<Attention> = hub
        .store
        .connections()
        .list()
        .await?
        .into_iter()
        .filter_map(|c| {
            let h = c.health.filter(|h| !h.is_healthy())?;
            Some(Attention {
                connection: c.name,
                id: c.id,
                state: h.state,
                class: h.class.map_or("other", FailureClass::as_str),
                message: h.message.unwrap_or_default(),
                advice: h.class.map_or("", FailureClass::advice),
                since: h.failing_since.unwrap_or(h.checked_at),
            })
        })
        .collect();
    all.sort_by_key(|a| a.state != HealthState::Broken);
    Ok(all)
}
