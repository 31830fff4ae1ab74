//! The OpenAPI 3.1 document of the JSON API, built from the route table so that no API route
//! can go undocumented (a test checks every `/api/` route has an operation here).

use serde_json::{Value, json};

use crate::policy::{Access, RouteSpec};

/// Summary, request body schema and success response schema of each API operation.
fn describe(method: &str, path: &str) -> Option<(&'static str, Option<Value>, Value)> {
    let connection = json!({"$ref": "#/components/schemas/Connection"});
    let job = json!({"$ref": "#/components/schemas/Job"});
    let secret = json!({"type": "object", "properties": {"name": {"type": "string"}, "hosts": {"type": "array", "items": {"type": "string"}}, "updatedBy": {"type": "string"}, "updatedAt": {"type": "integer"}, "usedBy": {"type": "array", "items": {"type": "string"}}}});
    let run = json!({"type": "object", "properties": {"id": {"type": "integer"}, "recipeName": {"type": "string"}, "version": {"type": "integer"}, "eventKey": {"type": "string"}, "status": {"type": "string", "enum": ["queued", "running", "waiting", "succeeded", "failed", "cancelled"]}, "nextStep": {"type": "integer"}, "error": {"type": ["string", "null"]}, "startedBy": {"type": ["string", "null"], "description": "who started the run by hand (run now, rerun)"}, "handMade": {"type": "boolean", "description": "a person wrote the trigger event"}}});
    let files = json!({"type": "object", "required": ["files"], "properties": {"files": {"type": "array", "items": {"type": "object", "required": ["file", "source"], "properties": {"file": {"type": "string"}, "source": {"type": "string"}}}}, "prune": {"type": "boolean"}}});
    let changes = json!({"type": "object", "properties": {"changes": {"type": "array", "items": {"type": "object", "properties": {"change": {"type": "string", "enum": ["add", "update", "unchanged", "remove"]}, "name": {"type": "string"}, "diff": {"type": "string"}}}}}});
    Some(match (method, path) {
        ("GET", "/api/v1/openapi.json") => ("This document", None, json!({"type": "object"})),
        ("GET", "/api/v1/secrets") => (
            "Recipe secrets (never their values): where steps may send each, who set it, and the recipes that read it",
            None,
            json!({"type": "array", "items": secret.clone()}),
        ),
        ("PUT", "/api/v1/secrets/{name}") => (
            "Set a recipe secret, read in templates as secrets.NAME: its value (never shown again) and the hosts http.request steps may send it to",
            Some(
                json!({"type": "object", "required": ["value", "hosts"], "properties": {"value": {"type": "string", "minLength": 1}, "hosts": {"type": "array", "minItems": 1, "items": {"type": "string", "description": "a host, *.domain, or * for any"}}}, "additionalProperties": false}),
            ),
            secret,
        ),
        ("DELETE", "/api/v1/secrets/{name}") => (
            "Remove a recipe secret no recipe reads (409 naming the recipes that do)",
            None,
            json!({"description": "No content"}),
        ),
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
        ("GET", "/api/v1/recipes") => (
            "Recipes with their trigger, connection, version and state",
            None,
            json!({"type": "object", "properties": {"recipes": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("POST", "/api/v1/recipes/check") => (
            "Check recipe files (YAML, fields, actions, templates, the connection and its scopes); 422 with every problem",
            Some(files.clone()),
            json!({"type": "object", "properties": {"valid": {"type": "boolean"}, "problems": {"type": "array"},
                   "recipes": {"type": "array", "description": "each valid recipe's privilege (read, write_work, administer_users) and who may apply and run it",
                               "items": {"type": "object", "properties": {"file": {"type": "string"}, "name": {"type": "string"},
                                         "privilege": {"type": "string", "enum": ["read", "write_work", "administer_users"]}, "note": {"type": "string"}}}}}}),
        ),
        ("POST", "/api/v1/recipes/plan") => (
            "What applying these files would change (add, update with a diff, unchanged, not in files)",
            Some(files.clone()),
            changes.clone(),
        ),
        ("POST", "/api/v1/recipes/apply") => (
            "Make the hub's recipes match these files (prune: also remove recipes no file has)",
            Some(files),
            changes,
        ),
        ("GET", "/api/v1/recipes/{name}") => (
            "One recipe: its file, state, versions and run counts",
            None,
            json!({"type": "object", "properties": {"recipe": {"type": "object"}, "versions": {"type": "array"}, "runs": {"type": "object"}}}),
        ),
        ("DELETE", "/api/v1/recipes/{name}") => (
            "Remove a recipe with its trigger, versions and runs",
            None,
            json!({"description": "No content"}),
        ),
        ("GET", "/api/v1/recipes/{name}/diff") => (
            "The diff between two versions (query: from, to)",
            None,
            json!({"type": "object", "properties": {"from": {"type": "integer"}, "to": {"type": "integer"}, "diff": {"type": "string"}}}),
        ),
        ("POST", "/api/v1/recipes/{name}/start") => (
            "Start a recipe: its trigger is set up (the Wrike webhook registered with a secret)",
            None,
            json!({"type": "object"}),
        ),
        ("POST", "/api/v1/recipes/{name}/runs") => (
            "Start a run of a running recipe now, by hand: a scheduled recipe without an event (Operators too), or with a trigger event written by hand (Admins and Analysts; recorded as hand-made on the run and in the trail). A stopped recipe answers 409; one that administers users and seats is for Admins. Answers 201 with the run's id",
            Some(
                json!({"type": "object", "properties": {"event": {"description": "the trigger event"}}, "additionalProperties": false}),
            ),
            json!({"type": "object", "properties": {"run": {"type": "integer"}}}),
        ),
        ("POST", "/api/v1/recipes/{name}/stop") => (
            "Stop a recipe: its trigger is taken down; started runs finish",
            None,
            json!({"type": "object"}),
        ),
        ("GET", "/api/v1/runs") => (
            "Runs, newest first (query: recipe, status, since, until, before, limit)",
            None,
            json!({"type": "object", "properties": {"runs": {"type": "array", "items": run.clone()}, "nextBefore": {"type": ["integer", "null"]}}}),
        ),
        ("GET", "/api/v1/runs/{id}") => (
            "One run with every step attempt (input, output, error, timing)",
            None,
            json!({"type": "object", "properties": {"run": run.clone(), "steps": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("POST", "/api/v1/runs/{id}/rerun") => (
            "Run a failed or cancelled run again from the step it stopped at",
            None,
            run.clone(),
        ),
        ("POST", "/api/v1/runs/{id}/cancel") => (
            "Cancel a run that has not finished (409 once it finished, or when a decision came first)",
            None,
            run.clone(),
        ),
        ("POST", "/api/v1/runs/{id}/approve") => (
            "Approve a run waiting at an approval step (of concurrent decisions and cancels one wins; the others get 409; a recipe that administers users and seats is approved by Admins only)",
            Some(json!({"type": "object", "properties": {"note": {"type": "string"}}})),
            run.clone(),
        ),
        ("POST", "/api/v1/runs/{id}/reject") => (
            "Reject a run waiting at an approval step (its on_error decides what follows)",
            Some(json!({"type": "object", "properties": {"note": {"type": "string"}}})),
            run,
        ),
        ("GET", "/api/v1/usage/summary") => (
            "Every connection at a glance: seat counts, savings, renewal, last sync, the signals used (query: the report parameters)",
            None,
            json!({"type": "array", "items": {"type": "object"}}),
        ),
        ("GET", "/api/v1/usage/users") => (
            "People with their last sign-in, work and activity (query: connection, q, signals, idle, never, role, userType, company, title, timezone, locale, emailDomain, external, admin, owner, active, deleted, paid, kind, sort, desc, limit, offset)",
            None,
            json!({"type": "object", "properties": {"total": {"type": "integer"}, "rows": {"type": "array", "items": {"$ref": "#/components/schemas/UsageUser"}}, "signals": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("GET", "/api/v1/usage/users.csv") => (
            "Every person the query selects, as CSV (cells that would run as spreadsheet formulas are made text)",
            None,
            json!({"type": "string", "contentMediaType": "text/csv"}),
        ),
        ("GET", "/api/v1/usage/inactive") => (
            "Inactive seats: counts by category (idle 30/60/90/N days, never active, deactivated still typed) and what reclaiming the idle ones saves",
            None,
            json!({"type": "object", "properties": {"idleDays": {"type": "integer"}, "counts": {"type": "object"}, "userLimit": {"type": ["integer", "null"]}, "savings": {"type": "object"}, "signals": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("GET", "/api/v1/usage/seats") => (
            "Active seats by user type and role against the seats purchased",
            None,
            json!({"type": "object", "properties": {"accounts": {"type": "array", "items": {"type": "object"}}, "groups": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("GET", "/api/v1/usage/trend") => (
            "Distinct active users per day, week or month (query: period, count, signals and the filter)",
            None,
            json!({"type": "object", "properties": {"period": {"type": "string"}, "dataFromDay": {"type": ["integer", "null"], "description": "the first synced day (days since 1970-01-01)"}, "points": {"type": "array", "items": {"type": "object", "properties": {"startDay": {"type": "integer"}, "endDay": {"type": "integer"}, "activeUsers": {"type": ["integer", "null"], "description": "null: no data for the period (not zero)"}, "coverage": {"enum": ["full", "partial", "noData"]}}}}}}),
        ),
        ("GET", "/api/v1/usage/connections/{id}/users/{user}") => (
            "One person with their audit records of the last 30 days",
            None,
            json!({"type": "object", "properties": {"user": {"$ref": "#/components/schemas/UsageUser"}, "auditLast30Days": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("GET", "/api/v1/usage/connections/{id}/renewal") => (
            "The cost per seat and renewal date entered for a connection",
            None,
            json!({"type": "object", "properties": {"renewal": {"type": ["object", "null"]}}}),
        ),
        ("PUT", "/api/v1/usage/connections/{id}/renewal") => (
            "Enter the cost per seat (a year), per-type costs and the renewal date",
            Some(
                json!({"type": "object", "required": ["seatCost", "currency"], "properties": {"seatCost": {"type": "string", "examples": ["300.00"]}, "currency": {"type": "string", "examples": ["USD"]}, "typeCosts": {"type": "object", "additionalProperties": {"type": "string"}}, "typeSeats": {"type": "object", "description": "seats bought per user type id", "additionalProperties": {"type": "string"}}, "headroomPct": {"type": "string", "description": "0 to 100; empty keeps the current (10 at first)"}, "renewalDate": {"type": "string", "format": "date"}}}),
            ),
            json!({"type": "object"}),
        ),
        ("GET", "/api/v1/usage/connections/{id}/renewal-plan") => (
            "The renewal plan of the account a connection reads: seats bought, held, active, idle and never active per user type, seats held by nobody, the recommended seats, what each action saves, the date with days left, and what changed since the previous sync and over the last month (query: idle)",
            None,
            json!({"type": "object", "properties": {"currency": {"type": ["string", "null"]}, "renewalDate": {"type": ["string", "null"]}, "daysLeft": {"type": ["integer", "null"]}, "idleDays": {"type": "integer"}, "collaborators": {"type": "integer"}, "plan": {"type": "object"}, "changes": {"type": "array", "items": {"type": "object"}}}}),
        ),
        ("GET", "/api/v1/usage/connections/{id}/renewal-plan.csv") => (
            "The renewal plan as CSV: a row per user type, the totals, then each action",
            None,
            json!({"type": "string", "contentMediaType": "text/csv"}),
        ),
        ("POST", "/api/v1/usage/connections/{id}/sync") => (
            "Sync a connection now (a job; one sync per connection runs at a time)",
            None,
            json!({"type": "object", "properties": {"jobId": {"type": "integer"}}}),
        ),
        ("POST", "/api/v1/usage/reclaims") => (
            "Plan a reclaim (dry run): deactivate, or change the type or role of, the users named or selected by a filter",
            Some(
                json!({"type": "object", "required": ["connection", "action"], "properties": {"connection": {"type": "string"}, "action": {"enum": ["deactivate", "set_type", "set_role"]}, "target": {"type": "string"}, "users": {"type": "array", "items": {"type": "string"}}, "filter": {"type": "object", "additionalProperties": {"type": "string"}}}}),
            ),
            json!({"$ref": "#/components/schemas/ReclaimPlan"}),
        ),
        ("GET", "/api/v1/usage/reclaims") => (
            "Past reclaim plans, newest first, with who made, confirmed or cancelled each (query: connection, limit)",
            None,
            json!({"type": "object", "properties": {"plans": {"type": "array", "items": {"$ref": "#/components/schemas/ReclaimPlan"}}}}),
        ),
        ("GET", "/api/v1/usage/reclaims/{id}/csv") => (
            "A reclaim plan's people as CSV, with each result",
            None,
            json!({"type": "string", "contentMediaType": "text/csv"}),
        ),
        ("POST", "/api/v1/usage/reclaims/{id}/exclude") => (
            "Take people out of a plan before it is applied (Admins)",
            Some(
                json!({"type": "object", "required": ["users"], "properties": {"users": {"type": "array", "minItems": 1, "items": {"type": "string"}}}, "additionalProperties": false}),
            ),
            json!({"$ref": "#/components/schemas/ReclaimPlan"}),
        ),
        ("GET", "/api/v1/usage/reclaims/{id}") => (
            "A reclaim plan with each user's result once applied",
            None,
            json!({"$ref": "#/components/schemas/ReclaimPlan"}),
        ),
        ("POST", "/api/v1/usage/reclaims/{id}/apply") => (
            "Apply a planned reclaim once (Admins): one Wrike call per user",
            None,
            json!({"$ref": "#/components/schemas/ReclaimPlan"}),
        ),
        ("POST", "/api/v1/usage/reclaims/{id}/cancel") => (
            "Cancel a reclaim plan that was not applied",
            None,
            json!({"$ref": "#/components/schemas/ReclaimPlan"}),
        ),
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
            "The hub's audit trail, newest first (query: limit, actor (part of who), action (or a family ending in .), since and until (RFC 3339), before (an entry id: the page after it))",
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
    let mut document = json!({
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
    });
    document["components"]["schemas"]["UsageUser"] = usage_user_schema();
    document["components"]["schemas"]["ReclaimPlan"] = reclaim_plan_schema();
    document
}

fn usage_user_schema() -> Value {
    let text = || json!({"type": ["string", "null"]});
    let time = || json!({"type": ["integer", "null"], "description": "Unix seconds"});
    json!({"type": "object", "properties": {
        "connectionId": {"type": "string"}, "id": {"type": "string"}, "kind": {"type": "string"},
        "firstName": {"type": "string"}, "lastName": {"type": "string"}, "email": text(), "companyName": text(),
        "title": text(), "role": text(), "userTypeId": text(), "userType": text(),
        "external": {"type": "boolean"}, "admin": {"type": "boolean"}, "owner": {"type": "boolean"},
        "active": {"type": "boolean"}, "deleted": {"type": "boolean"}, "paid": {"type": "boolean"},
        "timezone": text(), "locale": text(), "lastLoginAt": time(), "lastChangeAt": time(), "lastTaskAt": time(),
        "lastCommentAt": time(), "lastTimelogAt": time(), "lastWorkAt": time(), "lastActivityAt": time()
    }})
}

fn reclaim_plan_schema() -> Value {
    let item = json!({"type": "object", "properties": {
        "userId": {"type": "string"}, "name": {"type": "string"}, "email": {"type": ["string", "null"]},
        "before": {"type": "string"}, "after": {"type": "string"},
        "userTypeId": {"type": ["string", "null"]}, "lastActivityAt": {"type": ["integer", "null"]},
        "result": {"type": ["string", "null"], "enum": ["ok", "failed", "skipped", "excluded", null]}, "message": {"type": ["string", "null"]}
    }});
    json!({"type": "object", "properties": {
        "id": {"type": "string"}, "connectionId": {"type": "string"}, "action": {"type": "string"},
        "target": {"type": ["string", "null"]}, "status": {"type": "string", "enum": ["planned", "applying", "applied", "cancelled"]},
        "createdBy": {"type": "string"}, "createdAt": {"type": "integer"}, "expiresAt": {"type": "integer"},
        "appliedBy": {"type": ["string", "null"]}, "appliedAt": {"type": ["integer", "null"]},
        "cancelledBy": {"type": ["string", "null"]}, "cancelledAt": {"type": ["integer", "null"]},
        "headline": {"type": "string", "description": "the action in words, user types by name"},
        "saving": {"type": ["object", "null"], "description": "what the plan saves a year at the entered costs (negative: costs more); null without costs",
                   "properties": {"currency": {"type": "string"}, "cents": {"type": "integer"}, "people": {"type": "integer"}}},
        "items": {"type": "array", "items": item}
    }})
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
