//! Recipes on the wire: recipes and their versions, checks and plans of recipe files, runs
//! with their steps, recipe secrets (never their values) and what the inbound endpoints
//! answer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use weft_core::recipe::Privilege;
use weft_core::recipe::Problems;
use weft_hub::recipes::library::Change;
use weft_store::{RecipeState, RunStatus, StepStatus};

use super::{time, time_ms};

/// A recipe as listed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recipe {
    pub id: String,
    pub name: String,
    /// The connection it acts through.
    pub connection: String,
    /// `wrike_event`, `poll`, `schedule`, `http` or `hub_event`.
    pub trigger: String,
    pub version: i64,
    pub state: RecipeState,
    /// Why it is paused or stopped, when weft did it.
    pub state_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    /// Its runs in brief (in lists; absent before its first run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<RunsInBrief>,
}

impl Recipe {
    /// A recipe as lists show it: with its runs in brief, from `summaries` by recipe id.
    pub fn listed(
        record: &weft_store::RecipeRecord,
        summaries: &std::collections::HashMap<i64, weft_store::RunSummary>,
    ) -> Recipe {
        Recipe {
            runs: summaries.get(&record.id).map(Into::into),
            ..record.into()
        }
    }
}

/// A recipe's runs in brief.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunsInBrief {
    pub total: i64,
    pub succeeded: i64,
    pub failed: i64,
    /// Succeeded among those that succeeded or failed, in percent; absent before one did.
    pub success_percent: Option<i64>,
    pub last_run_id: String,
    pub last_status: RunStatus,
    pub last_run_at: DateTime<Utc>,
}

impl From<&weft_store::RunSummary> for RunsInBrief {
    fn from(s: &weft_store::RunSummary) -> Self {
        RunsInBrief {
            total: s.total,
            succeeded: s.succeeded,
            failed: s.failed,
            success_percent: s.success_percent(),
            last_run_id: s.last_run_id.to_string(),
            last_status: s.last_status,
            last_run_at: time_ms(s.last_created_ms),
        }
    }
}

impl From<&weft_store::RecipeRecord> for Recipe {
    fn from(r: &weft_store::RecipeRecord) -> Self {
        Recipe {
            id: r.id.to_string(),
            name: r.name.clone(),
            connection: r.connection_name.clone(),
            trigger: r.trigger_kind.clone(),
            version: r.version,
            state: r.state,
            state_reason: r.state_reason.clone(),
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
            updated_by: r.updated_by.clone(),
            runs: None,
        }
    }
}

/// A recipe with its source, its versions and how many runs it has in each status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipeDetail {
    pub recipe: Recipe,
    /// The YAML of the current version.
    pub source: String,
    pub versions: Vec<Version>,
    /// Runs by status (`succeeded`, `failed`, ...).
    pub runs: BTreeMap<String, i64>,
}

impl RecipeDetail {
    /// A recipe with its versions and its runs by status.
    pub fn of(
        record: &weft_store::RecipeRecord,
        versions: &[weft_store::RecipeVersion],
        runs: Vec<(RunStatus, i64)>,
    ) -> Self {
        RecipeDetail {
            recipe: record.into(),
            source: record.source.clone(),
            versions: versions.iter().map(Into::into).collect(),
            runs: runs
                .into_iter()
                .map(|(s, n)| (s.as_str().to_owned(), n))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

impl From<&weft_store::RecipeVersion> for Version {
    fn from(v: &weft_store::RecipeVersion) -> Self {
        Version {
            version: v.version,
            changed_by: v.changed_by.clone(),
            changed_at: time(v.changed_at),
        }
    }
}

/// What checking recipe files found: problems in the files, problems against the hub
/// (unknown connections, missing scopes), and what each recipe may do.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub valid: bool,
    /// Problems in the files, each with its line, column and field.
    pub problems: Vec<Problems>,
    /// Problems against this hub (connections, scopes, rights), in words.
    pub hub_problems: Vec<String>,
    /// The recipes that parsed, with their privilege.
    pub recipes: Vec<CheckedRecipe>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckedRecipe {
    pub file: String,
    pub name: String,
    /// The most its steps may do, and so who may apply and run it.
    pub privilege: Privilege,
    pub note: String,
}

impl From<&weft_hub::recipes::library::Checked> for CheckedRecipe {
    fn from(c: &weft_hub::recipes::library::Checked) -> Self {
        CheckedRecipe {
            file: c.file.clone(),
            name: c.recipe.name.value.clone(),
            privilege: c.recipe.privilege().0,
            note: weft_hub::recipes::privilege::privilege_note(&c.recipe),
        }
    }
}

/// What applying (or planning) files changes, recipe by recipe.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub changes: Vec<Change>,
}

/// The difference between two versions of a recipe, as a unified diff.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionDiff {
    pub from: i64,
    pub to: i64,
    pub diff: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: String,
    pub recipe_id: String,
    pub recipe_name: String,
    /// The recipe's version it runs.
    pub version: i64,
    /// What makes the run unique: the same event never runs twice.
    pub event_key: String,
    pub trigger_event: Value,
    pub status: RunStatus,
    pub next_step: i64,
    /// Each finished step's output, by step id.
    pub outputs: Value,
    pub error: Option<String>,
    pub rerun_of: Option<String>,
    /// Who started it by hand (run now, rerun); null for triggers.
    pub started_by: Option<String>,
    /// A person wrote the trigger event.
    pub hand_made: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&weft_store::Run> for Run {
    fn from(r: &weft_store::Run) -> Self {
        Run {
            id: r.id.to_string(),
            recipe_id: r.recipe_id.to_string(),
            recipe_name: r.recipe_name.clone(),
            version: r.version,
            event_key: r.event_key.clone(),
            trigger_event: r.trigger_event.clone(),
            status: r.status,
            next_step: r.next_step,
            outputs: r.outputs.clone(),
            error: r.error.clone(),
            rerun_of: r.rerun_of.map(|id| id.to_string()),
            started_by: r.started_by.clone(),
            hand_made: r.hand_made,
            created_at: time_ms(r.created_ms),
            updated_at: time_ms(r.updated_ms),
            finished_at: r.finished_ms.map(time_ms),
        }
    }
}

/// One attempt at one step of a run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub seq: i64,
    pub step_index: i64,
    pub step_id: String,
    pub attempt: i64,
    pub status: StepStatus,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&weft_store::StepAttempt> for Step {
    fn from(s: &weft_store::StepAttempt) -> Self {
        Step {
            seq: s.seq,
            step_index: s.step_index,
            step_id: s.step_id.clone(),
            attempt: s.attempt,
            status: s.status,
            input: s.input.clone(),
            output: s.output.clone(),
            error: s.error.clone(),
            started_at: time_ms(s.started_ms),
            finished_at: s.finished_ms.map(time_ms),
        }
    }
}

/// A run with its step attempts, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunDetail {
    pub run: Run,
    pub steps: Vec<Step>,
}

/// A run started on request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Started {
    pub run_id: String,
    /// False when a run for the same event existed already (and is the one named).
    pub new: bool,
}

impl From<weft_store::RunStarted> for Started {
    fn from(s: weft_store::RunStarted) -> Self {
        Started {
            run_id: s.run_id().to_string(),
            new: matches!(s, weft_store::RunStarted::New { .. }),
        }
    }
}

/// What a Wrike delivery started: runs, and events seen before (not run again).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub started: usize,
    pub repeated: usize,
}

/// A recipe secret, never its value.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    pub name: String,
    /// Where `http.request` steps may send it: hosts, `*.domain`, or `*`.
    pub hosts: Vec<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    /// The recipes that read it.
    pub used_by: Vec<String>,
}

impl From<&weft_hub::recipes::secrets::SecretInfo> for Secret {
    fn from(s: &weft_hub::recipes::secrets::SecretInfo) -> Self {
        Secret {
            name: s.name.clone(),
            hosts: s.hosts.clone(),
            updated_by: s.updated_by.clone(),
            updated_at: time(s.updated_at),
            used_by: s.used_by.clone(),
        }
    }
}

/// What a try did with each step of a recipe.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tried {
    pub steps: Vec<TriedStep>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriedStep {
    pub id: String,
    pub action: String,
    /// `ran`, `skipped` (its `when` did not hold), `not_run` (it would change Wrike or
    /// reach another system) or `failed`.
    pub outcome: String,
    pub input: Option<Value>,
    pub output: Option<Value>,
    pub error: Option<String>,
}

impl Tried {
    pub fn of(walked: &[weft_hub::recipes::testing::Walked]) -> Tried {
        Tried {
            steps: walked
                .iter()
                .map(|w| TriedStep {
                    id: w.id.clone(),
                    action: w.action.clone(),
                    outcome: serde_json::to_value(&w.outcome)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    input: w.input.clone(),
                    output: w.output.clone(),
                    error: w.error.clone(),
                })
                .collect(),
        }
    }
}
