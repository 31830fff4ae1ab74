//! Time windows a sync reads a dated source in. A source is stored up to its high-water mark
//! (`synced_through`); a sync reads from there (less a small overlap, for records Wrike
//! files late) to now, in windows no longer than the source allows. Records are keyed by id
//! and activity only moves forward, so reading an instant twice changes nothing, and
//! nothing depends on the order Wrike returns records in: a window counts as read only when
//! its last page is stored.

/// An inclusive range of Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

/// The windows to read: from the high-water mark (less `overlap`) or, on the first sync,
/// from `from`, up to `now`, each at most `len` seconds. Nothing when there is nothing to
/// read; one window when little is new, which costs one request or two.
pub fn plan(from: i64, through: Option<i64>, now: i64, len: i64, overlap: i64) -> Vec<Window> {
    let start = match through {
        Some(through) => (through - overlap).max(from.min(through)),
        None => from,
    };
    let len = len.max(1);
    let mut windows = Vec::new();
    let mut at = start;
    while at < now {
        let end = (at + len).min(now);
        windows.push(Window { start: at, end });
        // Ends are inclusive: the next window starts on the same second, read twice.
        at = end;
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        from: i64,
        through: Option<i64>,
        now: i64,
        len: i64,
        overlap: i64,
        expected: &[(i64, i64)],
    ) {
        let got: Vec<(i64, i64)> = plan(from, through, now, len, overlap)
            .into_iter()
            .map(|w| (w.start, w.end))
            .collect();
        assert_eq!(
            got, expected,
            "plan({from}, {through:?}, {now}, {len}, {overlap})"
        );
    }

    #[test]
    fn windows_cover_the_range_with_no_gap() {
        check(0, None, 100, 40, 5, &[(0, 40), (40, 80), (80, 100)]);
        check(0, Some(90), 100, 40, 5, &[(85, 100)]);
        check(0, Some(100), 100, 40, 5, &[(95, 100)]);
        check(50, Some(52), 100, 100, 10, &[(50, 100)]);
        check(0, None, 0, 40, 5, &[]);
        check(0, Some(200), 100, 40, 5, &[]);
        check(0, None, 3, 0, 0, &[(0, 1), (1, 2), (2, 3)]);
    }
}
