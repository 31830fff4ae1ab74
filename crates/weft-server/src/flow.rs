//! A recipe's flow as server-rendered SVG, like the usage charts: the trigger, each step
//! in order with its condition (`when`) and loop (`for_each`), the way around a step that
//! is skipped, and where a failure goes (`on_error`: the run fails, goes on, or jumps).

use std::fmt::Write;

use weft_core::recipe::{Node, OnError, Recipe};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// How a `when` or `for_each` reads in the picture.
fn said(node: &Node) -> String {
    match node {
        Node::Template(t) => t.source().trim().to_owned(),
        Node::Literal(v) => v.to_string(),
        Node::List(items) => format!("a list of {}", items.len()),
        Node::Map(_) => "a map".to_owned(),
    }
}

const WIDTH: f64 = 640.0;
const BOX_W: f64 = 340.0;
const BOX_X: f64 = 150.0;
const BOX_H: f64 = 50.0;
const GAP: f64 = 34.0;
const TOP: f64 = 12.0;

fn row_y(index: usize) -> f64 {
    TOP + (index as f64) * (BOX_H + GAP)
}

/// The flow of `recipe`; `id` names the picture for tests and links.
pub fn flow(id: &str, recipe: &Recipe) -> String {
    let steps = &recipe.steps;
    // Rows: the trigger, each step, the end.
    let rows = steps.len() + 2;
    let height = row_y(rows - 1) + BOX_H + TOP;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg id="{id}" class="flow" role="img" viewBox="0 0 {WIDTH} {height:.0}" xmlns="http://www.w3.org/2000/svg"><title>How {} runs</title><defs><marker id="{id}-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#5b6475"/></marker><marker id="{id}-err" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#b42318"/></marker></defs>"##,
        escape(&recipe.name.value)
    );
    let center = BOX_X + BOX_W / 2.0;
    let block = |svg: &mut String, y: f64, class: &str, fill: &str, lines: &[String]| {
        let _ = write!(
            svg,
            r##"<g class="{class}"><rect x="{BOX_X}" y="{y:.1}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="#8a93a6"/>"##
        );
        let lines: Vec<&String> = lines.iter().filter(|l| !l.is_empty()).collect();
        // One line sits in the middle, two share the box.
        let first = if lines.len() == 1 { 30.0 } else { 21.0 };
        for (i, line) in lines.iter().enumerate() {
            let size = if i == 0 { 13 } else { 11 };
            let _ = write!(
                svg,
                r##"<text x="{center:.1}" y="{:.1}" font-size="{size}" text-anchor="middle" fill="#1f2633">{}</text>"##,
                y + first + 16.0 * i as f64,
                escape(line)
            );
        }
        svg.push_str("</g>");
    };
    let arrow = |svg: &mut String, from: f64, to: f64| {
        let _ = write!(
            svg,
            r##"<line x1="{center:.1}" y1="{from:.1}" x2="{center:.1}" y2="{to:.1}" stroke="#5b6475" marker-end="url(#{id}-arrow)"/>"##
        );
    };

    block(
        &mut svg,
        row_y(0),
        "flow-trigger",
        "#e8f0fe",
        &[
            format!("When: {}", clip(&recipe.trigger.value.describe(), 44)),
            match &recipe.concurrency {
                Some(limit) => format!(
                    "through {}, at most {} runs at once",
                    clip(&recipe.connection.value, 24),
                    limit.value
                ),
                None => format!("through {}", clip(&recipe.connection.value, 40)),
            },
        ],
    );
    for (i, step) in steps.iter().enumerate() {
        let y = row_y(i + 1);
        arrow(&mut svg, row_y(i) + BOX_H, y);
        let mut notes = Vec::new();
        if let Some(list) = &step.for_each {
            notes.push(format!("for each of {}", said(&list.value)));
        }
        if let Some(retry) = &step.retry {
            notes.push(format!("up to {} attempts", retry.attempts));
        }
        let stop = step.action.value == "control.stop";
        block(
            &mut svg,
            y,
            if stop {
                "flow-step flow-stop"
            } else {
                "flow-step"
            },
            if step.when.is_some() {
                "#fff8e6"
            } else {
                "#ffffff"
            },
            &[
                clip(&format!("{} · {}", step.id.value, step.action.value), 46),
                clip(&notes.join(", "), 52),
            ],
        );
        // A condition: the way around the step when it does not hold.
        if let Some(when) = &step.when {
            let (x, top, bottom) = (BOX_X - 18.0, y - GAP / 2.0, y + BOX_H + GAP / 2.0);
            let _ = write!(
                svg,
                r##"<g class="flow-when"><path d="M{center:.1},{top:.1} H{x:.1} V{bottom:.1} H{:.1}" fill="none" stroke="#b7791f" stroke-dasharray="4 3" marker-end="url(#{id}-arrow)"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#8a5a00">only if</text><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" fill="#8a5a00">{}</text></g>"##,
                center - 4.0,
                x - 4.0,
                y + 20.0,
                x - 4.0,
                y + 34.0,
                escape(&clip(&said(&when.value), 22))
            );
        }
        // Where a failure goes.
        let on_error = step
            .on_error
            .as_ref()
            .map(|o| o.value.clone())
            .unwrap_or(OnError::Fail);
        let right = BOX_X + BOX_W;
        match on_error {
            OnError::Fail if !stop => {
                let _ = write!(
                    svg,
                    r##"<g class="flow-fail"><line x1="{right:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#b42318" stroke-dasharray="3 3" marker-end="url(#{id}-err)"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#b42318">on error: run fails</text></g>"##,
                    y + BOX_H / 2.0,
                    right + 26.0,
                    y + BOX_H / 2.0,
                    right + 30.0,
                    y + BOX_H / 2.0 + 4.0
                );
            }
            OnError::Fail => {}
            OnError::Continue => {
                let _ = write!(
                    svg,
                    r##"<g class="flow-continue"><path d="M{right:.1},{:.1} H{:.1} V{:.1} H{:.1}" fill="none" stroke="#b42318" stroke-dasharray="3 3" marker-end="url(#{id}-err)"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#b42318">on error: go on</text></g>"##,
                    y + BOX_H / 2.0,
                    right + 10.0,
                    row_y(i + 2) + 10.0,
                    right,
                    right + 14.0,
                    y + BOX_H / 2.0 + 4.0
                );
            }
            OnError::Goto(target) => {
                let to = steps
                    .iter()
                    .position(|s| s.id.value == target)
                    .map_or(rows - 1, |j| j + 1);
                // Each jump has its own lane, beside the "go on" ones.
                let lane = right + 24.0 + 8.0 * (i % 4) as f64;
                let _ = write!(
                    svg,
                    r##"<g class="flow-goto" data-to="{}"><path d="M{right:.1},{:.1} H{lane:.1} V{:.1} H{right:.1}" fill="none" stroke="#b42318" stroke-dasharray="3 3" marker-end="url(#{id}-err)"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#b42318">on error: {}</text></g>"##,
                    escape(&target),
                    y + BOX_H / 2.0,
                    row_y(to) + BOX_H / 2.0,
                    lane + 4.0,
                    y + BOX_H / 2.0 - 4.0,
                    escape(&clip(&target, 16))
                );
            }
        }
    }
    let end = row_y(rows - 1);
    arrow(&mut svg, row_y(rows - 2) + BOX_H, end);
    let _ = write!(
        svg,
        r##"<g class="flow-end"><rect x="{:.1}" y="{end:.1}" width="160" height="{BOX_H}" rx="25" fill="#e7f6ec" stroke="#8a93a6"/><text x="{center:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="#1f2633">run succeeds</text></g></svg>"##,
        center - 80.0,
        end + 30.0
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_shows_conditions_loops_and_where_errors_go() {
        let source = "\
name: flow-test
connection: acme
trigger:
  wrike:
    events: [TaskCreated]
steps:
  - id: task
    action: wrike.get_task
    input: {id: \"{{ trigger.taskId }}\"}
    on_error: {goto: tell}
  - id: each
    action: map
    for_each: \"{{ steps.task.responsibleIds }}\"
    when: \"{{ 1 < 2 }}\"
    input: {who: \"{{ item }}\"}
    on_error: continue
  - id: tell
    action: notify
    input: {message: done}
";
        let recipe = weft_core::recipe::parse("f.yaml", source).unwrap();
        let svg = flow("flow", &recipe);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("When: Wrike: TaskCreated"), "{svg}");
        assert_eq!(svg.matches("class=\"flow-step").count(), 3);
        assert!(svg.contains("for each of {{ steps.task.responsibleIds }}"));
        assert!(svg.contains("class=\"flow-when\""));
        assert!(svg.contains("class=\"flow-goto\" data-to=\"tell\""));
        assert!(svg.contains("class=\"flow-continue\""));
        assert!(svg.contains("class=\"flow-fail\""));
        assert!(svg.contains("{{ 1 &lt; 2 }}"), "text is escaped: {svg}");
    }
}
