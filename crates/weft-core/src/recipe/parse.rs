//! Reading a recipe file: YAML into the model, with every error placed at a file, line,
//! column and field.

use super::model::Recipe;
use super::problem::{Problem, Problems};

/// Largest recipe file read (a recipe is a page or two of YAML).
pub const MAX_RECIPE_BYTES: usize = 256 * 1024;

/// What the YAML reader may spend on one file: a recipe is a page or two, so a file that
/// needs more (aliases that expand a thousandfold, the "billion laughs") is refused early
/// instead of holding a worker for long.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 200_000,
            max_aliases: 2_000,
            max_anchors: 2_000,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 20_000,
            max_replay_stack_depth: 16,
        },
    }
}

/// Decodes and checks a recipe file. `file` names it in errors.
pub fn parse(file: &str, source: &str) -> Result<Recipe, Problems> {
    let mut recipe: Recipe = decode_yaml(file, source, MAX_RECIPE_BYTES, "a recipe")?;
    let problems = super::check::check(&recipe);
    if problems.is_empty() {
        recipe.secrets_read = recipe.find_secret_names();
        Ok(recipe)
    } else {
        Err(Problems {
            file: file.to_owned(),
            problems,
        })
    }
}

/// Decodes one YAML file of weft's (a recipe, a policy) into `T`, within the reader's
/// budget; a file over `max_bytes`, an empty one, or one that does not decode is a problem
/// placed at its line, column and field. `what` names the kind of file in messages.
pub fn decode_yaml<T: serde::de::DeserializeOwned>(
    file: &str,
    source: &str,
    max_bytes: usize,
    what: &str,
) -> Result<T, Problems> {
    let fail = |problems: Vec<Problem>| Problems {
        file: file.to_owned(),
        problems,
    };
    if source.len() > max_bytes {
        return Err(fail(vec![Problem::whole_file(format!(
            "the file is {} bytes; {what} may be at most {max_bytes}",
            source.len()
        ))]));
    }
    if source.trim().is_empty() {
        return Err(fail(vec![Problem::whole_file("the file is empty")]));
    }
    let mut field = String::new();
    let decoded =
        serde_saphyr::with_deserializer_from_str_with_options(source, yaml_options(), |de| {
            let mut track = serde_path_to_error::Track::new();
            let result = T::deserialize(serde_path_to_error::Deserializer::new(de, &mut track));
            if result.is_err() {
                field = clean_path(&track.path().to_string());
            }
            result
        });
    decoded.map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        fail(vec![Problem {
            line,
            column,
            field,
            message: first_line(&e.without_snippet().to_string()),
        }])
    })
}

/// serde-saphyr's message starts `error: line L column C: ` and may carry a snippet; the
/// problem places itself, so keep the message alone.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    let line = match line.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => rest,
        _ => line,
    };
    // Some messages end with the place again ("at line L, column C", or "(used at line L,
    // column C)" after an alias); the problem places itself.
    static PLACE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?: \(used at line \d+, column \d+\)| at line \d+, column \d+)$")
            .expect("pattern")
    });
    PLACE.replace(line.trim_end(), "").into_owned()
}

/// Spanned values show up in the tracked path as a `value` field; users never wrote it.
fn clean_path(path: &str) -> String {
    let cleaned: Vec<&str> = path
        .split('.')
        .filter(|s| *s != "value" && *s != "?")
        .collect();
    let path = cleaned.join(".").replace(".[", "[");
    if path == "." { String::new() } else { path }
}
