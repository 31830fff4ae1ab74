//! License policies on the wire: a policy as applied, what checking a file found, and an
//! evaluation ("idle under this policy") with one flat row per person judged.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use weft_core::policy::{Change, Verdict};
use weft_core::recipe::Problems;
use weft_core::usage::{Signal, Signals};
use weft_hub::usage::freshness::Freshness as HubFreshness;
use weft_hub::usage::policies::{Evaluation as HubEvaluation, JudgedPerson, PolicyDiff};
use weft_store::PolicyRecord;

use super::time;

/// A policy as applied.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub name: String,
    pub connection_id: String,
    pub version: i64,
    /// The file, as applied.
    pub text: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    /// The Admin who started the policy's reclaim dialogue, and when; null: it is not
    /// running (a new version stops it).
    pub dialogue_started_by: Option<String>,
    pub dialogue_started_at: Option<DateTime<Utc>>,
}

impl From<PolicyRecord> for Policy {
    fn from(p: PolicyRecord) -> Self {
        Policy {
            name: p.name,
            connection_id: p.connection_id,
            version: p.version,
            text: p.text,
            updated_at: time(p.updated_at),
            updated_by: p.updated_by,
            dialogue_started_by: p.dialogue_by,
            dialogue_started_at: p.dialogue_at.map(time),
        }
    }
}

/// What checking a policy file found: its problems, or how it differs from what is applied.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCheck {
    pub valid: bool,
    pub problems: Option<Problems>,
    pub diff: Option<PolicyDiff>,
}

/// What applying a file did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyApplied {
    pub policy: Policy,
    /// False when the file was what is applied already (no new version).
    pub changed: bool,
}

/// The last successful sync of one source.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceAge {
    pub source: String,
    pub status: String,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// How current a connection's usage data is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Freshness {
    pub connection_id: String,
    pub connection: String,
    pub sources: Vec<SourceAge>,
    /// Why the data is too old to act on (policies and reclaims refuse); null when current.
    pub stale: Option<String>,
}

impl From<HubFreshness> for Freshness {
    fn from(f: HubFreshness) -> Self {
        Freshness {
            connection_id: f.connection_id,
            connection: f.connection,
            sources: f
                .sources
                .into_iter()
                .map(|s| SourceAge {
                    source: s.source,
                    status: s.status,
                    last_success_at: s.last_success_at.map(time),
                })
                .collect(),
            stale: f.stale,
        }
    }
}

/// One person as a policy judged them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Judged {
    pub user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub user_type_id: Option<String>,
    /// `flagged`, `active`, `newSeat`, `exempt`, `protected` or `unjudged`.
    pub verdict: String,
    /// Why, in words: the exemption, the protection, the signal that made them active.
    pub reason: String,
    /// The user type rule that applied (its title), if any.
    pub rule: Option<String>,
    /// The latest activity the policy counted, and its signal.
    pub last_activity_at: Option<DateTime<Utc>>,
    pub last_signal: Option<Signal>,
    /// For a new seat: since when, and when the grace period ends.
    pub seated_since: Option<DateTime<Utc>>,
    pub grace_until: Option<DateTime<Utc>>,
    /// For the flagged: the change proposed (`deactivate`, `setType`, `setRole`) and its target.
    pub change: Option<String>,
    pub change_to: Option<String>,
    /// For the flagged: `ask_first` (the person is asked first) or `silent` (the Admin
    /// decides alone).
    pub decide: Option<String>,
    pub annual_saving_cents: Option<i64>,
}

fn change_parts(change: &Change) -> (String, Option<String>) {
    match change {
        Change::Deactivate => ("deactivate".into(), None),
        Change::SetType { title, .. } => ("setType".into(), Some(title.clone())),
        Change::SetRole { role } => ("setRole".into(), Some(role.clone())),
    }
}

impl From<JudgedPerson> for Judged {
    fn from(p: JudgedPerson) -> Self {
        let mut row = Judged {
            user_id: p.judged.person_id,
            name: p.name,
            email: p.email,
            user_type_id: p.user_type_id,
            verdict: String::new(),
            reason: String::new(),
            rule: p.judged.rule,
            last_activity_at: None,
            last_signal: None,
            seated_since: None,
            grace_until: None,
            change: None,
            change_to: None,
            decide: None,
            annual_saving_cents: p.annual_saving_cents,
        };
        match p.judged.verdict {
            Verdict::Flagged {
                last_activity_at,
                last_signal,
                idle_days,
                change,
                decide,
            } => {
                row.decide = Some(decide.as_str().to_owned());
                row.verdict = "flagged".into();
                row.reason = match last_signal {
                    Some(s) => format!("no activity for {idle_days} days; last: {}", s.describe()),
                    None => format!("no activity counted ever (threshold {idle_days} days)"),
                };
                row.last_activity_at = last_activity_at.map(time);
                row.last_signal = last_signal;
                let (kind, to) = change_parts(&change);
                row.change = Some(kind);
                row.change_to = to;
            }
            Verdict::Active { at, by } => {
                row.verdict = "active".into();
                row.reason = format!("active by {}", by.describe());
                row.last_activity_at = Some(time(at));
                row.last_signal = Some(by);
            }
            Verdict::NewSeat { since, until } => {
                row.verdict = "newSeat".into();
                row.reason = "invited or activated within the grace period".into();
                row.seated_since = Some(time(since));
                row.grace_until = Some(time(until));
            }
            Verdict::Exempt { reason } => {
                row.verdict = "exempt".into();
                row.reason = reason;
            }
            Verdict::Protected { reason } => {
                row.verdict = "protected".into();
                row.reason = reason;
            }
            Verdict::Unjudged { reason } => {
                row.verdict = "unjudged".into();
                row.reason = reason;
            }
        }
        row
    }
}

/// What a policy says of its connection's paid seats now.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub policy: String,
    pub version: i64,
    pub connection_id: String,
    pub connection: String,
    pub evaluated_at: DateTime<Utc>,
    pub signals_available: Signals,
    pub tally: weft_core::policy::Tally,
    pub potential_saving_cents: Option<i64>,
    pub currency: Option<String>,
    pub freshness: Freshness,
    pub people: Vec<Judged>,
}

impl From<HubEvaluation> for Evaluation {
    fn from(e: HubEvaluation) -> Self {
        Evaluation {
            policy: e.policy,
            version: e.version,
            connection_id: e.connection_id,
            connection: e.connection,
            evaluated_at: time(e.evaluated_at),
            signals_available: e.signals_available,
            tally: e.tally,
            potential_saving_cents: e.potential_saving_cents,
            currency: e.currency,
            freshness: e.freshness.into(),
            people: e.people.into_iter().map(Judged::from).collect(),
        }
    }
}
