//! The checks that need the whole recipe: names, step ids and what templates refer to,
//! action inputs, the trigger's settings, the recipe's tests.

use std::collections::BTreeSet;

use serde_saphyr::Spanned;
use wrike_api::models::WebhookEventType;

use super::catalog::action;
use super::model::{HubEvent, OnError, Recipe, Trigger};
use super::node::Node;
use super::problem::Problem;
use crate::schedule::Cadence;

/// Names a template may start with.
const SCOPE_NAMES: &[&str] = &[
    "trigger", "steps", "errors", "item", "recipe", "run", "secrets",
];

fn is_name(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A step id is used as `steps.ID` in templates, so it must be an identifier.
fn is_step_id(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase())
        && text.len() <= 64
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Every problem with a decoded recipe; empty when it is sound.
pub fn check(recipe: &Recipe) -> Vec<Problem> {
    let mut problems = Vec::new();
    if matches!(recipe.name.value.as_str(), "new" | "reference") {
        problems.push(Problem::at(
            &recipe.name,
            "name",
            format!(
                "{:?} names a page of the hub's web UI (/recipes/{}); choose another name",
                recipe.name.value, recipe.name.value
            ),
        ));
    }
    if !is_name(&recipe.name.value, 64) {
        problems.push(Problem::at(
            &recipe.name,
            "name",
            "a recipe name is 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    if recipe.connection.value.trim().is_empty() {
        problems.push(Problem::at(
            &recipe.connection,
            "connection",
            "name the hub connection the recipe uses",
        ));
    }
    check_trigger(&recipe.trigger, &mut problems);

    if recipe.steps.is_empty() {
        problems.push(Problem::at(
            &recipe.name,
            "steps",
            "a recipe needs at least one step",
        ));
    }
    let ids: Vec<&str> = recipe.steps.iter().map(|s| s.id.value.as_str()).collect();
    for (index, step) in recipe.steps.iter().enumerate() {
        let at = format!("steps[{index}]");
        let id = step.id.value.as_str();
        if !is_step_id(id) {
            problems.push(Problem::at(
                &step.id,
                format!("{at}.id"),
                "a step id starts with a lower-case letter and has only lower-case letters, digits and '_' (it is used as steps.ID)",
            ));
        }
        if ids[..index].contains(&id) {
            problems.push(Problem::at(
                &step.id,
                format!("{at}.id"),
                format!("the step id {id:?} is used twice"),
            ));
        }
        let earlier: BTreeSet<&str> = ids[..index].iter().copied().collect();

        match action(&step.action.value) {
            None => problems.push(Problem::at(
                &step.action,
                format!("{at}.action"),
                format!(
                    "unknown action {:?}; the catalog has {}",
                    step.action.value,
                    super::catalog::CATALOG
                        .iter()
                        .map(|a| a.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Some(action) => {
                let given: Vec<&str> = step
                    .input
                    .as_ref()
                    .map(|i| i.value.keys().collect())
                    .unwrap_or_default();
                if let Some(input) = &step.input
                    && !matches!(input.value, Node::Map(_))
                {
                    problems.push(Problem::at(
                        input,
                        format!("{at}.input"),
                        "the input is a map of the action's inputs",
                    ));
                }
                for name in &given {
                    if !action.accepts(name) {
                        let place = step
                            .input
                            .as_ref()
                            .and_then(|i| i.value.get(name))
                            .expect("a given key");
                        problems.push(Problem::at(
                            place,
                            format!("{at}.input.{name}"),
                            format!(
                                "{} has no input {name:?}; it takes {}",
                                action.name,
                                action
                                    .inputs
                                    .iter()
                                    .map(|i| i.name)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
                for needed in action.inputs.iter().filter(|i| i.required) {
                    if !given.contains(&needed.name) {
                        let place = step
                            .input
                            .as_ref()
                            .map(|i| (i.referenced.line(), i.referenced.column()));
                        let (line, column) = place.unwrap_or((
                            step.action.referenced.line(),
                            step.action.referenced.column(),
                        ));
                        problems.push(Problem {
                            line,
                            column,
                            field: format!("{at}.input.{}", needed.name),
                            message: format!(
                                "{} needs the input {:?} ({})",
                                action.name, needed.name, needed.help
                            ),
                        });
                    }
                }
                if action.kind == super::ActionKind::CreateComment
                    && !given.contains(&"task")
                    && !given.contains(&"folder")
                {
                    problems.push(Problem::at(
                        &step.action,
                        format!("{at}.input"),
                        "wrike.create_comment needs a task or a folder",
                    ));
                }
            }
        }

        let has_item = step.for_each.is_some();
        let mut templates: Vec<(String, &Spanned<Node>)> = Vec::new();
        if let Some(input) = &step.input {
            templates.extend(
                input
                    .value
                    .templates()
                    .into_iter()
                    .map(|(p, n)| (format!("{at}.input.{p}"), n)),
            );
        }
        if let Some(when) = &step.when {
            templates.push((format!("{at}.when"), when));
        }
        for (field, node) in templates {
            check_names(node, &field, &earlier, has_item, &mut problems);
        }
        if let Some(list) = &step.for_each {
            check_names(
                list,
                &format!("{at}.for_each"),
                &earlier,
                false,
                &mut problems,
            );
        }
        if let Some(retry) = &step.retry
            && !(1..=20).contains(&retry.attempts)
        {
            problems.push(Problem::at(
                &step.id,
                format!("{at}.retry.attempts"),
                "attempts is 1 to 20",
            ));
        }
        if let Some(on_error) = &step.on_error
            && let OnError::Goto(target) = &on_error.value
            && !ids[index + 1..].contains(&target.as_str())
        {
            problems.push(Problem::at(
                on_error,
                format!("{at}.on_error.goto"),
                format!("{target:?} is not a later step of this recipe"),
            ));
        }
    }

    for (i, test) in recipe.tests.iter().enumerate() {
        for id in test
            .expect
            .keys()
            .chain(test.skipped.iter())
            .chain(test.outputs.keys())
        {
            if !ids.contains(&id.as_str()) {
                problems.push(Problem {
                    line: recipe.name.referenced.line(),
                    column: recipe.name.referenced.column(),
                    field: format!("tests[{i}]"),
                    message: format!(
                        "test {:?} names the step {id:?}, which the recipe does not have",
                        test.name
                    ),
                });
            }
        }
    }
    problems
}

/// A template may read the trigger, earlier steps, `item` inside a `for_each`, the recipe
/// and the run; anything else would be undefined when it runs.
fn check_names(
    node: &Spanned<Node>,
    field: &str,
    earlier: &BTreeSet<&str>,
    has_item: bool,
    problems: &mut Vec<Problem>,
) {
    let Node::Template(template) = &node.value else {
        // `when` and `for_each` may be literals; nested templates are listed by the caller.
        for (path, inner) in node.value.templates() {
            check_names(
                inner,
                &format!("{field}.{path}"),
                earlier,
                has_item,
                problems,
            );
        }
        return;
    };
    for unknown in template.unknown_functions() {
        problems.push(Problem::at(node, field, unknown));
    }
    for name in template.names() {
        let mut parts = name.splitn(2, '.');
        let head = parts.next().unwrap_or_default();
        let rest = parts.next();
        let message =
            if !SCOPE_NAMES.contains(&head) {
                Some(format!(
                    "{head:?} is not defined; templates can read {}",
                    SCOPE_NAMES.join(", ")
                ))
            } else if head == "item" && !has_item {
                Some("item is only defined in a step with for_each".to_owned())
            } else if head == "secrets" && !rest.is_some_and(is_secret_name) {
                Some(
                    "secrets are read one at a time by name: secrets.NAME (letters, digits and _)"
                        .to_owned(),
                )
            } else if head == "steps" {
                rest.map(|r| r.split('.').next().unwrap_or(r))
                .filter(|step| !earlier.contains(step))
                .map(|step| {
                format!("steps.{step} is not an earlier step (a step can read the steps before it)")
            })
            } else {
                None
            };
        if let Some(message) = message {
            problems.push(Problem::at(node, field, message));
        }
    }
}

/// A recipe secret's name: 1 to 64 letters, digits and `_`.
pub fn is_secret_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn check_trigger(trigger: &Spanned<Trigger>, problems: &mut Vec<Problem>) {
    match &trigger.value {
        Trigger::Wrike(hook) => {
            if hook.folder.is_some() && hook.space.is_some() {
                problems.push(Problem::at(
                    trigger,
                    "trigger.wrike",
                    "give a folder or a space, not both",
                ));
            }
            if hook.recursive && hook.folder.is_none() {
                problems.push(Problem::at(
                    trigger,
                    "trigger.wrike.recursive",
                    "recursive applies to a folder hook",
                ));
            }
            for event in &hook.events {
                if !WebhookEventType::from(event.as_str()).is_known() {
                    problems.push(Problem::at(
                        trigger,
                        "trigger.wrike.events",
                        format!(
                            "unknown Wrike event {event:?}; known events: {}",
                            WebhookEventType::KNOWN
                                .iter()
                                .map(|e| e.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        Trigger::Poll(poll) => {
            if poll.every_seconds < 30 {
                problems.push(Problem::at(
                    trigger,
                    "trigger.poll.every_seconds",
                    "poll at most every 30 seconds",
                ));
            }
        }
        Trigger::Schedule(schedule) => {
            let zone = schedule.timezone.as_deref().unwrap_or("UTC");
            if let Err(e) = Cadence::cron(&schedule.cron, zone) {
                problems.push(Problem::at(trigger, "trigger.schedule", e));
            }
        }
        Trigger::Hub(hub) => match (hub.event, hub.days) {
            (HubEvent::UserInactive, Some(days)) if !(1..=3650).contains(&days) => {
                problems.push(Problem::at(
                    trigger,
                    "trigger.hub.days",
                    "days must be from 1 to 3650",
                ));
            }
            (HubEvent::UserInactive, _) | (_, None) => {}
            (other, Some(_)) => problems.push(Problem::at(
                trigger,
                "trigger.hub.days",
                format!(
                    "days applies to user_inactive only, not to {}",
                    other.as_str()
                ),
            )),
        },
        Trigger::Http(_) => {}
    }
}
