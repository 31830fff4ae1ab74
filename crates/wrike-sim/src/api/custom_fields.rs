//! Custom fields: listing, by id, create and update. Their values live on tasks and
//! folders (`customFields` there).

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use wrike_api::models::*;

use super::{by_ids, mutate, read, split_ids};
use crate::params::Params;
use crate::reply::{ApiError, ApiResult, envelope};
use crate::sim::{Caller, Sim};
use crate::world::AccountData;

pub async fn custom_fields(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    read(&sim, &c, |account, _| {
        envelope("customfields", account.custom_fields.clone())
    })
}

pub async fn custom_fields_by_ids(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(ids): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[])?;
    let ids = split_ids(&ids)?;
    read(&sim, &c, |account, _| {
        let data: Vec<_> = by_ids(&account.custom_fields, &ids, |f| &f.id, "Custom field")?
            .into_iter()
            .cloned()
            .collect();
        envelope("customfields", data)
    })
}

/// A `type` Wrike knows, or `invalid_parameter`.
fn field_type(text: &str) -> Result<CustomFieldType, ApiError> {
    let kind = CustomFieldType::from(text);
    if kind.is_known() {
        Ok(kind)
    } else {
        Err(ApiError::invalid_parameter(
            "type",
            &format!("unknown custom field type '{text}'"),
        ))
    }
}

/// `settings`: an object when given.
fn settings(p: &Params) -> Result<Option<serde_json::Value>, ApiError> {
    match p.raw_json("settings")? {
        None => Ok(None),
        Some(v) if v.is_object() => Ok(Some(v)),
        Some(_) => Err(ApiError::invalid_parameter("settings", "must be an object")),
    }
}

fn check_people(account: &AccountData, name: &str, ids: &[String]) -> Result<(), ApiError> {
    match ids.iter().find(|id| account.user(id).is_none()) {
        Some(id) => Err(ApiError::invalid_parameter(
            name,
            &format!("no contact {id} in this account"),
        )),
        None => Ok(()),
    }
}

/// `POST /customfields`: `title` and `type` required; `shareds`, `settings`, `spaceId`.
pub async fn create_custom_field(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    p: Params,
) -> ApiResult {
    p.allow(&["title", "type", "shareds", "settings", "spaceId"])?;
    let title = p.required("title")?;
    let kind = field_type(&p.required("type")?)?;
    let settings = settings(&p)?;
    let shareds = p.list("shareds")?.unwrap_or_default();
    let field = mutate(&sim, &c, |account, _| {
        check_people(account, "shareds", &shareds)?;
        let space = p.text("spaceId");
        if let Some(space) = &space
            && !account.spaces.iter().any(|s| &s.id == space)
        {
            return Err(ApiError::invalid_parameter(
                "spaceId",
                &format!("no space {space}"),
            ));
        }
        let seq = account.allocate();
        let field = CustomField {
            id: crate::ids::entity(account.id(), "JU", seq),
            account_id: Some(account.id().to_owned()),
            title: title.clone(),
            field_type: kind.clone(),
            shared_ids: shareds.clone(),
            space_id: space,
            settings: Some(
                settings
                    .clone()
                    .unwrap_or_else(|| serde_json::json!({"inheritanceType": "All"})),
            ),
        };
        account.custom_fields.push(field.clone());
        Ok((field, Vec::new()))
    })?;
    envelope("customfields", vec![field])
}

/// `PUT /customfields/{id}`: `title`, `type`, `addShareds`, `removeShareds`, `settings`
/// (merged into the current settings).
pub async fn update_custom_field(
    State(sim): State<Arc<Sim>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    p.allow(&[
        "title",
        "type",
        "addShareds",
        "removeShareds",
        "settings",
        "changeScope",
        "spaceId",
    ])?;
    super::refuse_unsimulated(&p, &["changeScope", "spaceId"])?;
    let kind = p.text("type").map(|t| field_type(&t)).transpose()?;
    let settings = settings(&p)?;
    let add = p.list("addShareds")?.unwrap_or_default();
    let remove = p.list("removeShareds")?.unwrap_or_default();
    let field = mutate(&sim, &c, |account, _| {
        check_people(account, "addShareds", &add)?;
        let f = account
            .custom_fields
            .iter_mut()
            .find(|f| f.id == id)
            .ok_or_else(|| ApiError::not_found(&format!("Custom field {id}")))?;
        if let Some(title) = p.text("title") {
            f.title = title;
        }
        if let Some(kind) = &kind {
            f.field_type = kind.clone();
        }
        for person in &add {
            if !f.shared_ids.contains(person) {
                f.shared_ids.push(person.clone());
            }
        }
        f.shared_ids.retain(|s| !remove.contains(s));
        if let Some(serde_json::Value::Object(changes)) = &settings {
            let current = f
                .settings
                .get_or_insert_with(|| serde_json::json!({}))
                .as_object_mut()
                .expect("settings are an object");
            for (k, v) in changes {
                current.insert(k.clone(), v.clone());
            }
        }
        Ok((f.clone(), Vec::new()))
    })?;
    envelope("customfields", vec![field])
}
