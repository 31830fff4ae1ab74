//! Deserializers that accept the several shapes Wrike is known to send for one field.

use serde::{Deserialize, Deserializer};

/// A number that may arrive as a JSON number or as a string holding one
/// (`expires_in` is `"3600"` in Wrike's documented example and `3600` on the wire).
pub fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(u64),
        Float(f64),
        Text(String),
    }
    match Option::<NumberOrText>::deserialize(deserializer)? {
        None => Ok(None),
        Some(NumberOrText::Number(n)) => Ok(Some(n)),
        Some(NumberOrText::Float(f)) if f >= 0.0 && f.fract() == 0.0 => Ok(Some(f as u64)),
        Some(NumberOrText::Float(f)) => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {f}"
        ))),
        Some(NumberOrText::Text(text)) => text.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("expected a number, got the string {text:?}"))
        }),
    }
}

/// A scalar kept as text whatever JSON type carried it (custom field values are strings,
/// but hand-built payloads send numbers and booleans too). `null` becomes `None`.
pub fn opt_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text),
        other => Some(other.to_string()),
    })
}

/// A free-form object (audit `details`): Wrike always sends an object, but a `null` or a
/// missing field is read as empty, and any other value is kept under `"value"` rather than
/// failing the whole page.
pub fn object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("value".to_owned(), other)]),
    })
}
