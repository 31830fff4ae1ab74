//! Reading a recipe file: YAML into the model, with every error placed at a file, line,
//! column and field.

use std::fmt;

use serde::Deserialize;
use serde::Serialize;
use serde_saphyr::Spanned;

use super::model::Recipe;

/// Largest recipe file read (a recipe is a page or two of YAML).
pub const MAX_RECIPE_BYTES: usize = 256 * 1024;

/// One thing wrong with a recipe file, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: u64,
    pub column: u64,
    /// The field's path (`steps[1].input.title`); empty for the whole file.
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn at<T>(
        spanned: &Spanned<T>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn whole_file(message: impl Into<String>) -> Problem {
        Problem {
            line: 0,
            column: 0,
            field: String::new(),
            message: message.into(),
        }
    }
}

/// Everything wrong with one file; shown as `FILE:LINE:COLUMN: FIELD: MESSAGE` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problems {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if p.line > 0 {
                write!(f, ":{}:{}", p.line, p.column)?;
            }
            if !p.field.is_empty() {
                write!(f, ": {}", p.field)?;
            }
            write!(f, ": {}", p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Decodes and checks a recipe file. `file` names it in errors.
pub fn parse(file: &str, source: &str) -> Result<Recipe, Problems> {
    let fail = |problems: Vec<Problem>| Problems {
        file: file.to_owned(),
        problems,
    };
    if source.len() > MAX_RECIPE_BYTES {
        return Err(fail(vec![Problem::whole_file(format!(
            "the file is {} bytes; a recipe may be at most {MAX_RECIPE_BYTES}",
            source.len()
        ))]));
    }
    if source.trim().is_empty() {
        return Err(fail(vec![Problem::whole_file("the file is empty")]));
    }
    let mut field = String::new();
    let decoded = serde_saphyr::with_deserializer_from_str(source, |de| {
        let mut track = serde_path_to_error::Track::new();
        let result = Recipe::deserialize(serde_path_to_error::Deserializer::new(de, &mut track));
        if result.is_err() {
            field = clean_path(&track.path().to_string());
        }
        result
    });
    let recipe = decoded.map_err(|e| {
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
    })?;
    let problems = super::check::check(&recipe);
    if problems.is_empty() {
        Ok(recipe)
    } else {
        Err(fail(problems))
    }
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
    // Some messages end with the place again.
    match line.rfind(" at line ") {
        Some(at) if line[at..].contains(", column ") => line[..at].to_owned(),
        _ => line.to_owned(),
    }
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
