//! Mapping templates: minijinja in a sandbox (strict undefined, a fuel limit, no
//! auto-escaping, a cap on what a template may produce).
//!
//! A string that is one `{{ expression }}` and nothing else evaluates to the expression's
//! value with its type (a list stays a list, a number a number); any other string holding
//! `{{` or `{%` renders to text.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior};
use serde::Deserialize;
use serde_json::Value;

/// Instructions one template may run: enough for any mapping, too few for a runaway loop.
const FUEL: u64 = 50_000;
/// The most text one template may produce.
const MAX_OUTPUT: usize = 1 << 20;

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(64);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub message: String,
}

impl TemplateError {
    fn from_minijinja(e: minijinja::Error) -> TemplateError {
        // minijinja's Display names the template "<string>" and adds a line; our callers
        // place the error themselves, so keep the kind and detail only.
        let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
        let message = match e.kind() {
            minijinja::ErrorKind::UndefinedError => format!("undefined value{detail}"),
            minijinja::ErrorKind::OutOfFuel => {
                "the template ran too long (it is stopped after a fixed amount of work)".into()
            }
            kind => format!("{kind}{detail}"),
        };
        TemplateError { message }
    }
}

/// A compiled template and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    /// The inner text when the whole string is one `{{ expression }}`.
    expression: Option<String>,
}

impl Template {
    /// `Ok(None)` for a plain string with nothing to evaluate.
    pub fn compile(source: &str) -> Result<Option<Template>, TemplateError> {
        if !source.contains("{{") && !source.contains("{%") {
            return Ok(None);
        }
        let trimmed = source.trim();
        let expression = trimmed
            .strip_prefix("{{")
            .and_then(|rest| rest.strip_suffix("}}"))
            .filter(|inner| !inner.contains("{{") && !inner.contains("}}") && !inner.contains("{%"))
            .map(|inner| inner.trim().to_owned());
        match &expression {
            Some(expr) => {
                ENV.compile_expression(expr)
                    .map_err(TemplateError::from_minijinja)?;
            }
            None => {
                ENV.template_from_str(source)
                    .map_err(TemplateError::from_minijinja)?;
            }
        }
        Ok(Some(Template {
            source: source.to_owned(),
            expression,
        }))
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The names the template reads, with the attributes it reads of them
    /// (`trigger.taskId`, `steps.task.title`, `item`).
    pub fn names(&self) -> BTreeSet<String> {
        let names = match &self.expression {
            Some(expr) => ENV
                .compile_expression(expr)
                .map(|e| e.undeclared_variables(true))
                .unwrap_or_default(),
            None => ENV
                .template_from_str(&self.source)
                .map(|t| t.undeclared_variables(true))
                .unwrap_or_default(),
        };
        names.into_iter().collect()
    }

    /// The dotted name when the whole template is just one (`{{ steps.list.users }}`).
    pub fn path(&self) -> Option<&str> {
        let expr = self.expression.as_deref()?.trim();
        let plain = !expr.is_empty()
            && expr.split('.').all(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        plain.then_some(expr)
    }

    /// Filters (`x|name`) and tests (`x is name`) the template uses that do not exist,
    /// which minijinja would only report when a run reaches them.
    pub fn unknown_functions(&self) -> Vec<String> {
        let code = match &self.expression {
            Some(expr) => vec![expr.as_str()],
            None => code_regions(&self.source),
        };
        let mut unknown = Vec::new();
        for region in code {
            for (kind, name) in filter_and_test_names(region) {
                let (probe, missing) = match kind {
                    Use::Filter => (
                        format!("{{{{ none|{name} }}}}"),
                        minijinja::ErrorKind::UnknownFilter,
                    ),
                    Use::Test => (
                        format!("{{{{ none is {name} }}}}"),
                        minijinja::ErrorKind::UnknownTest,
                    ),
                };
                let absent = ENV
                    .render_str(&probe, ())
                    .is_err_and(|e| e.kind() == missing);
                let message = match kind {
                    Use::Filter => format!("unknown filter {name:?}"),
                    Use::Test => format!("unknown test {name:?}"),
                };
                if absent && !unknown.contains(&message) {
                    unknown.push(message);
                }
            }
        }
        unknown
    }

    /// Evaluates against `scope`.
    pub fn evaluate(&self, scope: &Scope) -> Result<Value, TemplateError> {
        match &self.expression {
            Some(expr) => {
                let compiled = ENV
                    .compile_expression(expr)
                    .map_err(TemplateError::from_minijinja)?;
                let value = compiled
                    .eval(scope.context.clone())
                    .map_err(|e| self.explain(e, scope))?;
                if value.is_undefined() {
                    return Err(TemplateError {
                        message: self
                            .missing_name(scope)
                            .unwrap_or_else(|| format!("undefined value: {expr}")),
                    });
                }
                let json = serde_json::to_value(&value).map_err(|e| TemplateError {
                    message: format!("the value of {expr} cannot be carried as JSON: {e}"),
                })?;
                if json.to_string().len() > MAX_OUTPUT {
                    return Err(too_large());
                }
                Ok(json)
            }
            None => {
                let text = ENV
                    .render_str(&self.source, scope.context.clone())
                    .map_err(|e| self.explain(e, scope))?;
                if text.len() > MAX_OUTPUT {
                    return Err(too_large());
                }
                Ok(Value::String(text))
            }
        }
    }

    /// An evaluation error, saying for an undefined value which name was missing and what
    /// was there instead (minijinja says only "undefined value").
    fn explain(&self, error: minijinja::Error, scope: &Scope) -> TemplateError {
        if error.kind() == minijinja::ErrorKind::UndefinedError
            && let Some(missing) = self.missing_name(scope)
        {
            return TemplateError { message: missing };
        }
        TemplateError::from_minijinja(error)
    }

    /// The first name the template reads that the scope lacks, in words: which step gave
    /// no such field and which fields it gave, or which step has not run.
    fn missing_name(&self, scope: &Scope) -> Option<String> {
        for path in self.names() {
            let mut value = scope.context.clone();
            let mut walked: Vec<&str> = Vec::new();
            for part in path.split('.') {
                let next = value.get_attr(part).unwrap_or(minijinja::Value::UNDEFINED);
                if next.is_undefined() {
                    return Some(describe_missing(&walked, part, &value));
                }
                walked.push(part);
                value = next;
            }
        }
        None
    }

    /// True when the value counts as true for a condition (`when`).
    pub fn truthy(value: &Value) -> bool {
        match value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            // Text templates render booleans as words.
            Value::String(s) => !matches!(s.trim(), "" | "false" | "False" | "0" | "none" | "None"),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Filter,
    Test,
}

/// The insides of a text template's `{{ }}` and `{% %}` blocks.
fn code_regions(source: &str) -> Vec<&str> {
    let mut regions = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find('{') {
        let after = &rest[start..];
        let close = if after.starts_with("{{") {
            "}}"
        } else if after.starts_with("{%") {
            "%}"
        } else {
            rest = &rest[start + 1..];
            continue;
        };
        let inner = &after[2..];
        match inner.find(close) {
            Some(end) => {
                regions.push(&inner[..end]);
                rest = &inner[end + 2..];
            }
            None => break,
        }
    }
    regions
}

/// The filter names after `|` and the test names after `is` (or `is not`) in an
/// expression, outside its string literals.
fn filter_and_test_names(code: &str) -> Vec<(Use, String)> {
    // Blank out string literals so a `|` or `is` inside one is not read as code.
    let mut plain = String::with_capacity(code.len());
    let mut quote = None;
    let mut escaped = false;
    for c in code.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                plain.push(' ');
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                plain.push(' ');
            }
            None => plain.push(c),
        }
    }
    let words: Vec<&str> = plain
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '|'))
        .flat_map(split_keep_bars)
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        match words[i] {
            "|" => {
                if let Some(name) = words.get(i + 1).filter(|w| is_identifier(w)) {
                    found.push((Use::Filter, (*name).to_owned()));
                }
            }
            "is" => {
                let next = match words.get(i + 1) {
                    Some(&"not") => words.get(i + 2),
                    other => other,
                };
                if let Some(name) = next.filter(|w| is_identifier(w)) {
                    found.push((Use::Test, (*name).to_owned()));
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// `a|b` as `a`, `|`, `b`.
fn split_keep_bars(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if c == '|' {
            parts.push(&word[start..i]);
            parts.push("|");
            start = i + 1;
        }
    }
    parts.push(&word[start..]);
    parts
}

fn is_identifier(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Says that `part` is missing under `walked` (the names read so far) in `value`.
fn describe_missing(walked: &[&str], part: &str, value: &minijinja::Value) -> String {
    let keys = || -> String {
        let names: Vec<String> = value
            .try_iter()
            .map(|keys| keys.take(12).map(|k| k.to_string()).collect())
            .unwrap_or_default();
        if names.is_empty() {
            "nothing".into()
        } else {
            names.join(", ")
        }
    };
    match walked {
        [] => format!(
            "undefined value: no name {part:?} here (there are: {})",
            keys()
        ),
        ["steps"] => format!(
            "undefined value: no step {part:?} has run before this one (steps so far: {})",
            keys()
        ),
        ["steps", step, rest @ ..] => {
            let within = if rest.is_empty() {
                String::new()
            } else {
                format!(" under {}", rest.join("."))
            };
            if value.kind() == minijinja::value::ValueKind::Map {
                format!(
                    "undefined value: step {step:?} gave no field {part:?}{within} (it gave: {})",
                    keys()
                )
            } else {
                format!(
                    "undefined value: step {step:?} gave {}{within}, which has no field {part:?}",
                    value.kind()
                )
            }
        }
        _ => {
            let at = walked.join(".");
            if value.kind() == minijinja::value::ValueKind::Map {
                format!(
                    "undefined value: {at} has no field {part:?} (it has: {})",
                    keys()
                )
            } else {
                format!(
                    "undefined value: {at} is {}, which has no field {part:?}",
                    value.kind()
                )
            }
        }
    }
}

fn too_large() -> TemplateError {
    TemplateError {
        message: format!("the template produced more than {MAX_OUTPUT} bytes"),
    }
}

/// What templates can read: `trigger`, `steps`, `errors`, `item` (in a `for_each`),
/// `recipe`, `run`.
#[derive(Debug, Clone)]
pub struct Scope {
    context: minijinja::Value,
}

impl Scope {
    /// The scope from a JSON object of names (`{"trigger": ..., "steps": {...}}`).
    pub fn new(names: &Value) -> Scope {
        let context = minijinja::Value::deserialize(names).unwrap_or_default();
        Scope { context }
    }

    /// This scope with `item` added (a `for_each`'s current item). The names already here
    /// are shared, not copied: each item costs only itself.
    pub fn with_item(&self, item: &Value) -> Scope {
        let item = minijinja::Value::deserialize(item).unwrap_or_default();
        Scope {
            context: minijinja::value::merge_maps([
                minijinja::context! { item => item },
                self.context.clone(),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(source: &str, names: Value) -> Result<Value, String> {
        let t = Template::compile(source)
            .map_err(|e| e.message)?
            .expect("a template");
        t.evaluate(&Scope::new(&names)).map_err(|e| e.message)
    }

    #[test]
    fn an_item_is_added_beside_the_shared_names() {
        let base = Scope::new(&json!({"steps": {"a": {"n": 2}}}));
        let t = Template::compile("{{ item.x * steps.a.n }}")
            .unwrap()
            .unwrap();
        assert_eq!(t.evaluate(&base.with_item(&json!({"x": 5}))), Ok(json!(10)));
        assert!(t.evaluate(&base).is_err(), "no item outside for_each");
    }

    #[test]
    fn a_lone_expression_keeps_its_type_and_text_renders() {
        let names = json!({"trigger": {"ids": ["A", "B"], "n": 3, "title": "Fix"}});
        assert_eq!(
            eval("{{ trigger.ids }}", names.clone()),
            Ok(json!(["A", "B"]))
        );
        assert_eq!(eval(" {{ trigger.n + 1 }} ", names.clone()), Ok(json!(4)));
        assert_eq!(
            eval("Re: {{ trigger.title }}", names.clone()),
            Ok(json!("Re: Fix"))
        );
        assert_eq!(
            eval("{{ trigger.title }}-{{ trigger.n }}", names),
            Ok(json!("Fix-3"))
        );
    }

    #[test]
    fn unknown_filters_and_tests_are_found_before_any_run() {
        let unknown = |source: &str| {
            Template::compile(source)
                .unwrap()
                .unwrap()
                .unknown_functions()
        };
        assert_eq!(
            unknown("{{ trigger.title|uper }}"),
            vec!["unknown filter \"uper\"".to_owned()]
        );
        assert_eq!(
            unknown("Hi {% if trigger.n is evn %}{{ trigger.t | trim|titel }}{% endif %}"),
            vec![
                "unknown test \"evn\"".to_owned(),
                "unknown filter \"titel\"".to_owned()
            ]
        );
        // Known ones, `is not`, and a `|` or `is` inside a string are fine.
        assert!(unknown("{{ trigger.ids|join(', ')|upper }}").is_empty());
        assert!(unknown("{{ trigger.n is not defined }}").is_empty());
        assert!(unknown("{{ 'a|b is c' ~ trigger.t|default('x') }}").is_empty());
    }

    #[test]
    fn undefined_names_and_attributes_are_errors() {
        let names = json!({"trigger": {"title": "Fix"}});
        let err = eval("{{ trigger.missing }}", names.clone()).unwrap_err();
        assert!(err.contains("undefined"), "{err}");
        let err = eval("x {{ nobody }}", names).unwrap_err();
        assert!(err.contains("undefined"), "{err}");
    }

    #[test]
    fn an_undefined_name_is_named_with_the_step_that_lacked_it() {
        let names = json!({
            "trigger": {"taskId": "T1"},
            "steps": {"task": {"id": "T1", "title": "Fix the door"}, "count": 3},
        });
        let err = eval("{{ steps.task.titel }}", names.clone()).unwrap_err();
        assert!(
            err.contains("step \"task\" gave no field \"titel\"") && err.contains("title"),
            "{err}"
        );
        let err = eval("Done: {{ steps.task.titel }}!", names.clone()).unwrap_err();
        assert!(
            err.contains("\"titel\"") && err.contains("\"task\""),
            "{err}"
        );
        let err = eval("{{ steps.taks.id }}", names.clone()).unwrap_err();
        assert!(
            err.contains("no step \"taks\"") && err.contains("task"),
            "{err}"
        );
        let err = eval("{{ steps.count.value }}", names.clone()).unwrap_err();
        assert!(err.contains("\"count\"") && err.contains("number"), "{err}");
        let err = eval("{{ trigger.task }}", names).unwrap_err();
        assert!(
            err.contains("trigger has no field \"task\"") && err.contains("taskId"),
            "{err}"
        );
    }

    #[test]
    fn a_runaway_loop_is_stopped_and_output_is_capped() {
        let err = eval(
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            json!({}),
        )
        .unwrap_err();
        assert!(err.contains("too long"), "{err}");
        let err = eval("{{ 'x' * 2000000 }}", json!({})).unwrap_err();
        assert!(err.contains("bytes") || err.contains("too long"), "{err}");
    }

    #[test]
    fn syntax_errors_are_found_when_compiling_and_names_are_listed() {
        assert!(Template::compile("{{ trigger. }}").is_err());
        assert!(Template::compile("{% if x %}no end").is_err());
        assert_eq!(Template::compile("plain text").unwrap(), None);
        let t = Template::compile("{{ steps.task.title }} {{ trigger.taskId }}")
            .unwrap()
            .unwrap();
        let names: Vec<String> = t.names().into_iter().collect();
        assert!(names.contains(&"steps.task.title".to_owned()), "{names:?}");
        assert!(names.contains(&"trigger.taskId".to_owned()), "{names:?}");
    }

    #[test]
    fn nothing_is_html_escaped() {
        assert_eq!(
            eval("{{ trigger.t }}!", json!({"trigger": {"t": "<b>&</b>"}})),
            Ok(json!("<b>&</b>!"))
        );
    }
}
