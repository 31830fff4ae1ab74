//! `weft recipes ...`: recipe files in and out of the hub (validate, diff, apply, export),
//! starting and stopping recipes, their versions, and their runs (list, show, rerun, cancel,
//! approve, reject). `validate` and `test` need no hub.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use weft_hub::recipes::library::{self, Change, SourceFile};
use weft_hub::recipes::runs;
use weft_server::wire;
use weft_store::{RunFilter, RunStatus};

use crate::commands::{cli_actor, print_json, print_page};
use crate::config::Settings;
use crate::hub;

#[derive(Debug, Subcommand)]
pub enum RecipesCommand {
    /// Check recipe files (or folders of them) without a hub: every problem, with its file,
    /// line, column and field.
    Validate {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Each file's verdict as JSON (its problems with line, column and field).
        #[arg(long)]
        json: bool,
    },
    /// What `apply` would change: recipes added, updated (with a diff), unchanged, and
    /// those in the hub that no file has.
    Diff {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Make the hub match a folder of recipe files (git is the source of truth).
    Apply {
        dir: PathBuf,
        /// Also remove recipes that no file has.
        #[arg(long)]
        prune: bool,
    },
    /// Write the hub's recipes into a folder, one NAME.yaml each.
    Export {
        dir: PathBuf,
        /// Only this recipe.
        #[arg(long)]
        name: Option<String>,
    },
    /// Run each recipe file's own tests offline against an in-process simulator.
    Test {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The actions a step can use, with their inputs (required ones marked `*`) and what
    /// the recipe's connection must allow; one action with NAME.
    Actions {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The hub's recipes.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One recipe: its file, state and versions; `--diff FROM TO` compares two versions.
    Show {
        name: String,
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
        diff: Option<Vec<i64>>,
        #[arg(long)]
        json: bool,
    },
    /// Make an earlier version's text the recipe's newest version (a new version; checked
    /// and authorized as any change).
    Restore { name: String, version: i64 },
    /// Start a recipe: its trigger is set up (the Wrike webhook registered) and runs begin.
    Start { name: String },
    /// Stop a recipe: its trigger is taken down; runs already started finish.
    Stop { name: String },
    /// Start a run now, by hand: a scheduled recipe as if its time had come, any other with
    /// the trigger event in `--event FILE` (JSON; `-` reads standard input).
    Trigger {
        name: String,
        #[arg(long)]
        event: Option<PathBuf>,
    },
    /// Runs, newest first.
    Runs {
        #[arg(long)]
        recipe: Option<String>,
        /// queued, running, waiting, succeeded, failed or cancelled.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One run with each step's attempts, input, output and error.
    Run {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Run a failed or cancelled run again from the step it stopped at.
    Rerun { id: i64 },
    /// Cancel a run that has not finished.
    Cancel { id: i64 },
    /// Approve a run waiting at an approval step.
    Approve {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Reject a run waiting at an approval step.
    Reject {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
}

/// The catalog, or one action of it, for people or as JSON.
fn print_actions(name: Option<&str>, json: bool) -> anyhow::Result<()> {
    let actions: Vec<_> = weft_core::recipe::CATALOG
        .iter()
        .filter(|a| name.is_none_or(|n| a.name == n))
        .collect();
    if actions.is_empty() {
        bail!(
            "no action {:?}; `weft recipes actions` lists them",
            name.unwrap_or_default()
        );
    }
    if json {
        let list: Vec<serde_json::Value> = actions
            .iter()
            .map(|a| {
                serde_json::json!({
                    "name": a.name,
                    "summary": a.summary,
                    "needs": a.needs.map(weft_core::scope_plan::Feature::as_str),
                    "privilege": a.privilege,
                    "createsInWrike": a.creates,
                    "inputs": a.all_inputs().iter().map(|i| serde_json::json!({
                        "name": i.name, "required": i.required, "help": i.help,
                    })).collect::<Vec<_>>(),
                    "gives": a.output_shape().summary(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for a in actions {
        let needs = a
            .needs
            .map_or("nothing from Wrike", weft_core::scope_plan::Feature::as_str);
        println!(
            "{}  {}  (needs: {needs}; privilege: {})",
            a.name,
            a.summary,
            a.privilege.as_str()
        );
        for i in a.all_inputs() {
            let mark = if i.required { "*" } else { " " };
            println!("    {mark} {:<16} {}", i.name, i.help);
        }
        println!("    gives: {}", a.output_shape().summary());
    }
    Ok(())
}

/// A trigger event from a JSON file, or from standard input for `-`.
fn read_event(path: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .context("reading the event from standard input")?
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
    };
    serde_json::from_str(&text)
        .with_context(|| format!("{}: the event is not JSON", path.display()))
}

/// The example recipes of `examples/recipes`, built into the binary for the demo.
pub fn examples() -> Vec<SourceFile> {
    macro_rules! example {
        ($name:literal) => {
            SourceFile {
                file: concat!("examples/recipes/", $name).into(),
                source: include_str!(concat!("../../../examples/recipes/", $name)).into(),
            }
        };
    }
    vec![
        example!("comment-on-status-change.yaml"),
        example!("invite-requester.yaml"),
        example!("notify-project-completed.yaml"),
        example!("onboard-client.yaml"),
        example!("route-new-requests.yaml"),
        example!("weekly-idle-review.yaml"),
    ]
}

/// The recipe files named: files as given, folders by their `*.yaml` and `*.yml` files.
pub fn read_files(paths: &[PathBuf]) -> anyhow::Result<Vec<SourceFile>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading the folder {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            found.sort();
            for file in found {
                files.push(read_one(&file)?);
            }
        } else {
            files.push(read_one(path)?);
        }
    }
    if files.is_empty() {
        bail!(
            "no recipe files (*.yaml, *.yml) in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(files)
}

fn read_one(path: &Path) -> anyhow::Result<SourceFile> {
    let source =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(SourceFile {
        file: path.display().to_string(),
        source,
    })
}

/// Runs the files' tests against a simulated Wrike in this process (the world `weft sim`
/// serves by default: seed 1, 60 people), on a throwaway
/// in-memory hub with one connection per connection name the recipes use.
async fn run_recipe_tests(
    checked: &[library::Checked],
) -> anyhow::Result<weft_hub::recipes::testing::TestReport> {
    let running = wrike_sim::start(
        // The world `weft sim` serves by default, so example ids resolve.
        wrike_sim::SimConfig {
            rate_limit_per_minute: 0,
            ..wrike_sim::SimConfig::default()
        },
        wrike_sim::Listen {
            primary: "127.0.0.1:0".parse()?,
            secondary: "127.0.0.1:0".parse()?,
            tls: None,
        },
    )
    .await?;
    let store = std::sync::Arc::new(weft_store::Store::open("sqlite::memory:").await?);
    let key =
        weft_core::secrets::SecretKey::from_hex(&weft_core::secrets::SecretKey::generate_hex())?;
    let mut hub = weft_hub::Hub::new(store, key);
    // The simulator runs on loopback.
    hub.policy.allow_any_wrike_host = true;
    let names: std::collections::BTreeSet<String> = checked
        .iter()
        .map(|c| c.recipe.connection.value.clone())
        .collect();
    let mut connections = std::collections::HashMap::new();
    for name in names {
        let token = {
            let mut world = running.sim.write();
            let account = world
                .accounts
                .first()
                .context("the simulator's first account")?;
            let (account_id, user) = (
                account.id().to_owned(),
                account
                    .integration_user()
                    .unwrap_or_else(|| account.owner())
                    .id()
                    .to_owned(),
            );
            let scopes = vec![
                wrike_api::Scope::Default,
                wrike_api::Scope::amReadWriteUser,
                wrike_api::Scope::amReadWriteInvitation,
                wrike_api::Scope::amReadWriteGroup,
            ];
            running
                .sim
                .issue_tokens(&mut world, &account_id, &user, scopes, None)
                .0
        };
        let connection = weft_hub::connections::add(
            &hub,
            "recipe test",
            &name,
            &running.api_url(0),
            secrecy::SecretString::from(token),
            vec![weft_core::scope_plan::Feature::WriteWork],
        )
        .await?
        .connection;
        connections.insert(name, connection);
    }
    Ok(weft_hub::recipes::testing::run_tests(&hub, &connections, checked).await)
}

fn millis(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

fn seconds(s: i64) -> String {
    millis(s.saturating_mul(1000))
}

pub async fn recipes_command(settings: Settings, command: RecipesCommand) -> anyhow::Result<()> {
    match command {
        RecipesCommand::Validate { paths, json } => {
            let files = read_files(&paths)?;
            match library::check_files(&files) {
                Ok(checked) if json => print_json(&wire::recipes::Check {
                    valid: true,
                    problems: Vec::new(),
                    hub_problems: Vec::new(),
                    recipes: checked.iter().map(Into::into).collect(),
                }),
                Err(problems) if json => {
                    print_json(&wire::recipes::Check {
                        valid: false,
                        problems: problems.clone(),
                        hub_problems: Vec::new(),
                        recipes: Vec::new(),
                    })?;
                    let count: usize = problems.iter().map(|p| p.problems.len()).sum();
                    bail!("{count} problem(s) in {} file(s)", problems.len())
                }
                Ok(checked) => {
                    for c in &checked {
                        println!(
                            "{}: ok ({}, {} steps); {}",
                            c.file,
                            c.recipe.name.value,
                            c.recipe.steps.len(),
                            weft_hub::recipes::privilege::privilege_note(&c.recipe)
                        );
                    }
                    Ok(())
                }
                Err(problems) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    let count: usize = problems.iter().map(|p| p.problems.len()).sum();
                    bail!("{count} problem(s) in {} file(s)", problems.len())
                }
            }
        }
        RecipesCommand::Actions { name, json } => print_actions(name.as_deref(), json),
        RecipesCommand::Test { paths } => {
            let files = read_files(&paths)?;
            let checked = library::check_files(&files).map_err(|problems| {
                anyhow::anyhow!(
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })?;
            let report = run_recipe_tests(&checked).await?;
            print!("{}", report.text);
            if report.failed > 0 {
                bail!(
                    "{} of {} recipe tests failed",
                    report.failed,
                    report.failed + report.passed
                );
            }
            Ok(())
        }
        command => with_hub(settings, command).await,
    }
}

async fn with_hub(settings: Settings, command: RecipesCommand) -> anyhow::Result<()> {
    let hub = hub::services(&settings).await?;
    // Whoever holds the database and its key here acts as an Admin.
    let actor = weft_hub::Actor::local(cli_actor());
    match command {
        RecipesCommand::Validate { .. }
        | RecipesCommand::Test { .. }
        | RecipesCommand::Actions { .. } => {
            unreachable!("handled without a hub")
        }
        RecipesCommand::Diff { dir, json } => {
            let changes = library::plan(&hub, &read_files(&[dir])?).await?;
            if json {
                return print_json(&wire::recipes::Changes { changes });
            }
            print_changes(&changes, true);
        }
        RecipesCommand::Apply { dir, prune } => {
            let changes = library::apply(&hub, &actor, &read_files(&[dir])?, prune).await?;
            print_changes(&changes, false);
            if !prune && changes.iter().any(|c| matches!(c, Change::Remove { .. })) {
                println!("(recipes no file has were kept; --prune removes them)");
            }
        }
        RecipesCommand::Export { dir, name } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let all = library::list(&hub).await?;
            let chosen: Vec<_> = all
                .iter()
                .filter(|r| name.as_ref().is_none_or(|n| &r.name == n))
                .collect();
            if let Some(n) = &name
                && chosen.is_empty()
            {
                bail!("the hub has no recipe {n:?}");
            }
            for r in chosen {
                let path = dir.join(format!("{}.yaml", r.name));
                std::fs::write(&path, &r.source)
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("{} (version {})", path.display(), r.version);
            }
        }
        RecipesCommand::List { json } => {
            let all = library::list(&hub).await?;
            let summaries = library::run_summaries(&hub).await?;
            if json {
                return print_page(
                    all.iter()
                        .map(|r| wire::recipes::Recipe::listed(r, &summaries))
                        .collect(),
                );
            }
            if all.is_empty() {
                println!("no recipes; `weft recipes apply DIR` adds them");
            }
            for r in &all {
                let runs = summaries.get(&r.id).map_or_else(
                    || "no runs".to_owned(),
                    |s| {
                        format!(
                            "last {} · {}",
                            s.last_status.as_str(),
                            s.success_percent()
                                .map(|p| format!("{p}% of {} succeeded", s.succeeded + s.failed))
                                .unwrap_or_else(|| "none ended".into())
                        )
                    },
                );
                println!(
                    "{:<32} v{:<3} {:<8} {:<9} {:<20} {:<32} {}",
                    r.name,
                    r.version,
                    r.trigger_kind,
                    r.state.as_str(),
                    r.connection_name,
                    runs,
                    r.state_reason.as_deref().unwrap_or("")
                );
            }
        }
        RecipesCommand::Show { name, diff, json } => {
            if let Some(pair) = diff {
                print!(
                    "{}",
                    library::version_diff(&hub, &name, pair[0], pair[1]).await?
                );
                return Ok(());
            }
            let record = library::find(&hub, &name).await?;
            let versions = library::versions(&hub, &name).await?;
            if json {
                let counts = library::run_counts(&hub, record.id).await?;
                return print_json(&wire::recipes::RecipeDetail::of(&record, &versions, counts));
            }
            println!(
                "recipe {} (version {}, {})",
                record.name,
                record.version,
                record.state.as_str()
            );
            if let Some(reason) = &record.state_reason {
                println!("  why       {reason}");
            }
            if let Some((path, secret)) =
                weft_hub::recipes::triggers::http_endpoint(&hub, &record).await?
            {
                println!(
                    "  endpoint  {}{path} (sign calls as Standard Webhooks do: webhook-id, webhook-timestamp, webhook-signature; secret {secret})",
                    hub.policy.public_url
                );
            }
            println!("  versions:");
            for v in &versions {
                println!(
                    "    v{:<3} {} by {}",
                    v.version,
                    seconds(v.changed_at),
                    v.changed_by
                );
            }
            println!("---");
            print!("{}", record.source);
        }
        RecipesCommand::Restore { name, version } => {
            let made = library::restore(&hub, &actor, &name, version).await?;
            println!("recipe {name}: version {made} has the text of version {version}");
        }
        RecipesCommand::Start { name } => {
            let r = library::start(&hub, &actor, &name).await?;
            println!(
                "recipe {} is {} (version {})",
                r.name,
                r.state.as_str(),
                r.version
            );
        }
        RecipesCommand::Stop { name } => {
            let r = library::stop(&hub, &actor, &name).await?;
            println!("recipe {} is {}", r.name, r.state.as_str());
        }
        RecipesCommand::Trigger { name, event } => {
            let event = match event {
                Some(path) => Some(read_event(&path)?),
                None => None,
            };
            let started = library::run_now(&hub, &actor, &name, event).await?;
            println!("recipe {name} started run {}", started.run_id());
        }
        RecipesCommand::Runs {
            recipe,
            status,
            limit,
            json,
        } => {
            let recipe_id = match recipe {
                Some(name) => Some(library::find(&hub, &name).await?.id),
                None => None,
            };
            let status = match status {
                Some(s) => Some(RunStatus::parse(&s).with_context(|| {
                    format!("unknown status {s:?}: use queued, running, waiting, succeeded, failed or cancelled")
                })?),
                None => None,
            };
            let found = runs::list(
                &hub,
                &RunFilter {
                    recipe_id,
                    status,
                    limit,
                    ..RunFilter::default()
                },
            )
            .await?;
            if json {
                return print_page(found.iter().map(wire::recipes::Run::from).collect());
            }
            if found.is_empty() {
                println!("no runs match");
            }
            for r in &found {
                println!(
                    "{:>8} {:<28} v{:<3} {:<9} step {:<3} {:<20} {}",
                    r.id,
                    r.recipe_name,
                    r.version,
                    r.status.as_str(),
                    r.next_step,
                    millis(r.created_ms),
                    r.error.as_deref().unwrap_or("")
                );
            }
        }
        RecipesCommand::Run { id, json } => {
            let run = runs::get(&hub, id).await?;
            let steps = runs::steps(&hub, id).await?;
            if json {
                return print_json(&wire::recipes::RunDetail {
                    run: (&run).into(),
                    steps: steps.iter().map(Into::into).collect(),
                });
            }
            println!(
                "run {} of {} v{} ({})",
                run.id,
                run.recipe_name,
                run.version,
                run.status.as_str()
            );
            println!("  started by {}", run.event_key);
            if let Some(of) = run.rerun_of {
                println!("  rerun of   {of}");
            }
            if let Some(error) = &run.error {
                println!("  error      {error}");
            }
            println!("  trigger    {}", run.trigger_event);
            for s in &steps {
                let took = s
                    .finished_ms
                    .map(|f| format!("{} ms", f - s.started_ms))
                    .unwrap_or_default();
                println!(
                    "  {:>3}. {:<20} attempt {} {:<9} {took}",
                    s.step_index + 1,
                    s.step_id,
                    s.attempt,
                    s.status.as_str()
                );
                if let Some(input) = &s.input {
                    println!("       input  {input}");
                }
                if let Some(output) = &s.output {
                    println!("       output {output}");
                }
                if let Some(error) = &s.error {
                    println!("       error  {error}");
                }
            }
        }
        RecipesCommand::Rerun { id } => {
            let new = runs::rerun(&hub, &actor, id).await?;
            println!(
                "run {id} runs again as run {} from step {}",
                new.id,
                new.next_step + 1
            );
        }
        RecipesCommand::Cancel { id } => {
            runs::cancel(&hub, &actor, id).await?;
            println!("run {id} is cancelled");
        }
        RecipesCommand::Approve { id, note } => {
            let run = runs::decide(&hub, &actor, id, true, note.as_deref()).await?;
            println!(
                "run {} approved; it goes on ({})",
                run.id,
                run.status.as_str()
            );
        }
        RecipesCommand::Reject { id, note } => {
            let run = runs::decide(&hub, &actor, id, false, note.as_deref()).await?;
            println!("run {} rejected ({})", run.id, run.status.as_str());
        }
    }
    Ok(())
}

fn print_changes(changes: &[Change], with_diffs: bool) {
    for change in changes {
        match change {
            Change::Add { name, file } => println!("add      {name} ({file})"),
            Change::Update {
                name,
                file,
                from_version,
                diff,
            } => {
                println!("update   {name} ({file}; hub has version {from_version})");
                if with_diffs {
                    print!("{diff}");
                }
            }
            Change::Unchanged { name } => println!("same     {name}"),
            Change::Remove { name } => println!("not in files: {name}"),
        }
    }
}

/// `weft secrets ...`: the secrets recipes read as `{{ secrets.NAME }}`.
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Secrets by name (never their values), where steps may send each, and who reads it.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set a secret: its value from standard input (or --value-env), never the command line.
    Set {
        /// Letters, digits and _; templates read it as secrets.NAME.
        name: String,
        /// A host http.request steps may send it to (api.example.com, *.example.com, or * for
        /// any); give it once per host.
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// Read the value from this environment variable instead of standard input.
        #[arg(long)]
        value_env: Option<String>,
    },
    /// Remove a secret that no recipe reads.
    Remove { name: String },
}

pub async fn secrets_command(settings: Settings, command: SecretsCommand) -> anyhow::Result<()> {
    use weft_hub::recipes::secrets;
    let hub = hub::services(&settings).await?;
    let actor = weft_hub::Actor::local(cli_actor());
    match command {
        SecretsCommand::List { json } => {
            let all = secrets::list(&hub).await?;
            if json {
                return print_page(all.iter().map(wire::recipes::Secret::from).collect());
            }
            if all.is_empty() {
                println!("no secrets; set one with `weft secrets set NAME --host HOST`");
            }
            for s in all {
                println!(
                    "{:<24} hosts {}; set by {} at {}; read by {}",
                    s.name,
                    s.hosts.join(", "),
                    s.updated_by,
                    seconds(s.updated_at),
                    if s.used_by.is_empty() {
                        "no recipe".to_owned()
                    } else {
                        s.used_by.join(", ")
                    }
                );
            }
        }
        SecretsCommand::Set {
            name,
            hosts,
            value_env,
        } => {
            let value = crate::secrets_input::read_secret(
                &format!("value of secret {name}"),
                value_env.as_deref(),
            )?;
            let info = secrets::set(&hub, &actor, &name, &value, &hosts).await?;
            println!(
                "secret {} set; steps may send it to {}",
                info.name,
                info.hosts.join(", ")
            );
        }
        SecretsCommand::Remove { name } => {
            secrets::remove(&hub, &actor, &name).await?;
            println!("secret {name} removed");
        }
    }
    Ok(())
}
