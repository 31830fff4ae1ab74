//! Usage analytics on the wire: people and their last activity, the seat reports, trends,
//! one person's audit records, renewal costs and plans, and reclaim plans.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use weft_core::renewal::Plan;
use weft_hub::usage::renewal::{Figures, Moved};
use weft_hub::usage::reports::{self as hub, Coverage, Period, SignalsUsed};
use weft_store::{SeatCounts, SeatGroup};

use super::{day, time};

/// Money in one currency.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    pub currency: String,
    pub cents: i64,
}

/// What freeing seats would save: seats, money by currency, and seats with no cost entered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Savings {
    pub seats: i64,
    pub by_currency: Vec<Money>,
    pub unpriced_seats: i64,
}

impl From<&hub::Savings> for Savings {
    fn from(s: &hub::Savings) -> Self {
        Savings {
            seats: s.seats,
            by_currency: s
                .by_currency
                .iter()
                .map(|(currency, cents)| Money {
                    currency: currency.clone(),
                    cents: *cents,
                })
                .collect(),
            unpriced_seats: s.unpriced_seats,
        }
    }
}

/// Seats bought that no one holds, and what dropping them saves.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Unassigned {
    pub seats: i64,
    pub savings: Savings,
}

impl From<&hub::Unassigned> for Unassigned {
    fn from(u: &hub::Unassigned) -> Self {
        Unassigned {
            seats: u.seats,
            savings: (&u.savings).into(),
        }
    }
}

/// A person of a Wrike account with their last activity of each kind.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub connection_id: String,
    pub id: String,
    /// `person`, `group` or `invitation`, as Wrike says.
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
    pub last_login_at: Option<DateTime<Utc>>,
    pub last_change_at: Option<DateTime<Utc>>,
    pub last_task_at: Option<DateTime<Utc>>,
    pub last_comment_at: Option<DateTime<Utc>>,
    pub last_timelog_at: Option<DateTime<Utc>>,
    /// The latest sign-in through an API client with OAuth (an integration).
    pub last_integration_at: Option<DateTime<Utc>>,
    pub last_work_at: Option<DateTime<Utc>>,
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Which signal the latest activity came by: what made the person active.
    pub active_by: Option<weft_core::usage::Signal>,
}

impl From<&weft_store::UserRow> for Person {
    fn from(u: &weft_store::UserRow) -> Self {
        Person {
            connection_id: u.connection_id.clone(),
            id: u.id.clone(),
            kind: u.kind.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.clone(),
            company_name: u.company_name.clone(),
            title: u.title.clone(),
            role: u.role.clone(),
            user_type_id: u.user_type_id.clone(),
            user_type: u.user_type.clone(),
            external: u.external,
            admin: u.admin,
            owner: u.owner,
            active: u.active,
            deleted: u.deleted,
            paid: u.paid,
            timezone: u.timezone.clone(),
            locale: u.locale.clone(),
            last_login_at: u.last_login_at.map(time),
            last_change_at: u.last_change_at.map(time),
            last_task_at: u.last_task_at.map(time),
            last_comment_at: u.last_comment_at.map(time),
            last_timelog_at: u.last_timelog_at.map(time),
            last_integration_at: u.last_integration_at.map(time),
            last_work_at: u.last_work_at.map(time),
            last_activity_at: u.last_activity_at.map(time),
            active_by: u.active_by,
        }
    }
}

/// A page of people, with the signals each connection's figures count.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct People {
    pub signals: Vec<SignalsUsed>,
    #[serde(flatten)]
    pub page: super::Page<Person>,
}

impl People {
    /// A page of the people report, `limit` from `offset`.
    pub fn of(report: hub::UsersReport, limit: i64, offset: i64) -> Self {
        People {
            signals: report.signals,
            page: super::Page::by_offset(
                report.page.rows.iter().map(Into::into).collect(),
                report.page.total,
                limit,
                offset,
            ),
        }
    }
}

/// Idle and never-active seats with what freeing them saves.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Inactive {
    pub signals: Vec<SignalsUsed>,
    pub idle_days: i64,
    pub counts: SeatCounts,
    /// Seats the account has bought, when Wrike says.
    pub user_limit: Option<i64>,
    pub unassigned: Option<Unassigned>,
    pub savings: Savings,
}

impl From<&hub::InactiveReport> for Inactive {
    fn from(r: &hub::InactiveReport) -> Self {
        Inactive {
            signals: r.signals.clone(),
            idle_days: r.idle_days,
            counts: r.counts.clone(),
            user_limit: r.user_limit,
            unassigned: r.unassigned.as_ref().map(Unassigned::from),
            savings: (&r.savings).into(),
        }
    }
}

/// A Wrike account as last synced.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub connection_id: String,
    pub account_id: String,
    pub name: String,
    pub plan: Option<String>,
    pub user_limit: Option<i64>,
    pub paid: Option<bool>,
    pub suspended: Option<bool>,
    /// As Wrike gives it.
    pub expiry_date: Option<String>,
    pub synced_at: DateTime<Utc>,
}

impl From<&weft_store::WrikeAccount> for Account {
    fn from(a: &weft_store::WrikeAccount) -> Self {
        Account {
            connection_id: a.connection_id.clone(),
            account_id: a.account_id.clone(),
            name: a.name.clone(),
            plan: a.plan.clone(),
            user_limit: a.user_limit,
            paid: a.paid,
            suspended: a.suspended,
            expiry_date: a.expiry_date.clone(),
            synced_at: time(a.synced_at),
        }
    }
}

/// Seats by user type and role.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seats {
    pub signals: Vec<SignalsUsed>,
    pub idle_days: i64,
    pub accounts: Vec<Account>,
    pub groups: Vec<SeatGroup>,
}

impl From<&hub::SeatsReport> for Seats {
    fn from(r: &hub::SeatsReport) -> Self {
        Seats {
            signals: r.signals.clone(),
            idle_days: r.idle_days,
            accounts: r.accounts.iter().map(Account::from).collect(),
            groups: r.groups.clone(),
        }
    }
}

/// Active people per period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    pub signals: Vec<SignalsUsed>,
    pub period: Period,
    /// The first day with data.
    pub data_from: Option<NaiveDate>,
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    pub start: NaiveDate,
    /// The period's last day.
    pub end: NaiveDate,
    /// Null when no data covers the period.
    pub active_users: Option<i64>,
    pub coverage: Coverage,
}

impl From<&hub::TrendReport> for Trend {
    fn from(r: &hub::TrendReport) -> Self {
        Trend {
            signals: r.signals.clone(),
            period: r.period,
            data_from: r.data_from_day.map(day),
            points: r
                .points
                .iter()
                .map(|p| TrendPoint {
                    start: day(p.start_day),
                    end: day(p.end_day),
                    active_users: p.active_users,
                    coverage: p.coverage,
                })
                .collect(),
        }
    }
}

/// Seat costs and the renewal date of one connection's account.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Renewal {
    pub connection_id: String,
    /// What a seat costs when its user type has no cost of its own.
    pub seat_cost_cents: i64,
    pub currency: String,
    /// Cost by user type id.
    pub type_costs: BTreeMap<String, i64>,
    pub renewal_date: Option<String>,
    pub headroom_pct: i64,
    /// Seats bought by user type id.
    pub type_seats: BTreeMap<String, i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl From<&weft_store::Renewal> for Renewal {
    fn from(r: &weft_store::Renewal) -> Self {
        Renewal {
            connection_id: r.connection_id.clone(),
            seat_cost_cents: r.seat_cost_cents,
            currency: r.currency.clone(),
            type_costs: r.type_costs.clone(),
            renewal_date: r.renewal_date.clone(),
            headroom_pct: r.headroom_pct,
            type_seats: r.type_seats.clone(),
            updated_at: time(r.updated_at),
            updated_by: r.updated_by.clone(),
        }
    }
}

/// A connection's renewal costs; null until entered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RenewalCosts {
    pub renewal: Option<Renewal>,
}

/// The state of a connection's usage sync.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// A sync holds the lease now.
    pub running: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `ok`, `partial` or `failed`.
    pub outcome: Option<String>,
    pub message: Option<String>,
    pub backfill_from: Option<DateTime<Utc>>,
}

/// One source a sync reads (the people listing, the audit log, ...).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub source: String,
    /// `ok`, `unavailable` (plan, right or scope missing), `failed` or `running`.
    pub status: String,
    pub message: Option<String>,
    pub synced_through: Option<DateTime<Utc>>,
    pub records: i64,
    pub requests: i64,
    pub last_success_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// One connection in the usage summary.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSummary {
    pub connection_id: String,
    pub connection: String,
    pub account: Option<Account>,
    pub signals: SignalsUsed,
    pub counts: SeatCounts,
    pub savings: Savings,
    pub unassigned: Option<Unassigned>,
    pub renewal: Option<Renewal>,
    pub sync: Option<SyncState>,
    pub sources: Vec<Source>,
}

impl ConnectionSummary {
    /// On the wire, `now` deciding whether a sync still runs.
    pub fn of(s: &hub::ConnectionSummary, now: i64) -> Self {
        ConnectionSummary {
            connection_id: s.connection_id.clone(),
            connection: s.connection.clone(),
            account: s.account.as_ref().map(Account::from),
            signals: s.signals.clone(),
            counts: s.counts.clone(),
            savings: (&s.savings).into(),
            unassigned: s.unassigned.as_ref().map(Unassigned::from),
            renewal: s.renewal.as_ref().map(Renewal::from),
            sync: s.sync.as_ref().map(|y| SyncState {
                running: y.running(now),
                started_at: y.started_at.map(time),
                finished_at: y.finished_at.map(time),
                outcome: y.outcome.clone(),
                message: y.message.clone(),
                backfill_from: y.backfill_from.map(time),
            }),
            sources: s
                .sources
                .iter()
                .map(|x| Source {
                    source: x.source.clone(),
                    status: x.status.clone(),
                    message: x.message.clone(),
                    synced_through: x.synced_through.map(time),
                    records: x.records,
                    requests: x.requests,
                    last_success_at: x.last_success_at.map(time),
                    updated_at: time(x.updated_at),
                })
                .collect(),
        }
    }
}

/// The usage summary: one entry per connection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub connections: Vec<ConnectionSummary>,
}

impl Summary {
    /// The summary's connections, `now` deciding whether a sync still runs.
    pub fn of(all: &[hub::ConnectionSummary], now: i64) -> Self {
        Summary {
            connections: all.iter().map(|c| ConnectionSummary::of(c, now)).collect(),
        }
    }
}

/// One record of Wrike's audit log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub id: String,
    pub operation: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub event_at: DateTime<Utc>,
    pub ip_address: Option<String>,
    pub object_type: Option<String>,
    pub object_name: Option<String>,
    pub object_id: Option<String>,
    /// Wrike's details of the record, as Wrike gave them.
    pub details: serde_json::Value,
}

impl From<&weft_store::AuditEntry> for AuditRecord {
    fn from(a: &weft_store::AuditEntry) -> Self {
        AuditRecord {
            id: a.id.clone(),
            operation: a.operation.clone(),
            user_id: a.user_id.clone(),
            user_email: a.user_email.clone(),
            event_at: time(a.event_at),
            ip_address: a.ip_address.clone(),
            object_type: a.object_type.clone(),
            object_name: a.object_name.clone(),
            object_id: a.object_id.clone(),
            details: serde_json::from_str(&a.details)
                .unwrap_or_else(|_| serde_json::Value::String(a.details.clone())),
        }
    }
}

/// One person with their audit records of the last 30 days.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonDetail {
    pub user: Person,
    pub audit_last_30_days: Vec<AuditRecord>,
}

/// A renewal plan: what to buy at renewal, by user type, and why.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RenewalPlan {
    pub connection_id: String,
    pub connection: String,
    pub account: Option<String>,
    pub wrike_plan: Option<String>,
    pub signals: SignalsUsed,
    pub idle_days: i64,
    pub currency: Option<String>,
    pub renewal_date: Option<String>,
    /// Where the renewal date came from (`entered` or `wrike`).
    pub renewal_date_from: Option<String>,
    pub days_left: Option<i64>,
    pub collaborators: i64,
    pub plan: Plan,
    pub changes: Vec<RenewalChange>,
    pub figures: Figures,
    /// What applied reclaims realized since the last renewal (a year before the renewal
    /// date), still standing; null without a renewal date.
    pub realized_since_renewal: Option<weft_hub::usage::savings::Realized>,
    pub generated_at: DateTime<Utc>,
}

/// How the figures moved since an earlier point.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RenewalChange {
    pub since: String,
    pub at: Option<DateTime<Utc>>,
    pub moved: Vec<Moved>,
}

impl From<&weft_hub::usage::renewal::RenewalPlan> for RenewalPlan {
    fn from(p: &weft_hub::usage::renewal::RenewalPlan) -> Self {
        RenewalPlan {
            connection_id: p.connection_id.clone(),
            connection: p.connection.clone(),
            account: p.account.clone(),
            wrike_plan: p.wrike_plan.clone(),
            signals: p.signals.clone(),
            idle_days: p.idle_days,
            currency: p.currency.clone(),
            renewal_date: p.renewal_date.clone(),
            renewal_date_from: p.renewal_date_from.map(str::to_owned),
            days_left: p.days_left,
            collaborators: p.collaborators,
            plan: p.plan.clone(),
            changes: p
                .changes
                .iter()
                .map(|c| RenewalChange {
                    since: c.since.to_owned(),
                    at: c.at.map(time),
                    moved: c.moved.clone(),
                })
                .collect(),
            figures: p.figures.clone(),
            realized_since_renewal: p.realized_since_renewal.clone(),
            generated_at: time(p.generated_at),
        }
    }
}

/// One person in a reclaim plan: their seat before and after, and the outcome once applied.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimItem {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub user_type_id: Option<String>,
    pub before: String,
    pub after: String,
    pub last_activity_at: Option<DateTime<Utc>>,
    /// `done`, `failed` or `skipped`, once applied.
    pub result: Option<String>,
    pub message: Option<String>,
}

/// A reclaim plan: a dry run until an Admin applies it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReclaimPlan {
    pub id: String,
    pub connection_id: String,
    /// `deactivate`, `set_type` or `set_role`.
    pub action: String,
    pub target: Option<String>,
    pub items: Vec<ReclaimItem>,
    /// `planned`, `applied`, `cancelled`, `expired`, ...
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub applied_by: Option<String>,
    pub applied_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The action in words.
    pub headline: String,
    /// What it saves; null when no costs are entered.
    pub saving: Option<weft_hub::usage::reclaim::PlanSaving>,
}

impl ReclaimPlan {
    /// A stored plan on the wire, with its action in words and its saving.
    pub async fn load(
        hub: &weft_hub::Hub,
        plan: &weft_store::ReclaimPlan,
    ) -> weft_hub::HubResult<Self> {
        let headline = weft_hub::usage::reclaim::headline(hub, plan).await?;
        let saving = weft_hub::usage::reclaim::saving(hub, plan).await?;
        Ok(ReclaimPlan::of(plan, headline, saving))
    }

    pub fn of(
        p: &weft_store::ReclaimPlan,
        headline: String,
        saving: Option<weft_hub::usage::reclaim::PlanSaving>,
    ) -> Self {
        ReclaimPlan {
            id: p.id.clone(),
            connection_id: p.connection_id.clone(),
            action: p.action.clone(),
            target: p.target.clone(),
            items: p
                .items
                .iter()
                .map(|i| ReclaimItem {
                    user_id: i.user_id.clone(),
                    name: i.name.clone(),
                    email: i.email.clone(),
                    user_type_id: i.user_type_id.clone(),
                    before: i.before.clone(),
                    after: i.after.clone(),
                    last_activity_at: i.last_activity_at.map(time),
                    result: i.result.clone(),
                    message: i.message.clone(),
                })
                .collect(),
            status: p.status.clone(),
            created_by: p.created_by.clone(),
            created_at: time(p.created_at),
            expires_at: time(p.expires_at),
            applied_by: p.applied_by.clone(),
            applied_at: p.applied_at.map(time),
            cancelled_by: p.cancelled_by.clone(),
            cancelled_at: p.cancelled_at.map(time),
            headline,
            saving,
        }
    }
}
