//! Custom fields: list them with their types and options, create one, and read and write
//! their values on tasks and folders by field title as well as by id.

use serde_json::{Map, Value, json};
use wrike_api::WrikeClient;
use wrike_api::models::{CustomField, CustomFieldType, CustomFieldValue};
use wrike_api::requests::{CustomFieldFilter, FolderUpdate, NewCustomField, TaskUpdate};

use super::super::failure::{ActionError, ActionResult};
use super::super::inputs::{id, opt_text, strings, text, to_output};
use super::holds;

async fn definitions(client: &WrikeClient) -> Result<Vec<CustomField>, ActionError> {
    client
        .custom_fields()
        .await
        .map_err(|e| ActionError::from_wrike("GET /customfields", e))
}

/// The field `named` names: its id, or else its title (any case), which must be unique.
fn resolve<'a>(
    fields: &'a [CustomField],
    named: &str,
    input: &str,
) -> Result<&'a CustomField, ActionError> {
    if let Some(f) = fields.iter().find(|f| f.id == named) {
        return Ok(f);
    }
    let titled: Vec<&CustomField> = fields
        .iter()
        .filter(|f| f.title.trim().eq_ignore_ascii_case(named.trim()))
        .collect();
    match titled.as_slice() {
        [one] => Ok(one),
        [] => Err(ActionError::permanent(format!(
            "{input}: no custom field {named:?} (there are: {})",
            fields
                .iter()
                .map(|f| f.title.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        many => Err(ActionError::permanent(format!(
            "{input}: {} custom fields are titled {named:?}; name one by id ({})",
            many.len(),
            many.iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The choices of a dropdown or multiple-choice field, when it limits its values to them.
fn choices(field: &CustomField) -> Option<Vec<String>> {
    if !matches!(
        field.field_type,
        CustomFieldType::DropDown | CustomFieldType::Multiple
    ) {
        return None;
    }
    let settings = field.settings.as_ref()?;
    if settings.get("allowOtherValues").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let from_values = settings.get("values").and_then(Value::as_array).map(|v| {
        v.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let from_options = settings.get("options").and_then(Value::as_array).map(|v| {
        v.iter()
            .filter_map(|o| o.get("value").and_then(Value::as_str))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    from_values.or(from_options).filter(|c| !c.is_empty())
}

/// A value as Wrike stores it (text); `None` clears the field.
fn stored(field: &CustomField, value: &Value) -> Result<Option<String>, ActionError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    if let Some(choices) = choices(field)
        && !choices.iter().any(|c| c == &text)
    {
        return Err(ActionError::permanent(format!(
            "values: {text:?} is not a choice of {:?} (its choices: {})",
            field.title,
            choices.join(", ")
        )));
    }
    if matches!(
        field.field_type,
        CustomFieldType::Numeric | CustomFieldType::Currency | CustomFieldType::Percentage
    ) && text.trim().parse::<f64>().is_err()
    {
        return Err(ActionError::permanent(format!(
            "values: {:?} takes a number, not {text:?}",
            field.title
        )));
    }
    Ok(Some(text))
}

/// The `customField` filter of a search, its field named by title or id.
pub(crate) async fn field_filter(
    client: &WrikeClient,
    filter: &Value,
) -> Result<CustomFieldFilter, ActionError> {
    let fields = definitions(client).await?;
    let named = text(filter, "field")
        .map_err(|_| ActionError::permanent("customField.field: the field's title or id"))?;
    let field = resolve(&fields, named, "customField.field")?;
    let as_text = |name: &str| -> Option<String> {
        filter.get(name).filter(|v| !v.is_null()).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let values = strings(filter, "values")?;
    Ok(CustomFieldFilter {
        id: field.id.clone(),
        comparator: opt_text(filter, "comparator")?.unwrap_or_else(|| "EqualTo".into()),
        value: as_text("value"),
        min_value: as_text("minValue"),
        max_value: as_text("maxValue"),
        values: (!values.is_empty()).then_some(values),
    })
}

/// The custom fields with their types and settings (a dropdown's choices among them).
pub async fn list(client: &WrikeClient, input: &Value) -> ActionResult {
    let title = opt_text(input, "title")?;
    let fields = definitions(client).await?;
    let kept: Vec<Value> = fields
        .iter()
        .filter(|f| holds(&f.title, title.as_deref()))
        .map(|f| {
            let mut out = json!(f);
            out["choices"] = json!(choices(f));
            out
        })
        .collect();
    Ok(Value::Array(kept))
}

/// Creates a custom field; `options` become a dropdown's choices.
pub async fn create(client: &WrikeClient, input: &Value) -> ActionResult {
    let kind = CustomFieldType::from(text(input, "type")?);
    if !kind.is_known() {
        return Err(ActionError::permanent(format!(
            "type: {kind} is not Text, DropDown, Numeric, Currency, Percentage, Date, Duration, Checkbox, Contacts or Multiple"
        )));
    }
    let mut settings = match input.get("settings") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(ActionError::permanent("settings: an object")),
    };
    let options = strings(input, "options")?;
    if !options.is_empty() {
        if !matches!(kind, CustomFieldType::DropDown | CustomFieldType::Multiple) {
            return Err(ActionError::permanent(
                "options: only DropDown and Multiple fields have choices",
            ));
        }
        settings.insert("values".into(), json!(options));
    }
    let shareds = strings(input, "shareds")?;
    let field = NewCustomField {
        title: text(input, "title")?.to_owned(),
        field_type: kind.to_string(),
        shareds: (!shareds.is_empty()).then_some(shareds),
        settings: (!settings.is_empty()).then_some(Value::Object(settings)),
        space_id: None,
    };
    let made = client
        .create_custom_field(&field)
        .await
        .map_err(|e| ActionError::from_wrike("POST /customfields", e))?;
    to_output(&made)
}

/// A task or a folder, from the input.
enum Item {
    Task(String),
    Folder(String),
}

fn item(input: &Value) -> Result<Item, ActionError> {
    match (input.get("task"), input.get("folder")) {
        (Some(_), Some(_)) => Err(ActionError::permanent("give a task or a folder, not both")),
        (Some(_), None) => Ok(Item::Task(id(input, "task")?.to_owned())),
        (None, Some(_)) => Ok(Item::Folder(id(input, "folder")?.to_owned())),
        (None, None) => Err(ActionError::permanent("give a task or a folder")),
    }
}

/// The values of an item, by title and by id, with each field's type.
fn described(values: &[CustomFieldValue], fields: &[CustomField]) -> Value {
    let mut by_title = Map::new();
    let mut by_id = Map::new();
    let mut list = Vec::new();
    for v in values {
        let field = fields.iter().find(|f| f.id == v.id);
        by_id.insert(v.id.clone(), json!(v.value));
        if let Some(f) = field {
            by_title.insert(f.title.clone(), json!(v.value));
        }
        list.push(json!({
            "id": v.id,
            "title": field.map(|f| f.title.clone()),
            "type": field.map(|f| f.field_type.to_string()),
            "value": v.value,
        }));
    }
    json!({"byTitle": by_title, "byId": by_id, "fields": list})
}

async fn values_of(
    client: &WrikeClient,
    item: &Item,
) -> Result<Vec<CustomFieldValue>, ActionError> {
    match item {
        Item::Task(t) => client
            .tasks_by_ids(&[t])
            .await
            .map_err(|e| ActionError::from_wrike(&format!("GET /tasks/{t}"), e))?
            .into_iter()
            .next()
            .map(|t| t.custom_fields.unwrap_or_default())
            .ok_or_else(|| ActionError::permanent(format!("no task {t}"))),
        Item::Folder(f) => client
            .folders(&[f])
            .await
            .map_err(|e| ActionError::from_wrike(&format!("GET /folders/{f}"), e))?
            .into_iter()
            .next()
            .map(|f| f.custom_fields.unwrap_or_default())
            .ok_or_else(|| ActionError::permanent(format!("no folder {f}"))),
    }
}

/// Reads a task's or folder's custom field values.
pub async fn get(client: &WrikeClient, input: &Value) -> ActionResult {
    let item = item(input)?;
    let fields = definitions(client).await?;
    let values = values_of(client, &item).await?;
    Ok(described(&values, &fields))
}

/// Sets values named by field title or id; each is checked against its field (a
/// dropdown's choices, a number) before anything is written, so a bad value writes none.
pub async fn set(client: &WrikeClient, input: &Value) -> ActionResult {
    let item = item(input)?;
    let Some(given) = input.get("values").and_then(Value::as_object) else {
        return Err(ActionError::permanent(
            "values: a map of field title or id to its value",
        ));
    };
    if given.is_empty() {
        return Err(ActionError::permanent("values: name at least one field"));
    }
    let fields = definitions(client).await?;
    let mut changes = Vec::new();
    for (named, value) in given {
        let field = resolve(&fields, named, "values")?;
        changes.push(CustomFieldValue {
            id: field.id.clone(),
            value: stored(field, value)?,
        });
    }
    let values = match &item {
        Item::Task(t) => client
            .update_task(
                t,
                &TaskUpdate {
                    custom_fields: Some(changes),
                    ..TaskUpdate::default()
                },
            )
            .await
            .map_err(|e| ActionError::from_wrike(&format!("PUT /tasks/{t}"), e))?
            .custom_fields
            .unwrap_or_default(),
        Item::Folder(f) => client
            .update_folder(
                f,
                &FolderUpdate {
                    custom_fields: Some(changes),
                    ..FolderUpdate::default()
                },
            )
            .await
            .map_err(|e| ActionError::from_wrike(&format!("PUT /folders/{f}"), e))?
            .custom_fields
            .unwrap_or_default(),
    };
    Ok(described(&values, &fields))
}
