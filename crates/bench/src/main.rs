//! Benchmarks for weft. Each prints its figure next to a baseline measured in the same run
//! (the machines are shared and noisy, so only ratios compare across runs), and `--write`
//! records the results in BENCHMARKS.md. `weft-bench [sim-audit|hub-api] [--write]`.

mod hub_api;
mod sim_audit;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let write = args.iter().any(|a| a == "--write");
    let wanted: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runs = |name: &str| wanted.is_empty() || wanted.contains(&name);
    if runs("sim-audit") {
        let report = sim_audit::run().await?;
        print!("{report}");
        if write {
            record("sim-audit", &report)?;
        }
    }
    if runs("hub-api") {
        let report = hub_api::run().await?;
        print!("{report}");
        if write {
            record("hub-api", &report)?;
        }
    }
    Ok(())
}

/// Replaces the named block of BENCHMARKS.md with the latest run.
fn record(name: &str, report: &str) -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../BENCHMARKS.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (start, end) = (
        format!("<!-- {name}:start -->"),
        format!("<!-- {name}:end -->"),
    );
    let block = format!("{start}\n```\n{report}```\n{end}");
    let updated = match (text.find(&start), text.find(&end)) {
        (Some(a), Some(b)) => format!("{}{}{}", &text[..a], block, &text[b + end.len()..]),
        _ => format!("{text}\n{block}\n"),
    };
    std::fs::write(path, updated)?;
    Ok(())
}
