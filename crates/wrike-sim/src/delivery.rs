//! The webhook delivery worker: takes queued events, batches them per hook into one JSON
//! array, signs, POSTs and retries them, and suspends a hook that keeps failing.

use std::sync::Arc;

use serde_json::Value;
use wrike_api::models::WebhookStatus;
use wrike_api::webhook::{SIGNATURE_HEADER, sign};

use crate::hooks::DeliveryRecord;
use crate::sim::Sim;

/// Starts the delivery worker (once; later calls do nothing). It holds the simulator weakly,
/// so it ends when the simulator is dropped.
pub fn start(sim: &Arc<Sim>) {
    let Some(mut rx) = sim.hooks.take_receiver() else {
        return;
    };
    let sim = Arc::downgrade(sim);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            // Everything already queued goes out together, one array per hook.
            let mut batch = vec![first];
            while let Ok(more) = rx.try_recv() {
                batch.push(more);
            }
            let Some(sim) = sim.upgrade() else { return };
            let mut per_hook: Vec<(String, String, Vec<Value>)> = Vec::new();
            for q in batch {
                match per_hook.iter_mut().find(|(id, _, _)| *id == q.webhook_id) {
                    Some((_, _, events)) => events.push(q.event),
                    None => per_hook.push((q.webhook_id, q.account_id, vec![q.event])),
                }
            }
            for (webhook_id, account_id, events) in per_hook {
                let sim = sim.clone();
                tokio::spawn(async move { deliver(sim, webhook_id, account_id, events).await });
            }
        }
    });
}

async fn deliver(sim: Arc<Sim>, webhook_id: String, account_id: String, events: Vec<Value>) {
    let target = {
        let world = sim.read();
        world
            .account(&account_id)
            .and_then(|a| a.webhooks.iter().find(|h| h.hook.id == webhook_id))
            .filter(|h| h.hook.status == WebhookStatus::Active)
            .map(|h| (h.hook.hook_url.clone(), h.secret.clone()))
    };
    let Some((url, secret)) = target else { return };
    // Wrike's observed bodies are pretty-printed with a two-space indent.
    let body = serde_json::to_string_pretty(&Value::Array(events.clone())).expect("json");
    let mut delivered = false;
    for attempt in 1..=sim.config.webhook_attempts.max(1) {
        let mut request = sim
            .hooks
            .http
            .post(&url)
            .header("Content-Type", "application/json")
            .body(body.clone());
        if let Some(secret) = &secret {
            request = request.header(SIGNATURE_HEADER, sign(secret.as_bytes(), body.as_bytes()));
        }
        let result = request.send().await;
        let (status, error) = match &result {
            Ok(r) => (Some(r.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        sim.hooks.record(DeliveryRecord {
            webhook_id: webhook_id.clone(),
            attempt,
            at: sim.clock.now(),
            events: events.len(),
            status,
            error,
        });
        if status.is_some_and(|s| (200..300).contains(&s)) {
            delivered = true;
            break;
        }
        if attempt < sim.config.webhook_attempts {
            tokio::time::sleep(sim.config.webhook_retry_delay * attempt).await;
        }
    }
    let mut world = sim.write();
    let Some(hook) = world
        .account_mut(&account_id)
        .and_then(|a| a.webhooks.iter_mut().find(|h| h.hook.id == webhook_id))
    else {
        return;
    };
    if delivered {
        hook.consecutive_failures = 0;
    } else {
        hook.consecutive_failures += 1;
        if hook.consecutive_failures >= sim.config.webhook_suspend_after {
            hook.hook.status = WebhookStatus::Suspended;
            tracing::info!(webhook = %webhook_id, "webhook suspended after repeated delivery failures");
        }
    }
}
