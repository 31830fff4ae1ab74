//! License policies in the web UI: the list (who each flags now), a policy's page (its file,
//! everyone it judged and why, its dialogue, its reclaims), and the editor that checks a
//! file against its account and shows how it differs before it is applied.

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use weft_core::roles::Permission;
use weft_core::usage::money;
use weft_hub::usage::{dialogue, policies};

use super::{Layout, PageResult, render, timestamp, usage_layout};
use crate::forms::FormData;
use crate::guard::Caller;
use crate::state::AppState;
use crate::wire;

/// A new policy's starting text: every field, with what it means.
const TEMPLATE: &str = "\
name: idle-paid-seats
description: Paid seats nobody used for a quarter
# The connection (name or id) whose people this policy judges.
connection: CONNECTION
idle_days: 90
# What counts as activity: login, change, task, comment, timelog.
signals: [login, change, task, comment, timelog]
# People invited or activated this recently are never flagged.
grace_days: 60
exempt:
  people: []
  groups: []
  companies: []
  domains: []
  titles: []
# deactivate, or {downgrade_to: USER TYPE}
action: deactivate
# silent (the Admin decides alone) or ask_first (the person is e-mailed first)
decide: silent
dialogue:
  remind_after: 3d
  answer_within: 7d
  keep_for: 90d
  approve_within: 14d
";

fn amount(cents: Option<i64>, currency: Option<&str>) -> String {
    match (cents, currency) {
        (Some(c), Some(cur)) => money(c, cur),
        _ => "–".into(),
    }
}

#[derive(Template)]
#[template(path = "usage_policies.html")]
struct PoliciesPage {
    layout: Layout,
    rows: Vec<PolicyRow>,
    can_edit: bool,
}

struct PolicyRow {
    name: String,
    connection: String,
    version: i64,
    updated: String,
    dialogue: String,
    flagged: String,
    potential: String,
}

/// `/usage/policies`: every policy with whom it flags now.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let mut rows = Vec::new();
    for (p, evaluation) in policies::evaluate_every(&state.hub).await? {
        // A policy that no longer fits its account still lists, saying so.
        let (flagged, potential) = match evaluation {
            Ok(e) => (
                e.tally.flagged.to_string(),
                amount(e.potential_saving_cents, e.currency.as_deref()),
            ),
            Err(e) => (format!("cannot judge: {e}"), "–".into()),
        };
        rows.push(PolicyRow {
            connection: weft_hub::connections::find(&state.hub, &p.connection_id)
                .await
                .map(|c| c.name)
                .unwrap_or_else(|_| p.connection_id.clone()),
            version: p.version,
            updated: format!("{} UTC by {}", timestamp(p.updated_at), p.updated_by),
            dialogue: match &p.dialogue_by {
                Some(by) => format!("running (started by {by})"),
                None => "not running".into(),
            },
            name: p.name,
            flagged,
            potential,
        });
    }
    render(
        PoliciesPage {
            layout: usage_layout(&state, &caller, "Policies").await?,
            rows,
            can_edit: caller.user.role.allows(Permission::EditPolicies),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "usage_policy.html")]
struct PolicyPage {
    layout: Layout,
    name: String,
    connection: String,
    version: i64,
    text: String,
    dialogue_by: String,
    tally: weft_core::policy::Tally,
    potential: String,
    stale: String,
    counts: Vec<(String, i64)>,
    people: Vec<wire::policies::Judged>,
    everyone: bool,
    can_edit: bool,
    can_reclaim: bool,
    problem: String,
}

#[derive(Debug, Deserialize)]
pub struct PolicyQuery {
    everyone: Option<String>,
}

/// `/usage/policies/{name}`: the file, everyone it judged ("idle under this policy"), its
/// dialogue and what an Admin may do with it.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Query(q): Query<PolicyQuery>,
) -> PageResult {
    let record = policies::get(&state.hub, &name).await?;
    let everyone = q.everyone.is_some_and(|v| v == "1" || v == "true");
    let role = caller.user.role;
    let mut page = PolicyPage {
        layout: usage_layout(&state, &caller, "Policy").await?,
        name: record.name.clone(),
        connection: weft_hub::connections::find(&state.hub, &record.connection_id)
            .await
            .map(|c| c.name)
            .unwrap_or_else(|_| record.connection_id.clone()),
        version: record.version,
        text: record.text.clone(),
        dialogue_by: record.dialogue_by.clone().unwrap_or_default(),
        tally: Default::default(),
        potential: "–".into(),
        stale: String::new(),
        counts: dialogue::counts(&state.hub, &record.name).await?,
        people: Vec::new(),
        everyone,
        can_edit: role.allows(Permission::EditPolicies),
        can_reclaim: role.allows(Permission::ReclaimSeats),
        problem: String::new(),
    };
    match policies::evaluate(&state.hub, &name, everyone).await {
        Ok(e) => {
            page.potential = amount(e.potential_saving_cents, e.currency.as_deref());
            page.stale = e.freshness.stale.clone().unwrap_or_default();
            page.tally = e.tally.clone();
            page.people = wire::policies::Evaluation::from(e).people;
        }
        Err(weft_hub::HubError::Conflict(message)) => page.problem = message,
        Err(other) => return Err(other.into()),
    }
    render(page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "usage_policy_edit.html")]
struct EditPage {
    layout: Layout,
    name: String,
    text: String,
    problems: Vec<String>,
    diff: String,
    notice: String,
}

async fn editor(
    state: &AppState,
    caller: &Caller,
    name: String,
    text: String,
) -> Result<EditPage, crate::error::ApiError> {
    Ok(EditPage {
        layout: usage_layout(state, caller, "Edit policy").await?,
        name,
        text,
        problems: Vec::new(),
        diff: String::new(),
        notice: String::new(),
    })
}

/// `/usage/policies/new`: the editor with a starting file.
pub async fn new_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let first = weft_hub::connections::list(&state.hub)
        .await?
        .into_iter()
        .next()
        .map_or_else(|| "acme".to_owned(), |c| c.name);
    let page = editor(
        &state,
        &caller,
        String::new(),
        TEMPLATE.replace("CONNECTION", &first),
    )
    .await?;
    render(page, StatusCode::OK)
}

/// `/usage/policies/{name}/edit`: the editor with the applied file.
pub async fn edit_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    let record = policies::get(&state.hub, &name).await?;
    let page = editor(&state, &caller, record.name, record.text).await?;
    render(page, StatusCode::OK)
}

/// `POST /usage/policies`: checks the file (`check`: its problems, or how it differs from
/// the applied one) or applies it (`apply`), back to its page.
pub async fn save(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    let text = form.raw("text").replace("\r\n", "\n");
    let mut page = editor(&state, &caller, form.get("name"), text.clone()).await?;
    match policies::check(&state.hub, "policy.yaml", &text).await? {
        Err(problems) => {
            // Problems print one a line, each with its place and field.
            page.problems = problems.to_string().lines().map(str::to_owned).collect();
            return render(page, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Ok(checked) if form.get("action") == "apply" => {
            let (applied, _) = policies::apply(&state.hub, &caller.actor(), &checked).await?;
            return Ok(Redirect::to(&format!("/usage/policies/{}", applied.name)).into_response());
        }
        Ok(checked) => {
            let diff = policies::diff(&state.hub, &checked).await?;
            page.notice = match diff.change.as_str() {
                "new" => format!(
                    "Valid: a new policy, {}, on {}.",
                    diff.name, checked.connection.name
                ),
                "unchanged" => format!("Valid, and the same as policy {} as applied.", diff.name),
                _ => format!("Valid: how it changes policy {} as applied:", diff.name),
            };
            page.diff = diff.diff;
        }
    }
    render(page, StatusCode::OK)
}

/// `POST /usage/policies/{name}/dialogue`: starts (`run=start`) or stops its dialogue.
pub async fn dialogue_switch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    form: FormData,
) -> PageResult {
    if form.get("run") == "start" {
        dialogue::start(&state.hub, &caller.actor(), &name).await?;
    } else {
        dialogue::stop(&state.hub, &caller.actor(), &name).await?;
    }
    Ok(Redirect::to(&format!("/usage/policies/{name}")).into_response())
}

/// `POST /usage/policies/{name}/reclaims`: plans reclaims of everyone it flags now.
pub async fn reclaims(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    let plans = weft_hub::usage::reclaim::plan_policy(&state.hub, &caller.actor(), &name).await?;
    let to = match plans.as_slice() {
        [one] => format!("/usage/reclaims/{}", one.id),
        _ => "/usage/reclaims".to_owned(),
    };
    Ok(Redirect::to(&to).into_response())
}

/// `POST /usage/policies/{name}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    policies::remove(&state.hub, &caller.actor(), &name).await?;
    Ok(Redirect::to("/usage/policies").into_response())
}
