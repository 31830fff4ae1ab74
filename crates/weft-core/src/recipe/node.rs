//! A step's input as written: a tree of YAML values whose strings may be templates, each
//! node knowing where it sits in the file.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::template::{Scope, Template, TemplateError};

/// One value of a step's input. Strings are compiled as templates while the file is read,
/// so a template's syntax error is reported at the string that holds it.
#[derive(Debug, Clone)]
pub enum Node {
    /// A value with nothing to evaluate (null, a boolean, a number, a plain string).
    Literal(Value),
    Template(Template),
    List(Vec<Spanned<Node>>),
    Map(Vec<(String, Spanned<Node>)>),
}

impl Node {
    /// The keys of a map node (empty for anything else).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let entries: &[(String, Spanned<Node>)] = match self {
            Node::Map(entries) => entries,
            _ => &[],
        };
        entries.iter().map(|(k, _)| k.as_str())
    }

    /// The value under `key` of a map node.
    pub fn get(&self, key: &str) -> Option<&Spanned<Node>> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Every template in the tree with its path below this node (`title`, `parents[0]`).
    pub fn templates(&self) -> Vec<(String, &Spanned<Node>)> {
        fn walk<'a>(
            node: &'a Spanned<Node>,
            path: String,
            out: &mut Vec<(String, &'a Spanned<Node>)>,
        ) {
            match &node.value {
                Node::Template(_) => out.push((path, node)),
                Node::Literal(_) => {}
                Node::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, format!("{path}[{i}]"), out);
                    }
                }
                Node::Map(entries) => {
                    for (k, v) in entries {
                        let p = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        walk(v, p, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        match self {
            Node::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("[{i}]"), &mut out);
                }
            }
            Node::Map(entries) => {
                for (k, v) in entries {
                    walk(v, k.clone(), &mut out);
                }
            }
            _ => {}
        }
        out
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a value, a list or a map")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Literal(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Literal(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Literal(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(Node::Literal(Value::from(n)))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        Ok(Node::Literal(Value::from(n)))
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Node, E> {
        serde_json::Number::from_f64(n)
            .map(|n| Node::Literal(Value::Number(n)))
            .ok_or_else(|| E::custom(format!("{n} is not a number JSON can carry")))
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Node, E> {
        match Template::compile(s).map_err(|e| E::custom(e.to_string()))? {
            Some(t) => Ok(Node::Template(t)),
            None => Ok(Node::Literal(Value::String(s.to_owned()))),
        }
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Node, E> {
        self.visit_str(&s)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Spanned<Node>)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Spanned<Node>>()? {
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(serde::de::Error::custom(format!(
                    "the key {key:?} appears twice"
                )));
            }
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// Evaluates an input tree: templates replaced by their values, the rest kept.
pub fn evaluate(node: &Spanned<Node>, scope: &Scope) -> Result<Value, (String, TemplateError)> {
    fn walk(
        node: &Spanned<Node>,
        path: &str,
        scope: &Scope,
    ) -> Result<Value, (String, TemplateError)> {
        match &node.value {
            Node::Literal(v) => Ok(v.clone()),
            Node::Template(t) => t.evaluate(scope).map_err(|e| (path.to_owned(), e)),
            Node::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| walk(item, &format!("{path}[{i}]"), scope))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Node::Map(entries) => {
                let mut out = serde_json::Map::new();
                for (k, v) in entries {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    out.insert(k.clone(), walk(v, &p, scope)?);
                }
                Ok(Value::Object(out))
            }
        }
    }
    walk(node, "", scope)
}
