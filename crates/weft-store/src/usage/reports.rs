//! What reports read: people with their last activity by the chosen signals, filtered by
//! any field; seat counts by category, type and role; active users per day, week or month;
//! the synced accounts and user types; a person's audit records.
//!
//! A person's last activity is the latest of the `last_*_at` columns the chosen signals
//! name, computed in SQL (`MAX(a, b)` on SQLite, `GREATEST(a, b)` on PostgreSQL), so one
//! pass over `wrike_users` answers any choice of signals without a join per signal.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;
use weft_core::usage::{Signal, Signals};

use super::Usage;
use super::ingest::last_column as column_of;
use super::periods::PeriodKind;
use crate::StoreResult;
use crate::db::{Backend, failed, on_pool};

/// Which people a report is about. Every field is optional; text fields match exactly
/// except `q` (part of the name or e-mail, any case) and `email_domain`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserFilter {
    pub q: Option<String>,
    /// `Person` unless given: groups, robots and unknown actors are never seats.
    pub kind: Option<String>,
    pub role: Option<String>,
    pub user_type_id: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub email_domain: Option<String>,
    pub external: Option<bool>,
    pub admin: Option<bool>,
    pub owner: Option<bool>,
    pub active: Option<bool>,
    pub deleted: Option<bool>,
    /// Takes a paid seat (role User, and a user type that is not a collaborator's).
    pub paid: Option<bool>,
    /// No activity by the chosen signals for at least this many days: the latest activity at
    /// or before `now - idle_days` days (never active counts).
    pub idle_days: Option<i64>,
    /// Active at least once by the chosen signals (false: never).
    pub ever_active: Option<bool>,
    /// Only these people (by Wrike id): those a policy flags, for "idle under this policy".
    /// Bound as one JSON array, however many there are.
    pub user_ids: Option<Vec<String>>,
}

impl UserFilter {
    /// Whether the filter selects every person of its kind: nothing is set but the kind and
    /// the idle threshold (which sets a threshold, not who is counted).
    pub fn only_threshold(&self) -> bool {
        UserFilter {
            idle_days: self.idle_days,
            kind: self.kind.clone(),
            ..UserFilter::default()
        } == *self
    }
}

/// How to order a user listing.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum SortBy {
    #[default]
    LastActivity,
    Name,
    Email,
    LastLogin,
    LastWork,
    UserType,
    Role,
    Company,
}

impl SortBy {
    pub fn parse(text: &str) -> Option<SortBy> {
        Some(match text {
            "lastActivity" | "last_activity" => SortBy::LastActivity,
            "name" => SortBy::Name,
            "email" => SortBy::Email,
            "lastLogin" | "last_login" => SortBy::LastLogin,
            "lastWork" | "last_work" => SortBy::LastWork,
            "userType" | "user_type" => SortBy::UserType,
            "role" => SortBy::Role,
            "company" | "companyName" => SortBy::Company,
            _ => return None,
        })
    }
}

/// A report's scope: connections with the signals that count for each (a connection
/// without the audit log cannot count logins), the filter, and "now".
#[derive(Debug, Clone)]
pub struct UsageScope {
    pub connections: Vec<(String, Signals)>,
    pub filter: UserFilter,
    pub now: i64,
}

impl UsageScope {
    /// One connection, counting `signals`.
    pub fn one(connection_id: &str, signals: Signals, now: i64) -> UsageScope {
        UsageScope {
            connections: vec![(connection_id.to_owned(), signals)],
            filter: UserFilter::default(),
            now,
        }
    }
}

/// One person with what reports show about them.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub connection_id: String,
    pub id: String,
    pub kind: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub role: Option<String>,
    pub user_type_id: Option<String>,
    pub user_type: Option<String>,
    pub external: bool,
    pub admin: bool,
    pub owner: bool,
    pub active: bool,
    pub deleted: bool,
    pub paid: bool,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub last_login_at: Option<i64>,
    pub last_change_at: Option<i64>,
    pub last_task_at: Option<i64>,
    pub last_comment_at: Option<i64>,
    pub last_timelog_at: Option<i64>,
    pub last_integration_at: Option<i64>,
    /// Latest of task, comment and timelog activity.
    pub last_work_at: Option<i64>,
    /// Latest activity by the report's signals.
    pub last_activity_at: Option<i64>,
    /// The signal of that latest activity: what made the person active (a sign-in to
    /// Wrike, one through an integration, a change, work).
    #[sqlx(skip)]
    pub active_by: Option<Signal>,
}

impl UserRow {
    /// The latest time seen by each signal, in `Signal::ALL` order.
    pub fn last_by_signal(&self) -> [Option<i64>; Signal::ALL.len()] {
        Signal::ALL.map(|signal| match signal {
            Signal::Login => self.last_login_at,
            Signal::Change => self.last_change_at,
            Signal::Task => self.last_task_at,
            Signal::Comment => self.last_comment_at,
            Signal::Timelog => self.last_timelog_at,
            Signal::Integration => self.last_integration_at,
        })
    }

    /// Sets `active_by`: which of `signals` the latest activity came by (the first in
    /// `Signal::ALL` order when two fall on the same second).
    fn find_active_by(&mut self, signals: Signals) {
        let latest = self.last_activity_at;
        self.active_by = Signal::ALL
            .into_iter()
            .zip(self.last_by_signal())
            .find(|(signal, at)| signals.contains(*signal) && at.is_some() && *at == latest)
            .map(|(signal, _)| signal);
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub total: i64,
    pub rows: Vec<UserRow>,
}

/// Seat counts over the people a filter selects.
#[derive(Debug, Clone, Default, Serialize, sqlx::FromRow, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatCounts {
    /// People (active or not) the filter selects.
    pub people: i64,
    /// Active, not deleted, taking a paid seat.
    pub paid_seats: i64,
    /// Active people taking a free seat (collaborators).
    pub free_seats: i64,
    /// Paid seats idle for 30, 60, 90 days and for the report's own threshold.
    pub idle_30: i64,
    pub idle_60: i64,
    pub idle_90: i64,
    pub idle_n: i64,
    /// Paid seats never active by the chosen signals.
    pub never_active: i64,
    /// Deactivated or deleted people who still hold a paid user type.
    pub inactive_still_typed: i64,
}

/// Seat counts, with the idle seats by connection and user type (to price them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeatSummary {
    pub counts: SeatCounts,
    pub idle_by_type: Vec<(String, Option<String>, i64)>,
}

impl SeatCounts {
    pub fn add(&mut self, other: &SeatCounts) {
        self.people += other.people;
        self.paid_seats += other.paid_seats;
        self.free_seats += other.free_seats;
        self.idle_30 += other.idle_30;
        self.idle_60 += other.idle_60;
        self.idle_90 += other.idle_90;
        self.idle_n += other.idle_n;
        self.never_active += other.never_active;
        self.inactive_still_typed += other.inactive_still_typed;
    }
}

/// Active seats of one user type and role.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatGroup {
    pub connection_id: String,
    pub user_type_id: Option<String>,
    pub user_type: Option<String>,
    pub role: Option<String>,
    pub paid: bool,
    pub seats: i64,
    pub idle: i64,
}

/// Active users in one period: a day, a week (from Monday) or a calendar month.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    /// The first day of the period (days since 1970-01-01).
    pub start_day: i64,
    pub active_users: i64,
}

/// A synced Wrike account.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct WrikeAccount {
    pub connection_id: String,
    pub account_id: String,
    pub name: String,
    pub plan: Option<String>,
    pub user_limit: Option<i64>,
    pub paid: Option<bool>,
    pub suspended: Option<bool>,
    /// `subscription.expiryDate`, where Wrike gives it.
    pub expiry_date: Option<String>,
    pub synced_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserTypeInfo {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub license_type: Option<String>,
}

/// One stored audit record, as reports show it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    pub operation: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub event_at: i64,
    pub ip_address: Option<String>,
    pub object_type: Option<String>,
    pub object_name: Option<String>,
    pub object_id: Option<String>,
    pub details: String,
}

const DAY: i64 = 86_400;

/// The latest activity by `signals`, as SQL (0: never): the stored `last_active_at` for
/// every signal and `last_work_at` for work alone (both indexed with the seat columns);
/// otherwise `MAX(a, b, ...)` on SQLite, `GREATEST(a, b, ...)` on PostgreSQL, over the
/// columns of the signals.
fn latest_of(backend: Backend, signals: Signals) -> String {
    if signals == Signals::ALL {
        return "u.last_active_at".to_owned();
    }
    if signals == Signals::WORK {
        return "u.last_work_at".to_owned();
    }
    let columns: Vec<String> = signals
        .iter()
        .map(|s| format!("COALESCE(u.{}, 0)", column_of(s)))
        .collect();
    match columns.len() {
        // Not a bare `0`: in `ORDER BY`, SQLite reads an integer literal as a column number.
        0 => "CAST(0 AS BIGINT)".to_owned(),
        1 => columns[0].clone(),
        _ => {
            let function = match backend {
                Backend::Sqlite => "MAX",
                Backend::Postgres => "GREATEST",
            };
            format!("{function}({})", columns.join(", "))
        }
    }
}

/// The latest activity expression of a scope: one expression when every connection counts
/// the same signals, else a `CASE` on the connection. Connection ids are hub-made
/// (`conn_` and letters and digits), checked here before they go into SQL text.
fn latest_in(backend: Backend, scope: &UsageScope) -> String {
    per_connection(scope, |signals| latest_of(backend, signals), "u")
}

/// The signal bit mask of a scope, as SQL, per connection like `latest_in`.
fn mask_in(scope: &UsageScope, table: &str) -> String {
    per_connection(scope, |signals| signals.bits().to_string(), table)
}

fn per_connection(scope: &UsageScope, expr: impl Fn(Signals) -> String, table: &str) -> String {
    let first = scope.connections.first().map_or(Signals::NONE, |c| c.1);
    if scope.connections.iter().all(|c| c.1 == first) {
        return expr(first);
    }
    let mut case = format!("CASE {table}.connection_id");
    for (id, signals) in &scope.connections {
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            continue;
        }
        case.push_str(&format!(" WHEN '{id}' THEN {}", expr(*signals)));
    }
    case.push_str(" ELSE 0 END");
    case
}

/// Whether a row takes a paid seat: stored with the row (see `DERIVE_SEATS` in `ingest`).
const PAID: &str = "u.paid";

const USER_COLUMNS: &str = "u.connection_id, u.id, u.kind, u.first_name, u.last_name, u.email, u.company_name, u.title, u.role, \
     u.user_type_id, t.title AS user_type, u.external, u.admin, u.owner, u.active, u.deleted, u.timezone, u.locale, \
     u.last_login_at, u.last_change_at, u.last_task_at, u.last_comment_at, u.last_timelog_at, u.last_integration_at";

const FROM_USERS: &str = " FROM wrike_users u LEFT JOIN wrike_user_types t ON t.connection_id = u.connection_id AND t.id = u.user_type_id";

/// Appends `WHERE ...` for a scope to `query`.
fn push_where<DB: sqlx::Database>(
    query: &mut QueryBuilder<DB>,
    backend: Backend,
    scope: &UsageScope,
    latest: &str,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> bool: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let f = &scope.filter;
    query.push(" WHERE u.connection_id IN (");
    let mut ids = query.separated(", ");
    for (id, _) in &scope.connections {
        ids.push_bind(id.clone());
    }
    if scope.connections.is_empty() {
        ids.push("NULL");
    }
    query.push(")");
    // Every person of a connection is (nearly) always of kind Person: on SQLite the seat
    // indexes, which begin with (connection, kind), would be taken for a range and cost a
    // lookup per person, seven times a plain scan of the table. `+` keeps the term out of
    // index choice there; PostgreSQL plans by its statistics and has no unary plus for text.
    query.push(match backend {
        Backend::Sqlite => " AND +u.kind = ",
        Backend::Postgres => " AND u.kind = ",
    });
    query.push_bind(f.kind.clone().unwrap_or_else(|| "Person".into()));
    let exact = [
        ("u.role", &f.role),
        ("u.user_type_id", &f.user_type_id),
        ("u.company_name", &f.company_name),
        ("u.title", &f.title),
        ("u.timezone", &f.timezone),
        ("u.locale", &f.locale),
    ];
    for (column, value) in exact {
        if let Some(value) = value {
            query.push(format!(" AND {column} = "));
            query.push_bind(value.clone());
        }
    }
    let flags: [(&str, Option<bool>); 5] = [
        ("u.external", f.external),
        ("u.admin", f.admin),
        ("u.owner", f.owner),
        ("u.active", f.active),
        ("u.deleted", f.deleted),
    ];
    for (column, value) in flags {
        if let Some(value) = value {
            query.push(format!(" AND {column} = "));
            query.push_bind(value);
        }
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query.push(" AND (LOWER(COALESCE(u.email, '')) LIKE ");
        query.push_bind(pattern.clone());
        query.push(" ESCAPE '\\' OR LOWER(u.first_name || ' ' || u.last_name) LIKE ");
        query.push_bind(pattern);
        query.push(" ESCAPE '\\')");
    }
    if let Some(domain) = f.email_domain.as_deref() {
        let pattern = format!(
            "%@{}",
            escape_like(&domain.trim_start_matches('@').to_lowercase())
        );
        query.push(" AND LOWER(COALESCE(u.email, '')) LIKE ");
        query.push_bind(pattern);
        query.push(" ESCAPE '\\'");
    }
    if let Some(paid) = f.paid {
        // An equality, so the index on (connection, paid, active, latest activity) serves it.
        query.push(format!(" AND {PAID} = "));
        query.push_bind(paid);
    }
    if let Some(days) = f.idle_days {
        query.push(format!(" AND {latest} <= "));
        query.push_bind(scope.now - days.max(0) * DAY);
    }
    if let Some(ids) = &f.user_ids {
        let list = serde_json::Value::from(ids.clone()).to_string();
        query.push(match backend {
            Backend::Sqlite => " AND u.id IN (SELECT value FROM json_each(",
            Backend::Postgres => " AND u.id IN (SELECT jsonb_array_elements_text(CAST(",
        });
        query.push_bind(list);
        query.push(match backend {
            Backend::Sqlite => "))",
            Backend::Postgres => " AS jsonb)))",
        });
    }
    if let Some(ever) = f.ever_active {
        query.push(if ever {
            format!(" AND {latest} > 0")
        } else {
            format!(" AND {latest} = 0")
        });
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn order_by(sort: SortBy, descending: bool, latest: &str, work: &str) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let key = match sort {
        SortBy::LastActivity => latest,
        SortBy::Name => "LOWER(u.last_name || ' ' || u.first_name)",
        SortBy::Email => "LOWER(COALESCE(u.email, ''))",
        SortBy::LastLogin => "COALESCE(u.last_login_at, 0)",
        SortBy::LastWork => work,
        SortBy::UserType => "LOWER(COALESCE(t.title, ''))",
        SortBy::Role => "COALESCE(u.role, '')",
        SortBy::Company => "LOWER(COALESCE(u.company_name, ''))",
    };
    // Ties (same day, same name) fall back to the id, so pages never overlap.
    format!(" ORDER BY {key} {direction}, u.connection_id, u.id")
}

impl Usage<'_> {
    fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// A page of people with their activity, and how many match in all: the page and the
    /// count are two queries run side by side (a count over the page's window would sort
    /// every matching person; the page alone keeps only the rows it needs).
    pub async fn users(
        &self,
        scope: &UsageScope,
        sort: SortBy,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> StoreResult<UserPage> {
        let backend = self.backend();
        let latest = latest_in(backend, scope);
        let work = latest_of(backend, Signals::WORK);
        let order = order_by(sort, descending, &latest, &work);
        let select = format!(
            "SELECT {USER_COLUMNS}, {PAID} AS paid, NULLIF({work}, 0) AS last_work_at, NULLIF({latest}, 0) AS last_activity_at{FROM_USERS}"
        );
        let page = async {
            on_pool!(self.db, pool => {
                let mut query = QueryBuilder::new(select.as_str());
                push_where(&mut query, backend, scope, &latest);
                query.push(order.as_str());
                query.push(" LIMIT ");
                query.push_bind(limit.clamp(0, 100_000));
                query.push(" OFFSET ");
                query.push_bind(offset.max(0));
                query.build_query_as().fetch_all(pool).await.map_err(failed("the users report"))
            })
        };
        let (mut rows, total): (Vec<UserRow>, i64) = tokio::try_join!(page, self.count(scope))?;
        for row in &mut rows {
            let signals = scope
                .connections
                .iter()
                .find(|(id, _)| *id == row.connection_id)
                .map_or(Signals::ALL, |(_, signals)| *signals);
            row.find_active_by(signals);
        }
        Ok(UserPage { total, rows })
    }

    /// How many people a scope selects.
    pub async fn count(&self, scope: &UsageScope) -> StoreResult<i64> {
        let backend = self.backend();
        let latest = latest_in(backend, scope);
        on_pool!(self.db, pool => {
            let mut query = QueryBuilder::new("SELECT COUNT(*) FROM wrike_users u");
            push_where(&mut query, backend, scope, &latest);
            query.build_query_scalar().fetch_one(pool).await.map_err(failed("counting users"))
        })
    }

    /// Seat counts by category over a scope; `idle_n` uses the filter's `idle_days`
    /// (90 when unset), which is not applied as a filter here.
    pub async fn seat_counts(&self, scope: &UsageScope) -> StoreResult<SeatCounts> {
        Ok(self.seat_summary(scope).await?.counts)
    }

    /// Seat counts, and the seats idle for the filter's `idle_days` (90 when unset) by
    /// connection and user type.
    pub async fn seat_summary(&self, scope: &UsageScope) -> StoreResult<SeatSummary> {
        let mut summary = SeatSummary::default();
        for (connection, type_id, c) in self.seat_counts_by_type(scope).await? {
            summary.counts.add(&c);
            if c.idle_n > 0 {
                summary.idle_by_type.push((connection, type_id, c.idle_n));
            }
        }
        Ok(summary)
    }

    /// Seat counts by connection and user type; `idle_n` uses the filter's `idle_days`
    /// (90 when unset), which is not applied as a filter here. A connection counted by
    /// every signal or by work alone, under a filter of nothing but the threshold, is read
    /// from the kept counts and one index range per paid user type (a few milliseconds over
    /// 100,000 people); any other is counted row by row (`seat_counts_by_rows`).
    pub async fn seat_counts_by_type(
        &self,
        scope: &UsageScope,
    ) -> StoreResult<Vec<(String, Option<String>, SeatCounts)>> {
        // Actors seen only in activity (kind `Unknown`) have no kept seat counts.
        let plain_filter =
            scope.filter.only_threshold() && scope.filter.kind.as_deref() != Some("Unknown");
        let mut out = Vec::new();
        for (connection, signals) in &scope.connections {
            let one = UsageScope {
                connections: vec![(connection.clone(), *signals)],
                filter: scope.filter.clone(),
                now: scope.now,
            };
            let kept = plain_filter && matches!(*signals, Signals::ALL | Signals::WORK);
            out.extend(if kept {
                self.kept_counts_by_type(&one).await?
            } else {
                self.seat_counts_by_rows(&one).await?
            });
        }
        Ok(out)
    }

    /// `seat_counts_by_type` for one connection from what is kept: who holds which seat
    /// changes only when people are stored, and those writes keep `usage_seat_counts`; what
    /// depends on the time (idle, never active) is counted per paid user type, each figure
    /// within one range of the seat index (connection, kind, seated, paid, user type,
    /// latest activity), never a pass over every person.
    async fn kept_counts_by_type(
        &self,
        scope: &UsageScope,
    ) -> StoreResult<Vec<(String, Option<String>, SeatCounts)>> {
        let Some((connection, signals)) = scope.connections.first() else {
            return Ok(Vec::new());
        };
        let latest = latest_of(self.backend(), *signals);
        let threshold = scope.filter.idle_days.unwrap_or(90).max(0);
        let kind = scope.filter.kind.clone().unwrap_or_else(|| "Person".into());
        let cutoff = |days: i64| scope.now - days * DAY;
        let buckets: Vec<(bool, bool, Option<String>, i64)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT seated, paid, user_type_id, people FROM usage_seat_counts WHERE connection_id = $1 AND kind = $2")
            .bind(connection).bind(&kind)
            .fetch_all(pool).await.map_err(failed("seat counts")))?;
        let mut by_type: Vec<(Option<String>, SeatCounts)> = Vec::new();
        for (seated, paid, type_id, people) in buckets {
            let at = match by_type.iter().position(|(t, _)| *t == type_id) {
                Some(at) => at,
                None => {
                    by_type.push((type_id.clone(), SeatCounts::default()));
                    by_type.len() - 1
                }
            };
            let c = &mut by_type[at].1;
            c.people += people;
            match (seated, paid) {
                (true, true) => c.paid_seats += people,
                (true, false) => c.free_seats += people,
                (false, true) if type_id.is_some() => c.inactive_still_typed += people,
                _ => {}
            }
        }
        // Only seats idle 30 days or more (or the threshold, when lower) are read.
        let widest = cutoff(threshold.min(30));
        let idle_sql = |typed: bool| {
            let of_type = if typed {
                "u.user_type_id = $4"
            } else {
                "u.user_type_id IS NULL"
            };
            format!(
                "SELECT \
                   COALESCE(SUM(CASE WHEN {latest} <= {c30} THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN {latest} <= {c60} THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN {latest} <= {c90} THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN {latest} <= {cn} THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN {latest} = 0 THEN 1 ELSE 0 END), 0) \
                 FROM wrike_users u WHERE u.connection_id = $1 AND u.kind = $2 AND u.seated = $3 AND u.paid = $3 \
                 AND {of_type} AND {latest} <= {widest}",
                c30 = cutoff(30),
                c60 = cutoff(60),
                c90 = cutoff(90),
                cn = cutoff(threshold),
            )
        };
        for (type_id, c) in &mut by_type {
            if c.paid_seats == 0 {
                continue;
            }
            let sql = idle_sql(type_id.is_some());
            let (idle_30, idle_60, idle_90, idle_n, never): (i64, i64, i64, i64, i64) = on_pool!(self.db, pool => {
                let query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(connection).bind(&kind).bind(true);
                let query = match type_id { Some(t) => query.bind(t.clone()), None => query };
                query.fetch_one(pool).await.map_err(failed("seat counts"))
            })?;
            (c.idle_30, c.idle_60, c.idle_90, c.idle_n) = (idle_30, idle_60, idle_90, idle_n);
            c.never_active = never;
        }
        Ok(by_type
            .into_iter()
            .map(|(t, c)| (connection.clone(), t, c))
            .collect())
    }

    /// Seat counts by connection and user type, in one pass over the people the scope
    /// selects: each person's latest activity and paid seat are worked out once (a
    /// materialized row set), then counted. Any filter; what the kept counts are checked
    /// against.
    pub async fn seat_counts_by_rows(
        &self,
        scope: &UsageScope,
    ) -> StoreResult<Vec<(String, Option<String>, SeatCounts)>> {
        let backend = self.backend();
        let latest = latest_in(backend, scope);
        let threshold = scope.filter.idle_days.unwrap_or(90).max(0);
        let mut unfiltered = scope.clone();
        unfiltered.filter.idle_days = None;
        let inner = format!(
            "WITH x AS MATERIALIZED (SELECT u.connection_id AS connection_id, u.user_type_id AS type_id, \
             u.active AND NOT u.deleted AS seated, {PAID} AS paid, {latest} AS last{FROM_USERS}"
        );
        let idle = |days: i64| {
            format!(
                "SUM(CASE WHEN seated AND paid AND last <= {} THEN 1 ELSE 0 END)",
                scope.now - days * DAY
            )
        };
        let outer = format!(
            ") SELECT connection_id, type_id, COUNT(*) AS people, \
             SUM(CASE WHEN seated AND paid THEN 1 ELSE 0 END) AS paid_seats, \
             SUM(CASE WHEN seated AND NOT paid THEN 1 ELSE 0 END) AS free_seats, \
             {} AS idle_30, {} AS idle_60, {} AS idle_90, {} AS idle_n, \
             SUM(CASE WHEN seated AND paid AND last = 0 THEN 1 ELSE 0 END) AS never_active, \
             SUM(CASE WHEN NOT seated AND paid AND type_id IS NOT NULL THEN 1 ELSE 0 END) AS inactive_still_typed \
             FROM x GROUP BY connection_id, type_id",
            idle(30),
            idle(60),
            idle(90),
            idle(threshold),
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            connection_id: String,
            type_id: Option<String>,
            #[sqlx(flatten)]
            counts: SeatCounts,
        }
        let rows: Vec<Row> = on_pool!(self.db, pool => {
            let mut query = QueryBuilder::new(inner.as_str());
            push_where(&mut query, backend, &unfiltered, &latest);
            query.push(outer.as_str());
            query.build_query_as().fetch_all(pool).await.map_err(failed("seat counts"))
        })?;
        Ok(rows
            .into_iter()
            .map(|r| (r.connection_id, r.type_id, r.counts))
            .collect())
    }

    /// Active seats by connection, user type and role, with how many are idle for the
    /// filter's `idle_days` (90 when unset).
    pub async fn seats_by_type(&self, scope: &UsageScope) -> StoreResult<Vec<SeatGroup>> {
        let backend = self.backend();
        let latest = latest_in(backend, scope);
        let threshold = scope.filter.idle_days.unwrap_or(90).max(0);
        let mut active = scope.clone();
        active.filter.idle_days = None;
        active.filter.active = Some(true);
        active.filter.deleted = Some(false);
        // Grouped first and named after: the groups come in the order of the type-and-role
        // index (no sort of every person), and only a few rows look up their type's title.
        let select = format!(
            "SELECT g.connection_id, g.user_type_id, t.title AS user_type, g.role, g.paid = 1 AS paid, g.seats, g.idle FROM (\
             SELECT u.connection_id, u.user_type_id, u.role, MAX(CASE WHEN {PAID} THEN 1 ELSE 0 END) AS paid, \
             COUNT(*) AS seats, SUM(CASE WHEN {latest} <= {} THEN 1 ELSE 0 END) AS idle FROM wrike_users u",
            scope.now - threshold * DAY
        );
        on_pool!(self.db, pool => {
            let mut query = QueryBuilder::new(select.as_str());
            push_where(&mut query, backend, &active, &latest);
            query.push(" GROUP BY u.connection_id, u.user_type_id, u.role) g \
                LEFT JOIN wrike_user_types t ON t.connection_id = g.connection_id AND t.id = g.user_type_id \
                ORDER BY g.connection_id, g.seats DESC, g.user_type_id, g.role");
            query.build_query_as().fetch_all(pool).await.map_err(failed("seats by type"))
        })
    }

    /// Distinct active users per period from `from_day` to `to_day` (inclusive), by the
    /// scope's signals and filter. `starts` are the first days of the periods of `kind`,
    /// ascending (days, Mondays or first days of months); each day counts toward the last
    /// start at or before it. A connection whose people the filter does not narrow is read
    /// from the kept period counts when they are current (`periods`); any other is counted
    /// from its activity days.
    pub async fn trend(
        &self,
        scope: &UsageScope,
        kind: PeriodKind,
        starts: &[i64],
        to_day: i64,
    ) -> StoreResult<Vec<TrendPoint>> {
        let Some(&from_day) = starts.first() else {
            return Ok(Vec::new());
        };
        let mut unfiltered = scope.clone();
        unfiltered.filter.idle_days = None;
        unfiltered.filter.ever_active = None;
        let whole = unfiltered.filter.only_threshold()
            && unfiltered
                .filter
                .kind
                .as_deref()
                .is_none_or(|k| k == "Person");
        let mut active = vec![0_i64; starts.len()];
        let mut counted = unfiltered.clone();
        counted.connections.clear();
        for (connection, signals) in &scope.connections {
            let kept = if whole {
                self.kept_period_counts(connection, kind, starts, to_day, signals.bits())
                    .await?
            } else {
                None
            };
            match kept {
                Some(rows) => {
                    for (start, people) in rows {
                        if let Ok(i) = starts.binary_search(&start) {
                            active[i] += people;
                        }
                    }
                }
                None => counted.connections.push((connection.clone(), *signals)),
            }
        }
        if !counted.connections.is_empty() {
            let backend = self.backend();
            let latest = latest_in(backend, &counted);
            let mut bucket = String::from("CASE");
            for (i, start) in starts.iter().enumerate().rev() {
                bucket.push_str(&format!(" WHEN d.day >= {start} THEN {i}"));
            }
            bucket.push_str(" END");
            let select = format!(
                "SELECT CAST({bucket} AS BIGINT) AS bucket, COUNT(DISTINCT d.connection_id || ':' || d.user_id) AS active FROM usage_days d \
                 JOIN wrike_users u ON u.connection_id = d.connection_id AND u.id = d.user_id \
                 LEFT JOIN wrike_user_types t ON t.connection_id = u.connection_id AND t.id = u.user_type_id"
            );
            let counts: Vec<(i64, i64)> = on_pool!(self.db, pool => {
                let mut query = QueryBuilder::new(select.as_str());
                push_where(&mut query, backend, &counted, &latest);
                query.push(" AND d.day >= ");
                query.push_bind(from_day);
                query.push(" AND d.day <= ");
                query.push_bind(to_day);
                query.push(format!(" AND (d.signals & {}) <> 0 GROUP BY 1", mask_in(&counted, "d")));
                query.build_query_as().fetch_all(pool).await.map_err(failed("the activity trend"))
            })?;
            for (bucket, people) in counts {
                if let Some(slot) = usize::try_from(bucket).ok().and_then(|i| active.get_mut(i)) {
                    *slot += people;
                }
            }
        }
        Ok(starts
            .iter()
            .zip(active)
            .map(|(start, active_users)| TrendPoint {
                start_day: *start,
                active_users,
            })
            .collect())
    }

    /// Paid seats a scope selects, by connection and user type (for what reclaiming them
    /// would save).
    pub async fn paid_seats_by_type(
        &self,
        scope: &UsageScope,
    ) -> StoreResult<Vec<(String, Option<String>, i64)>> {
        let backend = self.backend();
        let latest = latest_in(backend, scope);
        let select = format!("SELECT u.connection_id, u.user_type_id, COUNT(*){FROM_USERS}");
        let mut seats = scope.clone();
        seats.filter.active = Some(true);
        seats.filter.deleted = Some(false);
        seats.filter.paid = Some(true);
        on_pool!(self.db, pool => {
            let mut query = QueryBuilder::new(select.as_str());
            push_where(&mut query, backend, &seats, &latest);
            query.push(" GROUP BY u.connection_id, u.user_type_id");
            query.build_query_as().fetch_all(pool).await.map_err(failed("paid seats"))
        })
    }

    pub async fn accounts(&self) -> StoreResult<Vec<WrikeAccount>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, account_id, name, plan, user_limit, paid, suspended, expiry_date, synced_at FROM wrike_accounts ORDER BY name")
            .fetch_all(pool).await.map_err(failed("Wrike accounts")))
    }

    pub async fn account(&self, connection_id: &str) -> StoreResult<Option<WrikeAccount>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, account_id, name, plan, user_limit, paid, suspended, expiry_date, synced_at FROM wrike_accounts WHERE connection_id = $1")
            .bind(connection_id).fetch_optional(pool).await.map_err(failed("the Wrike account")))
    }

    pub async fn user_types(&self, connection_id: &str) -> StoreResult<Vec<UserTypeInfo>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, title, description, license_type FROM wrike_user_types WHERE connection_id = $1 ORDER BY title")
            .bind(connection_id).fetch_all(pool).await.map_err(failed("user types")))
    }

    /// One person, whatever their kind.
    pub async fn user(&self, connection_id: &str, id: &str) -> StoreResult<Option<UserRow>> {
        let work = latest_of(self.backend(), Signals::WORK);
        let all = latest_of(self.backend(), Signals::ALL);
        let select = format!(
            "SELECT {USER_COLUMNS}, {PAID} AS paid, NULLIF({work}, 0) AS last_work_at, NULLIF({all}, 0) AS last_activity_at{FROM_USERS} WHERE u.connection_id = $1 AND u.id = $2"
        );
        let mut row: Option<UserRow> = on_pool!(self.db, pool => sqlx::query_as(sqlx::AssertSqlSafe(select))
            .bind(connection_id).bind(id).fetch_optional(pool).await.map_err(failed("a user")))?;
        if let Some(row) = &mut row {
            row.find_active_by(Signals::ALL);
        }
        Ok(row)
    }

    /// A person's audit records since `since`, newest first (at most `limit`). Records are
    /// kept in time order, not by person, so the range bounds the work.
    pub async fn audit_of(
        &self,
        connection_id: &str,
        user_id: &str,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, operation, user_id, user_email, event_at, ip_address, object_type, object_name, object_id, details \
             FROM wrike_audit_records WHERE connection_id = $1 AND event_at >= $3 AND user_id = $2 ORDER BY event_at DESC, id DESC LIMIT $4")
            .bind(connection_id).bind(user_id).bind(since).bind(limit).fetch_all(pool).await.map_err(failed("audit records")))
    }

    /// Every stored audit record of a connection, oldest first, a page at a time (by id
    /// within equal dates), for exports and recomputation.
    pub async fn audit_page(
        &self,
        connection_id: &str,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let (at, id) = after.unwrap_or((i64::MIN, String::new()));
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT id, operation, user_id, user_email, event_at, ip_address, object_type, object_name, object_id, details \
             FROM wrike_audit_records WHERE connection_id = $1 AND (event_at > $2 OR (event_at = $2 AND id > $3)) \
             ORDER BY event_at, id LIMIT $4")
            .bind(connection_id).bind(at).bind(id).bind(limit).fetch_all(pool).await.map_err(failed("audit records")))
    }

    pub async fn audit_count(&self, connection_id: &str) -> StoreResult<i64> {
        on_pool!(self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM wrike_audit_records WHERE connection_id = $1")
            .bind(connection_id).fetch_one(pool).await.map_err(failed("audit records")))
    }
}

/// The signals a report can honestly use for a connection, given which sources synced.
pub fn usable(signals: Signals, has_audit: bool) -> Signals {
    if has_audit {
        signals
    } else {
        signals.without(Signals::of(&[Signal::Login, Signal::Change]))
    }
}
