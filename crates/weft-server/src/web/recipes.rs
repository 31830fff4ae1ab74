//! The recipe pages: the list, one recipe (state, versions with who changed what and their
//! diffs, start and stop, its runs), a YAML editor that checks the file and says where each
//! problem is before anything is saved, and the runs with each run's timeline, rerun,
//! cancel, and approvals.

use askama::Template;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use weft_core::roles::Permission;
use weft_hub::HubError;
use weft_hub::recipes::library::{self, SourceFile};
use weft_hub::recipes::{runs, triggers};
use weft_store::{RecipeRecord, Run, RunStatus, StepAttempt, StepStatus};

use super::{PageResult, layout, render, timestamp};
use crate::api::recipes::RunQuery;
use crate::forms::FormData;
use crate::guard::Caller;
use crate::state::AppState;

fn millis(ms: i64) -> String {
    timestamp(ms.div_euclid(1000))
}

/// One recipe as the list shows it.
pub struct RecipeRow {
    pub name: String,
    pub trigger: String,
    /// What starts it, in words (events, folder, schedule).
    pub trigger_detail: String,
    /// Its newest run: id, status and a `<time>` element; `None` before the first.
    pub last_run: Option<(i64, &'static str, String)>,
    /// "95% of 40", or empty before any run ended.
    pub success: String,
    pub connection: String,
    pub version: i64,
    pub state: &'static str,
    pub reason: String,
    pub updated: String,
    pub updated_by: String,
}

impl RecipeRow {
    fn of(r: &RecipeRecord) -> RecipeRow {
        RecipeRow {
            name: r.name.clone(),
            trigger: r.trigger_kind.clone(),
            trigger_detail: weft_hub::recipes::records::parsed(r)
                .map(|recipe| recipe.trigger.value.describe())
                .unwrap_or_else(|_| r.trigger_kind.clone()),
            last_run: None,
            success: String::new(),
            connection: r.connection_name.clone(),
            version: r.version,
            state: r.state.as_str(),
            reason: r.state_reason.clone().unwrap_or_default(),
            updated: timestamp(r.updated_at),
            updated_by: r.updated_by.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "recipes.html")]
struct RecipesPage {
    layout: super::Layout,
    rows: Vec<RecipeRow>,
    can_edit: bool,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let summaries = library::run_summaries(&state.hub).await?;
    let rows = library::list(&state.hub)
        .await?
        .iter()
        .map(|r| {
            let mut row = RecipeRow::of(r);
            if let Some(s) = summaries.get(&r.id) {
                row.last_run = Some((
                    s.last_run_id,
                    s.last_status.as_str(),
                    super::time_element(s.last_created_ms.div_euclid(1000)),
                ));
                row.success = s
                    .success_percent()
                    .map(|p| format!("{p}% of {}", s.succeeded + s.failed))
                    .unwrap_or_default();
            }
            row
        })
        .collect();
    let page = RecipesPage {
        layout: layout(&state, &caller, "Recipes").await?,
        rows,
        can_edit: caller.user.role.allows(Permission::EditRecipes),
    };
    render(page, StatusCode::OK)
}

/// One input of an action, as the reference shows it.
pub struct InputDoc {
    pub name: &'static str,
    pub required: bool,
    pub help: &'static str,
}

/// One action of the catalog, as the reference shows it.
pub struct ActionDoc {
    pub name: &'static str,
    pub summary: &'static str,
    /// What the recipe's connection must allow, in words.
    pub needs: &'static str,
    /// The privilege it uses, in words; administering ones are marked.
    pub privilege: &'static str,
    pub administers: bool,
    pub creates: bool,
    pub inputs: Vec<InputDoc>,
    /// What it gives the steps after it.
    pub gives: String,
}

#[derive(Template)]
#[template(path = "recipe_reference.html")]
struct ReferencePage {
    layout: super::Layout,
    actions: Vec<ActionDoc>,
    wrike_events: Vec<&'static str>,
    hub_events: Vec<(&'static str, &'static str)>,
}

/// What a recipe can be made of: every action with its inputs and what its connection
/// needs, and the events the triggers take.
pub async fn reference(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    use weft_core::recipe::{CATALOG, HubEvent};
    let actions = CATALOG
        .iter()
        .map(|a| ActionDoc {
            name: a.name,
            summary: a.summary,
            needs: a.needs.map_or(
                "nothing from Wrike",
                weft_core::scope_plan::Feature::describe,
            ),
            privilege: a.privilege.as_str(),
            administers: a.privilege == weft_core::recipe::Privilege::AdministerUsers,
            creates: a.creates,
            gives: a.output_shape().summary(),
            inputs: a
                .all_inputs()
                .into_iter()
                .map(|i| InputDoc {
                    name: i.name,
                    required: i.required,
                    help: i.help,
                })
                .collect(),
        })
        .collect();
    let page = ReferencePage {
        layout: layout(&state, &caller, "Recipe reference").await?,
        actions,
        wrike_events: wrike_api::models::WebhookEventType::KNOWN
            .iter()
            .map(|e| e.as_str())
            .collect(),
        hub_events: HubEvent::ALL
            .iter()
            .map(|e| (e.as_str(), e.describe()))
            .collect(),
    };
    render(page, StatusCode::OK)
}

pub struct VersionRow {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub previous: Option<i64>,
}

#[derive(Template)]
#[template(path = "recipe.html")]
struct RecipePage {
    layout: super::Layout,
    recipe: RecipeRow,
    source: String,
    versions: Vec<VersionRow>,
    runs: Vec<RunRow>,
    endpoint: Option<(String, String)>,
    /// The flow as SVG (written by the hub, shown unescaped).
    flow: String,
    /// At most this many runs at once (`concurrency`).
    concurrency: Option<u32>,
    can_edit: bool,
    can_run: bool,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    let record = library::find(&state.hub, &name).await?;
    let versions = library::versions(&state.hub, &name).await?;
    let versions = versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            changed_by: v.changed_by.clone(),
            changed_at: timestamp(v.changed_at),
            previous: (v.version > 1).then_some(v.version - 1),
        })
        .collect();
    let recent = runs::list(
        &state.hub,
        &weft_store::RunFilter {
            recipe_id: Some(record.id),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let can_edit = caller.user.role.allows(Permission::EditRecipes);
    // The endpoint's secret is for those who build recipes.
    let endpoint = if can_edit {
        triggers::http_endpoint(&state.hub, &record)
            .await?
            .map(|(path, secret)| (format!("{}{path}", state.hub.policy.public_url), secret))
    } else {
        None
    };
    let parsed = weft_hub::recipes::records::parsed(&record).ok();
    let flow = parsed
        .as_ref()
        .map(|recipe| crate::flow::flow("flow", recipe))
        .unwrap_or_default();
    let concurrency = parsed
        .as_ref()
        .and_then(|r| r.concurrency.as_ref())
        .map(|c| c.value);
    let page = RecipePage {
        layout: layout(&state, &caller, "Recipe").await?,
        flow,
        concurrency,
        source: record.source.clone(),
        recipe: RecipeRow::of(&record),
        versions,
        runs: recent.iter().map(RunRow::of).collect(),
        endpoint,
        can_edit,
        can_run: caller.user.role.allows(Permission::RunRecipes),
    };
    render(page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "recipe_edit.html")]
struct EditPage {
    layout: super::Layout,
    /// The recipe being edited; empty for a new one.
    name: String,
    source: String,
    problems: Vec<String>,
    notice: String,
    /// What the recipe may do and who may change it (after a check).
    privilege: String,
    /// The hub's connections, to pick the recipe's from, and the one the file names.
    connections: Vec<String>,
    connection: String,
    /// Where the hub serves the recipe files' JSON Schema.
    schema_url: String,
    /// The sample event of a try, as sent (JSON).
    event: String,
    /// What a try did with each step; empty before one.
    tried: Vec<TriedStep>,
}

/// One step of a try, for the editor.
pub struct TriedStep {
    pub id: String,
    pub action: String,
    /// ran, skipped, not_run or failed.
    pub outcome: &'static str,
    pub input: String,
    pub output: String,
    pub error: String,
}

impl TriedStep {
    fn of(w: &weft_hub::recipes::testing::Walked) -> TriedStep {
        use weft_hub::recipes::testing::Outcome;
        // A step's answer may be large; the page shows its start.
        let shown = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .map(|v| {
                    let text = serde_json::to_string_pretty(v).unwrap_or_default();
                    if text.len() > 4000 {
                        let cut = (0..=4000)
                            .rev()
                            .find(|i| text.is_char_boundary(*i))
                            .unwrap_or(0);
                        format!("{}\n… ({} bytes in all)", &text[..cut], text.len())
                    } else {
                        text
                    }
                })
                .unwrap_or_default()
        };
        TriedStep {
            id: w.id.clone(),
            action: w.action.clone(),
            outcome: match w.outcome {
                Outcome::Ran => "ran",
                Outcome::Skipped => "skipped",
                Outcome::NotRun => "not_run",
                Outcome::Failed => "failed",
            },
            input: shown(&w.input),
            output: shown(&w.output),
            error: w.error.clone().unwrap_or_default(),
        }
    }
}

/// The `connection:` a recipe file names, read from its text (the file may not parse yet).
fn named_connection(source: &str) -> String {
    source
        .lines()
        .find_map(|l| l.strip_prefix("connection:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_owned())
        .unwrap_or_default()
}

/// The file with its top-level `connection:` set to `name` (added when missing).
fn with_connection(source: &str, name: &str) -> String {
    let mut found = false;
    let mut lines: Vec<String> = source
        .lines()
        .map(|l| {
            if !found && l.starts_with("connection:") {
                found = true;
                format!("connection: {name}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    if !found {
        lines.insert(0, format!("connection: {name}"));
    }
    let mut text = lines.join("\n");
    if source.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The editor's sample event: the recipe's first test's trigger, or an empty object.
fn sample_event(source: &str) -> String {
    weft_core::recipe::parse("recipe", source)
        .ok()
        .and_then(|r| r.tests.first().map(|t| t.trigger.clone()))
        .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
        .unwrap_or_else(|| "{}".to_owned())
}

async fn connection_names(state: &AppState) -> Result<Vec<String>, HubError> {
    Ok(weft_hub::connections::list(&state.hub)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

fn schema_url(state: &AppState) -> String {
    format!("{}/schemas/recipe.schema.json", state.hub.policy.public_url)
}

const NEW_RECIPE: &str = "\
# yaml-language-server: $schema=SCHEMA_URL
name: my-recipe
description: What this recipe does, for the next person.
connection: CONNECTION-NAME
trigger:
  wrike:
    events: [TaskCreated]
steps:
  - id: task
    action: wrike.get_task
    input:
      id: \"{{ trigger.taskId }}\"
";

pub async fn new_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> PageResult {
    let connections = connection_names(&state).await?;
    let mut source = NEW_RECIPE.replace("SCHEMA_URL", &schema_url(&state));
    if let Some(first) = connections.first() {
        source = with_connection(&source, first);
    }
    let page = EditPage {
        layout: layout(&state, &caller, "New recipe").await?,
        name: String::new(),
        connection: named_connection(&source),
        event: sample_event(&source),
        source,
        problems: Vec::new(),
        notice: String::new(),
        privilege: String::new(),
        connections,
        schema_url: schema_url(&state),
        tried: Vec::new(),
    };
    render(page, StatusCode::OK)
}

pub async fn edit_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    let record = library::find(&state.hub, &name).await?;
    let privilege = weft_hub::recipes::records::parsed(&record)
        .map(|r| {
            format!(
                "This recipe {}.",
                weft_hub::recipes::privilege::privilege_note(&r)
            )
        })
        .unwrap_or_default();
    let page = EditPage {
        layout: layout(&state, &caller, "Edit recipe").await?,
        name: record.name,
        connection: named_connection(&record.source),
        event: sample_event(&record.source),
        source: record.source,
        problems: Vec::new(),
        notice: String::new(),
        privilege,
        connections: connection_names(&state).await?,
        schema_url: schema_url(&state),
        tried: Vec::new(),
    };
    render(page, StatusCode::OK)
}

/// Checks the posted file (`check`) or saves it as a new version (`save`). Problems come
/// back on the same page with the text as it was sent.
async fn check_or_save(
    state: &AppState,
    caller: &Caller,
    editing: Option<&str>,
    form: &FormData,
) -> PageResult {
    let mut source = form.raw("source").replace("\r\n", "\n");
    // The connection picked from the list wins over the one typed in the file.
    let picked = form.get("connection_pick");
    if !picked.is_empty() && picked != named_connection(&source) {
        source = with_connection(&source, &picked);
    }
    let event_text = form.raw("event");
    let file = SourceFile {
        file: editing.map_or_else(|| "new recipe".to_owned(), |n| format!("{n}.yaml")),
        source: source.clone(),
    };
    let mut problems: Vec<String> = Vec::new();
    let mut checked = None;
    match library::check_files_bounded(&state.hub, std::slice::from_ref(&file)).await? {
        Err(all) => problems.extend(
            all.iter()
                .flat_map(|p| p.to_string().lines().map(str::to_owned).collect::<Vec<_>>()),
        ),
        Ok(mut ok) => {
            let c = ok.remove(0);
            problems.extend(library::check_in_hub(&state.hub, &c).await);
            if let Some(name) = editing
                && c.recipe.name.value != name
            {
                problems.push(format!(
                    "the file names the recipe {:?}; this page edits {name:?} (a new name is a new recipe)",
                    c.recipe.name.value
                ));
            }
            checked = Some(c);
        }
    }
    let mut tried = Vec::new();
    if form.get("action") == "try"
        && problems.is_empty()
        && let Some(c) = &checked
    {
        match serde_json::from_str::<serde_json::Value>(if event_text.trim().is_empty() {
            "{}"
        } else {
            event_text.as_str()
        }) {
            Err(e) => problems.push(format!("the sample event is not JSON: {e}")),
            Ok(event) => match weft_hub::recipes::testing::try_event(&state.hub, c, &event).await {
                Ok(walked) => tried = walked.iter().map(TriedStep::of).collect(),
                Err(HubError::NotFound { what }) => problems.push(format!("{what} not found")),
                Err(other) => return Err(other.into()),
            },
        }
    }
    let save = form.get("action") == "save";
    if problems.is_empty()
        && save
        && let Some(c) = &checked
    {
        match library::save(&state.hub, &caller.acting(), c).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/recipes/{}", c.recipe.name.value)).into_response()
                );
            }
            Err(HubError::Invalid(message) | HubError::Forbidden(message)) => {
                problems.push(message)
            }
            Err(other) => return Err(other.into()),
        }
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let connection = named_connection(&source);
    let event = if event_text.trim().is_empty() {
        sample_event(&source)
    } else {
        event_text
    };
    let page = EditPage {
        layout: layout(
            state,
            caller,
            if editing.is_some() {
                "Edit recipe"
            } else {
                "New recipe"
            },
        )
        .await?,
        name: editing.unwrap_or_default().to_owned(),
        source,
        privilege: checked
            .as_ref()
            .map(|c| {
                format!(
                    "This recipe {}.",
                    weft_hub::recipes::privilege::privilege_note(&c.recipe)
                )
            })
            .unwrap_or_default(),
        notice: if problems.is_empty() {
            if tried.is_empty() {
                "The file is valid.".into()
            } else {
                "The file is valid; below is what each step would be given with the sample event (steps that only read ran on the connection; nothing was changed or sent).".into()
            }
        } else {
            String::new()
        },
        problems,
        connection,
        connections: connection_names(state).await?,
        schema_url: schema_url(state),
        event,
        tried,
    };
    render(page, status)
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> PageResult {
    check_or_save(&state, &caller, None, &form).await
}

pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    form: FormData,
) -> PageResult {
    library::find(&state.hub, &name).await?;
    check_or_save(&state, &caller, Some(&name), &form).await
}

/// The recipe's current file, to save into the git repository (`weft recipes export` does
/// the same for all of them).
pub async fn download(State(state): State<AppState>, Path(name): Path<String>) -> PageResult {
    let record = library::find(&state.hub, &name).await?;
    let disposition = format!("attachment; filename=\"{}.yaml\"", record.name);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/yaml; charset=utf-8".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        record.source,
    )
        .into_response())
}

pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    library::start(&state.hub, &caller.acting(), &name).await?;
    Ok(Redirect::to(&format!("/recipes/{name}")).into_response())
}

/// "Restore" on a version of the recipe's page: that version's text becomes the newest.
pub async fn restore(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((name, version)): Path<(String, i64)>,
) -> PageResult {
    library::restore(&state.hub, &caller.acting(), &name, version).await?;
    Ok(Redirect::to(&format!("/recipes/{name}")).into_response())
}

/// "Run now" on a scheduled recipe's page: the new run's page.
pub async fn run_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    let started = library::run_now(&state.hub, &caller.acting(), &name, None).await?;
    Ok(Redirect::to(&format!("/runs/{}", started.run_id())).into_response())
}

pub async fn stop(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
) -> PageResult {
    library::stop(&state.hub, &caller.acting(), &name).await?;
    Ok(Redirect::to(&format!("/recipes/{name}")).into_response())
}

/// One line of a diff, with its kind for colour.
pub struct DiffLine {
    pub kind: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "recipe_diff.html")]
struct DiffPage {
    layout: super::Layout,
    name: String,
    from: i64,
    to: i64,
    lines: Vec<DiffLine>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

pub async fn diff(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    Query(q): Query<DiffQuery>,
) -> PageResult {
    let text = library::version_diff(&state.hub, &name, q.from, q.to).await?;
    let lines = text
        .lines()
        .map(|l| DiffLine {
            kind: if l.starts_with("+++") || l.starts_with("---") || l.starts_with("@@") {
                "meta"
            } else if l.starts_with('+') {
                "added"
            } else if l.starts_with('-') {
                "removed"
            } else {
                "same"
            },
            text: l.to_owned(),
        })
        .collect();
    let page = DiffPage {
        layout: layout(&state, &caller, "Recipe diff").await?,
        name,
        from: q.from,
        to: q.to,
        lines,
    };
    render(page, StatusCode::OK)
}

/// One run as lists show it.
pub struct RunRow {
    pub id: i64,
    pub recipe: String,
    pub version: i64,
    pub status: &'static str,
    /// `<time>` elements (HTML the hub wrote, shown unescaped).
    pub created: String,
    pub finished: String,
    pub error: String,
    /// Who or what started the run, for people.
    pub started_by: String,
    /// The run's event key (what makes a repeated event start nothing twice).
    pub event_key: String,
    /// Who started it by hand, and whether they wrote its event (empty for a trigger).
    pub by_hand: String,
}

impl RunRow {
    fn of(r: &Run) -> RunRow {
        RunRow {
            id: r.id,
            recipe: r.recipe_name.clone(),
            version: r.version,
            status: r.status.as_str(),
            created: super::time_element(r.created_ms.div_euclid(1000)),
            finished: r
                .finished_ms
                .map(|ms| super::time_element(ms.div_euclid(1000)))
                .unwrap_or_default(),
            error: r.error.clone().unwrap_or_default(),
            started_by: weft_hub::recipes::event_key::describe_start(r),
            event_key: r.event_key.clone(),
            by_hand: match (&r.started_by, r.hand_made) {
                (Some(who), true) => format!("{who}, with a trigger event written by hand"),
                (Some(who), false) => who.clone(),
                (None, true) => "a trigger event written by hand".into(),
                (None, false) => String::new(),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "runs.html")]
struct RunsPage {
    layout: super::Layout,
    rows: Vec<RunRow>,
    statuses: Vec<&'static str>,
    recipe: String,
    status: String,
    since: String,
    until: String,
    next_before: Option<i64>,
    error: String,
}

pub async fn runs_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<RunQuery>,
) -> PageResult {
    let (rows, next_before, error, status) = match q.filter(&state).await {
        Ok(filter) => {
            let found = runs::list(&state.hub, &filter).await?;
            let next = (found.len() as i64 == filter.limit)
                .then(|| found.last().map(|r| r.id))
                .flatten();
            (
                found.iter().map(RunRow::of).collect(),
                next,
                String::new(),
                StatusCode::OK,
            )
        }
        Err(e) => (Vec::new(), None, e.message, StatusCode::BAD_REQUEST),
    };
    let page = RunsPage {
        layout: layout(&state, &caller, "Runs").await?,
        rows,
        statuses: RunStatus::ALL.iter().map(|s| s.as_str()).collect(),
        recipe: q.recipe.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        since: q.since.unwrap_or_default(),
        until: q.until.unwrap_or_default(),
        next_before,
        error,
    };
    render(page, status)
}

/// One step attempt in a run's timeline.
pub struct StepRow {
    pub number: i64,
    pub step_id: String,
    pub attempt: i64,
    pub status: &'static str,
    pub started: String,
    pub took: String,
    pub input: String,
    pub output: String,
    pub error: String,
}

impl StepRow {
    fn of(s: &StepAttempt) -> StepRow {
        let pretty = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
                .unwrap_or_default()
        };
        StepRow {
            number: s.step_index + 1,
            step_id: s.step_id.clone(),
            attempt: s.attempt,
            status: s.status.as_str(),
            started: millis(s.started_ms),
            took: s
                .finished_ms
                .map(|f| format!("{} ms", f - s.started_ms))
                .unwrap_or_default(),
            input: pretty(&s.input),
            output: pretty(&s.output),
            error: s.error.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    layout: super::Layout,
    run: RunRow,
    trigger: String,
    rerun_of: Option<i64>,
    steps: Vec<StepRow>,
    can_rerun: bool,
    can_cancel: bool,
    awaiting_approval: bool,
    approval: Option<Approval>,
}

/// What a waiting approval asks, in words and a table, beside its buttons.
struct Approval {
    question: String,
    /// People the approval is about (when its details list them): name, e-mail, user type,
    /// days idle, cost a year.
    people: Vec<[String; 5]>,
    total: usize,
    shown_from: usize,
    next: String,
    previous: String,
    /// Details that are not a list of people, as JSON.
    other_details: String,
}

/// People in an approval's table per page.
const APPROVAL_PAGE: usize = 25;

/// The approval a run waits on: its message, and its details as a readable, paged table
/// when they list people (the idle review's users), priced at the connection's costs.
async fn approval_of(
    state: &AppState,
    run: &weft_store::Run,
    step: &StepAttempt,
    offset: usize,
) -> Result<Approval, crate::error::ApiError> {
    let input = step.input.clone().unwrap_or_default();
    let question = input
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("Approve this run?")
        .to_owned();
    let details = input
        .get("details")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let list = details.as_array().filter(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|i| i.get("name").is_some() || i.get("id").is_some())
    });
    let Some(items) = list else {
        return Ok(Approval {
            question,
            people: Vec::new(),
            total: 0,
            shown_from: 0,
            next: String::new(),
            previous: String::new(),
            other_details: if details.is_null() {
                String::new()
            } else {
                serde_json::to_string_pretty(&details).unwrap_or_default()
            },
        });
    };
    // The costs of the recipe's connection, to price each person's seat.
    let mut costs = None;
    if let Some(recipe) = weft_hub::recipes::library::lookup(&state.hub, &run.recipe_name).await?
        && let Ok(connection) =
            weft_hub::connections::find(&state.hub, &recipe.connection_name).await
    {
        costs = weft_hub::usage::reports::renewal(&state.hub, &connection).await?;
    }
    let now = state.hub.clock.now_s();
    let text =
        |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let offset = offset.min(items.len());
    let people = items
        .iter()
        .skip(offset)
        .take(APPROVAL_PAGE)
        .map(|i| {
            let idle = match i.get("lastActivityAt").and_then(|v| v.as_i64()) {
                Some(at) => format!("{}", (now - at).max(0) / 86_400),
                None => "never active".to_owned(),
            };
            let type_id = i.get("userTypeId").and_then(|v| v.as_str());
            let cost = costs.as_ref().map_or_else(String::new, |r| {
                let cents = type_id
                    .and_then(|t| r.type_costs.get(t).copied())
                    .unwrap_or(r.seat_cost_cents);
                weft_core::usage::money(cents, &r.currency)
            });
            [
                text(i.get("name")),
                text(i.get("email")),
                text(i.get("userType")),
                idle,
                cost,
            ]
        })
        .collect();
    Ok(Approval {
        question,
        people,
        total: items.len(),
        shown_from: offset + 1,
        next: if offset + APPROVAL_PAGE < items.len() {
            format!("?offset={}", offset + APPROVAL_PAGE)
        } else {
            String::new()
        },
        previous: if offset > 0 {
            format!("?offset={}", offset.saturating_sub(APPROVAL_PAGE))
        } else {
            String::new()
        },
        other_details: String::new(),
    })
}

pub async fn run_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let run = runs::get(&state.hub, id).await?;
    let steps = runs::steps(&state.hub, id).await?;
    let role = caller.user.role;
    let offset = q
        .iter()
        .find(|(n, _)| n == "offset")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let approval = match steps.last() {
        Some(step) if run.status == RunStatus::Waiting && step.status == StepStatus::Waiting => {
            Some(approval_of(&state, &run, step, offset).await?)
        }
        _ => None,
    };
    let page = RunPage {
        approval,
        layout: layout(&state, &caller, "Run").await?,
        trigger: serde_json::to_string_pretty(&run.trigger_event).unwrap_or_default(),
        rerun_of: run.rerun_of,
        can_rerun: role.allows(Permission::RerunJobs)
            && matches!(run.status, RunStatus::Failed | RunStatus::Cancelled),
        can_cancel: role.allows(Permission::RerunJobs) && !run.status.is_final(),
        awaiting_approval: role.allows(Permission::ApproveRuns)
            && run.status == RunStatus::Waiting
            && steps
                .last()
                .is_some_and(|s| s.status == StepStatus::Waiting),
        steps: steps.iter().map(StepRow::of).collect(),
        run: RunRow::of(&run),
    };
    render(page, StatusCode::OK)
}

pub async fn rerun(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> PageResult {
    let new = runs::rerun(&state.hub, &caller.acting(), id).await?;
    Ok(Redirect::to(&format!("/runs/{}", new.id)).into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> PageResult {
    runs::cancel(&state.hub, &caller.acting(), id).await?;
    Ok(Redirect::to(&format!("/runs/{id}")).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    form: FormData,
) -> PageResult {
    let note = Some(form.get("note")).filter(|n| !n.is_empty());
    runs::decide(&state.hub, &caller.acting(), id, true, note.as_deref()).await?;
    Ok(Redirect::to(&format!("/runs/{id}")).into_response())
}

pub async fn reject(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    form: FormData,
) -> PageResult {
    let note = Some(form.get("note")).filter(|n| !n.is_empty());
    runs::decide(&state.hub, &caller.acting(), id, false, note.as_deref()).await?;
    Ok(Redirect::to(&format!("/runs/{id}")).into_response())
}
