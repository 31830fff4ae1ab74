//! The usage pages: the dashboard (every connection's seats, idle seats, savings, last sync,
//! with charts), people with their activity (filter, sort, export), one person, seats by
//! type against the seats purchased, trends, renewal costs, syncs on demand, and reclaiming
//! seats (a dry run, then an Admin's confirmation). They read the same query parameters as
//! the JSON API (`api::usage::UsageParams`).

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use weft_core::roles::Permission;
use weft_core::usage::{Signals, money};
use weft_hub::connections;
use weft_hub::usage::reclaim;
use weft_hub::usage::reports::{
    self, ConnectionSummary, Period, RenewalInput, Savings, SignalsUsed,
};
use weft_store::{Connection, ReclaimPlan, UserRow};

use super::{Layout, PageResult, layout, render, timestamp};
use crate::api::usage::{ReclaimBody, UsageParams};
use crate::charts::{self, Point};
use crate::error::ApiError;
use crate::forms::FormData;
use crate::guard::Caller;
use crate::state::AppState;

fn days_ago(now: i64, at: Option<i64>) -> String {
    match at {
        None => "never".into(),
        Some(t) => match (now - t).max(0) / 86_400 {
            0 => "today".into(),
            1 => "yesterday".into(),
            n => format!("{n} days ago"),
        },
    }
}

/// What reclaiming saves a year, in words: money where costs are entered, and how many
/// seats still have no cost.
fn savings_text(s: &Savings) -> String {
    let mut parts: Vec<String> = s
        .by_currency
        .iter()
        .map(|(c, v)| format!("{} a year", money(*v, c)))
        .collect();
    if s.unpriced_seats > 0 {
        parts.push(format!(
            "{} seat{} without a cost entered",
            s.unpriced_seats,
            if s.unpriced_seats == 1 { "" } else { "s" }
        ));
    }
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", plus ")
    }
}

/// A day number as a date.
fn day(d: i64) -> String {
    chrono::DateTime::from_timestamp(d * 86_400, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// One connection on the dashboard.
struct Card {
    id: String,
    name: String,
    account: String,
    plan: String,
    paid: i64,
    limit: String,
    free: i64,
    idle: i64,
    never: i64,
    stale: i64,
    savings: String,
    renewal: String,
    sync: String,
    sync_outcome: String,
    signals: String,
    missing: Vec<String>,
}

impl Card {
    fn of(s: &ConnectionSummary, now: i64) -> Card {
        let account = s.account.as_ref();
        let sync = match &s.sync {
            Some(st) if st.running(now) => "running now".to_owned(),
            Some(st) => st
                .finished_at
                .map(|t| format!("{} UTC", timestamp(t)))
                .unwrap_or_else(|| "never".into()),
            None => "never".into(),
        };
        Card {
            id: s.connection_id.clone(),
            name: s.connection.clone(),
            account: account
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "not synced yet".into()),
            plan: account
                .and_then(|a| a.plan.clone())
                .unwrap_or_else(|| "?".into()),
            paid: s.counts.paid_seats,
            limit: account
                .and_then(|a| a.user_limit)
                .map_or_else(|| "?".to_owned(), |n| n.to_string()),
            free: s.counts.free_seats,
            idle: s.counts.idle_n,
            never: s.counts.never_active,
            stale: s.counts.inactive_still_typed,
            savings: savings_text(&s.savings),
            renewal: match &s.renewal {
                Some(r) => {
                    let date = r
                        .renewal_date
                        .clone()
                        .unwrap_or_else(|| "date not set".into());
                    let left = r
                        .renewal_date
                        .as_deref()
                        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                        .zip(chrono::DateTime::from_timestamp(now, 0))
                        .map(|(d, n)| (d - n.date_naive()).num_days())
                        .map(|n| format!(" (in {n} days)"))
                        .unwrap_or_default();
                    format!(
                        "{} a seat a year, renews {date}{left}",
                        money(r.seat_cost_cents, &r.currency)
                    )
                }
                None => "no costs entered".into(),
            },
            sync,
            sync_outcome: s
                .sync
                .as_ref()
                .and_then(|st| st.outcome.clone())
                .unwrap_or_default(),
            signals: s.signals.described.clone(),
            missing: s.signals.missing.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "usage_dashboard.html")]
struct DashboardPage {
    layout: Layout,
    cards: Vec<Card>,
    idle_days: i64,
    total_paid: i64,
    total_idle: i64,
    total_savings: String,
    trend_chart: String,
    trend_signals: String,
    seats_chart: String,
    can_sync: bool,
    can_renew: bool,
    can_connect: bool,
}

/// `/` for those who see analytics.
pub async fn dashboard(state: &AppState, caller: &Caller, params: UsageParams) -> PageResult {
    let now = state.hub.clock.now_s();
    let idle_days = params.request.filter.idle_days.unwrap_or(90);
    let mut request = params.request.clone();
    request.filter.idle_days = Some(idle_days);
    let summaries = reports::summary(&state.hub, &request).await?;
    let cards: Vec<Card> = summaries.iter().map(|s| Card::of(s, now)).collect();
    let mut total = Savings {
        seats: 0,
        by_currency: Vec::new(),
        unpriced_seats: 0,
    };
    for s in &summaries {
        total.seats += s.savings.seats;
        total.unpriced_seats += s.savings.unpriced_seats;
        for (c, v) in &s.savings.by_currency {
            match total.by_currency.iter_mut().find(|(x, _)| x == c) {
                Some((_, sum)) => *sum += v,
                None => total.by_currency.push((c.clone(), *v)),
            }
        }
    }
    let trend = reports::trend(&state.hub, &params.request, Period::Week, 26).await?;
    let points: Vec<Point> = trend
        .points
        .iter()
        .map(|p| Point {
            label: day(p.start_day)[5..].to_owned(),
            value: p.active_users as f64,
        })
        .collect();
    let seats = reports::seats(&state.hub, &params.request).await?;
    let seat_points: Vec<Point> = seats
        .groups
        .iter()
        .map(|g| Point {
            label: format!(
                "{}{}",
                g.user_type.as_deref().unwrap_or("no type"),
                if summaries.len() > 1 {
                    let name = summaries
                        .iter()
                        .find(|s| s.connection_id == g.connection_id)
                        .map(|s| s.connection.as_str())
                        .unwrap_or("");
                    format!(" ({name})")
                } else {
                    String::new()
                }
            ),
            value: g.seats as f64,
        })
        .collect();
    let limit: Option<f64> = seats
        .accounts
        .iter()
        .map(|a| a.user_limit)
        .sum::<Option<i64>>()
        .map(|n| n as f64);
    let role = caller.user.role;
    render(
        DashboardPage {
            layout: layout(state, caller, "Usage").await?,
            total_paid: summaries.iter().map(|s| s.counts.paid_seats).sum(),
            total_idle: summaries.iter().map(|s| s.counts.idle_n).sum(),
            total_savings: savings_text(&total),
            trend_signals: describe_used(&trend.signals),
            trend_chart: charts::columns("active-weekly", "Active users per week", &points),
            seats_chart: charts::bars_with_limit(
                "seats-by-type",
                "Active seats by user type",
                &seat_points,
                limit,
            ),
            cards,
            idle_days,
            can_sync: role.allows(Permission::SyncUsage),
            can_renew: role.allows(Permission::PlanRenewal),
            can_connect: role.allows(Permission::ManageConnections),
        },
        StatusCode::OK,
    )
}

fn describe_used(signals: &[SignalsUsed]) -> String {
    signals
        .iter()
        .map(|s| format!("{}: {}", s.connection, s.described))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A person as the users table shows them.
struct Row {
    connection_id: String,
    connection: String,
    id: String,
    name: String,
    email: String,
    user_type: String,
    role: String,
    company: String,
    flags: String,
    last_login: String,
    last_work: String,
    last_activity: String,
    active: bool,
}

impl Row {
    fn of(r: &UserRow, names: &[Connection], now: i64) -> Row {
        let mut flags = Vec::new();
        for (on, name) in [
            (r.owner, "owner"),
            (r.admin, "admin"),
            (r.external, "external"),
            (!r.active, "deactivated"),
            (r.deleted, "deleted"),
            (!r.paid, "free seat"),
        ] {
            if on {
                flags.push(name);
            }
        }
        Row {
            connection_id: r.connection_id.clone(),
            connection: names
                .iter()
                .find(|c| c.id == r.connection_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            id: r.id.clone(),
            name: format!("{} {}", r.first_name, r.last_name)
                .trim()
                .to_owned(),
            email: r.email.clone().unwrap_or_default(),
            user_type: r
                .user_type
                .clone()
                .or_else(|| r.user_type_id.clone())
                .unwrap_or_default(),
            role: r.role.clone().unwrap_or_default(),
            company: r.company_name.clone().unwrap_or_default(),
            flags: flags.join(", "),
            last_login: days_ago(now, r.last_login_at),
            last_work: days_ago(now, r.last_work_at),
            last_activity: days_ago(now, r.last_activity_at),
            active: r.active,
        }
    }
}

#[derive(Template)]
#[template(path = "usage_users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<Row>,
    total: i64,
    shown_from: i64,
    shown_to: i64,
    error: String,
    signals_used: Vec<SignalsUsed>,
    connections: Vec<(String, String)>,
    user_types: Vec<(String, String)>,
    form: Vec<(String, String)>,
    query: String,
    next: String,
    previous: String,
    savings: String,
    paid_in_filter: i64,
    can_reclaim: bool,
    single_connection: String,
}

impl UsersPage {
    fn value(&self, name: &str) -> String {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn selected(&self, name: &str, option: &str) -> bool {
        self.value(name) == option
    }
}

pub async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let all = state.hub.store.connections().list().await?;
    let now = state.hub.clock.now_s();
    let mut page = UsersPage {
        layout: layout(&state, &caller, "People").await?,
        rows: Vec::new(),
        total: 0,
        shown_from: 0,
        shown_to: 0,
        error: String::new(),
        signals_used: Vec::new(),
        connections: all.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        user_types: Vec::new(),
        form: q.clone(),
        query: String::new(),
        next: String::new(),
        previous: String::new(),
        savings: String::new(),
        paid_in_filter: 0,
        can_reclaim: caller.user.role.allows(Permission::ReclaimSeats),
        single_connection: String::new(),
    };
    for c in &all {
        for t in state.hub.store.usage().user_types(&c.id).await? {
            if !page.user_types.iter().any(|(id, _)| *id == t.id) {
                let title = if all.len() > 1 {
                    format!("{} ({})", t.title, c.name)
                } else {
                    t.title
                };
                page.user_types.push((t.id, title));
            }
        }
    }
    let params = match UsageParams::parse(&q) {
        Ok(p) => p,
        Err(e) => {
            page.error = e.message;
            return render(page, StatusCode::BAD_REQUEST);
        }
    };
    let limit = if params.given.iter().any(|(n, _)| n == "limit") {
        params.limit
    } else {
        50
    };
    let report = reports::users(
        &state.hub,
        &params.request,
        params.sort,
        params.descending,
        limit,
        params.offset,
    )
    .await?;
    let scoped = reports::scope(&state.hub, &params.request).await?;
    let savings = reports::savings(&state.hub, &scoped.scope).await?;
    page.savings = savings_text(&savings);
    page.paid_in_filter = savings.seats;
    page.rows = report
        .page
        .rows
        .iter()
        .map(|r| Row::of(r, &all, now))
        .collect();
    page.total = report.page.total;
    page.shown_from = if page.rows.is_empty() {
        0
    } else {
        params.offset + 1
    };
    page.shown_to = params.offset + page.rows.len() as i64;
    page.signals_used = report.signals;
    page.query = params.query_with(&[]);
    if page.shown_to < page.total {
        page.next = params.query_with(&[("offset", &(params.offset + limit).to_string())]);
    }
    if params.offset > 0 {
        page.previous =
            params.query_with(&[("offset", &(params.offset - limit).max(0).to_string())]);
    }
    if scoped.connections.len() == 1 {
        page.single_connection = scoped.connections[0].id.clone();
    }
    render(page, StatusCode::OK)
}

pub async fn users_csv(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let params = UsageParams::parse(&q)?;
    Ok(crate::api::usage::csv_response(&state, &params).await?)
}

#[derive(Template)]
#[template(path = "usage_user.html")]
struct UserPage {
    layout: Layout,
    connection: String,
    row: Row,
    fields: Vec<(&'static str, String)>,
    signals: Vec<(&'static str, String)>,
    audit: Vec<(String, String, String, String)>,
}

pub async fn user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((connection, id)): Path<(String, String)>,
) -> PageResult {
    let connection = connections::by_id(&state.hub, &connection).await?;
    let store = state.hub.store.usage();
    let user = store.user(&connection.id, &id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("user {id} not found in {}", connection.name),
        )
    })?;
    let now = state.hub.clock.now_s();
    let audit = store
        .audit_of(&connection.id, &id, now - 30 * 86_400, 100)
        .await?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let at = |t: Option<i64>| {
        t.map(|t| format!("{} UTC ({})", timestamp(t), days_ago(now, Some(t))))
            .unwrap_or_else(|| "never".into())
    };
    let page = UserPage {
        layout: layout(&state, &caller, "Person").await?,
        connection: connection.name.clone(),
        fields: vec![
            ("E-mail", text(&user.email)),
            ("Wrike id", user.id.clone()),
            ("Kind", user.kind.clone()),
            ("Company", text(&user.company_name)),
            ("Title", text(&user.title)),
            ("Role", text(&user.role)),
            (
                "User type",
                user.user_type
                    .clone()
                    .or_else(|| user.user_type_id.clone())
                    .unwrap_or_default(),
            ),
            ("Paid seat", yes(user.paid)),
            ("External", yes(user.external)),
            ("Admin", yes(user.admin)),
            ("Owner", yes(user.owner)),
            ("Active", yes(user.active)),
            ("Deleted", yes(user.deleted)),
            ("Time zone", text(&user.timezone)),
            ("Locale", text(&user.locale)),
        ],
        signals: vec![
            ("Last sign-in", at(user.last_login_at)),
            ("Last change in the audit log", at(user.last_change_at)),
            ("Last task authored", at(user.last_task_at)),
            ("Last comment", at(user.last_comment_at)),
            ("Last time logged", at(user.last_timelog_at)),
        ],
        audit: audit
            .iter()
            .map(|a| {
                (
                    timestamp(a.event_at),
                    a.operation.clone(),
                    text(&a.object_name),
                    a.details.clone(),
                )
            })
            .collect(),
        row: Row::of(&user, std::slice::from_ref(&connection), now),
    };
    render(page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "usage_trends.html")]
struct TrendsPage {
    layout: Layout,
    charts: Vec<(String, String)>,
    used: String,
    missing: Vec<String>,
    period: &'static str,
    signals: String,
    connections: Vec<(String, String)>,
    connection: String,
    error: String,
}

pub async fn trends(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let all = state.hub.store.connections().list().await?;
    let mut page = TrendsPage {
        layout: layout(&state, &caller, "Trends").await?,
        charts: Vec::new(),
        used: String::new(),
        missing: Vec::new(),
        period: "week",
        signals: "all".into(),
        connections: all.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        connection: String::new(),
        error: String::new(),
    };
    let params = match UsageParams::parse(&q) {
        Ok(p) => p,
        Err(e) => {
            page.error = e.message;
            return render(page, StatusCode::BAD_REQUEST);
        }
    };
    page.connection = params
        .request
        .connections
        .first()
        .cloned()
        .unwrap_or_default();
    page.signals = params.request.signals.unwrap_or(Signals::ALL).to_string();
    let periods = match params.given.iter().find(|(n, _)| n == "period") {
        Some(_) => vec![params.period],
        None => vec![Period::Day, Period::Week, Period::Month],
    };
    if periods.len() == 1 {
        page.period = match params.period {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        };
    }
    for period in periods {
        let (count, title, id) = match period {
            Period::Day => (60, "Active users per day (last 60 days)", "active-daily"),
            Period::Week => (26, "Active users per week (last 26 weeks)", "active-weekly"),
            Period::Month => (
                12,
                "Active users per month (last 12 months)",
                "active-monthly",
            ),
        };
        let trend = reports::trend(&state.hub, &params.request, period, count).await?;
        page.used = describe_used(&trend.signals);
        page.missing = trend
            .signals
            .iter()
            .flat_map(|s| {
                s.missing
                    .iter()
                    .map(move |m| format!("{}: {m}", s.connection))
            })
            .collect();
        let points: Vec<Point> = trend
            .points
            .iter()
            .map(|p| Point {
                label: match period {
                    Period::Month => day(p.start_day)[..7].to_owned(),
                    _ => day(p.start_day)[5..].to_owned(),
                },
                value: p.active_users as f64,
            })
            .collect();
        page.charts
            .push((title.to_owned(), charts::columns(id, title, &points)));
    }
    render(page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "usage_seats.html")]
struct SeatsPage {
    layout: Layout,
    sections: Vec<SeatSection>,
    idle_days: i64,
}

struct SeatSection {
    name: String,
    plan: String,
    limit: String,
    used: i64,
    chart: String,
    groups: Vec<(String, String, bool, i64, i64)>,
}

pub async fn seats(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let params = UsageParams::parse(&q)?;
    let report = reports::seats(&state.hub, &params.request).await?;
    let all = state.hub.store.connections().list().await?;
    let mut sections = Vec::new();
    for account in &report.accounts {
        let groups: Vec<_> = report
            .groups
            .iter()
            .filter(|g| g.connection_id == account.connection_id)
            .collect();
        let points: Vec<Point> = groups
            .iter()
            .map(|g| Point {
                label: format!(
                    "{} / {}",
                    g.user_type.as_deref().unwrap_or("no type"),
                    g.role.as_deref().unwrap_or("-")
                ),
                value: g.seats as f64,
            })
            .collect();
        let name = all
            .iter()
            .find(|c| c.id == account.connection_id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        sections.push(SeatSection {
            chart: charts::bars_with_limit(
                &format!("seats-{}", account.connection_id),
                &format!("Active seats of {name} by type and role"),
                &points,
                account.user_limit.map(|n| n as f64),
            ),
            name,
            plan: account.plan.clone().unwrap_or_else(|| "?".into()),
            limit: account
                .user_limit
                .map_or_else(|| "?".into(), |n| n.to_string()),
            used: groups.iter().filter(|g| g.paid).map(|g| g.seats).sum(),
            groups: groups
                .iter()
                .map(|g| {
                    (
                        g.user_type
                            .clone()
                            .or_else(|| g.user_type_id.clone())
                            .unwrap_or_else(|| "no type".into()),
                        g.role.clone().unwrap_or_default(),
                        g.paid,
                        g.seats,
                        g.idle,
                    )
                })
                .collect(),
        });
    }
    render(
        SeatsPage {
            layout: layout(&state, &caller, "Seats").await?,
            sections,
            idle_days: report.idle_days,
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "usage_renewal.html")]
struct RenewalPage {
    layout: Layout,
    connection: Connection,
    seat_cost: String,
    currency: String,
    renewal_date: String,
    types: Vec<(String, String, String)>,
    error: String,
}

pub async fn renewal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let connection = connections::by_id(&state.hub, &id).await?;
    let renewal = state.hub.store.usage().renewal(&connection.id).await?;
    let types = state.hub.store.usage().user_types(&connection.id).await?;
    let cents = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    let page = RenewalPage {
        layout: layout(&state, &caller, "Renewal").await?,
        seat_cost: renewal
            .as_ref()
            .map(|r| cents(r.seat_cost_cents))
            .unwrap_or_default(),
        currency: renewal
            .as_ref()
            .map_or_else(|| "USD".into(), |r| r.currency.clone()),
        renewal_date: renewal
            .as_ref()
            .and_then(|r| r.renewal_date.clone())
            .unwrap_or_default(),
        types: types
            .iter()
            .map(|t| {
                let cost = renewal
                    .as_ref()
                    .and_then(|r| r.type_costs.get(&t.id))
                    .map(|c| cents(*c))
                    .unwrap_or_default();
                (t.id.clone(), t.title.clone(), cost)
            })
            .collect(),
        connection,
        error: String::new(),
    };
    render(page, StatusCode::OK)
}

pub async fn save_renewal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let connection = connections::by_id(&state.hub, &id).await?;
    let types = state.hub.store.usage().user_types(&connection.id).await?;
    let input = RenewalInput {
        seat_cost: form.get("seat_cost"),
        currency: form.get("currency"),
        type_costs: types
            .iter()
            .map(|t| (t.id.clone(), form.get(&format!("type_{}", t.id))))
            .collect(),
        renewal_date: form.get("renewal_date"),
    };
    match reports::set_renewal(&state.hub, &caller.actor(), &connection, &input).await {
        Ok(_) => Ok(Redirect::to("/").into_response()),
        Err(weft_hub::HubError::Invalid(message)) => render(
            RenewalPage {
                layout: layout(&state, &caller, "Renewal").await?,
                seat_cost: input.seat_cost.clone(),
                currency: input.currency.clone(),
                renewal_date: input.renewal_date.clone(),
                types: types
                    .iter()
                    .map(|t| {
                        (
                            t.id.clone(),
                            t.title.clone(),
                            form.get(&format!("type_{}", t.id)),
                        )
                    })
                    .collect(),
                connection,
                error: message,
            },
            StatusCode::BAD_REQUEST,
        ),
        Err(other) => Err(other.into()),
    }
}

pub async fn sync_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let job = crate::api::usage::start_sync(&state, &caller, &id).await?;
    Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
}

/// The reclaim form's dry run: the filter of the users page (as its query string), or the
/// users ticked.
pub async fn plan_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let filter = url::form_urlencoded::parse(form.get("filter").as_bytes())
        .into_owned()
        .filter(|(n, _)| {
            !matches!(
                n.as_str(),
                "limit" | "offset" | "sort" | "desc" | "connection"
            )
        })
        .collect();
    let body = ReclaimBody {
        connection: form.get("connection"),
        action: form.get("action"),
        target: Some(form.get("target")).filter(|t| !t.is_empty()),
        users: form.all("user"),
        filter,
    };
    let plan = crate::api::usage::make_plan(&state, &caller, body).await?;
    Ok(Redirect::to(&format!("/usage/reclaims/{}", plan.id)).into_response())
}

#[derive(Template)]
#[template(path = "usage_reclaim.html")]
struct ReclaimPage {
    layout: Layout,
    plan: ReclaimPlan,
    connection: String,
    created: String,
    expires: String,
    counts: (usize, usize, usize, usize),
    can_apply: bool,
    savings: String,
}

pub async fn reclaim_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let plan = reclaim::get(&state.hub, &id).await?;
    let connection = connections::by_id(&state.hub, &plan.connection_id).await?;
    let count = |r: Option<&str>| {
        plan.items
            .iter()
            .filter(|i| i.result.as_deref() == r)
            .count()
    };
    let now = state.hub.clock.now_s();
    // What deactivating or downgrading the planned users would save, at the entered costs.
    let savings = match state.hub.store.usage().renewal(&connection.id).await? {
        Some(r) if plan.action != "set_role" => {
            let cents = weft_core::usage::annual_savings_cents(
                plan.items
                    .iter()
                    .filter(|i| i.result.as_deref() != Some("skipped"))
                    .map(|i| i.user_type_id.as_deref()),
                r.seat_cost_cents,
                &r.type_costs,
            );
            if plan.action == "deactivate" {
                format!("up to {} a year", money(cents, &r.currency))
            } else {
                String::new()
            }
        }
        _ => String::new(),
    };
    let page = ReclaimPage {
        layout: layout(&state, &caller, "Reclaim").await?,
        connection: connection.name,
        created: timestamp(plan.created_at),
        expires: timestamp(plan.expires_at),
        counts: (
            count(None),
            count(Some("ok")),
            count(Some("failed")),
            count(Some("skipped")),
        ),
        can_apply: caller.user.role.allows(Permission::ReclaimSeats)
            && plan.status == "planned"
            && plan.expires_at >= now,
        savings,
        plan,
    };
    render(page, StatusCode::OK)
}

pub async fn apply_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    reclaim::apply(&state.hub, &caller.actor(), &id).await?;
    Ok(Redirect::to(&format!("/usage/reclaims/{id}")).into_response())
}

pub async fn cancel_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    reclaim::cancel(&state.hub, &caller.actor(), &id).await?;
    Ok(Redirect::to(&format!("/usage/reclaims/{id}")).into_response())
}
