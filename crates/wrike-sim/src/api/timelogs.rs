//! Timelogs: listings (account, task, folder, person, category) with their filters, create,
//! update and delete, and timelog categories.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use serde_json::json;
use wrike_api::models::*;

use super::{Range, by_ids, mutate, read, split_ids};
use crate::hooks::EventDraft;
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::AccountData;

use super::activity::on_lower_plan;

/// The filters both timelog listings evaluate: `createdDate` and `updatedDate` (time
/// ranges), `trackedDate` (a range of days, `yyyy-MM-dd`), and `me` (the caller's own).
struct TimelogFilter {
    created: Option<Range>,
    updated: Option<Range>,
    tracked: Option<DayRange>,
    me: bool,
    /// `timelogCategories`: only timelogs in one of these.
    categories: Option<Vec<String>>,
}

/// `{"start": "yyyy-MM-dd", "end": "yyyy-MM-dd"}`, both ends included, either optional.
#[derive(serde::Deserialize, Default)]
struct DayRange {
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
}

impl TimelogFilter {
    fn of(p: &Params) -> Result<TimelogFilter, ApiError> {
        Ok(TimelogFilter {
            created: p.json("createdDate")?,
            updated: p.json("updatedDate")?,
            tracked: p.json("trackedDate")?,
            me: p.bool("me")?.unwrap_or(false),
            categories: p.list("timelogCategories")?,
        })
    }

    fn keeps(&self, t: &Timelog, caller: &Caller) -> bool {
        self.created
            .as_ref()
            .is_none_or(|r| r.contains(&t.created_date))
            && self
                .updated
                .as_ref()
                .is_none_or(|r| r.contains(&t.updated_date))
            && self.tracked.as_ref().is_none_or(|r| {
                r.start.is_none_or(|s| t.tracked_date >= s)
                    && r.end.is_none_or(|e| t.tracked_date <= e)
            })
            && (!self.me || t.user_id == caller.user_id)
            && self
                .categories
                .as_ref()
                .is_none_or(|c| t.category_id.as_ref().is_some_and(|id| c.contains(id)))
    }
}

pub async fn timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "createdDate",
        "updatedDate",
        "trackedDate",
        "me",
        "descendants",
        "subTasks",
        "plainText",
        "timelogCategories",
        "billingTypes",
        "fields",
    ])?;
    super::refuse_unsimulated(&p, &["billingTypes"])?;
    let filter = TimelogFilter::of(&p)?;
    read(&sim, &c, |account, _| {
        let data = account
            .timelogs
            .iter()
            .filter(|t| filter.keeps(t, &c))
            .cloned()
            .collect();
        envelope("timelogs", data)
    })
}

/// Parameters the listings of one task's or one category's timelogs take.
const SCOPED_TIMELOG_PARAMS: &[&str] = &[
    "createdDate",
    "updatedDate",
    "trackedDate",
    "me",
    "plainText",
    "fields",
];

/// The timelogs `belongs` picks, filtered as every listing is, once `exists` found what they
/// belong to (or answered 404).
fn scoped_timelogs(
    sim: &Sim,
    c: &Caller,
    p: &Params,
    exists: impl FnOnce(&AccountData) -> Result<(), ApiError>,
    belongs: impl Fn(&Timelog) -> bool,
) -> ApiResult {
    p.allow(SCOPED_TIMELOG_PARAMS)?;
    let filter = TimelogFilter::of(p)?;
    read(sim, c, |account, _| {
        exists(account)?;
        envelope(
            "timelogs",
            account
                .timelogs
                .iter()
                .filter(|t| belongs(t) && filter.keeps(t, c))
                .cloned()
                .collect(),
        )
    })
}

pub async fn task_timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let exists = |account: &AccountData| {
        account
            .task(&id)
            .map(drop)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))
    };
    scoped_timelogs(&sim, &c, &p, exists, |t| t.task_id == id)
}

/// `POST /tasks/{id}/timelogs`: `hours`, `trackedDate` and `comment` are all required
/// (Wrike answers `invalid_parameter` when one is missing).
pub async fn create_timelog(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "comment",
        "hours",
        "trackedDate",
        "plainText",
        "categoryId",
        "onBehalfOf",
    ])?;
    let missing = ["hours", "trackedDate", "comment"]
        .into_iter()
        .find(|n| p.text(n).is_none());
    if let Some(name) = missing {
        return Err(ApiError::invalid_parameter(name, "is required"));
    }
    let hours = p.number("hours")?.unwrap_or(0.0);
    if !(hours > 0.0 && hours <= 24.0) {
        return Err(ApiError::invalid_parameter(
            "hours",
            "must be more than 0 and at most 24",
        ));
    }
    let tracked = p.text("trackedDate").unwrap_or_default();
    let tracked: chrono::NaiveDate = tracked.parse().map_err(|_| {
        ApiError::invalid_parameter("trackedDate", &format!("'{tracked}' is not yyyy-MM-dd"))
    })?;
    let timelog = mutate(&sim, &c, |account, ctx| {
        if on_lower_plan(account) {
            return Err(ApiError::not_allowed(
                "Time tracking is not available on this plan",
            ));
        }
        account
            .task(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Task {id}")))?;
        let category = p.text("categoryId");
        if let Some(c) = &category
            && !account
                .timelog_categories
                .iter()
                .any(|k| &k.id == c && !k.hidden)
        {
            return Err(ApiError::invalid_parameter(
                "categoryId",
                &format!("no timelog category {c} in use in this account"),
            ));
        }
        let seq = account.allocate();
        let timelog = Timelog {
            id: crate::ids::entity(account.id(), "JQ", seq),
            task_id: id.clone(),
            user_id: ctx.user_id.clone(),
            category_id: category,
            billing_type: None,
            hours,
            created_date: ctx.now,
            updated_date: ctx.now,
            tracked_date: tracked,
            comment: p.text("comment").unwrap_or_default(),
        };
        account.timelogs.push(timelog.clone());
        Ok((
            timelog.clone(),
            vec![EventDraft::task(
                WebhookEventType::TimelogChanged,
                &ctx.user_id,
                &id,
                json!({"timeTrackerId": timelog.id, "hours": hours, "type": "Added"}),
            )],
        ))
    })?;
    envelope("timelogs", vec![timelog])
}

/// `GET /timelog_categories`: the account's categories, hidden ones included (timelogs kept
/// from before a category was hidden still name it).
pub async fn timelog_categories(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        envelope("timelogCategories", account.timelog_categories.clone())
    })
}

/// `GET /timelog_categories/{id}/timelogs`: the timelogs of one category, filtered as the
/// other listings are.
pub async fn category_timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let exists = |account: &AccountData| {
        if account.timelog_categories.iter().any(|k| k.id == id) {
            Ok(())
        } else {
            Err(ApiError::not_found(&format!("TimelogCategory {id}")))
        }
    };
    scoped_timelogs(&sim, &c, &p, exists, |t| {
        t.category_id.as_deref() == Some(id.as_str())
    })
}

/// `GET /contacts/{id}/timelogs`: one person's timelogs.
pub async fn contact_timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let exists = |account: &AccountData| {
        account
            .user(&id)
            .map(drop)
            .ok_or_else(|| ApiError::not_found(&format!("Contact {id}")))
    };
    scoped_timelogs(&sim, &c, &p, exists, |t| t.user_id == id)
}

/// `GET /folders/{id}/timelogs`: the timelogs of tasks in a folder or project, and with
/// `descendants` (the default) in the folders below it.
pub async fn folder_timelogs(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let mut allowed = SCOPED_TIMELOG_PARAMS.to_vec();
    allowed.push("descendants");
    p.allow(&allowed)?;
    let descendants = p.bool("descendants")?.unwrap_or(true);
    let filter = TimelogFilter::of(&p)?;
    read(&sim, &c, |account, _| {
        account
            .folder(&id)
            .ok_or_else(|| ApiError::not_found(&format!("Folder {id}")))?;
        let data = account
            .timelogs
            .iter()
            .filter(|t| {
                account
                    .task(&t.task_id)
                    .is_some_and(|task| account.task_is_under(task, &id, descendants))
                    && filter.keeps(t, &c)
            })
            .cloned()
            .collect();
        envelope("timelogs", data)
    })
}

/// `GET /timelogs/{ids}` (at most 100).
pub async fn timelogs_by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["plainText", "fields"])?;
    let ids = split_ids(&id)?;
    read(&sim, &c, |account, _| {
        let data: Vec<Timelog> = by_ids(&account.timelogs, &ids, |t| &t.id, "Timelog")?
            .into_iter()
            .cloned()
            .collect();
        envelope("timelogs", data)
    })
}

/// The timelog `id` as it is, when `caller` may change or delete it: the person who
/// tracked the time, or an admin.
fn owned(account: &AccountData, id: &str, caller: &str) -> Result<Timelog, ApiError> {
    let timelog = account
        .timelogs
        .iter()
        .find(|t| t.id == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&format!("Timelog {id}")))?;
    if timelog.user_id == caller || account.user(caller).is_some_and(|u| u.is_admin()) {
        Ok(timelog)
    } else {
        Err(ApiError::forbidden(
            "Only the person who tracked the time or an administrator can change this timelog",
        ))
    }
}

/// `PUT /timelogs/{id}`: `comment`, `hours`, `trackedDate`, `categoryId`.
pub async fn update_timelog(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&["comment", "hours", "trackedDate", "plainText", "categoryId"])?;
    let hours = p.number("hours")?;
    if let Some(h) = hours
        && !(h > 0.0 && h <= 24.0)
    {
        return Err(ApiError::invalid_parameter(
            "hours",
            "must be more than 0 and at most 24",
        ));
    }
    let tracked = match p.text("trackedDate") {
        None => None,
        Some(day) => Some(day.parse::<chrono::NaiveDate>().map_err(|_| {
            ApiError::invalid_parameter("trackedDate", &format!("'{day}' is not yyyy-MM-dd"))
        })?),
    };
    let timelog = mutate(&sim, &c, |account, ctx| {
        let category = p.text("categoryId");
        if let Some(c) = &category
            && !account
                .timelog_categories
                .iter()
                .any(|k| &k.id == c && !k.hidden)
        {
            return Err(ApiError::invalid_parameter(
                "categoryId",
                &format!("no timelog category {c} in use in this account"),
            ));
        }
        owned(account, &id, &ctx.user_id)?;
        let t = account
            .timelogs
            .iter_mut()
            .find(|t| t.id == id)
            .expect("found above");
        if let Some(h) = hours {
            t.hours = h;
        }
        if let Some(day) = tracked {
            t.tracked_date = day;
        }
        if let Some(text) = p.text("comment") {
            t.comment = text;
        }
        if category.is_some() {
            t.category_id = category;
        }
        t.updated_date = ctx.now;
        let t = t.clone();
        let event = EventDraft::task(
            WebhookEventType::TimelogChanged,
            &ctx.user_id,
            &t.task_id,
            json!({"timeTrackerId": t.id, "hours": t.hours, "type": "Updated"}),
        );
        Ok((t, vec![event]))
    })?;
    envelope("timelogs", vec![timelog])
}

/// `DELETE /timelogs/{id}`: answers an empty list, as other deletions of activity do.
pub async fn delete_timelog(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    mutate(&sim, &c, |account, ctx| {
        let current = owned(account, &id, &ctx.user_id)?;
        account.timelogs.retain(|t| t.id != id);
        let event = EventDraft::task(
            WebhookEventType::TimelogChanged,
            &ctx.user_id,
            &current.task_id,
            json!({"timeTrackerId": id, "hours": current.hours, "type": "Removed"}),
        );
        Ok(((), vec![event]))
    })?;
    envelope::<serde_json::Value>("timelogs", Vec::new())
}
