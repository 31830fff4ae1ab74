//! Unified diffs of the files the hub keeps in versions (recipes, license policies): what
//! applying a file would change, shown before it is applied.

use similar::TextDiff;

/// A unified diff between two texts, three lines of context, headed by their names.
pub fn diff_text(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}
