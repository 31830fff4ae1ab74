//! Webhook deliveries: events are matched to hooks when they happen, queued, batched per
//! hook into one JSON array, signed, POSTed, retried, and a hook that keeps failing is
//! suspended.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use wrike_api::models::{WebhookEventType, WebhookStatus};
use wrike_api::webhook::{SECRET_HEADER, sign};

use crate::world::AccountData;

/// An event about to be matched against hooks.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub event_type: WebhookEventType,
    pub author: String,
    pub task_id: Option<String>,
    pub folder_id: Option<String>,
    pub extra: Map<String, Value>,
    /// Where the subject sat before the change (its parents), for changes that take it out
    /// of a folder: a hook on that folder still hears of the deletion or the move.
    pub was_in: Vec<String>,
}

impl EventDraft {
    pub fn task(event_type: WebhookEventType, author: &str, task_id: &str, extra: Value) -> Self {
        EventDraft {
            event_type,
            author: author.into(),
            task_id: Some(task_id.into()),
            folder_id: None,
            extra: extra.as_object().cloned().unwrap_or_default(),
            was_in: Vec::new(),
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
            was_in: Vec::new(),
        }
    }

    /// The same event, for a subject that sat in `parents` before the change.
    pub fn was_in(mut self, parents: &[String]) -> Self {
        self.was_in = parents.to_vec();
        self
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

pub(crate) struct Queued {
    pub webhook_id: String,
    pub account_id: String,
    pub event: Value,
}

/// The delivery queue and its log.
pub struct HookQueue {
    tx: mpsc::UnboundedSender<Queued>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Queued>>>,
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
    pub(crate) http: reqwest::Client,
}

impl HookQueue {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("static client");
        HookQueue {
            tx,
            rx: Mutex::new(Some(rx)),
            deliveries: Mutex::new(Vec::new()),
            http,
        }
    }

    /// The receiving end of the queue, for the delivery worker (once; then None).
    pub(crate) fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<Queued>> {
        self.rx.lock().expect("rx lock").take()
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
                        // Scope is judged before and after the change: a task deleted or
                        // moved out of the folder is no longer under it afterwards.
                        let was_under = draft.was_in.iter().any(|p| {
                            p == folder || (recursive && account.ancestors(p).contains(folder))
                        });
                        was_under
                            || match (&draft.task_id, &draft.folder_id) {
                                (Some(task), _) => account
                                    .task(task)
                                    .is_some_and(|t| account.task_is_under(t, folder, recursive)),
                                (None, Some(f)) => {
                                    f == folder || account.ancestors(f).contains(folder)
                                }
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

    pub(crate) fn record(&self, record: DeliveryRecord) {
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
