//! Reports over synced usage data, for the web UI, the JSON API and the CLI alike: people
//! with their last activity, inactive seats, seats by type and role against `userLimit`,
//! active-user trends, renewal savings, and a summary across connections.
//!
//! Every report says which signals it used, per connection: a signal counts only where its
//! source synced (logins need the audit log, which Business plans do not have), and a report
//! that asked for more says what was missing and why.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use weft_core::policy::Verdict;
use weft_core::usage::{Signals, annual_savings_cents, day_of};
use weft_store::{
    AuditEntry, Connection, Renewal, SeatCounts, SeatGroup, SortBy, SourceState, SyncState,
    TrendPoint, UsageScope, UserFilter, UserPage, UserRow, UserTypeInfo, WrikeAccount,
};

use super::{freshness, policies};
use crate::error::{HubError, HubResult};
use crate::{Hub, connections};

/// What a report is about.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReportRequest {
    /// Connection ids or names; every connection when empty.
    pub connections: Vec<String>,
    pub filter: UserFilter,
    /// The signals that count as activity; all of them when unset.
    pub signals: Option<Signals>,
    /// Only the people this policy flags now ("idle under this policy"), on its connection.
    pub policy: Option<String>,
}

/// The signals a report used for one connection, and what it could not use.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignalsUsed {
    pub connection_id: String,
    pub connection: String,
    pub requested: Signals,
    pub used: Signals,
    /// In words: "sign-ins (audit log), tasks authored".
    pub described: String,
    /// Each requested signal that could not be used, with why.
    pub missing: Vec<String>,
    /// Other connections to the same Wrike account: its people are counted once, through
    /// this connection.
    pub shared_with: Vec<String>,
}

/// A scope resolved against the connections and what their sources can show.
pub struct Scoped {
    pub scope: UsageScope,
    pub signals: Vec<SignalsUsed>,
    pub connections: Vec<Connection>,
}

/// Resolves a request: its connections (all when none are named) and, for each, the
/// signals it can honestly count. Connections to the same Wrike account count its people
/// once: through the one synced last, the others named in its `shared_with`.
pub async fn scope(hub: &Hub, request: &ReportRequest) -> HubResult<Scoped> {
    let mut filter = request.filter.clone();
    let mut request = request.clone();
    if let Some(name) = &request.policy {
        let evaluation = policies::evaluate(hub, name, false).await?;
        let elsewhere = request
            .connections
            .iter()
            .any(|c| *c != evaluation.connection_id && *c != evaluation.connection);
        if elsewhere {
            return Err(HubError::invalid(format!(
                "policy: {name} judges the people of {}; leave out the other connections or the policy",
                evaluation.connection
            )));
        }
        request.connections = vec![evaluation.connection_id.clone()];
        filter.user_ids = Some(
            evaluation
                .people
                .into_iter()
                .filter(|p| matches!(p.judged.verdict, Verdict::Flagged { .. }))
                .map(|p| p.judged.person_id)
                .collect(),
        );
    }
    let request = &request;
    let named = if request.connections.is_empty() {
        hub.store.connections().list().await?
    } else {
        let mut found: Vec<Connection> = Vec::new();
        for name in &request.connections {
            let c = connections::find(hub, name).await?;
            if !found.iter().any(|f| f.id == c.id) {
                found.push(c);
            }
        }
        found
    };
    let (connections, shared) = one_per_account(hub, named).await?;
    let requested = request.signals.unwrap_or(Signals::ALL);
    if requested.is_empty() {
        return Err(HubError::invalid("signals: choose at least one signal"));
    }
    let mut pairs = Vec::new();
    let mut used = Vec::new();
    for c in &connections {
        let sources = hub.store.usage().sources(&c.id).await?;
        let (available, why) = freshness::available(&sources);
        let signals = requested.intersect(available);
        let missing = why
            .into_iter()
            .filter(|(s, _)| requested.contains(*s))
            .map(|(s, reason)| format!("{}: {reason}", s.describe()))
            .collect();
        pairs.push((c.id.clone(), signals));
        used.push(SignalsUsed {
            connection_id: c.id.clone(),
            connection: c.name.clone(),
            requested,
            used: signals,
            described: if signals.is_empty() {
                "no activity signal is available yet".into()
            } else {
                signals.describe()
            },
            missing,
            shared_with: shared
                .iter()
                .filter(|(primary, _)| *primary == c.id)
                .map(|(_, other)| other.clone())
                .collect(),
        });
    }
    Ok(Scoped {
        scope: UsageScope {
            connections: pairs,
            filter,
            now: hub.clock.now_s(),
        },
        signals: used,
        connections,
    })
}

/// Keeps one connection per synced Wrike account (the one synced last; the first listed on a
/// tie), in the given order, and says which connection each left-out one shares with.
/// Connections that have not synced their account yet are kept: nothing is known to share.
async fn one_per_account(
    hub: &Hub,
    connections: Vec<Connection>,
) -> HubResult<(Vec<Connection>, Vec<(String, String)>)> {
    let mut accounts = Vec::with_capacity(connections.len());
    for c in &connections {
        accounts.push(hub.store.usage().account(&c.id).await?);
    }
    let mut kept = Vec::new();
    let mut shared = Vec::new();
    for (i, c) in connections.iter().enumerate() {
        let Some(mine) = &accounts[i] else {
            kept.push(c.clone());
            continue;
        };
        let same: Vec<usize> = (0..connections.len())
            .filter(|j| {
                accounts[*j]
                    .as_ref()
                    .is_some_and(|a| a.account_id == mine.account_id)
            })
            .collect();
        let primary = same
            .iter()
            .copied()
            .max_by_key(|j| {
                (
                    accounts[*j].as_ref().map_or(0, |a| a.synced_at),
                    std::cmp::Reverse(*j),
                )
            })
            .unwrap_or(i);
        if primary == i {
            kept.push(c.clone());
        } else {
            shared.push((connections[primary].id.clone(), c.name.clone()));
        }
    }
    Ok((kept, shared))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersReport {
    pub signals: Vec<SignalsUsed>,
    #[serde(flatten)]
    pub page: UserPage,
}

/// People with their activity, filtered, sorted and paged.
pub async fn users(
    hub: &Hub,
    request: &ReportRequest,
    sort: SortBy,
    descending: bool,
    limit: i64,
    offset: i64,
) -> HubResult<UsersReport> {
    let scoped = scope(hub, request).await?;
    let page = hub
        .store
        .usage()
        .users(&scoped.scope, sort, descending, limit, offset)
        .await?;
    Ok(UsersReport {
        signals: scoped.signals,
        page,
    })
}

/// What reclaiming a set of seats would save a year.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Savings {
    /// Paid seats that are idle and could be reclaimed.
    pub seats: i64,
    /// Per currency, in cents (connections may be billed in different currencies).
    pub by_currency: Vec<(String, i64)>,
    /// Seats on connections with no cost entered yet.
    pub unpriced_seats: i64,
}

/// The inactive-seats report: counts by category, and what reclaiming the idle seats the
/// filter selects would save.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InactiveReport {
    pub signals: Vec<SignalsUsed>,
    pub idle_days: i64,
    pub counts: SeatCounts,
    /// Seats purchased (`userLimit`) across the accounts, where Wrike said.
    pub user_limit: Option<i64>,
    /// Seats purchased that nobody holds, and what not renewing them saves a year (at
    /// each account's cost of a seat). Only over all of an account's people: a filter
    /// that selects some of them leaves it out.
    pub unassigned: Option<Unassigned>,
    pub savings: Savings,
}

/// Seats bought that no one holds.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unassigned {
    pub seats: i64,
    pub savings: Savings,
}

/// Whether a filter selects all of an account's people (idle only sets the threshold).
fn whole_account(filter: &UserFilter) -> bool {
    filter.only_threshold() && filter.kind.as_deref().is_none_or(|k| k == "Person")
}

/// The seats an account bought that its paid seats in use leave over, priced at its cost
/// of a seat (which type they are is not known).
async fn unassigned(
    hub: &Hub,
    connection_id: &str,
    account: Option<&WrikeAccount>,
    paid_seats: i64,
) -> HubResult<Option<Unassigned>> {
    let Some(limit) = account.and_then(|a| a.user_limit) else {
        return Ok(None);
    };
    let seats = (limit - paid_seats).max(0);
    let scope = UsageScope::one(connection_id, Signals::NONE, 0);
    let savings = price(hub, &scope, &[(connection_id.to_owned(), None, seats)]).await?;
    Ok(Some(Unassigned { seats, savings }))
}

pub async fn inactive(hub: &Hub, request: &ReportRequest) -> HubResult<InactiveReport> {
    let scoped = scope(hub, request).await?;
    let idle_days = request.filter.idle_days.unwrap_or(90);
    let (counts, savings) = counts_and_savings(hub, &scoped.scope, idle_days).await?;
    let mut limit = None;
    let mut left_over: Option<Unassigned> = None;
    for (id, _) in &scoped.scope.connections {
        let account = hub.store.usage().account(id).await?;
        if let Some(n) = account.as_ref().and_then(|a| a.user_limit) {
            limit = Some(limit.unwrap_or(0) + n);
        }
        if whole_account(&request.filter) {
            // Who holds a paid seat does not depend on the signals; every signal reads
            // the kept counts.
            let paid = hub
                .store
                .usage()
                .seat_counts(&UsageScope::one(id, Signals::ALL, scoped.scope.now))
                .await?
                .paid_seats;
            if let Some(u) = unassigned(hub, id, account.as_ref(), paid).await? {
                left_over = Some(match left_over {
                    None => u,
                    Some(mut sum) => {
                        sum.seats += u.seats;
                        sum.savings.add(&u.savings);
                        sum
                    }
                });
            }
        }
    }
    Ok(InactiveReport {
        signals: scoped.signals,
        idle_days,
        counts,
        user_limit: limit,
        unassigned: left_over,
        savings,
    })
}

/// Seat counts, and what reclaiming the seats idle for `idle_days` would save, from one
/// pass over the people.
async fn counts_and_savings(
    hub: &Hub,
    scope: &UsageScope,
    idle_days: i64,
) -> HubResult<(SeatCounts, Savings)> {
    let mut scope = scope.clone();
    scope.filter.idle_days = Some(idle_days);
    let summary = hub.store.usage().seat_summary(&scope).await?;
    let savings = price(hub, &scope, &summary.idle_by_type).await?;
    Ok((summary.counts, savings))
}

/// What reclaiming the idle paid seats among the people a scope selects would save, at each
/// connection's costs: people the filter selects who hold a paid seat (active, not
/// deleted) and are idle for the filter's `idle_days`, or `default_idle_days` when the
/// filter sets none. A filter that selects no held paid seat (deactivated people, say)
/// saves nothing.
pub async fn savings(hub: &Hub, scope: &UsageScope, default_idle_days: i64) -> HubResult<Savings> {
    let f = &scope.filter;
    if f.active == Some(false) || f.deleted == Some(true) || f.paid == Some(false) {
        return Ok(Savings::default());
    }
    let mut idle = scope.clone();
    idle.filter.idle_days = Some(f.idle_days.unwrap_or(default_idle_days));
    let seats = hub.store.usage().paid_seats_by_type(&idle).await?;
    price(hub, scope, &seats).await
}

impl Savings {
    /// Adds another set of savings (currency by currency).
    pub fn add(&mut self, other: &Savings) {
        self.seats += other.seats;
        self.unpriced_seats += other.unpriced_seats;
        for (c, v) in &other.by_currency {
            match self.by_currency.iter_mut().find(|(x, _)| x == c) {
                Some((_, sum)) => *sum += v,
                None => self.by_currency.push((c.clone(), *v)),
            }
        }
    }
}

/// Prices seats counted by connection and user type at each connection's renewal costs.
async fn price(
    hub: &Hub,
    scope: &UsageScope,
    seats: &[(String, Option<String>, i64)],
) -> HubResult<Savings> {
    let mut by_currency: Vec<(String, i64)> = Vec::new();
    let (mut total, mut unpriced) = (0, 0);
    for (connection, _) in &scope.connections {
        let mine: Vec<&(String, Option<String>, i64)> =
            seats.iter().filter(|s| &s.0 == connection).collect();
        let count: i64 = mine.iter().map(|s| s.2).sum();
        total += count;
        match hub.store.usage().renewal(connection).await? {
            Some(renewal) => {
                let types = mine
                    .iter()
                    .flat_map(|(_, t, n)| std::iter::repeat_n(t.as_deref(), (*n).max(0) as usize));
                let cents =
                    annual_savings_cents(types, renewal.seat_cost_cents, &renewal.type_costs);
                // A currency no seat here is billed in is not shown as a zero amount.
                if cents == 0 {
                    continue;
                }
                match by_currency.iter_mut().find(|(c, _)| *c == renewal.currency) {
                    Some((_, sum)) => *sum += cents,
                    None => by_currency.push((renewal.currency.clone(), cents)),
                }
            }
            None => unpriced += count,
        }
    }
    Ok(Savings {
        seats: total,
        by_currency,
        unpriced_seats: unpriced,
    })
}

/// One connection's seats: what Wrike sold and what is used, by type and role.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatsReport {
    pub signals: Vec<SignalsUsed>,
    pub idle_days: i64,
    pub accounts: Vec<WrikeAccount>,
    pub groups: Vec<SeatGroup>,
}

pub async fn seats(hub: &Hub, request: &ReportRequest) -> HubResult<SeatsReport> {
    let scoped = scope(hub, request).await?;
    let groups = hub.store.usage().seats_by_type(&scoped.scope).await?;
    let mut accounts = Vec::new();
    for c in &scoped.connections {
        if let Some(a) = hub.store.usage().account(&c.id).await? {
            accounts.push(a);
        }
    }
    Ok(SeatsReport {
        signals: scoped.signals,
        idle_days: request.filter.idle_days.unwrap_or(90),
        accounts,
        groups,
    })
}

/// The length of a trend's periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    /// The store's name for the same periods.
    pub fn kind(self) -> weft_store::PeriodKind {
        match self {
            Period::Day => weft_store::PeriodKind::Day,
            Period::Week => weft_store::PeriodKind::Week,
            Period::Month => weft_store::PeriodKind::Month,
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        match text {
            "day" | "daily" => Some(Period::Day),
            "week" | "weekly" => Some(Period::Week),
            "month" | "monthly" => Some(Period::Month),
            _ => None,
        }
    }

    /// The first days of the last `count` periods up to `today`, oldest first: days,
    /// Mondays, or first days of months.
    pub fn starts(self, today: NaiveDate, count: usize) -> Vec<NaiveDate> {
        let count = count.clamp(1, 400);
        let mut starts = Vec::with_capacity(count);
        let mut at = match self {
            Period::Day => today,
            Period::Week => {
                today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64)
            }
            Period::Month => today.with_day(1).unwrap_or(today),
        };
        for _ in 0..count {
            starts.push(at);
            at = match self {
                Period::Day => at - chrono::Duration::days(1),
                Period::Week => at - chrono::Duration::days(7),
                Period::Month => at.checked_sub_months(chrono::Months::new(1)).unwrap_or(at),
            };
        }
        starts.reverse();
        starts
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendReport {
    pub signals: Vec<SignalsUsed>,
    pub period: Period,
    /// The first day with synced activity (days since 1970-01-01): where the earliest
    /// backfill of the connections began; none before any sync.
    pub data_from_day: Option<i64>,
    pub points: Vec<TrendPeriod>,
}

/// How much of a period the synced data covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Coverage {
    /// Every day of the period is synced and over.
    Full,
    /// The period began before the data does, or has not ended yet.
    Partial,
    /// The period ended before the data begins: not zero, unknown.
    NoData,
}

/// Active users in one period, with how much of it the data covers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TrendPeriod {
    /// First and last day of the period (days since 1970-01-01), inclusive.
    pub start_day: i64,
    pub end_day: i64,
    /// Distinct active people; `null` when the period has no data.
    pub active_users: Option<i64>,
    pub coverage: Coverage,
}

/// Marks each period by what the data covers: `from` is the first synced day, `today` the
/// current day. A period's end is the day before the next one starts (the last period ends
/// where its length says, which may be after today).
pub fn cover(
    points: &[TrendPoint],
    period: Period,
    from: Option<i64>,
    today: i64,
) -> Vec<TrendPeriod> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    points
        .iter()
        .map(|p| {
            let start = epoch + chrono::Duration::days(p.start_day);
            let next = match period {
                Period::Day => start + chrono::Duration::days(1),
                Period::Week => start + chrono::Duration::days(7),
                Period::Month => start
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(start),
            };
            let end_day = (next - epoch).num_days() - 1;
            let coverage = match from {
                None => Coverage::NoData,
                Some(from) if end_day < from => Coverage::NoData,
                Some(from) if p.start_day < from || end_day >= today => Coverage::Partial,
                Some(_) => Coverage::Full,
            };
            TrendPeriod {
                start_day: p.start_day,
                end_day,
                active_users: (coverage != Coverage::NoData).then_some(p.active_users),
                coverage,
            }
        })
        .collect()
}

/// Distinct active users per period, the current (partial) period last; periods before
/// the data begins say so rather than zero.
pub async fn trend(
    hub: &Hub,
    request: &ReportRequest,
    period: Period,
    count: usize,
) -> HubResult<TrendReport> {
    let scoped = scope(hub, request).await?;
    let now = scoped.scope.now;
    let today = chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.date_naive())
        .ok_or_else(|| HubError::Internal("the clock is out of range".into()))?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let starts: Vec<i64> = period
        .starts(today, count)
        .into_iter()
        .map(|d| (d - epoch).num_days())
        .collect();
    let points = hub
        .store
        .usage()
        .trend(&scoped.scope, period.kind(), &starts, day_of(now))
        .await?;
    let mut from: Option<i64> = None;
    for (id, _) in &scoped.scope.connections {
        if let Some(day) = hub
            .store
            .usage()
            .sync_state(id)
            .await?
            .and_then(|s| s.backfill_from)
            .map(day_of)
        {
            from = Some(from.map_or(day, |f: i64| f.min(day)));
        }
    }
    Ok(TrendReport {
        signals: scoped.signals,
        period,
        data_from_day: from,
        points: cover(&points, period, from, day_of(now)),
    })
}

/// One connection at a glance.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSummary {
    pub connection_id: String,
    pub connection: String,
    pub account: Option<WrikeAccount>,
    pub signals: SignalsUsed,
    pub counts: SeatCounts,
    /// What reclaiming the idle paid seats saves.
    pub savings: Savings,
    /// Seats bought that nobody holds (when Wrike gives `userLimit` and no filter narrows
    /// the people).
    pub unassigned: Option<Unassigned>,
    pub renewal: Option<Renewal>,
    pub sync: Option<SyncState>,
    pub sources: Vec<SourceState>,
}

/// Every connection (or those named) at a glance, idle meaning `idle_days` without
/// activity.
pub async fn summary(hub: &Hub, request: &ReportRequest) -> HubResult<Vec<ConnectionSummary>> {
    let scoped = scope(hub, request).await?;
    let idle_days = request.filter.idle_days.unwrap_or(90);
    let mut out = Vec::new();
    for (c, used) in scoped.connections.iter().zip(scoped.signals) {
        let one = UsageScope {
            connections: vec![(c.id.clone(), used.used)],
            filter: request.filter.clone(),
            now: scoped.scope.now,
        };
        let (counts, savings) = counts_and_savings(hub, &one, idle_days).await?;
        let account = hub.store.usage().account(&c.id).await?;
        let unassigned = if whole_account(&request.filter) {
            unassigned(hub, &c.id, account.as_ref(), counts.paid_seats).await?
        } else {
            None
        };
        out.push(ConnectionSummary {
            connection_id: c.id.clone(),
            connection: c.name.clone(),
            account,
            signals: used,
            counts,
            savings,
            unassigned,
            renewal: hub.store.usage().renewal(&c.id).await?,
            sync: hub.store.usage().sync_state(&c.id).await?,
            sources: hub.store.usage().sources(&c.id).await?,
        });
    }
    Ok(out)
}

/// Renewal costs as entered: a yearly cost per seat, optional costs per user type, a date.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenewalInput {
    /// "300" or "300.00" (a year, in the currency's units).
    #[schema(example = "300.00")]
    pub seat_cost: String,
    #[serde(default)]
    pub currency: String,
    /// User type id to yearly cost, where it differs.
    #[serde(default)]
    pub type_costs: std::collections::BTreeMap<String, String>,
    /// `YYYY-MM-DD` or empty.
    #[serde(default)]
    pub renewal_date: String,
    /// Headroom above the active seats in the recommendation, in percent (0 to 100);
    /// empty keeps what was set (10 at first).
    #[serde(default)]
    pub headroom_pct: String,
    /// User type id to seats bought of it, where the contract says; empty: not known.
    #[serde(default)]
    pub type_seats: std::collections::BTreeMap<String, String>,
}

/// Parses "300", "300.5" or "1,200.00" as cents; names the field when it cannot.
pub fn parse_money(field: &str, text: &str) -> HubResult<i64> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
    let bad = || {
        HubError::invalid(format!(
            "{field}: '{text}' is not an amount like 300 or 300.00"
        ))
    };
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .filter(|v| *v <= 100_000_000_000)
        .ok_or_else(bad)
}

/// The user types of a connection's account, as last synced.
pub async fn user_types(hub: &Hub, connection_id: &str) -> HubResult<Vec<UserTypeInfo>> {
    Ok(hub.store.usage().user_types(connection_id).await?)
}

/// The state of a connection's usage sync, once one has run.
pub async fn sync_state(hub: &Hub, connection_id: &str) -> HubResult<Option<SyncState>> {
    Ok(hub.store.usage().sync_state(connection_id).await?)
}

/// A connection's renewal costs, when entered.
pub async fn renewal(hub: &Hub, connection: &Connection) -> HubResult<Option<Renewal>> {
    Ok(hub.store.usage().renewal(&connection.id).await?)
}

/// One person of a connection with their audit records of the last 30 days (200 at most).
pub async fn person(
    hub: &Hub,
    connection: &Connection,
    id: &str,
) -> HubResult<(UserRow, Vec<AuditEntry>)> {
    let store = hub.store.usage();
    let user = store
        .user(&connection.id, id)
        .await?
        .ok_or_else(|| HubError::not_found(format!("user {id}")))?;
    let since = hub.clock.now_s() - 30 * 86_400;
    let audit = store.audit_of(&connection.id, id, since, 200).await?;
    Ok((user, audit))
}

/// Saves a connection's renewal costs (recorded in the trail).
pub async fn set_renewal(
    hub: &Hub,
    actor: &str,
    connection: &Connection,
    input: &RenewalInput,
) -> HubResult<Renewal> {
    let seat_cost_cents = parse_money("seat cost", &input.seat_cost)?;
    let currency = input.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(HubError::invalid(format!(
            "currency: '{}' is not a three-letter code like USD or EUR",
            input.currency
        )));
    }
    let mut type_costs = std::collections::BTreeMap::new();
    for (type_id, cost) in &input.type_costs {
        if cost.trim().is_empty() {
            continue;
        }
        type_costs.insert(
            type_id.clone(),
            parse_money(&format!("cost of user type {type_id}"), cost)?,
        );
    }
    let date = input.renewal_date.trim();
    let renewal_date = if date.is_empty() {
        None
    } else {
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            HubError::invalid(format!(
                "renewal date: '{date}' is not a date like 2027-03-31"
            ))
        })?;
        Some(date.to_owned())
    };
    let known = hub.store.usage().user_types(&connection.id).await?;
    for type_id in input.type_costs.keys().chain(input.type_seats.keys()) {
        if !known.iter().any(|t| &t.id == type_id) {
            return Err(HubError::invalid(format!(
                "user type {type_id}: not a user type of {} (known: {})",
                connection.name,
                known
                    .iter()
                    .map(|t| format!("{} {}", t.id, t.title))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let before = hub.store.usage().renewal(&connection.id).await?;
    let headroom_pct = match input.headroom_pct.trim() {
        "" => before
            .as_ref()
            .map_or(weft_store::DEFAULT_HEADROOM_PCT, |r| r.headroom_pct),
        text => text
            .trim_end_matches('%')
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=100).contains(n))
            .ok_or_else(|| {
                HubError::invalid(format!(
                    "headroom: '{text}' is not a whole percentage from 0 to 100"
                ))
            })?,
    };
    let mut type_seats = std::collections::BTreeMap::new();
    for (type_id, seats) in &input.type_seats {
        let seats = seats.trim();
        if seats.is_empty() {
            continue;
        }
        let n = seats
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=10_000_000).contains(n))
            .ok_or_else(|| {
                HubError::invalid(format!(
                    "seats bought of user type {type_id}: '{seats}' is not a whole number of seats"
                ))
            })?;
        type_seats.insert(type_id.clone(), n);
    }
    let renewal = Renewal {
        connection_id: connection.id.clone(),
        seat_cost_cents,
        currency,
        type_costs,
        renewal_date,
        headroom_pct,
        type_seats,
        updated_at: hub.clock.now_s(),
        updated_by: actor.to_owned(),
    };
    hub.store.usage().save_renewal(&renewal).await?;
    crate::trail::record(
        hub,
        actor,
        "usage.renewal",
        &connection.name,
        before.map(|r| serde_json::to_value(r).unwrap_or_default()),
        Some(serde_json::to_value(&renewal).unwrap_or_default()),
    )
    .await?;
    Ok(renewal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_on_days_mondays_and_firsts() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            Period::Day.starts(d("2026-11-29"), 3),
            vec![d("2026-11-27"), d("2026-11-28"), d("2026-11-29")]
        );
        // 2026-11-29 is a Sunday.
        assert_eq!(
            Period::Week.starts(d("2026-11-29"), 2),
            vec![d("2026-11-16"), d("2026-11-23")]
        );
        assert_eq!(
            Period::Month.starts(d("2026-03-31"), 3),
            vec![d("2026-01-01"), d("2026-02-01"), d("2026-03-01")]
        );
    }

    #[test]
    fn periods_before_the_data_are_no_data_and_the_edges_partial() {
        let d = |s: &str| {
            (NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
                - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
            .num_days()
        };
        let point = |start: &str| TrendPoint {
            start_day: d(start),
            active_users: 0,
        };
        let weeks = [
            point("2026-11-02"),
            point("2026-11-09"),
            point("2026-11-16"),
            point("2026-11-23"),
        ];
        // Data from Wednesday 2026-11-11; today is Thursday 2026-11-26.
        let marked = cover(&weeks, Period::Week, Some(d("2026-11-11")), d("2026-11-26"));
        let coverage: Vec<Coverage> = marked.iter().map(|p| p.coverage).collect();
        assert_eq!(
            coverage,
            [
                Coverage::NoData,
                Coverage::Partial,
                Coverage::Full,
                Coverage::Partial
            ]
        );
        assert_eq!(marked[0].active_users, None);
        assert_eq!(marked[1].active_users, Some(0));
        assert_eq!(marked[2].end_day, d("2026-11-22"));
        // A month ends on its last day; nothing synced means no data anywhere.
        let months = cover(&[point("2026-02-01")], Period::Month, None, d("2026-11-26"));
        assert_eq!(months[0].end_day, d("2026-02-28"));
        assert_eq!(months[0].coverage, Coverage::NoData);
    }

    #[test]
    fn money_parses_or_names_the_field() {
        assert_eq!(parse_money("seat cost", "300").unwrap(), 30_000);
        assert_eq!(parse_money("seat cost", "1,200.5").unwrap(), 120_050);
        assert_eq!(parse_money("seat cost", " 9.99 ").unwrap(), 999);
        for bad in ["", "-3", "3.999", "abc", "1e5", "99999999999"] {
            let e = parse_money("seat cost", bad).unwrap_err().to_string();
            assert!(e.contains("seat cost"), "{bad}: {e}");
        }
    }
}
