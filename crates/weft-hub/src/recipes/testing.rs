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

/// How a walk through a recipe treats its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A recipe test: actions run on the given connection (an in-process simulator);
    /// nothing leaves for another system.
    Test,
    /// A try from the editor on the recipe's real connection: only actions that read run;
    /// anything that would change Wrike or reach another system is shown, not done.
    Try,
}

/// What became of one step in a walk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ran,
    /// Its `when` did not hold.
    Skipped,
    /// It would change Wrike or reach another system, so a try did not do it.
    NotRun,
    Failed,
}

/// One step of a walk: what it was given and what came of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Walked {
    pub id: String,
    pub action: String,
    pub outcome: Outcome,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
}

/// Takes `trigger` through the recipe's steps as `mode` says, each step's output taken from
/// `given` when it has one. Stops where a run would: a failure without `on_error`, a stop,
/// an input the bounds refuse (its message in the last step's error).
pub async fn walk(
    hub: &Hub,
    connection: Option<&Connection>,
    recipe: &Recipe,
    trigger: &Value,
    given: &std::collections::BTreeMap<String, Value>,
    mode: Mode,
) -> Vec<Walked> {
    let mut walked = Vec::new();
    let mut outputs: Map<String, Value> = Map::new();
    let ctx = ActionContext {
        hub,
        connection,
        recipe: &recipe.name.value,
        privilege: recipe.privilege().0,
        secrets: &[],
    };
    // A walk never opens the hub's secrets: each reads as `[secret NAME]`.
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
        let mut record = Walked {
            id: id.clone(),
            action: step.action.value.clone(),
            outcome: Outcome::Ran,
            input: None,
            output: None,
            error: None,
        };
        let scope = template_scope(trigger, &outputs, &recipe.name.value, 0, 0, &stand_ins);
        let (inputs, each) = match prepare(step, &scope, &hub.policy.recipe_limits) {
            Prepared::Skipped => {
                record.outcome = Outcome::Skipped;
                walked.push(record);
                outputs.insert(id, Value::Null);
                index += 1;
                continue;
            }
            Prepared::Refused(problem) => {
                record.outcome = Outcome::Failed;
                record.error = Some(problem);
                walked.push(record);
                break;
            }
            Prepared::Run { inputs, each } => (inputs, each),
        };
        record.input = Some(shown(&inputs, each));
        let Some(action) = weft_core::recipe::action(&step.action.value) else {
            record.outcome = Outcome::Failed;
            record.error = Some(format!("{} is not an action", step.action.value));
            walked.push(record);
            break;
        };
        let reads_only = action.privilege == weft_core::recipe::Privilege::Read
            && !matches!(action.kind, ActionKind::WrikeRequest);
        let raw_read = action.kind == ActionKind::WrikeRequest
            && inputs.iter().all(|i| {
                i.get("method")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case("GET"))
            });
        let mut output = Vec::new();
        let mut error = None;
        match action.kind {
            ActionKind::ControlStop => {
                walked.push(record);
                break;
            }
            ActionKind::Approval => output.push(
                json!({"approved": true, "decided_by": "not asked (a walk through the recipe)"}),
            ),
            _ if given.contains_key(&id) => {
                output.extend(inputs.iter().map(|_| given[&id].clone()));
            }
            // Nothing is posted or sent from a test or a try.
            ActionKind::HttpRequest if mode == Mode::Test => output.extend(
                inputs
                    .iter()
                    .map(|_| json!({"status": 200, "body": null, "sent": false})),
            ),
            ActionKind::Notify if mode == Mode::Test => {
                output.extend(inputs.iter().map(|_| json!({"sent": false})))
            }
            _ if mode == Mode::Try && !(reads_only || raw_read) => {
                record.outcome = Outcome::NotRun;
            }
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
        if record.outcome == Outcome::NotRun {
            walked.push(record);
            outputs.insert(id, Value::Null);
            index += 1;
            continue;
        }
        match error {
            None => {
                let value = if each {
                    Value::Array(output)
                } else {
                    output.pop().unwrap_or(Value::Null)
                };
                record.output = Some(value.clone());
                walked.push(record);
                outputs.insert(id, value);
                index += 1;
            }
            Some(message) => {
                record.outcome = Outcome::Failed;
                record.error = Some(message.clone());
                walked.push(record);
                outputs.insert(id.clone(), Value::Null);
                let errors = outputs.entry("__errors").or_insert_with(|| json!({}));
                errors[&id] = Value::String(message);
                match step
                    .on_error
                    .as_ref()
                    .map(|o| o.value.clone())
                    .unwrap_or(OnError::Fail)
                {
                    OnError::Fail => break,
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
    walked
}

/// Takes a sample `event` through a checked recipe on its real connection, for the editor:
/// steps that only read run (so later steps see real data); anything that would change
/// Wrike or reach another system is shown with its input, not done. Nothing is stored.
pub async fn try_event(
    hub: &Hub,
    checked: &Checked,
    event: &serde_json::Value,
) -> crate::error::HubResult<Vec<Walked>> {
    let connection = crate::connections::find(hub, &checked.recipe.connection.value).await?;
    Ok(walk(
        hub,
        Some(&connection),
        &checked.recipe,
        event,
        &std::collections::BTreeMap::new(),
        Mode::Try,
    )
    .await)
}

/// Runs one test; returns what did not match (empty when it passed).
async fn run_one(
    hub: &Hub,
    connection: Option<&Connection>,
    recipe: &Recipe,
    test: &RecipeTest,
) -> Vec<String> {
    let walked = walk(
        hub,
        connection,
        recipe,
        &test.trigger,
        &test.outputs.clone().into_iter().collect(),
        Mode::Test,
    )
    .await;
    let mut problems = Vec::new();
    for step in &walked {
        if let (Some(expected), Some(input)) = (test.expect.get(&step.id), &step.input)
            && expected != input
        {
            let (want, got) = (pretty(expected), pretty(input));
            let diff = TextDiff::from_lines(want.as_str(), got.as_str())
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            problems.push(format!("{}: the input differs\n{diff}", step.id));
        }
    }
    let ran = |id: &str| {
        walked
            .iter()
            .any(|w| w.id == id && w.outcome != Outcome::Skipped && w.input.is_some())
    };
    // Only a failure in the way of what the test expects is a problem.
    if let Some(last) = walked.last()
        && last.outcome == Outcome::Failed
    {
        let position = recipe
            .steps
            .iter()
            .position(|s| s.id.value == last.id)
            .unwrap_or(0);
        let stopped_here = last.input.is_none()
            || recipe.steps[position]
                .on_error
                .as_ref()
                .is_none_or(|o| o.value == OnError::Fail);
        let expected_later = recipe.steps[position + 1..]
            .iter()
            .any(|s| test.expect.contains_key(&s.id.value));
        if stopped_here && (expected_later || last.input.is_none()) {
            let message = last.error.clone().unwrap_or_default();
            problems.push(if last.input.is_none() {
                message
            } else {
                format!(
                    "{}: the action failed and the run stopped: {message}",
                    last.id
                )
            });
        }
    }
    for id in test.expect.keys() {
        if !ran(id) {
            problems.push(format!("{id}: expected to run, but it did not"));
        }
    }
    for id in &test.skipped {
        if ran(id) {
            problems.push(format!("{id}: expected to be skipped, but it ran"));
        }
    }
    problems
}
