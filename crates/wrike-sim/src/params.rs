//! Request parameters as Wrike reads them: from the query string, a form body or a JSON
//! body, all merged. Array and object values arrive as JSON text (`fields=["metadata"]`) or,
//! in practice, as bare bracket lists (`events=[TaskCreated,TaskDeleted]`); both are read.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::reply::ApiError;

/// Parameters that any endpoint accepts.
const ALWAYS_ALLOWED: &[&str] = &["access_token", "method", "state"];

/// Merged parameters of one request; body values win over query values.
#[derive(Debug, Default, Clone)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut values = BTreeMap::new();
        if let Some(query) = req.uri().query() {
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                values.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::invalid_request(&format!("Unreadable body: {e}")))?;
        if !body.is_empty() {
            if content_type.starts_with("application/json") {
                let parsed: Value = serde_json::from_slice(&body).map_err(|e| {
                    ApiError::invalid_request(&format!("Body is not valid JSON: {e}"))
                })?;
                let Value::Object(map) = parsed else {
                    return Err(ApiError::invalid_request(
                        "JSON body must be an object of parameters",
                    ));
                };
                values.extend(map);
            } else if content_type.is_empty()
                || content_type.starts_with("application/x-www-form-urlencoded")
                || content_type.starts_with("text/plain")
            {
                for (k, v) in url::form_urlencoded::parse(&body) {
                    values.insert(k.into_owned(), Value::String(v.into_owned()));
                }
            }
        }
        Ok(Params { values })
    }
}

impl Params {
    /// Parameters built in code (the control API reuses handlers' logic through this).
    pub fn from_json(map: serde_json::Map<String, Value>) -> Params {
        Params {
            values: map.into_iter().collect(),
        }
    }

    /// Refuses names the endpoint does not know, as Wrike does (400 `invalid_request`).
    pub fn allow(&self, names: &[&str]) -> Result<(), ApiError> {
        match self
            .values
            .keys()
            .find(|k| !names.contains(&k.as_str()) && !ALWAYS_ALLOWED.contains(&k.as_str()))
        {
            Some(unknown) => Err(ApiError::invalid_request(&format!(
                "Unknown parameter '{unknown}'"
            ))),
            None => Ok(()),
        }
    }

    /// The parameters as a JSON object (page tokens carry them), minus paging ones.
    pub fn to_map_without(&self, skip: &[&str]) -> serde_json::Map<String, Value> {
        self.values
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// A text value (numbers and booleans in JSON bodies are turned into text).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.values.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// A required non-empty text value.
    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        match self.text(name) {
            Some(v) if !v.trim().is_empty() => Ok(v),
            _ => Err(ApiError::parameter_required(name)),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid_parameter(
                name,
                &format!("expected true or false, got {other}"),
            )),
        }
    }

    pub fn number(&self, name: &str) -> Result<Option<f64>, ApiError> {
        match self.values.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| {
                ApiError::invalid_parameter(name, &format!("expected a number, got {s:?}"))
            }),
            Some(other) => Err(ApiError::invalid_parameter(
                name,
                &format!("expected a number, got {other}"),
            )),
        }
    }

    /// A list: JSON array (as value or text) or a bare bracket list `[a,b]`.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let text = match self.values.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => return Ok(Some(items.iter().map(scalar_text).collect())),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(other) => {
                return Err(ApiError::invalid_parameter(
                    name,
                    &format!("expected a list, got {other}"),
                ));
            }
        };
        if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&text) {
            return Ok(Some(items.iter().map(scalar_text).collect()));
        }
        let inner = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    name,
                    &format!("expected a list like [\"a\",\"b\"], got {text:?}"),
                )
            })?;
        Ok(Some(
            inner
                .split(',')
                .map(|s| s.trim().trim_matches('"').to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        ))
    }

    /// A structured value: JSON text, or the JSON value itself from a JSON body.
    pub fn json<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ApiError> {
        let value = match self.values.get(name) {
            None => return Ok(None),
            Some(Value::String(s)) => serde_json::from_str::<Value>(s)
                .map_err(|e| ApiError::invalid_parameter(name, &format!("not valid JSON: {e}")))?,
            Some(other) => other.clone(),
        };
        if value.is_null() {
            return Ok(None);
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| ApiError::invalid_parameter(name, &e.to_string()))
    }

    /// The raw JSON of a parameter, decoding text when it holds JSON.
    pub fn raw_json(&self, name: &str) -> Result<Option<Value>, ApiError> {
        match self.values.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|e| ApiError::invalid_parameter(name, &format!("not valid JSON: {e}"))),
            Some(other) => Ok(Some(other.clone())),
        }
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params {
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
        }
    }

    #[test]
    fn lists_in_every_known_shape() {
        assert_eq!(
            params(&[("f", r#"["a","b"]"#)]).list("f").unwrap().unwrap(),
            vec!["a", "b"]
        );
        assert_eq!(
            params(&[("f", "[TaskCreated, TaskDeleted]")])
                .list("f")
                .unwrap()
                .unwrap(),
            vec!["TaskCreated", "TaskDeleted"]
        );
        assert_eq!(
            params(&[("f", "[]")]).list("f").unwrap().unwrap(),
            Vec::<String>::new()
        );
        assert!(params(&[("f", "a,b")]).list("f").is_err());
    }

    #[test]
    fn unknown_names_are_refused_by_name() {
        let err = params(&[("firstName", "x"), ("me", "true")])
            .allow(&["me"])
            .unwrap_err();
        assert!(err.description.contains("firstName"));
        assert!(params(&[("access_token", "x")]).allow(&[]).is_ok());
    }

    #[test]
    fn booleans_and_numbers_are_checked() {
        assert_eq!(params(&[("b", "TRUE")]).bool("b").unwrap(), Some(true));
        assert!(params(&[("b", "yes")]).bool("b").is_err());
        assert!(params(&[("n", "ten")]).number("n").is_err());
    }
}
