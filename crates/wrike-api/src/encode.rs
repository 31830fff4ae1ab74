//! Wrike's request encoding: scalar values as text, arrays and objects as JSON text, in the
//! query string (GET, DELETE) or an `application/x-www-form-urlencoded` body (POST, PUT).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use crate::error::WrikeError;

/// Name/value pairs ready for the query string or a form body.
pub type Params = Vec<(String, String)>;

/// Encodes a request struct: every field becomes one parameter, arrays and objects as
/// compact JSON (`fields=["metadata"]`), `null` kept as `null` (it deletes metadata).
pub fn to_params<T: Serialize>(request: &T) -> Result<Params, WrikeError> {
    let value = serde_json::to_value(request)
        .map_err(|e| WrikeError::Invalid(format!("encoding request: {e}")))?;
    let serde_json::Value::Object(fields) = value else {
        return Err(WrikeError::Invalid(
            "request parameters must be an object".into(),
        ));
    };
    Ok(fields
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (name, text)
        })
        .collect())
}

/// The largest number of ids Wrike accepts in one path segment.
pub const MAX_IDS_PER_PATH: usize = 100;

/// Joins ids for a path (`/tasks/A,B,C`), refusing what Wrike would refuse: no ids, more
/// than 100, or characters outside Wrike's id alphabet.
pub fn id_list<S: AsRef<str>>(ids: &[S]) -> Result<String, WrikeError> {
    if ids.is_empty() {
        return Err(WrikeError::Invalid("at least one id is needed".into()));
    }
    if ids.len() > MAX_IDS_PER_PATH {
        return Err(WrikeError::Invalid(format!(
            "{} ids given; Wrike takes at most {MAX_IDS_PER_PATH} per request",
            ids.len()
        )));
    }
    for id in ids {
        check_id(id.as_ref())?;
    }
    Ok(ids.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(","))
}

/// One id for a path segment: Wrike ids use `a-z A-Z 0-9 - _ : . =`, at most 256 chars.
pub fn check_id(id: &str) -> Result<&str, WrikeError> {
    let ok = !id.is_empty()
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.' | b'='));
    if ok {
        Ok(id)
    } else {
        Err(WrikeError::Invalid(format!("{id:?} is not a Wrike id")))
    }
}

/// Wrike's timestamp format: `2019-02-18T11:17:43Z`, UTC, whole seconds.
pub fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Serde adapter for optional timestamps in Wrike's format.
pub fn opt_timestamp<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&timestamp(at)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Example {
        title: String,
        fields: Vec<String>,
        descendants: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        page_size: Option<u32>,
        metadata: serde_json::Value,
    }

    #[test]
    fn arrays_and_objects_become_json_text() {
        let params = to_params(&Example {
            title: "a b".into(),
            fields: vec!["metadata".into()],
            descendants: true,
            page_size: None,
            metadata: serde_json::json!({"key": "k", "value": null}),
        })
        .unwrap();
        let params: std::collections::BTreeMap<_, _> = params.into_iter().collect();
        assert_eq!(params.len(), 4, "pageSize is None and must not be sent");
        assert_eq!(params["title"], "a b");
        assert_eq!(params["fields"], r#"["metadata"]"#);
        assert_eq!(params["descendants"], "true");
        assert_eq!(params["metadata"], r#"{"key":"k","value":null}"#);
    }

    #[test]
    fn id_lists_follow_wrikes_limits() {
        assert_eq!(
            id_list(&["IEAAAAAQKQAB5BG4", "MAAAAAEOud3s"]).unwrap(),
            "IEAAAAAQKQAB5BG4,MAAAAAEOud3s"
        );
        assert!(id_list::<&str>(&[]).is_err());
        let many: Vec<String> = (0..101).map(|i| format!("ID{i}")).collect();
        assert!(
            id_list(&many)
                .unwrap_err()
                .to_string()
                .contains("at most 100")
        );
        assert!(id_list(&["a/b"]).is_err());
        assert!(id_list(&["a,b"]).is_err());
    }

    #[test]
    fn timestamps_have_whole_seconds_and_z() {
        let at = DateTime::parse_from_rfc3339("2019-02-18T11:17:43.123+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(timestamp(&at), "2019-02-18T11:17:43Z");
    }
}
