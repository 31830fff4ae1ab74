//! Usage analytics in the JSON API: the reports (summary, users with CSV export, inactive
//! seats, seats by type, trends, one person), renewal costs, syncs on demand, and reclaim
//! plans (a dry run, then an Admin's apply). The pages in `web::usage` read the same query
//! parameters through `UsageParams`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use weft_core::usage::Signals;
use weft_hub::connections;
use weft_hub::usage::export;
use weft_hub::usage::reclaim::{self, Action, Selection};
use weft_hub::usage::reports::{self, Period, RenewalInput, ReportRequest};
use weft_store::{SortBy, UserFilter};

use super::ApiResult;
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;

/// A report's query: which connections, the filter, the signals, the order and the page.
/// Every parameter is optional; an unknown name or a bad value is refused, by name.
#[derive(Debug, Clone)]
pub struct UsageParams {
    pub request: ReportRequest,
    pub sort: SortBy,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    pub period: Period,
    pub count: usize,
    /// The parameters as given (to build links that keep the filter).
    pub given: Vec<(String, String)>,
}

const NAMES: &[&str] = &[
    "connection",
    "q",
    "signals",
    "idle",
    "never",
    "role",
    "userType",
    "company",
    "title",
    "timezone",
    "locale",
    "emailDomain",
    "external",
    "admin",
    "owner",
    "active",
    "deleted",
    "paid",
    "kind",
    "sort",
    "desc",
    "limit",
    "offset",
    "period",
    "count",
];

impl UsageParams {
    pub fn parse(pairs: &[(String, String)]) -> Result<UsageParams, ApiError> {
        let mut given: Vec<(String, String)> = Vec::new();
        let mut map: HashMap<&str, &str> = HashMap::new();
        for (name, value) in pairs {
            if !NAMES.contains(&name.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {name:?}; known: {}",
                    NAMES.join(", ")
                )));
            }
            let value = value.trim();
            if value.is_empty() || value == "any" {
                continue;
            }
            map.insert(name.as_str(), value);
            given.push((name.clone(), value.to_owned()));
        }
        let text = |name: &str| map.get(name).map(|v| (*v).to_owned());
        let flag = |name: &str| -> Result<Option<bool>, ApiError> {
            match map.get(name).copied() {
                None => Ok(None),
                Some("true" | "yes" | "1") => Ok(Some(true)),
                Some("false" | "no" | "0") => Ok(Some(false)),
                Some(other) => Err(ApiError::bad_request(format!(
                    "{name}={other:?}: expected true or false"
                ))),
            }
        };
        let number = |name: &str, low: i64, high: i64| -> Result<Option<i64>, ApiError> {
            map.get(name)
                .map(|v| whole_number(name, v, low, high))
                .transpose()
        };
        let signals = match map.get("signals") {
            None => None,
            Some(v) => Some(
                Signals::parse(v).map_err(|e| ApiError::bad_request(format!("signals: {e}")))?,
            ),
        };
        let sort = match map.get("sort") {
            None => SortBy::LastActivity,
            Some(v) => SortBy::parse(v).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "sort={v:?}: use lastActivity, name, email, lastLogin, lastWork, userType, role or company"
                ))
            })?,
        };
        let period = match map.get("period") {
            None => Period::Week,
            Some(v) => Period::parse(v).ok_or_else(|| {
                ApiError::bad_request(format!("period={v:?}: use day, week or month"))
            })?,
        };
        let connections = map
            .get("connection")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(UsageParams {
            request: ReportRequest {
                connections,
                signals,
                filter: UserFilter {
                    q: text("q"),
                    kind: text("kind"),
                    role: text("role"),
                    user_type_id: text("userType"),
                    company_name: text("company"),
                    title: text("title"),
                    timezone: text("timezone"),
                    locale: text("locale"),
                    email_domain: text("emailDomain"),
                    external: flag("external")?,
                    admin: flag("admin")?,
                    owner: flag("owner")?,
                    active: flag("active")?,
                    deleted: flag("deleted")?,
                    paid: flag("paid")?,
                    idle_days: number("idle", 0, 3650)?,
                    ever_active: flag("never")?.map(|never| !never),
                },
            },
            sort,
            descending: flag("desc")?.unwrap_or(false),
            limit: number("limit", 1, 10_000)?.unwrap_or(100),
            offset: number("offset", 0, i64::MAX)?.unwrap_or(0),
            period,
            count: number("count", 1, 400)?.unwrap_or(26) as usize,
            given,
        })
    }

    /// The query string of these parameters with some replaced (for pager and sort links).
    pub fn query_with(&self, replace: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .given
            .iter()
            .filter(|(n, _)| !replace.iter().any(|(r, _)| r == n))
            .cloned()
            .collect();
        pairs.extend(
            replace
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
        );
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }
}

/// A query parameter that must be a whole number from `low` to `high`, refused by name.
fn whole_number(name: &str, value: &str, low: i64, high: i64) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| (low..=high).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name}={value:?}: expected a whole number from {low} to {high}"
            ))
        })
}

fn params(q: &[(String, String)]) -> Result<UsageParams, ApiError> {
    UsageParams::parse(q)
}

pub async fn summary(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let p = params(&q)?;
    Ok(Json(reports::summary(&state.hub, &p.request).await?).into_response())
}

pub async fn users(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let p = params(&q)?;
    let report = reports::users(
        &state.hub,
        &p.request,
        p.sort,
        p.descending,
        p.limit,
        p.offset,
    )
    .await?;
    Ok(Json(report).into_response())
}

/// Every matching person as CSV (formula-safe), as a download.
pub async fn users_csv(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let p = params(&q)?;
    csv_response(&state, &p).await
}

pub async fn csv_response(state: &AppState, p: &UsageParams) -> ApiResult {
    let (_, rows) = export::all_users(&state.hub, &p.request, p.sort, p.descending).await?;
    let names: HashMap<String, String> = state
        .hub
        .store
        .connections()
        .list()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let bytes = export::users_csv(&rows, &names, state.hub.clock.now_s())?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"weft-users.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn inactive(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let p = params(&q)?;
    Ok(Json(reports::inactive(&state.hub, &p.request).await?).into_response())
}

pub async fn seats(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let p = params(&q)?;
    Ok(Json(reports::seats(&state.hub, &p.request).await?).into_response())
}

pub async fn trend(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let p = params(&q)?;
    Ok(Json(reports::trend(&state.hub, &p.request, p.period, p.count).await?).into_response())
}

/// One person of a connection, with their audit records of the last 30 days.
pub async fn user(
    State(state): State<AppState>,
    Path((connection, id)): Path<(String, String)>,
) -> ApiResult {
    let connection = connections::by_id(&state.hub, &connection).await?;
    let store = state.hub.store.usage();
    let user = store
        .user(&connection.id, &id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("user {id} not found")))?;
    let since = state.hub.clock.now_s() - 30 * 86_400;
    let audit = store.audit_of(&connection.id, &id, since, 200).await?;
    Ok(Json(json!({"user": user, "auditLast30Days": audit})).into_response())
}

pub async fn renewal(State(state): State<AppState>, Path(connection): Path<String>) -> ApiResult {
    let connection = connections::by_id(&state.hub, &connection).await?;
    let renewal = state.hub.store.usage().renewal(&connection.id).await?;
    Ok(Json(json!({"renewal": renewal})).into_response())
}

pub async fn set_renewal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(connection): Path<String>,
    Json(input): Json<RenewalInput>,
) -> ApiResult {
    let connection = connections::by_id(&state.hub, &connection).await?;
    let renewal = reports::set_renewal(&state.hub, &caller.actor(), &connection, &input).await?;
    Ok(Json(renewal).into_response())
}

/// Starts a sync now, as a job; answers with the job.
pub async fn sync_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(connection): Path<String>,
) -> ApiResult {
    let job = start_sync(&state, &caller, &connection).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"jobId": job}))).into_response())
}

pub async fn start_sync(
    state: &AppState,
    caller: &Caller,
    connection: &str,
) -> Result<i64, ApiError> {
    let connection = connections::by_id(&state.hub, connection).await?;
    let now = state.hub.clock.now_ms();
    let request = weft_hub::usage::jobs::sync_request(
        &connection.id,
        format!("usage.sync:{}:manual:{now}", connection.id),
        None,
    )
    .priority(5);
    let enqueued = weft_hub::jobs::enqueue(&state.hub, &caller.actor(), request).await?;
    Ok(enqueued.id())
}

/// A reclaim's dry run: the users named, or those the filter selects.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReclaimBody {
    pub connection: String,
    /// `deactivate`, `set_type` or `set_role`.
    pub action: String,
    pub target: Option<String>,
    #[serde(default)]
    pub users: Vec<String>,
    /// Report parameters (as in the query string) selecting the users.
    #[serde(default)]
    pub filter: HashMap<String, String>,
}

pub async fn plan_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ReclaimBody>,
) -> ApiResult {
    let plan = make_plan(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(plan_answer(&state, plan).await?)).into_response())
}

pub async fn make_plan(
    state: &AppState,
    caller: &Caller,
    body: ReclaimBody,
) -> Result<weft_store::ReclaimPlan, ApiError> {
    let connection = connections::by_id(&state.hub, &body.connection).await?;
    let action = Action::parse(&body.action, body.target.as_deref())?;
    let selection = if body.users.is_empty() {
        let pairs: Vec<(String, String)> = body.filter.into_iter().collect();
        let p = UsageParams::parse(&pairs)?;
        if p.request.filter == UserFilter::default() {
            return Err(ApiError::bad_request(
                "name users, or give a filter (for example idle=90, paid=true)",
            ));
        }
        Selection::Filter(Box::new(p.request))
    } else {
        Selection::Users(body.users)
    };
    Ok(reclaim::plan(&state.hub, &caller.actor(), &connection, action, selection).await?)
}

/// A plan with its action in words and its saving (none when no costs are entered).
#[derive(serde::Serialize)]
struct PlanAnswer {
    #[serde(flatten)]
    plan: weft_store::ReclaimPlan,
    headline: String,
    saving: Option<reclaim::PlanSaving>,
}

async fn plan_answer(
    state: &AppState,
    plan: weft_store::ReclaimPlan,
) -> Result<PlanAnswer, ApiError> {
    Ok(PlanAnswer {
        headline: reclaim::headline(&state.hub, &plan).await?,
        saving: reclaim::saving(&state.hub, &plan).await?,
        plan,
    })
}

pub async fn reclaim_plan(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let plan = reclaim::get(&state.hub, &id).await?;
    Ok(Json(plan_answer(&state, plan).await?).into_response())
}

/// Past plans, newest first (`connection` narrows them to one; `limit` up to 500).
pub async fn reclaims(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let (mut connection, mut limit) = (None, 100);
    for (name, value) in &q {
        match name.as_str() {
            "connection" if !value.is_empty() => connection = Some(value.clone()),
            "connection" => {}
            "limit" => limit = whole_number("limit", value, 1, 500)?,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; known: connection, limit"
                )));
            }
        }
    }
    let plans = reclaim::list(&state.hub, connection.as_deref(), limit).await?;
    let mut answers = Vec::with_capacity(plans.len());
    for plan in plans {
        answers.push(plan_answer(&state, plan).await?);
    }
    Ok(Json(json!({ "plans": answers })).into_response())
}

/// Who to take out of a plan before confirming it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExcludeBody {
    pub users: Vec<String>,
}

pub async fn exclude_from_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<ExcludeBody>,
) -> ApiResult {
    if body.users.is_empty() {
        return Err(ApiError::bad_request(
            "users: name at least one user to exclude",
        ));
    }
    let plan = reclaim::exclude(&state.hub, &caller.actor(), &id, &body.users).await?;
    Ok(Json(plan_answer(&state, plan).await?).into_response())
}

/// A plan's people as a CSV download.
pub fn reclaim_csv_response(plan: &weft_store::ReclaimPlan) -> ApiResult {
    let bytes = reclaim::csv(plan)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"weft-reclaim-{}.csv\"", plan.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn reclaim_csv(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    reclaim_csv_response(&reclaim::get(&state.hub, &id).await?)
}

/// The `idle` parameter of the renewal plan (90 when absent).
pub fn renewal_idle_days(q: &[(String, String)]) -> Result<i64, ApiError> {
    let mut idle = weft_hub::usage::renewal::IDLE_DAYS;
    for (name, value) in q {
        match name.as_str() {
            "idle" if !value.trim().is_empty() => {
                idle = whole_number("idle", value.trim(), 1, 3650)?;
            }
            "idle" => {}
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {other:?}; known: idle"
                )));
            }
        }
    }
    Ok(idle)
}

/// The renewal plan of the account a connection reads (`idle` days, 90 unless given).
pub async fn renewal_plan(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let connection = connections::by_id(&state.hub, &connection).await?;
    let idle = renewal_idle_days(&q)?;
    let plan = weft_hub::usage::renewal::plan(&state.hub, &connection, idle).await?;
    Ok(Json(plan).into_response())
}

/// The renewal plan as a CSV download: the table of user types, the totals, the actions.
pub async fn renewal_plan_csv(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> ApiResult {
    let connection = connections::by_id(&state.hub, &connection).await?;
    let idle = renewal_idle_days(&q)?;
    let plan = weft_hub::usage::renewal::plan(&state.hub, &connection, idle).await?;
    let bytes = weft_hub::usage::renewal::csv(&plan)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"weft-renewal-{}.csv\"",
                    connection
                        .name
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect::<String>()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn apply_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let plan = reclaim::apply(&state.hub, &caller.actor(), &id).await?;
    Ok(Json(plan_answer(&state, plan).await?).into_response())
}

pub async fn cancel_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult {
    let plan = reclaim::cancel(&state.hub, &caller.actor(), &id).await?;
    Ok(Json(plan_answer(&state, plan).await?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<UsageParams, String> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        UsageParams::parse(&pairs).map_err(|e| e.message)
    }

    #[test]
    fn parameters_parse_or_name_what_is_wrong() {
        let p = parse("connection=a,b&idle=90&signals=logins&paid=true&active=any&sort=name&desc=yes&limit=20").unwrap();
        assert_eq!(p.request.connections, vec!["a", "b"]);
        assert_eq!(p.request.filter.idle_days, Some(90));
        assert_eq!(p.request.filter.paid, Some(true));
        assert_eq!(p.request.filter.active, None, "any means no filter");
        assert_eq!(p.request.signals, Some(Signals::LOGINS));
        assert_eq!((p.sort, p.descending, p.limit), (SortBy::Name, true, 20));
        assert!(parse("idle=-3").unwrap_err().contains("idle"));
        assert!(parse("paid=maybe").unwrap_err().contains("paid"));
        assert!(parse("signals=bogus").unwrap_err().contains("bogus"));
        assert!(parse("sort=height").unwrap_err().contains("sort"));
        assert!(parse("colour=red").unwrap_err().contains("colour"));
        assert_eq!(
            parse("q=ada&offset=100")
                .unwrap()
                .query_with(&[("offset", "200")]),
            "q=ada&offset=200"
        );
    }
}
