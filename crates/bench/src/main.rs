//! Benchmarks for weft. Each prints its figure next to a baseline measured in the same run
//! (the machines are shared and noisy, so only ratios compare across runs), and `--write`
//! records the results in BENCHMARKS.md.
//! `weft-bench [sim-audit|hub-api|queue|usage-ingest|usage-paced|usage-report|policy-eval|airbyte-tasks|recipes|recipe-parse] [--write]`.

mod airbyte;
mod hub_api;
mod policy_eval;
mod queue;
mod recipe_parse;
mod recipes;
mod sim_audit;
mod usage_ingest;
mod usage_paced;
mod usage_report;

/// A benchmark's run: its report.
type Benchmark = fn() -> futures::future::BoxFuture<'static, anyhow::Result<String>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The hub-api benchmark runs the hub in a process of its own: this binary, re-run.
    if args.first().map(String::as_str) == Some(hub_api::CHILD) {
        return hub_api::serve_child(&args[1..]).await;
    }
    if args.first().map(String::as_str) == Some(usage_ingest::CHILD) {
        return usage_ingest::serve_child(&args[1..]).await;
    }
    let write = args.iter().any(|a| a == "--write");
    let wanted: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runs = |name: &str| wanted.is_empty() || wanted.contains(&name);
    let benchmarks: [(&str, Benchmark); 10] = [
        ("sim-audit", || Box::pin(sim_audit::run())),
        ("hub-api", || Box::pin(hub_api::run())),
        ("queue", || Box::pin(queue::run())),
        ("usage-ingest", || Box::pin(usage_ingest::run())),
        ("usage-paced", || Box::pin(usage_paced::run())),
        ("usage-report", || Box::pin(usage_report::run())),
        ("policy-eval", || Box::pin(policy_eval::run())),
        ("airbyte-tasks", || Box::pin(airbyte::run_bench())),
        ("recipes", || Box::pin(recipes::run())),
        ("recipe-parse", || Box::pin(recipe_parse::run())),
    ];
    for (name, run) in benchmarks {
        if !runs(name) {
            continue;
        }
        let report = run().await?;
        print!("{report}");
        if write {
            record(name, &report)?;
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
