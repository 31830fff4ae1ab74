//! The scope planner: from what a connection is used for, the minimum Wrike scopes and the
//! account facts (plan, admin, rights) it needs, and what is missing.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use wrike_api::Scope;
use wrike_api::models::Plan;

/// What a connection can be used for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Sync people and the audit log for seat analytics.
    UsageAnalytics,
    /// Downgrade or deactivate idle users.
    Reclaim,
    /// Send, resend and cancel invitations.
    Invitations,
    /// Read tasks, folders and comments (recipe triggers, polling).
    ReadWork,
    /// Create and change tasks, folders, comments, timelogs (recipe actions).
    WriteWork,
    /// Register webhooks for recipe triggers.
    Webhooks,
    /// List groups and change who is in them.
    Groups,
}

impl Feature {
    pub const ALL: [Feature; 7] = [
        Feature::UsageAnalytics,
        Feature::Reclaim,
        Feature::Invitations,
        Feature::ReadWork,
        Feature::WriteWork,
        Feature::Webhooks,
        Feature::Groups,
    ];

    pub fn parse(text: &str) -> Result<Feature, String> {
        Feature::ALL
            .into_iter()
            .find(|f| f.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "unknown feature {text:?}: expected one of {}",
                    Feature::ALL
                        .iter()
                        .map(|f| f.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::UsageAnalytics => "usage_analytics",
            Feature::Reclaim => "reclaim",
            Feature::Invitations => "invitations",
            Feature::ReadWork => "read_work",
            Feature::WriteWork => "write_work",
            Feature::Webhooks => "webhooks",
            Feature::Groups => "groups",
        }
    }
}

impl Feature {
    /// What the feature is, in words, for the consent form.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::UsageAnalytics => {
                "Usage analytics: people, sign-ins and work activity, to find idle paid seats"
            }
            Feature::Reclaim => "Reclaim seats: change users' type or role, or deactivate them",
            Feature::Invitations => "Invitations: send, resend and cancel them",
            Feature::ReadWork => {
                "Read work: tasks, folders, projects and comments (recipe triggers)"
            }
            Feature::WriteWork => {
                "Change work: tasks, folders, comments, timelogs (recipe actions)"
            }
            Feature::Webhooks => "Webhooks: Wrike tells the hub about changes as they happen",
            Feature::Groups => "Groups: list them and add or remove members (recipe actions)",
        }
    }
}

/// What a scope lets the hub do, in words (Wrike's own scope names are terse).
pub fn describe_scope(scope: &Scope) -> &'static str {
    match scope {
        Scope::Default => {
            "Read and change what the user can see in the workspace (always requested)"
        }
        Scope::wsReadOnly => {
            "Read the workspace: tasks, folders, projects, comments, timelogs, people"
        }
        Scope::wsReadWrite => "Read and change the workspace",
        Scope::amReadOnlyUser => "Read users' account settings (user types, roles)",
        Scope::amReadWriteUser => {
            "Change users: user type, role, deactivate (the user must be an admin)"
        }
        Scope::amReadOnlyInvitation => "Read invitations",
        Scope::amReadWriteInvitation => "Send, resend and cancel invitations",
        Scope::amReadOnlyGroup => "Read groups",
        Scope::amReadWriteGroup => "Create and change groups",
        Scope::amReadOnlyWorkflow => "Read workflows and their statuses",
        Scope::amReadWriteWorkflow => "Create and change workflows",
        Scope::amReadOnlyTimelogCategory => "Read timelog categories",
        Scope::amReadWriteTimelogCategory => "Change timelog categories",
        Scope::amReadOnlyWorkSchedule => "Read work schedules",
        Scope::amReadWriteWorkSchedule => "Change work schedules",
        Scope::amReadOnlyAuditLog => {
            "Read the audit log: sign-ins and changes (Enterprise or Pinnacle; an admin with the right to create user activity reports)"
        }
        Scope::amReadOnlyAccessRole => "Read access roles",
        Scope::dataExportFull => "Download the account's full data export",
        _ => "A scope this version of weft does not describe",
    }
}

/// A right the Wrike user or account must have, beyond scopes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Right {
    /// An Enterprise (or Pinnacle) plan.
    EnterprisePlan,
    /// The user is an account admin.
    Admin,
    /// The admin right "create user activity reports".
    ActivityReports,
}

impl Right {
    /// What the right is and what it is for, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Right::EnterprisePlan => {
                "an Enterprise or Pinnacle plan, for sign-ins from the audit log (work activity is read on every plan)"
            }
            Right::Admin => "the connecting user is an account admin",
            Right::ActivityReports => {
                "the admin right \"Create user activity reports\" (Account Management, Users)"
            }
        }
    }
}

/// The minimum for a set of features.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Requirements {
    pub scopes: BTreeSet<Scope>,
    pub rights: BTreeSet<Right>,
}

/// What the planner knows about a connection's account and user.
#[derive(Debug, Clone, Default)]
pub struct AccountFacts {
    pub plan: Option<Plan>,
    pub admin: Option<bool>,
    /// Known only once the audit log has been tried.
    pub activity_reports: Option<bool>,
}

/// One thing missing, said so a person can act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    Scope {
        scope: String,
        #[serde(rename = "forFeature")]
        for_feature: String,
    },
    Right {
        right: Right,
        #[serde(rename = "forFeature")]
        for_feature: String,
    },
}

fn needs(feature: Feature) -> (&'static [Scope], &'static [Right]) {
    match feature {
        // Contacts are workspace data; the audit log has its own scope and is an
        // Enterprise admin feature that also needs the activity-report right.
        Feature::UsageAnalytics => (
            &[Scope::wsReadOnly, Scope::amReadOnlyAuditLog],
            &[Right::EnterprisePlan, Right::Admin, Right::ActivityReports],
        ),
        Feature::Reclaim => (&[Scope::amReadWriteUser], &[Right::Admin]),
        Feature::Invitations => (&[Scope::amReadWriteInvitation], &[Right::Admin]),
        Feature::ReadWork => (&[Scope::wsReadOnly], &[]),
        Feature::WriteWork | Feature::Webhooks => (&[Scope::wsReadWrite], &[]),
        Feature::Groups => (&[Scope::amReadWriteGroup], &[Right::Admin]),
    }
}

/// The minimum scopes and rights for `features`. `Default` is always requested by the
/// consent flow and is not listed; `wsReadWrite` makes `wsReadOnly` redundant.
pub fn plan(features: &[Feature]) -> Requirements {
    let mut req = Requirements::default();
    for feature in features {
        let (scopes, rights) = needs(*feature);
        req.scopes.extend(scopes.iter().cloned());
        req.rights.extend(rights.iter().copied());
    }
    if req.scopes.contains(&Scope::wsReadWrite) {
        req.scopes.remove(&Scope::wsReadOnly);
    }
    req
}

/// Whether a granted scope satisfies a needed one (`wsReadWrite` and `Default` cover
/// workspace reads, `amReadWrite*` covers its read-only twin).
fn covers(granted: &[Scope], needed: &Scope) -> bool {
    granted.contains(needed)
        || match needed {
            Scope::wsReadOnly => granted
                .iter()
                .any(|g| matches!(g, Scope::wsReadWrite | Scope::Default)),
            Scope::wsReadWrite => granted.contains(&Scope::Default),
            Scope::amReadOnlyUser => granted.contains(&Scope::amReadWriteUser),
            Scope::amReadOnlyInvitation => granted.contains(&Scope::amReadWriteInvitation),
            _ => false,
        }
}

/// What is missing for `features`, given the granted scopes (None: unknown, e.g. a
/// permanent token, whose scopes only show when a call fails) and the account facts.
pub fn missing(
    features: &[Feature],
    granted: Option<&[Scope]>,
    facts: &AccountFacts,
) -> Vec<Missing> {
    let mut out = Vec::new();
    for feature in features {
        let (scopes, rights) = needs(*feature);
        if let Some(granted) = granted {
            for scope in scopes.iter().filter(|s| !covers(granted, s)) {
                out.push(Missing::Scope {
                    scope: scope.as_str().to_owned(),
                    for_feature: feature.as_str().to_owned(),
                });
            }
        }
        for right in rights {
            let lacking = match right {
                Right::EnterprisePlan => facts.plan.as_ref().is_some_and(|p| !p.has_audit_log()),
                Right::Admin => facts.admin == Some(false),
                Right::ActivityReports => facts.activity_reports == Some(false),
            };
            if lacking {
                out.push(Missing::Right {
                    right: *right,
                    for_feature: feature.as_str().to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_needs_the_audit_scope_and_enterprise_admin_rights() {
        let req = plan(&[Feature::UsageAnalytics]);
        assert!(req.scopes.contains(&Scope::amReadOnlyAuditLog));
        assert_eq!(
            req.rights,
            [Right::EnterprisePlan, Right::Admin, Right::ActivityReports]
                .into_iter()
                .collect()
        );
        let req = plan(&[Feature::UsageAnalytics, Feature::WriteWork]);
        assert!(
            !req.scopes.contains(&Scope::wsReadOnly),
            "read-write covers read-only"
        );
    }

    #[test]
    fn missing_lists_scopes_and_rights_per_feature() {
        let facts = AccountFacts {
            plan: Some(Plan::Business),
            admin: Some(true),
            activity_reports: None,
        };
        let gaps = missing(
            &[Feature::UsageAnalytics, Feature::ReadWork],
            Some(&[Scope::Default]),
            &facts,
        );
        assert_eq!(
            gaps,
            vec![
                Missing::Scope {
                    scope: "amReadOnlyAuditLog".into(),
                    for_feature: "usage_analytics".into()
                },
                Missing::Right {
                    right: Right::EnterprisePlan,
                    for_feature: "usage_analytics".into()
                },
            ]
        );
        let fine = AccountFacts {
            plan: Some(Plan::Enterprise),
            admin: Some(true),
            activity_reports: Some(true),
        };
        assert!(missing(&Feature::ALL, Some(Scope::KNOWN), &fine).is_empty());
        assert!(
            Feature::parse("nope")
                .unwrap_err()
                .contains("usage_analytics")
        );
    }
}
