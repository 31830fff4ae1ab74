//! The recipe library: recipe files in and out of the hub (check, plan, apply, export),
//! versions, and starting and stopping recipes. Git is the source of truth: `apply` makes
//! the hub match a folder of files, and every change is a new version with who made it.

use serde::Serialize;
use serde_json::{Value, json};
use similar::TextDiff;
use weft_core::recipe::{self, Problems, Recipe, Trigger};
use weft_core::scope_plan::{self, AccountFacts};
use weft_core::secrets::random_token;
use weft_store::{RecipeFile, RecipeRecord, RecipeState, RecipeVersion, RunStarted, Saved};
use wrike_api::Scope;

use crate::error::{HubError, HubResult};
use crate::{Hub, connections, trail};

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

/// Checks files on their own (no hub needed): every problem of every file.
pub fn check_files(files: &[SourceFile]) -> Result<Vec<Checked>, Vec<Problems>> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for f in files {
        match recipe::parse(&f.file, &f.source) {
            Ok(recipe) => good.push(Checked {
                file: f.file.clone(),
                source: f.source.clone(),
                recipe,
            }),
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
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "change")]
pub enum Change {
    Add {
        name: String,
        file: String,
    },
    Update {
        name: String,
        file: String,
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

/// A unified diff between two recipe texts.
pub fn diff_text(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// What `apply` would change to make the hub match `files`.
pub async fn plan(hub: &Hub, files: &[SourceFile]) -> HubResult<Vec<Change>> {
    let checked = check_files(files).map_err(problems_error)?;
    let mut in_hub_problems = Vec::new();
    for c in &checked {
        in_hub_problems.extend(check_in_hub(hub, c).await);
    }
    if !in_hub_problems.is_empty() {
        return Err(HubError::Invalid(in_hub_problems.join("\n")));
    }
    let stored = hub.store.recipes().list().await?;
    let mut changes = Vec::new();
    for c in &checked {
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
/// file has. All files are checked before anything changes.
pub async fn apply(
    hub: &Hub,
    actor: &str,
    files: &[SourceFile],
    prune: bool,
) -> HubResult<Vec<Change>> {
    let changes = plan(hub, files).await?;
    let checked = check_files(files).map_err(problems_error)?;
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

/// Stores one checked file as the recipe's newest version.
pub async fn save(hub: &Hub, actor: &str, c: &Checked) -> HubResult<Saved> {
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
pub async fn start(hub: &Hub, actor: &str, name: &str) -> HubResult<RecipeRecord> {
    let record = find(hub, name).await?;
    let recipe = records::parsed(&record)?;
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
    records::set_state(hub, actor, &record, RecipeState::Running, None).await
}

/// Stops a recipe: its trigger is taken down (the Wrike webhook deleted) and no new run
/// starts; runs already started finish.
pub async fn stop(hub: &Hub, actor: &str, name: &str) -> HubResult<RecipeRecord> {
    let record = find(hub, name).await?;
    triggers::take_down(hub, &record).await?;
    super::poll::reset(hub, &record).await?;
    records::set_state(hub, actor, &record, RecipeState::Stopped, None).await
}

/// Starts a run of a recipe now, by hand, whatever its state: with the given trigger event,
/// or for a schedule with the event an occurrence would carry (a recipe any other trigger
/// starts needs an event, e.g. a sample from its tests or an earlier run). Each call is a
/// new run.
pub async fn run_now(
    hub: &Hub,
    actor: &str,
    name: &str,
    event: Option<Value>,
) -> HubResult<RunStarted> {
    let record = find(hub, name).await?;
    let recipe = records::parsed(&record)?;
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
    let started = runs::start(hub, &record, &key, event, &format!("run now by {actor}")).await?;
    trail::record(
        hub,
        actor,
        "recipe.run_now",
        &format!("recipe {name}"),
        None,
        Some(json!({"run": started.run_id()})),
    )
    .await?;
    Ok(started)
}

/// Removes a recipe, its trigger, versions and runs.
pub async fn remove(hub: &Hub, actor: &str, name: &str) -> HubResult<()> {
    let record = find(hub, name).await?;
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
