//! Webhook registration. With a `secret`, the hook URL must pass the handshake before the
//! hook is stored; only `status` can be changed afterwards.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use serde_json::Value;
use wrike_api::models::*;

use super::{mutate, read, split_ids};
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::SimWebhook;

enum Target {
    Account,
    Folder(String),
    Space(String),
}

async fn create(sim: Arc<Sim>, c: Caller, target: Target, p: Params) -> ApiResult {
    p.allow(&[
        "hookUrl",
        "secret",
        "events",
        "recursive",
        "parameterisedEvents",
        "customItemTypes",
        "fields",
    ])?;
    super::refuse_unsimulated(&p, &["parameterisedEvents", "customItemTypes", "fields"])?;
    let hook_url = p.required("hookUrl")?;
    let parsed = url::Url::parse(&hook_url).map_err(|e| {
        ApiError::invalid_parameter("hookUrl", &format!("'{hook_url}' is not a URL: {e}"))
    })?;
    let scheme_ok =
        parsed.scheme() == "https" || (parsed.scheme() == "http" && sim.config.allow_http_hooks);
    if !scheme_ok {
        return Err(ApiError::invalid_parameter(
            "hookUrl",
            "must be an https URL",
        ));
    }
    let events: Option<Vec<WebhookEventType>> = p.list("events")?.map(|v| {
        v.iter()
            .map(|e| WebhookEventType::from(e.as_str()))
            .collect()
    });
    if let Some(bad) = events.iter().flatten().find(|e| !e.is_known()) {
        return Err(ApiError::invalid_parameter(
            "events",
            &format!("unknown event type '{bad}'"),
        ));
    }
    let recursive = p.bool("recursive")?;
    if recursive.is_some() && !matches!(target, Target::Folder(_)) {
        return Err(ApiError::invalid_parameter(
            "recursive",
            "only folder webhooks take recursive",
        ));
    }
    let secret = p.text("secret").filter(|s| !s.is_empty());
    read(&sim, &c, |account, _| match &target {
        Target::Folder(id) => account
            .folder(id)
            .map(drop)
            .ok_or_else(|| ApiError::not_found(&format!("Folder {id}"))),
        Target::Space(id) => account
            .spaces
            .iter()
            .find(|s| &s.id == id)
            .map(drop)
            .ok_or_else(|| ApiError::not_found(&format!("Space {id}"))),
        Target::Account => Ok(()),
    })?;
    if let Some(secret) = &secret {
        sim.hooks
            .handshake(&hook_url, secret)
            .await
            .map_err(|why| {
                ApiError::invalid_request(&format!("Webhook secret verification failed: {why}"))
            })?;
    }
    let hook = mutate(&sim, &c, |account, _| {
        let seq = account.allocate();
        let hook = Webhook {
            id: crate::ids::entity(account.id(), "JA", seq),
            account_id: Some(account.id().to_owned()),
            folder_id: if let Target::Folder(id) = &target {
                Some(id.clone())
            } else {
                None
            },
            space_id: if let Target::Space(id) = &target {
                Some(id.clone())
            } else {
                None
            },
            hook_url: hook_url.clone(),
            events: events.clone(),
            recursive: Some(recursive.unwrap_or(false)),
            status: WebhookStatus::Active,
        };
        account.webhooks.push(SimWebhook {
            hook: hook.clone(),
            secret: secret.clone(),
            consecutive_failures: 0,
        });
        Ok((hook, Vec::new()))
    })?;
    envelope("webhooks", vec![hook])
}

pub async fn create_for_account(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    create(sim, c, Target::Account, p).await
}

pub async fn create_for_folder(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    create(sim, c, Target::Folder(id), p).await
}

pub async fn create_for_space(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    create(sim, c, Target::Space(id), p).await
}

pub async fn list(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        envelope(
            "webhooks",
            account.webhooks.iter().map(|h| h.hook.clone()).collect(),
        )
    })
}

pub async fn by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let ids = split_ids(&ids)?;
    read(&sim, &c, |account, _| {
        let data: Vec<_> = super::by_ids(&account.webhooks, &ids, |h| &h.hook.id, "Webhook")?
            .into_iter()
            .map(|h| h.hook.clone())
            .collect();
        envelope("webhooks", data)
    })
}

pub async fn update(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    if let Some(other) = p
        .names()
        .find(|n| !["status", "access_token", "method"].contains(n))
    {
        return Err(ApiError::invalid_request(&format!(
            "Only 'status' can be changed on a webhook ('{other}' given); delete and recreate it instead"
        )));
    }
    let status = WebhookStatus::from(p.required("status")?.as_str());
    if !status.is_known() {
        return Err(ApiError::invalid_parameter(
            "status",
            &format!("expected Active or Suspended, got '{status}'"),
        ));
    }
    let hook = mutate(&sim, &c, |account, _| {
        let hook = account
            .webhooks
            .iter_mut()
            .find(|h| h.hook.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Webhook {id}")))?;
        hook.hook.status = status.clone();
        hook.consecutive_failures = 0;
        Ok((hook.hook.clone(), Vec::new()))
    })?;
    envelope("webhooks", vec![hook])
}

pub async fn delete(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    mutate(&sim, &c, |account, _| {
        let before = account.webhooks.len();
        account.webhooks.retain(|h| h.hook.id != id);
        if before == account.webhooks.len() {
            return Err(ApiError::not_found(&format!("Webhook {id}")));
        }
        Ok(((), Vec::new()))
    })?;
    envelope::<Value>("webhooks", Vec::new())
}
