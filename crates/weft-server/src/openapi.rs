//! The OpenAPI 3.1 document of the JSON API, built from the route table so that no API route
//! can go undocumented (a test checks every `/api/` route has an operation here).

use serde_json::{Value, json};

use crate::routes::{Access, route_table};

/// Summary, request body schema and success response schema of each API operation.
fn describe(method: &str, path: &str) -> Option<(&'static str, Option<Value>, Value)> {
    let connection = json!({"$ref": "#/components/schemas/Connection"});
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
                json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 64}}}),
            ),
            json!({"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "token": {"type": "string"}}}),
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
        ("GET", "/api/v1/users") => (
            "The hub's users",
            None,
            json!({"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}}}}),
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

pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for spec in route_table()
        .into_iter()
        .filter(|s| s.path.starts_with("/api/"))
    {
        let method = spec.method.as_str().to_owned();
        let Some((summary, body, response)) = describe(&method, spec.path) else {
            continue;
        };
        let mut operation = json!({
            "summary": summary,
            "responses": {
                "2XX": {"description": "Success", "content": {"application/json": {"schema": response}}},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
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
            operation["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
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
            "responses": {"Error": {"description": "What went wrong", "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}},
            "schemas": {
                "Role": {"type": "string", "enum": ["admin", "analyst", "operator"]},
                "Feature": {"type": "string", "enum": ["usage_analytics", "reclaim", "invitations", "read_work", "write_work", "webhooks"]},
                "Health": {"type": "object", "properties": {"healthy": {"type": "boolean"}, "class": {"type": ["string", "null"], "enum": ["token_rejected", "scope_missing", "plan_or_right_missing", "wrong_data_center", "rate_limited", "wrike_unavailable", "other", null]}, "message": {"type": ["string", "null"]}, "checked_at": {"type": "integer"}}},
                "Connection": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["oauth", "permanent"]}, "api_base": {"type": "string"}, "identity": {"type": "object"}, "scopes": {"type": "array", "items": {"type": "string"}}, "features": {"type": "array", "items": {"type": "string"}}, "health": {"oneOf": [{"$ref": "#/components/schemas/Health"}, {"type": "null"}]}}},
            },
        },
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> axum::Json<Value> {
    axum::Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_route_is_documented() {
        let doc = document();
        for spec in route_table()
            .into_iter()
            .filter(|s| s.path.starts_with("/api/"))
        {
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
