//! The renewal plan of one Wrike account, for its page, the JSON API and `weft usage
//! renewal`: seats bought, held, active, idle and never active per user type, seats nobody
//! holds, the recommended seats with the headroom, what each action saves (the maths is
//! `weft_core::renewal`), the renewal date with the days left, and what changed since the
//! previous sync and over the last month (from the snapshot each sync keeps).

use serde::{Deserialize, Serialize};
use weft_core::renewal::{self, PlanInputs, TypeFigures};
use weft_core::usage::Signals;
use weft_store::{Connection, DEFAULT_HEADROOM_PCT, Renewal, UsageScope, WrikeAccount};

use super::reports::{self, ReportRequest, SignalsUsed};
use crate::Hub;
use crate::error::HubResult;

/// The idle threshold the snapshots are taken at, and plans use unless asked otherwise.
pub const IDLE_DAYS: i64 = 90;

/// Days from `now` to a `YYYY-MM-DD` date (negative once it passed).
pub fn days_left(date: Option<&str>, now: i64) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(date?.trim(), "%Y-%m-%d").ok()?;
    let today = chrono::DateTime::from_timestamp(now, 0)?.date_naive();
    Some((date - today).num_days())
}

/// The account-wide figures a snapshot keeps, and changes are told in.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct Figures {
    pub idle_days: i64,
    pub bought: Option<i64>,
    pub assigned: i64,
    pub active: i64,
    pub idle: i64,
    pub never_active: i64,
    pub unassigned: i64,
    pub deactivated_typed: i64,
    pub collaborators: i64,
    /// What reclaiming the idle seats would save a year (0 without costs entered); none in
    /// snapshots kept before weft kept it.
    pub potential_saving_cents: Option<i64>,
}

/// How one figure moved since an earlier snapshot.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Moved {
    pub figure: &'static str,
    pub then: i64,
    pub now: i64,
}

/// What changed since an earlier snapshot.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `previousSync` or `lastMonth`.
    pub since: &'static str,
    /// When the earlier snapshot was taken; none when there is none to compare with.
    pub at: Option<i64>,
    /// The figures that moved (an empty list: nothing did).
    pub moved: Vec<Moved>,
}

/// The renewal plan of one account.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalPlan {
    pub connection_id: String,
    pub connection: String,
    pub account: Option<String>,
    pub wrike_plan: Option<String>,
    pub signals: SignalsUsed,
    pub idle_days: i64,
    /// The currency amounts are in; none when no costs are entered (amounts are then 0).
    pub currency: Option<String>,
    pub renewal_date: Option<String>,
    /// `entered`, or `wrike` (the subscription's `expiryDate`).
    pub renewal_date_from: Option<&'static str>,
    pub days_left: Option<i64>,
    /// People holding a free seat (collaborators).
    pub collaborators: i64,
    pub plan: renewal::Plan,
    pub changes: Vec<Change>,
    pub figures: Figures,
    /// What applied reclaims realized since the last renewal (a year before the renewal
    /// date), still standing; none without a renewal date.
    pub realized_since_renewal: Option<super::savings::Realized>,
    pub generated_at: i64,
}

/// The plan of the account a connection reads, idle meaning `idle_days` without activity.
pub async fn plan(hub: &Hub, connection: &Connection, idle_days: i64) -> HubResult<RenewalPlan> {
    let idle_days = idle_days.clamp(1, 3650);
    let scoped = reports::scope(
        hub,
        &ReportRequest {
            connections: vec![connection.id.clone()],
            ..ReportRequest::default()
        },
    )
    .await?;
    let signals = scoped
        .signals
        .into_iter()
        .next()
        .expect("a scope of one connection");
    let now = scoped.scope.now;
    let store = hub.store.usage();
    let account = store.account(&connection.id).await?;
    let costs = store.renewal(&connection.id).await?;
    let (inputs, collaborators) = inputs(
        hub,
        connection,
        (account.as_ref(), costs.as_ref()),
        signals.used,
        idle_days,
        now,
    )
    .await?;
    let plan = renewal::plan(&inputs);
    let figures = figures_of(&plan, collaborators, idle_days);
    let (renewal_date, renewal_date_from) = match (
        costs.as_ref().and_then(|r| r.renewal_date.clone()),
        account.as_ref().and_then(|a| a.expiry_date.clone()),
    ) {
        (Some(date), _) => (Some(date), Some("entered")),
        (None, Some(date)) => (Some(date.chars().take(10).collect()), Some("wrike")),
        (None, None) => (None, None),
    };
    let mut changes = Vec::new();
    let latest = store.snapshots_before(&connection.id, now, 2).await?;
    // The latest snapshot is this data's own sync: the one before it is the previous sync.
    changes.push(change("previousSync", latest.get(1), &figures));
    let month = store
        .snapshots_before(&connection.id, now - 30 * 86_400, 1)
        .await?;
    changes.push(change("lastMonth", month.first(), &figures));
    // The renewal before the coming one (a year earlier); a date passed already is itself
    // the last renewal.
    let today = chrono::DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .date_naive();
    let last_renewal = renewal_date
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .and_then(|d| {
            if d <= today {
                Some(d)
            } else {
                d.checked_sub_months(chrono::Months::new(12))
            }
        });
    let realized_since_renewal = match last_renewal {
        Some(day) => Some(super::savings::realized_since(hub, &connection.id, day).await?),
        None => None,
    };
    Ok(RenewalPlan {
        connection_id: connection.id.clone(),
        connection: connection.name.clone(),
        account: account.as_ref().map(|a| a.name.clone()),
        wrike_plan: account.as_ref().and_then(|a| a.plan.clone()),
        signals,
        idle_days,
        currency: costs.as_ref().map(|r| r.currency.clone()),
        days_left: days_left(renewal_date.as_deref(), now),
        renewal_date,
        renewal_date_from,
        collaborators,
        plan,
        changes,
        figures,
        realized_since_renewal,
        generated_at: now,
    })
}

/// The figures of a plan, as a snapshot keeps them.
fn figures_of(plan: &renewal::Plan, collaborators: i64, idle_days: i64) -> Figures {
    Figures {
        idle_days,
        bought: plan.bought,
        assigned: plan.assigned,
        active: plan.active,
        idle: plan.idle,
        never_active: plan.never_active,
        unassigned: plan.unassigned,
        deactivated_typed: plan.deactivated_typed,
        collaborators,
        potential_saving_cents: Some(
            plan.actions
                .iter()
                .find(|a| a.key == "reclaim_idle")
                .map_or(0, |a| a.saves_cents),
        ),
    }
}

/// How the figures moved since an earlier snapshot; idle and active only when it counted
/// them at the same threshold.
fn change(since: &'static str, then: Option<&(i64, serde_json::Value)>, now: &Figures) -> Change {
    let Some((at, value)) = then else {
        return Change {
            since,
            at: None,
            moved: Vec::new(),
        };
    };
    let then: Figures = serde_json::from_value(value.clone()).unwrap_or_default();
    let same_threshold = then.idle_days == now.idle_days;
    let pairs = [
        (
            "bought",
            then.bought.unwrap_or(0),
            now.bought.unwrap_or(0),
            true,
        ),
        ("assigned", then.assigned, now.assigned, true),
        ("active", then.active, now.active, same_threshold),
        ("idle", then.idle, now.idle, same_threshold),
        (
            "neverActive",
            then.never_active,
            now.never_active,
            same_threshold,
        ),
        ("unassigned", then.unassigned, now.unassigned, true),
        (
            "deactivatedTyped",
            then.deactivated_typed,
            now.deactivated_typed,
            true,
        ),
        ("collaborators", then.collaborators, now.collaborators, true),
    ];
    Change {
        since,
        at: Some(*at),
        moved: pairs
            .into_iter()
            .filter(|(_, a, b, comparable)| *comparable && a != b)
            .map(|(figure, then, now, _)| Moved { figure, then, now })
            .collect(),
    }
}

/// The store's per-type counts with their titles and costs, and the collaborators, for
/// the account and costs the caller read.
async fn inputs(
    hub: &Hub,
    connection: &Connection,
    (account, costs): (Option<&WrikeAccount>, Option<&Renewal>),
    signals: Signals,
    idle_days: i64,
    now: i64,
) -> HubResult<(PlanInputs, i64)> {
    let store = hub.store.usage();
    let mut scope = UsageScope::one(&connection.id, signals, now);
    scope.filter.idle_days = Some(idle_days);
    let counts = store.seat_counts_by_type(&scope).await?;
    let titles = store.user_types(&connection.id).await?;
    let seat_cost = costs.as_ref().map_or(0, |r| r.seat_cost_cents);
    let mut types: Vec<TypeFigures> = Vec::new();
    let mut collaborators = 0;
    for (_, type_id, c) in counts {
        collaborators += c.free_seats;
        if c.paid_seats == 0 && c.inactive_still_typed == 0 {
            continue;
        }
        let title = type_id
            .as_ref()
            .and_then(|id| titles.iter().find(|t| &t.id == id))
            .map(|t| t.title.clone())
            .unwrap_or_else(|| {
                type_id
                    .clone()
                    .unwrap_or_else(|| "No user type given".into())
            });
        let of_type = |map: Option<&std::collections::BTreeMap<String, i64>>| {
            type_id.as_ref().and_then(|id| map?.get(id).copied())
        };
        types.push(TypeFigures {
            cost_cents: of_type(costs.as_ref().map(|r| &r.type_costs)).unwrap_or(seat_cost),
            bought: of_type(costs.as_ref().map(|r| &r.type_seats)),
            type_id,
            title,
            assigned: c.paid_seats,
            idle: c.idle_n,
            never_active: c.never_active,
            deactivated_typed: c.inactive_still_typed,
        });
    }
    // Types bought but held by nobody still belong in the plan.
    if let Some(r) = costs {
        for (id, seats) in &r.type_seats {
            if types.iter().all(|t| t.type_id.as_deref() != Some(id)) && *seats > 0 {
                types.push(TypeFigures {
                    type_id: Some(id.clone()),
                    title: titles
                        .iter()
                        .find(|t| &t.id == id)
                        .map_or_else(|| id.clone(), |t| t.title.clone()),
                    cost_cents: r.type_costs.get(id).copied().unwrap_or(seat_cost),
                    bought: Some(*seats),
                    assigned: 0,
                    idle: 0,
                    never_active: 0,
                    deactivated_typed: 0,
                });
            }
        }
    }
    types.sort_by(|a, b| b.assigned.cmp(&a.assigned).then(a.title.cmp(&b.title)));
    Ok((
        PlanInputs {
            types,
            bought_total: account.and_then(|a| a.user_limit),
            seat_cost_cents: seat_cost,
            headroom_pct: costs
                .as_ref()
                .map_or(DEFAULT_HEADROOM_PCT, |r| r.headroom_pct),
        },
        collaborators,
    ))
}

/// Keeps the account's figures as they stand after a sync, for later plans to compare.
pub async fn snapshot(hub: &Hub, connection: &Connection) -> HubResult<()> {
    let plan = plan(hub, connection, IDLE_DAYS).await?;
    hub.store
        .usage()
        .save_snapshot(
            &connection.id,
            plan.generated_at,
            &serde_json::to_value(&plan.figures).unwrap_or_default(),
        )
        .await?;
    Ok(())
}

/// The plan as CSV: one row per user type, then the totals and the actions. Amounts are
/// in the currency's units (`300.00`), with the currency in its own column.
pub fn csv(plan: &RenewalPlan) -> HubResult<Vec<u8>> {
    use super::export::defuse;
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| crate::HubError::Internal(format!("writing CSV: {e}"));
    let amount = |cents: i64| format!("{}.{:02}", cents / 100, (cents % 100).abs());
    let currency = plan.currency.clone().unwrap_or_default();
    let count = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    out.write_record([
        "row",
        "user_type",
        "user_type_id",
        "currency",
        "cost_a_year",
        "bought",
        "assigned",
        "active",
        "idle",
        "never_active",
        "deactivated_still_typed",
        "unassigned",
        "recommended",
        "downgrade_to",
        "seats",
        "saves_a_year",
    ])
    .map_err(failed)?;
    for l in &plan.plan.lines {
        let record = [
            "type".to_owned(),
            l.title.clone(),
            l.type_id.clone().unwrap_or_default(),
            currency.clone(),
            amount(l.cost_cents),
            count(l.bought),
            l.assigned.to_string(),
            l.active.to_string(),
            l.idle.to_string(),
            l.never_active.to_string(),
            l.deactivated_typed.to_string(),
            count(l.unassigned),
            l.recommended.to_string(),
            l.downgrade_to.clone().unwrap_or_default(),
            if l.downgrade_to.is_some() {
                l.idle.to_string()
            } else {
                String::new()
            },
            amount(l.downgrade_saves_cents),
        ];
        out.write_record(record.iter().map(|c| defuse(c)))
            .map_err(failed)?;
    }
    let p = &plan.plan;
    out.write_record(
        [
            "total".to_owned(),
            "All paid types".to_owned(),
            String::new(),
            currency.clone(),
            amount(p.spend_cents),
            count(p.bought),
            p.assigned.to_string(),
            p.active.to_string(),
            p.idle.to_string(),
            p.never_active.to_string(),
            p.deactivated_typed.to_string(),
            p.unassigned.to_string(),
            p.recommended.to_string(),
            String::new(),
            String::new(),
            amount(p.recommended_spend_cents),
        ]
        .iter()
        .map(|c| defuse(c)),
    )
    .map_err(failed)?;
    for a in &p.actions {
        let mut record = vec![String::new(); 16];
        record[0] = format!("action:{}", a.key);
        record[1] = a.title.to_owned();
        record[3] = currency.clone();
        record[14] = a.seats.to_string();
        record[15] = amount(a.saves_cents);
        out.write_record(record.iter().map(|c| defuse(c)))
            .map_err(failed)?;
    }
    if let Some(r) = &plan.realized_since_renewal {
        let mut record = vec![String::new(); 16];
        record[0] = "realized_since_renewal".into();
        record[1] = format!("Realized by applied reclaims since {}", r.since);
        record[3] = currency.clone();
        record[14] = r.people.to_string();
        record[15] = amount(r.cents);
        out.write_record(record.iter().map(|c| defuse(c)))
            .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| crate::HubError::Internal(format!("writing CSV: {e}")))
}
