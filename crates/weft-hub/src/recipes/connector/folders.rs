//! Folders and projects: read one, search them, copy one (Wrike's async copy).

use serde_json::{Value, json};
use wrike_api::WrikeClient;
use wrike_api::models::{Folder, ProjectStatus, TreeScope};
use wrike_api::requests::{DateRange, FolderCopy, FolderQuery};

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{day, flag, id, opt_id, opt_text, text, to_output};
use super::fields::field_filter;
use super::{holds, made_id, wait_for_job};

/// Reads one folder or project.
pub async fn get(client: &WrikeClient, input: &Value) -> ActionResult {
    let id = id(input, "id")?;
    let found = client
        .folders(&[id])
        .await
        .map_err(|e| ActionError::from_wrike(&format!("GET /folders/{id}"), e))?;
    match found.first() {
        Some(folder) => to_output(folder),
        None => Err(ActionError::permanent(format!("no folder {id}"))),
    }
}

/// Searches folders (or only projects): Wrike filters by project, last change and custom
/// field; title, status, owner and dates are matched here on what it answered.
pub async fn search(client: &WrikeClient, input: &Value, projects_only: bool) -> ActionResult {
    let under = opt_id(input, "under")?;
    let updated_since = match opt_text(input, "updatedSince")? {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(&t)
                .map_err(|_| {
                    ActionError::permanent(format!("updatedSince: {t:?} is not an RFC 3339 time"))
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    let status = opt_text(input, "projectStatus")?.map(|s| ProjectStatus::from(s.as_str()));
    if let Some(s) = status.as_ref().filter(|s| !s.is_known()) {
        return Err(ActionError::permanent(format!(
            "projectStatus: {s} is not Green, Yellow, Red, Completed, OnHold or Cancelled"
        )));
    }
    let owner = opt_id(input, "owner")?;
    let (start_from, start_to) = (day(input, "startFrom")?, day(input, "startTo")?);
    let (end_from, end_to) = (day(input, "endFrom")?, day(input, "endTo")?);
    let wants_project = projects_only
        || status.is_some()
        || owner.is_some()
        || [start_from, start_to, end_from, end_to]
            .iter()
            .any(Option::is_some);
    let limit = match input.get("limit") {
        None | Some(Value::Null) => 100,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ActionError::permanent("limit: a whole number from 1 to 1000"))?
            as usize,
    };
    let query = FolderQuery {
        project: wants_project.then_some(true),
        descendants: Some(true),
        updated_date: updated_since.map(DateRange::since),
        custom_field: match input.get("customField") {
            None | Some(Value::Null) => None,
            Some(filter) => Some(field_filter(client, filter).await?),
        },
        fields: Some(vec!["customFields".into(), "description".into()]),
        ..FolderQuery::default()
    };
    let what = match &under {
        Some(f) => format!("GET /folders/{f}/folders"),
        None => "GET /folders".to_owned(),
    };
    let found = client
        .search_folders(under.as_deref(), &query)
        .await
        .map_err(|e| ActionError::from_wrike(&what, e))?;
    let title = opt_text(input, "title")?;
    let within = |d: Option<chrono::NaiveDate>,
                  from: Option<chrono::NaiveDate>,
                  to: Option<chrono::NaiveDate>| match d {
        Some(d) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t),
        None => from.is_none() && to.is_none(),
    };
    let kept: Vec<&Folder> = found
        .iter()
        .filter(|f| matches!(f.scope, TreeScope::WsFolder))
        .filter(|f| Some(&f.id) != under.as_ref())
        .filter(|f| holds(&f.title, title.as_deref()))
        .filter(|f| match &f.project {
            None => !wants_project,
            Some(p) => {
                status.as_ref().is_none_or(|s| p.status.as_ref() == Some(s))
                    && owner.as_ref().is_none_or(|o| p.owner_ids.contains(o))
                    && within(p.start_date, start_from, start_to)
                    && within(p.end_date, end_from, end_to)
            }
        })
        .take(limit)
        .collect();
    to_output(&kept)
}

/// Copies a folder (or, with `project_only`, only a project) with Wrike's asynchronous copy
/// and waits for it; the output is the copy's id and title, and the job.
pub async fn copy(client: &WrikeClient, input: &Value, project_only: bool) -> ActionResult {
    let source_input = if project_only { "project" } else { "folder" };
    let source = id(input, source_input)?;
    if project_only {
        let found = client
            .folders(&[source])
            .await
            .map_err(|e| ActionError::from_wrike(&format!("GET /folders/{source}"), e))?;
        if !found.first().is_some_and(Folder::is_project) {
            return Err(ActionError::permanent(format!(
                "project: {source} is a folder, not a project (use wrike.copy_folder)"
            )));
        }
    }
    let copy = FolderCopy {
        parent: id(input, "parent")?.to_owned(),
        title: text(input, "title")?.to_owned(),
        title_prefix: opt_text(input, "titlePrefix")?,
        copy_descriptions: flag(input, "copyDescriptions")?,
        copy_responsibles: flag(input, "copyResponsibles")?,
        copy_custom_fields: flag(input, "copyCustomFields")?,
        copy_statuses: flag(input, "copyStatuses")?,
        ..Default::default()
    };
    let job = client
        .copy_folder_async(source, &copy)
        .await
        .map_err(|e| ActionError::from_wrike(&format!("POST /copy_folder_async/{source}"), e))?;
    let done = wait_for_job(client, &job, &format!("copy of {source}")).await?;
    let made = made_id(&done, "folderId");
    Ok(json!({"id": made, "title": copy.title, "job": done}))
}
