//! Runs: a trigger event becomes a run (stored with its job before the event is
//! acknowledged), and the `recipe.run` job takes the run from its next step to its end.
//!
//! After every step attempt the run's progress is written with the attempt, so a run whose
//! worker dies resumes at the step it was on; a step that creates something in Wrike first
//! looks for what the lost attempt may have made. A failing step is retried by its own
//! policy through a new job at the time of its next attempt (nothing waits in memory), and
//! a run that needs a person (an approval) or a repaired connection waits as a stored state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use weft_core::recipe::ActionKind;

use serde_json::{Map, Value, json};
use weft_core::health::HealthState;
use weft_core::recipe::{self, OnError, Recipe, Scope};
use weft_store::{
    Connection, FinishedStep, NewJob, NewRun, RecipeRecord, RecipeState, RetryPolicy, Run,
    RunFilter, RunStarted, RunStatus, StepAttempt, StepOutcome, StepStatus, StoreError,
};

use super::actions::{self, ActionContext, ActionError, FailureKind};
use super::prepare::{Prepared, json_size, prepare, shown, template_scope};
use super::records;
use crate::error::{HubError, HubResult};
use crate::runtime::handlers::{JobContext, JobError, JobResult};
use crate::{Actor, Hub, connections, trail};

/// Job kind that runs a run from its next step.
pub const RUN: &str = "recipe.run";

/// How long a run of a paused recipe waits before it looks at its connection again.
const PAUSED_RECHECK_MS: i64 = 60_000;
/// How long a probe's finding that a connection is broken is taken as it is.
const RECENT_PROBE_S: i64 = 60;
/// Default time an approval waits.
const APPROVAL_HOURS: i64 = 72;

/// The job that carries a run on; `tag` makes each continuation a job of its own.
fn run_job(run_id: i64, tag: &str, run_at_ms: i64, origin: &str) -> NewJob {
    NewJob {
        kind: RUN.into(),
        payload: json!({"run": run_id}),
        dedupe_key: Some(format!("recipe-run:{run_id}:{tag}")),
        origin: origin.to_owned(),
        priority: 0,
        run_at_ms,
        // For the hub's own failures (the database unreachable, a worker killed); Wrike's
        // failures are retried by the step's policy.
        retry: RetryPolicy {
            max_attempts: 10,
            backoff_ms: 2_000,
            backoff_max_ms: 300_000,
        },
    }
}

/// Starts a run of `record`'s current version for one trigger event, unless the event
/// already started one. The event is kept with secrets redacted (see `redact`), and the
/// run reads it as kept.
pub async fn start(
    hub: &Hub,
    record: &RecipeRecord,
    event_key: &str,
    event: Value,
    origin: &str,
) -> HubResult<RunStarted> {
    start_as(hub, record, event_key, event, origin, None).await
}

/// Who started a run by hand, and whether they wrote its event themselves.
#[derive(Debug, Clone, Copy)]
pub struct ByHand<'a> {
    pub by: &'a str,
    pub hand_made: bool,
}

/// `start`, recording who started the run by hand.
pub async fn start_as(
    hub: &Hub,
    record: &RecipeRecord,
    event_key: &str,
    event: Value,
    origin: &str,
    by_hand: Option<ByHand<'_>>,
) -> HubResult<RunStarted> {
    let now = hub.clock.now_ms();
    let event = hub.secrets.redact(&event);
    let started = hub
        .store
        .recipes()
        .start_run(
            &NewRun {
                recipe_id: record.id,
                version: record.version,
                event_key,
                trigger_event: &event,
                next_step: 0,
                outputs: &json!({}),
                rerun_of: None,
                started_by: by_hand.map(|b| b.by),
                hand_made: by_hand.is_some_and(|b| b.hand_made),
            },
            // The store gives the job its payload and dedupe key once the run has its id.
            &run_job(0, "0", now, origin),
            now,
        )
        .await?;
    if matches!(started, RunStarted::New { .. }) {
        metrics::counter!("weft_recipe_runs_started_total", "recipe" => record.name.clone())
            .increment(1);
        hub.wake.notify_waiters();
    }
    Ok(started)
}

/// Counts a run's end for `/metrics`: by recipe and status, with its time from start to end.
fn observe_end(hub: &Hub, run: &Run, status: RunStatus) {
    if !status.is_final() {
        return;
    }
    let recipe = run.recipe_name.clone();
    metrics::counter!("weft_recipe_runs_finished_total", "recipe" => recipe.clone(), "status" => status.as_str())
        .increment(1);
    let seconds = (hub.clock.now_ms() - run.created_ms).max(0) as f64 / 1000.0;
    metrics::histogram!("weft_recipe_run_seconds", "recipe" => recipe).record(seconds);
}

/// Parsed recipe versions by their text.
type VersionCache = Mutex<HashMap<String, Arc<Recipe>>>;

/// Parsed recipe versions, shared by this process's runs. Keyed by the text itself: ids and
/// version numbers are only unique within one database, and a process may serve several.
fn cached(source: &str, version: i64, name: &str) -> HubResult<Arc<Recipe>> {
    static CACHE: OnceLock<VersionCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(source) {
        return Ok(hit.clone());
    }
    let parsed = recipe::parse(&format!("hub/{name} v{version}"), source)
        .map_err(|p| HubError::Internal(format!("a stored recipe version does not parse: {p}")))?;
    let parsed = Arc::new(parsed);
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() > 1_000 {
        map.clear();
    }
    map.insert(source.to_owned(), parsed.clone());
    Ok(parsed)
}

async fn version_of(hub: &Hub, run: &Run) -> HubResult<Arc<Recipe>> {
    let version = hub
        .store
        .recipes()
        .version(run.recipe_id, run.version)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("version {} of recipe {}", run.version, run.recipe_name),
        })?;
    cached(&version.source, run.version, &run.recipe_name)
}

/// The `recipe.run` job.
pub async fn handle(ctx: JobContext) -> JobResult {
    let hub = &ctx.hub;
    let run_id = ctx.job.payload["run"]
        .as_i64()
        .ok_or_else(|| JobError::Permanent("the payload has no run".into()))?;
    // One read: the run, its recipe version's text and the recipe's state.
    let Some(work) = hub
        .store
        .recipes()
        .run_to_work(run_id)
        .await
        .map_err(HubError::from)?
    else {
        return Ok(Some(json!({"skipped": "the run was removed"})));
    };
    let run = work.run;
    if run.status.is_final() {
        return Ok(Some(
            json!({"skipped": format!("the run is {}", run.status.as_str())}),
        ));
    }
    let recipe = cached(&work.source, run.version, &run.recipe_name)?;
    // A run still queued has no attempts yet (its first one marks it running).
    let steps = if run.status == RunStatus::Queued {
        Vec::new()
    } else {
        hub.store
            .recipes()
            .steps(run_id)
            .await
            .map_err(HubError::from)?
    };

    if let Some(seq) = ctx
        .job
        .payload
        .get("approvalTimeout")
        .and_then(Value::as_i64)
    {
        return approval_timed_out(hub, &run, &recipe, &steps, seq).await;
    }
    if run.status == RunStatus::Waiting
        && steps
            .last()
            .is_some_and(|s| s.status == StepStatus::Waiting)
    {
        return Ok(Some(json!({"skipped": "the run waits for an approval"})));
    }

    let connection = connections::find(hub, &recipe.connection.value).await.ok();
    if work.recipe_state == RecipeState::Paused {
        let healthy = connection
            .as_ref()
            .and_then(|c| c.health.as_ref())
            .is_some_and(|h| h.state == weft_core::health::HealthState::Healthy);
        if !healthy {
            wait_for_connection(hub, &run, &ctx.job.origin).await?;
            return Ok(Some(json!({"waiting": "the recipe is paused"})));
        }
        if let Some(record) = hub
            .store
            .recipes()
            .get(run.recipe_id)
            .await
            .map_err(HubError::from)?
        {
            records::set_state(hub, "weft", &record, RecipeState::Running, None).await?;
        }
    }

    // A recipe with `concurrency` starts a queued run only while it has a slot free, on
    // whichever instance asks; otherwise the run stays queued and asks again shortly.
    let mut slot_taken = false;
    if run.status == RunStatus::Queued
        && let Some(limit) = &recipe.concurrency
    {
        let now = hub.clock.now_ms();
        slot_taken = hub
            .store
            .recipes()
            .claim_run_slot(run_id, run.recipe_id, i64::from(limit.value), now)
            .await
            .map_err(HubError::from)?;
        if !slot_taken {
            let tag = format!("slot-{}", now / SLOT_RECHECK_MS);
            hub.store
                .jobs()
                .enqueue(
                    &run_job(run.id, &tag, now + SLOT_RECHECK_MS, &ctx.job.origin),
                    now,
                )
                .await
                .map_err(HubError::from)?;
            return Ok(Some(json!({
                "waiting": format!("the recipe runs at most {} at once", limit.value)
            })));
        }
    }

    let mut runner = Runner::new(
        hub,
        &run,
        &recipe,
        connection.as_ref(),
        format!("job {}", ctx.job.id),
    );
    runner.job = Some(&ctx);
    runner.running |= slot_taken;
    // A secret the hub no longer has leaves its templates undefined: the step that reads
    // it fails, naming it.
    match super::secrets::open(hub, recipe.secret_names()).await {
        Ok(opened) => runner.secrets = opened,
        Err(HubError::Invalid(why)) => {
            tracing::warn!(run = run_id, %why, "a recipe secret is missing")
        }
        Err(other) => return Err(other.into()),
    }
    let mut index = run.next_step.max(0) as usize;
    let mut first = true;
    while index < recipe.steps.len() {
        if ctx.stop.is_cancelled() {
            // The lease is gone or the hub is stopping: whoever runs the job next resumes here.
            return Err(JobError::Retry("stopped between steps".into()));
        }
        // Someone may cancel the run while it runs: looked at between steps.
        if !first
            && let Some(current) = hub
                .store
                .recipes()
                .run(run_id)
                .await
                .map_err(HubError::from)?
            && current.status == RunStatus::Cancelled
        {
            return Ok(Some(json!({"cancelled": true})));
        }
        first = false;
        match runner.step(index, &steps).await? {
            Next::Step(next) => index = next,
            Next::Done => break,
            Next::Wait(why) => return Ok(Some(json!({"waiting": why}))),
            Next::Failed(error) => return Ok(Some(json!({"failed": error}))),
        }
    }
    // A run taken up past its last step (an approval that was its last) ends here.
    if run.next_step.max(0) as usize >= recipe.steps.len() {
        hub.store
            .recipes()
            .set_run_status(run_id, RunStatus::Succeeded, None, hub.clock.now_ms())
            .await
            .map_err(HubError::from)?;
        observe_end(hub, &run, RunStatus::Succeeded);
    }
    Ok(Some(json!({"run": run_id, "succeeded": true})))
}

/// How long a queued run of a recipe at its `concurrency` waits before it asks again.
const SLOT_RECHECK_MS: i64 = 1_000;

/// A run of a paused recipe looks again later.
async fn wait_for_connection(hub: &Hub, run: &Run, origin: &str) -> HubResult<()> {
    let now = hub.clock.now_ms();
    hub.store
        .recipes()
        .set_run_status(run.id, RunStatus::Waiting, None, now)
        .await?;
    let tag = format!("paused-{}", now / PAUSED_RECHECK_MS);
    hub.store
        .jobs()
        .enqueue(&run_job(run.id, &tag, now + PAUSED_RECHECK_MS, origin), now)
        .await?;
    Ok(())
}

enum Next {
    Step(usize),
    Done,
    Wait(String),
    Failed(String),
}

struct Runner<'a> {
    hub: &'a Hub,
    run: &'a Run,
    recipe: &'a Recipe,
    connection: Option<&'a Connection>,
    outputs: Map<String, Value>,
    origin: String,
    /// The run is marked running (its first attempt here marks it).
    running: bool,
    /// The job running the run, when a worker runs it: the write that ends the run also
    /// completes the job, one transaction instead of two.
    job: Option<&'a JobContext>,
    /// Its writes decide an attempt that waits (an approval, its timeout): they are made
    /// only while the attempt and the run still wait.
    decision: bool,
    /// The recipe secrets its templates read, opened for this run.
    secrets: Vec<super::secrets::OpenSecret>,
}

impl<'a> Runner<'a> {
    fn new(
        hub: &'a Hub,
        run: &'a Run,
        recipe: &'a Recipe,
        connection: Option<&'a Connection>,
        origin: String,
    ) -> Runner<'a> {
        Runner {
            hub,
            run,
            recipe,
            connection,
            outputs: run.outputs.as_object().cloned().unwrap_or_default(),
            origin,
            running: run.status == RunStatus::Running,
            job: None,
            decision: false,
            secrets: Vec::new(),
        }
    }

    fn scope(&self) -> Scope {
        template_scope(
            &self.run.trigger_event,
            &self.outputs,
            &self.run.recipe_name,
            self.run.version,
            self.run.id,
            &super::secrets::scope_value(&self.secrets),
        )
    }

    /// Keeps a step's output for the steps after it, redacted as it is stored: a later
    /// step reads the same whether the run went on in this process or resumed in another.
    /// Refused when the run's outputs would outgrow their bound.
    fn keep_output(&mut self, id: &str, output: &Value) -> Result<(), String> {
        let limits = &self.hub.policy.recipe_limits;
        let size = json_size(output);
        if size > limits.max_step_bytes {
            return Err(limits.output_exceeded(id, size));
        }
        let total = json_size(&self.outputs) + size;
        if total > limits.max_run_bytes {
            return Err(limits.run_exceeded(id, total));
        }
        self.outputs.insert(id.to_owned(), output.clone());
        Ok(())
    }

    fn outputs_value(&self) -> Value {
        Value::Object(self.outputs.clone())
    }

    /// The run's status once it is to go on at step `next`: done after the last step.
    fn after(&self, next: usize) -> RunStatus {
        if next >= self.recipe.steps.len() {
            RunStatus::Succeeded
        } else {
            RunStatus::Running
        }
    }

    /// After a step's write: a run that ended there completed its job too.
    fn ended(&self, run_status: RunStatus) {
        if let Some(job) = self.job.filter(|_| run_status.is_final()) {
            job.mark_completed();
        }
        observe_end(self.hub, self.run, run_status);
    }

    /// Writes a step attempt whole (see `record_step`) with the run's progress.
    #[allow(clippy::too_many_arguments)]
    async fn record_whole(
        &mut self,
        index: usize,
        attempt: i64,
        input: Option<&Value>,
        started_ms: i64,
        status: StepStatus,
        output: Option<&Value>,
        run_status: RunStatus,
        next_step: usize,
    ) -> HubResult<()> {
        let step_id = self.recipe.steps[index].id.value.clone();
        self.hub
            .store
            .recipes()
            .record_step(
                &FinishedStep {
                    step_index: index as i64,
                    step_id: &step_id,
                    attempt,
                    input,
                    started_ms,
                },
                &StepOutcome {
                    run_id: self.run.id,
                    seq: 0,
                    status,
                    output,
                    error: None,
                    run_status,
                    next_step: next_step as i64,
                    outputs: &self.outputs_value(),
                    run_error: None,
                    then: None,
                    completes: self.job.map(|j| &j.lease),
                },
                self.hub.clock.now_ms(),
            )
            .await?;
        self.ended(run_status);
        self.running = true;
        Ok(())
    }

    /// Fails step `index` before it runs (a template that cannot be evaluated, a bound
    /// crossed): the same would happen on every attempt.
    async fn refuse(
        &mut self,
        index: usize,
        attempt: i64,
        now: i64,
        message: &str,
    ) -> HubResult<Next> {
        let id = &self.recipe.steps[index].id.value;
        let seq = self
            .hub
            .store
            .recipes()
            .begin_step(
                self.run.id,
                index as i64,
                id,
                attempt,
                None,
                !self.running,
                now,
            )
            .await?;
        self.fail_for_good(index, seq, message).await
    }

    /// Runs step `index` once and says where the run goes next.
    async fn step(&mut self, index: usize, history: &[StepAttempt]) -> HubResult<Next> {
        let hub = self.hub;
        let store = hub.store.recipes();
        let step = &self.recipe.steps[index];
        let id = step.id.value.clone();
        let previous: Vec<&StepAttempt> = history
            .iter()
            .filter(|a| a.step_index == index as i64)
            .collect();
        let attempt = previous
            .iter()
            .filter(|a| matches!(a.status, StepStatus::Failed | StepStatus::Running))
            .count() as i64
            + 1;
        let now = hub.clock.now_ms();

        let prepared = prepare(step, &self.scope(), &hub.policy.recipe_limits);
        let (inputs, each) = match prepared {
            Prepared::Skipped => {
                self.outputs.insert(id.clone(), Value::Null);
                self.record_whole(
                    index,
                    attempt,
                    None,
                    now,
                    StepStatus::Skipped,
                    None,
                    self.after(index + 1),
                    index + 1,
                )
                .await?;
                return Ok(Next::Step(index + 1));
            }
            Prepared::Refused(message) => {
                // A template that cannot be evaluated, or a bound crossed, fails the same
                // way on every attempt.
                let message = hub.secrets.scrub(&message).into_owned();
                return self.refuse(index, attempt, now, &message).await;
            }
            Prepared::Run { inputs, each } => (inputs, each),
        };
        // What is stored and shown of the input, and what actions that only compute take
        // in: secrets redacted. The secrets the step is given are taken out of what it
        // hands back as well (an answer or an error may repeat them).
        let given_input = shown(&inputs, each);
        let given = weft_core::redact::secrets_in(&given_input);
        let shown_input = hub.secrets.redact_with(&given_input, &given);
        // Steps that reach nothing outside the hub are written whole, in one transaction:
        // cut off half-way, they are simply run again.
        // The file was checked against the catalog when stored; a version from before an
        // action was removed fails here, by name.
        let Some(action) = recipe::action(&step.action.value) else {
            let message = format!("{} is not an action this hub knows", step.action.value);
            return self.refuse(index, attempt, now, &message).await;
        };
        if matches!(action.kind, ActionKind::ControlStop | ActionKind::Map) {
            // `control.stop` ends the run here, successfully; `map` outputs its input.
            let stop = action.kind == ActionKind::ControlStop;
            let output = if stop {
                json!({"stopped": true})
            } else {
                shown_input.clone()
            };
            let (run_status, next) = if stop {
                (RunStatus::Succeeded, Next::Done)
            } else {
                (self.after(index + 1), Next::Step(index + 1))
            };
            if let Err(message) = self.keep_output(&id, &output) {
                return self.refuse(index, attempt, now, &message).await;
            }
            let input = shown_input;
            self.record_whole(
                index,
                attempt,
                Some(&input),
                now,
                StepStatus::Succeeded,
                Some(&output),
                run_status,
                index + 1,
            )
            .await?;
            return Ok(next);
        }
        let unfinished_before = previous
            .iter()
            .find(|a| a.status == StepStatus::Running)
            .map(|a| a.started_ms);
        let seq = store
            .begin_step(
                self.run.id,
                index as i64,
                &id,
                attempt,
                Some(&shown_input),
                !self.running,
                now,
            )
            .await?;
        self.running = true;
        if action.kind == ActionKind::Approval {
            return self.ask_approval(index, seq, &shown_input).await;
        }

        let ctx = ActionContext {
            hub,
            connection: self.connection,
            recipe: &self.run.recipe_name,
            privilege: self.recipe.privilege().0,
            secrets: &self.secrets,
        };
        let creates = action.creates;
        let limits = hub.policy.recipe_limits;
        let mut outputs = Vec::with_capacity(inputs.len());
        let mut output_bytes = 0;
        let mut failure: Option<ActionError> = None;
        for input in &inputs {
            // The attempt before was cut off mid-call: it may have created the thing.
            let found = match (creates, unfinished_before) {
                (true, Some(since)) => actions::find_created(&ctx, action, input, since).await,
                _ => None,
            };
            let result = match found {
                Some(existing) => Ok(existing),
                None => actions::execute(&ctx, action, input).await,
            };
            match result {
                Ok(output) => {
                    // Counted as it comes: a thousand large answers never pile up.
                    output_bytes += json_size(&output);
                    if output_bytes > limits.max_step_bytes {
                        failure = Some(ActionError::permanent(
                            limits.output_exceeded(&id, output_bytes),
                        ));
                        break;
                    }
                    outputs.push(output);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        match failure {
            None => {
                let output = hub.secrets.redact_with(
                    &if each {
                        Value::Array(outputs)
                    } else {
                        outputs.pop().unwrap_or(Value::Null)
                    },
                    &given,
                );
                if let Err(message) = self.keep_output(&id, &output) {
                    return self.fail_for_good(index, seq, &message).await;
                }
                self.finish(
                    seq,
                    StepStatus::Succeeded,
                    Some(&output),
                    None,
                    self.after(index + 1),
                    index + 1,
                    None,
                    None,
                )
                .await?;
                Ok(Next::Step(index + 1))
            }
            Some(mut error) => {
                error.message = hub.secrets.scrub_with(&error.message, &given).into_owned();
                self.failed(index, seq, attempt, error).await
            }
        }
    }

    /// A call refused the way a broken connection refuses (a 403, a scope missing) breaks
    /// the connection only when a probe confirms it: one refused call alone ("the owner
    /// cannot be deactivated", a right one endpoint lacks) is the step's own failure.
    async fn confirmed(&self, class: weft_core::health::FailureClass) -> FailureKind {
        let Some(connection) = self.connection else {
            return FailureKind::Permanent;
        };
        // Many runs meet a revoked token at once: a break found in the last minute stands,
        // and they do not each probe again.
        let now = self.hub.clock.now_s();
        if let Ok(current) = connections::by_id(self.hub, &connection.id).await
            && let Some(health) = current
                .health
                .filter(|h| h.state == HealthState::Broken && now - h.checked_at < RECENT_PROBE_S)
        {
            return FailureKind::Connection(health.class.unwrap_or(class));
        }
        match crate::health::probe(self.hub, connection).await {
            Ok(health) => match health.state {
                HealthState::Broken => FailureKind::Connection(health.class.unwrap_or(class)),
                HealthState::Degraded => FailureKind::Transient { after: None },
                HealthState::Healthy => FailureKind::Permanent,
            },
            Err(e) => {
                tracing::warn!(run = self.run.id, error = %e, "probing the connection after a refused call");
                FailureKind::Transient { after: None }
            }
        }
    }

    /// A failed attempt: retried by the step's policy when it may pass, the recipe paused
    /// when its connection broke, otherwise the step's on_error decides.
    async fn failed(
        &mut self,
        index: usize,
        seq: i64,
        attempt: i64,
        error: ActionError,
    ) -> HubResult<Next> {
        let step = &self.recipe.steps[index];
        let message = self
            .hub
            .secrets
            .scrub(&format!("{}: {}", step.id.value, error.message))
            .into_owned();
        let kind = match error.kind {
            FailureKind::Connection(class) => self.confirmed(class).await,
            other => other,
        };
        match kind {
            FailureKind::Connection(class) => {
                let now = self.hub.clock.now_ms();
                self.finish(
                    seq,
                    StepStatus::Failed,
                    None,
                    Some(&message),
                    RunStatus::Waiting,
                    index,
                    None,
                    None,
                )
                .await?;
                if let Some(record) = self.hub.store.recipes().get(self.run.recipe_id).await? {
                    let reason = format!(
                        "the connection {} is broken ({}): {}",
                        self.recipe.connection.value,
                        class.as_str(),
                        class.advice()
                    );
                    records::set_state(
                        self.hub,
                        "weft",
                        &record,
                        RecipeState::Paused,
                        Some(&reason),
                    )
                    .await?;
                }
                if let Some(connection) = self.connection {
                    let _ = crate::jobs::enqueue(
                        self.hub,
                        &self.origin,
                        crate::jobs::Request::new(
                            "health.probe",
                            json!({"connectionId": connection.id}),
                        )
                        .dedupe(format!(
                            "health.probe:{}:recipe-run-{}",
                            connection.id, self.run.id
                        )),
                    )
                    .await;
                }
                let tag = format!("paused-{}", now / PAUSED_RECHECK_MS);
                self.hub
                    .store
                    .jobs()
                    .enqueue(
                        &run_job(self.run.id, &tag, now + PAUSED_RECHECK_MS, &self.origin),
                        now,
                    )
                    .await?;
                Ok(Next::Wait(message))
            }
            FailureKind::Transient { after } => {
                let policy = step.retry.unwrap_or_default();
                if attempt < i64::from(policy.attempts) {
                    let delay_ms = after
                        .map(|d| d.as_millis() as i64)
                        .unwrap_or(0)
                        .max(policy.delay_seconds(attempt as u32) as i64 * 1000);
                    let job = run_job(
                        self.run.id,
                        &format!("retry-{seq}"),
                        self.hub.clock.now_ms() + delay_ms,
                        &self.origin,
                    );
                    self.finish(
                        seq,
                        StepStatus::Failed,
                        None,
                        Some(&message),
                        RunStatus::Waiting,
                        index,
                        None,
                        Some(&job),
                    )
                    .await?;
                    return Ok(Next::Wait(format!(
                        "{message} (attempt {attempt} of {}; next in {} s)",
                        policy.attempts,
                        delay_ms / 1000
                    )));
                }
                self.fail_for_good(index, seq, &message).await
            }
            FailureKind::Permanent => self.fail_for_good(index, seq, &message).await,
        }
    }

    /// The step failed and will not be tried again: its on_error decides the run's way.
    async fn fail_for_good(&mut self, index: usize, seq: i64, message: &str) -> HubResult<Next> {
        let step = &self.recipe.steps[index];
        let id = step.id.value.clone();
        let on_error = step
            .on_error
            .as_ref()
            .map(|o| o.value.clone())
            .unwrap_or(OnError::Fail);
        let target = match &on_error {
            OnError::Fail => None,
            OnError::Continue => Some(index + 1),
            OnError::Goto(t) => self.recipe.steps.iter().position(|s| &s.id.value == t),
        };
        let message = &self.hub.secrets.scrub(message).into_owned();
        match target {
            None => {
                self.finish(
                    seq,
                    StepStatus::Failed,
                    None,
                    Some(message),
                    RunStatus::Failed,
                    index,
                    Some(message),
                    None,
                )
                .await?;
                // Operators watch the log: a failed run says so there too (the message is
                // scrubbed of secrets above, as stored).
                tracing::warn!(
                    recipe = %self.run.recipe_name,
                    run = self.run.id,
                    step = %id,
                    error = %message,
                    "recipe run failed"
                );
                Ok(Next::Failed(message.to_owned()))
            }
            Some(next) => {
                self.outputs.insert(id.clone(), Value::Null);
                let errors = self.outputs.entry("__errors").or_insert_with(|| json!({}));
                errors[&id] = Value::String(message.to_owned());
                // Passing over the last step ends the run.
                let run_status = self.after(next);
                self.finish(
                    seq,
                    StepStatus::Failed,
                    None,
                    Some(message),
                    run_status,
                    next,
                    None,
                    None,
                )
                .await?;
                if run_status.is_final() {
                    Ok(Next::Done)
                } else {
                    Ok(Next::Step(next))
                }
            }
        }
    }

    async fn ask_approval(&mut self, index: usize, seq: i64, input: &Value) -> HubResult<Next> {
        let hours = input
            .get("timeout_hours")
            .and_then(Value::as_i64)
            .unwrap_or(APPROVAL_HOURS)
            .clamp(1, 24 * 90);
        let now = self.hub.clock.now_ms();
        let mut timeout = run_job(
            self.run.id,
            &format!("approval-timeout-{seq}"),
            now + hours * 3_600_000,
            &self.origin,
        );
        timeout.payload = json!({"run": self.run.id, "approvalTimeout": seq});
        self.finish(
            seq,
            StepStatus::Waiting,
            None,
            None,
            RunStatus::Waiting,
            index,
            None,
            Some(&timeout),
        )
        .await?;
        Ok(Next::Wait(format!(
            "approval asked; it times out after {hours} hours"
        )))
    }

    #[allow(clippy::too_many_arguments)]
    async fn finish(
        &self,
        seq: i64,
        status: StepStatus,
        output: Option<&Value>,
        error: Option<&str>,
        run_status: RunStatus,
        next_step: usize,
        run_error: Option<&str>,
        then: Option<&NewJob>,
    ) -> HubResult<()> {
        let redacted = output.map(|o| self.hub.secrets.redact(o));
        let outcome = StepOutcome {
            run_id: self.run.id,
            seq,
            status,
            output: redacted.as_ref(),
            error,
            run_status,
            next_step: next_step as i64,
            outputs: &self.outputs_value(),
            run_error,
            then,
            completes: self.job.map(|j| &j.lease),
        };
        let now = self.hub.clock.now_ms();
        let store = self.hub.store.recipes();
        if self.decision {
            store
                .decide_step(&outcome, now)
                .await
                .map_err(|e| match e {
                    StoreError::Stale { what } => HubError::Conflict(format!(
                        "{what}: another decision or a cancel came first"
                    )),
                    other => other.into(),
                })?;
        } else {
            store.finish_step(&outcome, now).await?;
        }
        self.ended(run_status);
        if then.is_some() {
            self.hub.wake.notify_waiters();
        }
        Ok(())
    }
}

async fn approval_timed_out(
    hub: &Hub,
    run: &Run,
    recipe: &Recipe,
    steps: &[StepAttempt],
    seq: i64,
) -> JobResult {
    let Some(waiting) = steps
        .iter()
        .find(|s| s.seq == seq && s.status == StepStatus::Waiting)
    else {
        return Ok(Some(json!({"skipped": "the approval was decided"})));
    };
    let mut runner = Runner::new(hub, run, recipe, None, "approval timeout".into());
    runner.decision = true;
    let message = format!("{}: the approval timed out", waiting.step_id);
    let next = match runner
        .fail_for_good(waiting.step_index as usize, seq, &message)
        .await
    {
        Ok(next) => next,
        // Decided (or cancelled) while this job waited to run.
        Err(HubError::Conflict(why)) => return Ok(Some(json!({"skipped": why}))),
        Err(e) => return Err(e.into()),
    };
    if let Next::Step(_) = next {
        let now = hub.clock.now_ms();
        hub.store
            .jobs()
            .enqueue(
                &run_job(run.id, &format!("after-{seq}"), now, "approval timeout"),
                now,
            )
            .await
            .map_err(HubError::from)?;
        hub.wake.notify_waiters();
    }
    Ok(Some(json!({"timedOut": seq})))
}

/// An Admin's or Operator's decision on a run waiting for approval (an Admin's alone when
/// the run's recipe administers users and seats). One decision wins: it is written only
/// while the run and its step still wait, so of concurrent approvals, rejections and
/// cancels exactly one takes effect and the others get a conflict.
pub async fn decide(
    hub: &Hub,
    actor: &Actor,
    run_id: i64,
    approve: bool,
    note: Option<&str>,
) -> HubResult<Run> {
    let run = get(hub, run_id).await?;
    let recipe = version_of(hub, &run).await?;
    super::privilege::require_privilege(actor, &recipe, "deciding on a run of")?;
    let actor = actor.name.as_str();
    let steps = hub.store.recipes().steps(run_id).await?;
    let Some(waiting) = steps
        .iter()
        .rev()
        .find(|s| s.status == StepStatus::Waiting)
        .filter(|_| run.status == RunStatus::Waiting)
    else {
        return Err(HubError::Conflict(format!(
            "run {run_id} is not waiting for an approval"
        )));
    };
    let mut runner = Runner::new(hub, &run, &recipe, None, format!("user {actor}"));
    runner.decision = true;
    let index = waiting.step_index as usize;
    let next = if approve {
        let output = json!({"approved": true, "decided_by": actor, "note": note});
        runner
            .outputs
            .insert(waiting.step_id.clone(), output.clone());
        // The run goes on with the decision, in its transaction.
        let go_on = run_job(
            run_id,
            &format!("decided-{}", waiting.seq),
            hub.clock.now_ms(),
            &format!("user {actor}"),
        );
        runner
            .finish(
                waiting.seq,
                StepStatus::Succeeded,
                Some(&output),
                None,
                RunStatus::Queued,
                index + 1,
                None,
                Some(&go_on),
            )
            .await?;
        Next::Wait("approved".into())
    } else {
        let message = format!(
            "{}: rejected by {actor}{}",
            waiting.step_id,
            note.map(|n| format!(": {n}")).unwrap_or_default()
        );
        runner.fail_for_good(index, waiting.seq, &message).await?
    };
    if let Next::Step(_) = next {
        let now = hub.clock.now_ms();
        hub.store
            .jobs()
            .enqueue(
                &run_job(
                    run_id,
                    &format!("decided-{}", waiting.seq),
                    now,
                    &format!("user {actor}"),
                ),
                now,
            )
            .await?;
        hub.wake.notify_waiters();
    }
    trail::record(
        hub,
        actor,
        if approve { "run.approve" } else { "run.reject" },
        &format!("run {run_id} of recipe {}", run.recipe_name),
        None,
        Some(json!({"step": waiting.step_id, "note": note})),
    )
    .await?;
    get(hub, run_id).await
}

/// A connection is healthy again: its paused recipes run again, and their runs that waited
/// for it go on now (runs waiting for a person keep waiting).
pub async fn resume_connection(hub: &Hub, connection: &Connection) -> HubResult<usize> {
    let mut resumed = 0;
    for record in hub.store.recipes().list().await? {
        if record.state != RecipeState::Paused || record.connection_name != connection.name {
            continue;
        }
        records::set_state(hub, "weft", &record, RecipeState::Running, None).await?;
        let waiting = hub
            .store
            .recipes()
            .runs(&RunFilter {
                recipe_id: Some(record.id),
                status: Some(RunStatus::Waiting),
                limit: 1000,
                ..RunFilter::default()
            })
            .await?;
        let now = hub.clock.now_ms();
        for run in waiting {
            let steps = hub.store.recipes().steps(run.id).await?;
            if steps
                .last()
                .is_some_and(|s| s.status == StepStatus::Waiting)
            {
                continue;
            }
            hub.store
                .jobs()
                .enqueue(
                    &run_job(
                        run.id,
                        &format!("resume-{now}"),
                        now,
                        "connection recovered",
                    ),
                    now,
                )
                .await?;
            resumed += 1;
        }
    }
    if resumed > 0 {
        hub.wake.notify_waiters();
    }
    Ok(resumed)
}

pub async fn get(hub: &Hub, run_id: i64) -> HubResult<Run> {
    hub.store
        .recipes()
        .run(run_id)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("run {run_id}"),
        })
}

pub async fn steps(hub: &Hub, run_id: i64) -> HubResult<Vec<StepAttempt>> {
    Ok(hub.store.recipes().steps(run_id).await?)
}

pub async fn list(hub: &Hub, filter: &RunFilter) -> HubResult<Vec<Run>> {
    Ok(hub.store.recipes().runs(filter).await?)
}

/// How many runs wait for an approval.
pub async fn awaiting_approval(hub: &Hub) -> HubResult<i64> {
    Ok(hub.store.recipes().awaiting_approval().await?)
}

/// How many runs match the filter on every page together.
pub async fn count(hub: &Hub, filter: &RunFilter) -> HubResult<i64> {
    Ok(hub.store.recipes().count_matching(filter).await?)
}

/// Cancels a run that has not finished; a step in flight completes, nothing after it runs.
/// The cancel is one conditional write: of a cancel and a decision made together, one wins.
pub async fn cancel(hub: &Hub, actor: &Actor, run_id: i64) -> HubResult<Run> {
    let actor = actor.name.as_str();
    let run = get(hub, run_id).await?;
    let cancelled = hub
        .store
        .recipes()
        .cancel_run(run_id, &format!("cancelled by {actor}"), hub.clock.now_ms())
        .await?;
    if !cancelled {
        let now = get(hub, run_id).await?;
        return Err(HubError::Conflict(format!(
            "run {run_id} already {}",
            now.status.as_str()
        )));
    }
    observe_end(hub, &run, RunStatus::Cancelled);
    trail::record(
        hub,
        actor,
        "run.cancel",
        &format!("run {run_id} of recipe {}", run.recipe_name),
        None,
        None,
    )
    .await?;
    get(hub, run_id).await
}

/// Runs a failed (or cancelled) run again from the step it stopped at, with the outputs of
/// the steps before it and the recipe's current version. Returns the new run.
pub async fn rerun(hub: &Hub, actor: &Actor, run_id: i64) -> HubResult<Run> {
    let run = get(hub, run_id).await?;
    if !matches!(run.status, RunStatus::Failed | RunStatus::Cancelled) {
        return Err(HubError::Conflict(format!(
            "run {run_id} is {}; only a failed or cancelled run is run again",
            run.status.as_str()
        )));
    }
    let record = hub
        .store
        .recipes()
        .get(run.recipe_id)
        .await?
        .ok_or_else(|| HubError::NotFound {
            what: format!("recipe {}", run.recipe_name),
        })?;
    let old = version_of(hub, &run).await?;
    let current = cached(&record.source, record.version, &record.name)?;
    super::privilege::require_privilege(actor, &current, "running again a run of")?;
    let actor = actor.name.as_str();
    // Find the failed step by its id in the current version (steps may have moved).
    let next_step = old
        .steps
        .get(run.next_step as usize)
        .and_then(|s| current.steps.iter().position(|c| c.id.value == s.id.value))
        .unwrap_or(0) as i64;
    let now = hub.clock.now_ms();
    let started = hub
        .store
        .recipes()
        .start_run(
            &NewRun {
                recipe_id: record.id,
                version: record.version,
                event_key: &format!("rerun:{run_id}:{now}"),
                trigger_event: &run.trigger_event,
                next_step,
                outputs: &run.outputs,
                rerun_of: Some(run_id),
                started_by: Some(actor),
                hand_made: run.hand_made,
            },
            &run_job(0, "0", now, &format!("user {actor}")),
            now,
        )
        .await?;
    hub.wake.notify_waiters();
    trail::record(
        hub,
        actor,
        "run.rerun",
        &format!("run {run_id} of recipe {}", run.recipe_name),
        None,
        Some(json!({"newRun": started.run_id(), "fromStep": next_step})),
    )
    .await?;
    get(hub, started.run_id()).await
}
