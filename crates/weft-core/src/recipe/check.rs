//! The checks that need the whole recipe: names, step ids and what templates refer to,
//! action inputs, the trigger's settings, the recipe's tests.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;
use wrike_api::models::WebhookEventType;

use super::catalog::action;
use super::model::{HubEvent, OnError, PollObject, Recipe, Step, Trigger};
use super::node::Node;
use super::problem::Problem;
use super::shape::Shape;
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
    if matches!(
        recipe.name.value.as_str(),
        "new" | "reference" | "check" | "plan" | "apply" | "try"
    ) {
        problems.push(Problem::at(
            &recipe.name,
            "name",
            format!(
                "{:?} names a page of the hub's web UI or an operation of its API (/recipes/{}); choose another name",
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
    if let Some(limit) = &recipe.concurrency
        && !(1..=100).contains(&limit.value)
    {
        problems.push(Problem::at(
            limit,
            "concurrency",
            "concurrency is how many runs may go at once: 1 to 100",
        ));
    }

    if recipe.steps.is_empty() {
        problems.push(Problem::at(
            &recipe.name,
            "steps",
            "a recipe needs at least one step",
        ));
    }
    let ids: Vec<&str> = recipe.steps.iter().map(|s| s.id.value.as_str()).collect();
    let mut known = Known {
        earlier: BTreeSet::new(),
        steps: BTreeMap::new(),
        trigger: trigger_shape(&recipe.trigger.value),
        item: None,
    };
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
        known.earlier = ids[..index].iter().map(|s| (*s).to_owned()).collect();
        known.item = step.for_each.as_ref().map(|list| item_shape(list, &known));

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
            check_names(node, &field, &known, &mut problems);
        }
        if let Some(list) = &step.for_each {
            let outside = Known {
                item: None,
                ..known.clone()
            };
            check_names(list, &format!("{at}.for_each"), &outside, &mut problems);
        }
        known.steps.insert(id.to_owned(), step_shape(step));
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

/// What templates of a step may read, and the shapes known for it.
#[derive(Clone)]
struct Known {
    /// The steps before this one.
    earlier: BTreeSet<String>,
    /// What each earlier step gave.
    steps: BTreeMap<String, Shape>,
    trigger: Shape,
    /// In a step with `for_each`, what each item is.
    item: Option<Shape>,
}

impl Known {
    /// The shape a dotted name starts from, and the rest of its path: `steps.task.title`
    /// is `title` in what the step `task` gave.
    fn resolve<'a>(&self, name: &'a str) -> Option<(String, Shape, Vec<&'a str>)> {
        let parts: Vec<&str> = name.split('.').collect();
        match parts.as_slice() {
            ["trigger", rest @ ..] => Some(("trigger".into(), self.trigger.clone(), rest.to_vec())),
            ["item", rest @ ..] => self
                .item
                .clone()
                .map(|shape| ("item".into(), shape, rest.to_vec())),
            ["steps", step, rest @ ..] => self
                .steps
                .get(*step)
                .map(|shape| (format!("steps.{step}"), shape.clone(), rest.to_vec())),
            _ => None,
        }
    }
}

/// What a step gives the steps after it: its action's output (for `map`, the names it
/// computes), a list of them under `for_each`.
fn step_shape(step: &Step) -> Shape {
    let Some(action) = action(&step.action.value) else {
        return Shape::Any;
    };
    let one = if action.kind == super::ActionKind::Map {
        match step.input.as_ref().map(|i| &i.value) {
            Some(Node::Map(_)) => Shape::fields(
                &step
                    .input
                    .as_ref()
                    .map(|i| i.value.keys().collect::<Vec<_>>())
                    .unwrap_or_default(),
            ),
            _ => Shape::Any,
        }
    } else {
        action.output_shape().clone()
    };
    if step.for_each.is_some() {
        one.list()
    } else {
        one
    }
}

/// What `item` is in a step whose `for_each` is one name (`{{ steps.list.users }}`).
fn item_shape(list: &Spanned<Node>, known: &Known) -> Shape {
    let Node::Template(template) = &list.value else {
        return Shape::Any;
    };
    let Some((_, mut shape, path)) = template.path().and_then(|p| known.resolve(p)) else {
        return Shape::Any;
    };
    for part in path {
        shape = match shape {
            Shape::Object { fields, .. } => fields.get(part).cloned().unwrap_or(Shape::Any),
            _ => Shape::Any,
        };
    }
    shape.item()
}

/// What a run's `trigger` holds for each kind of trigger.
fn trigger_shape(trigger: &Trigger) -> Shape {
    use std::sync::OnceLock;
    use wrike_api::models::{Comment, Folder, Task, Timelog, WebhookEvent};
    // A model's shape is worked out once per process: checks run often.
    static EVENT: OnceLock<Shape> = OnceLock::new();
    static TASK: OnceLock<Shape> = OnceLock::new();
    static FOLDER: OnceLock<Shape> = OnceLock::new();
    static COMMENT: OnceLock<Shape> = OnceLock::new();
    static TIMELOG: OnceLock<Shape> = OnceLock::new();
    match trigger {
        // Each event type adds its own fields to the ones every event has.
        Trigger::Wrike(_) => EVENT
            .get_or_init(|| Shape::of::<WebhookEvent>().opened())
            .clone(),
        Trigger::Poll(poll) => Shape::object(vec![
            ("object", Shape::Scalar),
            ("id", Shape::Scalar),
            ("updatedDate", Shape::Scalar),
            (
                "item",
                match poll.object {
                    PollObject::Tasks => TASK.get_or_init(Shape::of::<Task>).clone(),
                    PollObject::Folders | PollObject::Projects => {
                        FOLDER.get_or_init(Shape::of::<Folder>).clone()
                    }
                    PollObject::Comments => COMMENT.get_or_init(Shape::of::<Comment>).clone(),
                    PollObject::Timelogs => TIMELOG.get_or_init(Shape::of::<Timelog>).clone(),
                },
            ),
        ]),
        // A person who runs it by hand may give an event of their own.
        Trigger::Schedule(_) => Shape::fields(&["scheduledAt", "firedAt"]).opened(),
        Trigger::Hub(hub) => match hub.event {
            HubEvent::UserInactive => Shape::object(vec![
                ("event", Shape::Scalar),
                ("connection", Shape::Scalar),
                ("connectionId", Shape::Scalar),
                ("days", Shape::Scalar),
                (
                    "user",
                    Shape::fields(&[
                        "id",
                        "name",
                        "email",
                        "userTypeId",
                        "userType",
                        "role",
                        "lastActivityAt",
                        "idleDays",
                    ]),
                ),
            ]),
            HubEvent::SyncFinished => Shape::fields(&["connectionId", "connection", "report"]),
            // The alert that reported it, whose fields vary with what was found.
            HubEvent::ConnectionBroken | HubEvent::ConnectionRecovered => Shape::Any,
        },
        // Whatever the other system sends.
        Trigger::Http(_) => Shape::Any,
    }
}

/// A template may read the trigger, earlier steps, `item` inside a `for_each`, the recipe
/// and the run; anything else would be undefined when it runs. Where the shape of what it
/// reads is known, each field it names must be in it.
fn check_names(node: &Spanned<Node>, field: &str, known: &Known, problems: &mut Vec<Problem>) {
    let Node::Template(template) = &node.value else {
        // `when` and `for_each` may be literals; nested templates are listed by the caller.
        for (path, inner) in node.value.templates() {
            check_names(inner, &format!("{field}.{path}"), known, problems);
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
        let message = if !SCOPE_NAMES.contains(&head) {
            Some(format!(
                "{head:?} is not defined; templates can read {}",
                SCOPE_NAMES.join(", ")
            ))
        } else if head == "item" && known.item.is_none() {
            Some("item is only defined in a step with for_each".to_owned())
        } else if head == "secrets" && !rest.is_some_and(is_secret_name) {
            Some(
                "secrets are read one at a time by name: secrets.NAME (letters, digits and _)"
                    .to_owned(),
            )
        } else if head == "steps"
            && let Some(step) = rest
                .map(|r| r.split('.').next().unwrap_or(r))
                .filter(|step| !known.earlier.contains(*step))
        {
            Some(format!(
                "steps.{step} is not an earlier step (a step can read the steps before it)"
            ))
        } else {
            known
                .resolve(&name)
                .and_then(|(at, shape, path)| shape.check(&at, &path).err())
                .map(|misfit| misfit.to_string())
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
