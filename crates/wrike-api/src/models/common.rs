//! The response envelope and small value types shared by many entities.

use serde::{Deserialize, Serialize};

/// Every successful Wrike response: `{"kind": "...", "data": [...]}`; paged responses add
/// `nextPageToken` (absent on the last page) and `responseSize`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    pub kind: String,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl<T> Envelope<T> {
    /// An unpaged envelope.
    pub fn new(kind: &str, data: Vec<T>) -> Self {
        Envelope {
            kind: kind.to_owned(),
            data,
            next_page_token: None,
            response_size: None,
            state: None,
        }
    }
}

/// A metadata entry (per API application): `{"key": ..., "value": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Metadata {
    pub key: String,
    #[serde(default, deserialize_with = "super::lenient::opt_text")]
    pub value: Option<String>,
}

/// A custom field value on a task or folder. Wrike sends values as strings (≤ 2000 chars).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CustomFieldValue {
    pub id: String,
    #[serde(default, deserialize_with = "super::lenient::opt_text")]
    pub value: Option<String>,
}

/// `GET /version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

crate::open_enum!(
    /// A user's role in an account (deprecated by user types, still sent).
    pub enum Role {
        User,
        Collaborator,
    }
);
