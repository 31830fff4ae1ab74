//! Blueprints (launched into the workspace as async jobs) and custom item types (work made
//! from a named kind of task or project).

use serde_json::{Value, json};
use wrike_api::WrikeClient;
use wrike_api::models::RelatedType;
use wrike_api::requests::{BlueprintKind, BlueprintLaunch, NewWork};

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{flag, id, opt_id, opt_text, text, to_output};
use super::{holds, made_id, wait_for_job};

/// The folder blueprints, or those whose title holds `title`.
pub async fn folder_blueprints(client: &WrikeClient, input: &Value) -> ActionResult {
    let title = opt_text(input, "title")?;
    let all = client
        .folder_blueprints()
        .await
        .map_err(|e| ActionError::from_wrike("GET /folder_blueprints", e))?;
    let kept: Vec<_> = all
        .iter()
        .filter(|b| holds(&b.title, title.as_deref()))
        .collect();
    to_output(&kept)
}

/// The task blueprints, or those whose title holds `title`.
pub async fn task_blueprints(client: &WrikeClient, input: &Value) -> ActionResult {
    let title = opt_text(input, "title")?;
    let all = client
        .task_blueprints()
        .await
        .map_err(|e| ActionError::from_wrike("GET /task_blueprints", e))?;
    let kept: Vec<_> = all
        .iter()
        .filter(|b| holds(&b.title, title.as_deref()))
        .collect();
    to_output(&kept)
}

/// `parent` or `superTask`: exactly one.
fn place(input: &Value) -> Result<(Option<String>, Option<String>), ActionError> {
    match (opt_id(input, "parent")?, opt_id(input, "superTask")?) {
        (Some(_), Some(_)) => Err(ActionError::permanent(
            "give parent or superTask, not both (Wrike refuses both)",
        )),
        (None, None) => Err(ActionError::permanent("give parent or superTask")),
        place => Ok(place),
    }
}

/// Launches a blueprint and waits for the work it makes; the output is that work (a
/// folder, or a task with its subtasks) and the job.
pub async fn launch(client: &WrikeClient, input: &Value, kind: BlueprintKind) -> ActionResult {
    let blueprint = id(input, "blueprint")?;
    let mut launch = BlueprintLaunch {
        title: text(input, "title")?.to_owned(),
        title_prefix: opt_text(input, "titlePrefix")?,
        copy_descriptions: flag(input, "copyDescriptions")?,
        notify_responsibles: flag(input, "notifyResponsibles")?,
        copy_responsibles: flag(input, "copyResponsibles")?,
        copy_custom_fields: flag(input, "copyCustomFields")?,
        copy_attachments: flag(input, "copyAttachments")?,
        entry_limit: match input.get("entryLimit") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|n| (1..=250).contains(n))
                    .ok_or_else(|| ActionError::permanent("entryLimit: 1 to 250"))?
                    as u32,
            ),
        },
        ..BlueprintLaunch::default()
    };
    let (family, made_field) = match kind {
        BlueprintKind::Folder => {
            launch.parent = Some(id(input, "parent")?.to_owned());
            ("folder_blueprints", "folderId")
        }
        BlueprintKind::Task => {
            (launch.parent_id, launch.super_task_id) = place(input)?;
            ("task_blueprints", "taskId")
        }
    };
    let job = client
        .launch_blueprint(kind, blueprint, &launch)
        .await
        .map_err(|e| {
            ActionError::from_wrike(&format!("POST /{family}/{blueprint}/launch_async"), e)
        })?;
    let done = wait_for_job(client, &job, &format!("launch of blueprint {blueprint}")).await?;
    let Some(made) = made_id(&done, made_field) else {
        return Ok(json!({"id": null, "title": launch.title, "job": done}));
    };
    let item = match kind {
        BlueprintKind::Folder => client
            .folders(&[&made])
            .await
            .map(|f| f.into_iter().next().map(|f| json!(f))),
        BlueprintKind::Task => client
            .tasks_by_ids(&[&made])
            .await
            .map(|t| t.into_iter().next().map(|t| json!(t))),
    }
    .map_err(|e| ActionError::from_wrike(&format!("reading what blueprint {blueprint} made"), e))?;
    let mut output = item.unwrap_or_else(|| json!({"id": made, "title": launch.title}));
    output["job"] = json!(done);
    Ok(output)
}

/// The custom item types.
pub async fn item_types(client: &WrikeClient) -> ActionResult {
    let all = client
        .custom_item_types()
        .await
        .map_err(|e| ActionError::from_wrike("GET /custom_item_types", e))?;
    to_output(&all)
}

/// Makes work from a custom item type named by id or title.
pub async fn instantiate(client: &WrikeClient, input: &Value) -> ActionResult {
    let named = text(input, "itemType")?;
    let types = client
        .custom_item_types()
        .await
        .map_err(|e| ActionError::from_wrike("GET /custom_item_types", e))?;
    let by_title: Vec<_> = types
        .iter()
        .filter(|t| t.title.eq_ignore_ascii_case(named))
        .collect();
    let item_type = match types.iter().find(|t| t.id == named) {
        Some(t) => t,
        None => match by_title.as_slice() {
            [one] => *one,
            [] => {
                return Err(ActionError::permanent(format!(
                    "itemType: no custom item type {named:?} (there are: {})",
                    types
                        .iter()
                        .map(|t| t.title.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            many => {
                return Err(ActionError::permanent(format!(
                    "itemType: {} custom item types are titled {named:?}; name one by id ({})",
                    many.len(),
                    many.iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        },
    };
    let (parent_id, super_task_id) = place(input)?;
    if super_task_id.is_some() && item_type.related_type != Some(RelatedType::Task) {
        return Err(ActionError::permanent(format!(
            "superTask: {} makes folders or projects, which go into a folder (parent)",
            item_type.title
        )));
    }
    let work = NewWork {
        title: text(input, "title")?.to_owned(),
        parent_id,
        super_task_id,
    };
    let made = client
        .instantiate(&item_type.id, &work)
        .await
        .map_err(|e| {
            ActionError::from_wrike(
                &format!("POST /custom_item_types/{}/instantiate", item_type.id),
                e,
            )
        })?;
    to_output(&made)
}
