//! The reclaim dialogue's pages: the seat page a person opens from their e-mail (no hub
//! account, made for a phone; opening it changes nothing, its button answers), and the
//! board of everyone in a dialogue.

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use weft_core::roles::Permission;
use weft_hub::usage::dialogue::{self, Answer, Answered, SeatLink};
use weft_store::DialogueFilter;

use super::{Layout, PageResult, render, timestamp, usage_layout};
use crate::guard::Caller;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "seat.html")]
struct SeatPage {
    layout: Layout,
    /// `ask` (a button to answer), `done` (answered now), `closed` or `expired`.
    view: &'static str,
    name: String,
    answer: &'static str,
    seen: String,
    change: String,
    deadline: String,
    message: String,
    csrf: String,
}

fn seen(d: &weft_store::Dialogue) -> String {
    match (d.last_activity_at, d.last_signal.as_deref()) {
        (Some(at), Some(signal)) => format!(
            "Your last Wrike activity we know of: {} ({signal}).",
            &timestamp(at)[..10]
        ),
        _ => "We have no record of Wrike activity from you.".into(),
    }
}

fn page(link: &SeatLink, view: &'static str, message: String, csrf: String) -> SeatPage {
    let d = &link.dialogue;
    SeatPage {
        layout: Layout::anonymous("Your Wrike seat"),
        view,
        name: d.name.clone(),
        answer: link.answer.as_str(),
        seen: seen(d),
        change: d.change_label.clone(),
        deadline: format!("{} UTC", timestamp(link.expires_at)),
        message,
        csrf,
    }
}

/// Why a dialogue no longer takes an answer, in the person's words.
fn closed_message(d: &weft_store::Dialogue) -> String {
    match d.state.as_str() {
        "kept" => "You chose to keep your seat. Nothing changes.".into(),
        "released" | "applied" if d.answered_at.is_some() => {
            "You chose to release your seat. Thank you.".into()
        }
        "cancelled" => "There is nothing to answer any more: your seat stays as it is.".into(),
        _ => "This question is closed; an administrator decides now.".into(),
    }
}

/// `GET /seat/{token}`: what the link is about, with one button. Opening it answers
/// nothing (mail scanners open links).
pub async fn seat(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(token): Path<String>,
) -> PageResult {
    let link = dialogue::read_link(&state.hub, &token).await?;
    let csrf = caller.map(|c| c.csrf().to_owned()).unwrap_or_default();
    let d = &link.dialogue;
    let view = if link.expired {
        page(
            &link,
            "expired",
            format!(
                "This link expired on {} UTC. Ask your Wrike administrator if you need your seat.",
                timestamp(link.expires_at)
            ),
            csrf,
        )
    } else if matches!(d.state.as_str(), "notified" | "reminded") {
        page(&link, "ask", String::new(), csrf)
    } else {
        page(&link, "closed", closed_message(d), csrf)
    };
    render(view, StatusCode::OK)
}

/// `POST /seat/{token}`: the answer, taken once.
pub async fn answer(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(token): Path<String>,
) -> PageResult {
    let csrf = caller.map(|c| c.csrf().to_owned()).unwrap_or_default();
    let link = dialogue::read_link(&state.hub, &token).await?;
    let view = match dialogue::answer(&state.hub, &link).await? {
        Answered::Taken(d) => {
            let message = match link.answer {
                Answer::Keep => format!(
                    "Thank you: you keep your seat, and we will not ask again before {}.",
                    d.keep_until.map(|t| timestamp(t)[..10].to_owned()).unwrap_or_default()
                ),
                Answer::Release => {
                    "Thank you: your seat is released. Your Wrike administrator's tools do the rest.".into()
                }
            };
            page(&link, "done", message, csrf)
        }
        Answered::Closed(d) => page(&link, "closed", closed_message(&d), csrf),
        Answered::Expired(link) => page(
            &link,
            "expired",
            format!("This link expired on {} UTC.", timestamp(link.expires_at)),
            csrf,
        ),
    };
    render(view, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "usage_dialogues.html")]
struct BoardPage {
    layout: Layout,
    policy: String,
    state_filter: String,
    states: Vec<&'static str>,
    policies: Vec<(String, Option<String>)>,
    counts: Vec<(String, i64)>,
    rows: Vec<BoardRow>,
    total: i64,
    can_decide: bool,
}

struct BoardRow {
    id: String,
    policy: String,
    name: String,
    email: String,
    mode: String,
    change: String,
    last_activity: String,
    state: String,
    reason: String,
    started: String,
    notified: String,
    reminded: String,
    deadline: String,
    plan_id: String,
    open: bool,
}

#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    policy: Option<String>,
    state: Option<String>,
}

fn when(at: Option<i64>) -> String {
    at.map(|t| format!("{} UTC", timestamp(t)))
        .unwrap_or_default()
}

/// `/usage/dialogues`: everyone in a reclaim dialogue, by policy and state.
pub async fn board(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let policy = q.policy.filter(|p| !p.is_empty());
    let state_filter = q.state.filter(|s| !s.is_empty());
    let filter = DialogueFilter {
        policy: policy.clone(),
        state: state_filter.clone(),
        limit: 500,
        offset: 0,
    };
    let (rows, total) = dialogue::board(&state.hub, &filter).await?;
    let policies = weft_hub::usage::policies::list(&state.hub).await?;
    let mut counts = Vec::new();
    if let Some(p) = &policy {
        counts = dialogue::counts(&state.hub, p).await?;
    }
    let rows = rows
        .into_iter()
        .map(|d| BoardRow {
            open: d.is_open(),
            id: d.id,
            policy: d.policy,
            name: d.name,
            email: d.email.unwrap_or_default(),
            mode: d.mode,
            change: d.change_label,
            last_activity: d
                .last_activity_at
                .map(|t| {
                    format!(
                        "{} ({})",
                        &timestamp(t)[..10],
                        d.last_signal.unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| "never".into()),
            state: d.state,
            reason: d.reason.unwrap_or_default(),
            started: when(Some(d.started_at)),
            notified: when(d.notified_at),
            reminded: when(d.reminded_at),
            deadline: when(d.deadline_at),
            plan_id: d.plan_id.unwrap_or_default(),
        })
        .collect();
    render(
        BoardPage {
            layout: usage_layout(&state, &caller, "Reclaim dialogues").await?,
            policy: policy.unwrap_or_default(),
            state_filter: state_filter.unwrap_or_default(),
            states: dialogue::STATES.to_vec(),
            policies: policies
                .into_iter()
                .map(|p| (p.name, p.dialogue_by))
                .collect(),
            counts,
            rows,
            total,
            can_decide: caller.user.role.allows(Permission::ReclaimSeats),
        },
        StatusCode::OK,
    )
}

/// Takes someone out of a dialogue, back to the board.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> PageResult {
    let d = dialogue::cancel(&state.hub, &caller.actor(), &id).await?;
    Ok(Redirect::to(&format!("/usage/dialogues?policy={}", d.policy)).into_response())
}
