//! The shapes of what steps give and triggers carry: which fields a template may read
//! after `steps.ID.` or `trigger.`, so that a misspelt field is caught when a recipe is
//! checked rather than when a run reaches it. Shapes of Wrike's answers come from the
//! client's models (their schemas); the hub's own answers name their fields.

use std::collections::BTreeMap;

use serde_json::Value;

/// What a value may hold, as far as templates are concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Anything: its fields are not known before a run.
    Any,
    /// Text, a number, true or false: no fields.
    Scalar,
    /// A list of items of this shape (read one with `[0]` or in a `for_each`).
    List(Box<Shape>),
    /// Named fields; `open` when others may appear too.
    Object {
        fields: BTreeMap<String, Shape>,
        open: bool,
    },
}

/// Why a field path does not fit a shape, said for the recipe's author.
#[derive(Debug, Clone, PartialEq)]
pub enum Misfit {
    /// `field` is not one of `known` (the path up to it is `at`).
    NoField {
        at: String,
        field: String,
        known: Vec<String>,
    },
    /// `at` is a list; a field needs an item first.
    List { at: String, field: String },
    /// `at` is text, a number or true/false.
    Scalar { at: String, field: String },
}

impl Shape {
    /// An object with these fields, each of any shape, and no others.
    pub fn fields(names: &[&str]) -> Shape {
        Shape::Object {
            fields: names
                .iter()
                .map(|n| ((*n).to_owned(), Shape::Any))
                .collect(),
            open: false,
        }
    }

    /// An object with these fields and their shapes, and no others.
    pub fn object(fields: Vec<(&str, Shape)>) -> Shape {
        Shape::Object {
            fields: fields.into_iter().map(|(n, s)| (n.to_owned(), s)).collect(),
            open: false,
        }
    }

    /// A list of this shape.
    pub fn list(self) -> Shape {
        Shape::List(Box::new(self))
    }

    /// The same object with more fields (for answers that add to a model).
    pub fn with(self, more: &[&str]) -> Shape {
        match self {
            Shape::Object { mut fields, open } => {
                for name in more {
                    fields.insert((*name).to_owned(), Shape::Any);
                }
                Shape::Object { fields, open }
            }
            other => other,
        }
    }

    /// The same shape, open to fields it does not name.
    pub fn opened(self) -> Shape {
        match self {
            Shape::Object { fields, .. } => Shape::Object { fields, open: true },
            other => other,
        }
    }

    /// The shape of a model of the Wrike client, from its schema.
    pub fn of<T: utoipa::ToSchema>() -> Shape {
        let mut components = Vec::new();
        T::schemas(&mut components);
        let components: BTreeMap<String, Value> = components
            .into_iter()
            .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or(Value::Null)))
            .collect();
        let root = serde_json::to_value(T::schema()).unwrap_or(Value::Null);
        from_schema(&root, &components, 0)
    }

    /// Checks that `path` (the parts after the value, e.g. `["project", "status"]`) can be
    /// read from this shape; `at` names the value in messages (`steps.task`).
    pub fn check(&self, at: &str, path: &[&str]) -> Result<(), Misfit> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(());
        };
        match self {
            Shape::Any => Ok(()),
            Shape::Scalar => Err(Misfit::Scalar {
                at: at.to_owned(),
                field: (*first).to_owned(),
            }),
            Shape::List(_) => Err(Misfit::List {
                at: at.to_owned(),
                field: (*first).to_owned(),
            }),
            Shape::Object { fields, open } => match fields.get(*first) {
                Some(inner) => inner.check(&format!("{at}.{first}"), rest),
                None if *open => Ok(()),
                None => Err(Misfit::NoField {
                    at: at.to_owned(),
                    field: (*first).to_owned(),
                    known: fields.keys().cloned().collect(),
                }),
            },
        }
    }

    /// What the shape holds, in a line for people: "fields a, b, c", "a list of: ...",
    /// "anything".
    pub fn summary(&self) -> String {
        match self {
            Shape::Any => "anything (its fields are known when it runs)".to_owned(),
            Shape::Scalar => "a value".to_owned(),
            Shape::List(inner) => format!("a list of: {}", inner.summary()),
            Shape::Object { fields, open } => format!(
                "fields {}{}",
                fields.keys().cloned().collect::<Vec<_>>().join(", "),
                if *open { ", and others" } else { "" }
            ),
        }
    }

    /// The item shape of a list (what `for_each` gives `item`), or `Any`.
    pub fn item(&self) -> Shape {
        match self {
            Shape::List(inner) => (**inner).clone(),
            _ => Shape::Any,
        }
    }
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misfit::NoField { at, field, known } => {
                let near = known
                    .iter()
                    .filter(|k| close(k, field))
                    .map(String::as_str)
                    .collect::<Vec<_>>();
                write!(f, "{at} has no field {field:?}")?;
                if !near.is_empty() {
                    write!(f, " (did you mean {}?)", near.join(" or "))?;
                }
                write!(f, "; it has: {}", known.join(", "))
            }
            Misfit::List { at, field } => write!(
                f,
                "{at} is a list, so it has no field {field:?}: read an item ({at}[0].{field}) or go through them with for_each"
            ),
            Misfit::Scalar { at, field } => write!(
                f,
                "{at} is text, a number or true/false, so it has no field {field:?}"
            ),
        }
    }
}

/// Two names a slip of the keyboard apart: same letters in any case, or one edit away.
fn close(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Levenshtein distance, enough for short field names.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = here;
        }
    }
    row[b.len()] <= 2
}

/// Deeper than this, a schema is taken as `Any` (models do not nest that far).
const MAX_DEPTH: usize = 8;

fn from_schema(schema: &Value, components: &BTreeMap<String, Value>, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::Any;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return components
            .get(name)
            .map(|s| from_schema(s, components, depth + 1))
            .unwrap_or(Shape::Any);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let shapes: Vec<Shape> = parts
                .iter()
                .map(|p| from_schema(p, components, depth + 1))
                .filter(|s| *s != Shape::Scalar || parts.len() == 1)
                .collect();
            return merge(shapes);
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let open = schema
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false));
        return Shape::Object {
            fields: properties
                .iter()
                .map(|(name, s)| (name.clone(), from_schema(s, components, depth + 1)))
                .collect(),
            open,
        };
    }
    if types.contains(&"array") {
        return schema
            .get("items")
            .map(|items| from_schema(items, components, depth + 1))
            .unwrap_or(Shape::Any)
            .list();
    }
    if types.contains(&"object") || types.is_empty() {
        return Shape::Any;
    }
    Shape::Scalar
}

/// The fields of every object among `shapes` (an answer that may be one of several).
fn merge(shapes: Vec<Shape>) -> Shape {
    let mut fields = BTreeMap::new();
    let mut open = false;
    for shape in shapes {
        match shape {
            Shape::Object { fields: f, open: o } => {
                open |= o;
                for (name, s) in f {
                    fields.entry(name).or_insert(s);
                }
            }
            Shape::Any => return Shape::Any,
            Shape::List(inner) => return Shape::List(inner),
            Shape::Scalar => {}
        }
    }
    if fields.is_empty() {
        return if open { Shape::Any } else { Shape::Scalar };
    }
    Shape::Object { fields, open }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wrike_api::models::{Folder, Task};

    #[test]
    fn a_task_has_its_fields_and_a_folder_its_project() {
        let task = Shape::of::<Task>();
        assert!(task.check("steps.task", &["title"]).is_ok());
        assert!(task.check("steps.task", &["dates", "due"]).is_ok());
        let miss = task.check("steps.task", &["titel"]).unwrap_err();
        let said = miss.to_string();
        assert!(
            said.contains("no field \"titel\"") && said.contains("did you mean title?"),
            "{said}"
        );
        assert!(matches!(
            task.check("steps.task", &["responsibleIds", "id"]),
            Err(Misfit::List { .. })
        ));
        assert!(matches!(
            task.check("steps.task", &["title", "x"]),
            Err(Misfit::Scalar { .. })
        ));
        let folder = Shape::of::<Folder>();
        assert!(folder.check("f", &["project", "ownerIds"]).is_ok());
        assert!(folder.check("f", &["project", "owner"]).is_err());
    }
}
