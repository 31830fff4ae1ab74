//! Charts as server-rendered SVG: no script, no CDN, nothing the content security policy
//! has to allow. Text is escaped; sizes are fixed in the viewBox and scale with the page.

use std::fmt::Write;

/// One bar or point: its label, its value, and whether the value is whole.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub value: f64,
    pub mark: Mark,
}

impl Point {
    pub fn new(label: impl Into<String>, value: f64) -> Point {
        Point {
            label: label.into(),
            value,
            mark: Mark::Whole,
        }
    }
}

/// How much a column's value can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Whole,
    /// Only part of the period is counted (it began before the data, or is still going).
    Partial,
    /// No data for the period: drawn as an outline, never as a zero.
    NoData,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round number at or above `max`, for the top of an axis.
fn nice_top(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 16.0;

/// A column chart: one column per point, the value on top, every few labels below.
/// `id` names the chart for tests and links; `title` is read by screen readers.
pub fn columns(id: &str, title: &str, points: &[Point]) -> String {
    let mut svg = String::new();
    let top = nice_top(points.iter().map(|p| p.value).fold(0.0, f64::max));
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let _ = write!(
        svg,
        r##"<svg id="{id}" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>{}</title><defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#dde1e8" stroke-width="2"/></pattern></defs>"##,
        escape(title)
    );
    for i in 0..=4 {
        let value = top * i as f64 / 4.0;
        let y = TOP + plot_h - plot_h * i as f64 / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e6e9ee"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#5b6475">{}</text>"##,
            WIDTH - 8.0,
            LEFT - 6.0,
            y + 4.0,
            format_value(value)
        );
    }
    if !points.is_empty() {
        let slot = plot_w / points.len() as f64;
        let bar = (slot * 0.7).max(1.0);
        let every = (points.len() as f64 / 12.0).ceil().max(1.0) as usize;
        for (i, p) in points.iter().enumerate() {
            let h = if top > 0.0 {
                plot_h * p.value / top
            } else {
                0.0
            };
            let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
            let y = TOP + plot_h - h;
            match p.mark {
                Mark::NoData => {
                    let _ = write!(
                        svg,
                        r##"<rect class="bar nodata" x="{x:.1}" y="{TOP}" width="{bar:.1}" height="{plot_h:.1}" fill="url(#nodata)" stroke="#c3c9d4" data-label="{}" data-value="" data-mark="no-data"><title>{}: no data (before the first synced day)</title></rect>"##,
                        escape(&p.label),
                        escape(&p.label),
                    );
                }
                Mark::Whole | Mark::Partial => {
                    let partial = p.mark == Mark::Partial;
                    let _ = write!(
                        svg,
                        r##"<rect class="bar{}" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{}" data-label="{}" data-value="{}" data-mark="{}"><title>{}: {}{}</title></rect>"##,
                        if partial { " partial" } else { "" },
                        if partial { "#9db7ea" } else { "#3b6fd4" },
                        escape(&p.label),
                        p.value,
                        if partial { "partial" } else { "whole" },
                        escape(&p.label),
                        format_value(p.value),
                        if partial {
                            " (part of the period only)"
                        } else {
                            ""
                        }
                    );
                }
            }
            if i % every == 0 {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#5b6475">{}</text>"##,
                    x + bar / 2.0,
                    HEIGHT - BOTTOM + 14.0,
                    escape(&p.label)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars with a reference line (seats by type against the seats purchased).
pub fn bars_with_limit(id: &str, title: &str, points: &[Point], limit: Option<f64>) -> String {
    let mut svg = String::new();
    let row = 26.0;
    let label_w = 200.0;
    let height = TOP + row * points.len().max(1) as f64 + 24.0;
    let max = points
        .iter()
        .map(|p| p.value)
        .fold(limit.unwrap_or(0.0), f64::max);
    let top = nice_top(max);
    let plot_w = WIDTH - label_w - 60.0;
    let _ = write!(
        svg,
        r#"<svg id="{id}" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    for (i, p) in points.iter().enumerate() {
        let y = TOP + row * i as f64;
        let w = if top > 0.0 {
            plot_w * p.value / top
        } else {
            0.0
        };
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#1d2330">{}</text><rect class="bar" x="{label_w}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="#3b6fd4" data-label="{}" data-value="{}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#1d2330">{}</text>"##,
            label_w - 8.0,
            y + 15.0,
            escape(&p.label),
            row - 8.0,
            escape(&p.label),
            p.value,
            label_w + w + 6.0,
            y + 15.0,
            format_value(p.value)
        );
    }
    if let Some(limit) = limit {
        let x = label_w + plot_w * limit / top;
        let _ = write!(
            svg,
            r##"<line class="limit" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#c0392b" stroke-dasharray="4 3"/><text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#c0392b">seats purchased: {}</text>"##,
            height - 20.0,
            height - 6.0,
            format_value(limit)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One period of a paired chart: its label and two values (the first may be unknown).
#[derive(Debug, Clone)]
pub struct Pair {
    pub label: String,
    pub first: Option<f64>,
    pub second: f64,
}

/// Two columns per period side by side (potential against realized savings), with a
/// legend naming each series. An unknown first value is drawn as an outline, never a zero.
pub fn paired_columns(id: &str, title: &str, legend: [&str; 2], pairs: &[Pair]) -> String {
    let mut svg = String::new();
    let max = pairs
        .iter()
        .map(|p| p.first.unwrap_or(0.0).max(p.second))
        .fold(0.0, f64::max);
    let top = nice_top(max);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let colors = ["#9db7ea", "#2e8b57"];
    let _ = write!(
        svg,
        r##"<svg id="{id}" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"##,
        escape(title)
    );
    for i in 0..=4 {
        let value = top * i as f64 / 4.0;
        let y = TOP + plot_h - plot_h * i as f64 / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e6e9ee"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#5b6475">{}</text>"##,
            WIDTH - 8.0,
            LEFT - 6.0,
            y + 4.0,
            format_value(value)
        );
    }
    for (i, (name, color)) in legend.iter().zip(colors).enumerate() {
        let x = LEFT + 8.0 + 160.0 * i as f64;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="2" width="10" height="10" fill="{color}"/><text x="{:.1}" y="11" font-size="11" fill="#1d2330">{}</text>"##,
            x + 14.0,
            escape(name)
        );
    }
    if !pairs.is_empty() {
        let slot = plot_w / pairs.len() as f64;
        let bar = (slot * 0.35).max(1.0);
        let every = (pairs.len() as f64 / 12.0).ceil().max(1.0) as usize;
        let height = |v: f64| if top > 0.0 { plot_h * v / top } else { 0.0 };
        for (i, p) in pairs.iter().enumerate() {
            let x = LEFT + slot * i as f64 + (slot - 2.0 * bar) / 2.0;
            match p.first {
                Some(v) => {
                    let h = height(v);
                    let _ = write!(
                        svg,
                        r##"<rect class="bar first" x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="{}" data-label="{}" data-series="{}" data-value="{v}"><title>{}: {} {}</title></rect>"##,
                        TOP + plot_h - h,
                        colors[0],
                        escape(&p.label),
                        escape(legend[0]),
                        escape(&p.label),
                        escape(legend[0]),
                        format_value(v)
                    );
                }
                None => {
                    let _ = write!(
                        svg,
                        r##"<rect class="bar first nodata" x="{x:.1}" y="{TOP}" width="{bar:.1}" height="{plot_h:.1}" fill="none" stroke="#c3c9d4" stroke-dasharray="3 3" data-label="{}" data-series="{}" data-value=""><title>{}: {} not kept</title></rect>"##,
                        escape(&p.label),
                        escape(legend[0]),
                        escape(&p.label),
                        escape(legend[0]),
                    );
                }
            }
            let h = height(p.second);
            let _ = write!(
                svg,
                r##"<rect class="bar second" x="{:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}" fill="{}" data-label="{}" data-series="{}" data-value="{}"><title>{}: {} {}</title></rect>"##,
                x + bar,
                TOP + plot_h - h,
                colors[1],
                escape(&p.label),
                escape(legend[1]),
                p.second,
                escape(&p.label),
                escape(legend[1]),
                format_value(p.second)
            );
            if i % every == 0 {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#5b6475">{}</text>"##,
                    x + bar,
                    HEIGHT - BOTTOM + 14.0,
                    escape(&p.label)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

fn format_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_hold_their_values_and_escape_text() {
        let mut points = vec![Point::new("<b>", 3.0), Point::new("w2", 7.0)];
        let svg = columns("c", "Active & idle", &points);
        assert!(svg.starts_with("<svg id=\"c\""));
        assert!(svg.contains("Active &amp; idle"));
        assert!(svg.contains("data-label=\"&lt;b&gt;\" data-value=\"3\""));
        assert!(!svg.contains("<b>"));
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        points[0].mark = Mark::NoData;
        points[1].mark = Mark::Partial;
        let marked = columns("m", "Marked", &points);
        assert!(marked.contains("data-value=\"\" data-mark=\"no-data\""));
        assert!(marked.contains("class=\"bar partial\""));
        assert!(marked.contains("data-value=\"7\" data-mark=\"partial\""));
        let bars = bars_with_limit("s", "Seats", &points, Some(12.0));
        assert!(bars.contains("seats purchased: 12"));
        assert_eq!(nice_top(7.0), 8.0);
        assert_eq!(nice_top(130.0), 150.0);
        assert_eq!(nice_top(310.0), 400.0);
        assert_eq!(nice_top(0.0), 1.0);
        let pairs = [
            Pair {
                label: "2026-11".into(),
                first: None,
                second: 0.0,
            },
            Pair {
                label: "2026-12".into(),
                first: Some(900.0),
                second: 300.0,
            },
        ];
        let paired = paired_columns("p", "Savings", ["potential", "realized"], &pairs);
        assert!(paired.contains(r#"data-label="2026-11" data-series="potential" data-value="""#));
        assert!(
            paired.contains(r#"data-label="2026-12" data-series="potential" data-value="900""#)
        );
        assert!(paired.contains(r#"data-label="2026-12" data-series="realized" data-value="300""#));
    }
}
