//! What the CLI prints, made safe for a terminal. Wrike data (task titles, names, comments)
//! and other systems' answers may hold escape sequences that recolour the terminal, set its
//! title, clear the screen or rewrite what was printed, and bidirectional overrides that
//! reorder text; all are removed before anything reaches the terminal.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Whole escape sequences first (CSI `ESC [ ... final`, OSC `ESC ] ... BEL or ESC \`, other
/// two-character escapes), then any control character left but newline and tab, C1
/// controls, and the bidirectional embedding, override and isolate marks.
static UNSAFE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\x1b\[[0-?]*[ -/]*[@-~]?",
        r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?",
        r"|\x1b[@-Z\\-_]?",
        r"|\u{9b}[0-?]*[ -/]*[@-~]?",
        r"|[\x00-\x08\x0b-\x1f\x7f\u{80}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}]",
    ))
    .expect("pattern")
});

/// `text` without anything that could drive the terminal.
pub fn safe(text: &str) -> Cow<'_, str> {
    UNSAFE.replace_all(text, "")
}

/// A table for the terminal: every column as wide as its widest cell (as the terminal
/// draws it, so wide characters and accents keep the columns in line), numbers on the
/// right. Cells are made safe as they are added.
pub struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns by header; a header starting with `>` is right-aligned (the `>` is dropped).
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers
                .iter()
                .map(|h| h.trim_start_matches('>').to_owned())
                .collect(),
            right: headers.iter().map(|h| h.starts_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| safe(c.as_ref()).replace(['\n', '\t'], " "))
                .collect(),
        );
    }

    /// The table as lines, columns two spaces apart, no trailing spaces.
    pub fn render(&self) -> String {
        use unicode_width::UnicodeWidthStr;
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = row.get(i).map_or("", String::as_str);
                let pad = " ".repeat(width - cell.width().min(*width));
                if i > 0 {
                    line.push_str("  ");
                }
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{Table, safe};

    #[test]
    fn table_columns_line_up_whatever_the_text() {
        let mut table = Table::new(&["name", ">idle"]);
        table.row(["Zoë Åberg", "12"]);
        table.row(["李小龍", "3"]);
        table.row(["a\x1b[31mb", "100"]);
        let text = table.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("name{}idle", " ".repeat(7)));
        assert_eq!(lines[1], format!("Zoë Åberg{}12", " ".repeat(4)));
        assert_eq!(
            lines[2],
            format!("李小龍{}3", " ".repeat(8)),
            "wide characters take two columns"
        );
        assert_eq!(lines[3], format!("ab{}100", " ".repeat(10)));
    }

    #[test]
    fn escapes_and_controls_are_removed_and_text_kept() {
        for (given, shown) in [
            ("\x1b[31mred\x1b[0m task", "red task"),
            ("\x1b]0;owned title\x07Report", "Report"),
            ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
            ("line\r\x1b[2Kfake", "linefake"),
            ("clear\x1b[2J\x1b[H", "clear"),
            ("bell\x07 and\x08 back", "bell and back"),
            ("c1\u{9b}31m", "c1"),
            ("abc\u{202e}fed", "abcfed"),
            ("two\nlines\tand a tab", "two\nlines\tand a tab"),
            ("Ünïcödé stays", "Ünïcödé stays"),
        ] {
            assert_eq!(safe(given), shown, "{given:?}");
        }
    }
}
