//! `weft policies`: license policy files validated, diffed, applied and exported like
//! recipes; evaluated ("idle under this policy"); turned into reclaim plans; and the
//! reclaim dialogue that asks the people they flag (`weft policies dialogue ...`).

use std::path::PathBuf;

use clap::Subcommand;
use weft_hub::usage::{dialogue, policies};
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
    /// The reclaim dialogue: start or stop a policy's, see the board, take someone out.
    #[command(subcommand)]
    Dialogue(DialogueCommand),
}

#[derive(Debug, Subcommand)]
pub enum DialogueCommand {
    /// Start a policy's dialogue: who it flags now is asked (or, silent, put before an
    /// Admin), and after every sync newly flagged people join.
    Start { policy: String },
    /// Stop a policy's dialogue taking new people (those in it go on to their end).
    Stop { policy: String },
    /// Everyone in a dialogue, newest first.
    Board {
        #[arg(long)]
        policy: Option<String>,
        /// pending, notified, reminded, kept, released, escalated, applied, failed, cancelled.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One person in a dialogue.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Take someone out of a dialogue.
    Cancel { id: String },
}

async fn dialogue_command(settings: Settings, command: DialogueCommand) -> anyhow::Result<()> {
    // Starting checks the e-mail set-up, and taking someone out may touch a reclaim plan:
    // the whole hub, with its key and mailer.
    let hub = hub::services(&settings).await?;
    let actor = crate::commands::cli_actor();
    let print_policy = |p: weft_store::PolicyRecord| match &p.dialogue_by {
        Some(by) => println!("policy {}: dialogue running (started by {by})", p.name),
        None => println!("policy {}: dialogue not running", p.name),
    };
    match command {
        DialogueCommand::Start { policy } => {
            print_policy(dialogue::start(&hub, &actor, &policy).await?)
        }
        DialogueCommand::Stop { policy } => {
            print_policy(dialogue::stop(&hub, &actor, &policy).await?)
        }
        DialogueCommand::Board {
            policy,
            state,
            limit,
            json,
        } => {
            if !(1..=1000).contains(&limit) {
                anyhow::bail!("--limit {limit}: use 1 to 1000");
            }
            let filter = weft_store::DialogueFilter {
                policy,
                state,
                limit,
                offset: 0,
            };
            let (rows, total) = dialogue::board(&hub, &filter).await?;
            if json {
                let items: Vec<wire::dialogues::Dialogue> =
                    rows.into_iter().map(Into::into).collect();
                return crate::commands::print_json(&wire::Page::by_offset(items, total, limit, 0));
            }
            println!("{total} in all");
            for d in rows {
                println!(
                    "{:<22} {:<10} {:<24} {:<30} {:<10} {}",
                    d.id,
                    d.state,
                    d.name,
                    d.email.as_deref().unwrap_or("-"),
                    d.mode,
                    d.reason.as_deref().unwrap_or("")
                );
            }
        }
        DialogueCommand::Show { id, json } => {
            let d: wire::dialogues::Dialogue = dialogue::get(&hub, &id).await?.into();
            if json {
                return crate::commands::print_json(&d);
            }
            println!(
                "{} ({}) under policy {}",
                d.name,
                d.email.as_deref().unwrap_or("no e-mail"),
                d.policy
            );
            println!(
                "state: {}{}",
                d.state,
                d.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            );
            println!("proposed: {} ({})", d.change, d.mode);
            for (what, at) in [
                ("started", Some(d.started_at)),
                ("e-mailed", d.notified_at),
                ("reminded", d.reminded_at),
                ("deadline", d.deadline_at),
                ("answered", d.answered_at),
                ("left alone until", d.keep_until),
            ] {
                if let Some(at) = at {
                    println!("{what}: {}", at.to_rfc3339());
                }
            }
            if let Some(plan) = &d.plan_id {
                println!("reclaim plan: {plan}");
            }
        }
        DialogueCommand::Cancel { id } => {
            let d = dialogue::cancel(&hub, &actor, &id).await?;
            println!("{}: {}", d.id, d.reason.unwrap_or_default());
        }
    }
    Ok(())
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
    if let PoliciesCommand::Dialogue(command) = command {
        return dialogue_command(settings, command).await;
    }
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
        // Taken above, with a hub that holds the key.
        PoliciesCommand::Dialogue(_) => {}
        PoliciesCommand::Reclaim { name, json } => {
            let plans = weft_hub::usage::reclaim::plan_policy(&hub, &actor, &name).await?;
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
