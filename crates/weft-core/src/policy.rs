//! License policies: on one connection, who counts as idle, who is never flagged, and what
//! is proposed for the people flagged. A policy is a YAML file, validated, diffed and
//! applied like a recipe. Evaluating one over the synced people is pure and lives here, so
//! the reports, the reclaim plans and the benchmark all apply the same rule.
//!
//! Nobody is flagged on a guess: a person is judged only by the signals their connection
//! has synced, the connection's own users and people who look like service accounts are
//! never proposed, and a seat newer than the grace period is left alone.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::recipe::{Problem, Problems, decode_yaml};
use crate::usage::{Signal, Signals};

/// Largest policy file read.
pub const MAX_POLICY_BYTES: usize = 64 * 1024;
/// New seats are left alone this long unless a policy says otherwise (Productiv's default).
pub const DEFAULT_GRACE_DAYS: i64 = 60;
/// Longest threshold or grace period a policy may set (ten years).
pub const MAX_DAYS: i64 = 3650;

const DAY: i64 = 86_400;

/// A policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Lower-case letters, digits, `-` and `_`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The connection (name or id) whose people the policy judges.
    pub connection: String,
    /// Days without activity, by the policy's signals, after which a paid seat is idle.
    pub idle_days: i64,
    /// What counts as activity; every signal when absent.
    #[serde(default = "all_signals")]
    pub signals: Signals,
    /// People invited or activated this recently are never flagged.
    #[serde(default = "default_grace")]
    pub grace_days: i64,
    #[serde(default)]
    pub exempt: Exemptions,
    /// What is proposed for a flagged person.
    pub action: ProposedAction,
    /// Who decides for a flagged person: the Admin alone (`silent`), or the person is asked
    /// first (`ask_first`).
    #[serde(default)]
    pub decide: Decide,
    /// The dialogue's times, where people are asked first.
    #[serde(default)]
    pub dialogue: DialogueTimes,
    /// Rules for one user type each, over the policy's own.
    #[serde(default)]
    pub user_types: Vec<TypeRule>,
}

fn all_signals() -> Signals {
    Signals::ALL
}

fn default_grace() -> i64 {
    DEFAULT_GRACE_DAYS
}

/// People never flagged, by who they are. Every entry is compared without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Exemptions {
    /// E-mail addresses or Wrike user ids.
    pub people: Vec<String>,
    /// Wrike groups, by title or id; members of their subgroups too.
    pub groups: Vec<String>,
    /// Company names, as in the people's profiles.
    pub companies: Vec<String>,
    /// E-mail domains (`acme.example` covers `x@acme.example` and `x@eu.acme.example`).
    pub domains: Vec<String>,
    /// Job titles, as in the people's profiles.
    pub titles: Vec<String>,
}

/// What a policy proposes for a flagged person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposedAction {
    /// Deactivate the person (the seat is freed).
    Deactivate,
    /// Change the person's user type to this one (a title or id), or their role to
    /// `Collaborator` where the account has no such type.
    DowngradeTo(String),
}

impl ProposedAction {
    pub fn describe(&self) -> String {
        match self {
            ProposedAction::Deactivate => "deactivate".into(),
            ProposedAction::DowngradeTo(t) => format!("downgrade to {t}"),
        }
    }
}

/// Who decides for a flagged person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decide {
    /// The Admin alone: the person is never told (asking would cause the very sign-in the
    /// policy measures). `admin` is read as this too.
    #[default]
    #[serde(alias = "admin")]
    Silent,
    /// The person is asked by e-mail to keep or release the seat; no answer by the deadline
    /// goes to an Admin.
    AskFirst,
}

impl Decide {
    pub fn as_str(self) -> &'static str {
        match self {
            Decide::Silent => "silent",
            Decide::AskFirst => "ask_first",
        }
    }
}

/// A length of time in a policy file: a whole number with a unit, `30s`, `15m`, `12h` or
/// `7d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, utoipa::ToSchema)]
#[schema(value_type = String, example = "7d")]
pub struct Span(pub i64);

impl Span {
    pub const fn days(days: i64) -> Span {
        Span(days * DAY)
    }

    pub fn seconds(self) -> i64 {
        self.0
    }

    /// Reads `7d`, `12h`, `15m` or `30s`.
    pub fn parse(text: &str) -> Result<Span, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let unit_s = match unit.trim() {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => DAY,
            _ => {
                return Err(format!(
                    "{text:?} is not a length of time: write 30s, 15m, 12h or 7d"
                ));
            }
        };
        let number: i64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a length of time: write 30s, 15m, 12h or 7d"))?;
        number
            .checked_mul(unit_s)
            .filter(|s| *s <= MAX_DAYS * DAY)
            .map(Span)
            .ok_or_else(|| format!("{text:?} is longer than {MAX_DAYS} days"))
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.0;
        match s {
            _ if s % DAY == 0 => write!(f, "{}d", s / DAY),
            _ if s % 3600 == 0 => write!(f, "{}h", s / 3600),
            _ if s % 60 == 0 => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Span, D::Error> {
        let text = String::deserialize(deserializer)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// When the dialogue reminds, gives up waiting, leaves a kept seat alone, and lets an
/// escalation wait for an Admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DialogueTimes {
    /// A reminder goes this long after the first e-mail, if there is no answer yet.
    pub remind_after: Span,
    /// With no answer this long after the first e-mail, an Admin's approval is asked for.
    pub answer_within: Span,
    /// Someone who keeps their seat is not asked again for this long.
    pub keep_for: Span,
    /// How long an escalation's reclaim plan waits for an Admin before it is planned anew.
    pub approve_within: Span,
}

impl Default for DialogueTimes {
    fn default() -> Self {
        DialogueTimes {
            remind_after: Span::days(3),
            answer_within: Span::days(7),
            keep_for: Span::days(90),
            approve_within: Span::days(14),
        }
    }
}

/// A rule for one user type: what it sets replaces the policy's own for people of that type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeRule {
    /// The user type, by title or id.
    pub user_type: String,
    #[serde(default)]
    pub idle_days: Option<i64>,
    #[serde(default)]
    pub signals: Option<Signals>,
    #[serde(default)]
    pub grace_days: Option<i64>,
    #[serde(default)]
    pub action: Option<ProposedAction>,
    /// Who decides for people of this type, over the policy's own.
    #[serde(default)]
    pub decide: Option<Decide>,
    /// People of this type are never flagged.
    #[serde(default)]
    pub never: bool,
}

/// Reads and checks a policy file on its own (what needs the account is checked by
/// `resolve`). `file` names it in errors.
pub fn parse(file: &str, source: &str) -> Result<Policy, Problems> {
    let policy: Policy = decode_yaml(file, source, MAX_POLICY_BYTES, "a policy")?;
    let problems = check(&policy);
    if problems.is_empty() {
        Ok(policy)
    } else {
        Err(Problems {
            file: file.to_owned(),
            problems,
        })
    }
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        line: 0,
        column: 0,
        field: field.into(),
        message: message.into(),
    }
}

/// Whether `name` may name a policy (or a recipe): 1 to 64 of `a-z 0-9 - _`, starting with
/// a letter or digit.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check_days(field: &str, days: i64, least: i64, problems: &mut Vec<Problem>) {
    if !(least..=MAX_DAYS).contains(&days) {
        problems.push(problem(
            field,
            format!("{days} is out of range: use {least} to {MAX_DAYS} days"),
        ));
    }
}

fn check(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !valid_name(&policy.name) {
        problems.push(problem(
            "name",
            format!(
                "{:?} is not a policy name: use 1 to 64 lower-case letters, digits, - and _",
                policy.name
            ),
        ));
    }
    if policy.connection.trim().is_empty() {
        problems.push(problem(
            "connection",
            "name the connection the policy judges",
        ));
    }
    check_days("idle_days", policy.idle_days, 1, &mut problems);
    check_days("grace_days", policy.grace_days, 0, &mut problems);
    if policy.signals.is_empty() {
        problems.push(problem("signals", "choose at least one signal"));
    }
    check_action("action", &policy.action, &mut problems);
    let times = &policy.dialogue;
    for (field, span) in [
        ("dialogue.remind_after", times.remind_after),
        ("dialogue.answer_within", times.answer_within),
        ("dialogue.keep_for", times.keep_for),
        ("dialogue.approve_within", times.approve_within),
    ] {
        if span.seconds() < 1 {
            problems.push(problem(field, "use a length of at least 1s"));
        }
    }
    if times.remind_after >= times.answer_within {
        problems.push(problem(
            "dialogue.remind_after",
            format!(
                "{} is not before answer_within ({}): the reminder would come after the deadline",
                times.remind_after, times.answer_within
            ),
        ));
    }
    let lists = [
        ("people", &policy.exempt.people),
        ("groups", &policy.exempt.groups),
        ("companies", &policy.exempt.companies),
        ("domains", &policy.exempt.domains),
        ("titles", &policy.exempt.titles),
    ];
    for (kind, list) in lists {
        let mut seen = HashSet::new();
        for (i, entry) in list.iter().enumerate() {
            let field = format!("exempt.{kind}[{i}]");
            let key = entry.trim().to_lowercase();
            if key.is_empty() {
                problems.push(problem(&field, "an empty entry exempts nobody"));
            } else if !seen.insert(key) {
                problems.push(problem(&field, format!("{entry:?} is listed twice")));
            } else if kind == "domains" && (entry.contains('@') || !entry.contains('.')) {
                problems.push(problem(
                    &field,
                    format!("{entry:?} is not an e-mail domain (write it as acme.example)"),
                ));
            }
        }
    }
    let mut types = HashSet::new();
    for (i, rule) in policy.user_types.iter().enumerate() {
        let at = |f: &str| format!("user_types[{i}].{f}");
        if rule.user_type.trim().is_empty() {
            problems.push(problem(at("user_type"), "name a user type (title or id)"));
        } else if !types.insert(rule.user_type.trim().to_lowercase()) {
            problems.push(problem(
                at("user_type"),
                format!("{:?} has a rule already", rule.user_type),
            ));
        }
        if let Some(days) = rule.idle_days {
            check_days(&at("idle_days"), days, 1, &mut problems);
        }
        if let Some(days) = rule.grace_days {
            check_days(&at("grace_days"), days, 0, &mut problems);
        }
        if rule.signals.is_some_and(Signals::is_empty) {
            problems.push(problem(at("signals"), "choose at least one signal"));
        }
        if let Some(action) = &rule.action {
            check_action(&at("action"), action, &mut problems);
        }
        if rule.never
            && (rule.idle_days.is_some()
                || rule.signals.is_some()
                || rule.grace_days.is_some()
                || rule.action.is_some()
                || rule.decide.is_some())
        {
            problems.push(problem(
                at("never"),
                "a type that is never flagged needs no threshold, signals, grace, action or decide",
            ));
        }
    }
    problems
}

fn check_action(field: &str, action: &ProposedAction, problems: &mut Vec<Problem>) {
    if let ProposedAction::DowngradeTo(target) = action
        && target.trim().is_empty()
    {
        problems.push(problem(
            format!("{field}.downgrade_to"),
            "name the user type to downgrade to",
        ));
    }
}

/// A user type of the account, as synced.
#[derive(Debug, Clone)]
pub struct UserType {
    pub id: String,
    pub title: String,
}

/// A Wrike group of the account, as synced.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub title: String,
    /// People and subgroups.
    pub member_ids: Vec<String>,
}

/// What the account holds that a policy names.
#[derive(Debug, Clone, Default)]
pub struct Account {
    pub user_types: Vec<UserType>,
    pub groups: Vec<Group>,
    /// The Wrike users whose tokens weft's connections to this account use.
    pub connection_users: Vec<String>,
}

/// What a flagged person would be changed to, resolved against the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Change {
    Deactivate,
    /// To this user type.
    SetType {
        id: String,
        title: String,
    },
    /// To the `Collaborator` role (an account without user types).
    SetRole {
        role: String,
    },
}

/// The settings that apply to one person, with the rule they came from.
#[derive(Debug, Clone)]
struct Settings {
    idle_days: i64,
    signals: Signals,
    grace_days: i64,
    change: Change,
    decide: Decide,
    never: bool,
    rule: Option<String>,
}

/// A policy checked against its account: names are ids, each type's settings worked out.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub policy: Policy,
    default: Settings,
    by_type: HashMap<String, Settings>,
    people: HashSet<String>,
    /// Every person in an exempt group or its subgroups, with the group's title.
    group_members: HashMap<String, String>,
    companies: HashSet<String>,
    domains: Vec<String>,
    titles: HashSet<String>,
    connection_users: HashSet<String>,
}

fn find_type<'a>(account: &'a Account, name: &str) -> Option<&'a UserType> {
    let name = name.trim();
    account
        .user_types
        .iter()
        .find(|t| t.id == name)
        .or_else(|| {
            account
                .user_types
                .iter()
                .find(|t| t.title.eq_ignore_ascii_case(name))
        })
}

fn known_types(account: &Account) -> String {
    if account.user_types.is_empty() {
        "the account has no user types (synced)".into()
    } else {
        let names: Vec<&str> = account
            .user_types
            .iter()
            .map(|t| t.title.as_str())
            .collect();
        format!("it has: {}", names.join(", "))
    }
}

fn resolve_change(
    field: &str,
    action: &ProposedAction,
    account: &Account,
    problems: &mut Vec<Problem>,
) -> Change {
    match action {
        ProposedAction::Deactivate => Change::Deactivate,
        ProposedAction::DowngradeTo(target) => match find_type(account, target) {
            Some(t) => Change::SetType {
                id: t.id.clone(),
                title: t.title.clone(),
            },
            None if account.user_types.is_empty()
                && target.trim().eq_ignore_ascii_case("collaborator") =>
            {
                Change::SetRole {
                    role: "Collaborator".into(),
                }
            }
            None => {
                problems.push(problem(
                    format!("{field}.downgrade_to"),
                    format!(
                        "no user type {target:?} in this account; {}",
                        known_types(account)
                    ),
                ));
                Change::Deactivate
            }
        },
    }
}

/// Checks a policy against its account (user types and groups it names) and works out
/// each type's settings. `file` names it in errors.
pub fn resolve(file: &str, policy: Policy, account: &Account) -> Result<Resolved, Problems> {
    let mut problems = Vec::new();
    let default = Settings {
        idle_days: policy.idle_days,
        signals: policy.signals,
        grace_days: policy.grace_days,
        change: resolve_change("action", &policy.action, account, &mut problems),
        decide: policy.decide,
        never: false,
        rule: None,
    };
    let mut by_type = HashMap::new();
    for (i, rule) in policy.user_types.iter().enumerate() {
        let Some(user_type) = find_type(account, &rule.user_type) else {
            problems.push(problem(
                format!("user_types[{i}].user_type"),
                format!(
                    "no user type {:?} in this account; {}",
                    rule.user_type,
                    known_types(account)
                ),
            ));
            continue;
        };
        let change = match &rule.action {
            Some(action) => resolve_change(
                &format!("user_types[{i}].action"),
                action,
                account,
                &mut problems,
            ),
            None => default.change.clone(),
        };
        by_type.insert(
            user_type.id.clone(),
            Settings {
                idle_days: rule.idle_days.unwrap_or(default.idle_days),
                signals: rule.signals.unwrap_or(default.signals),
                grace_days: rule.grace_days.unwrap_or(default.grace_days),
                change,
                decide: rule.decide.unwrap_or(default.decide),
                never: rule.never,
                rule: Some(user_type.title.clone()),
            },
        );
    }
    let groups_by_id: HashMap<&str, &Group> =
        account.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let mut group_members = HashMap::new();
    for (i, name) in policy.exempt.groups.iter().enumerate() {
        let name = name.trim();
        let group = groups_by_id.get(name).copied().or_else(|| {
            account
                .groups
                .iter()
                .find(|g| g.title.eq_ignore_ascii_case(name))
        });
        let Some(group) = group else {
            problems.push(problem(
                format!("exempt.groups[{i}]"),
                format!("no group {name:?} in this account (synced with the people)"),
            ));
            continue;
        };
        // Members of subgroups are members too; a cycle is walked once.
        let mut seen = BTreeSet::new();
        let mut queue = vec![group.id.as_str()];
        while let Some(id) = queue.pop() {
            if !seen.insert(id) {
                continue;
            }
            match groups_by_id.get(id) {
                Some(g) => queue.extend(g.member_ids.iter().map(String::as_str)),
                None => {
                    group_members
                        .entry(id.to_owned())
                        .or_insert_with(|| group.title.clone());
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Problems {
            file: file.to_owned(),
            problems,
        });
    }
    let lower = |list: &[String]| -> HashSet<String> {
        list.iter().map(|s| s.trim().to_lowercase()).collect()
    };
    Ok(Resolved {
        people: lower(&policy.exempt.people),
        companies: lower(&policy.exempt.companies),
        titles: lower(&policy.exempt.titles),
        domains: policy
            .exempt
            .domains
            .iter()
            .map(|d| d.trim().trim_start_matches('.').to_lowercase())
            .collect(),
        group_members,
        connection_users: account.connection_users.iter().cloned().collect(),
        default,
        by_type,
        policy,
    })
}

/// What a policy needs to know of one person holding a paid seat.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub user_type_id: Option<String>,
    /// The account's owner (Wrike never lets the owner be deactivated).
    pub owner: bool,
    /// The latest activity by each signal, in `Signal::ALL` order.
    pub last: [Option<i64>; Signal::ALL.len()],
    /// When the person was last invited in or activated, where known.
    pub seated_since: Option<i64>,
}

impl Person {
    /// The latest activity by some signals, and which signal it was.
    pub fn latest(&self, signals: Signals) -> Option<(i64, Signal)> {
        Signal::ALL
            .into_iter()
            .zip(self.last)
            .filter(|(s, _)| signals.contains(*s))
            .filter_map(|(s, at)| at.map(|at| (at, s)))
            .max_by_key(|(at, _)| *at)
    }
}

/// Why a person who looks like a service account does: a job title or an address that
/// names one. Such people are never proposed for reclaiming, whatever their activity.
pub fn service_account_reason(
    name: &str,
    email: Option<&str>,
    title: Option<&str>,
) -> Option<String> {
    // Judged for every seat of every policy: words are compared in place, without
    // building strings per person.
    const TITLE_PHRASES: [&[&str]; 5] = [
        &["service", "account"],
        &["integration"],
        &["api", "user"],
        &["bot"],
        &["robot"],
    ];
    const ADDRESS_STARTS: [&str; 8] = [
        "svc",
        "service",
        "integration",
        "api",
        "bot",
        "noreply",
        "no-reply",
        "automation",
    ];
    if let Some(title) = title {
        let lower = title.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(phrase) = TITLE_PHRASES
            .iter()
            .find(|phrase| words.windows(phrase.len()).any(|w| w == **phrase))
        {
            return Some(format!("job title {title:?} names a {}", phrase.join(" ")));
        }
    }
    if let Some(local) = email.and_then(|e| e.split('@').next()) {
        let first = local.split(['.', '-', '_', '+']).next().unwrap_or_default();
        if ADDRESS_STARTS.iter().any(|s| first.eq_ignore_ascii_case(s))
            || local
                .get(..8)
                .is_some_and(|start| start.eq_ignore_ascii_case("no-reply"))
        {
            return Some(format!(
                "address {} is a system address",
                email.unwrap_or_default()
            ));
        }
    }
    if name
        .as_bytes()
        .windows(b"service account".len())
        .any(|w| w.eq_ignore_ascii_case(b"service account"))
    {
        return Some(format!("name {name:?} names a service account"));
    }
    None
}

/// What a policy says of one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "verdict")]
pub enum Verdict {
    /// Idle past the threshold: proposed for the change.
    #[serde(rename_all = "camelCase")]
    Flagged {
        /// The latest activity by the signals counted, if any.
        last_activity_at: Option<i64>,
        last_signal: Option<Signal>,
        idle_days: i64,
        change: Change,
        /// Who decides: the person is asked first, or the Admin alone.
        decide: Decide,
    },
    /// Active within the threshold, by this signal.
    #[serde(rename_all = "camelCase")]
    Active { at: i64, by: Signal },
    /// Invited or activated within the grace period.
    #[serde(rename_all = "camelCase")]
    NewSeat { since: i64, until: i64 },
    /// Exempt by the policy: which exemption.
    Exempt { reason: String },
    /// Never proposed: the connection's own user or a service account.
    Protected { reason: String },
    /// No signal the policy counts has synced for this connection: nobody is judged.
    Unjudged { reason: String },
}

/// One person's verdict, with the rule that applied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Judged {
    pub person_id: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The user type rule that applied (its type's title), if any.
    pub rule: Option<String>,
}

impl Resolved {
    fn settings(&self, person: &Person) -> &Settings {
        person
            .user_type_id
            .as_ref()
            .and_then(|t| self.by_type.get(t))
            .unwrap_or(&self.default)
    }

    fn exemption(&self, person: &Person) -> Option<String> {
        // Only what the policy lists is compared: no strings are built for kinds it has not.
        let email = (!self.people.is_empty() || !self.domains.is_empty())
            .then(|| person.email.as_deref().map(str::to_lowercase))
            .flatten();
        if !self.people.is_empty()
            && (self.people.contains(&person.id.to_lowercase())
                || email.as_ref().is_some_and(|e| self.people.contains(e)))
        {
            return Some("listed by name".into());
        }
        if let Some(group) = self.group_members.get(&person.id) {
            return Some(format!("member of group {group}"));
        }
        if !self.companies.is_empty()
            && let Some(company) = &person.company
            && self.companies.contains(&company.trim().to_lowercase())
        {
            return Some(format!("company {company}"));
        }
        if let Some(domain) = email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|p| p.1)
            && let Some(listed) = self.domains.iter().find(|d| {
                domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
            })
        {
            return Some(format!("e-mail domain {listed}"));
        }
        if !self.titles.is_empty()
            && let Some(title) = &person.title
            && self.titles.contains(&title.trim().to_lowercase())
        {
            return Some(format!("job title {title}"));
        }
        None
    }

    /// What the policy says of one person holding a paid seat, at `now`.
    pub fn judge(&self, person: &Person, available: Signals, now: i64) -> Judged {
        let settings = self.settings(person);
        let verdict = self.verdict(person, settings, available, now);
        Judged {
            person_id: person.id.clone(),
            verdict,
            rule: settings.rule.clone(),
        }
    }

    fn verdict(
        &self,
        person: &Person,
        settings: &Settings,
        available: Signals,
        now: i64,
    ) -> Verdict {
        if person.owner {
            return Verdict::Protected {
                reason: "the account owner".into(),
            };
        }
        if self.connection_users.contains(&person.id) {
            return Verdict::Protected {
                reason: "the user a weft connection signs in as".into(),
            };
        }
        if let Some(reason) = service_account_reason(
            &person.name,
            person.email.as_deref(),
            person.title.as_deref(),
        ) {
            return Verdict::Protected {
                reason: format!("a service account: {reason}"),
            };
        }
        if let Some(reason) = self.exemption(person) {
            return Verdict::Exempt { reason };
        }
        if settings.never {
            return Verdict::Exempt {
                reason: format!(
                    "user type {} is never flagged",
                    settings.rule.as_deref().unwrap_or_default()
                ),
            };
        }
        if let Change::SetType { id, title } = &settings.change
            && person.user_type_id.as_deref() == Some(id.as_str())
        {
            return Verdict::Exempt {
                reason: format!("already of user type {title}"),
            };
        }
        if let Some(since) = person.seated_since {
            let until = since + settings.grace_days * DAY;
            if now < until {
                return Verdict::NewSeat { since, until };
            }
        }
        let signals = settings.signals.intersect(available);
        if signals.is_empty() {
            return Verdict::Unjudged {
                reason: format!(
                    "none of the signals counted ({}) has synced for this connection",
                    settings.signals.describe()
                ),
            };
        }
        let latest = person.latest(signals);
        match latest {
            Some((at, by)) if at > now - settings.idle_days * DAY => Verdict::Active { at, by },
            _ => Verdict::Flagged {
                last_activity_at: latest.map(|(at, _)| at),
                last_signal: latest.map(|(_, s)| s),
                idle_days: settings.idle_days,
                change: settings.change.clone(),
                decide: settings.decide,
            },
        }
    }
}

/// How many people got each verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    pub judged: usize,
    pub flagged: usize,
    pub active: usize,
    pub new_seats: usize,
    pub exempt: usize,
    pub protected: usize,
    pub unjudged: usize,
    /// Exempt and protected people by reason kind ("company", "member of group", ...).
    pub reasons: BTreeMap<String, usize>,
}

impl Tally {
    pub fn add(&mut self, verdict: &Verdict) {
        self.judged += 1;
        let reason = match verdict {
            Verdict::Flagged { .. } => {
                self.flagged += 1;
                None
            }
            Verdict::Active { .. } => {
                self.active += 1;
                None
            }
            Verdict::NewSeat { .. } => {
                self.new_seats += 1;
                None
            }
            Verdict::Exempt { reason } => {
                self.exempt += 1;
                Some(reason)
            }
            Verdict::Protected { reason } => {
                self.protected += 1;
                Some(reason)
            }
            Verdict::Unjudged { .. } => {
                self.unjudged += 1;
                None
            }
        };
        if let Some(reason) = reason {
            *self.reasons.entry(reason_kind(reason)).or_default() += 1;
        }
    }
}

/// The kind of an exemption's reason, without the name it matched: "member of group".
fn reason_kind(reason: &str) -> String {
    const KINDS: [&str; 9] = [
        "the account owner",
        "listed by name",
        "member of group",
        "company",
        "e-mail domain",
        "job title",
        "user type",
        "already of user type",
        "the user a weft connection signs in as",
    ];
    if reason.starts_with("a service account") {
        return "service account".into();
    }
    KINDS
        .iter()
        .find(|k| reason.starts_with(*k))
        .map(|k| (*k).to_owned())
        .unwrap_or_else(|| reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn account() -> Account {
        Account {
            user_types: vec![
                UserType {
                    id: "T1".into(),
                    title: "Regular User".into(),
                },
                UserType {
                    id: "T2".into(),
                    title: "Collaborator".into(),
                },
                UserType {
                    id: "T3".into(),
                    title: "External User".into(),
                },
            ],
            groups: vec![
                Group {
                    id: "G1".into(),
                    title: "Leadership".into(),
                    member_ids: vec!["P1".into(), "G2".into()],
                },
                Group {
                    id: "G2".into(),
                    title: "Board".into(),
                    member_ids: vec!["P2".into(), "G1".into()],
                },
            ],
            connection_users: vec!["ME".into()],
        }
    }

    fn policy(text: &str) -> Resolved {
        let policy = parse("p.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        resolve("p.yaml", policy, &account()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn person(id: &str, days_idle: Option<i64>) -> Person {
        Person {
            id: id.into(),
            name: format!("Person {id}"),
            email: Some(format!("{}@acme.example", id.to_lowercase())),
            user_type_id: Some("T1".into()),
            last: [
                days_idle.map(|d| NOW - d * DAY),
                None,
                None,
                None,
                None,
                None,
            ],
            ..Person::default()
        }
    }

    const BASE: &str = "name: idle\nconnection: acme\nidle_days: 30\naction: deactivate\n";

    #[test]
    fn the_threshold_is_at_or_before_its_boundary() {
        let p = policy(BASE);
        let at = |days| p.judge(&person("P9", days), Signals::ALL, NOW).verdict;
        assert!(matches!(at(Some(30)), Verdict::Flagged { .. }));
        assert!(matches!(at(None), Verdict::Flagged { .. }));
        assert_eq!(
            at(Some(29)),
            Verdict::Active {
                at: NOW - 29 * DAY,
                by: Signal::Login
            }
        );
    }

    #[test]
    fn exemptions_groups_and_service_accounts_are_never_flagged() {
        let p = policy(&format!(
            "{BASE}exempt:\n  groups: [board]\n  domains: [partner.example]\n  companies: [Acme Legal]\n  titles: [CEO]\n  people: [P7@ACME.example]\n"
        ));
        let judge = |person: &Person| p.judge(person, Signals::ALL, NOW).verdict;
        // Board's members include Leadership (a cycle): both groups' people are exempt.
        for id in ["P1", "P2"] {
            assert!(
                matches!(judge(&person(id, None)), Verdict::Exempt { reason } if reason == "member of group Board")
            );
        }
        let mut partner = person("P3", None);
        partner.email = Some("x@eu.partner.example".into());
        assert!(
            matches!(judge(&partner), Verdict::Exempt { reason } if reason.contains("partner.example"))
        );
        let mut lookalike = person("P4", None);
        lookalike.email = Some("x@notpartner.example".into());
        assert!(matches!(judge(&lookalike), Verdict::Flagged { .. }));
        let mut legal = person("P5", None);
        legal.company = Some("acme legal ".into());
        assert!(matches!(judge(&legal), Verdict::Exempt { .. }));
        assert!(matches!(judge(&person("P7", None)), Verdict::Exempt { .. }));
        assert!(matches!(
            judge(&person("ME", None)),
            Verdict::Protected { .. }
        ));
        let mut bot = person("P8", None);
        bot.title = Some("Integration Bot".into());
        assert!(matches!(judge(&bot), Verdict::Protected { .. }));
        let mut svc = person("P6", None);
        svc.email = Some("svc-sync@acme.example".into());
        assert!(matches!(judge(&svc), Verdict::Protected { .. }));
    }

    #[test]
    fn type_rules_and_grace_apply_per_person() {
        let p = policy(&format!(
            "{BASE}grace_days: 60\nuser_types:\n  - user_type: External User\n    idle_days: 10\n    action: {{downgrade_to: collaborator}}\n  - user_type: T2\n    never: true\n"
        ));
        let mut external = person("P1", Some(10));
        external.user_type_id = Some("T3".into());
        let judged = p.judge(&external, Signals::ALL, NOW);
        assert_eq!(judged.rule.as_deref(), Some("External User"));
        assert!(matches!(
            judged.verdict,
            Verdict::Flagged { change: Change::SetType { ref id, .. }, idle_days: 10, .. } if id == "T2"
        ));
        let mut new = person("P2", None);
        new.seated_since = Some(NOW - 59 * DAY);
        assert!(matches!(
            p.judge(&new, Signals::ALL, NOW).verdict,
            Verdict::NewSeat { .. }
        ));
        new.seated_since = Some(NOW - 60 * DAY);
        assert!(matches!(
            p.judge(&new, Signals::ALL, NOW).verdict,
            Verdict::Flagged { .. }
        ));
        let mut collaborator = person("P3", None);
        collaborator.user_type_id = Some("T2".into());
        assert!(matches!(
            p.judge(&collaborator, Signals::ALL, NOW).verdict,
            Verdict::Exempt { .. }
        ));
    }

    #[test]
    fn only_synced_signals_count_and_none_means_nobody_is_judged() {
        let p = policy(&format!("{BASE}signals: [login, task]\n"));
        let mut worker = person("P1", Some(100));
        worker.last[2] = Some(NOW - DAY);
        assert!(matches!(
            p.judge(&worker, Signals::ALL, NOW).verdict,
            Verdict::Active {
                by: Signal::Task,
                ..
            }
        ));
        // Work data not synced: the login alone decides.
        assert!(matches!(
            p.judge(&worker, Signals::LOGINS, NOW).verdict,
            Verdict::Flagged { .. }
        ));
        assert!(matches!(
            p.judge(&worker, Signals::of(&[Signal::Comment]), NOW)
                .verdict,
            Verdict::Unjudged { .. }
        ));
    }

    #[test]
    fn the_example_policy_reads() {
        let text = include_str!("../../../examples/policies/idle-paid-seats.yaml");
        let policy = parse("idle-paid-seats.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(policy.idle_days, 90);
        let account = Account {
            groups: vec![Group {
                id: "G9".into(),
                title: "Leadership".into(),
                member_ids: vec![],
            }],
            ..account()
        };
        let resolved = resolve("idle-paid-seats.yaml", policy, &account).unwrap();
        let mut external = person("P1", Some(60));
        external.user_type_id = Some("T3".into());
        assert!(matches!(
            resolved.judge(&external, Signals::ALL, NOW).verdict,
            Verdict::Flagged {
                change: Change::SetType { .. },
                ..
            }
        ));
    }

    #[test]
    fn bad_files_name_the_field() {
        let err = |text: &str| parse("p.yaml", text).unwrap_err().to_string();
        assert!(
            err("name: Idle\nconnection: a\nidle_days: 0\naction: deactivate\n")
                .contains("idle_days")
        );
        assert!(err("name: x\nconnection: a\nidle_days: 5\naction: deactivate\nexempt:\n  domains: ['@a.example']\n").contains("exempt.domains[0]"));
        assert!(err("name: x\nconnection: a\nidle_days: 5\naction: explode\n").contains("action"));
        assert!(
            err("name: x\nconnection: a\nidle_days: 5\naction: deactivate\nthreshold: 3\n")
                .contains("threshold")
        );
        let policy = parse("p.yaml", &format!("{BASE}user_types:\n  - user_type: Contractor\n    idle_days: 5\nexempt:\n  groups: [Nobody]\n")).unwrap();
        let message = resolve("p.yaml", policy, &account())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("user_types[0].user_type: no user type \"Contractor\""),
            "{message}"
        );
        assert!(
            message.contains("it has: Regular User, Collaborator, External User"),
            "{message}"
        );
        assert!(message.contains("exempt.groups[0]"), "{message}");
    }

    #[test]
    fn who_decides_is_set_per_policy_and_per_type() {
        let p = policy(&format!(
            "{BASE}decide: ask_first\nuser_types:\n  - user_type: External User\n    decide: silent\n"
        ));
        let decide = |type_id: &str| {
            let mut someone = person("P1", None);
            someone.user_type_id = Some(type_id.into());
            match p.judge(&someone, Signals::ALL, NOW).verdict {
                Verdict::Flagged { decide, .. } => decide,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(decide("T1"), Decide::AskFirst);
        assert_eq!(decide("T3"), Decide::Silent);
        // The first files' `decide: admin` still reads, as the Admin deciding alone.
        let old = parse("p.yaml", &format!("{BASE}decide: admin\n")).unwrap();
        assert_eq!(old.decide, Decide::Silent);
    }

    #[test]
    fn dialogue_times_read_units_and_keep_their_order() {
        assert_eq!(Span::parse("7d"), Ok(Span(7 * DAY)));
        assert_eq!(Span::parse("90s"), Ok(Span(90)));
        assert_eq!(Span::parse("15m").unwrap().to_string(), "15m");
        assert!(
            Span::parse("7 weeks")
                .unwrap_err()
                .contains("30s, 15m, 12h or 7d")
        );
        assert!(Span::parse("99999d").unwrap_err().contains("longer than"));
        let p = parse(
            "p.yaml",
            &format!(
                "{BASE}decide: ask_first\ndialogue:\n  remind_after: 20s\n  answer_within: 1m\n"
            ),
        )
        .unwrap();
        assert_eq!(p.dialogue.remind_after, Span(20));
        assert_eq!(p.dialogue.answer_within, Span(60));
        assert_eq!(
            p.dialogue.keep_for,
            Span::days(90),
            "unset times keep their defaults"
        );
        let err = parse(
            "p.yaml",
            &format!("{BASE}dialogue:\n  remind_after: 8d\n  answer_within: 7d\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("dialogue.remind_after"), "{err}");
        let err = parse("p.yaml", &format!("{BASE}dialogue:\n  keep_for: soon\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("keep_for") || err.contains("soon"), "{err}");
    }
}
