//! The `customField` filter of task and folder listings: one field, a comparator and the
//! value(s) to compare with. Numbers compare as numbers when both sides are numbers, text
//! compares without regard to case.

use serde::Deserialize;
use wrike_api::models::CustomFieldValue;

use crate::params::Params;
use crate::reply::ApiError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldFilter {
    id: String,
    #[serde(default = "equal_to")]
    comparator: String,
    #[serde(default, deserialize_with = "text")]
    value: Option<String>,
    #[serde(default, deserialize_with = "text")]
    min_value: Option<String>,
    #[serde(default, deserialize_with = "text")]
    max_value: Option<String>,
    #[serde(default)]
    values: Option<Vec<serde_json::Value>>,
}

fn equal_to() -> String {
    "EqualTo".into()
}

/// A value given as text or as a number.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

const COMPARATORS: &[&str] = &[
    "EqualTo",
    "IsEmpty",
    "IsNotEmpty",
    "LessThan",
    "LessOrEqualTo",
    "GreaterThan",
    "GreaterOrEqualTo",
    "InRange",
    "NotInRange",
    "Contains",
    "StartsWith",
    "EndsWith",
    "ContainsAll",
    "ContainsAny",
];

impl FieldFilter {
    /// The request's `customField`, checked.
    pub fn of(p: &Params) -> Result<Option<FieldFilter>, ApiError> {
        let Some(filter) = p.json::<FieldFilter>("customField")? else {
            return Ok(None);
        };
        if !COMPARATORS.contains(&filter.comparator.as_str()) {
            return Err(ApiError::invalid_parameter(
                "customField",
                &format!("unknown comparator '{}'", filter.comparator),
            ));
        }
        let needs_value = !matches!(
            filter.comparator.as_str(),
            "IsEmpty" | "IsNotEmpty" | "InRange" | "NotInRange" | "ContainsAll" | "ContainsAny"
        );
        if needs_value && filter.value.is_none() {
            return Err(ApiError::invalid_parameter(
                "customField",
                &format!("{} needs a value", filter.comparator),
            ));
        }
        Ok(Some(filter))
    }

    /// True when the item whose field values are `values` passes.
    pub fn keeps(&self, values: &[CustomFieldValue]) -> bool {
        let current = values
            .iter()
            .find(|v| v.id == self.id)
            .and_then(|v| v.value.clone())
            .filter(|v| !v.is_empty());
        let Some(current) = current else {
            return self.comparator == "IsEmpty";
        };
        let given = self.value.clone().unwrap_or_default();
        let lower = current.to_lowercase();
        let listed = || -> Vec<String> {
            self.values
                .iter()
                .flatten()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .map(|v| v.to_lowercase())
                .collect()
        };
        let in_range = || {
            let above = self
                .min_value
                .as_ref()
                .is_none_or(|m| compare(&current, m).is_ge());
            let below = self
                .max_value
                .as_ref()
                .is_none_or(|m| compare(&current, m).is_le());
            above && below
        };
        match self.comparator.as_str() {
            "EqualTo" => compare(&current, &given).is_eq(),
            "IsEmpty" => false,
            "IsNotEmpty" => true,
            "LessThan" => compare(&current, &given).is_lt(),
            "LessOrEqualTo" => compare(&current, &given).is_le(),
            "GreaterThan" => compare(&current, &given).is_gt(),
            "GreaterOrEqualTo" => compare(&current, &given).is_ge(),
            "InRange" => in_range(),
            "NotInRange" => !in_range(),
            "Contains" => lower.contains(&given.to_lowercase()),
            "StartsWith" => lower.starts_with(&given.to_lowercase()),
            "EndsWith" => lower.ends_with(&given.to_lowercase()),
            "ContainsAll" => listed().iter().all(|v| lower.contains(v)),
            "ContainsAny" => listed().iter().any(|v| lower.contains(v)),
            _ => false,
        }
    }
}

/// Numbers as numbers, anything else as text without case.
fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(json: serde_json::Value) -> FieldFilter {
        serde_json::from_value(json).unwrap()
    }

    fn values(v: &str) -> Vec<CustomFieldValue> {
        vec![CustomFieldValue {
            id: "F".into(),
            value: Some(v.into()),
        }]
    }

    #[test]
    fn comparators_compare_numbers_as_numbers_and_text_without_case() {
        assert!(filter(serde_json::json!({"id": "F", "value": "r&d"})).keeps(&values("R&D")));
        assert!(
            filter(serde_json::json!({"id": "F", "comparator": "GreaterThan", "value": 9}))
                .keeps(&values("10"))
        );
        assert!(
            filter(serde_json::json!({"id": "F", "comparator": "InRange", "minValue": 2, "maxValue": 4}))
                .keeps(&values("4"))
        );
        assert!(
            !filter(serde_json::json!({"id": "F", "comparator": "InRange", "minValue": 2, "maxValue": 4}))
                .keeps(&values("5"))
        );
        assert!(filter(serde_json::json!({"id": "F", "comparator": "IsEmpty"})).keeps(&[]));
        assert!(
            filter(
                serde_json::json!({"id": "F", "comparator": "ContainsAny", "values": ["x", "Acme"]})
            )
            .keeps(&values("ACME Corp"))
        );
    }
}
