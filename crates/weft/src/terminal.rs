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

#[cfg(test)]
mod tests {
    use super::safe;

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
