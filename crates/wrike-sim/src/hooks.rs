//! Webhook deliveries: events are matched to hooks when they happen, queued, batched per
//! hook into one JSON array, signed, POSTed, retried, and a hook that keeps failing is
//! suspended.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use wrike_api::models::{WebhookEventType, WebhookStatus};
use wrike_api::webhook::{SECRET_HEADER, SIGNATURE_HEADER, sign};

use crate::sim::Sim;
use crate::world::AccountData;

/// An event about to be matched against hooks.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub event_type: WebhookEventType,
    pub author: String,
    pub task_id: Option<String>,
    pub folder_id: Option<String>,
    pub extra: Map<String, Value>,
}

impl EventDraft {
    pub fn task(event_type: WebhookEventType, author: &str, task_id: &str, extra: Value) -> Self {
        EventDraft {
            event_type,
            author: author.into(),
            task_id: Some(task_id.into()),
            folder_id: None,
            extra: extra.as_object().cloned().unwrap_or_default(),
        }
    }
    pub fn folder(
        event_type: WebhookEventType,
        author: &str,
        folder_id: &str,
        extra: Value,
    ) -> Self {
        EventDraft {
            event_type,
            author: author.into(),
            task_id: None,
            folder_id: Some(folder_id.into()),
            extra: extra.as_object().cloned().unwrap_or_default(),
        }
    }
}

/// One delivery attempt, for `/_sim/webhook_deliveries`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub webhook_id: String,
    pub attempt: u32,
    pub at: DateTime<Utc>,
    pub events: usize,
    pub status: Option<u16>,
    pub error: Option<String>,
}

struct Queued {
    webhook_id: String,
    account_id: String,
    event: Value,
}

/// The delivery queue and its log.
pub struct HookQueue {
    sim: Weak<Sim>,
    tx: mpsc::UnboundedSender<Queued>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Queued>>>,
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
    http: reqwest::Client,
}

impl HookQueue {
    pub fn new(sim: Weak<Sim>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("static client");
        HookQueue {
            sim,
            tx,
            rx: Mutex::new(Some(rx)),
            deliveries: Mutex::new(Vec::new()),
            http,
        }
    }

    /// Starts the delivery worker (once; later calls do nothing).
    pub fn start(&self) {
        let Some(mut rx) = self.rx.lock().expect("rx lock").take() else {
            return;
        };
        let sim = self.sim.clone();
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

    /// Matches events to the account's active hooks and queues them.
    pub fn emit(&self, account: &AccountData, drafts: Vec<EventDraft>, now: DateTime<Utc>) {
        for draft in drafts {
            for hook in account
                .webhooks
                .iter()
                .filter(|h| h.hook.status == WebhookStatus::Active)
            {
                if let Some(events) = &hook.hook.events
                    && !events.contains(&draft.event_type)
                {
                    continue;
                }
                let recursive = hook.hook.recursive.unwrap_or(false);
                let in_scope = match (&hook.hook.folder_id, &hook.hook.space_id) {
                    (Some(folder), _) | (None, Some(folder)) => {
                        let recursive = recursive || hook.hook.space_id.is_some();
                        match (&draft.task_id, &draft.folder_id) {
                            (Some(task), _) => account
                                .task(task)
                                .is_some_and(|t| account.task_is_under(t, folder, recursive)),
                            (None, Some(f)) => f == folder || account.ancestors(f).contains(folder),
                            _ => false,
                        }
                    }
                    (None, None) => true,
                };
                if !in_scope {
                    continue;
                }
                let mut event = Map::new();
                if let Some(task) = &draft.task_id {
                    event.insert("taskId".into(), json!(task));
                }
                if let Some(folder) = &draft.folder_id {
                    event.insert("folderId".into(), json!(folder));
                }
                event.insert("webhookId".into(), json!(hook.hook.id));
                event.insert("eventAuthorId".into(), json!(draft.author));
                event.insert("eventType".into(), json!(draft.event_type.as_str()));
                event.insert(
                    "lastUpdatedDate".into(),
                    json!(wrike_api::encode::timestamp(&now)),
                );
                event.extend(draft.extra.clone());
                let _ = self.tx.send(Queued {
                    webhook_id: hook.hook.id.clone(),
                    account_id: account.id().to_owned(),
                    event: Value::Object(event),
                });
            }
        }
    }

    fn record(&self, record: DeliveryRecord) {
        let mut log = self.deliveries.lock().expect("delivery lock");
        if log.len() >= 5_000 {
            log.remove(0);
        }
        log.push(record);
    }

    /// The secret handshake Wrike runs when a hook is registered with a secret.
    pub async fn handshake(&self, hook_url: &str, secret: &str) -> Result<(), String> {
        let challenge = crate::ids::secret(32);
        let response = self
            .http
            .post(hook_url)
            .header(SECRET_HEADER, &challenge)
            .header("Content-Type", "application/json")
            .body(r#"{"requestType": "WebHook secret verification"}"#)
            .send()
            .await
            .map_err(|e| format!("could not reach {hook_url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!(
                "{hook_url} answered HTTP {}",
                response.status().as_u16()
            ));
        }
        let expected = sign(secret.as_bytes(), challenge.as_bytes());
        let answer = response
            .headers()
            .get(SECRET_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if answer != expected {
            return Err(format!(
                "{hook_url} did not answer the {SECRET_HEADER} challenge correctly"
            ));
        }
        Ok(())
    }
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
