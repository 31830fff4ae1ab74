//! Recipes as files: the model a recipe YAML file decodes to, its parsing with errors that
//! name the line, column and field, its checks, the action catalog and the mapping templates.
//!
//! A recipe is read in two passes. `parse` decodes the YAML into the model and compiles every
//! template (so a syntax error points at the string that holds it); `check` then looks at the
//! whole recipe: step ids, the names templates use, the inputs each action needs, what the
//! trigger says. Both report `Problem`s located in the file.

mod catalog;
mod check;
mod model;
mod node;
mod parse;
mod problem;
mod schema;
mod shape;
mod template;

pub use catalog::{
    Action, ActionInput, ActionKind, CATALOG, Privilege, action, raw_call_privilege,
};
pub use check::{check, is_secret_name};
pub use model::*;
pub use node::{Node, evaluate};
pub use parse::{MAX_RECIPE_BYTES, decode_yaml, parse};
pub use problem::{Problem, Problems};
pub use schema::json_schema;
pub use shape::{Misfit, Shape};
pub use template::{Scope, Template, TemplateError};
