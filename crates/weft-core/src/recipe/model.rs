//! What a recipe file says: a name, a connection, one trigger, ordered steps, and the
//! recipe's own test cases. `docs/recipe.schema.json` describes the same shape for editors.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::node::Node;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// Unique in the hub; letters, digits, `-` and `_`.
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// The name of the hub connection the recipe's Wrike steps and Wrike trigger use.
    pub connection: Spanned<String>,
    pub trigger: Spanned<Trigger>,
    /// At most this many runs at once, across every instance of the hub (1 to 100); more
    /// wait, queued, for a slot. None: no limit.
    #[serde(default)]
    pub concurrency: Option<Spanned<u32>>,
    pub steps: Vec<Step>,
    /// Sample trigger events with the step inputs they must produce.
    #[serde(default)]
    pub tests: Vec<RecipeTest>,
    /// The recipe secrets its templates read, found once when the file is parsed.
    #[serde(skip)]
    pub secrets_read: std::collections::BTreeSet<String>,
}

/// What starts a run. Exactly one per recipe.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Wrike webhooks, registered by the hub for the account, a folder or a space.
    Wrike(WebhookTrigger),
    /// Polling a Wrike listing for new and changed items (a cursor on `updatedDate`).
    Poll(PollTrigger),
    /// A cron schedule in a time zone.
    Schedule(ScheduleTrigger),
    /// Something that happened in the hub.
    Hub(HubTrigger),
    /// An inbound HTTP endpoint for other systems, with its own secret.
    Http(HttpTrigger),
}

impl Trigger {
    /// What starts the recipe, in a few words for lists ("Wrike: TaskCreated in folder F").
    pub fn describe(&self) -> String {
        match self {
            Trigger::Wrike(w) => {
                let events = if w.events.is_empty() {
                    "any event".to_owned()
                } else {
                    w.events.join(", ")
                };
                let place = match (&w.folder, &w.space) {
                    (Some(f), _) => format!(
                        " in folder {f}{}",
                        if w.recursive { " and below" } else { "" }
                    ),
                    (None, Some(s)) => format!(" in space {s}"),
                    (None, None) => String::new(),
                };
                format!("Wrike: {events}{place}")
            }
            Trigger::Poll(p) => format!(
                "poll {} every {} s{}",
                p.object.as_str(),
                p.every_seconds,
                p.folder
                    .as_ref()
                    .map(|f| format!(" in folder {f}"))
                    .unwrap_or_default()
            ),
            Trigger::Schedule(s) => format!(
                "schedule {} ({})",
                s.cron,
                s.timezone.as_deref().unwrap_or("UTC")
            ),
            Trigger::Hub(h) => match h.event {
                HubEvent::UserInactive => {
                    format!("hub: user_inactive after {} days", h.inactive_days())
                }
                other => format!("hub: {}", other.as_str()),
            },
            Trigger::Http(_) => "inbound HTTP call".to_owned(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::Wrike(_) => "wrike",
            Trigger::Poll(_) => "poll",
            Trigger::Schedule(_) => "schedule",
            Trigger::Hub(_) => "hub",
            Trigger::Http(_) => "http",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookTrigger {
    /// Wrike event types (`TaskCreated`, `TaskStatusChanged`, ...); none means all events.
    #[serde(default)]
    pub events: Vec<String>,
    /// A folder or project id; the hook then covers that folder (and below with `recursive`).
    #[serde(default)]
    pub folder: Option<String>,
    /// A space id.
    #[serde(default)]
    pub space: Option<String>,
    #[serde(default)]
    pub recursive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PollObject {
    Tasks,
    Folders,
    Projects,
    Comments,
    Timelogs,
}

impl PollObject {
    pub fn as_str(self) -> &'static str {
        match self {
            PollObject::Tasks => "tasks",
            PollObject::Folders => "folders",
            PollObject::Projects => "projects",
            PollObject::Comments => "comments",
            PollObject::Timelogs => "timelogs",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PollTrigger {
    pub object: PollObject,
    /// Seconds between polls (at least 30).
    #[serde(default = "default_poll_seconds")]
    pub every_seconds: u32,
    /// Only items in this folder or project (tasks, folders, projects).
    #[serde(default)]
    pub folder: Option<String>,
}

fn default_poll_seconds() -> u32 {
    60
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleTrigger {
    /// Five or six cron fields (`0 9 * * MON`).
    pub cron: String,
    /// An IANA time zone; UTC when absent.
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HubEvent {
    ConnectionBroken,
    ConnectionRecovered,
    SyncFinished,
    /// A paid, active seat of the recipe's connection crossed `days` without activity, as a
    /// usage sync found it (once per user and stretch of idleness).
    UserInactive,
}

impl HubEvent {
    pub const ALL: [HubEvent; 4] = [
        HubEvent::ConnectionBroken,
        HubEvent::ConnectionRecovered,
        HubEvent::SyncFinished,
        HubEvent::UserInactive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HubEvent::ConnectionBroken => "connection_broken",
            HubEvent::ConnectionRecovered => "connection_recovered",
            HubEvent::SyncFinished => "sync_finished",
            HubEvent::UserInactive => "user_inactive",
        }
    }

    /// When the event fires, in words.
    pub fn describe(self) -> &'static str {
        match self {
            HubEvent::ConnectionBroken => {
                "the recipe's connection broke (a token refused, a scope or right missing)"
            }
            HubEvent::ConnectionRecovered => "the recipe's connection works again",
            HubEvent::SyncFinished => "a usage sync of the recipe's connection finished",
            HubEvent::UserInactive => {
                "a paid, active seat went `days` (90) without activity, as a usage sync found it"
            }
        }
    }
}

/// Idle days after which `user_inactive` fires when the trigger names none.
pub const DEFAULT_INACTIVE_DAYS: u32 = 90;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HubTrigger {
    pub event: HubEvent,
    /// For `user_inactive`: days without activity (90 when absent).
    #[serde(default)]
    pub days: Option<u32>,
}

impl HubTrigger {
    /// The idle threshold of a `user_inactive` trigger.
    pub fn inactive_days(&self) -> u32 {
        self.days.unwrap_or(DEFAULT_INACTIVE_DAYS)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HttpTrigger {
    /// A JSON path-free note for people reading the recipe: what the other system sends.
    #[serde(default)]
    pub description: Option<String>,
}

/// One step: an action with its input, and how it is run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Names the step's output for later steps (`steps.ID`); unique in the recipe.
    pub id: Spanned<String>,
    /// An action from the catalog (`wrike.create_task`, `http.request`, ...).
    pub action: Spanned<String>,
    #[serde(default)]
    pub input: Option<Spanned<Node>>,
    /// A condition; the step is skipped when it is false.
    #[serde(default)]
    pub when: Option<Spanned<Node>>,
    /// A list to run the step once per item of (`item` in its templates); its output is
    /// the list of outputs.
    #[serde(default)]
    pub for_each: Option<Spanned<Node>>,
    #[serde(default)]
    pub retry: Option<StepRetry>,
    #[serde(default)]
    pub on_error: Option<Spanned<OnError>>,
}

/// How often a failing step is tried; kept with the run, so a restart keeps counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepRetry {
    /// Attempts in all, the first included (1 to 20).
    pub attempts: u32,
    /// Wait after the first failure, doubled after each further one.
    #[serde(default = "default_backoff")]
    pub backoff_seconds: u32,
    #[serde(default = "default_backoff_max")]
    pub max_backoff_seconds: u32,
}

fn default_backoff() -> u32 {
    5
}
fn default_backoff_max() -> u32 {
    600
}

impl Default for StepRetry {
    fn default() -> Self {
        StepRetry {
            attempts: 3,
            backoff_seconds: default_backoff(),
            max_backoff_seconds: default_backoff_max(),
        }
    }
}

impl StepRetry {
    /// Seconds to wait after failed attempt number `attempt` (1 for the first).
    pub fn delay_seconds(&self, attempt: u32) -> u64 {
        let doublings = attempt.saturating_sub(1).min(30);
        (u64::from(self.backoff_seconds) << doublings).min(u64::from(self.max_backoff_seconds))
    }
}

/// What a step's final failure does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OnError {
    /// The run fails (the default).
    Fail,
    /// The step's output is null, its error readable as `errors.ID`; the run goes on.
    Continue,
    /// The run goes on at a later step (a notification, a clean-up).
    Goto(String),
}

/// A recipe's own test: a trigger event and what the steps must receive.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeTest {
    pub name: String,
    /// The trigger event, as the trigger would deliver it.
    pub trigger: Value,
    /// Step id to the input the step must be given (after templates).
    #[serde(default)]
    pub expect: serde_json::Map<String, Value>,
    /// Steps expected not to run (skipped by `when`, or never reached).
    #[serde(default)]
    pub skipped: Vec<String>,
    /// Step id to the output that step stands in with: its input is still checked, but it
    /// does not run (an answer from another system, a Wrike reply the simulator lacks).
    #[serde(default)]
    pub outputs: serde_json::Map<String, Value>,
}

impl Step {
    /// The privilege this step uses. A raw Wrike call is classed by its method and path when
    /// both are written out; with a template in either, it is at least `WriteWork`, and the
    /// runner refuses at run time a call that would need more than its recipe has.
    pub fn privilege(&self) -> super::Privilege {
        use super::Privilege;
        let Some(action) = super::catalog::action(&self.action.value) else {
            return Privilege::Read;
        };
        if action.kind != super::ActionKind::WrikeRequest {
            return action.privilege;
        }
        // A value as written: a literal, or a template's source.
        let written = |name: &str| match self.input.as_ref().and_then(|i| i.value.get(name)) {
            Some(node) => match &node.value {
                Node::Literal(Value::String(s)) => Some((s.as_str(), true)),
                Node::Template(t) => Some((t.source(), false)),
                _ => None,
            },
            None => None,
        };
        let method = written("method")
            .filter(|(_, literal)| *literal)
            .map(|(m, _)| m);
        if method.is_some_and(|m| m.trim().eq_ignore_ascii_case("GET")) {
            return Privilege::Read;
        }
        // The family is known when the path's first segment is written out, whatever the
        // rest; an unknown method counts as a change.
        let family_known = written("path").filter(|(path, _)| {
            let path = path.trim().trim_start_matches('/');
            let path = path.strip_prefix("api/v4/").unwrap_or(path);
            let first = path.split('/').next().unwrap_or_default();
            !first.is_empty() && !first.contains("{{") && !first.contains("{%")
        });
        match family_known {
            Some((path, _)) => {
                super::raw_call_privilege(method.unwrap_or("PUT"), path).max(Privilege::WriteWork)
            }
            None => Privilege::WriteWork,
        }
    }
}

impl Recipe {
    /// The highest privilege among the steps, with the steps that need it.
    pub fn privilege(&self) -> (super::Privilege, Vec<&str>) {
        let most = self
            .steps
            .iter()
            .map(Step::privilege)
            .max()
            .unwrap_or(super::Privilege::Read);
        let steps = self
            .steps
            .iter()
            .filter(|s| s.privilege() == most)
            .map(|s| s.id.value.as_str())
            .collect();
        (most, steps)
    }

    /// The recipe secrets its templates read (`secrets.NAME`), as parsing found them.
    pub fn secret_names(&self) -> &std::collections::BTreeSet<String> {
        &self.secrets_read
    }

    /// The recipe secrets its templates read, looked for in every step's templates.
    pub(super) fn find_secret_names(&self) -> std::collections::BTreeSet<String> {
        let mut names = std::collections::BTreeSet::new();
        for step in &self.steps {
            let nodes = [&step.input, &step.when, &step.for_each];
            for node in nodes.into_iter().flatten() {
                let mut templates: Vec<&super::Template> = node
                    .value
                    .templates()
                    .into_iter()
                    .filter_map(|(_, n)| match &n.value {
                        Node::Template(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                if let Node::Template(t) = &node.value {
                    templates.push(t);
                }
                for template in templates {
                    names.extend(template.names().into_iter().filter_map(|n| {
                        n.strip_prefix("secrets.")
                            .map(|rest| rest.split('.').next().unwrap_or(rest).to_owned())
                    }));
                }
            }
        }
        names
    }

    /// True when the recipe administers users and seats: only Admins apply, edit, start
    /// and run it by hand.
    pub fn administers(&self) -> bool {
        self.privilege().0 == super::Privilege::AdministerUsers
    }

    /// What the recipe's connection must allow: the trigger's needs and every step's.
    pub fn features(&self) -> Vec<crate::scope_plan::Feature> {
        use crate::scope_plan::Feature;
        let mut features: Vec<Feature> = match &self.trigger.value {
            Trigger::Wrike(_) => vec![Feature::Webhooks, Feature::ReadWork],
            Trigger::Poll(_) => vec![Feature::ReadWork],
            Trigger::Schedule(_) | Trigger::Hub(_) | Trigger::Http(_) => Vec::new(),
        };
        features.extend(
            self.steps
                .iter()
                .filter_map(|s| super::catalog::action(&s.action.value).and_then(|a| a.needs)),
        );
        features.sort();
        features.dedup();
        features
    }
}
