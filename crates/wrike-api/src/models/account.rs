//! The account (`GET /account`) with its subscription.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomField, Metadata};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day_of_week: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_days: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_folder_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycle_bin_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_date: Option<DateTime<Utc>>,
    /// Only with `fields=["subscription"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomField>>,
}

/// The plan. `paid` and `userLimit` are only shown to admins.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(rename = "type")]
    pub plan: Plan,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<String>,
}

crate::open_enum!(
    /// Subscription types as the API names them (Pinnacle is kept as an open value).
    pub enum Plan {
        Free,
        Premium,
        Business,
        CreativeBusiness,
        Enterprise,
        CreativeEnterprise,
        Pinnacle,
    }
);

impl Plan {
    /// Plans that include the admin audit log ("user activity reports").
    pub fn has_audit_log(&self) -> bool {
        matches!(
            self,
            Plan::Enterprise | Plan::CreativeEnterprise | Plan::Pinnacle
        )
    }
}
