//! A recipe's own tests: each sample trigger event goes through the recipe's steps, with
//! their actions run on the given connections (in `weft recipes test`, an in-process
//! simulator), and each step's input is compared with what the test expects. Approvals are
//! taken as given, HTTP requests and notifications are not sent (a test may give any step's
//! output instead), and nothing is stored.

use std::collections::HashMap;
use std::fmt::Write;
use weft_core::recipe::ActionKind;

use serde_json::{Map, Value, json};
use similar::TextDiff;
use weft_core::recipe::{OnError, Recipe, RecipeTest};
use weft_store::Connection;

use super::actions::{self, ActionContext};
use super::library::Checked;
use super::prepare::{Prepared, prepare, shown, template_scope};
use crate::Hub;

/// What the tests found, for people.
#[derive(Debug, Default)]
pub struct TestReport {
    pub passed: usize,
    pub failed: usize,
    pub text: String,
}

/// Runs every test of every file. `connections` maps the recipes' connection names to the
/// connections their actions use.
pub async fn run_tests(
    hub: &Hub,
    connections: &HashMap<String, Connection>,
    files: &[Checked],
) -> TestReport {
    let mut report = TestReport::default();
    for file in files {
        if file.recipe.tests.is_empty() {
            let _ = writeln!(report.text, "{}: no tests", file.file);
            continue;
        }
        for test in &file.recipe.tests {
            let connection = connections.get(&file.recipe.connection.value);
            let problems = run_one(hub, connection, &file.recipe, test).await;
            if problems.is_empty() {
                report.passed += 1;
                let _ = writeln!(report.text, "ok     {}: {}", file.file, test.name);
            } else {
                report.failed += 1;
                let _ = writeln!(report.text, "FAILED {}: {}", file.file, test.name);
                for p in problems {
                    for line in p.lines() {
                        let _ = writeln!(report.text, "       {line}");
                    }
                }
            }
        }
    }
    let _ = writeln!(
        report.text,
        "{} passed, {} failed",
        report.passed, report.failed
    );
    report
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// Runs one test; returns what did not match (empty when it passed).
async fn run_one(
    hub: &Hub,
    connection: Option<&Connection>,
    recipe: &Recipe,
    test: &RecipeTest,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut outputs: Map<String, Value> = Map::new();
    let mut ran: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let ctx = ActionContext {
        hub,
        connection,
        recipe: &recipe.name.value,
        privilege: recipe.privilege().0,
        secrets: &[],
    };
    // A test never opens the hub's secrets: each reads as `[secret NAME]`.
    let stand_ins = Value::Object(
        recipe
            .secret_names()
            .iter()
            .map(|name| (name.clone(), Value::String(format!("[secret {name}]"))))
            .collect(),
    );
    let mut index = 0;
    while index < recipe.steps.len() {
        let step = &recipe.steps[index];
        let id = step.id.value.clone();
        let scope = template_scope(
            &test.trigger,
            &outputs,
            &recipe.name.value,
            0,
            0,
            &stand_ins,
        );
        let prepared = prepare(step, &scope, &hub.policy.recipe_limits);
        let (inputs, each) = match prepared {
            Prepared::Skipped => {
                skipped.push(id.clone());
                outputs.insert(id, Value::Null);
                index += 1;
                continue;
            }
            Prepared::Refused(problem) => {
                problems.push(problem);
                break;
            }
            Prepared::Run { inputs, each } => (inputs, each),
        };
        let input = shown(&inputs, each);
        ran.push(id.clone());
        if let Some(expected) = test.expect.get(&id)
            && expected != &input
        {
            let (want, got) = (pretty(expected), pretty(&input));
            let diff = TextDiff::from_lines(want.as_str(), got.as_str())
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            problems.push(format!("{id}: the input differs\n{diff}"));
        }
        let Some(action) = weft_core::recipe::action(&step.action.value) else {
            problems.push(format!("{id}: {} is not an action", step.action.value));
            break;
        };
        let mut output = Vec::new();
        let mut error = None;
        match action.kind {
            ActionKind::ControlStop => break,
            ActionKind::Approval => {
                output.push(json!({"approved": true, "decided_by": "recipe test"}))
            }
            _ if test.outputs.contains_key(&id) => {
                output.extend(inputs.iter().map(|_| test.outputs[&id].clone()));
            }
            // A test never reaches outside the simulator: nothing is posted or sent.
            ActionKind::HttpRequest => output.extend(
                inputs
                    .iter()
                    .map(|_| json!({"status": 200, "body": null, "sent": false})),
            ),
            ActionKind::Notify => output.extend(inputs.iter().map(|_| json!({"sent": false}))),
            _ => {
                for input in &inputs {
                    match actions::execute(&ctx, action, input).await {
                        Ok(v) => output.push(v),
                        Err(e) => {
                            error = Some(e.message);
                            break;
                        }
                    }
                }
            }
        }
        match error {
            None => {
                let value = if each {
                    Value::Array(output)
                } else {
                    output.pop().unwrap_or(Value::Null)
                };
                outputs.insert(id, value);
                index += 1;
            }
            Some(message) => {
                let on_error = step
                    .on_error
                    .as_ref()
                    .map(|o| o.value.clone())
                    .unwrap_or(OnError::Fail);
                outputs.insert(id.clone(), Value::Null);
                let errors = outputs.entry("__errors").or_insert_with(|| json!({}));
                errors[&id] = Value::String(message.clone());
                match on_error {
                    OnError::Fail => {
                        // Only a failure in the way of what the test expects is a problem.
                        let expected_later = recipe.steps[index + 1..]
                            .iter()
                            .any(|s| test.expect.contains_key(&s.id.value));
                        if expected_later {
                            problems.push(format!(
                                "{id}: the action failed and the run stopped: {message}"
                            ));
                        }
                        break;
                    }
                    OnError::Continue => index += 1,
                    OnError::Goto(target) => {
                        index = recipe
                            .steps
                            .iter()
                            .position(|s| s.id.value == target)
                            .unwrap_or(recipe.steps.len());
                    }
                }
            }
        }
    }
    for id in test.expect.keys() {
        if !ran.contains(id) {
            problems.push(format!("{id}: expected to run, but it did not"));
        }
    }
    for id in &test.skipped {
        if !skipped.contains(id) && ran.contains(id) {
            problems.push(format!("{id}: expected to be skipped, but it ran"));
        }
    }
    problems
}
