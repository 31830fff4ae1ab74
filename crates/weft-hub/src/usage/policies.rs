//! License policies in the hub: files checked against their connection's account
//! (validate), compared with what is applied (diff), applied as a new version, exported,
//! removed; evaluated over the synced seats ("idle under this policy"). What they flag
//! becomes reclaim plans in `reclaim::plan_policy`. The rule itself is `weft_core::policy`.

use serde::Serialize;
use weft_core::policy::{
    self, Account, Change, Group, Judged, Person, Resolved, Tally, UserType, Verdict,
};
use weft_core::recipe::Problems;
use weft_core::usage::{Signals, annual_savings_cents};
use weft_store::{Connection, PolicyRecord, Renewal};

use super::freshness::{self, Freshness};
use crate::error::{HubError, HubResult};
use crate::{Hub, connections, trail};

/// A policy file checked against its account.
pub struct Checked {
    pub resolved: Resolved,
    pub connection: Connection,
    pub text: String,
}

/// What the account of a connection holds that a policy names.
async fn account(hub: &Hub, connection: &Connection) -> HubResult<Account> {
    let store = hub.store.usage();
    let user_types = store
        .user_types(&connection.id)
        .await?
        .into_iter()
        .map(|t| UserType {
            id: t.id,
            title: t.title,
        })
        .collect();
    let groups = store
        .groups(&connection.id)
        .await?
        .into_iter()
        .map(|g| Group {
            member_ids: g
                .raw
                .as_deref()
                .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok())
                .and_then(|v| {
                    v.get("memberIds")?.as_array().map(|ids| {
                        ids.iter()
                            .filter_map(|id| id.as_str().map(str::to_owned))
                            .collect()
                    })
                })
                .unwrap_or_default(),
            id: g.id,
            title: g.first_name,
        })
        .collect();
    // Every connection to the same Wrike account signs in as someone: none is proposed.
    let connection_users = hub
        .store
        .connections()
        .list()
        .await?
        .into_iter()
        .filter(|c| c.identity.account_id == connection.identity.account_id)
        .map(|c| c.identity.user_id)
        .collect();
    Ok(Account {
        user_types,
        groups,
        connection_users,
    })
}

/// Why a file fails, as the problems of that file (for the CLI's and the API's listings).
fn whole_file(file: &str, message: String) -> Problems {
    Problems {
        file: file.to_owned(),
        problems: vec![weft_core::recipe::Problem::whole_file(message)],
    }
}

/// Reads a policy file and checks it against its connection's account. Problems are the
/// file's (a field and why); a hub failure is an error.
pub async fn check(hub: &Hub, file: &str, text: &str) -> HubResult<Result<Checked, Problems>> {
    let policy = match policy::parse(file, text) {
        Ok(p) => p,
        Err(problems) => return Ok(Err(problems)),
    };
    let connection = match connections::find(hub, &policy.connection).await {
        Ok(c) => c,
        Err(HubError::NotFound { .. }) => {
            return Ok(Err(Problems {
                file: file.to_owned(),
                problems: vec![weft_core::recipe::Problem {
                    line: 0,
                    column: 0,
                    field: "connection".into(),
                    message: format!("no connection {:?}", policy.connection),
                }],
            }));
        }
        Err(e) => return Err(e),
    };
    if hub
        .store
        .usage()
        .sources(&connection.id)
        .await?
        .iter()
        .all(|s| s.source != weft_store::source::USERS)
    {
        return Ok(Err(whole_file(
            file,
            format!(
                "connection {} has not synced its people yet: its user types and groups are unknown; run a sync first",
                connection.name
            ),
        )));
    }
    let account = account(hub, &connection).await?;
    Ok(
        policy::resolve(file, policy, &account).map(|resolved| Checked {
            resolved,
            connection,
            text: text.to_owned(),
        }),
    )
}

/// A file's difference from the policy applied under its name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDiff {
    pub name: String,
    /// `new`, `changed` or `unchanged`.
    pub change: String,
    /// A unified diff of the texts (empty when unchanged).
    pub diff: String,
}

pub async fn diff(hub: &Hub, checked: &Checked) -> HubResult<PolicyDiff> {
    let name = checked.resolved.policy.name.clone();
    let applied = hub.store.usage().policy(&name).await?;
    let (change, diff) = match &applied {
        None => (
            "new",
            crate::diff::diff_text("", &checked.text, "/dev/null", &name),
        ),
        Some(a) if a.text == checked.text && a.connection_id == checked.connection.id => {
            ("unchanged", String::new())
        }
        Some(a) => (
            "changed",
            crate::diff::diff_text(
                &a.text,
                &checked.text,
                &format!("{name} (version {})", a.version),
                &format!("{name} (file)"),
            ),
        ),
    };
    Ok(PolicyDiff {
        name,
        change: change.into(),
        diff,
    })
}

/// Applies a checked file: a new version unless the text is what is applied already.
/// Answers the policy as applied and whether anything changed.
pub async fn apply(hub: &Hub, actor: &str, checked: &Checked) -> HubResult<(PolicyRecord, bool)> {
    let store = hub.store.usage();
    let name = &checked.resolved.policy.name;
    let before = store.policy(name).await?;
    if let Some(b) = &before
        && b.text == checked.text
        && b.connection_id == checked.connection.id
    {
        return Ok((b.clone(), false));
    }
    let version = store
        .save_policy(
            name,
            &checked.connection.id,
            &checked.text,
            hub.clock.now_s(),
            actor,
        )
        .await?;
    trail::record(
        hub,
        actor,
        "usage.policy.apply",
        name,
        before.as_ref().map(|b| serde_json::json!({"version": b.version, "text": b.text})),
        Some(serde_json::json!({"version": version, "connection": checked.connection.name, "text": checked.text})),
    )
    .await?;
    // A new version stops the policy's reclaim dialogue until an Admin starts it again:
    // whoever may edit a policy (an Analyst) may not by that widen who is asked and changed.
    if let Some(started_by) = before.as_ref().and_then(|b| b.dialogue_by.clone()) {
        store.set_dialogue(name, None, hub.clock.now_s()).await?;
        trail::record(
            hub,
            actor,
            "usage.dialogue.stop",
            name,
            Some(serde_json::json!({"startedBy": started_by})),
            Some(serde_json::json!({"reason": format!("version {version} was applied; an Admin starts the dialogue again")})),
        )
        .await?;
    }
    Ok((get(hub, name).await?, true))
}

pub async fn get(hub: &Hub, name: &str) -> HubResult<PolicyRecord> {
    hub.store
        .usage()
        .policy(name)
        .await?
        .ok_or_else(|| HubError::not_found(format!("policy {name}")))
}

pub async fn list(hub: &Hub) -> HubResult<Vec<PolicyRecord>> {
    Ok(hub.store.usage().policies().await?)
}

pub async fn remove(hub: &Hub, actor: &str, name: &str) -> HubResult<()> {
    let before = get(hub, name).await?;
    hub.store.usage().delete_policy(name).await?;
    trail::record(
        hub,
        actor,
        "usage.policy.remove",
        name,
        Some(serde_json::json!({"version": before.version, "text": before.text})),
        None,
    )
    .await
}

/// One flagged person, as the evaluation lists them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JudgedPerson {
    pub name: String,
    pub email: Option<String>,
    pub user_type_id: Option<String>,
    #[serde(flatten)]
    pub judged: Judged,
    /// What the change saves a year, in cents, where the renewal's costs are entered.
    pub annual_saving_cents: Option<i64>,
}

/// What a policy says of a connection's paid seats now.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub policy: String,
    pub version: i64,
    pub connection_id: String,
    pub connection: String,
    pub evaluated_at: i64,
    /// The signals the connection has synced (a policy counts only these).
    pub signals_available: Signals,
    pub tally: Tally,
    /// What the flagged seats would save a year, in cents (none without a renewal entered).
    pub potential_saving_cents: Option<i64>,
    pub currency: Option<String>,
    pub freshness: Freshness,
    /// Every person judged, flagged first (by longest idle), when asked for; else the
    /// flagged only.
    pub people: Vec<JudgedPerson>,
}

/// The yearly saving of one change, in cents: a deactivation saves the seat's cost, a
/// downgrade the difference between the two types' costs (a type with no cost of its own
/// costs the seat price, unless it is the free collaborator kind).
fn saving(renewal: &Renewal, from_type: Option<&str>, change: &Change) -> i64 {
    let cost =
        |t: Option<&str>| annual_savings_cents([t], renewal.seat_cost_cents, &renewal.type_costs);
    match change {
        Change::Deactivate | Change::SetRole { .. } => cost(from_type),
        Change::SetType { id, title } => {
            let to = if renewal.type_costs.contains_key(id)
                || !title.to_lowercase().contains("collaborator")
            {
                cost(Some(id))
            } else {
                0
            };
            (cost(from_type) - to).max(0)
        }
    }
}

/// Who an evaluation lists besides the flagged.
#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    Flagged,
    Everyone,
    /// The flagged and these people (a dialogue's open rows, to say why they leave).
    FlaggedAnd(&'a std::collections::HashSet<String>),
}

impl Listing<'_> {
    fn lists(&self, id: &str, flagged: bool) -> bool {
        match self {
            Listing::Flagged => flagged,
            Listing::Everyone => true,
            Listing::FlaggedAnd(ids) => flagged || ids.contains(id),
        }
    }
}

/// Evaluates an applied policy over its connection's paid seats as synced. `everyone`
/// lists every person judged; otherwise only the flagged.
pub async fn evaluate(hub: &Hub, name: &str, everyone: bool) -> HubResult<Evaluation> {
    let listing = if everyone {
        Listing::Everyone
    } else {
        Listing::Flagged
    };
    evaluate_listing(hub, name, listing).await
}

/// `evaluate`, listing whom `listing` says.
pub async fn evaluate_listing(
    hub: &Hub,
    name: &str,
    listing: Listing<'_>,
) -> HubResult<Evaluation> {
    let record = get(hub, name).await?;
    let checked = checked_record(hub, &record).await?;
    let seats = Seats::read(hub, &checked.connection).await?;
    Ok(seats.judge(&checked, record.version, listing))
}

/// Every applied policy evaluated (the flagged listed), each connection's seats read once
/// however many policies judge them: the policies page and the digest show them all. A
/// policy that cannot be judged answers why, in its place.
pub async fn evaluate_every(hub: &Hub) -> HubResult<Vec<(PolicyRecord, HubResult<Evaluation>)>> {
    let records = list(hub).await?;
    let mut checked = Vec::with_capacity(records.len());
    for record in &records {
        checked.push(checked_record(hub, record).await);
    }
    let mut seats: std::collections::HashMap<String, Seats> = Default::default();
    for c in checked.iter().flatten() {
        if !seats.contains_key(&c.connection.id) {
            seats.insert(
                c.connection.id.clone(),
                Seats::read(hub, &c.connection).await?,
            );
        }
    }
    Ok(records
        .into_iter()
        .zip(checked)
        .map(|(record, checked)| {
            let evaluation = checked
                .map(|c| seats[&c.connection.id].judge(&c, record.version, Listing::Flagged));
            (record, evaluation)
        })
        .collect())
}

/// An applied policy checked again against its account as synced now.
async fn checked_record(hub: &Hub, record: &PolicyRecord) -> HubResult<Checked> {
    match check(hub, &record.name, &record.text).await? {
        Ok(c) => Ok(c),
        Err(problems) => Err(HubError::Conflict(format!(
            "policy {} no longer fits its account (re-apply it after fixing): {problems}",
            record.name
        ))),
    }
}

/// What judging needs of one connection, read once for however many of its policies.
struct Seats {
    people: Vec<Person>,
    available: Signals,
    renewal: Option<Renewal>,
    freshness: Freshness,
    now: i64,
}

impl Seats {
    async fn read(hub: &Hub, connection: &Connection) -> HubResult<Seats> {
        let store = hub.store.usage();
        let sources = store.sources(&connection.id).await?;
        let (available, _) = freshness::available(&sources);
        let people = store
            .paid_seats(&connection.id)
            .await?
            .into_iter()
            .map(|seat| Person {
                name: format!("{} {}", seat.first_name, seat.last_name)
                    .trim()
                    .to_owned(),
                email: seat.email,
                company: seat.company_name,
                title: seat.title,
                user_type_id: seat.user_type_id,
                owner: seat.owner,
                last: [
                    seat.last_login_at,
                    seat.last_change_at,
                    seat.last_task_at,
                    seat.last_comment_at,
                    seat.last_timelog_at,
                    seat.last_integration_at,
                ],
                seated_since: seat.seated_since,
                id: seat.id,
            })
            .collect();
        Ok(Seats {
            people,
            available,
            renewal: store.renewal(&connection.id).await?,
            freshness: freshness::of_sources(hub, connection, sources),
            now: hub.clock.now_s(),
        })
    }

    fn judge(&self, checked: &Checked, version: i64, listing: Listing<'_>) -> Evaluation {
        let connection = &checked.connection;
        let mut tally = Tally::default();
        let mut people = Vec::new();
        let mut potential = 0;
        for person in &self.people {
            let judged = checked.resolved.judge(person, self.available, self.now);
            tally.add(&judged.verdict);
            let flagged = matches!(judged.verdict, Verdict::Flagged { .. });
            let annual_saving_cents = match (&judged.verdict, &self.renewal) {
                (Verdict::Flagged { change, .. }, Some(r)) => {
                    let s = saving(r, person.user_type_id.as_deref(), change);
                    potential += s;
                    Some(s)
                }
                _ => None,
            };
            if listing.lists(&person.id, flagged) {
                people.push(JudgedPerson {
                    name: person.name.clone(),
                    email: person.email.clone(),
                    user_type_id: person.user_type_id.clone(),
                    judged,
                    annual_saving_cents,
                });
            }
        }
        // Flagged first, the longest idle (never active) at the top; then the rest by name.
        people.sort_by_cached_key(|p| match &p.judged.verdict {
            Verdict::Flagged {
                last_activity_at, ..
            } => (0, last_activity_at.unwrap_or(i64::MIN), String::new()),
            _ => (1, 0, p.name.to_lowercase()),
        });
        Evaluation {
            policy: checked.resolved.policy.name.clone(),
            version,
            connection_id: connection.id.clone(),
            connection: connection.name.clone(),
            evaluated_at: self.now,
            signals_available: self.available,
            tally,
            potential_saving_cents: self.renewal.as_ref().map(|_| potential),
            currency: self.renewal.as_ref().map(|r| r.currency.clone()),
            freshness: self.freshness.clone(),
            people,
        }
    }
}
