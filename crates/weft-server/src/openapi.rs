//! The OpenAPI 3.1 document of the JSON API, generated: each API handler describes itself
//! (`utoipa::path`, with the `wire` types it answers and the request types it reads), the
//! route table adds who may call it, and the errors every operation can answer are added
//! here, all in the one `Error` shape. Nothing in it is written apart from the code.

use serde_json::{Value, json};
use utoipa::PartialSchema;
use utoipa::openapi::path::Paths;

use crate::policy::{Access, DescribedRoute};
use crate::wire;

/// The document of the described routes (`routes::described_routes`).
pub fn document(routes: Vec<DescribedRoute>) -> Value {
    let mut paths = Paths::new();
    let mut schemas = serde_json::Map::new();
    let mut accesses = Vec::new();
    for route in routes {
        paths.merge(route.described.paths);
        for (name, schema) in route.described.schemas {
            schemas.insert(name, json!(schema));
        }
        accesses.push((route.method, route.path, route.access));
    }
    schemas.insert("Error".into(), json!(wire::Error::schema()));
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "weft",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "weft's JSON API. Send an API token as `Authorization: Bearer TOKEN`. \
                Fields are camelCase, times RFC 3339 in UTC, ids strings. Lists answer one page: \
                `items`, `total`, `limit`, and `offset` or `nextCursor` (send it back as `cursor`). \
                Every failure answers the `Error` shape, with the request's id."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiToken": {"type": "http", "scheme": "bearer", "description": "An API token (`weft tokens create` or POST /api/v1/tokens)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "weft_session", "description": "A signed-in browser's session (writes also need the CSRF header)"}
            }
        }
    });
    for (method, path, access) in accesses {
        let operation = &mut doc["paths"][path.as_str()][method.as_str().to_ascii_lowercase()];
        operation["operationId"] = json!(operation_id(method.as_str(), &path));
        describe_access(operation, access);
        add_errors(operation, access);
        for (status, response) in operation["responses"].as_object_mut().into_iter().flatten() {
            if response.get("description").is_none() {
                let reason = status
                    .parse::<u16>()
                    .ok()
                    .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Answer");
                response["description"] = json!(reason);
            }
        }
    }
    doc
}

/// A unique operation id from the method and path: `GET /api/v1/jobs/{id}` is
/// `getJobsById`, `/hooks/wrike/{token}` `postHooksWrikeByToken`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    for part in path.split(['/', '-', '.', '_']).filter(|p| !p.is_empty()) {
        let (by, word) = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => ("By", name),
            None => ("", part),
        };
        id.push_str(by);
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.extend(first.to_uppercase());
            id.push_str(chars.as_str());
        }
    }
    id
}

/// Who may call an operation: its security and a sentence saying so.
fn describe_access(operation: &mut Value, access: Access) {
    let who = match access {
        Access::Public => {
            operation["security"] = json!([]);
            "Anyone may call this.".to_owned()
        }
        Access::SignedIn => "Any signed-in user.".to_owned(),
        Access::Needs(permission) => {
            use weft_core::roles::Role;
            let roles: Vec<&str> = [Role::Admin, Role::Analyst, Role::Operator]
                .into_iter()
                .filter(|r| r.allows(permission))
                .map(Role::as_str)
                .collect();
            format!("Needs {permission:?}: {}.", roles.join(", "))
        }
    };
    if access != Access::Public {
        operation["security"] = json!([{"apiToken": []}, {"session": []}]);
    }
    operation["x-weft-access"] = json!(who);
    let text = operation["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    operation["description"] = json!(if text.is_empty() {
        who
    } else {
        format!("{text}\n\n{who}")
    });
}

/// The failures an operation can answer, each in the `Error` shape: bad input (400, and
/// 413/415/422 for a JSON body), who may call it (401/403), what it names (404), state
/// (409), Wrike's refusal or absence (422/502), and the hub's own (408/500/503).
fn add_errors(operation: &mut Value, access: Access) {
    let has_body = operation.get("requestBody").is_some();
    let has_path = operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path"));
    let mut statuses = vec![
        (
            "400",
            "The request is malformed: a parameter or the body is not what this takes",
        ),
        ("408", "The request took longer than the hub allows"),
        (
            "409",
            "The request conflicts with the state of what it names",
        ),
        (
            "422",
            "Wrike refused what was asked, or the input cannot be processed",
        ),
        ("500", "The hub failed; the request id finds it in the logs"),
        ("502", "Wrike could not be reached or failed"),
        ("503", "The database is unavailable; try again shortly"),
    ];
    if access != Access::Public {
        statuses.push(("401", "No valid API token or session"));
    }
    statuses.push(("403", "The caller's role does not allow this"));
    if has_path || access != Access::Public {
        statuses.push(("404", "What the path names does not exist"));
    }
    if has_body {
        statuses.push(("413", "The body is larger than the hub takes"));
        statuses.push((
            "415",
            "The body is not JSON (Content-Type: application/json)",
        ));
    }
    let responses = operation["responses"]
        .as_object_mut()
        .expect("every operation has responses");
    let error = json!({"$ref": "#/components/schemas/Error"});
    for (status, description) in statuses {
        match responses.get_mut(status) {
            None => {
                responses.insert(
                    status.to_owned(),
                    json!({
                        "description": description,
                        "content": {"application/json": {"schema": error}}
                    }),
                );
            }
            // The operation answers this status itself (a check's 422 with its problems);
            // the framework may answer it too, in the error shape.
            Some(own) => {
                if let Some(schema) = own.pointer_mut("/content/application~1json/schema") {
                    *schema = json!({"oneOf": [schema.take(), error]});
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_read_as_the_method_and_path() {
        assert_eq!(operation_id("GET", "/api/v1/jobs/{id}"), "getJobsById");
        assert_eq!(
            operation_id("GET", "/api/v1/usage/connections/{id}/renewal-plan.csv"),
            "getUsageConnectionsByIdRenewalPlanCsv"
        );
        assert_eq!(
            operation_id("POST", "/hooks/wrike/{token}"),
            "postHooksWrikeByToken"
        );
    }
}
