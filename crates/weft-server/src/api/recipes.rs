//! Recipes and their runs in the JSON API, and the two public endpoints triggers receive
//! on: Wrike's webhook deliveries and other systems' calls. Those two are checked by
//! signature over the raw body, before anything reads it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use weft_hub::recipes::library::{self, SourceFile};
use weft_hub::recipes::{inbound, runs, triggers};
use weft_store::{RunFilter, RunStatus};
use wrike_api::webhook::{SECRET_HEADER, SIGNATURE_HEADER};

use super::jobs::instant_ms;
use super::{ApiJson, ApiResult, Paging, cursor_limit, parse_cursor};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// Recipe files sent for checking, planning or applying.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilesBody {
    #[schema(min_items = 1, max_items = 200)]
    pub files: Vec<FileBody>,
    /// With apply: remove recipes that no file has.
    #[serde(default)]
    pub prune: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
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

/// Recipes with their state
#[utoipa::path(get, path = "/api/v1/recipes", tag = "recipes", params(Paging),
    responses((status = 200, body = Page<wire::recipes::Recipe>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(paging): Query<Paging>,
) -> ApiJson<Page<wire::recipes::Recipe>> {
    let recipes = library::list(&state.hub).await?;
    let summaries = library::run_summaries(&state.hub).await?;
    Ok(Json(
        paging.slice(
            recipes
                .iter()
                .map(|r| wire::recipes::Recipe::listed(r, &summaries))
                .collect(),
        )?,
    ))
}

/// A recipe with its source, versions and runs by status
#[utoipa::path(get, path = "/api/v1/recipes/{name}", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name")),
    responses((status = 200, body = wire::recipes::RecipeDetail)))]
pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiJson<wire::recipes::RecipeDetail> {
    let record = library::find(&state.hub, &name).await?;
    let versions = library::versions(&state.hub, &name).await?;
    let counts = library::run_counts(&state.hub, record.id).await?;
    Ok(Json(wire::recipes::RecipeDetail::of(
        &record, &versions, counts,
    )))
}

/// Restore an earlier version: its text becomes a new version (checked and authorized as
/// any change)
#[utoipa::path(post, path = "/api/v1/recipes/{name}/versions/{version}/restore", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name"),
        ("version" = i64, Path, description = "The version whose text comes back", minimum = 1)),
    responses((status = 200, body = wire::recipes::RecipeDetail)))]
pub async fn restore(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((name, version)): Path<(String, i64)>,
) -> ApiJson<wire::recipes::RecipeDetail> {
    if version < 1 {
        return Err(ApiError::bad_request("version is a whole number from 1"));
    }
    library::restore(&state.hub, &caller.acting(), &name, version).await?;
    show(State(state), Path(name)).await
}

/// A recipe file and a sample trigger event to try it with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TryBody {
    pub file: FileBody,
    /// The trigger's event, as a run would carry it.
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

/// Try a recipe file with a sample event on its connection: steps that only read run;
/// anything that would change Wrike or reach another system shows its input and is not
/// done; nothing is stored
#[utoipa::path(post, path = "/api/v1/recipes/try", tag = "recipes", request_body = TryBody,
    responses((status = 200, body = wire::recipes::Tried),
        (status = 422, description = "The file has problems", body = wire::recipes::Check)))]
pub async fn try_event(
    State(state): State<AppState>,
    Json(body): Json<TryBody>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let file = SourceFile {
        file: body.file.file,
        source: body.file.source,
    };
    let checked =
        match library::check_files_bounded(&state.hub, std::slice::from_ref(&file)).await? {
            Err(problems) => {
                let answer = wire::recipes::Check {
                    valid: false,
                    problems,
                    hub_problems: Vec::new(),
                    recipes: Vec::new(),
                };
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response());
            }
            Ok(mut checked) => checked.remove(0),
        };
    let hub_problems = library::check_in_hub(&state.hub, &checked).await;
    if !hub_problems.is_empty() {
        let answer = wire::recipes::Check {
            valid: false,
            problems: Vec::new(),
            hub_problems,
            recipes: Vec::new(),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response());
    }
    let walked = weft_hub::recipes::testing::try_event(&state.hub, &checked, &body.event).await?;
    Ok(Json(wire::recipes::Tried::of(&walked)).into_response())
}

/// Check recipe files on their own and against the hub (connections, scopes): 200 with
/// no problems, 422 with every problem
#[utoipa::path(post, path = "/api/v1/recipes/check", tag = "recipes", request_body = FilesBody,
    responses((status = 200, body = wire::recipes::Check),
        (status = 422, description = "The files have problems", body = wire::recipes::Check)))]
pub async fn check(
    State(state): State<AppState>,
    Json(body): Json<FilesBody>,
) -> Result<(StatusCode, Json<wire::recipes::Check>), ApiError> {
    let files = files(body);
    let checked = match library::check_files_bounded(&state.hub, &files).await? {
        Err(problems) => {
            let answer = wire::recipes::Check {
                valid: false,
                problems,
                hub_problems: Vec::new(),
                recipes: Vec::new(),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)));
        }
        Ok(checked) => checked,
    };
    let mut hub_problems = Vec::new();
    for c in &checked {
        hub_problems.extend(library::check_in_hub(&state.hub, c).await);
    }
    let status = if hub_problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // What each recipe may do, and so who may apply and run it.
    let recipes = checked.iter().map(Into::into).collect();
    let answer = wire::recipes::Check {
        valid: hub_problems.is_empty(),
        problems: Vec::new(),
        hub_problems,
        recipes,
    };
    Ok((status, Json(answer)))
}

/// What applying recipe files would change, without changing anything
#[utoipa::path(post, path = "/api/v1/recipes/plan", tag = "recipes", request_body = FilesBody,
    responses((status = 200, body = wire::recipes::Changes)))]
pub async fn plan(
    State(state): State<AppState>,
    Json(body): Json<FilesBody>,
) -> ApiJson<wire::recipes::Changes> {
    let changes = library::plan(&state.hub, &files(body)).await?;
    Ok(Json(wire::recipes::Changes { changes }))
}

/// Apply recipe files: add and update recipes (and remove those no file has, with prune)
#[utoipa::path(post, path = "/api/v1/recipes/apply", tag = "recipes", request_body = FilesBody,
    responses((status = 200, body = wire::recipes::Changes)))]
pub async fn apply(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<FilesBody>,
) -> ApiJson<wire::recipes::Changes> {
    let prune = body.prune;
    let changes = library::apply(&state.hub, &caller.acting(), &files(body), prune).await?;
    Ok(Json(wire::recipes::Changes { changes }))
}

/// Remove a stopped recipe (its runs stay)
#[utoipa::path(delete, path = "/api/v1/recipes/{name}", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    library::remove(&state.hub, &caller.acting(), &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start a recipe: its trigger begins to fire
#[utoipa::path(post, path = "/api/v1/recipes/{name}/start", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name")),
    responses((status = 200, body = wire::recipes::Recipe)))]
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiJson<wire::recipes::Recipe> {
    Ok(Json(
        (&library::start(&state.hub, &caller.acting(), &name).await?).into(),
    ))
}

/// Stop a recipe: its trigger no longer fires; runs under way finish
#[utoipa::path(post, path = "/api/v1/recipes/{name}/stop", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name")),
    responses((status = 200, body = wire::recipes::Recipe)))]
pub async fn stop(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> ApiJson<wire::recipes::Recipe> {
    Ok(Json(
        (&library::stop(&state.hub, &caller.acting(), &name).await?).into(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunNowBody {
    /// The trigger event to run with; a scheduled recipe may go without.
    pub event: Option<Value>,
}

/// Start a run now, by hand, with an event written for it (or none, for a schedule)
#[utoipa::path(post, path = "/api/v1/recipes/{name}/runs", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name")),
    request_body(content = Option<RunNowBody>, description = "Optional"),
    responses((status = 201, body = wire::recipes::Started)))]
pub async fn run_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    body: Option<Json<RunNowBody>>,
) -> Result<(StatusCode, Json<wire::recipes::Started>), ApiError> {
    let event = body.and_then(|b| b.0.event);
    let started = library::run_now(&state.hub, &caller.acting(), &name, event).await?;
    Ok((StatusCode::CREATED, Json(started.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version.
    #[param(minimum = 1)]
    pub from: i64,
    /// The newer version.
    #[param(minimum = 1)]
    pub to: i64,
}

/// The difference between two versions of a recipe
#[utoipa::path(get, path = "/api/v1/recipes/{name}/diff", tag = "recipes",
    params(("name" = String, Path, description = "The recipe's name"), DiffQuery),
    responses((status = 200, body = wire::recipes::VersionDiff)))]
pub async fn version_diff(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiJson<wire::recipes::VersionDiff> {
    if q.from < 1 || q.to < 1 {
        return Err(ApiError::bad_request(
            "from and to are versions: whole numbers from 1",
        ));
    }
    let diff = library::version_diff(&state.hub, &name, q.from, q.to).await?;
    Ok(Json(wire::recipes::VersionDiff {
        from: q.from,
        to: q.to,
        diff,
    }))
}

/// `GET /api/v1/runs` query; also the runs page's filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// A recipe's name.
    pub recipe: Option<String>,
    /// queued, running, waiting, succeeded, failed or cancelled.
    #[param(value_type = Option<RunStatus>)]
    pub status: Option<String>,
    /// Created at or after: RFC 3339 or a date.
    pub since: Option<String>,
    /// Created before: RFC 3339 or a date.
    pub until: Option<String>,
    /// A `nextCursor` from the page before.
    #[serde(alias = "before")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 1000)]
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
            before_id: parse_cursor(self.cursor.as_deref())?,
            limit: cursor_limit(self.limit)?,
        })
    }
}

/// Runs by recipe, status and time, newest first
#[utoipa::path(get, path = "/api/v1/runs", tag = "runs", params(RunQuery),
    responses((status = 200, body = Page<wire::recipes::Run>)))]
pub async fn runs(
    State(state): State<AppState>,
    Query(q): Query<RunQuery>,
) -> ApiJson<Page<wire::recipes::Run>> {
    let filter = q.filter(&state).await?;
    let total = runs::count(
        &state.hub,
        &RunFilter {
            before_id: None,
            ..filter.clone()
        },
    )
    .await?;
    let found = runs::list(&state.hub, &filter).await?;
    Ok(Json(Page::by_cursor(
        found.iter().map(Into::into).collect(),
        total,
        filter.limit,
        |r: &wire::recipes::Run| r.id.clone(),
    )))
}

/// A run with its step attempts
#[utoipa::path(get, path = "/api/v1/runs/{id}", tag = "runs",
    params(("id" = i64, Path, description = "The run's id")),
    responses((status = 200, body = wire::recipes::RunDetail)))]
pub async fn run(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiJson<wire::recipes::RunDetail> {
    let run = runs::get(&state.hub, id).await?;
    let steps = runs::steps(&state.hub, id).await?;
    Ok(Json(wire::recipes::RunDetail {
        run: (&run).into(),
        steps: steps.iter().map(Into::into).collect(),
    }))
}

/// Run a finished run again from its first step, with the same event (a new run)
#[utoipa::path(post, path = "/api/v1/runs/{id}/rerun", tag = "runs",
    params(("id" = i64, Path, description = "The run's id")),
    responses((status = 200, body = wire::recipes::Run)))]
pub async fn rerun(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiJson<wire::recipes::Run> {
    Ok(Json(
        (&runs::rerun(&state.hub, &caller.acting(), id).await?).into(),
    ))
}

/// Cancel a queued, running or waiting run
#[utoipa::path(post, path = "/api/v1/runs/{id}/cancel", tag = "runs",
    params(("id" = i64, Path, description = "The run's id")),
    responses((status = 200, body = wire::recipes::Run)))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiJson<wire::recipes::Run> {
    Ok(Json(
        (&runs::cancel(&state.hub, &caller.acting(), id).await?).into(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why, for the trail.
    pub note: Option<String>,
}

/// Approve a run waiting at an approval step
#[utoipa::path(post, path = "/api/v1/runs/{id}/approve", tag = "runs",
    params(("id" = i64, Path, description = "The run's id")),
    request_body(content = Option<DecisionBody>, description = "Optional"),
    responses((status = 200, body = wire::recipes::Run)))]
pub async fn approve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Option<Json<DecisionBody>>,
) -> ApiJson<wire::recipes::Run> {
    decide(state, caller, id, body, true).await
}

/// Reject a run waiting at an approval step (it ends, cancelled)
#[utoipa::path(post, path = "/api/v1/runs/{id}/reject", tag = "runs",
    params(("id" = i64, Path, description = "The run's id")),
    request_body(content = Option<DecisionBody>, description = "Optional"),
    responses((status = 200, body = wire::recipes::Run)))]
pub async fn reject(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    body: Option<Json<DecisionBody>>,
) -> ApiJson<wire::recipes::Run> {
    decide(state, caller, id, body, false).await
}

async fn decide(
    state: AppState,
    caller: Caller,
    id: i64,
    body: Option<Json<DecisionBody>>,
    approve: bool,
) -> ApiJson<wire::recipes::Run> {
    let note = body.and_then(|b| b.0.note);
    let run = runs::decide(&state.hub, &caller.acting(), id, approve, note.as_deref()).await?;
    Ok(Json((&run).into()))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A Wrike webhook delivery or handshake, checked by its signature before it is read
#[utoipa::path(post, path = "/hooks/wrike/{token}", tag = "hooks",
    params(("token" = String, Path, description = "The recipe's hook token"),
        ("X-Hook-Signature" = Option<String>, Header, description = "HMAC-SHA256 of the body with the hook's secret, hex"),
        ("X-Hook-Secret" = Option<String>, Header, description = "The handshake's challenge")),
    request_body(content = Object, description = "Wrike's events (an array), or the handshake's body"),
    responses((status = 200, description = "Accepted (the handshake answers X-Hook-Secret and no body)", body = wire::recipes::Delivery)))]
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
            let mut response = Json(wire::recipes::Delivery { started, repeated }).into_response();
            if let Some(answer) = answer.and_then(|a| HeaderValue::from_str(&a).ok()) {
                response.headers_mut().insert(SECRET_HEADER, answer);
            }
            Ok(response)
        }
    }
}

/// Another system starts a run, signed as Standard Webhooks sign
///
/// The headers `webhook-id`, `webhook-timestamp` and `webhook-signature` (see
/// `recipes::inbound`) are checked before the body is read.
#[utoipa::path(post, path = "/hooks/http/{token}", tag = "hooks",
    params(("token" = String, Path, description = "The recipe's hook token"),
        ("webhook-id" = String, Header, description = "The message's id (a repeat starts nothing)"),
        ("webhook-timestamp" = String, Header, description = "Unix seconds; five minutes either way"),
        ("webhook-signature" = String, Header, description = "v1,BASE64 HMAC-SHA256 of id.timestamp.body")),
    request_body(content = Object, description = "The event, any JSON"),
    responses((status = 202, description = "A run started", body = wire::recipes::Started),
        (status = 200, description = "Seen before: the run it started", body = wire::recipes::Started)))]
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
    let status = match started {
        weft_store::RunStarted::New { .. } => StatusCode::ACCEPTED,
        weft_store::RunStarted::Duplicate { .. } => StatusCode::OK,
    };
    Ok((status, Json(wire::recipes::Started::from(started))).into_response())
}
