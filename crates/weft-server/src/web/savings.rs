//! The savings page: potential against realized savings month by month (a chart and a
//! table), and the ledger of every person an applied reclaim changed.

use askama::Template;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use weft_core::usage::money;
use weft_hub::usage::{reports, savings};

use super::{Layout, PageResult, render, timestamp, usage_layout};
use crate::charts::{self, Pair};
use crate::guard::Caller;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "usage_savings.html")]
struct SavingsPage {
    layout: Layout,
    connections: Vec<(String, String)>,
    connection_id: String,
    realized: String,
    potential: String,
    restored: String,
    priced: bool,
    chart: String,
    /// Month, potential, realized.
    months: Vec<(String, String, String)>,
    entries: Vec<EntryRow>,
}

/// One person in the ledger, as the page shows them.
struct EntryRow {
    user_id: String,
    applied: String,
    name: String,
    change: String,
    saving: String,
    plan_id: String,
    /// When and why a sync saw them restored; empty while the saving stands.
    restored: String,
    by: String,
}

#[derive(Debug, Deserialize)]
pub struct SavingsQuery {
    connection: Option<String>,
}

/// `/usage/savings`: one connection's ledger (the first one unless chosen).
pub async fn savings(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<SavingsQuery>,
) -> PageResult {
    let scoped = reports::scope(&state.hub, &reports::ReportRequest::default()).await?;
    let connections: Vec<(String, String)> = scoped
        .connections
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    let chosen = match q.connection.filter(|c| !c.is_empty()) {
        Some(id) => Some(weft_hub::connections::find(&state.hub, &id).await?),
        None => scoped.connections.first().cloned(),
    };
    let mut page = SavingsPage {
        layout: usage_layout(&state, &caller, "Savings").await?,
        connections,
        connection_id: String::new(),
        realized: String::new(),
        potential: String::new(),
        restored: String::new(),
        priced: false,
        chart: String::new(),
        months: Vec::new(),
        entries: Vec::new(),
    };
    let Some(connection) = chosen else {
        return render(page, StatusCode::OK);
    };
    let ledger = savings::ledger(&state.hub, &connection).await?;
    let currency = ledger
        .currency
        .clone()
        .or_else(|| ledger.entries.iter().find_map(|e| e.currency.clone()));
    let amount = |cents: Option<i64>| match (cents, &currency) {
        (Some(c), Some(cur)) => money(c, cur),
        _ => "–".to_owned(),
    };
    page.connection_id = connection.id.clone();
    page.priced = ledger.currency.is_some();
    page.realized = amount(Some(ledger.realized_cents));
    page.potential = amount(ledger.potential_cents);
    page.restored = amount(Some(ledger.restored_cents));
    let pairs: Vec<Pair> = ledger
        .months
        .iter()
        .map(|m| Pair {
            label: m.month.clone(),
            first: m.potential_cents.map(|c| c as f64 / 100.0),
            second: m.realized_cents as f64 / 100.0,
        })
        .collect();
    page.chart = charts::paired_columns(
        "savings-chart",
        &format!(
            "Potential against realized savings a year{}",
            currency
                .as_deref()
                .map(|c| format!(", in {c}"))
                .unwrap_or_default()
        ),
        ["potential", "realized"],
        &pairs,
    );
    page.months = ledger
        .months
        .iter()
        .map(|m| {
            (
                format!("{}{}", m.month, if m.partial { " (so far)" } else { "" }),
                amount(m.potential_cents),
                amount(Some(m.realized_cents)),
            )
        })
        .collect();
    page.entries = ledger
        .entries
        .iter()
        .rev()
        .map(|e| EntryRow {
            user_id: e.user_id.clone(),
            applied: format!("{} UTC", timestamp(e.realized_at)),
            name: e.name.clone(),
            change: e.change_label.clone(),
            saving: match (e.annual_saving_cents, &e.currency) {
                (Some(c), Some(cur)) => money(c, cur),
                _ => "no costs entered".into(),
            },
            plan_id: e.plan_id.clone(),
            restored: match (e.restored_at, &e.restored_reason) {
                (Some(at), reason) => format!(
                    "{} UTC: {}",
                    timestamp(at),
                    reason.as_deref().unwrap_or_default()
                ),
                _ => String::new(),
            },
            by: e.realized_by.clone(),
        })
        .collect();
    render(page, StatusCode::OK)
}
