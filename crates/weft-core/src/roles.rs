//! The team's roles, following Wrike Integrate: Admin, Analyst, Operator.

use serde::{Deserialize, Serialize};

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
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including the team and connections.
    Admin,
    /// Builds, edits and tests recipes and connections, sees jobs; no team administration,
    /// and no retrying or cancelling of jobs (that is the Operators' part).
    Analyst,
    /// Views recipes and jobs, starts and stops recipes, reruns jobs; nothing else.
    Operator,
}

/// What someone may do; every route and command names the one it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ManageTeam,
    ViewAuditTrail,
    ManageConnections,
    ViewConnections,
    EditRecipes,
    ViewRecipes,
    RunRecipes,
    /// Approve or reject a run waiting at an approval step (Admins and Operators).
    ApproveRuns,
    ViewJobs,
    RerunJobs,
    ViewAnalytics,
    /// Start a usage sync now.
    SyncUsage,
    /// Enter what seats cost and when the subscription renews.
    PlanRenewal,
    /// Write, apply and remove license policies (who counts as idle; they change nobody).
    EditPolicies,
    /// Deactivate users or change their type or role in Wrike (Admins only).
    ReclaimSeats,
    /// Apply, edit, remove, start, run by hand, rerun or approve a recipe whose steps
    /// administer users and seats (Admins only: those steps do what reclaiming does).
    AdministerThroughRecipes,
    /// Start a run with a trigger event written by hand rather than one a trigger made
    /// (Admins and Analysts, who could write the same event into a recipe's tests).
    RunWithEvent,
}

impl Role {
    pub fn parse(text: &str) -> Result<Role, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "analyst" => Ok(Role::Analyst),
            "operator" => Ok(Role::Operator),
            other => Err(format!(
                "unknown role {other:?}: expected admin, analyst or operator"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Operator => "operator",
        }
    }

    /// The permission matrix, in one place.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Analyst => matches!(
                permission,
                ManageConnections
                    | ViewConnections
                    | EditRecipes
                    | ViewRecipes
                    | RunRecipes
                    | ViewJobs
                    | ViewAnalytics
                    | SyncUsage
                    | PlanRenewal
                    | EditPolicies
                    | RunWithEvent
            ),
            Role::Operator => matches!(
                permission,
                ViewRecipes | RunRecipes | ApproveRuns | ViewJobs | RerunJobs
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_matches_the_product_brief() {
        assert!(Role::Admin.allows(Permission::ManageTeam));
        assert!(!Role::Analyst.allows(Permission::ManageTeam));
        assert!(!Role::Analyst.allows(Permission::ViewAuditTrail));
        assert!(Role::Analyst.allows(Permission::ManageConnections));
        assert!(Role::Operator.allows(Permission::RerunJobs));
        assert!(Role::Analyst.allows(Permission::ViewJobs));
        assert!(
            !Role::Analyst.allows(Permission::RerunJobs),
            "Admins and Operators retry and cancel jobs"
        );
        assert!(!Role::Operator.allows(Permission::EditRecipes));
        assert!(Role::Operator.allows(Permission::ApproveRuns));
        assert!(
            !Role::Analyst.allows(Permission::ApproveRuns),
            "an Admin or Operator approves"
        );
        assert!(!Role::Operator.allows(Permission::ViewConnections));
        assert!(Role::Analyst.allows(Permission::ViewAnalytics));
        assert!(!Role::Operator.allows(Permission::ViewAnalytics));
        assert!(
            !Role::Analyst.allows(Permission::ReclaimSeats),
            "only Admins reclaim; Analysts see reports"
        );
        assert!(Role::Admin.allows(Permission::ReclaimSeats));
        assert!(!Role::Analyst.allows(Permission::AdministerThroughRecipes));
        assert!(!Role::Operator.allows(Permission::AdministerThroughRecipes));
        assert!(Role::Analyst.allows(Permission::RunWithEvent));
        assert!(
            !Role::Operator.allows(Permission::RunWithEvent),
            "Operators run recipes on the events their triggers make"
        );
        assert_eq!(Role::parse(" Admin ").unwrap(), Role::Admin);
        assert!(
            Role::parse("root")
                .unwrap_err()
                .contains("admin, analyst or operator")
        );
    }
}
