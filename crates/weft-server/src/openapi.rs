//! The OpenAPI 3.1 document of the JSON API, built from the route table so that no API route
//! can go undocumented (a test checks every `/api/` route has an operation here).

use serde_json::{Value, json};

use crate::policy::{Access, RouteSpec};

/// Summary, request body schema and success response schema of each API operation.
fn describe(method: &str, path: &str) -> Option<(&'static str, Option<Value>, Value)> {
    let connection = json!({"$ref": "#/components/schemas/Connection"});
    let job = json!({"$ref": "#/components/schemas/Job"});
    Some(match (method, path) {
        ("GET", "/api/v1/openapi.json") => ("This document", None, json!({"type": "object"})),
        ("GET", "/api/v1/me") => (
            "The caller's user name and role",
            None,
            json!({"type": "object", "properties": {"username": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}}}),
        ),
        ("POST", "/api/v1/tokens") => (
            "Create an API token with the caller's role (shown once)",
            Some(
                json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 64}, "expiresInDays": {"type": "integer", "minimum": 1, "maximum": 3650}}}),
            ),
            json!({"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "expiresAt": {"type": ["integer", "null"]}, "token": {"type": "string"}}}),
        ),
        ("GET", "/api/v1/tokens") => (
            "The caller's API tokens; everyone's with all=true (Admins)",
            None,
            json!({"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "username": {"type": "string"}, "created_at": {"type": "integer"}, "expires_at": {"type": ["integer", "null"]}, "last_used_at": {"type": ["integer", "null"]}}}}),
        ),
        ("DELETE", "/api/v1/tokens/{id}") => (
            "Revoke an API token (one's own; Admins: anyone's)",
            None,
            json!({"description": "No content"}),
        ),
        ("POST", "/api/v1/me/password") => (
            "Change one's own password (the other sessions end)",
            Some(
                json!({"type": "object", "required": ["current", "new"], "properties": {"current": {"type": "string", "writeOnly": true}, "new": {"type": "string", "minLength": 10, "writeOnly": true}}}),
            ),
            json!({"description": "No content"}),
        ),
        ("POST", "/api/v1/me/sign-out-everywhere") => (
            "End every session of the caller",
            None,
            json!({"type": "object", "properties": {"sessionsEnded": {"type": "integer"}}}),
        ),
        ("PATCH", "/api/v1/users/{id}") => (
            "Change a user's role, or disable or enable them (by id or name)",
            Some(
                json!({"type": "object", "properties": {"role": {"$ref": "#/components/schemas/Role"}, "disabled": {"type": "boolean"}}}),
            ),
            json!({"type": "object"}),
        ),
        ("DELETE", "/api/v1/users/{id}") => (
            "Remove a user with their sessions and tokens",
            None,
            json!({"description": "No content"}),
        ),
        ("POST", "/api/v1/users/{id}/password") => (
            "Set a user's password (their sessions end)",
            Some(
                json!({"type": "object", "required": ["password"], "properties": {"password": {"type": "string", "minLength": 10, "writeOnly": true}}}),
            ),
            json!({"description": "No content"}),
        ),
        ("POST", "/api/v1/users/{id}/sign-out") => (
            "End every session of a user",
            None,
            json!({"type": "object", "properties": {"sessionsEnded": {"type": "integer"}}}),
        ),
        ("GET", "/api/v1/connections") => (
            "Connections with hygiene warnings",
            None,
            json!({"type": "array", "items": {"type": "object", "properties": {"connection": connection, "warnings": {"type": "array", "items": {"type": "string"}}}}}),
        ),
        ("POST", "/api/v1/connections") => (
            "Add a connection with a permanent token (checked against Wrike first)",
            Some(
                json!({"type": "object", "required": ["name", "token"], "properties": {"name": {"type": "string"}, "dataCenter": {"type": "string", "description": "us, us2, eu or an API URL"}, "token": {"type": "string", "writeOnly": true}, "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}}}}),
            ),
            json!({"type": "object", "properties": {"connection": connection, "warnings": {"type": "array", "items": {"type": "string"}}, "missing": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("GET", "/api/v1/connections/plan") => (
            "Minimum scopes and Wrike rights for features (query: features=a,b)",
            None,
            json!({"type": "object", "properties": {"scopes": {"type": "array", "items": {"type": "string"}}, "rights": {"type": "array", "items": {"type": "string"}}}}),
        ),
        ("DELETE", "/api/v1/connections/{id}") => (
            "Remove a connection (by id or name)",
            None,
            json!({"description": "No content"}),
        ),
        ("POST", "/api/v1/connections/{id}/check") => (
            "Probe a connection now; alerts on a change",
            None,
            json!({"$ref": "#/components/schemas/Health"}),
        ),
        ("GET", "/api/v1/alerts") => (
            "Connections that need attention now",
            None,
            json!({"type": "array", "items": {"type": "object"}}),
        ),
        ("GET", "/api/v1/jobs") => (
            "Jobs, newest first (query: kind, status, since, until, before, limit)",
            None,
            json!({"type": "object", "properties": {"jobs": {"type": "array", "items": job.clone()}, "nextBefore": {"type": ["integer", "null"]}}}),
        ),
        ("GET", "/api/v1/jobs/{id}") => ("One job", None, job),
        ("POST", "/api/v1/jobs/{id}/retry") => (
            "Queue a dead or cancelled job again, now, with fresh attempts",
            None,
            job,
        ),
        ("POST", "/api/v1/jobs/{id}/cancel") => ("Cancel a queued or running job", None, job),
        ("GET", "/api/v1/users") => (
            "The hub's users",
            None,
            json!({"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}, "disabled_at": {"type": ["integer", "null"]}}}}),
        ),
        ("POST", "/api/v1/users") => (
            "Add a user",
            Some(
                json!({"type": "object", "required": ["username", "role", "password"], "properties": {"username": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}, "password": {"type": "string", "minLength": 10, "writeOnly": true}}}),
            ),
            json!({"type": "object"}),
        ),
        ("GET", "/api/v1/audit-trail") => (
            "The hub's audit trail, newest first (query: limit)",
            None,
            json!({"type": "array", "items": {"type": "object", "properties": {"at": {"type": "integer"}, "actor": {"type": "string"}, "action": {"type": "string"}, "target": {"type": "string"}, "before": {}, "after": {}}}}),
        ),
        _ => return None,
    })
}

/// The document of the API routes among `routes`.
pub fn document(routes: &[RouteSpec]) -> Value {
    let mut paths = serde_json::Map::new();
    for spec in routes.iter().filter(|s| s.path.starts_with("/api/")) {
        let method = spec.method.as_str().to_owned();
        let Some((summary, body, response)) = describe(&method, spec.path) else {
            continue;
        };
        let mut operation = json!({
            "summary": summary,
            "responses": {
                "2XX": {"description": "Success", "content": {"application/json": {"schema": response}}},
                "4XX": {"$ref": "#/components/responses/Error"},
                "5XX": {"$ref": "#/components/responses/Error"},
            },
        });
        if let Access::Needs(permission) = spec.access {
            operation["x-weft-permission"] = json!(format!("{permission:?}"));
        }
        if spec.access == Access::Public {
            operation["security"] = json!([]);
        }
        if let Some(body) = body {
            operation["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": body}}});
        }
        if spec.path.contains("{id}") {
            let kind = if spec.path.starts_with("/api/v1/jobs/") {
                "integer"
            } else {
                "string"
            };
            operation["parameters"] =
                json!([{"name": "id", "in": "path", "required": true, "schema": {"type": kind}}]);
        }
        paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}))[method.to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "weft JSON API", "version": env!("CARGO_PKG_VERSION"), "description": "Per-user API tokens (Authorization: Bearer wft_...) act with their user's role."},
        "security": [{"apiToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiToken": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": {"description": "What went wrong (server errors add the request id)", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "requestId": {"type": "string"}}}}}}},
            "schemas": {
                "Role": {"type": "string", "enum": ["admin", "analyst", "operator"]},
                "Feature": {"type": "string", "enum": ["usage_analytics", "reclaim", "invitations", "read_work", "write_work", "webhooks"]},
                "Health": {"type": "object", "properties": {"state": {"type": "string", "enum": ["healthy", "degraded", "broken"]}, "class": {"type": ["string", "null"], "enum": ["token_rejected", "scope_missing", "plan_or_right_missing", "wrong_data_center", "rate_limited", "wrike_unavailable", "other", null]}, "message": {"type": ["string", "null"]}, "checkedAt": {"type": "integer"}, "failingSince": {"type": ["integer", "null"]}}},
                "Job": {"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}, "payload": {}, "dedupeKey": {"type": ["string", "null"]}, "origin": {"type": "string"}, "priority": {"type": "integer"}, "status": {"type": "string", "enum": ["queued", "running", "succeeded", "dead", "cancelled"]}, "runAtMs": {"type": "integer"}, "attempts": {"type": "integer"}, "retry": {"type": "object", "properties": {"maxAttempts": {"type": "integer"}, "backoffMs": {"type": "integer"}, "backoffMaxMs": {"type": "integer"}}}, "leaseOwner": {"type": ["string", "null"]}, "leaseExpiresMs": {"type": ["integer", "null"]}, "heartbeatMs": {"type": ["integer", "null"]}, "lastError": {"type": ["string", "null"]}, "result": {}, "createdMs": {"type": "integer"}, "updatedMs": {"type": "integer"}, "finishedMs": {"type": ["integer", "null"]}}},
                "Connection": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["oauth", "permanent"]}, "api_base": {"type": "string"}, "identity": {"type": "object"}, "scopes": {"type": "array", "items": {"type": "string"}}, "features": {"type": "array", "items": {"type": "string"}}, "health": {"oneOf": [{"$ref": "#/components/schemas/Health"}, {"type": "null"}]}}},
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_documented() {
        let routes = crate::routes::route_table();
        let doc = document(&routes);
        for spec in routes.iter().filter(|s| s.path.starts_with("/api/")) {
            let operation = &doc["paths"][spec.path][spec.method.as_str().to_ascii_lowercase()];
            assert!(
                operation["summary"].is_string(),
                "{} {} has no OpenAPI operation",
                spec.method,
                spec.path
            );
        }
    }
}
