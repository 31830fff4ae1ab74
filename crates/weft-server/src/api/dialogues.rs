//! The reclaim dialogue over the JSON API: start and stop a policy's dialogue (Admins), the
//! board of everyone in one, one person, and taking someone out.

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use weft_hub::usage::dialogue;
use weft_store::DialogueFilter;

use super::{ApiJson, cursor_limit};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// Start a policy's reclaim dialogue: the people it flags now are asked (or, silent, put
/// before an Admin), and after every sync newly flagged people join. Refused on stale
/// usage data, and for a policy that asks first when the hub sends no e-mail
#[utoipa::path(post, path = "/api/v1/policies/{name}/dialogue/start", tag = "policies",
    params(("name" = String, Path, description = "The policy's name")),
    responses((status = 200, body = wire::policies::Policy)))]
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiJson<wire::policies::Policy> {
    Ok(Json(
        dialogue::start(&state.hub, &caller.actor(), &name)
            .await?
            .into(),
    ))
}

/// Stop a policy's dialogue taking new people (those in it go on to their end)
#[utoipa::path(post, path = "/api/v1/policies/{name}/dialogue/stop", tag = "policies",
    params(("name" = String, Path, description = "The policy's name")),
    responses((status = 200, body = wire::policies::Policy)))]
pub async fn stop(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiJson<wire::policies::Policy> {
    Ok(Json(
        dialogue::stop(&state.hub, &caller.actor(), &name)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// Only this policy's dialogue.
    pub policy: Option<String>,
    /// Only people in this state (pending, notified, reminded, kept, released, escalated,
    /// applied, failed, cancelled).
    pub state: Option<String>,
    /// Items per page (100 unless given).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many items to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The board: everyone in a reclaim dialogue, newest first
#[utoipa::path(get, path = "/api/v1/dialogues", tag = "policies", params(BoardQuery),
    responses((status = 200, body = Page<wire::dialogues::Dialogue>)))]
pub async fn board(
    State(state): State<AppState>,
    Query(q): Query<BoardQuery>,
) -> ApiJson<Page<wire::dialogues::Dialogue>> {
    let limit = cursor_limit(q.limit)?;
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::bad_request(format!(
            "offset={offset}: expected 0 or more"
        )));
    }
    let filter = DialogueFilter {
        policy: q.policy,
        state: q.state,
        limit,
        offset,
    };
    let (rows, total) = dialogue::board(&state.hub, &filter).await?;
    Ok(Json(Page::by_offset(
        rows.into_iter().map(Into::into).collect(),
        total,
        limit,
        offset,
    )))
}

/// One person in a reclaim dialogue
#[utoipa::path(get, path = "/api/v1/dialogues/{id}", tag = "policies",
    params(("id" = String, Path, description = "The dialogue's id")),
    responses((status = 200, body = wire::dialogues::Dialogue)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiJson<wire::dialogues::Dialogue> {
    Ok(Json(dialogue::get(&state.hub, &id).await?.into()))
}

/// Take someone out of a dialogue (excluded from its reclaim plan if one waits)
#[utoipa::path(post, path = "/api/v1/dialogues/{id}/cancel", tag = "policies",
    params(("id" = String, Path, description = "The dialogue's id")),
    responses((status = 200, body = wire::dialogues::Dialogue)))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiJson<wire::dialogues::Dialogue> {
    Ok(Json(
        dialogue::cancel(&state.hub, &caller.actor(), &id)
            .await?
            .into(),
    ))
}
