//! `weft policies`: license policy files validated, diffed, applied and exported like
//! recipes; evaluated ("idle under this policy"); turned into reclaim plans.

use std::path::PathBuf;

use clap::Subcommand;
use weft_hub::usage::policies;
use weft_server::wire;

use crate::config::Settings;
use crate::hub;

#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Check policy files against their connections' accounts; prints every problem.
    Validate { files: Vec<PathBuf> },
    /// Show how each file differs from the policy applied under its name.
    Diff { files: Vec<PathBuf> },
    /// Apply policy files (each a new version unless unchanged).
    Apply { files: Vec<PathBuf> },
    /// The policies applied.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print a policy's applied text (to a file with --out).
    Export {
        name: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Remove a policy.
    Remove { name: String },
    /// Who a policy flags now, and why the others are not flagged.
    Evaluate {
        name: String,
        /// List every person judged, not only the flagged.
        #[arg(long)]
        everyone: bool,
        #[arg(long)]
        json: bool,
    },
    /// Plan reclaims of everyone the policy flags now, to apply with `weft usage apply`.
    Reclaim {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

fn read(path: &PathBuf) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot read it: {e}", path.display()))?;
    Ok((path.display().to_string(), text))
}

/// Checks every file; prints each one's problems, and fails if any has one.
async fn check_all(
    hub: &weft_hub::Hub,
    files: &[PathBuf],
) -> anyhow::Result<Vec<policies::Checked>> {
    if files.is_empty() {
        anyhow::bail!("name at least one policy file");
    }
    let mut checked = Vec::new();
    let mut failed = false;
    for path in files {
        let (file, text) = read(path)?;
        match policies::check(hub, &file, &text).await? {
            Ok(c) => checked.push(c),
            Err(problems) => {
                eprintln!("{problems}");
                failed = true;
            }
        }
    }
    if failed {
        anyhow::bail!("policy files have problems; nothing was applied");
    }
    Ok(checked)
}

pub async fn policies_command(settings: Settings, command: PoliciesCommand) -> anyhow::Result<()> {
    let hub = hub::services_without_key(&settings).await?;
    let actor = crate::commands::cli_actor();
    match command {
        PoliciesCommand::Validate { files } => {
            for c in check_all(&hub, &files).await? {
                println!(
                    "ok: policy {} on {}",
                    c.resolved.policy.name, c.connection.name
                );
            }
        }
        PoliciesCommand::Diff { files } => {
            for c in check_all(&hub, &files).await? {
                let d = policies::diff(&hub, &c).await?;
                println!("{}: {}", d.name, d.change);
                print!("{}", d.diff);
            }
        }
        PoliciesCommand::Apply { files } => {
            for c in check_all(&hub, &files).await? {
                let (p, changed) = policies::apply(&hub, &actor, &c).await?;
                if changed {
                    println!("applied {} (version {})", p.name, p.version);
                } else {
                    println!("{} unchanged (version {})", p.name, p.version);
                }
            }
        }
        PoliciesCommand::List { json } => {
            let all = policies::list(&hub).await?;
            if json {
                let items: Vec<wire::policies::Policy> = all.into_iter().map(Into::into).collect();
                let total = items.len() as i64;
                return crate::commands::print_json(&wire::Page::by_offset(items, total, total, 0));
            }
            for p in all {
                println!(
                    "{:<32} version {:<4} connection {}  by {}",
                    p.name, p.version, p.connection_id, p.updated_by
                );
            }
        }
        PoliciesCommand::Export { name, out } => {
            let p = policies::get(&hub, &name).await?;
            match out {
                Some(path) => std::fs::write(&path, &p.text)
                    .map_err(|e| anyhow::anyhow!("{}: cannot write it: {e}", path.display()))?,
                None => print!("{}", p.text),
            }
        }
        PoliciesCommand::Remove { name } => {
            policies::remove(&hub, &actor, &name).await?;
            println!("removed {name}");
        }
        PoliciesCommand::Evaluate {
            name,
            everyone,
            json,
        } => {
            let e: wire::policies::Evaluation =
                policies::evaluate(&hub, &name, everyone).await?.into();
            if json {
                return crate::commands::print_json(&e);
            }
            let t = &e.tally;
            println!(
                "policy {} (version {}) on {}: {} paid seats judged, {} flagged, {} active, {} new, {} exempt, {} protected, {} unjudged",
                e.policy,
                e.version,
                e.connection,
                t.judged,
                t.flagged,
                t.active,
                t.new_seats,
                t.exempt,
                t.protected,
                t.unjudged
            );
            if let (Some(cents), Some(currency)) = (e.potential_saving_cents, &e.currency) {
                println!(
                    "potential saving: {} a year",
                    weft_core::usage::money(cents, currency)
                );
            }
            if let Some(why) = &e.freshness.stale {
                println!("stale: {why}");
            }
            for p in &e.people {
                println!(
                    "{:<10} {:<28} {:<32} {}{}",
                    p.verdict,
                    p.name,
                    p.email.as_deref().unwrap_or("-"),
                    p.reason,
                    p.change
                        .as_ref()
                        .map(|c| format!(
                            " -> {c}{}",
                            p.change_to
                                .as_ref()
                                .map(|t| format!(" {t}"))
                                .unwrap_or_default()
                        ))
                        .unwrap_or_default()
                );
            }
        }
        PoliciesCommand::Reclaim { name, json } => {
            let plans = policies::plan_reclaims(&hub, &actor, &name).await?;
            if json {
                let mut all = Vec::new();
                for plan in &plans {
                    all.push(wire::usage::ReclaimPlan::load(&hub, plan).await?);
                }
                return crate::commands::print_json(&all);
            }
            for plan in &plans {
                println!(
                    "planned {}: {} {} user(s); apply with: weft usage apply {} (within the hour)",
                    plan.id,
                    plan.action,
                    plan.items.len(),
                    plan.id
                );
            }
        }
    }
    Ok(())
}
