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
use weft_hub::usage::renewal::RenewalPlan;
use weft_hub::usage::reports::{
    self, ConnectionSummary, Period, RenewalInput, Savings, SignalsUsed,
};
use weft_store::{Connection, ReclaimPlan, UserRow};

use super::{Layout, PageResult, render, timestamp, usage_layout};
use crate::api::usage::{ReclaimBody, UsageParams};
use crate::charts::{self, Mark, Point};
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

/// One Wrike account on the dashboard (through the connection that counts it).
struct Card {
    id: String,
    name: String,
    shared_with: String,
    account: String,
    plan: String,
    paid: i64,
    limit: String,
    unassigned: Option<i64>,
    unassigned_savings: String,
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

/// The renewal in words: the cost of a seat and the date with the days left.
fn renewal_text(renewal: Option<&weft_store::Renewal>, now: i64) -> String {
    let Some(r) = renewal else {
        return "no costs entered".into();
    };
    let date = r
        .renewal_date
        .clone()
        .unwrap_or_else(|| "date not set".into());
    let left = weft_hub::usage::renewal::days_left(r.renewal_date.as_deref(), now)
        .map(|n| match n {
            0 => " (today)".to_owned(),
            n if n < 0 => format!(" ({} days ago)", -n),
            1 => " (in 1 day)".to_owned(),
            n => format!(" (in {n} days)"),
        })
        .unwrap_or_default();
    format!(
        "{} a seat a year, renews {date}{left}",
        money(r.seat_cost_cents, &r.currency)
    )
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
            shared_with: s.signals.shared_with.join(", "),
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
            unassigned: s.unassigned.as_ref().map(|u| u.seats),
            unassigned_savings: s
                .unassigned
                .as_ref()
                .map(|u| savings_text(&u.savings))
                .unwrap_or_default(),
            free: s.counts.free_seats,
            idle: s.counts.idle_n,
            never: s.counts.never_active,
            stale: s.counts.inactive_still_typed,
            savings: savings_text(&s.savings),
            renewal: renewal_text(s.renewal.as_ref(), now),
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
    total_never: i64,
    total_unassigned: Option<i64>,
    total_savings: String,
    total_unassigned_savings: String,
    trend_chart: String,
    trend_signals: String,
    seats_charts: Vec<(String, String)>,
    can_sync: bool,
    can_renew: bool,
    can_connect: bool,
}

/// Seat groups as chart bars: "type / role" and the active seats.
fn seat_points<'a>(groups: impl Iterator<Item = &'a weft_store::SeatGroup>) -> Vec<Point> {
    groups
        .map(|g| {
            Point::new(
                format!(
                    "{} / {}",
                    g.user_type.as_deref().unwrap_or("no type"),
                    g.role.as_deref().unwrap_or("-")
                ),
                g.seats as f64,
            )
        })
        .collect()
}

/// A trend's periods as chart columns, marked partial or without data.
fn trend_points(points: &[reports::TrendPeriod], label: impl Fn(i64) -> String) -> Vec<Point> {
    points
        .iter()
        .map(|p| Point {
            label: label(p.start_day),
            value: p.active_users.unwrap_or(0) as f64,
            mark: match p.coverage {
                reports::Coverage::Full => Mark::Whole,
                reports::Coverage::Partial => Mark::Partial,
                reports::Coverage::NoData => Mark::NoData,
            },
        })
        .collect()
}

/// `/` for those who see analytics.
pub async fn dashboard(state: &AppState, caller: &Caller, params: UsageParams) -> PageResult {
    let now = state.hub.clock.now_s();
    let idle_days = params.request.filter.idle_days.unwrap_or(90);
    let mut request = params.request.clone();
    request.filter.idle_days = Some(idle_days);
    let summaries = reports::summary(&state.hub, &request).await?;
    let cards: Vec<Card> = summaries.iter().map(|s| Card::of(s, now)).collect();
    let mut total = Savings::default();
    let mut total_unassigned: Option<(i64, Savings)> = None;
    for s in &summaries {
        total.add(&s.savings);
        if let Some(u) = &s.unassigned {
            let sum = total_unassigned.get_or_insert_with(|| (0, Savings::default()));
            sum.0 += u.seats;
            sum.1.add(&u.savings);
        }
    }
    let trend = reports::trend(&state.hub, &params.request, Period::Week, 26).await?;
    let points = trend_points(&trend.points, |d| day(d)[5..].to_owned());
    let seats = reports::seats(&state.hub, &params.request).await?;
    // One chart per account: each has its own seats purchased.
    let seats_charts = summaries
        .iter()
        .map(|s| {
            let points = seat_points(
                seats
                    .groups
                    .iter()
                    .filter(|g| g.connection_id == s.connection_id),
            );
            let limit = s.account.as_ref().and_then(|a| a.user_limit);
            (
                s.connection.clone(),
                charts::bars_with_limit(
                    &format!("seats-by-type-{}", s.connection_id),
                    &format!("Active seats of {} by user type and role", s.connection),
                    &points,
                    limit.map(|n| n as f64),
                ),
            )
        })
        .collect();
    let role = caller.user.role;
    render(
        DashboardPage {
            layout: usage_layout(state, caller, "Usage").await?,
            total_paid: summaries.iter().map(|s| s.counts.paid_seats).sum(),
            total_idle: summaries.iter().map(|s| s.counts.idle_n).sum(),
            total_never: summaries.iter().map(|s| s.counts.never_active).sum(),
            total_unassigned: total_unassigned.as_ref().map(|u| u.0),
            total_unassigned_savings: total_unassigned
                .as_ref()
                .map(|u| savings_text(&u.1))
                .unwrap_or_default(),
            total_savings: savings_text(&total),
            trend_signals: describe_used(&trend.signals),
            trend_chart: charts::columns("active-weekly", "Active users per week", &points),
            seats_charts,
            cards,
            idle_days,
            can_sync: role.allows(Permission::SyncUsage),
            can_renew: role.allows(Permission::PlanRenewal),
            can_connect: role.allows(Permission::ManageConnections),
        },
        StatusCode::OK,
    )
}

/// A set of signals as the forms name it: one of the choices when it is one, else the list.
fn signals_choice(signals: Signals) -> String {
    match signals {
        Signals::ALL => "all".into(),
        Signals::LOGINS => "logins".into(),
        Signals::WORK => "work".into(),
        other => other.to_string(),
    }
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
    /// Which signal made the person active ("sign-ins by an API client (OAuth, audit log)").
    active_by: String,
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
            active_by: r
                .active_by
                .map(|s| s.describe())
                .unwrap_or_default()
                .to_owned(),
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
    /// Every policy, by name: "idle under this policy" is a filter.
    policies: Vec<String>,
    form: Vec<(String, String)>,
    query: String,
    next: String,
    previous: String,
    savings: String,
    /// Of the people shown, those holding a paid seat idle for `savings_idle_days`.
    idle_in_filter: i64,
    savings_idle_days: i64,
    can_reclaim: bool,
    single_connection: String,
    /// The user types of the one connection a reclaim would change.
    reclaim_types: Vec<(String, String)>,
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
    let all = weft_hub::connections::list(&state.hub).await?;
    let now = state.hub.clock.now_s();
    let mut page = UsersPage {
        layout: usage_layout(&state, &caller, "People").await?,
        rows: Vec::new(),
        total: 0,
        shown_from: 0,
        shown_to: 0,
        error: String::new(),
        signals_used: Vec::new(),
        connections: all.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        user_types: Vec::new(),
        policies: weft_hub::usage::policies::list(&state.hub)
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect(),
        form: q.clone(),
        query: String::new(),
        next: String::new(),
        previous: String::new(),
        savings: String::new(),
        idle_in_filter: 0,
        savings_idle_days: 90,
        can_reclaim: caller.user.role.allows(Permission::ReclaimSeats),
        single_connection: String::new(),
        reclaim_types: Vec::new(),
    };
    for c in &all {
        for t in weft_hub::usage::reports::user_types(&state.hub, &c.id).await? {
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
    let idle_days = params.request.filter.idle_days.unwrap_or(90);
    let savings = reports::savings(&state.hub, &scoped.scope, idle_days).await?;
    page.savings = savings_text(&savings);
    page.idle_in_filter = savings.seats;
    page.savings_idle_days = idle_days;
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
        let id = scoped.connections[0].id.clone();
        // A plan changes one account: only its own user types can be a target.
        page.reclaim_types = weft_hub::usage::reports::user_types(&state.hub, &id)
            .await?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect();
        page.single_connection = id;
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
    let connection = connections::find(&state.hub, &connection).await?;
    let (user, audit) = weft_hub::usage::reports::person(&state.hub, &connection, &id).await?;
    let now = state.hub.clock.now_s();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let at = |t: Option<i64>| {
        t.map(|t| format!("{} UTC ({})", timestamp(t), days_ago(now, Some(t))))
            .unwrap_or_else(|| "never".into())
    };
    let page = UserPage {
        layout: usage_layout(&state, &caller, "Person").await?,
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
            (
                "Last sign-in through an integration (OAuth)",
                at(user.last_integration_at),
            ),
            (
                "Active by",
                user.active_by
                    .map(|s| s.describe())
                    .unwrap_or("-")
                    .to_owned(),
            ),
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
    /// The signals as the form's choice: `all`, `logins`, `work`, or the list given.
    signals: String,
    connections: Vec<(String, String)>,
    connection: String,
    data_from: String,
    error: String,
}

pub async fn trends(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let all = weft_hub::connections::list(&state.hub).await?;
    let mut page = TrendsPage {
        layout: usage_layout(&state, &caller, "Trends").await?,
        charts: Vec::new(),
        used: String::new(),
        missing: Vec::new(),
        period: "week",
        signals: "all".into(),
        connections: all.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        connection: String::new(),
        data_from: String::new(),
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
    page.signals = signals_choice(params.request.signals.unwrap_or(Signals::ALL));
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
        let points = trend_points(&trend.points, |d| match period {
            Period::Month => day(d)[..7].to_owned(),
            _ => day(d)[5..].to_owned(),
        });
        page.data_from = trend.data_from_day.map(day).unwrap_or_default();
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
    let all = weft_hub::connections::list(&state.hub).await?;
    let mut sections = Vec::new();
    for account in &report.accounts {
        let groups: Vec<_> = report
            .groups
            .iter()
            .filter(|g| g.connection_id == account.connection_id)
            .collect();
        let points = seat_points(groups.iter().copied());
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
            layout: usage_layout(&state, &caller, "Seats").await?,
            sections,
            idle_days: report.idle_days,
        },
        StatusCode::OK,
    )
}

/// One row of the renewal plan's table, in words.
struct PlanLine {
    title: String,
    cost: String,
    bought: String,
    assigned: i64,
    active: i64,
    idle: i64,
    never: i64,
    deactivated: i64,
    unassigned: String,
    recommended: i64,
    downgrade: String,
}

#[derive(Template)]
#[template(path = "usage_renewal_plan.html")]
struct RenewalPlanPage {
    layout: Layout,
    plan: RenewalPlan,
    lines: Vec<PlanLine>,
    /// Action key, title, seats, saving.
    actions: Vec<(String, String, i64, String)>,
    spend: String,
    recommended_spend: String,
    date: String,
    changes: Vec<(String, Vec<String>)>,
    priced: bool,
    can_renew: bool,
    query: String,
    generated: String,
    /// What applied reclaims realized since the last renewal, in words; empty without a
    /// renewal date.
    realized: String,
}

/// An amount of the plan's currency, or a dash when no costs are entered.
fn plan_money(plan: &RenewalPlan, cents: i64) -> String {
    match &plan.currency {
        Some(c) => money(cents, c),
        None => "–".into(),
    }
}

/// A figure's name in a change line.
fn figure_name(key: &str) -> &'static str {
    match key {
        "bought" => "seats bought",
        "assigned" => "paid seats held",
        "active" => "active seats",
        "idle" => "idle seats",
        "neverActive" => "never active",
        "unassigned" => "seats held by nobody",
        "deactivatedTyped" => "deactivated with a paid type",
        "collaborators" => "collaborators",
        _ => "other",
    }
}

/// `/usage/renewal/{id}`: the renewal plan of the account a connection reads.
pub async fn renewal_plan(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let connection = connections::find(&state.hub, &id).await?;
    let idle_days = crate::api::usage::renewal_idle_days(&q)?;
    let plan = weft_hub::usage::renewal::plan(&state.hub, &connection, idle_days).await?;
    let count = |n: Option<i64>| n.map_or_else(|| "–".to_owned(), |n| n.to_string());
    let lines = plan
        .plan
        .lines
        .iter()
        .map(|l| PlanLine {
            title: l.title.clone(),
            cost: plan_money(&plan, l.cost_cents),
            bought: count(l.bought),
            assigned: l.assigned,
            active: l.active,
            idle: l.idle,
            never: l.never_active,
            deactivated: l.deactivated_typed,
            unassigned: count(l.unassigned),
            recommended: l.recommended,
            downgrade: match &l.downgrade_to {
                Some(to) if l.idle > 0 => format!(
                    "{} to {to}: {}",
                    l.idle,
                    plan_money(&plan, l.downgrade_saves_cents)
                ),
                _ => "–".into(),
            },
        })
        .collect();
    let actions = plan
        .plan
        .actions
        .iter()
        .map(|a| {
            (
                a.key.to_owned(),
                a.title.to_owned(),
                a.seats,
                plan_money(&plan, a.saves_cents),
            )
        })
        .collect();
    let date = match (&plan.renewal_date, plan.days_left) {
        (Some(d), Some(left)) => format!(
            "{d} ({}){}",
            match left {
                0 => "today".to_owned(),
                n if n < 0 => format!("{} days ago", -n),
                1 => "in 1 day".to_owned(),
                n => format!("in {n} days"),
            },
            if plan.renewal_date_from == Some("wrike") {
                ", as Wrike's subscription gives it"
            } else {
                ""
            }
        ),
        _ => "not known: enter it with the costs".into(),
    };
    let changes = plan
        .changes
        .iter()
        .map(|c| {
            let since = match (c.since, c.at) {
                ("previousSync", Some(at)) => {
                    format!("Since the previous sync ({} UTC)", timestamp(at))
                }
                ("previousSync", None) => "Since the previous sync".to_owned(),
                (_, Some(at)) => format!("Over the last month (since {} UTC)", timestamp(at)),
                (_, None) => "Over the last month".to_owned(),
            };
            let moved = match c.at {
                None => vec!["no earlier sync to compare with yet".to_owned()],
                Some(_) if c.moved.is_empty() => vec!["nothing changed".to_owned()],
                Some(_) => c
                    .moved
                    .iter()
                    .map(|m| {
                        format!(
                            "{}: {} → {} ({:+})",
                            figure_name(m.figure),
                            m.then,
                            m.now,
                            m.now - m.then
                        )
                    })
                    .collect(),
            };
            (since, moved)
        })
        .collect();
    let query = if q.iter().any(|(n, _)| n == "idle") {
        format!("?idle={idle_days}")
    } else {
        String::new()
    };
    let page = RenewalPlanPage {
        layout: usage_layout(&state, &caller, "Renewal plan").await?,
        spend: plan_money(&plan, plan.plan.spend_cents),
        recommended_spend: plan_money(&plan, plan.plan.recommended_spend_cents),
        priced: plan.currency.is_some(),
        can_renew: caller.user.role.allows(Permission::PlanRenewal),
        lines,
        actions,
        date,
        changes,
        query,
        generated: timestamp(plan.generated_at),
        realized: plan
            .realized_since_renewal
            .as_ref()
            .map(|r| {
                format!(
                    "{} a year, {} {} changed since {}",
                    plan_money(&plan, r.cents),
                    r.people,
                    if r.people == 1 { "person" } else { "people" },
                    r.since
                )
            })
            .unwrap_or_default(),
        plan,
    };
    render(page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "usage_renewals.html")]
struct RenewalsPage {
    layout: Layout,
    /// Connection id, account, renewal date and days left, seats held of bought, saving.
    rows: Vec<(String, String, String, String, String)>,
}

/// `/usage/renewal`: every account's renewal, the nearest first.
pub async fn renewals(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    // One row per Wrike account: the connections the reports count it through.
    let scoped = reports::scope(&state.hub, &reports::ReportRequest::default()).await?;
    let mut rows = Vec::new();
    for connection in &scoped.connections {
        let plan = weft_hub::usage::renewal::plan(
            &state.hub,
            connection,
            weft_hub::usage::renewal::IDLE_DAYS,
        )
        .await?;
        let together = plan
            .plan
            .actions
            .iter()
            .find(|a| a.key == "together")
            .map(|a| plan_money(&plan, a.saves_cents))
            .unwrap_or_default();
        rows.push((
            plan.days_left.unwrap_or(i64::MAX),
            (
                connection.id.clone(),
                format!(
                    "{} ({})",
                    plan.account
                        .clone()
                        .unwrap_or_else(|| "not synced yet".into()),
                    connection.name
                ),
                match (&plan.renewal_date, plan.days_left) {
                    (Some(d), Some(n)) => format!("{d}, {n} days left"),
                    _ => "date not known".into(),
                },
                format!(
                    "{} of {}",
                    plan.plan.assigned,
                    plan.plan
                        .bought
                        .map_or_else(|| "?".to_owned(), |b| b.to_string())
                ),
                together,
            ),
        ));
    }
    rows.sort_by_key(|(left, _)| *left);
    render(
        RenewalsPage {
            layout: usage_layout(&state, &caller, "Renewals").await?,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
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
    headroom: String,
    /// User type id, title, cost, seats bought.
    types: Vec<(String, String, String, String)>,
    error: String,
}

/// `/usage/renewal/{id}/costs`: what seats cost, how many were bought, and the date.
pub async fn renewal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let connection = connections::find(&state.hub, &id).await?;
    let renewal = weft_hub::usage::reports::renewal(&state.hub, &connection).await?;
    let types = weft_hub::usage::reports::user_types(&state.hub, &connection.id).await?;
    let cents = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    let page = RenewalPage {
        layout: usage_layout(&state, &caller, "Renewal").await?,
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
        headroom: renewal
            .as_ref()
            .map_or(weft_store::DEFAULT_HEADROOM_PCT, |r| r.headroom_pct)
            .to_string(),
        types: types
            .iter()
            .map(|t| {
                let cost = renewal
                    .as_ref()
                    .and_then(|r| r.type_costs.get(&t.id))
                    .map(|c| cents(*c))
                    .unwrap_or_default();
                let seats = renewal
                    .as_ref()
                    .and_then(|r| r.type_seats.get(&t.id))
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                (t.id.clone(), t.title.clone(), cost, seats)
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
    let connection = connections::find(&state.hub, &id).await?;
    let types = weft_hub::usage::reports::user_types(&state.hub, &connection.id).await?;
    let input = RenewalInput {
        seat_cost: form.get("seat_cost"),
        currency: form.get("currency"),
        type_costs: types
            .iter()
            .map(|t| (t.id.clone(), form.get(&format!("type_{}", t.id))))
            .collect(),
        renewal_date: form.get("renewal_date"),
        headroom_pct: form.get("headroom"),
        type_seats: types
            .iter()
            .map(|t| (t.id.clone(), form.get(&format!("seats_{}", t.id))))
            .collect(),
    };
    match reports::set_renewal(&state.hub, &caller.actor(), &connection, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/usage/renewal/{}", connection.id)).into_response()),
        Err(weft_hub::HubError::Invalid(message)) => render(
            RenewalPage {
                layout: usage_layout(&state, &caller, "Renewal").await?,
                seat_cost: input.seat_cost.clone(),
                currency: input.currency.clone(),
                renewal_date: input.renewal_date.clone(),
                headroom: input.headroom_pct.clone(),
                types: types
                    .iter()
                    .map(|t| {
                        (
                            t.id.clone(),
                            t.title.clone(),
                            form.get(&format!("type_{}", t.id)),
                            form.get(&format!("seats_{}", t.id)),
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

/// People shown on one page of a reclaim plan.
const PLAN_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "usage_reclaim.html")]
struct ReclaimPage {
    layout: Layout,
    plan: ReclaimPlan,
    headline: String,
    connection: String,
    created: String,
    expires: String,
    /// To do, done, failed, skipped, excluded.
    counts: (usize, usize, usize, usize, usize),
    can_apply: bool,
    saving: String,
    /// The people of this page: the plan's item, its last activity in words.
    items: Vec<(weft_store::ReclaimItem, String)>,
    shown_from: usize,
    shown_to: usize,
    next: String,
    previous: String,
    decided: String,
}

/// A plan's saving in words.
fn saving_text(saving: Option<&reclaim::PlanSaving>) -> String {
    match saving {
        None => "not known: no costs are entered for this account".into(),
        Some(s) if s.cents >= 0 => format!("{} a year", money(s.cents, &s.currency)),
        Some(s) => format!("costs {} a year more", money(-s.cents, &s.currency)),
    }
}

pub async fn reclaim_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let plan = reclaim::get(&state.hub, &id).await?;
    let connection = connections::find(&state.hub, &plan.connection_id).await?;
    let count = |r: Option<&str>| {
        plan.items
            .iter()
            .filter(|i| i.result.as_deref() == r)
            .count()
    };
    let now = state.hub.clock.now_s();
    let offset = q
        .iter()
        .find(|(n, _)| n == "offset")
        .map(|(_, v)| {
            v.parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!("offset={v:?}: expected a whole number"))
            })
        })
        .transpose()?
        .unwrap_or(0)
        .min(plan.items.len());
    let items: Vec<_> = plan
        .items
        .iter()
        .skip(offset)
        .take(PLAN_PAGE)
        .map(|i| (i.clone(), days_ago(now, i.last_activity_at)))
        .collect();
    let decided = match (&plan.applied_by, &plan.cancelled_by) {
        (Some(by), _) => format!(
            "Confirmed by {by} at {} UTC.",
            plan.applied_at.map(timestamp).unwrap_or_default()
        ),
        (None, Some(by)) => format!(
            "Cancelled by {by} at {} UTC.",
            plan.cancelled_at.map(timestamp).unwrap_or_default()
        ),
        _ => String::new(),
    };
    let page = ReclaimPage {
        layout: usage_layout(&state, &caller, "Reclaim").await?,
        headline: reclaim::headline(&state.hub, &plan).await?,
        saving: saving_text(reclaim::saving(&state.hub, &plan).await?.as_ref()),
        connection: connection.name,
        created: timestamp(plan.created_at),
        expires: timestamp(plan.expires_at),
        counts: (
            count(None),
            count(Some("ok")),
            count(Some("failed")),
            count(Some("skipped")),
            count(Some(reclaim::EXCLUDED)),
        ),
        can_apply: caller.user.role.allows(Permission::ReclaimSeats)
            && plan.status == "planned"
            && plan.expires_at >= now,
        shown_from: if items.is_empty() { 0 } else { offset + 1 },
        shown_to: offset + items.len(),
        next: if offset + PLAN_PAGE < plan.items.len() {
            format!("?offset={}", offset + PLAN_PAGE)
        } else {
            String::new()
        },
        previous: if offset > 0 {
            format!("?offset={}", offset.saturating_sub(PLAN_PAGE))
        } else {
            String::new()
        },
        items,
        decided,
        plan,
    };
    render(page, StatusCode::OK)
}

/// Takes the ticked people out of a plan before it is confirmed.
pub async fn exclude_from_reclaim(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let users = form.all("exclude");
    if users.is_empty() {
        return Err(ApiError::bad_request("tick at least one person to exclude").into());
    }
    reclaim::exclude(&state.hub, &caller.actor(), &id, &users).await?;
    Ok(Redirect::to(&format!("/usage/reclaims/{id}")).into_response())
}

/// A plan's people as CSV.
pub async fn reclaim_csv(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let plan = reclaim::get(&state.hub, &id).await?;
    Ok(crate::api::usage::reclaim_csv_response(&plan)?)
}

#[derive(Template)]
#[template(path = "usage_reclaims.html")]
struct ReclaimsPage {
    layout: Layout,
    /// Id, created, connection, headline, people, status, made by, decided, saving.
    rows: Vec<[String; 9]>,
}

/// `/usage/reclaims`: past plans with who made, confirmed or cancelled each, and results.
pub async fn reclaims(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let plans = reclaim::list(&state.hub, None, 200).await?;
    let all = weft_hub::connections::list(&state.hub).await?;
    let mut rows = Vec::new();
    for plan in &plans {
        let results = |r: &str| {
            plan.items
                .iter()
                .filter(|i| i.result.as_deref() == Some(r))
                .count()
        };
        let decided = match (&plan.applied_by, &plan.cancelled_by) {
            (Some(by), _) => format!(
                "confirmed by {by}: {} done, {} failed, {} skipped",
                results("ok"),
                results("failed"),
                results("skipped")
            ),
            (None, Some(by)) => format!("cancelled by {by}"),
            _ if plan.expires_at < state.hub.clock.now_s() => "expired unconfirmed".into(),
            _ => "waiting for a confirmation".into(),
        };
        rows.push([
            plan.id.clone(),
            format!("{} UTC", timestamp(plan.created_at)),
            all.iter()
                .find(|c| c.id == plan.connection_id)
                .map_or_else(|| plan.connection_id.clone(), |c| c.name.clone()),
            reclaim::headline(&state.hub, plan).await?,
            plan.items.len().to_string(),
            plan.status.clone(),
            plan.created_by.clone(),
            decided,
            saving_text(reclaim::saving(&state.hub, plan).await?.as_ref()),
        ]);
    }
    render(
        ReclaimsPage {
            layout: usage_layout(&state, &caller, "Reclaims").await?,
            rows,
        },
        StatusCode::OK,
    )
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
