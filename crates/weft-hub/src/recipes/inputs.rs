//! Reading a step's evaluated input: text, ids, lists, flags, days and files, each refused
//! with a message that names the input.

use serde_json::Value;
use wrike_api::encode::check_id;

use super::failure::{ActionError, ActionResult};

pub(crate) fn text<'a>(input: &'a Value, name: &str) -> Result<&'a str, ActionError> {
    match input.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        Some(Value::Number(_)) | Some(Value::Bool(_)) => {
            Err(ActionError::permanent(format!("{name} must be text")))
        }
        _ => Err(ActionError::permanent(format!(
            "{name} is missing or empty"
        ))),
    }
}

/// A list of strings given as a list (or one string), empty when absent.
pub(crate) fn strings(input: &Value, name: &str) -> Result<Vec<String>, ActionError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.trim().to_owned()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(|s| s.trim().to_owned())
                    .ok_or_else(|| ActionError::permanent(format!("{name}: a list of text")))
            })
            .collect(),
        Some(_) => Err(ActionError::permanent(format!("{name}: a list of text"))),
    }
}

/// An optional true or false.
pub(crate) fn flag(input: &Value, name: &str) -> Result<Option<bool>, ActionError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ActionError::permanent(format!(
            "{name} must be true or false"
        ))),
    }
}

/// What a typed answer of the client gives the next steps.
pub(crate) fn to_output<T: serde::Serialize>(value: &T) -> ActionResult {
    serde_json::to_value(value).map_err(|e| ActionError::permanent(e.to_string()))
}

pub(crate) fn id<'a>(input: &'a Value, name: &str) -> Result<&'a str, ActionError> {
    let value = text(input, name)?;
    check_id(value).map_err(|e| ActionError::permanent(format!("{name}: {e}")))
}

/// The file of an upload: `name`, and its bytes as `content` (text) or `content_base64`.
pub(crate) fn file_upload(input: &Value) -> Result<wrike_api::FileUpload, ActionError> {
    use base64::Engine;
    let name = text(input, "name")?.to_owned();
    let given = |field: &str| input.get(field).filter(|v| !v.is_null());
    let (bytes, default_type) = match (given("content"), given("content_base64")) {
        (Some(_), Some(_)) => {
            return Err(ActionError::permanent(
                "give content or content_base64, not both",
            ));
        }
        (Some(Value::String(t)), None) => (t.clone().into_bytes(), "text/plain; charset=utf-8"),
        (Some(_), None) => return Err(ActionError::permanent("content must be text")),
        (None, Some(Value::String(b))) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|e| ActionError::permanent(format!("content_base64: {e}")))?;
            (bytes, "application/octet-stream")
        }
        (None, Some(_)) => return Err(ActionError::permanent("content_base64 must be text")),
        (None, None) => {
            return Err(ActionError::permanent(
                "give the file as content (text) or content_base64",
            ));
        }
    };
    if bytes.is_empty() {
        return Err(ActionError::permanent(
            "the file is empty (Wrike refuses an upload without a body)",
        ));
    }
    let content_type = match given("content_type") {
        Some(_) => text(input, "content_type")?.to_owned(),
        None => default_type.to_owned(),
    };
    Ok(wrike_api::FileUpload {
        name,
        content_type,
        bytes,
    })
}

/// An optional day, `YYYY-MM-DD`.
pub(crate) fn day(input: &Value, name: &str) -> Result<Option<chrono::NaiveDate>, ActionError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(d)) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ActionError::permanent(format!("{name}: {d:?} is not YYYY-MM-DD"))),
        Some(_) => Err(ActionError::permanent(format!("{name}: a day, YYYY-MM-DD"))),
    }
}

/// Optional text.
pub(crate) fn opt_text(input: &Value, name: &str) -> Result<Option<String>, ActionError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => text(input, name).map(|t| Some(t.to_owned())),
    }
}

/// An optional id.
pub(crate) fn opt_id(input: &Value, name: &str) -> Result<Option<String>, ActionError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => id(input, name).map(|t| Some(t.to_owned())),
    }
}
