//! The API against its own document: every operation the document describes is called on a
//! running hub (with the simulator behind it) with a valid request built from the document,
//! then with invalid ones generated from it: each parameter given the wrong type or out of
//! range, an unknown parameter, a body that is not JSON, not declared as JSON, missing a
//! required field, with an unknown field, or with a field of the wrong type. Every answer's
//! status must be one the document lists for the operation, and its body must match the
//! schema the document gives for that status. A mismatch fails the test, naming it.

mod common;

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Map, Value, json};

/// One call and what came back.
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

struct Contract {
    doc: Value,
    mismatches: Vec<String>,
    calls: usize,
    successes: BTreeMap<String, u16>,
}

impl Contract {
    /// The schema of `schema` resolvable on its own: the document's components beside it.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let mut root = json!({"allOf": [schema]});
        root["components"] = self.doc["components"].clone();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .expect("the document's schemas compile")
    }

    /// Checks an answer against the operation: a listed status, and a body of its schema.
    fn check(&mut self, what: &str, operation: &Value, answer: &Answer) {
        self.calls += 1;
        let status = answer.status.to_string();
        let Some(response) = operation["responses"].get(&status) else {
            self.mismatches.push(format!(
                "{what}: answered {status}, which the document does not list: {}",
                answer.body.chars().take(300).collect::<String>()
            ));
            return;
        };
        let Some(content) = response["content"].as_object() else {
            if !answer.body.is_empty() {
                self.mismatches.push(format!(
                    "{what}: {status} has a body the document does not describe"
                ));
            }
            return;
        };
        let media = answer
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let Some(described) = content.get(&media) else {
            self.mismatches.push(format!(
                "{what}: {status} answered {media:?}; the document lists {:?}",
                content.keys().collect::<Vec<_>>()
            ));
            return;
        };
        if media != "application/json" {
            return;
        }
        let body: Value = match serde_json::from_str(&answer.body) {
            Ok(v) => v,
            Err(e) => {
                self.mismatches
                    .push(format!("{what}: {status} body is not JSON ({e})"));
                return;
            }
        };
        let validator = self.validator(&described["schema"]);
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .take(3)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            self.mismatches.push(format!(
                "{what}: {status} body does not match its schema: {}",
                errors.join("; ")
            ));
        }
    }
}

/// A value the schema accepts (`root` resolves references).
fn valid_value(schema: &Value, root: &Value, name: &str) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = reference.trim_start_matches("#/components/schemas/");
        return valid_value(&root["components"]["schemas"][target], root, name);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let first = options
            .iter()
            .find(|o| o["type"] != "null")
            .unwrap_or(&options[0]);
        return valid_value(first, root, name);
    }
    if let Some(example) = schema.get("example").or(schema["examples"].get(0)) {
        return example.clone();
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    // A choice written as a pattern, `^(a|b|c)$`: its first alternative.
    if let Some(first) = schema["pattern"]
        .as_str()
        .and_then(|p| p.strip_prefix("^("))
        .and_then(|p| p.split(['|', ')']).next())
    {
        return json!(first);
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("integer") | Some("number") => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        Some("boolean") => json!(false),
        Some("array") => {
            let min = schema["minItems"].as_u64().unwrap_or(0).max(1);
            Value::Array(
                (0..min)
                    .map(|_| valid_value(&schema["items"], root, name))
                    .collect(),
            )
        }
        Some("object") => {
            let mut object = Map::new();
            for required in schema["required"].as_array().into_iter().flatten() {
                let field = required.as_str().unwrap();
                object.insert(
                    field.to_owned(),
                    valid_value(&schema["properties"][field], root, field),
                );
            }
            Value::Object(object)
        }
        Some("string") => {
            let min = schema["minLength"].as_u64().unwrap_or(1) as usize;
            let text = format!("contract-{name}");
            json!(format!(
                "{text}{}",
                "x".repeat(min.saturating_sub(text.len()))
            ))
        }
        _ => json!({}),
    }
}

/// A value of the wrong type for the schema.
fn wrong_value(schema: &Value, root: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let target = reference.trim_start_matches("#/components/schemas/");
        return wrong_value(&root["components"]["schemas"][target], root);
    }
    match schema["type"]
        .as_str()
        .or_else(|| schema["type"][0].as_str())
    {
        Some("string") => json!(12345),
        Some("integer") | Some("number") | Some("boolean") => json!("not-a-value"),
        Some("array") | Some("object") => json!(true),
        _ => json!([[]]),
    }
}

/// The object schema of a request body, resolved.
fn body_schema<'a>(operation: &'a Value, root: &'a Value) -> Option<&'a Value> {
    let schema = operation["requestBody"]["content"]["application/json"].get("schema")?;
    let schema = match schema["oneOf"].as_array() {
        Some(options) => options.iter().find(|o| o["type"] != "null")?,
        None => schema,
    };
    match schema["$ref"].as_str() {
        Some(reference) => {
            let target = reference.trim_start_matches("#/components/schemas/");
            Some(&root["components"]["schemas"][target])
        }
        None => Some(schema),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_operation_answers_as_its_document_says_to_valid_and_invalid_input() {
    let w = common::world::world(common::store("contract").await).await;
    let admin = w.token("admin").to_owned();
    let http = &w.http;
    let call = |method: Method, path: String, body: Option<(String, &'static str)>| {
        let admin = admin.clone();
        let url = format!("{}{path}", w.url);
        async move {
            let mut request = http.request(method, url).bearer_auth(admin);
            if let Some((body, content_type)) = body {
                request = request.header("content-type", content_type).body(body);
            }
            let response = request.send().await.expect("the hub answers");
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response.text().await.unwrap_or_default();
            Answer {
                status,
                content_type,
                body,
            }
        }
    };

    // Something for every kind of path parameter to name: people synced, a recipe with
    // runs, a job, a reclaim plan, a secret, a token.
    let connection = w.hub.store.connections().list().await.unwrap()[0].clone();
    let (status, job) = w
        .api(
            "admin",
            Method::POST,
            &format!("/api/v1/usage/connections/{}/sync", connection.id),
            None,
        )
        .await;
    assert_eq!(status, 202, "{job}");
    let job_id = job["jobId"].as_str().unwrap().to_owned();
    // "The connection's id or name", as the document says: the name names it too.
    let by = |key: &str| format!("/api/v1/usage/connections/{key}/savings");
    let (status, by_id) = w.api("admin", Method::GET, &by(&connection.id), None).await;
    assert_eq!(status, 200, "{by_id}");
    let (status, by_name) = w
        .api("admin", Method::GET, &by(&connection.name), None)
        .await;
    assert_eq!(status, 200, "{by_name}");
    assert_eq!(by_name, by_id);
    let mut people = Value::Null;
    for _ in 0..200 {
        let (_, page) = w
            .api("admin", Method::GET, "/api/v1/usage/users", None)
            .await;
        if page["total"].as_i64().unwrap_or(0) > 1 {
            people = page;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let person = people["items"][1]["id"]
        .as_str()
        .expect("people synced")
        .to_owned();
    let source = std::fs::read_to_string(format!(
        "{}/../../examples/recipes/weekly-idle-review.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    w.apply_and_start(&source, "weekly-idle-review").await;
    let (status, started) = w
        .api(
            "admin",
            Method::POST,
            "/api/v1/recipes/weekly-idle-review/runs",
            None,
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let run_id = started["runId"].as_str().unwrap().to_owned();
    let (status, plan) = w
        .api(
            "admin",
            Method::POST,
            "/api/v1/usage/reclaims",
            Some(json!({"connection": connection.id, "action": "deactivate", "users": [person]})),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let plan_id = plan["id"].as_str().unwrap().to_owned();
    let (status, token) = w
        .api(
            "operator",
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "contract"})),
        )
        .await;
    assert_eq!(status, 201, "{token}");
    let token_id = token["id"].as_str().unwrap().to_owned();
    let fixture = |path: &str, name: &str| -> String {
        match (name, path) {
            ("id", p) if p.starts_with("/api/v1/jobs/") => job_id.clone(),
            ("id", p) if p.starts_with("/api/v1/runs/") => run_id.clone(),
            ("id", p) if p.starts_with("/api/v1/usage/reclaims/") => plan_id.clone(),
            ("id", p) if p.starts_with("/api/v1/users/") => "operator".into(),
            ("id", p) if p.starts_with("/api/v1/tokens/") => token_id.clone(),
            ("id", _) => connection.id.clone(),
            ("user", _) => person.clone(),
            ("name", p) if p.starts_with("/api/v1/secrets/") => "CONTRACT_SECRET".into(),
            ("name", _) => "weekly-idle-review".into(),
            ("version", _) => "1".into(),
            (_, _) => "no-such-hook".into(),
        }
    };

    let (_, doc) = w
        .api("admin", Method::GET, "/api/v1/openapi.json", None)
        .await;
    let mut contract = Contract {
        doc: doc.clone(),
        mismatches: Vec::new(),
        calls: 0,
        successes: BTreeMap::new(),
    };
    let mut operations: Vec<(String, String, Value)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    // What removes or changes the fixtures goes last.
    let weight = |method: &str, path: &str| match method {
        "DELETE" => 3,
        _ if path.ends_with("/apply") || path.ends_with("/sign-out-everywhere") => 2,
        _ => 1,
    };
    operations.sort_by_key(|(m, p, _)| (weight(m, p), p.clone(), m.clone()));
    assert!(operations.len() >= 60, "the document describes the API");

    for (method_name, path, operation) in &operations {
        let method = Method::from_bytes(method_name.as_bytes()).unwrap();
        let parameters: Vec<Value> = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut concrete = path.clone();
        for p in parameters.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap();
            concrete = concrete.replace(&format!("{{{name}}}"), &fixture(path, name));
        }
        let required_query: Vec<(String, String)> = parameters
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| {
                let name = p["name"].as_str().unwrap().to_owned();
                let value = match valid_value(&p["schema"], &doc, &name) {
                    Value::String(s) if name == "features" => {
                        let _ = s;
                        "usage_analytics".to_owned()
                    }
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (name, value)
            })
            .collect();
        let query_of = |pairs: &[(String, String)]| -> String {
            if pairs.is_empty() {
                String::new()
            } else {
                format!(
                    "?{}",
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(pairs)
                        .finish()
                )
            }
        };
        let body = body_schema(operation, &doc).map(|s| valid_value(s, &doc, "body"));
        let valid_body = body.as_ref().map(|b| (b.to_string(), "application/json"));
        let what = format!("{method_name} {path}");

        // The valid request.
        let answer = call(
            method.clone(),
            format!("{concrete}{}", query_of(&required_query)),
            valid_body.clone(),
        )
        .await;
        if answer.status < 300 {
            contract.successes.insert(what.clone(), answer.status);
        }
        // The hub may refuse a valid request for what it means (a wrong password, a recipe
        // that does not parse, a plan already cancelled), never for its shape.
        if answer.status == 400 || answer.status == 415 || answer.status == 422 {
            let said = serde_json::from_str::<Value>(&answer.body)
                .ok()
                .and_then(|b| b["error"].as_str().map(str::to_owned))
                .unwrap_or_default();
            if [
                "Failed to",
                "Invalid URL",
                "Expected request",
                "unknown parameter",
            ]
            .iter()
            .any(|p| said.starts_with(p))
            {
                contract.mismatches.push(format!(
                    "{what}: a request valid by the document was refused for its shape: {said}"
                ));
            }
        }
        contract.check(&format!("{what} (valid)"), operation, &answer);

        // Each query parameter given a value of the wrong type or out of range.
        for p in parameters.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            let schema = &p["schema"];
            let kind = schema["type"]
                .as_str()
                .or_else(|| schema["type"][0].as_str());
            let mut bad: Vec<String> = Vec::new();
            match kind {
                Some("integer") => {
                    bad.push("twelve".into());
                    if let Some(max) = schema["maximum"].as_i64() {
                        bad.push((max + 1).to_string());
                    }
                    if let Some(min) = schema["minimum"].as_i64() {
                        bad.push((min - 1).to_string());
                    }
                }
                Some("boolean") => bad.push("perhaps".into()),
                _ => {}
            }
            // A choice (an enum, by reference or inline, or a pattern) given something else.
            let text = schema.to_string();
            if text.contains("$ref") || text.contains("\"enum\"") || text.contains("\"pattern\"") {
                bad.push("no-such-choice".into());
            }
            for value in bad {
                let mut pairs = required_query.clone();
                pairs.retain(|(n, _)| n != name);
                pairs.push((name.to_owned(), value.clone()));
                let answer = call(
                    method.clone(),
                    format!("{concrete}{}", query_of(&pairs)),
                    valid_body.clone(),
                )
                .await;
                let label = format!("{what} with {name}={value}");
                if answer.status != 400 {
                    contract
                        .mismatches
                        .push(format!("{label}: answered {}, not 400", answer.status));
                }
                contract.check(&label, operation, &answer);
            }
        }
        // An unknown query parameter.
        if path.starts_with("/api/") {
            let mut pairs = required_query.clone();
            pairs.push(("noSuchParameter".into(), "1".into()));
            let answer = call(
                method.clone(),
                format!("{concrete}{}", query_of(&pairs)),
                valid_body.clone(),
            )
            .await;
            let label = format!("{what} with an unknown parameter");
            if answer.status != 400 {
                contract
                    .mismatches
                    .push(format!("{label}: answered {}, not 400", answer.status));
            }
            contract.check(&label, operation, &answer);
        }
        // An integer path parameter that is not one.
        for p in parameters.iter().filter(|p| p["in"] == "path") {
            if p["schema"]["type"] == "integer" {
                let name = p["name"].as_str().unwrap();
                let bad = path.replace(&format!("{{{name}}}"), "eleven");
                let answer = call(method.clone(), bad, valid_body.clone()).await;
                let label = format!("{what} with {name}=eleven");
                if answer.status != 400 {
                    contract
                        .mismatches
                        .push(format!("{label}: answered {}, not 400", answer.status));
                }
                contract.check(&label, operation, &answer);
            }
        }
        // Bodies: not JSON, not declared JSON, missing each required field, an unknown
        // field, each field of the wrong type.
        if let (Some(schema), Some(Value::Object(good))) = (body_schema(operation, &doc), &body) {
            if !path.starts_with("/api/") {
                continue;
            }
            let mut bad: Vec<(String, String, &'static str, u16)> = vec![
                (
                    "a body that is not JSON".into(),
                    "this is not JSON".into(),
                    "application/json",
                    400,
                ),
                (
                    "a body not declared JSON".into(),
                    Value::Object(good.clone()).to_string(),
                    "text/plain",
                    415,
                ),
            ];
            for required in schema["required"].as_array().into_iter().flatten() {
                let field = required.as_str().unwrap();
                let mut without = good.clone();
                without.remove(field);
                bad.push((
                    format!("a body without {field}"),
                    Value::Object(without).to_string(),
                    "application/json",
                    422,
                ));
            }
            let mut extra = good.clone();
            extra.insert("noSuchField".into(), json!(1));
            if schema["additionalProperties"] == false {
                bad.push((
                    "a body with an unknown field".into(),
                    Value::Object(extra).to_string(),
                    "application/json",
                    422,
                ));
            }
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                let typed = ["type", "$ref", "oneOf", "enum"]
                    .iter()
                    .any(|k| property.get(*k).is_some());
                if !typed {
                    continue; // any JSON value
                }
                let mut wrong = good.clone();
                wrong.insert(field.clone(), wrong_value(property, &doc));
                bad.push((
                    format!("a body with {field} of the wrong type"),
                    Value::Object(wrong).to_string(),
                    "application/json",
                    422,
                ));
            }
            for (label, text, content_type, expected) in bad {
                let answer = call(
                    method.clone(),
                    format!("{concrete}{}", query_of(&required_query)),
                    Some((text, content_type)),
                )
                .await;
                let label = format!("{what} with {label}");
                // A value of the wrong type is a syntax error to serde for some types (an
                // enum given a number) and a data error for others: 400 or 422.
                let acceptable = answer.status == expected
                    || (expected == 422 && answer.status == 400 && label.contains("wrong type"));
                if !acceptable {
                    contract.mismatches.push(format!(
                        "{label}: answered {}, not {expected}: {}",
                        answer.status,
                        answer.body.chars().take(200).collect::<String>()
                    ));
                }
                contract.check(&label, operation, &answer);
            }
        }
    }

    assert!(
        contract.mismatches.is_empty(),
        "{} of {} calls disagree with the document:\n{}",
        contract.mismatches.len(),
        contract.calls,
        contract.mismatches.join("\n")
    );
    // The valid requests must mostly succeed, or the test proves little: every list and
    // report, and the actions on the fixtures.
    for must in [
        "GET /api/v1/connections",
        "GET /api/v1/jobs",
        "GET /api/v1/jobs/{id}",
        "GET /api/v1/runs",
        "GET /api/v1/runs/{id}",
        "GET /api/v1/recipes",
        "GET /api/v1/recipes/{name}",
        "GET /api/v1/usage/summary",
        "GET /api/v1/usage/users",
        "GET /api/v1/usage/users.csv",
        "GET /api/v1/usage/inactive",
        "GET /api/v1/usage/seats",
        "GET /api/v1/usage/trend",
        "GET /api/v1/usage/connections/{id}/users/{user}",
        "GET /api/v1/usage/connections/{id}/renewal-plan",
        "GET /api/v1/usage/reclaims",
        "GET /api/v1/usage/reclaims/{id}",
        "GET /api/v1/audit-trail",
        "GET /api/v1/users",
        "GET /api/v1/tokens",
        "GET /api/v1/secrets",
        "PUT /api/v1/secrets/{name}",
        "DELETE /api/v1/users/{id}",
    ] {
        assert!(
            contract.successes.contains_key(must),
            "{must} did not succeed with a valid request; succeeded: {:?}",
            contract.successes.keys().collect::<Vec<_>>()
        );
    }
    assert!(contract.calls > 300, "{} calls", contract.calls);
}
