//! Usage analytics in the JSON API: the reports (summary, users with CSV export, inactive
//! seats, seats by type, trends, one person), renewal costs, syncs on demand, and reclaim
//! plans (a dry run, then an Admin's apply). The pages in `web::usage` read the same query
//! parameters through `UsageParams`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weft_core::usage::Signals;
use weft_hub::connections;
use weft_hub::usage::export;
use weft_hub::usage::reclaim::{self, Action, Selection};
use weft_hub::usage::reports::{self, Period, RenewalInput, ReportRequest};
use weft_store::{SortBy, UserFilter};

use super::{ApiJson, ApiResult};
use crate::error::ApiError;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire::{self, Page};

/// The reports' query parameters as the API takes them; `UsageParams` reads them.
#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct UsageQuery {
    /// Connections (ids or names), comma separated; every connection when absent.
    pub connection: Option<String>,
    /// Part of a name, e-mail, title or company.
    pub q: Option<String>,
    /// What counts as activity: all, logins, work, or a list of login, change, task,
    /// comment, timelog, integration (sign-ins by an API client with OAuth).
    pub signals: Option<String>,
    /// Only the people this policy (by name) flags now, on its connection: "idle under this
    /// policy".
    pub policy: Option<String>,
    /// Idle at least this many days.
    #[param(minimum = 0, maximum = 3650)]
    pub idle: Option<i64>,
    /// Never active (true) or active at least once (false).
    pub never: Option<bool>,
    /// Wrike role: User, Collaborator, ...
    pub role: Option<String>,
    /// A user type id.
    pub user_type: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub email_domain: Option<String>,
    pub external: Option<bool>,
    pub admin: Option<bool>,
    pub owner: Option<bool>,
    pub active: Option<bool>,
    pub deleted: Option<bool>,
    /// Holds a paid seat.
    pub paid: Option<bool>,
    /// `person`, `group` or `invitation`.
    pub kind: Option<String>,
    /// lastActivity, name, email, lastLogin, lastWork, userType, role or company.
    #[param(pattern = "^(lastActivity|name|email|lastLogin|lastWork|userType|role|company)$")]
    pub sort: Option<String>,
    pub desc: Option<bool>,
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// The trend's period: day, week or month.
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
    /// The trend's number of periods.
    #[param(minimum = 1, maximum = 400)]
    pub count: Option<i64>,
}

impl UsageQuery {
    /// The parameters given, as `UsageParams` reads them.
    pub fn params(&self) -> Result<UsageParams, ApiError> {
        let value = serde_json::to_value(self).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let pairs: Vec<(String, String)> = value
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(name, v)| match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some((name.clone(), s.clone())),
                other => Some((name.clone(), other.to_string())),
            })
            .collect();
        UsageParams::parse(&pairs)
    }
}

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
    "policy",
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

/// The parameters that are true or false.
const FLAGS: &[&str] = &[
    "never", "external", "admin", "owner", "active", "deleted", "paid", "desc",
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
            // The pages take yes/no and 1/0 too; links keep the API's spelling, so a
            // page's JSON link is a request the API takes.
            let value = match (FLAGS.contains(&name.as_str()), value) {
                (true, "yes" | "1") => "true",
                (true, "no" | "0") => "false",
                (_, other) => other,
            };
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
                policy: text("policy"),
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
                    user_ids: None,
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

/// Seats and activity by connection: counts, savings, renewal costs and the sync's state
#[utoipa::path(get, path = "/api/v1/usage/summary", tag = "usage", params(UsageQuery),
    responses((status = 200, body = wire::usage::Summary)))]
pub async fn summary(
    State(state): State<AppState>,
    Query(q): Query<UsageQuery>,
) -> ApiJson<wire::usage::Summary> {
    let p = q.params()?;
    let all = reports::summary(&state.hub, &p.request).await?;
    Ok(Json(wire::usage::Summary::of(
        &all,
        state.hub.clock.now_s(),
    )))
}

/// People with their last activity, filtered, sorted and paged
#[utoipa::path(get, path = "/api/v1/usage/users", tag = "usage", params(UsageQuery),
    responses((status = 200, body = wire::usage::People)))]
pub async fn users(
    State(state): State<AppState>,
    Query(q): Query<UsageQuery>,
) -> ApiJson<wire::usage::People> {
    let p = q.params()?;
    let report = reports::users(
        &state.hub,
        &p.request,
        p.sort,
        p.descending,
        p.limit,
        p.offset,
    )
    .await?;
    Ok(Json(wire::usage::People::of(report, p.limit, p.offset)))
}

/// Every matching person as CSV (formula-safe), as a download
#[utoipa::path(get, path = "/api/v1/usage/users.csv", tag = "usage", params(UsageQuery),
    responses((status = 200, description = "People as CSV", content_type = "text/csv", body = String)))]
pub async fn users_csv(State(state): State<AppState>, Query(q): Query<UsageQuery>) -> ApiResult {
    let p = q.params()?;
    csv_response(&state, &p).await
}

pub async fn csv_response(state: &AppState, p: &UsageParams) -> ApiResult {
    let (_, rows) = export::all_users(&state.hub, &p.request, p.sort, p.descending).await?;
    let names: HashMap<String, String> = connections::list(&state.hub)
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

/// Idle and never-active seats, and what freeing them saves
#[utoipa::path(get, path = "/api/v1/usage/inactive", tag = "usage", params(UsageQuery),
    responses((status = 200, body = wire::usage::Inactive)))]
pub async fn inactive(
    State(state): State<AppState>,
    Query(q): Query<UsageQuery>,
) -> ApiJson<wire::usage::Inactive> {
    let p = q.params()?;
    Ok(Json(
        (&reports::inactive(&state.hub, &p.request).await?).into(),
    ))
}

/// Seats by user type and role, with the accounts' limits
#[utoipa::path(get, path = "/api/v1/usage/seats", tag = "usage", params(UsageQuery),
    responses((status = 200, body = wire::usage::Seats)))]
pub async fn seats(
    State(state): State<AppState>,
    Query(q): Query<UsageQuery>,
) -> ApiJson<wire::usage::Seats> {
    let p = q.params()?;
    Ok(Json(
        (&reports::seats(&state.hub, &p.request).await?).into(),
    ))
}

/// Active people per day, week or month
#[utoipa::path(get, path = "/api/v1/usage/trend", tag = "usage", params(UsageQuery),
    responses((status = 200, body = wire::usage::Trend)))]
pub async fn trend(
    State(state): State<AppState>,
    Query(q): Query<UsageQuery>,
) -> ApiJson<wire::usage::Trend> {
    let p = q.params()?;
    let trend = reports::trend(&state.hub, &p.request, p.period, p.count).await?;
    Ok(Json((&trend).into()))
}

/// One person of a connection, with their audit records of the last 30 days
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/users/{user}", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name"),
        ("user" = String, Path, description = "The person's Wrike id")),
    responses((status = 200, body = wire::usage::PersonDetail)))]
pub async fn user(
    State(state): State<AppState>,
    Path((connection, id)): Path<(String, String)>,
) -> ApiJson<wire::usage::PersonDetail> {
    let connection = connections::find(&state.hub, &connection).await?;
    let (user, audit) = reports::person(&state.hub, &connection, &id).await?;
    Ok(Json(wire::usage::PersonDetail {
        user: (&user).into(),
        audit_last_30_days: audit.iter().map(Into::into).collect(),
    }))
}

/// A connection's renewal costs (null until entered)
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/renewal", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 200, body = wire::usage::RenewalCosts)))]
pub async fn renewal(
    State(state): State<AppState>,
    Path(connection): Path<String>,
) -> ApiJson<wire::usage::RenewalCosts> {
    let connection = connections::find(&state.hub, &connection).await?;
    let renewal = reports::renewal(&state.hub, &connection).await?;
    Ok(Json(wire::usage::RenewalCosts {
        renewal: renewal.as_ref().map(Into::into),
    }))
}

/// Enter a connection's renewal costs: a seat's yearly cost, costs by user type, seats
/// bought, the renewal date and the headroom
#[utoipa::path(put, path = "/api/v1/usage/connections/{id}/renewal", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    request_body = RenewalInput,
    responses((status = 200, body = wire::usage::Renewal)))]
pub async fn set_renewal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(connection): Path<String>,
    Json(input): Json<RenewalInput>,
) -> ApiJson<wire::usage::Renewal> {
    let connection = connections::find(&state.hub, &connection).await?;
    let renewal = reports::set_renewal(&state.hub, &caller.actor(), &connection, &input).await?;
    Ok(Json((&renewal).into()))
}

/// Start a usage sync now, as a job; answers with the job
#[utoipa::path(post, path = "/api/v1/usage/connections/{id}/sync", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 202, body = wire::jobs::Enqueued)))]
pub async fn sync_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(connection): Path<String>,
) -> Result<(StatusCode, Json<wire::jobs::Enqueued>), ApiError> {
    let job = start_sync(&state, &caller, &connection).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(wire::jobs::Enqueued {
            job_id: job.to_string(),
        }),
    ))
}

pub async fn start_sync(
    state: &AppState,
    caller: &Caller,
    connection: &str,
) -> Result<i64, ApiError> {
    let connection = connections::find(&state.hub, connection).await?;
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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReclaimBody {
    /// The connection's id or name.
    pub connection: String,
    /// `deactivate`, `set_type` or `set_role`.
    #[schema(pattern = "^(deactivate|set_type|set_role)$")]
    pub action: String,
    /// The user type id (set_type) or role (set_role).
    pub target: Option<String>,
    /// Wrike ids of the people; or give a filter.
    #[serde(default)]
    pub users: Vec<String>,
    /// Report parameters (as in the reports' query string) selecting the people.
    #[serde(default)]
    pub filter: HashMap<String, String>,
}

/// Plan a reclaim (a dry run): who would lose or change their seat, and what it saves
#[utoipa::path(post, path = "/api/v1/usage/reclaims", tag = "usage", request_body = ReclaimBody,
    responses((status = 201, body = wire::usage::ReclaimPlan)))]
pub async fn plan_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Json(body): Json<ReclaimBody>,
) -> Result<(StatusCode, Json<wire::usage::ReclaimPlan>), ApiError> {
    let plan = make_plan(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(plan_answer(&state, plan).await?)))
}

pub async fn make_plan(
    state: &AppState,
    caller: &Caller,
    body: ReclaimBody,
) -> Result<weft_store::ReclaimPlan, ApiError> {
    let connection = connections::find(&state.hub, &body.connection).await?;
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

/// A plan on the wire, with its action in words and its saving.
async fn plan_answer(
    state: &AppState,
    plan: weft_store::ReclaimPlan,
) -> Result<wire::usage::ReclaimPlan, ApiError> {
    Ok(wire::usage::ReclaimPlan::load(&state.hub, &plan).await?)
}

/// A reclaim plan
#[utoipa::path(get, path = "/api/v1/usage/reclaims/{id}", tag = "usage",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = wire::usage::ReclaimPlan)))]
pub async fn reclaim_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiJson<wire::usage::ReclaimPlan> {
    let plan = reclaim::get(&state.hub, &id).await?;
    Ok(Json(plan_answer(&state, plan).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReclaimsQuery {
    /// Only this connection's plans (id or name).
    pub connection: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// Reclaim plans, newest first
#[utoipa::path(get, path = "/api/v1/usage/reclaims", tag = "usage", params(ReclaimsQuery),
    responses((status = 200, body = Page<wire::usage::ReclaimPlan>)))]
pub async fn reclaims(
    State(state): State<AppState>,
    Query(q): Query<ReclaimsQuery>,
) -> ApiJson<Page<wire::usage::ReclaimPlan>> {
    let limit = whole_number("limit", &q.limit.unwrap_or(100).to_string(), 1, 500)?;
    let offset = whole_number("offset", &q.offset.unwrap_or(0).to_string(), 0, i64::MAX)?;
    let connection = q.connection.as_deref().filter(|c| !c.trim().is_empty());
    let (plans, total) = reclaim::page(&state.hub, connection, limit, offset).await?;
    let mut answers = Vec::with_capacity(plans.len());
    for plan in plans {
        answers.push(plan_answer(&state, plan).await?);
    }
    Ok(Json(Page::by_offset(answers, total, limit, offset)))
}

/// Who to take out of a plan before confirming it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExcludeBody {
    /// Wrike ids of the people to leave out.
    #[schema(min_items = 1)]
    pub users: Vec<String>,
}

/// Take people out of a plan before applying it
#[utoipa::path(post, path = "/api/v1/usage/reclaims/{id}/exclude", tag = "usage",
    params(("id" = String, Path, description = "The plan's id")),
    request_body = ExcludeBody,
    responses((status = 200, body = wire::usage::ReclaimPlan)))]
pub async fn exclude_from_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Json(body): Json<ExcludeBody>,
) -> ApiJson<wire::usage::ReclaimPlan> {
    if body.users.is_empty() {
        return Err(ApiError::bad_request(
            "users: name at least one user to exclude",
        ));
    }
    let plan = reclaim::exclude(&state.hub, &caller.actor(), &id, &body.users).await?;
    Ok(Json(plan_answer(&state, plan).await?))
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

/// A reclaim plan's people as CSV, as a download
#[utoipa::path(get, path = "/api/v1/usage/reclaims/{id}/csv", tag = "usage",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, description = "The plan as CSV", content_type = "text/csv", body = String)))]
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdleQuery {
    /// Days without activity that make a seat idle (90 unless given).
    #[param(minimum = 1, maximum = 3650)]
    pub idle: Option<i64>,
}

impl IdleQuery {
    fn days(&self) -> Result<i64, ApiError> {
        match self.idle {
            None => Ok(weft_hub::usage::renewal::IDLE_DAYS),
            Some(n) => whole_number("idle", &n.to_string(), 1, 3650),
        }
    }
}

/// The renewal plan of the account a connection reads: what to buy, by user type
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/renewal-plan", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name"), IdleQuery),
    responses((status = 200, body = wire::usage::RenewalPlan)))]
pub async fn renewal_plan(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    Query(q): Query<IdleQuery>,
) -> ApiJson<wire::usage::RenewalPlan> {
    let connection = connections::find(&state.hub, &connection).await?;
    let plan = weft_hub::usage::renewal::plan(&state.hub, &connection, q.days()?).await?;
    Ok(Json((&plan).into()))
}

/// The renewal plan as CSV: the table of user types, the totals, the actions
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/renewal-plan.csv", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name"), IdleQuery),
    responses((status = 200, description = "The plan as CSV", content_type = "text/csv", body = String)))]
pub async fn renewal_plan_csv(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    Query(q): Query<IdleQuery>,
) -> ApiResult {
    let connection = connections::find(&state.hub, &connection).await?;
    let plan = weft_hub::usage::renewal::plan(&state.hub, &connection, q.days()?).await?;
    let bytes = weft_hub::usage::renewal::csv(&plan)?;
    Ok(csv_download(
        &format!("weft-renewal-{}", connection.name),
        bytes,
    ))
}

/// The savings ledger of a connection: potential against realized savings month by month
/// since it was added, and every person an applied reclaim changed
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/savings", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 200, body = wire::savings::SavingsLedger)))]
pub async fn savings(
    State(state): State<AppState>,
    Path(connection): Path<String>,
) -> ApiJson<wire::savings::SavingsLedger> {
    let connection = connections::find(&state.hub, &connection).await?;
    let ledger = weft_hub::usage::savings::ledger(&state.hub, &connection).await?;
    Ok(Json((&ledger).into()))
}

/// The savings ledger as CSV, one row per person changed
#[utoipa::path(get, path = "/api/v1/usage/connections/{id}/savings.csv", tag = "usage",
    params(("id" = String, Path, description = "The connection's id or name")),
    responses((status = 200, description = "The ledger as CSV", content_type = "text/csv", body = String)))]
pub async fn savings_csv(
    State(state): State<AppState>,
    Path(connection): Path<String>,
) -> ApiResult {
    let connection = connections::find(&state.hub, &connection).await?;
    let ledger = weft_hub::usage::savings::ledger(&state.hub, &connection).await?;
    let bytes = weft_hub::usage::savings::csv(&ledger)?;
    Ok(csv_download(
        &format!("weft-savings-{}", connection.name),
        bytes,
    ))
}

/// A CSV answer saved as `NAME.csv` (the name kept to letters, digits, `-` and `_`).
pub fn csv_download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Apply a reclaim plan in Wrike (Admins), person by person
#[utoipa::path(post, path = "/api/v1/usage/reclaims/{id}/apply", tag = "usage",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = wire::usage::ReclaimPlan)))]
pub async fn apply_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiJson<wire::usage::ReclaimPlan> {
    let plan = reclaim::apply(&state.hub, &caller.actor(), &id).await?;
    Ok(Json(plan_answer(&state, plan).await?))
}

/// Cancel a reclaim plan not yet applied
#[utoipa::path(post, path = "/api/v1/usage/reclaims/{id}/cancel", tag = "usage",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = wire::usage::ReclaimPlan)))]
pub async fn cancel_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiJson<wire::usage::ReclaimPlan> {
    let plan = reclaim::cancel(&state.hub, &caller.actor(), &id).await?;
    Ok(Json(plan_answer(&state, plan).await?))
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
        assert_eq!(
            parse("paid=yes&desc=1&q=x").unwrap().query_with(&[]),
            "paid=true&desc=true&q=x",
            "links spell flags as the API takes them"
        );
    }

    #[test]
    fn the_documented_query_and_the_parser_take_the_same_names() {
        let documented: Vec<String> = serde_json::to_value(UsageQuery::default())
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut known: Vec<String> = NAMES.iter().map(|n| (*n).to_owned()).collect();
        let mut documented = documented;
        documented.sort();
        known.sort();
        assert_eq!(documented, known);
        for flag in FLAGS {
            assert!(NAMES.contains(flag), "{flag}");
        }
    }
}
