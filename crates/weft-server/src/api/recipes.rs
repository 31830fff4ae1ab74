//! Recipes and their runs in the JSON API, and the two public endpoints triggers receive
//! on: Wrike's webhook deliveries and other systems' calls. Those two are checked by
//! signature over the raw body, before anything reads it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use weft_hub::recipes::library::{self, SourceFile};
use weft_hub::recipes::{inbound, runs, triggers};
use weft_store::{RunFilter, RunStatus};
use wrike_api::webhook::{SECRET_HEADER, SIGNATURE_HEADER};

use super::ApiResult;
use super::jobs::instant_ms;
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;

/// Recipe files sent for checking, planning or applying.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesBody {
    pub files: Vec<FileBody>,
    /// With apply: remove recipes that no file has.
    #[serde(default)]
    pub prune: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileBody {
    /// A name for errors (a path).
    pub file: String,
    pub source: String,
}

fn files(body: FilesBody) -> Vec<SourceFile> {
    body.files
        .into_iter()
        .map(|f| SourceFile {
            file: f.file,
            source: f.source,
        })
        .collect()
}

pub async fn list(State(state): State<AppState>) -> ApiResult {
    let recipes = library::list(&state.hub).await?;
    let listed: Vec<_> = recipes
        .iter()
        .map(|r| {
            json!({"id": r.id, "name": r.name, "connection": r.connection_name, "trigger": r.trigger_kind,
                   "version": r.version, "state": r.state, "stateReason": r.state_reason,
                   "updatedAt": r.updated_at, "updatedBy": r.updated_by})
        })
        .collect();
    Ok(Json(json!({"recipes": listed})).into_response())
}

pub async fn show(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult {
    let record = library::find(&state.hub, &name).await?;
    let versions = library::versions(&state.hub, &name).await?;
    let counts = state.hub.store.recipes().run_counts(record.id).await?;
    let counts: serde_json::Map<String, serde_json::Value> = counts
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
        .collect();
    let versions: Vec<_> = versions
        .iter()
        .map(
            |v| json!({"version": v.version, "changedBy": v.changed_by, "changedAt": v.changed_at}),
        )
        .collect();
    Ok(Json(json!({"recipe": record, "versions": versions, "runs": counts})).into_response())
}

/// Checks files on their own and against the hub (connections, scopes): 200 with no
/// problems, 422 with every problem.
pub async fn check(State(state): State<AppState>, Json(body): Json<FilesBody>) -> ApiResult {
    let files = files(body);
    match library::check_files_bounded(&state.hub, &files).await? {
        Err(problems) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"valid": false, "problems": problems})),
        )
            .into_response()),
        Ok(checked) => {
            let mut problems = Vec::new();
            for c in &checked {
                problems.extend(library::check_in_hub(&state.hub, c).await);
            }
            let status = if problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            // What each recipe may do, and so who may apply and run it.
            let recipes: Vec<Value> = checked
                .iter()
                .map(|c| {
                    json!({"file": c.file, "name": c.recipe.name.value,
                           "privilege": c.recipe.privilege().0,
                           "note": weft_hub::recipes::privilege::privilege_note(&c.recipe)})
                })
                .collect();
            Ok((
                status,
                Json(
                    json!({"valid": problems.is_empty(), "problems": problems, "recipes": recipes}),
                ),
            )
                .into_response())
        }
    }
}

pub async fn plan(State(state): State<AppState>, Json(body): Json<FilesBody>) -> ApiResult {
    let changes = library::plan(&state.hub, &files(body)).await?;
    Ok(Json(json!({"changes": changes})).into_response())
}

pub async fn apply(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<FilesBody>,
) -> ApiResult {
    let prune = body.prune;
    let changes = library::apply(&state.hub, &caller.acting(), &files(body), prune).await?;
    Ok(Json(json!({"changes": changes})).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult {
    library::remove(&state.hub, &caller.acting(), &name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult {
    Ok(Json(library::start(&state.hub, &caller.acting(), &name).await?).into_response())
}

pub async fn stop(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiResult {
    Ok(Json(library::stop(&state.hub, &caller.acting(), &name).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunNowBody {
    /// The trigger event to run with; a scheduled recipe may go without.
    pub event: Option<Value>,
}

/// Starts a run now, by hand (see `library::run_now`).
pub async fn run_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: Option<Json<RunNowBody>>,
) -> ApiResult {
    let event = body.and_then(|b| b.0.event);
    let started = library::run_now(&state.hub, &caller.acting(), &name, event).await?;
    Ok((StatusCode::CREATED, Json(json!({"run": started.run_id()}))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

pub async fn version_diff(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult {
    let diff = library::version_diff(&state.hub, &name, q.from, q.to).await?;
    Ok(Json(json!({"from": q.from, "to": q.to, "diff": diff})).into_response())
}

/// `GET /api/v1/runs` query.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    pub recipe: Option<String>,
    pub status: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl RunQuery {
    pub async fn filter(&self, state: &AppState) -> Result<RunFilter, ApiError> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let recipe_id = match blank(&self.recipe) {
            Some(name) => Some(library::find(&state.hub, &name).await?.id),
            None => None,
        };
        let status = match blank(&self.status) {
            None => None,
            Some(s) => Some(RunStatus::parse(&s).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "status={s:?} is unknown: use queued, running, waiting, succeeded, failed or cancelled"
                ))
            })?),
        };
        Ok(RunFilter {
            recipe_id,
            status,
            since_ms: blank(&self.since)
                .map(|s| instant_ms("since", &s))
                .transpose()?,
            until_ms: blank(&self.until)
                .map(|s| instant_ms("until", &s))
                .transpose()?,
            before_id: self.before,
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
        })
    }
}

pub async fn runs(State(state): State<AppState>, Query(q): Query<RunQuery>) -> ApiResult {
    let filter = q.filter(&state).await?;
    let found = runs::list(&state.hub, &filter).await?;
    let next = (found.len() as i64 == filter.limit)
        .then(|| found.last().map(|r| r.id))
        .flatten();
    Ok(Json(json!({"runs": found, "nextBefore": next})).into_response())
}

pub async fn run(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult {
    let run = runs::get(&state.hub, id).await?;
    let steps = runs::steps(&state.hub, id).await?;
    Ok(Json(json!({"run": run, "steps": steps})).into_response())
}

pub async fn rerun(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult {
    Ok(Json(runs::rerun(&state.hub, &caller.acting(), id).await?).into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult {
    Ok(Json(runs::cancel(&state.hub, &caller.acting(), id).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub note: Option<String>,
}

pub async fn approve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Option<Json<DecisionBody>>,
) -> ApiResult {
    let note = body.and_then(|b| b.0.note);
    Ok(
        Json(runs::decide(&state.hub, &caller.acting(), id, true, note.as_deref()).await?)
            .into_response(),
    )
}

pub async fn reject(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Option<Json<DecisionBody>>,
) -> ApiResult {
    let note = body.and_then(|b| b.0.note);
    Ok(
        Json(runs::decide(&state.hub, &caller.acting(), id, false, note.as_deref()).await?)
            .into_response(),
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `POST /hooks/wrike/{token}`: a Wrike webhook delivery or handshake.
pub async fn wrike_hook(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let delivery = triggers::receive_wrike(
        &state.hub,
        &token,
        header(&headers, SIGNATURE_HEADER),
        header(&headers, SECRET_HEADER),
        &body,
    )
    .await?;
    match delivery {
        triggers::Delivery::Handshake(answer) => {
            let value = HeaderValue::from_str(&answer)
                .map_err(|_| ApiError::bad_request("the challenge"))?;
            let mut response = StatusCode::OK.into_response();
            response.headers_mut().insert(SECRET_HEADER, value);
            Ok(response)
        }
        triggers::Delivery::Accepted {
            started,
            repeated,
            answer,
        } => {
            let mut response =
                Json(json!({"started": started, "repeated": repeated})).into_response();
            if let Some(answer) = answer.and_then(|a| HeaderValue::from_str(&a).ok()) {
                response.headers_mut().insert(SECRET_HEADER, answer);
            }
            Ok(response)
        }
    }
}

/// `POST /hooks/http/{token}`: another system starts a run, signed as Standard Webhooks
/// sign (`webhook-id`, `webhook-timestamp`, `webhook-signature`; see `recipes::inbound`).
pub async fn http_hook(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let signed = inbound::Signed {
        id: header(&headers, inbound::ID_HEADER),
        timestamp: header(&headers, inbound::TIMESTAMP_HEADER),
        signature: header(&headers, inbound::SIGNATURE_HEADER),
    };
    let started = triggers::receive_http(&state.hub, &token, &signed, &body).await?;
    let (status, new) = match started {
        weft_store::RunStarted::New { .. } => (StatusCode::ACCEPTED, true),
        weft_store::RunStarted::Duplicate { .. } => (StatusCode::OK, false),
    };
    Ok((status, Json(json!({"run": started.run_id(), "new": new}))).into_response())
}
