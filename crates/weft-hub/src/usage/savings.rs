//! The savings ledger: every person an applied reclaim changed in Wrike, with what the
//! change saves a year at the costs entered when it was applied; a person a later sync sees
//! restored (reactivated, or given back the paid type or role) nets out. Month by month it
//! stands beside the potential saving (today's idle seats, kept by each sync's snapshot),
//! and the renewal plan shows what was realized since the last renewal.

use serde::Serialize;
use weft_store::{Connection, ReclaimItem, ReclaimPlan, Renewal, Saving};

use crate::Hub;
use crate::error::{HubError, HubResult};

/// What one change saves a year at `costs`: a deactivation the seat's cost, a new type the
/// difference between the two types' costs, the Collaborator role the seat's cost (and the
/// User role costs it). Negative when the change costs more.
pub fn change_saving(
    costs: &Renewal,
    action: &str,
    target: Option<&str>,
    from_type: Option<&str>,
) -> i64 {
    let cost = |type_id: Option<&str>| {
        type_id
            .and_then(|t| costs.type_costs.get(t).copied())
            .unwrap_or(costs.seat_cost_cents)
    };
    match (action, target) {
        ("deactivate", _) => cost(from_type),
        ("set_type", Some(to)) => cost(from_type) - cost(Some(to)),
        ("set_role", Some("Collaborator")) => cost(from_type),
        ("set_role", Some("User")) => -cost(from_type),
        _ => 0,
    }
}

/// Records what one applied change of `plan` saves (once per plan and person).
pub async fn record(
    hub: &Hub,
    plan: &ReclaimPlan,
    item: &ReclaimItem,
    costs: Option<&Renewal>,
    by: &str,
) -> HubResult<()> {
    let saving = Saving {
        id: crate::new_id("sav"),
        connection_id: plan.connection_id.clone(),
        plan_id: plan.id.clone(),
        user_id: item.user_id.clone(),
        name: item.name.clone(),
        action: plan.action.clone(),
        target: plan.target.clone(),
        change_label: format!("{} → {}", item.before, item.after),
        annual_saving_cents: costs.map(|c| {
            change_saving(
                c,
                &plan.action,
                plan.target.as_deref(),
                item.user_type_id.as_deref(),
            )
        }),
        currency: costs.map(|c| c.currency.clone()),
        realized_at: hub.clock.now_s(),
        realized_by: by.to_owned(),
        restored_at: None,
        restored_reason: None,
    };
    hub.store.usage().record_saving(&saving).await?;
    Ok(())
}

/// After a sync that began at `began`: nets out the savings of people the sync saw
/// restored. Answers how many.
pub async fn reconcile(hub: &Hub, connection: &Connection, began: i64) -> HubResult<usize> {
    let store = hub.store.usage();
    let now = hub.clock.now_s();
    let mut restored = 0;
    // A change applied while this sync ran may postdate what it listed: a sync that listed
    // someone before their deactivation would net a real saving out. Only changes made
    // before the sync began are judged; the next sync judges the rest.
    for s in store.standing_savings(&connection.id, began).await? {
        // A person no longer listed, or deleted, stays saved.
        let (Some(true), Some(false)) = (s.active, s.deleted) else {
            continue;
        };
        let reason = match (s.action.as_str(), s.target.as_deref()) {
            ("deactivate", _) => Some("reactivated in Wrike".to_owned()),
            ("set_type", Some(to)) if s.user_type_id.as_deref() != Some(to) => Some(format!(
                "given another user type in Wrike ({})",
                s.user_type_id.as_deref().unwrap_or("none")
            )),
            ("set_role", Some(to)) if s.role.as_deref() != Some(to) => Some(format!(
                "given the {} role in Wrike",
                s.role.as_deref().unwrap_or("other")
            )),
            _ => None,
        };
        if let Some(reason) = reason {
            let reason = format!(
                "{reason}; seen by the sync of {}",
                super::export::iso(Some(now))
            );
            if store.restore_saving(&s.id, now, &reason).await? {
                restored += 1;
                crate::trail::record(
                    hub,
                    "usage sync",
                    "usage.savings.restore",
                    &connection.name,
                    None,
                    Some(serde_json::json!({"saving": s.id, "name": s.name, "reason": reason})),
                )
                .await?;
            }
        }
    }
    Ok(restored)
}

/// Potential and realized savings at the end of one month.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// What today's idle seats would save a year, as the month's last sync saw them; none
    /// where no sync kept it.
    pub potential_cents: Option<i64>,
    /// What applied reclaims standing at the month's end save a year.
    pub realized_cents: i64,
    /// Whether the month is still going (its figures are as of now).
    pub partial: bool,
}

/// What was realized over a span of time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Realized {
    /// From this day (`YYYY-MM-DD`), e.g. the last renewal.
    pub since: String,
    pub cents: i64,
    pub people: usize,
}

/// A connection's ledger.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    pub connection_id: String,
    pub connection: String,
    /// The currency of the costs entered now (entries keep their own).
    pub currency: Option<String>,
    /// What the standing entries save a year.
    pub realized_cents: i64,
    /// What entries netted out by a restore had saved.
    pub restored_cents: i64,
    /// What the idle seats would save a year, as of the last sync.
    pub potential_cents: Option<i64>,
    pub months: Vec<Month>,
    pub entries: Vec<Saving>,
    pub generated_at: i64,
}

fn month_of(at: i64) -> (i32, u32) {
    use chrono::Datelike;
    let day = chrono::DateTime::from_timestamp(at, 0)
        .unwrap_or_default()
        .date_naive();
    (day.year(), day.month())
}

fn month_end(year: i32, month: u32) -> i64 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    chrono::NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp() - 1)
        .unwrap_or_default()
}

fn standing_at(s: &Saving, at: i64) -> bool {
    s.realized_at <= at && s.restored_at.is_none_or(|r| r > at)
}

/// The potential saving a sync's snapshot kept, when it kept one.
fn potential_of(figures: &serde_json::Value) -> Option<i64> {
    figures.get("potentialSavingCents")?.as_i64()
}

/// A connection's ledger, with the months since it was added.
pub async fn ledger(hub: &Hub, connection: &Connection) -> HubResult<Ledger> {
    let store = hub.store.usage();
    let entries = store.savings(&connection.id).await?;
    let costs = store.renewal(&connection.id).await?;
    let now = hub.clock.now_s();
    let first = entries
        .iter()
        .map(|e| e.realized_at)
        .chain([connection.created_at, now])
        .min()
        .unwrap_or(now);
    let (mut year, mut month) = month_of(first);
    let last = month_of(now);
    let mut months = Vec::new();
    // At most ten years of months; a clock set far back must not make a huge page.
    while (year, month) <= last && months.len() < 120 {
        let end = month_end(year, month).min(now);
        let potential = store
            .snapshots_before(&connection.id, end, 1)
            .await?
            .first()
            .and_then(|(_, figures)| potential_of(figures));
        months.push(Month {
            month: format!("{year:04}-{month:02}"),
            potential_cents: potential,
            realized_cents: entries
                .iter()
                .filter(|e| standing_at(e, end))
                .filter_map(|e| e.annual_saving_cents)
                .sum(),
            partial: (year, month) == last,
        });
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    let potential_cents = store
        .snapshots_before(&connection.id, now, 1)
        .await?
        .first()
        .and_then(|(_, figures)| potential_of(figures));
    Ok(Ledger {
        connection_id: connection.id.clone(),
        connection: connection.name.clone(),
        currency: costs.map(|c| c.currency),
        realized_cents: entries
            .iter()
            .filter(|e| e.restored_at.is_none())
            .filter_map(|e| e.annual_saving_cents)
            .sum(),
        restored_cents: entries
            .iter()
            .filter(|e| e.restored_at.is_some())
            .filter_map(|e| e.annual_saving_cents)
            .sum(),
        potential_cents,
        months,
        entries,
        generated_at: now,
    })
}

/// What standing entries realized since `since_day` (`YYYY-MM-DD`).
pub async fn realized_since(
    hub: &Hub,
    connection_id: &str,
    since_day: chrono::NaiveDate,
) -> HubResult<Realized> {
    let since = since_day
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or_default();
    let standing: Vec<Saving> = hub
        .store
        .usage()
        .savings(connection_id)
        .await?
        .into_iter()
        .filter(|e| e.realized_at >= since && e.restored_at.is_none())
        .collect();
    Ok(Realized {
        since: since_day.format("%Y-%m-%d").to_string(),
        cents: standing.iter().filter_map(|e| e.annual_saving_cents).sum(),
        people: standing.len(),
    })
}

/// The ledger as CSV: one row per person changed, amounts in the currency's units.
pub fn csv(ledger: &Ledger) -> HubResult<Vec<u8>> {
    use super::export::{defuse, iso};
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| HubError::Internal(format!("writing CSV: {e}"));
    out.write_record([
        "realized_at",
        "connection",
        "user_id",
        "name",
        "change",
        "annual_saving",
        "currency",
        "plan",
        "applied_by",
        "restored_at",
        "restored_because",
    ])
    .map_err(failed)?;
    for e in &ledger.entries {
        let record = [
            iso(Some(e.realized_at)),
            ledger.connection.clone(),
            e.user_id.clone(),
            e.name.clone(),
            e.change_label.clone(),
            e.annual_saving_cents
                .map(|c| format!("{:.2}", c as f64 / 100.0))
                .unwrap_or_default(),
            e.currency.clone().unwrap_or_default(),
            e.plan_id.clone(),
            e.realized_by.clone(),
            iso(e.restored_at),
            e.restored_reason.clone().unwrap_or_default(),
        ];
        out.write_record(record.iter().map(|c| defuse(c)))
            .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| HubError::Internal(format!("writing CSV: {e}")))
}
