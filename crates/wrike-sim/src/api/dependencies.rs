//! Dependencies between tasks: listed per task, read by id, created, changed and deleted,
//! kept in step with each task's `dependencyIds`.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use wrike_api::models::*;

use super::{by_ids, mutate, read, split_ids};
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::AccountData;

/// A dependency's id as Wrike builds it (the repository's dependencies sample): the two
/// task ids, each behind a two-letter tag.
fn dependency_id(predecessor: &str, successor: &str) -> String {
    let tail = |id: &str| id.get(2..).unwrap_or(id).to_owned();
    format!("Mg{}Mw{}", tail(predecessor), tail(successor))
}

fn relation(p: &Params) -> Result<Option<RelationType>, ApiError> {
    match p.text("relationType") {
        None => Ok(None),
        Some(text) => {
            let relation = RelationType::from(text.as_str());
            if relation.is_known() {
                Ok(Some(relation))
            } else {
                Err(ApiError::invalid_parameter(
                    "relationType",
                    &format!("unknown relation type '{text}'"),
                ))
            }
        }
    }
}

fn lag(p: &Params) -> Result<Option<i64>, ApiError> {
    match p.number("lagTime")? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && n.abs() < 1.0e9 => Ok(Some(n as i64)),
        Some(n) => Err(ApiError::invalid_parameter(
            "lagTime",
            &format!("must be a whole number of minutes, got {n}"),
        )),
    }
}

/// Keeps both tasks' `dependencyIds` in step with the account's dependencies.
fn link(account: &mut AccountData, d: &Dependency, add: bool) {
    for task in [&d.predecessor_id, &d.successor_id] {
        if let Some(t) = account.task_mut(task) {
            let ids = t.dependency_ids.get_or_insert_with(Vec::new);
            ids.retain(|x| x != &d.id);
            if add {
                ids.push(d.id.clone());
            }
        }
    }
}

/// `GET /tasks/{id}/dependencies`: every dependency the task is part of.
pub async fn of_task(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        account
            .task(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))?;
        envelope(
            "dependencies",
            account
                .dependencies
                .iter()
                .filter(|d| d.predecessor_id == id || d.successor_id == id)
                .cloned()
                .collect(),
        )
    })
}

/// `POST /tasks/{id}/dependencies`: the task with `predecessorId` before it, or
/// `successorId` after it (exactly one), `relationType` (FinishToStart when absent).
pub async fn create(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["predecessorId", "successorId", "relationType", "lagTime"])?;
    let relation = relation(&p)?.unwrap_or(RelationType::FinishToStart);
    let lag_time = lag(&p)?;
    let (predecessor, successor) = match (p.text("predecessorId"), p.text("successorId")) {
        (Some(before), None) => (before, id.clone()),
        (None, Some(after)) => (id.clone(), after),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_request(
                "give predecessorId or successorId, not both",
            ));
        }
        (None, None) => return Err(ApiError::parameter_required("predecessorId")),
    };
    mutate(&sim, &c, |account, _| {
        for task in [&predecessor, &successor] {
            account
                .task(task)
                .ok_or_else(|| ApiError::not_found(&format!("Task {task}")))?;
        }
        if predecessor == successor {
            return Err(ApiError::invalid_request("a task cannot depend on itself"));
        }
        let dependency = Dependency {
            id: dependency_id(&predecessor, &successor),
            predecessor_id: predecessor.clone(),
            successor_id: successor.clone(),
            relation_type: relation,
            lag_time: Some(lag_time.unwrap_or(0)),
        };
        if account.dependencies.iter().any(|d| d.id == dependency.id) {
            return Err(ApiError::invalid_request(
                "these tasks already depend on each other",
            ));
        }
        account.dependencies.push(dependency.clone());
        link(account, &dependency, true);
        Ok((envelope("dependencies", vec![dependency]), Vec::new()))
    })?
}

/// `GET /dependencies/{ids}` (up to 100).
pub async fn by_id(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let ids = split_ids(&ids)?;
    read(&sim, &c, |account, _| {
        let found = by_ids(&account.dependencies, &ids, |d| &d.id, "Dependency")?;
        envelope("dependencies", found.into_iter().cloned().collect())
    })
}

/// `PUT /dependencies/{id}`: a new `relationType` or `lagTime`.
pub async fn update(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["relationType", "lagTime"])?;
    let (relation, lag_time) = (relation(&p)?, lag(&p)?);
    mutate(&sim, &c, |account, _| {
        let d = account
            .dependencies
            .iter_mut()
            .find(|d| d.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Dependency {id}")))?;
        if let Some(r) = relation {
            d.relation_type = r;
        }
        if let Some(l) = lag_time {
            d.lag_time = Some(l);
        }
        Ok((envelope("dependencies", vec![d.clone()]), Vec::new()))
    })?
}

/// `DELETE /dependencies/{id}`: answers with what it deleted.
pub async fn delete(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    mutate(&sim, &c, |account, _| {
        let d = account
            .dependencies
            .iter()
            .find(|d| d.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&format!("Dependency {id}")))?;
        account.dependencies.retain(|x| x.id != id);
        link(account, &d, false);
        Ok((envelope("dependencies", vec![d]), Vec::new()))
    })?
}
