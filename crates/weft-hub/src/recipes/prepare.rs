//! What a step is to do, from its templates (`when`, `for_each`, the input), within the
//! bounds every run keeps: how many items a `for_each` may give, how large a step's input
//! and output may be, how large a run's stored state may grow, and how long a step's
//! templates may compute. A step beyond a bound fails with a message naming the bound and
//! the setting that raises it; nothing grows without limit in memory or in the database.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use weft_core::recipe::{self, Scope, Step, Template};

/// The bounds of every run (settings `recipe_max_items`, `recipe_max_step_bytes`,
/// `recipe_max_run_bytes`, `recipe_step_compute_seconds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecipeLimits {
    /// Items a `for_each` may give.
    pub max_items: usize,
    /// A step's input (all its items together) and its output, as JSON.
    pub max_step_bytes: usize,
    /// A run's outputs so far, as JSON: what is stored with its progress.
    pub max_run_bytes: usize,
    /// How long one step's templates may compute, all items together.
    pub step_compute: Duration,
}

impl Default for RecipeLimits {
    fn default() -> Self {
        RecipeLimits {
            max_items: 1_000,
            // An attachment of 8 MB travels as base64 in a step's output.
            max_step_bytes: 16 << 20,
            max_run_bytes: 32 << 20,
            step_compute: Duration::from_secs(10),
        }
    }
}

impl RecipeLimits {
    pub fn items_exceeded(&self, id: &str, items: usize) -> String {
        format!(
            "{id}: for_each gave {items} items; a step runs for at most {} (setting recipe_max_items)",
            self.max_items
        )
    }

    pub fn input_exceeded(&self, id: &str) -> String {
        format!(
            "{id}: the step's input grew past {} bytes (setting recipe_max_step_bytes)",
            self.max_step_bytes
        )
    }

    pub fn output_exceeded(&self, id: &str, bytes: usize) -> String {
        format!(
            "{id}: the step's output is {bytes} bytes; a step's output may be at most {} (setting recipe_max_step_bytes)",
            self.max_step_bytes
        )
    }

    pub fn run_exceeded(&self, id: &str, bytes: usize) -> String {
        format!(
            "{id}: the run's outputs would reach {bytes} bytes; a run may keep at most {} (setting recipe_max_run_bytes)",
            self.max_run_bytes
        )
    }

    pub fn compute_exceeded(&self, id: &str) -> String {
        format!(
            "{id}: the step's templates computed for more than {} s (setting recipe_step_compute_seconds)",
            self.step_compute.as_secs_f64()
        )
    }
}

/// The length of `value` as JSON text, without writing it anywhere.
pub fn json_size<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// What a step's templates read: the trigger event, the outputs of the steps before it
/// (and the errors of those that failed and were passed over), the recipe, the run and the
/// recipe secrets it reads (`secrets`, a map of names to values). Inside a `for_each`,
/// `Scope::with_item` adds `item` to it.
pub fn template_scope(
    trigger: &Value,
    outputs: &Map<String, Value>,
    recipe: &str,
    version: i64,
    run_id: i64,
    secrets: &Value,
) -> Scope {
    let mut steps = outputs.clone();
    let errors = steps.remove("__errors").unwrap_or(json!({}));
    Scope::new(&json!({
        "trigger": trigger,
        "steps": steps,
        "errors": errors,
        "recipe": {"name": recipe, "version": version},
        "run": {"id": run_id},
        "secrets": secrets,
    }))
}

/// What a step is to do, from its templates: `when`, `for_each`, then the input.
pub enum Prepared {
    Skipped,
    /// One input, or one per item of a `for_each` (`each`).
    Run {
        inputs: Vec<Value>,
        each: bool,
    },
    /// A template could not be evaluated, or a bound was crossed: the step fails without
    /// running.
    Refused(String),
}

/// Evaluates a step's templates against `scope`, within `limits`.
pub fn prepare(step: &Step, scope: &Scope, limits: &RecipeLimits) -> Prepared {
    let id = &step.id.value;
    let started = Instant::now();
    if let Some(when) = &step.when {
        match recipe::evaluate(when, scope) {
            Ok(v) if !Template::truthy(&v) => return Prepared::Skipped,
            Ok(_) => {}
            Err((_, e)) => return Prepared::Refused(format!("{id}: when: {}", e.message)),
        }
    }
    let items: Option<Vec<Value>> = match &step.for_each {
        None => None,
        Some(list) => match recipe::evaluate(list, scope) {
            Ok(Value::Array(items)) => Some(items),
            Ok(Value::Null) => Some(Vec::new()),
            Ok(other) => {
                return Prepared::Refused(format!(
                    "{id}: for_each gave {}, not a list",
                    kind_of(&other)
                ));
            }
            Err((_, e)) => return Prepared::Refused(format!("{id}: for_each: {}", e.message)),
        },
    };
    if let Some(items) = &items
        && items.len() > limits.max_items
    {
        return Prepared::Refused(limits.items_exceeded(id, items.len()));
    }
    let each = items.is_some();
    let items: Vec<Option<&Value>> = match &items {
        None => vec![None],
        Some(items) => items.iter().map(Some).collect(),
    };
    let mut inputs = Vec::with_capacity(items.len());
    let mut total = 0usize;
    for item in items {
        if started.elapsed() > limits.step_compute {
            return Prepared::Refused(limits.compute_exceeded(id));
        }
        let evaluated = match (&step.input, item) {
            (None, _) => Ok(json!({})),
            (Some(node), None) => recipe::evaluate(node, scope),
            (Some(node), Some(item)) => recipe::evaluate(node, &scope.with_item(item)),
        };
        match evaluated {
            Ok(v) => {
                total += json_size(&v);
                if total > limits.max_step_bytes {
                    return Prepared::Refused(limits.input_exceeded(id));
                }
                inputs.push(v);
            }
            Err((path, e)) => {
                return Prepared::Refused(format!("{id}: input.{path}: {}", e.message));
            }
        }
    }
    if started.elapsed() > limits.step_compute {
        return Prepared::Refused(limits.compute_exceeded(id));
    }
    Prepared::Run { inputs, each }
}

/// A step's input as its record shows it: the list of inputs of a `for_each`.
pub fn shown(inputs: &[Value], each: bool) -> Value {
    if each {
        Value::Array(inputs.to_vec())
    } else {
        inputs.first().cloned().unwrap_or(Value::Null)
    }
}

pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The step `each` of a recipe whose first step `big` computes a value.
    fn each_step(for_each: &str, input: &str) -> Step {
        let source = format!(
            "name: t\nconnection: c\ntrigger:\n  http: {{}}\nsteps:\n  - id: big\n    action: map\n    input:\n      s: x\n  - id: each\n    action: map\n    for_each: '{for_each}'\n    input:\n      v: '{input}'\n"
        );
        recipe::parse("t.yaml", &source)
            .unwrap_or_else(|p| panic!("{p}"))
            .steps
            .remove(1)
    }

    fn limits() -> RecipeLimits {
        RecipeLimits {
            max_items: 100,
            max_step_bytes: 10_000,
            max_run_bytes: 50_000,
            step_compute: Duration::from_secs(10),
        }
    }

    fn scope(items: usize, big: usize) -> Scope {
        let mut outputs = Map::new();
        outputs.insert("big".into(), json!({"s": "x".repeat(big)}));
        let trigger = json!({"items": (0..items).collect::<Vec<_>>()});
        template_scope(&trigger, &outputs, "t", 1, 1, &json!({}))
    }

    fn refused(prepared: Prepared) -> String {
        match prepared {
            Prepared::Refused(why) => why,
            _ => panic!("not refused"),
        }
    }

    #[test]
    fn too_many_items_are_refused_by_their_setting() {
        let s = each_step("{{ trigger.items }}", "{{ item }}");
        let why = refused(prepare(&s, &scope(101, 1), &limits()));
        assert!(
            why.contains("101 items") && why.contains("recipe_max_items"),
            "{why}"
        );
        assert!(matches!(
            prepare(&s, &scope(100, 1), &limits()),
            Prepared::Run { .. }
        ));
    }

    #[test]
    fn an_input_copied_into_every_item_stops_at_the_step_bound() {
        let s = each_step("{{ trigger.items }}", "{{ steps.big.s }}");
        let why = refused(prepare(&s, &scope(50, 700), &limits()));
        assert!(why.contains("recipe_max_step_bytes"), "{why}");
        // Within the bound the same step runs, one input per item.
        let roomy = RecipeLimits {
            max_step_bytes: 1 << 20,
            ..limits()
        };
        match prepare(&s, &scope(50, 700), &roomy) {
            Prepared::Run { inputs, each } => assert!(each && inputs.len() == 50),
            _ => panic!("refused within the bounds"),
        }
    }

    #[test]
    fn templates_that_compute_too_long_are_stopped() {
        let s = each_step("{{ trigger.items }}", "{{ item }}");
        let none = RecipeLimits {
            step_compute: Duration::ZERO,
            ..limits()
        };
        let why = refused(prepare(&s, &scope(10, 1), &none));
        assert!(why.contains("recipe_step_compute_seconds"), "{why}");
    }
}
