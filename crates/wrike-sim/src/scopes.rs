//! Which OAuth scopes each endpoint accepts (any one suffices), from Wrike's reference.

use axum::http::Method;
use wrike_api::Scope::{self, *};

const WS_READ: &[Scope] = &[Default, wsReadOnly, wsReadWrite];
const WS_WRITE: &[Scope] = &[Default, wsReadWrite];
const USER_READ: &[Scope] = &[amReadOnlyUser, amReadWriteUser];
const USER_WRITE: &[Scope] = &[amReadWriteUser];
const GROUP_READ: &[Scope] = &[amReadOnlyGroup, amReadWriteGroup];
const GROUP_WRITE: &[Scope] = &[amReadWriteGroup];
const INVITE_READ: &[Scope] = &[amReadOnlyInvitation, amReadWriteInvitation];
const INVITE_WRITE: &[Scope] = &[amReadWriteInvitation];
const WORKFLOW_READ: &[Scope] = &[
    Default,
    amReadOnlyWorkflow,
    amReadWriteWorkflow,
    wsReadOnly,
    wsReadWrite,
];
const AUDIT: &[Scope] = &[amReadOnlyAuditLog];
const TIMELOG_CATEGORY_READ: &[Scope] = &[
    Default,
    amReadOnlyTimelogCategory,
    amReadWriteTimelogCategory,
    wsReadOnly,
    wsReadWrite,
];
const ACCESS_ROLES: &[Scope] = &[amReadOnlyAccessRole];
const NONE: &[Scope] = &[];

/// The scopes for a matched route (`/api/v4/tasks/{ids}`) and method; `None` for routes
/// not in the table (treated as workspace data).
pub fn required(method: &Method, route: &str) -> &'static [Scope] {
    let route = route.trim_start_matches("/api/v4");
    let read = *method == Method::GET;
    match route {
        "/version" => NONE,
        "/users/{id}" => {
            if read {
                USER_READ
            } else {
                USER_WRITE
            }
        }
        "/groups" | "/groups/{id}" => {
            if read {
                GROUP_READ
            } else {
                GROUP_WRITE
            }
        }
        "/invitations" | "/invitations/{id}" => {
            if read {
                INVITE_READ
            } else {
                INVITE_WRITE
            }
        }
        "/workflows" => WORKFLOW_READ,
        "/timelog_categories" => TIMELOG_CATEGORY_READ,
        "/audit_log" => AUDIT,
        "/access_roles" => ACCESS_ROLES,
        _ => {
            if read {
                WS_READ
            } else {
                WS_WRITE
            }
        }
    }
}

/// True when the granted scopes satisfy the requirement.
pub fn satisfied(granted: &[Scope], needed: &[Scope]) -> bool {
    needed.is_empty() || needed.iter().any(|n| granted.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_rules_from_the_reference() {
        assert!(!satisfied(
            &[Default],
            required(&Method::GET, "/api/v4/users/{id}")
        ));
        assert!(satisfied(
            &[amReadOnlyUser],
            required(&Method::GET, "/api/v4/users/{id}")
        ));
        assert!(!satisfied(
            &[amReadOnlyUser],
            required(&Method::PUT, "/api/v4/users/{id}")
        ));
        assert!(!satisfied(
            &[Default, wsReadWrite],
            required(&Method::GET, "/api/v4/audit_log")
        ));
        assert!(satisfied(
            &[wsReadOnly],
            required(&Method::GET, "/api/v4/tasks")
        ));
        assert!(!satisfied(
            &[wsReadOnly],
            required(&Method::POST, "/api/v4/folders/{id}/tasks")
        ));
        assert!(!satisfied(
            &[Default],
            required(&Method::POST, "/api/v4/invitations")
        ));
        assert!(satisfied(&[], required(&Method::GET, "/api/v4/version")));
    }
}
