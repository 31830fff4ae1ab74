//! License policies over the JSON API: list, check a file (problems or diff), apply, show,
//! remove, evaluate ("idle under this policy"), and plan its reclaims; and how current a
//! connection's usage data is.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use weft_hub::connections;
use weft_hub::usage::{freshness, policies};

use super::{ApiJson, Paging};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// A policy file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The YAML text.
    pub text: String,
    /// What to call the file in problems (`policy.yaml` unless given).
    #[serde(default)]
    pub file: Option<String>,
}

/// Policies, by name
#[utoipa::path(get, path = "/api/v1/policies", tag = "policies", params(Paging),
    responses((status = 200, body = Page<wire::policies::Policy>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiJson<Page<wire::policies::Policy>> {
    let all = policies::list(&state.hub)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(paging.slice(all)?))
}

/// Check a policy file against its connection's account: 200 with how it differs from the
/// applied policy, 422 with every problem
#[utoipa::path(post, path = "/api/v1/policies/check", tag = "policies", request_body = PolicyFile,
    responses((status = 200, body = wire::policies::PolicyCheck),
        (status = 422, description = "The file has problems", body = wire::policies::PolicyCheck)))]
pub async fn check(
    State(state): State<AppState>,
    Json(body): Json<PolicyFile>,
) -> Result<(StatusCode, Json<wire::policies::PolicyCheck>), ApiError> {
    let file = body.file.as_deref().unwrap_or("policy.yaml");
    match policies::check(&state.hub, file, &body.text).await? {
        Err(problems) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(wire::policies::PolicyCheck {
                valid: false,
                problems: Some(problems),
                diff: None,
            }),
        )),
        Ok(checked) => Ok((
            StatusCode::OK,
            Json(wire::policies::PolicyCheck {
                valid: true,
                problems: None,
                diff: Some(policies::diff(&state.hub, &checked).await?),
            }),
        )),
    }
}

/// Apply a policy file under its name (a new version unless nothing changed); the file's
/// `name` must be the one in the path
#[utoipa::path(put, path = "/api/v1/policies/{name}", tag = "policies", request_body = PolicyFile,
    params(("name" = String, Path, description = "The policy's name")),
    responses((status = 200, body = wire::policies::PolicyApplied),
        (status = 422, description = "The file has problems", body = wire::policies::PolicyCheck)))]
pub async fn apply(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Json(body): Json<PolicyFile>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let file = body.file.as_deref().unwrap_or("policy.yaml");
    let checked = match policies::check(&state.hub, file, &body.text).await? {
        Err(problems) => {
            let answer = wire::policies::PolicyCheck {
                valid: false,
                problems: Some(problems),
                diff: None,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response());
        }
        Ok(c) => c,
    };
    if checked.resolved.policy.name != name {
        return Err(ApiError::bad_request(format!(
            "name: the file names policy {:?}, the path {name:?}",
            checked.resolved.policy.name
        )));
    }
    let (policy, changed) = policies::apply(&state.hub, &caller.actor(), &checked).await?;
    Ok(Json(wire::policies::PolicyApplied {
        policy: policy.into(),
        changed,
    })
    .into_response())
}

/// A policy as applied
#[utoipa::path(get, path = "/api/v1/policies/{name}", tag = "policies",
    params(("name" = String, Path, description = "The policy's name")),
    responses((status = 200, body = wire::policies::Policy)))]
pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiJson<wire::policies::Policy> {
    Ok(Json(policies::get(&state.hub, &name).await?.into()))
}

/// Remove a policy
#[utoipa::path(delete, path = "/api/v1/policies/{name}", tag = "policies",
    params(("name" = String, Path, description = "The policy's name")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    policies::remove(&state.hub, &caller.actor(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// List every person judged, not only the flagged.
    pub everyone: Option<bool>,
}

/// Who a policy flags now, and why everyone else is not flagged
#[utoipa::path(get, path = "/api/v1/policies/{name}/evaluation", tag = "policies",
    params(("name" = String, Path, description = "The policy's name"), EvaluationQuery),
    responses((status = 200, body = wire::policies::Evaluation)))]
pub async fn evaluation(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<EvaluationQuery>,
) -> ApiJson<wire::policies::Evaluation> {
    let evaluation = policies::evaluate(&state.hub, &name, q.everyone.unwrap_or(false)).await?;
    Ok(Json(evaluation.into()))
}

/// Plan reclaims of everyone a policy flags now (one plan per change), for an Admin to
/// confirm; refused on stale usage data
#[utoipa::path(post, path = "/api/v1/policies/{name}/reclaims", tag = "policies",
    params(("name" = String, Path, description = "The policy's name")),
    responses((status = 201, body = Vec<wire::usage::ReclaimPlan>)))]
pub async fn plan_reclaims(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<Vec<wire::usage::ReclaimPlan>>), ApiError> {
    let plans = weft_hub::usage::reclaim::plan_policy(&state.hub, &caller.actor(), &name).await?;
    let mut answer = Vec::with_capacity(plans.len());
    for plan in &plans {
        answer.push(wire::usage::ReclaimPlan::load(&state.hub, plan).await?);
    }
    Ok((StatusCode::CREATED, Json(answer)))
}

/// When each usage source of a connection last synced, and whether the data is too old
/// to act on
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/freshness", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 200, body = wire::policies::Freshness)))]
pub async fn freshness(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiJson<wire::policies::Freshness> {
    let connection = connections::find(&state.hub, &id).await?;
    Ok(Json(freshness::of(&state.hub, &connection).await?.into()))
}
