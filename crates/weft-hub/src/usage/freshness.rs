//! How current a connection's usage data is: when each source last synced, which activity
//! signals those sources can show, and whether the people and activity are recent enough to
//! act on. Policies and reclaims refuse to change anyone on data older than
//! `Policy::usage_stale_after_s`: a person may have come back since.

use serde::Serialize;
use weft_core::usage::{Signal, Signals};
use weft_store::{Connection, SourceState, source};

use crate::Hub;
use crate::error::{HubError, HubResult};

/// The last successful sync of one source.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceAge {
    pub source: String,
    pub status: String,
    pub last_success_at: Option<i64>,
}

/// A connection's data, source by source, and why it is too old to act on, if it is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Freshness {
    pub connection_id: String,
    pub connection: String,
    pub sources: Vec<SourceAge>,
    /// Why the people or activity are too old to act on; none when they are current.
    pub stale: Option<String>,
}

/// The sources a decision about a person rests on: who they are and what they did.
const DECISIVE: [&str; 5] = [
    source::USERS,
    source::AUDIT_LOG,
    source::TASKS,
    source::COMMENTS,
    source::TIMELOGS,
];

/// Why the sources are too old at `now`, if they are: the people must have synced within
/// `max_age_s`, and so must every activity source that ever synced (one a plan lacks, such
/// as the audit log on Business, counts for nothing and is not waited for).
pub fn stale_reason(sources: &[SourceState], now: i64, max_age_s: i64) -> Option<String> {
    let hours = max_age_s / 3600;
    let people = sources.iter().find(|s| s.source == source::USERS);
    if people.and_then(|s| s.last_success_at).is_none() {
        return Some("the people have never synced; run a sync first".into());
    }
    let old: Vec<String> = DECISIVE
        .iter()
        .filter_map(|name| sources.iter().find(|s| s.source == *name))
        .filter_map(|s| s.last_success_at.map(|at| (s, at)))
        .filter(|(_, at)| now - at > max_age_s)
        .map(|(s, at)| format!("{} ({} hours ago)", s.source, (now - at) / 3600))
        .collect();
    if old.is_empty() {
        None
    } else {
        Some(format!(
            "the usage data is older than {hours} hours: {} last synced successfully too long ago; sync the connection first",
            old.join(", ")
        ))
    }
}

/// The freshness of one connection's data.
pub async fn of(hub: &Hub, connection: &Connection) -> HubResult<Freshness> {
    let sources = hub.store.usage().sources(&connection.id).await?;
    Ok(of_sources(hub, connection, sources))
}

/// `of`, from the connection's sources already read.
pub fn of_sources(hub: &Hub, connection: &Connection, sources: Vec<SourceState>) -> Freshness {
    let stale = stale_reason(&sources, hub.clock.now_s(), hub.policy.usage_stale_after_s);
    Freshness {
        connection_id: connection.id.clone(),
        connection: connection.name.clone(),
        sources: sources
            .into_iter()
            .map(|s| SourceAge {
                source: s.source,
                status: s.status,
                last_success_at: s.last_success_at,
            })
            .collect(),
        stale,
    }
}

/// Refuses `doing` (a sentence: "planning a reclaim") on a connection whose data is stale.
pub async fn require_fresh(hub: &Hub, connection: &Connection, doing: &str) -> HubResult<()> {
    match of(hub, connection).await?.stale {
        Some(why) => Err(HubError::Conflict(format!(
            "{doing} on {} is refused: {why}",
            connection.name
        ))),
        None => Ok(()),
    }
}

/// Which signals a connection's synced sources can show, and why the others cannot.
pub fn available(sources: &[SourceState]) -> (Signals, Vec<(Signal, String)>) {
    let by_source = |name: &str| sources.iter().find(|s| s.source == name);
    let mut set = Signals::NONE;
    let mut missing = Vec::new();
    for signal in Signal::ALL {
        let name = match signal {
            Signal::Login | Signal::Change | Signal::Integration => source::AUDIT_LOG,
            Signal::Task => source::TASKS,
            Signal::Comment => source::COMMENTS,
            Signal::Timelog => source::TIMELOGS,
        };
        match by_source(name) {
            // A source that synced once keeps counting while a later sync runs or fails.
            Some(s) if s.status == "ok" || s.last_success_at.is_some() => {
                set = Signals::of(&set.iter().chain([signal]).collect::<Vec<_>>());
            }
            Some(s) => missing.push((
                signal,
                s.message
                    .clone()
                    .unwrap_or_else(|| format!("{name} has not synced yet")),
            )),
            None => missing.push((signal, format!("{name} has not synced yet"))),
        }
    }
    (set, missing)
}
