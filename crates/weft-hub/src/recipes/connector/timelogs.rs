//! Timelogs: search them by task, folder, person or category and tracked days; change and
//! delete one; list the categories.

use serde_json::{Value, json};
use wrike_api::WrikeClient;
use wrike_api::requests::{DayRange, TimelogQuery, TimelogScope, TimelogUpdate};

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{day, id, opt_id, opt_text, to_output};

/// Timelogs of at most one task, folder, person or category, tracked within the days given.
pub async fn search(client: &WrikeClient, input: &Value) -> ActionResult {
    let scopes = [
        opt_id(input, "task")?.map(TimelogScope::Task),
        opt_id(input, "folder")?.map(TimelogScope::Folder),
        opt_id(input, "user")?.map(TimelogScope::Contact),
        opt_id(input, "category")?.map(TimelogScope::Category),
    ];
    let mut given = scopes.into_iter().flatten();
    let scope = given.next().unwrap_or(TimelogScope::Account);
    if given.next().is_some() {
        return Err(ActionError::permanent(
            "give at most one of task, folder, user and category",
        ));
    }
    let (from, to) = (day(input, "trackedFrom")?, day(input, "trackedTo")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ActionError::permanent(format!(
            "trackedFrom {f} is after trackedTo {t}"
        )));
    }
    let query = TimelogQuery {
        tracked_date: (from.is_some() || to.is_some()).then_some(DayRange {
            start: from,
            end: to,
        }),
        ..TimelogQuery::default()
    };
    let found = client
        .timelogs(&scope, &query)
        .await
        .map_err(|e| ActionError::from_wrike("GET timelogs", e))?;
    to_output(&found)
}

/// Changes a timelog.
pub async fn update(client: &WrikeClient, input: &Value) -> ActionResult {
    let timelog = id(input, "id")?;
    let hours = match input.get("hours") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|h| *h > 0.0 && *h <= 24.0)
                .ok_or_else(|| ActionError::permanent("hours: more than 0, at most 24"))?,
        ),
    };
    let update = TimelogUpdate {
        comment: opt_text(input, "comment")?,
        hours,
        tracked_date: day(input, "trackedDate")?,
        category_id: opt_id(input, "category")?,
    };
    if update.comment.is_none()
        && update.hours.is_none()
        && update.tracked_date.is_none()
        && update.category_id.is_none()
    {
        return Err(ActionError::permanent(
            "give hours, trackedDate, comment or category",
        ));
    }
    let changed = client
        .update_timelog(timelog, &update)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("PUT /timelogs/{timelog}"), e))?;
    to_output(&changed)
}

/// Deletes a timelog.
pub async fn delete(client: &WrikeClient, input: &Value) -> ActionResult {
    let timelog = id(input, "id")?;
    client
        .delete_timelog(timelog)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("DELETE /timelogs/{timelog}"), e))?;
    Ok(json!({"deleted": true, "id": timelog}))
}

/// The timelog categories, hidden ones marked.
pub async fn categories(client: &WrikeClient) -> ActionResult {
    let found = client
        .timelog_categories()
        .await
        .map_err(|e| ActionError::from_wrike("GET /timelog_categories", e))?;
    to_output(&found)
}
