//! The recipe library: recipe files in and out of the hub (check, plan, apply, export),
//! versions, and starting and stopping recipes. Git is the source of truth: `apply` makes
//! the hub match a folder of files, and every change is a new version with who made it.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use weft_core::recipe::{self, Problems, Recipe, Trigger};
use weft_core::roles::Permission;
use weft_core::scope_plan::{self, AccountFacts};
use weft_core::secrets::random_token;
use weft_store::{
    RecipeFile, RecipeRecord, RecipeState, RecipeVersion, RunStarted, RunStatus, Saved,
};
use wrike_api::Scope;

use crate::diff::diff_text;
use crate::error::{HubError, HubResult};
use crate::{Actor, Hub, connections, trail};

use super::privilege::require_privilege;
use super::{records, runs, triggers};

/// A recipe file as given: its name for errors (a path) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub file: String,
    pub source: String,
}

/// A file that parsed and checked.
#[derive(Debug, Clone)]
pub struct Checked {
    pub file: String,
    pub source: String,
    pub recipe: Recipe,
}

/// Most recipe files one request may send to be checked, planned or applied.
pub const MAX_FILES: usize = 200;
/// Longest one request's files may take to parse, all together.
const PARSE_BUDGET: Duration = Duration::from_secs(5);

fn parse_one(f: &SourceFile) -> Result<Checked, Problems> {
    recipe::parse(&f.file, &f.source).map(|recipe| Checked {
        file: f.file.clone(),
        source: f.source.clone(),
        recipe,
    })
}

/// Checks files on their own (no hub needed): every problem of every file.
pub fn check_files(files: &[SourceFile]) -> Result<Vec<Checked>, Vec<Problems>> {
    combine(files.iter().map(parse_one).collect())
}

/// `check_files` for requests to the hub: parsing is CPU work that a hostile file can make
/// long, so it runs on the blocking pool, at most `Policy::recipe_parses` files at once
/// across every request, no more than `MAX_FILES` files a request, and a request's files
/// get `PARSE_BUDGET` together; the async workers (and `/healthz`) never wait for it.
pub async fn check_files_bounded(
    hub: &Hub,
    files: &[SourceFile],
) -> HubResult<Result<Vec<Checked>, Vec<Problems>>> {
    if files.len() > MAX_FILES {
        return Err(HubError::Invalid(format!(
            "files: {} recipe files in one request; send at most {MAX_FILES}",
            files.len()
        )));
    }
    let deadline = tokio::time::Instant::now() + PARSE_BUDGET;
    let mut results = Vec::with_capacity(files.len());
    for f in files {
        let too_long = || {
            HubError::Invalid(format!(
                "{}: parsing the request's recipe files took longer than {} s; send fewer or smaller files",
                f.file,
                PARSE_BUDGET.as_secs()
            ))
        };
        let permit =
            tokio::time::timeout_at(deadline, hub.policy.recipe_parses.clone().acquire_owned())
                .await
                .map_err(|_| too_long())?
                .map_err(|_| HubError::Internal("the recipe parser is closed".into()))?;
        let file = f.clone();
        // The permit goes with the parse: it is released when the parse ends, even if this
        // request stopped waiting for it.
        let parse = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            parse_one(&file)
        });
        let parsed = tokio::time::timeout_at(deadline, parse)
            .await
            .map_err(|_| too_long())?
            .map_err(|e| HubError::Internal(format!("parsing {}: {e}", f.file)))?;
        results.push(parsed);
    }
    Ok(combine(results))
}

/// Every file's problems, and those of two files claiming one name.
fn combine(results: Vec<Result<Checked, Problems>>) -> Result<Vec<Checked>, Vec<Problems>> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for result in results {
        match result {
            Ok(checked) => good.push(checked),
            Err(problems) => bad.push(problems),
        }
    }
    // Two files may not claim one name.
    for (i, a) in good.iter().enumerate() {
        if let Some(b) = good[..i]
            .iter()
            .find(|b| b.recipe.name.value == a.recipe.name.value)
        {
            bad.push(Problems {
                file: a.file.clone(),
                problems: vec![recipe::Problem::at(
                    &a.recipe.name,
                    "name",
                    format!(
                        "the name {:?} is also used by {}",
                        a.recipe.name.value, b.file
                    ),
                )],
            });
        }
    }
    if bad.is_empty() { Ok(good) } else { Err(bad) }
}

/// The stored recipe `name`, parsed, when there is one.
async fn stored(hub: &Hub, name: &str) -> HubResult<Option<Recipe>> {
    match hub.store.recipes().by_name(name).await? {
        Some(record) => records::parsed(&record).map(Some),
        None => Ok(None),
    }
}

fn problems_error(problems: Vec<Problems>) -> HubError {
    HubError::Invalid(
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// What the hub knows that a file alone does not: the connection exists, and it allows
/// what the recipe's trigger and actions need.
pub async fn check_in_hub(hub: &Hub, checked: &Checked) -> Vec<String> {
    let mut problems = Vec::new();
    let name = &checked.recipe.connection.value;
    let place = format!(
        "{}:{}:{}: connection",
        checked.file,
        checked.recipe.connection.referenced.line(),
        checked.recipe.connection.referenced.column()
    );
    let connection = match connections::find(hub, name).await {
        Ok(c) => c,
        Err(_) => {
            let known: Vec<String> = hub
                .store
                .connections()
                .list()
                .await
                .map(|all| all.into_iter().map(|c| c.name).collect())
                .unwrap_or_default();
            problems.push(format!(
                "{place}: the hub has no connection {name:?} (it has: {})",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ));
            return problems;
        }
    };
    for secret in checked.recipe.secret_names() {
        if hub
            .store
            .recipes()
            .secret(secret)
            .await
            .ok()
            .flatten()
            .is_none()
        {
            problems.push(format!(
                "{}: steps read secrets.{secret}, which the hub does not have; set it first (weft secrets set {secret})",
                checked.file
            ));
        }
    }
    let granted: Option<Vec<Scope>> = (!connection.scopes.is_empty()).then(|| {
        connection
            .scopes
            .iter()
            .map(|s| Scope::from(s.as_str()))
            .collect()
    });
    let facts = AccountFacts {
        plan: None,
        admin: Some(connection.identity.admin),
        activity_reports: None,
    };
    for missing in scope_plan::missing(&checked.recipe.features(), granted.as_deref(), &facts) {
        problems.push(match missing {
            scope_plan::Missing::Scope { scope, for_feature } => format!(
                "{place}: {name:?} was not granted the scope {scope}, which {for_feature} needs; reconnect it with that scope"
            ),
            scope_plan::Missing::Right { right, for_feature } => format!(
                "{place}: {name:?} lacks {} ({for_feature} needs it)",
                right.describe()
            ),
        });
    }
    problems
}

/// One recipe's change in a plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "change")]
pub enum Change {
    Add {
        name: String,
        file: String,
    },
    Update {
        name: String,
        file: String,
        #[serde(rename = "fromVersion")]
        from_version: i64,
        diff: String,
    },
    Unchanged {
        name: String,
    },
    /// In the hub but in no file (removed only when asked).
    Remove {
        name: String,
    },
}

impl Change {
    pub fn name(&self) -> &str {
        match self {
            Change::Add { name, .. }
            | Change::Update { name, .. }
            | Change::Unchanged { name }
            | Change::Remove { name } => name,
        }
    }
}

/// What `apply` would change to make the hub match `files`.
pub async fn plan(hub: &Hub, files: &[SourceFile]) -> HubResult<Vec<Change>> {
    let checked = check_files_bounded(hub, files)
        .await?
        .map_err(problems_error)?;
    plan_checked(hub, &checked).await
}

async fn plan_checked(hub: &Hub, checked: &[Checked]) -> HubResult<Vec<Change>> {
    let mut in_hub_problems = Vec::new();
    for c in checked {
        in_hub_problems.extend(check_in_hub(hub, c).await);
    }
    if !in_hub_problems.is_empty() {
        return Err(HubError::Invalid(in_hub_problems.join("\n")));
    }
    let stored = hub.store.recipes().list().await?;
    let mut changes = Vec::new();
    for c in checked {
        let name = c.recipe.name.value.clone();
        match stored.iter().find(|r| r.name == name) {
            None => changes.push(Change::Add {
                name,
                file: c.file.clone(),
            }),
            Some(r) if r.source == c.source => changes.push(Change::Unchanged { name }),
            Some(r) => changes.push(Change::Update {
                diff: diff_text(
                    &r.source,
                    &c.source,
                    &format!("hub/{name} v{}", r.version),
                    &c.file,
                ),
                name,
                file: c.file.clone(),
                from_version: r.version,
            }),
        }
    }
    for r in &stored {
        if !checked.iter().any(|c| c.recipe.name.value == r.name) {
            changes.push(Change::Remove {
                name: r.name.clone(),
            });
        }
    }
    Ok(changes)
}

/// Makes the hub match `files`: adds and updates recipes (a running recipe picks up its new
/// version for new runs; its trigger is set up again), and with `prune` removes recipes no
/// file has. All files are checked, and the actor's right to every change, before anything
/// changes.
pub async fn apply(
    hub: &Hub,
    actor: &Actor,
    files: &[SourceFile],
    prune: bool,
) -> HubResult<Vec<Change>> {
    let checked = check_files_bounded(hub, files)
        .await?
        .map_err(problems_error)?;
    let changes = plan_checked(hub, &checked).await?;
    for change in &changes {
        match change {
            Change::Add { name, .. } | Change::Update { name, .. } => {
                let c = checked
                    .iter()
                    .find(|c| &c.recipe.name.value == name)
                    .expect("planned from these files");
                may_replace(hub, actor, c).await?;
            }
            Change::Remove { name } if prune => {
                if let Some(old) = stored(hub, name).await? {
                    require_privilege(actor, &old, "removing")?;
                }
            }
            Change::Remove { .. } | Change::Unchanged { .. } => {}
        }
    }
    for change in &changes {
        match change {
            Change::Add { name, .. } | Change::Update { name, .. } => {
                let c = checked
                    .iter()
                    .find(|c| &c.recipe.name.value == name)
                    .expect("planned from these files");
                save(hub, actor, c).await?;
            }
            Change::Remove { name } if prune => {
                remove(hub, actor, name).await?;
            }
            Change::Remove { .. } | Change::Unchanged { .. } => {}
        }
    }
    Ok(changes)
}

/// Whether `actor` may make `c` the newest version: a recipe that administers users and
/// seats, before or after the change, is changed only by Admins.
async fn may_replace(hub: &Hub, actor: &Actor, c: &Checked) -> HubResult<()> {
    require_privilege(actor, &c.recipe, "saving")?;
    if let Some(old) = stored(hub, &c.recipe.name.value).await? {
        require_privilege(actor, &old, "changing")?;
    }
    Ok(())
}

/// Stores one checked file as the recipe's newest version.
pub async fn save(hub: &Hub, actor: &Actor, c: &Checked) -> HubResult<Saved> {
    may_replace(hub, actor, c).await?;
    let actor = actor.name.as_str();
    let problems = check_in_hub(hub, c).await;
    if !problems.is_empty() {
        return Err(HubError::Invalid(problems.join("\n")));
    }
    let before = hub.store.recipes().by_name(&c.recipe.name.value).await?;
    let saved = hub
        .store
        .recipes()
        .save(
            &RecipeFile {
                name: &c.recipe.name.value,
                connection_name: &c.recipe.connection.value,
                trigger_kind: c.recipe.trigger.value.kind(),
                source: &c.source,
            },
            actor,
            hub.clock.now_s(),
        )
        .await?;
    let (action, version) = match saved {
        Saved::Created { .. } => ("recipe.add", 1),
        Saved::Updated { version, .. } => ("recipe.update", version),
        Saved::Unchanged { .. } => return Ok(saved),
    };
    trail::record(
        hub,
        actor,
        action,
        &format!("recipe {}", c.recipe.name.value),
        before.map(|b| json!({"version": b.version})),
        Some(json!({"version": version, "file": c.file})),
    )
    .await?;
    // A running recipe's trigger follows its new version (another folder, other events).
    if let Some(record) = hub.store.recipes().by_name(&c.recipe.name.value).await?
        && record.state != RecipeState::Stopped
    {
        triggers::set_up(hub, &record, &c.recipe).await?;
    }
    Ok(saved)
}

/// Makes an earlier version's text the recipe's newest version. History keeps everything:
/// the restore is a new version, checked and authorized as any change (an Admin for a
/// recipe that administers users), and the trail says which version it came from.
pub async fn restore(hub: &Hub, actor: &Actor, name: &str, version: i64) -> HubResult<i64> {
    let record = find(hub, name).await?;
    let old = hub
        .store
        .recipes()
        .version(record.id, version)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("version {version} of recipe {name:?}"),
        })?;
    if old.source == record.source {
        return Err(HubError::Invalid(format!(
            "version {version} of {name:?} is the current text already"
        )));
    }
    let file = SourceFile {
        file: format!("{name} v{version}"),
        source: old.source,
    };
    let checked = check_files(std::slice::from_ref(&file))
        .map_err(|problems| {
            HubError::Invalid(format!(
                "version {version} no longer passes the checks, so it cannot be restored as it is:\n{}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
        })?
        .remove(0);
    match save(hub, actor, &checked).await? {
        Saved::Updated { version: made, .. } => {
            trail::record(
                hub,
                &actor.name,
                "recipe.restore",
                &format!("recipe {name}"),
                Some(json!({"version": record.version})),
                Some(json!({"version": made, "restoredFrom": version})),
            )
            .await?;
            Ok(made)
        }
        Saved::Unchanged { .. } | Saved::Created { .. } => Err(HubError::Invalid(format!(
            "version {version} of {name:?} is the current text already"
        ))),
    }
}

pub async fn list(hub: &Hub) -> HubResult<Vec<RecipeRecord>> {
    Ok(hub.store.recipes().list().await?)
}

pub async fn find(hub: &Hub, name: &str) -> HubResult<RecipeRecord> {
    hub.store
        .recipes()
        .by_name(name)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("recipe {name:?}"),
        })
}

/// The recipe of this name, if there is one.
pub async fn lookup(hub: &Hub, name: &str) -> HubResult<Option<RecipeRecord>> {
    Ok(hub.store.recipes().by_name(name).await?)
}

/// Every recipe's runs in brief (count, successes, newest run), by recipe id.
pub async fn run_summaries(
    hub: &Hub,
) -> HubResult<std::collections::HashMap<i64, weft_store::RunSummary>> {
    Ok(hub
        .store
        .recipes()
        .run_summaries()
        .await?
        .into_iter()
        .map(|s| (s.recipe_id, s))
        .collect())
}

/// How many runs a recipe has in each status.
pub async fn run_counts(hub: &Hub, recipe_id: i64) -> HubResult<Vec<(RunStatus, i64)>> {
    Ok(hub.store.recipes().run_counts(recipe_id).await?)
}

pub async fn versions(hub: &Hub, name: &str) -> HubResult<Vec<RecipeVersion>> {
    let r = find(hub, name).await?;
    Ok(hub.store.recipes().versions(r.id).await?)
}

/// The diff between two stored versions (`from` to `to`).
pub async fn version_diff(hub: &Hub, name: &str, from: i64, to: i64) -> HubResult<String> {
    let r = find(hub, name).await?;
    let get = |v: i64| {
        let hub = hub.clone();
        async move {
            hub.store
                .recipes()
                .version(r.id, v)
                .await?
                .ok_or_else(|| HubError::NotFound {
                    what: format!("version {v} of recipe {name:?}"),
                })
        }
    };
    let (a, b) = (get(from).await?, get(to).await?);
    Ok(diff_text(
        &a.source,
        &b.source,
        &format!("{name} v{from}"),
        &format!("{name} v{to}"),
    ))
}

/// Starts a recipe: sets up its trigger (registers the Wrike webhook, declares the
/// schedule) and lets its runs go.
pub async fn start(hub: &Hub, actor: &Actor, name: &str) -> HubResult<RecipeRecord> {
    let record = find(hub, name).await?;
    let recipe = records::parsed(&record)?;
    require_privilege(actor, &recipe, "starting")?;
    let problems = check_in_hub(
        hub,
        &Checked {
            file: format!("hub/{name}"),
            source: record.source.clone(),
            recipe: recipe.clone(),
        },
    )
    .await;
    if !problems.is_empty() {
        return Err(HubError::Invalid(problems.join("\n")));
    }
    triggers::set_up(hub, &record, &recipe).await?;
    records::set_state(hub, &actor.name, &record, RecipeState::Running, None).await
}

/// Stops a recipe: its trigger is taken down (the Wrike webhook deleted) and no new run
/// starts; runs already started finish.
pub async fn stop(hub: &Hub, actor: &Actor, name: &str) -> HubResult<RecipeRecord> {
    let record = find(hub, name).await?;
    triggers::take_down(hub, &record).await?;
    super::poll::reset(hub, &record).await?;
    records::set_state(hub, &actor.name, &record, RecipeState::Stopped, None).await
}

/// Starts a run of a running recipe now, by hand: for a schedule with the event an
/// occurrence would carry, or with a trigger event written by hand (a sample from its tests,
/// an earlier run's), which only Admins and Analysts may give, and which the run and the
/// trail record as hand-made. A stopped recipe starts nothing. Each call is a new run.
pub async fn run_now(
    hub: &Hub,
    actor: &Actor,
    name: &str,
    event: Option<Value>,
) -> HubResult<RunStarted> {
    let record = find(hub, name).await?;
    let recipe = records::parsed(&record)?;
    require_privilege(actor, &recipe, "running by hand")?;
    if record.state == RecipeState::Stopped {
        return Err(HubError::Conflict(format!(
            "recipe {name} is stopped, and a stopped recipe starts nothing; start it first"
        )));
    }
    let hand_made = event.is_some();
    if hand_made {
        actor.require(Permission::RunWithEvent, || {
            format!("running recipe {name} with a trigger event written by hand")
        })?;
    }
    let now = hub.clock.now();
    let event = match (event, &recipe.trigger.value) {
        (Some(event), _) => event,
        (None, Trigger::Schedule(_)) => json!({
            "scheduledAt": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "firedAt": now.timestamp(),
            "manual": true,
        }),
        (None, _) => {
            return Err(HubError::Invalid(format!(
                "{name} is started by its {} trigger: give the event to run it with",
                record.trigger_kind
            )));
        }
    };
    let key = format!("manual:{}", random_token());
    let started = runs::start_as(
        hub,
        &record,
        &key,
        event,
        &format!("run now by {}", actor.name),
        Some(runs::ByHand {
            by: &actor.name,
            hand_made,
        }),
    )
    .await?;
    trail::record(
        hub,
        &actor.name,
        "recipe.run_now",
        &format!("recipe {name}"),
        None,
        Some(json!({"run": started.run_id(), "handMadeEvent": hand_made})),
    )
    .await?;
    Ok(started)
}

/// Removes a recipe, its trigger, versions and runs.
pub async fn remove(hub: &Hub, actor: &Actor, name: &str) -> HubResult<()> {
    let record = find(hub, name).await?;
    require_privilege(actor, &records::parsed(&record)?, "removing")?;
    let actor = actor.name.as_str();
    triggers::take_down(hub, &record).await?;
    hub.store.recipes().remove(record.id).await?;
    trail::record(
        hub,
        actor,
        "recipe.remove",
        &format!("recipe {name}"),
        Some(json!({"version": record.version, "state": record.state})),
        None,
    )
    .await
}
