//! What is wrong with a recipe file, and where: a problem names the line, column and
//! field; a file's problems print as `FILE:LINE:COLUMN: FIELD: MESSAGE` lines.

use std::fmt;

use serde::Serialize;
use serde_saphyr::Spanned;

/// One thing wrong with a recipe file, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
