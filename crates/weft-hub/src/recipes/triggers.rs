//! Triggers: setting a running recipe's trigger up in Wrike or in the hub's schedules, and
//! turning what arrives (a webhook delivery, a schedule occurrence, an inbound request, a
//! hub event) into runs.
//!
//! Webhook deliveries are checked against the hook's secret over the raw body before any
//! byte of it is parsed, and every event becomes a run (with its job) before the delivery is
//! acknowledged, keyed so that a delivery Wrike repeats starts nothing twice.

use secrecy::SecretString;
use serde_json::{Value, json};
use weft_core::recipe::{HubEvent, Recipe, Trigger};
use weft_core::schedule::Cadence;
use weft_core::secrets::random_token;
use weft_store::{RecipeHook, RecipeRecord, RecipeState, RetryPolicy, ScheduleSpec};
use wrike_api::models::WebhookEventType;
use wrike_api::requests::{NewWebhook, WebhookTarget};
use wrike_api::webhook;

use crate::error::{HubError, HubResult};
use crate::runtime::scheduler;
use crate::{Hub, connections, wrike};

use super::event_key::wrike_event_key;
use super::runs;

/// Job kind of a schedule occurrence of a recipe (it starts one run).
pub const FIRE: &str = "recipe.fire";
/// Job kind of the periodic look at every recipe webhook (re-enabling suspended ones).
pub const HOOKS: &str = "recipe.hooks";

/// The associated data a hook's secret is sealed with.
fn hook_aad(token: &str) -> String {
    format!("recipe-hook:{token}")
}

fn schedule_name(record: &RecipeRecord) -> String {
    format!("recipe:{}", record.id)
}

/// The path under the hub's URL where Wrike delivers a recipe's events.
pub fn wrike_hook_path(token: &str) -> String {
    format!("/hooks/wrike/{token}")
}

/// The path under the hub's URL where other systems call an `http` trigger.
pub fn http_hook_path(token: &str) -> String {
    format!("/hooks/http/{token}")
}

/// Sets up the trigger of a recipe about to run (again): any earlier set-up is taken down
/// first, so a new version's folder or events take effect.
pub async fn set_up(hub: &Hub, record: &RecipeRecord, recipe: &Recipe) -> HubResult<()> {
    take_down(hub, record).await?;
    match &recipe.trigger.value {
        Trigger::Wrike(spec) => {
            let connection = connections::find(hub, &recipe.connection.value).await?;
            let token = random_token();
            let secret = random_token();
            let now = hub.clock.now_s();
            // Stored before Wrike is asked: Wrike sends the handshake while the create call
            // is still open, and the hook must find its secret to answer it.
            let mut hook = RecipeHook {
                recipe_id: record.id,
                kind: "wrike".into(),
                connection_id: connection.id.clone(),
                token: token.clone(),
                secret: hub.key()?.seal(&hook_aad(&token), secret.as_bytes()),
                webhook_id: None,
                status: "registering".into(),
                updated_at: now,
            };
            hub.store.recipes().save_hook(&hook).await?;
            let client = wrike::client_for(hub, &connection).await?;
            let target = match (&spec.folder, &spec.space) {
                (Some(folder), _) => WebhookTarget::Folder(folder.clone()),
                (None, Some(space)) => WebhookTarget::Space(space.clone()),
                (None, None) => WebhookTarget::Account,
            };
            let events = (!spec.events.is_empty()).then(|| {
                spec.events
                    .iter()
                    .map(|e| WebhookEventType::from(e.as_str()))
                    .collect()
            });
            let created = client
                .create_webhook(
                    &target,
                    &NewWebhook {
                        hook_url: format!("{}{}", hub.policy.public_url, wrike_hook_path(&token)),
                        secret: Some(SecretString::from(secret)),
                        events,
                        recursive: spec.recursive.then_some(true),
                    },
                )
                .await
                .map_err(|e| {
                    HubError::wrike(
                        format!("registering the webhook of recipe {}", record.name),
                        e,
                    )
                })?;
            hook.webhook_id = Some(created.id);
            hook.status = created.status.as_str().to_owned();
            hook.updated_at = hub.clock.now_s();
            hub.store.recipes().save_hook(&hook).await?;
            if super::sweep::wants(spec) {
                super::sweep::begin(hub, record).await?;
            }
        }
        Trigger::Http(_) => {
            let token = random_token();
            let secret = random_token();
            hub.store
                .recipes()
                .save_hook(&RecipeHook {
                    recipe_id: record.id,
                    kind: "http".into(),
                    connection_id: String::new(),
                    secret: hub.key()?.seal(&hook_aad(&token), secret.as_bytes()),
                    token,
                    webhook_id: None,
                    status: "Active".into(),
                    updated_at: hub.clock.now_s(),
                })
                .await?;
        }
        Trigger::Schedule(s) => {
            let cadence = Cadence::cron(&s.cron, s.timezone.as_deref().unwrap_or("UTC"))
                .map_err(HubError::Invalid)?;
            declare(hub, record, cadence, FIRE).await?;
        }
        Trigger::Poll(p) => {
            let cadence =
                Cadence::every_seconds(u64::from(p.every_seconds)).map_err(HubError::Invalid)?;
            declare(hub, record, cadence, super::poll::POLL).await?;
        }
        Trigger::Hub(h) if h.event == HubEvent::UserInactive => {
            super::idle::start_looking(hub, record).await?;
        }
        Trigger::Hub(_) => {}
    }
    Ok(())
}

async fn declare(hub: &Hub, record: &RecipeRecord, cadence: Cadence, kind: &str) -> HubResult<()> {
    scheduler::declare(
        hub,
        &ScheduleSpec {
            name: schedule_name(record),
            kind: kind.into(),
            payload: json!({"recipe": record.id}),
            cadence,
            priority: 0,
            retry: RetryPolicy::ONCE,
            enabled: true,
        },
    )
    .await
}

/// Takes a recipe's trigger down: deletes its Wrike webhook (one Wrike already forgot is
/// fine) and its schedule.
pub async fn take_down(hub: &Hub, record: &RecipeRecord) -> HubResult<()> {
    if let Some(hook) = hub.store.recipes().hook_of(record.id).await? {
        if let Some(webhook_id) = &hook.webhook_id
            && let Ok(connection) = connections::by_id(hub, &hook.connection_id).await
        {
            let client = wrike::client_for(hub, &connection).await?;
            match client.delete_webhook(webhook_id).await {
                Ok(()) | Err(wrike_api::WrikeError::NotFound { .. }) => {}
                Err(e) => {
                    return Err(HubError::wrike(
                        format!("deleting the webhook of recipe {}", record.name),
                        e,
                    ));
                }
            }
        }
        hub.store.recipes().remove_hook(record.id).await?;
    }
    hub.store.schedules().remove(&schedule_name(record)).await?;
    Ok(())
}

/// The plaintext secret of a hook (remembered among the secrets runs never keep).
fn hook_secret(hub: &Hub, hook: &RecipeHook) -> HubResult<Vec<u8>> {
    let secret = hub
        .key()?
        .open(&hook_aad(&hook.token), &hook.secret)
        .map_err(|_| {
            HubError::Internal(format!(
                "the secret of hook {} does not open with this key",
                hook.token
            ))
        })?;
    if let Ok(text) = std::str::from_utf8(&secret) {
        hub.secrets.register(text);
        hub.secrets.register(&super::inbound::shown_secret(&secret));
    }
    Ok(secret)
}

/// What the receiving route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The handshake: answer 200 with this value in `X-Hook-Secret`.
    Handshake(String),
    /// Events taken: how many runs were started, how many were repeats, and the answer to
    /// a challenge the delivery carried (Wrike may send one with events too).
    Accepted {
        started: usize,
        repeated: usize,
        answer: Option<String>,
    },
}

/// Handles one Wrike delivery to `/hooks/wrike/{token}`. `signature` is `X-Hook-Signature`,
/// `challenge` is `X-Hook-Secret`. Nothing is parsed before the signature (or, for the
/// handshake, the challenge) checks out.
pub async fn receive_wrike(
    hub: &Hub,
    token: &str,
    signature: Option<&str>,
    challenge: Option<&str>,
    raw_body: &[u8],
) -> HubResult<Delivery> {
    let unknown = || HubError::NotFound {
        what: "this webhook".into(),
    };
    // Only a Wrike hook's token is found here: an `http` trigger's secret never answers a
    // handshake, which would sign whatever challenge an outsider sent.
    let hook = hub
        .store
        .recipes()
        .hook_by_token("wrike", token)
        .await?
        .ok_or_else(unknown)?;
    let secret = hook_secret(hub, &hook)?;
    let signed = signature.is_some_and(|s| webhook::verify_signature(&secret, raw_body, s));
    let mut answer = None;
    if let Some(challenge) = challenge {
        // The handshake carries no signature; any event may also carry a challenge, which
        // is answered the same way once the body is proven. A challenge this hub cannot
        // answer fails only an unsigned handshake: a signed delivery's events are taken.
        let answered = webhook::answer_handshake(&secret, challenge);
        if !signed && webhook::is_handshake(raw_body) {
            return answered
                .map(Delivery::Handshake)
                .map_err(|e| HubError::Invalid(e.to_string()));
        }
        answer = answered.ok();
    }
    if !signed {
        return Err(HubError::Forbidden(
            "the delivery's X-Hook-Signature does not match its body".into(),
        ));
    }
    let events = webhook::parse_events(raw_body).map_err(|e| HubError::Invalid(e.to_string()))?;
    let record = hub
        .store
        .recipes()
        .get(hook.recipe_id)
        .await?
        .ok_or_else(unknown)?;
    let (mut started, mut repeated) = (0, 0);
    for event in events {
        let value = serde_json::to_value(&event).unwrap_or(Value::Null);
        let key = wrike_event_key(&value);
        match runs::start(
            hub,
            &record,
            &key,
            value,
            &format!("webhook {}", hook.webhook_id.as_deref().unwrap_or(token)),
        )
        .await?
        {
            weft_store::RunStarted::New { .. } => started += 1,
            weft_store::RunStarted::Duplicate { .. } => repeated += 1,
        }
    }
    Ok(Delivery::Accepted {
        started,
        repeated,
        answer,
    })
}

/// Handles a call to an `http` trigger, signed as `inbound` describes: the signature over
/// the id, the time and the raw body is checked before anything reads the body, and the
/// id keys the run, so a repeated call starts nothing twice.
pub async fn receive_http(
    hub: &Hub,
    token: &str,
    signed: &super::inbound::Signed<'_>,
    raw_body: &[u8],
) -> HubResult<weft_store::RunStarted> {
    let hook = hub
        .store
        .recipes()
        .hook_by_token("http", token)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: "this endpoint".into(),
        })?;
    let secret = hook_secret(hub, &hook)?;
    let id = super::inbound::verify(&secret, signed, raw_body, hub.clock.now_s())
        .map_err(HubError::Forbidden)?;
    let body: Value = serde_json::from_slice(raw_body)
        .map_err(|e| HubError::Invalid(format!("the body is not JSON: {e}")))?;
    let record = hub
        .store
        .recipes()
        .get(hook.recipe_id)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: "this endpoint".into(),
        })?;
    runs::start(hub, &record, &format!("http:{id}"), body, "inbound request").await
}

/// An `http` trigger's URL path and secret, for the recipe's page (Admins and Analysts).
pub async fn http_endpoint(
    hub: &Hub,
    record: &RecipeRecord,
) -> HubResult<Option<(String, String)>> {
    let Some(hook) = hub.store.recipes().hook_of(record.id).await? else {
        return Ok(None);
    };
    if record.trigger_kind != "http" {
        return Ok(None);
    }
    let secret = super::inbound::shown_secret(&hook_secret(hub, &hook)?);
    Ok(Some((http_hook_path(&hook.token), secret)))
}

/// Starts a run for one occurrence of a recipe's schedule.
pub(crate) async fn fire(
    hub: &Hub,
    recipe_id: i64,
    occurrence: &str,
) -> HubResult<Option<weft_store::RunStarted>> {
    let Some(record) = hub.store.recipes().get(recipe_id).await? else {
        return Ok(None);
    };
    if record.state == RecipeState::Stopped {
        return Ok(None);
    }
    let event = json!({"scheduledAt": occurrence, "firedAt": hub.clock.now_s()});
    Ok(Some(
        runs::start(
            hub,
            &record,
            &format!("schedule:{occurrence}"),
            event,
            "schedule",
        )
        .await?,
    ))
}

/// Starts the runs of every running recipe with a `hub` trigger on `event`.
pub async fn hub_event(
    hub: &Hub,
    event: weft_core::recipe::HubEvent,
    key: &str,
    payload: Value,
) -> HubResult<usize> {
    let mut started = 0;
    for record in hub.store.recipes().list().await? {
        if record.state == RecipeState::Stopped || record.trigger_kind != "hub" {
            continue;
        }
        let recipe = super::records::parsed(&record)?;
        if matches!(&recipe.trigger.value, Trigger::Hub(h) if h.event == event)
            && matches!(
                runs::start(
                    hub,
                    &record,
                    &format!("hub:{}:{key}", event.as_str()),
                    payload.clone(),
                    "hub event"
                )
                .await?,
                weft_store::RunStarted::New { .. }
            )
        {
            started += 1;
        }
    }
    Ok(started)
}

/// What a look at the recipes' webhooks did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HookCheck {
    /// Hooks set active again or registered anew.
    pub repaired: usize,
    /// Runs the sweep started for task creations no delivery started.
    pub caught_up: usize,
}

/// Looks at every registered recipe webhook in Wrike: one Wrike suspended (after failed
/// deliveries) is set active again, one Wrike no longer has is registered anew; then the
/// tasks created in each hook's scope since the last look that no delivery announced start
/// their runs (see `sweep`).
pub async fn check_hooks(hub: &Hub) -> HubResult<HookCheck> {
    let mut checked = HookCheck::default();
    for hook in hub.store.recipes().hooks().await? {
        let Some(webhook_id) = &hook.webhook_id else {
            continue;
        };
        let Some(record) = hub.store.recipes().get(hook.recipe_id).await? else {
            continue;
        };
        if record.state == RecipeState::Stopped {
            continue;
        }
        let Ok(connection) = connections::by_id(hub, &hook.connection_id).await else {
            continue;
        };
        let client = wrike::client_for(hub, &connection).await?;
        let known = match client.webhooks().await {
            Ok(all) => all,
            Err(e) => {
                tracing::warn!(recipe = %record.name, error = %e, "listing webhooks to check them");
                continue;
            }
        };
        let recipe = super::records::parsed(&record)?;
        match known.iter().find(|w| &w.id == webhook_id) {
            Some(w) if w.status == wrike_api::models::WebhookStatus::Suspended => {
                client
                    .set_webhook_status(webhook_id, wrike_api::models::WebhookStatus::Active)
                    .await
                    .map_err(|e| {
                        HubError::wrike(
                            format!("re-enabling the webhook of recipe {}", record.name),
                            e,
                        )
                    })?;
                let mut hook = hook.clone();
                hook.status = "Active".into();
                hook.updated_at = hub.clock.now_s();
                hub.store.recipes().save_hook(&hook).await?;
                tracing::info!(recipe = %record.name, webhook = %webhook_id, "re-enabled a suspended webhook");
                checked.repaired += 1;
            }
            Some(_) => {}
            None => {
                set_up(hub, &record, &recipe).await?;
                tracing::info!(recipe = %record.name, "registered again a webhook Wrike no longer had");
                checked.repaired += 1;
            }
        }
        if let Trigger::Wrike(spec) = &recipe.trigger.value {
            match super::sweep::created_tasks(hub, &client, &record, spec, webhook_id).await {
                Ok(n) => checked.caught_up += n,
                Err(error) => {
                    tracing::warn!(recipe = %record.name, %error, "sweeping for task creations")
                }
            }
        }
    }
    Ok(checked)
}
