//! Contacts and users, user types, groups, invitations and access roles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Metadata, Role};

crate::open_enum!(
    /// `Person`, `Group`, and (seen in one client) `Robot`.
    pub enum ContactType {
        Person,
        Group,
        Robot,
    }
);

/// A contact (`GET /contacts`) or user (`GET /users/{id}`): the same model.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(rename = "type")]
    pub contact_type: ContactType,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    /// Present (and `true`) only on the caller's own contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub me: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_team: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_schedule_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_role_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_bill_rate: Option<Rate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_cost_rate: Option<Rate>,
}

impl Contact {
    /// The profile for one account (a v4 token sees exactly one).
    pub fn profile(&self, account_id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.account_id == account_id)
    }

    /// The first profile: the token's own account for every v4 response.
    pub fn primary_profile(&self) -> Option<&Profile> {
        self.profiles.first()
    }

    /// The best known e-mail address: `primaryEmail`, else the first profile's.
    pub fn email(&self) -> Option<&str> {
        self.primary_email
            .as_deref()
            .or_else(|| self.profiles.iter().find_map(|p| p.email.as_deref()))
    }

    /// Active unless a profile says otherwise (older payloads have no `active`).
    pub fn is_active(&self) -> bool {
        self.primary_profile()
            .and_then(|p| p.active)
            .unwrap_or(true)
    }
}

/// A contact's membership in one account.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub role: Role,
    #[serde(default)]
    pub external: bool,
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub owner: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// Bill or cost rate of a contact.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_value: Option<f64>,
}

/// `GET /user_types`. Sources disagree between `description` and `licenseType`; both kept.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserType {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub member_ids: Vec<String>,
    #[serde(default)]
    pub child_ids: Vec<String>,
    #[serde(default)]
    pub parent_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_team: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Vec<Metadata>>,
}

crate::open_enum!(
    pub enum InvitationStatus {
        Pending,
        Accepted,
        Declined,
        Cancelled,
    }
);

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub email: String,
    pub status: InvitationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_date: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_date: Option<DateTime<Utc>>,
    pub role: Role,
    #[serde(default)]
    pub external: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type_id: Option<String>,
}

/// `GET /access_roles`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccessRole {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
