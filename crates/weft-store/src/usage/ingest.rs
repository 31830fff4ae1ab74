//! What syncs write: the account, user types and people as Wrike lists them, pages of audit
//! records and work activity, each page with its checkpoint in one transaction, and the
//! lease that keeps one sync per connection across instances.
//!
//! Fencing: every page is written only while the writer still holds the connection's sync
//! lease (checked inside the page's transaction), so a sync that lost its lease, say to a
//! stall longer than the lease, cannot move a checkpoint another sync now owns.

use std::collections::HashMap;

use serde::Serialize;
use weft_core::usage::{
    IGNORED_OPERATIONS, INTEGRATION_LOGIN_TYPE, LOGIN_OPERATIONS, Signal, day_of, seated_by,
};

use super::Usage;
use super::periods::{FORGET_COUNTS, MARK_STALE};
use crate::db::{failed, on_pool};
use crate::{StoreError, StoreResult};

/// The account a connection reads, with its subscription.
#[derive(Debug, Clone)]
pub struct AccountSnapshot {
    pub account_id: String,
    pub name: String,
    pub plan: Option<String>,
    pub user_limit: Option<i64>,
    pub paid: Option<bool>,
    pub suspended: Option<bool>,
    /// `subscription.expiryDate`, where Wrike gives it.
    pub expiry_date: Option<String>,
    /// The account as Wrike sent it (JSON).
    pub raw: String,
}

#[derive(Debug, Clone)]
pub struct UserTypeRow {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub license_type: Option<String>,
    pub raw: String,
}

/// A contact as the users listing gives it, flattened for filtering.
#[derive(Debug, Clone, Default)]
pub struct PersonRow {
    pub id: String,
    /// `Person`, `Group`, `Robot`, or whatever Wrike calls it next.
    pub kind: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub company_name: Option<String>,
    pub title: Option<String>,
    pub role: Option<String>,
    pub user_type_id: Option<String>,
    pub external: bool,
    pub admin: bool,
    pub owner: bool,
    pub active: bool,
    pub deleted: bool,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    /// The contact as Wrike sent it (JSON).
    pub raw: String,
}

/// One audit-log record, whole.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: String,
    pub operation: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub event_at: i64,
    pub ip_address: Option<String>,
    pub object_type: Option<String>,
    pub object_name: Option<String>,
    pub object_id: Option<String>,
    /// `details` as Wrike wrote it (a JSON object).
    pub details: String,
}

/// Evidence that someone was active at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub user_id: String,
    pub at: i64,
    pub signal: Signal,
}

/// Activity folded by person: which days each person was active by which signals, and when
/// each was last seen by each signal. `save_page` writes it as one row per (person, day)
/// and one per person, so a page, or a whole audit-log window folded page by page, writes
/// a few rows per person instead of one per event. People are numbered as they come, so
/// a window of a million events over ten thousand people holds ten thousand names.
#[derive(Debug, Default)]
pub struct ActivitySummary {
    numbers: HashMap<String, u32>,
    /// Indexed by a person's number: the id and the last-seen times.
    people: Vec<(String, LastSeen)>,
    /// (person's number, day) to the signals seen that day: twelve bytes an entry, as a
    /// 30-day window of ten thousand active people holds hundreds of thousands.
    days: HashMap<(u32, u32), u8>,
    events: u64,
}

impl ActivitySummary {
    pub fn of(activity: &[Activity]) -> Self {
        let mut summary = Self::default();
        for a in activity {
            summary.add(&a.user_id, a.at, a.signal);
        }
        summary
    }

    pub fn add(&mut self, user_id: &str, at: i64, signal: Signal) {
        let number = match self.numbers.get(user_id) {
            Some(n) => *n,
            None => {
                let n = self.people.len() as u32;
                self.numbers.insert(user_id.to_owned(), n);
                self.people.push((user_id.to_owned(), LastSeen::default()));
                n
            }
        };
        // Days since 1970 fit in a u32; an audit date before 1970 is not a real one.
        let day = u32::try_from(day_of(at)).unwrap_or(0);
        *self.days.entry((number, day)).or_default() |= signal.bit() as u8;
        let last = &mut self.people[number as usize].1.0[slot(signal)];
        if last.is_none_or(|t| t < at) {
            *last = Some(at);
        }
        self.events += 1;
    }

    /// How many events were folded in.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// (day, person's number, signals), by day, so each day's rows land together in
    /// `usage_days`.
    fn day_keys(&self) -> Vec<(u32, u32, u8)> {
        let mut keys: Vec<(u32, u32, u8)> = self
            .days
            .iter()
            .map(|((n, day), signals)| (*day, *n, *signals))
            .collect();
        keys.sort_unstable();
        keys
    }

    fn person(&self, number: u32) -> &str {
        &self.people[number as usize].0
    }
}

/// Where a source stands after a page: everything dated before `synced_through` is stored;
/// the window being read (if any) and the page token to go on from inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub synced_through: Option<i64>,
    pub window: Option<(i64, i64)>,
    pub page_token: Option<String>,
}

/// A source's stored state.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct SourceState {
    pub source: String,
    /// `ok`, `unavailable` (plan, right or scope missing), `failed`, `running`.
    pub status: String,
    pub message: Option<String>,
    pub synced_through: Option<i64>,
    pub window_start: Option<i64>,
    pub window_end: Option<i64>,
    #[serde(skip)]
    pub page_token: Option<String>,
    pub records: i64,
    pub requests: i64,
    pub last_success_at: Option<i64>,
    pub updated_at: i64,
}

impl SourceState {
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            synced_through: self.synced_through,
            window: self.window_start.zip(self.window_end),
            page_token: self.page_token.clone(),
        }
    }
}

/// A connection's sync: who holds it now and how the last one ended.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    pub connection_id: String,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<i64>,
    /// JSON written by the running sync (phase, done, total).
    pub progress: Option<String>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// `ok`, `partial` (some sources unavailable) or `failed`.
    pub outcome: Option<String>,
    pub message: Option<String>,
    pub backfill_from: Option<i64>,
}

impl SyncState {
    /// Whether a sync holds the lease at `now`.
    pub fn running(&self, now: i64) -> bool {
        self.lease_owner.is_some() && self.lease_expires_at.is_some_and(|t| t >= now)
    }
}

/// Counts from saving the people listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PeopleSaved {
    pub listed: usize,
    /// Contacts stored before that the listing no longer has (now marked deleted).
    pub vanished: u64,
}

// Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const PEOPLE_PER_INSERT: usize = 400;
const AUDIT_PER_INSERT: usize = 1_000;
const MARKS_PER_INSERT: usize = 2_000;

impl Usage<'_> {
    pub async fn save_account(
        &self,
        connection_id: &str,
        a: &AccountSnapshot,
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO wrike_accounts (connection_id, account_id, name, plan, user_limit, paid, suspended, raw, synced_at, expiry_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (connection_id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, plan = excluded.plan, \
               user_limit = excluded.user_limit, paid = excluded.paid, suspended = excluded.suspended, raw = excluded.raw, synced_at = excluded.synced_at, \
               expiry_date = excluded.expiry_date")
            .bind(connection_id).bind(&a.account_id).bind(&a.name).bind(&a.plan).bind(a.user_limit)
            .bind(a.paid).bind(a.suspended).bind(&a.raw).bind(now).bind(&a.expiry_date)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the Wrike account")))?;
        Ok(())
    }

    /// Replaces the connection's user types with `types`.
    pub async fn save_user_types(
        &self,
        connection_id: &str,
        types: &[UserTypeRow],
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => {
            let mut tx = pool.begin().await.map_err(failed("user types"))?;
            sqlx::query("DELETE FROM wrike_user_types WHERE connection_id = $1")
                .bind(connection_id).execute(&mut *tx).await.map_err(failed("user types"))?;
            for t in types {
                sqlx::query("INSERT INTO wrike_user_types (connection_id, id, title, description, license_type, raw) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(connection_id).bind(&t.id).bind(&t.title).bind(&t.description).bind(&t.license_type).bind(&t.raw)
                    .execute(&mut *tx).await.map_err(failed("user types"))?;
            }
            tx.commit().await.map_err(failed("user types"))
        })?;
        Ok(())
    }

    /// Stores the complete people listing: new contacts are added, known ones updated (their
    /// activity columns kept), and contacts stored before that the listing no longer has
    /// are marked deleted and inactive, since Wrike no longer lists them at all.
    pub async fn save_people(
        &self,
        connection_id: &str,
        people: &[PersonRow],
        now: i64,
    ) -> StoreResult<PeopleSaved> {
        let begin = self.db.begin_read_then_write();
        let vanished = on_pool!(self.db, pool => {
            // It reads (the Unknown actors) before it writes: on SQLite the write lock is
            // taken up front, or another writer in between fails it with "database is locked".
            let mut tx = pool.begin_with(begin).await.map_err(failed("people"))?;
            // An actor seen in activity before the contacts listed them becomes a person
            // now: the trends' kept counts (of persons only) are recounted in full.
            let unknown: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM wrike_users WHERE connection_id = $1 AND kind = 'Unknown'")
                .bind(connection_id).fetch_all(&mut *tx).await.map_err(failed("people"))?;
            if !unknown.is_empty() {
                let unknown: std::collections::HashSet<&str> = unknown.iter().map(String::as_str).collect();
                if people.iter().any(|p| p.kind == "Person" && unknown.contains(p.id.as_str())) {
                    sqlx::query(FORGET_COUNTS).bind(connection_id)
                        .execute(&mut *tx).await.map_err(failed("period counts"))?;
                }
            }
            // Someone listed for the first time after the connection's first listing is a new
            // seat (a policy's grace period runs from now); on the first, nobody can tell.
            let listed_before: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM wrike_users WHERE connection_id = $1 AND kind <> 'Unknown')")
                .bind(connection_id).fetch_one(&mut *tx).await.map_err(failed("people"))?;
            for chunk in people.chunks(PEOPLE_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO wrike_users (connection_id, id, kind, first_name, last_name, email, company_name, title, role, user_type_id, \
                     external, admin, owner, active, deleted, timezone, locale, raw, first_seen_at, synced_at, seated_since) ");
                insert.push_values(chunk, |mut row, p| {
                    let seated_since = (listed_before && p.active).then_some(now);
                    row.push_bind(connection_id).push_bind(&p.id).push_bind(&p.kind).push_bind(&p.first_name)
                        .push_bind(&p.last_name).push_bind(&p.email).push_bind(&p.company_name).push_bind(&p.title)
                        .push_bind(&p.role).push_bind(&p.user_type_id).push_bind(p.external).push_bind(p.admin)
                        .push_bind(p.owner).push_bind(p.active).push_bind(p.deleted).push_bind(&p.timezone)
                        .push_bind(&p.locale).push_bind(&p.raw).push_bind(now).push_bind(now).push_bind(seated_since);
                });
                insert.push(
                    " ON CONFLICT (connection_id, id) DO UPDATE SET kind = excluded.kind, first_name = excluded.first_name, \
                     last_name = excluded.last_name, email = excluded.email, company_name = excluded.company_name, title = excluded.title, \
                     role = excluded.role, user_type_id = excluded.user_type_id, external = excluded.external, admin = excluded.admin, \
                     owner = excluded.owner, active = excluded.active, deleted = excluded.deleted, timezone = excluded.timezone, \
                     locale = excluded.locale, raw = excluded.raw, synced_at = excluded.synced_at, \
                     seated_since = CASE WHEN wrike_users.kind = 'Unknown' THEN excluded.seated_since \
                       WHEN excluded.active AND NOT wrike_users.active THEN excluded.synced_at ELSE wrike_users.seated_since END");
                insert.build().execute(&mut *tx).await.map_err(failed("people"))?;
            }
            // Everyone listed was stamped with `now`; a stored contact with an older stamp
            // was not listed.
            let gone = sqlx::query(
                "UPDATE wrike_users SET deleted = TRUE, active = FALSE, synced_at = $2 \
                 WHERE connection_id = $1 AND kind <> 'Unknown' AND synced_at < $2 AND NOT deleted")
                .bind(connection_id).bind(now)
                .execute(&mut *tx).await.map_err(failed("people"))?.rows_affected();
            sqlx::query(sqlx::AssertSqlSafe(format!("{DERIVE_SEATS} WHERE connection_id = $1")))
                .bind(connection_id)
                .execute(&mut *tx).await.map_err(failed("people"))?;
            for statement in RECOUNT_SEATS {
                sqlx::query(statement).bind(connection_id)
                    .execute(&mut *tx).await.map_err(failed("seat counts"))?;
            }
            tx.commit().await.map_err(failed("people"))?;
            gone
        });
        Ok(PeopleSaved {
            listed: people.len(),
            vanished,
        })
    }

    /// Records a change weft made in Wrike to one person (a reclaim), so reports show it
    /// before the next sync reads it back.
    pub async fn update_person(
        &self,
        connection_id: &str,
        id: &str,
        active: Option<bool>,
        user_type_id: Option<&str>,
        role: Option<&str>,
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => {
            let mut tx = pool.begin().await.map_err(failed("a person"))?;
            sqlx::query(
                "UPDATE wrike_users SET active = COALESCE($3, active), user_type_id = COALESCE($4, user_type_id), role = COALESCE($5, role) \
                 WHERE connection_id = $1 AND id = $2")
                .bind(connection_id).bind(id).bind(active).bind(user_type_id).bind(role)
                .execute(&mut *tx).await.map_err(failed("a person"))?;
            sqlx::query(sqlx::AssertSqlSafe(format!("{DERIVE_SEATS} WHERE connection_id = $1 AND id = $2")))
                .bind(connection_id).bind(id)
                .execute(&mut *tx).await.map_err(failed("a person"))?;
            // A recount rather than a move between buckets: the transaction writes first, so
            // on SQLite it holds the write lock from its first statement (a read first would
            // have to upgrade, and fails at once when another writer got in between).
            for statement in RECOUNT_SEATS {
                sqlx::query(statement).bind(connection_id)
                    .execute(&mut *tx).await.map_err(failed("seat counts"))?;
            }
            tx.commit().await.map_err(failed("a person"))
        })?;
        Ok(())
    }

    /// Stores one page of a source with its checkpoint, in one transaction, while `owner`
    /// holds the connection's sync lease. Audit records already stored are left as they
    /// are; `activity` (folded by the caller, for a page or a whole window) only ever moves
    /// a last-seen time forward. When `derive` names a time range (an audit-log window
    /// resumed after a crash, whose earlier pages this run never saw), the activity of
    /// every stored record in it is derived in the same transaction by two set-based
    /// statements. Returns how many audit records were new.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_page(
        &self,
        connection_id: &str,
        owner: &str,
        source: &str,
        audit: &[AuditRow],
        activity: &ActivitySummary,
        derive: Option<(i64, i64)>,
        checkpoint: &Checkpoint,
        requests: i64,
        now: i64,
    ) -> StoreResult<u64> {
        let days = activity.day_keys();
        let greatest = greatest(self.db.backend());
        let derive_sql = derive.map(|_| derive_statements(self.db.backend()));
        on_pool!(self.db, pool => {
            let mut tx = pool.begin().await.map_err(failed("a sync page"))?;
            let held = sqlx::query(
                "UPDATE usage_syncs SET lease_expires_at = lease_expires_at WHERE connection_id = $1 AND lease_owner = $2 AND lease_expires_at >= $3")
                .bind(connection_id).bind(owner).bind(now)
                .execute(&mut *tx).await.map_err(failed("a sync page"))?.rows_affected();
            if held == 0 {
                return Err(StoreError::WrongState {
                    message: format!("the sync of {connection_id} lost its lease; another sync owns it now"),
                });
            }
            let mut inserted = 0;
            for chunk in audit.chunks(AUDIT_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) ");
                insert.push_values(chunk, |mut row, r| {
                    row.push_bind(connection_id).push_bind(r.event_at).push_bind(&r.id).push_bind(&r.operation).push_bind(&r.user_id)
                        .push_bind(&r.user_email).push_bind(&r.ip_address).push_bind(&r.object_type)
                        .push_bind(&r.object_name).push_bind(&r.object_id).push_bind(&r.details);
                });
                insert.push(" ON CONFLICT (connection_id, event_at, id) DO NOTHING");
                inserted += insert.build().execute(&mut *tx).await.map_err(failed("audit records"))?.rows_affected();
            }
            // The few records that seat someone anew (an activation, an accepted invitation)
            // start that person's grace period.
            for r in audit {
                let Some(person) = seated_by(&r.operation, r.user_id.as_deref(), r.object_type.as_deref(), r.object_id.as_deref()) else {
                    continue;
                };
                sqlx::query(
                    "UPDATE wrike_users SET seated_since = $3 WHERE connection_id = $1 AND id = $2 \
                     AND (seated_since IS NULL OR seated_since < $3)")
                    .bind(connection_id).bind(person).bind(r.event_at)
                    .execute(&mut *tx).await.map_err(failed("a seat's start"))?;
            }
            if let (Some((from, to)), Some((days_sql, users_sql))) = (derive, &derive_sql) {
                sqlx::query(sqlx::AssertSqlSafe(days_sql.clone()))
                    .bind(connection_id).bind(from).bind(to)
                    .execute(&mut *tx).await.map_err(failed("activity days"))?;
                sqlx::query(MARK_STALE).bind(connection_id).bind(from.div_euclid(86_400))
                    .execute(&mut *tx).await.map_err(failed("period counts"))?;
                sqlx::query(sqlx::AssertSqlSafe(users_sql.clone()))
                    .bind(connection_id).bind(from).bind(to).bind(now)
                    .execute(&mut *tx).await.map_err(failed("last activity"))?;
            }
            if let Some(first) = days.iter().map(|(day, _, _)| i64::from(*day)).min() {
                sqlx::query(MARK_STALE).bind(connection_id).bind(first)
                    .execute(&mut *tx).await.map_err(failed("period counts"))?;
            }
            for chunk in days.chunks(MARKS_PER_INSERT) {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO usage_days (connection_id, day, user_id, signals) ");
                insert.push_values(chunk, |mut row, (day, person, signals)| {
                    row.push_bind(connection_id).push_bind(i64::from(*day)).push_bind(activity.person(*person))
                        .push_bind(i64::from(*signals));
                });
                insert.push(" ON CONFLICT (connection_id, day, user_id) DO UPDATE SET signals = usage_days.signals | excluded.signals");
                insert.build().execute(&mut *tx).await.map_err(failed("activity days"))?;
            }
            for chunk in activity.people.chunks(MARKS_PER_INSERT / 4) {
                let mut insert = sqlx::QueryBuilder::new(format!(
                    "INSERT INTO wrike_users (connection_id, id, kind, first_seen_at, {}, last_active_at, last_work_at) ",
                    Signal::ALL.map(last_column).join(", ")));
                insert.push_values(chunk, |mut row, (user, seen)| {
                    row.push_bind(connection_id).push_bind(user.as_str()).push_bind("Unknown").push_bind(now);
                    for at in seen.0 {
                        row.push_bind(at);
                    }
                    row.push_bind(seen.latest(&Signal::ALL)).push_bind(seen.latest(&WORK));
                });
                insert.push(" ON CONFLICT (connection_id, id) DO UPDATE SET ");
                for signal in Signal::ALL {
                    insert.push(format!("{}, ", newer(last_column(signal))));
                }
                insert.push(format!(
                    "last_active_at = {greatest}(wrike_users.last_active_at, excluded.last_active_at), \
                     last_work_at = {greatest}(wrike_users.last_work_at, excluded.last_work_at)"));
                insert.build().execute(&mut *tx).await.map_err(failed("last activity"))?;
            }
            let (window_start, window_end) = checkpoint.window.unzip();
            sqlx::query(
                "INSERT INTO usage_sources (connection_id, source, status, synced_through, window_start, window_end, page_token, records, requests, updated_at) \
                 VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (connection_id, source) DO UPDATE SET status = 'running', \
                   synced_through = COALESCE(excluded.synced_through, usage_sources.synced_through), \
                   window_start = excluded.window_start, window_end = excluded.window_end, page_token = excluded.page_token, \
                   records = usage_sources.records + excluded.records, requests = usage_sources.requests + excluded.requests, \
                   updated_at = excluded.updated_at")
                .bind(connection_id).bind(source).bind(checkpoint.synced_through).bind(window_start).bind(window_end)
                .bind(&checkpoint.page_token).bind(inserted as i64 + activity_count(audit, activity)).bind(requests).bind(now)
                .execute(&mut *tx).await.map_err(failed("a checkpoint"))?;
            tx.commit().await.map_err(failed("a sync page"))?;
            Ok::<u64, StoreError>(inserted)
        })
    }

    /// Says how a source ended this sync: `ok` (with when), `unavailable` or `failed` with
    /// what is missing or went wrong, and how many requests it made in all (pages count up
    /// as they are stored; this sets the final figure).
    pub async fn finish_source(
        &self,
        connection_id: &str,
        source: &str,
        status: &str,
        message: Option<&str>,
        requests: i64,
        now: i64,
    ) -> StoreResult<()> {
        let success = (status == "ok").then_some(now);
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_sources (connection_id, source, status, message, requests, last_success_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (connection_id, source) DO UPDATE SET status = excluded.status, message = excluded.message, \
               requests = excluded.requests, \
               last_success_at = COALESCE(excluded.last_success_at, usage_sources.last_success_at), updated_at = excluded.updated_at")
            .bind(connection_id).bind(source).bind(status).bind(message).bind(requests).bind(success).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("a source's state")))?;
        Ok(())
    }

    /// Zeroes the per-sync request counters before a sync starts.
    pub async fn reset_request_counts(&self, connection_id: &str) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query("UPDATE usage_sources SET requests = 0 WHERE connection_id = $1")
            .bind(connection_id).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("sources")))?;
        Ok(())
    }

    pub async fn sources(&self, connection_id: &str) -> StoreResult<Vec<SourceState>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT source, status, message, synced_through, window_start, window_end, page_token, records, requests, last_success_at, updated_at \
             FROM usage_sources WHERE connection_id = $1 ORDER BY source")
            .bind(connection_id).fetch_all(pool).await.map_err(failed("sources")))
    }

    pub async fn source(
        &self,
        connection_id: &str,
        source: &str,
    ) -> StoreResult<Option<SourceState>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT source, status, message, synced_through, window_start, window_end, page_token, records, requests, last_success_at, updated_at \
             FROM usage_sources WHERE connection_id = $1 AND source = $2")
            .bind(connection_id).bind(source).fetch_optional(pool).await.map_err(failed("a source")))
    }

    /// Takes the connection's sync lease for `owner` until `until`, unless another owner
    /// holds one that has not expired at `now`. True when taken.
    pub async fn claim_sync(
        &self,
        connection_id: &str,
        owner: &str,
        now: i64,
        until: i64,
    ) -> StoreResult<bool> {
        let taken = on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_syncs (connection_id, lease_owner, lease_expires_at, started_at, progress) VALUES ($1, $2, $3, $4, NULL) \
             ON CONFLICT (connection_id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at, \
               started_at = excluded.started_at, progress = NULL \
             WHERE usage_syncs.lease_owner IS NULL OR usage_syncs.lease_expires_at < $4 OR usage_syncs.lease_owner = excluded.lease_owner")
            .bind(connection_id).bind(owner).bind(until).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the sync lease")))?;
        Ok(taken == 1)
    }

    /// Extends the lease and records progress; false when `owner` no longer holds it.
    pub async fn heartbeat_sync(
        &self,
        connection_id: &str,
        owner: &str,
        until: i64,
        progress: &str,
    ) -> StoreResult<bool> {
        let kept = on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_syncs SET lease_expires_at = $3, progress = $4 WHERE connection_id = $1 AND lease_owner = $2")
            .bind(connection_id).bind(owner).bind(until).bind(progress)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the sync lease")))?;
        Ok(kept == 1)
    }

    /// Gives the lease up and records how the sync ended.
    pub async fn release_sync(
        &self,
        connection_id: &str,
        owner: &str,
        outcome: &str,
        message: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "UPDATE usage_syncs SET lease_owner = NULL, lease_expires_at = NULL, progress = NULL, finished_at = $3, outcome = $4, message = $5 \
             WHERE connection_id = $1 AND lease_owner = $2")
            .bind(connection_id).bind(owner).bind(now).bind(outcome).bind(message)
            .execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the sync lease")))?;
        Ok(())
    }

    pub async fn sync_state(&self, connection_id: &str) -> StoreResult<Option<SyncState>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, lease_owner, lease_expires_at, progress, started_at, finished_at, outcome, message, backfill_from \
             FROM usage_syncs WHERE connection_id = $1")
            .bind(connection_id).fetch_optional(pool).await.map_err(failed("the sync state")))
    }

    pub async fn sync_states(&self) -> StoreResult<Vec<SyncState>> {
        on_pool!(self.db, pool => sqlx::query_as(
            "SELECT connection_id, lease_owner, lease_expires_at, progress, started_at, finished_at, outcome, message, backfill_from \
             FROM usage_syncs ORDER BY connection_id")
            .fetch_all(pool).await.map_err(failed("sync states")))
    }

    /// Refreshes the planner's statistics after a sync changed many rows, so the seat
    /// reports keep using their indexes (on PostgreSQL a fresh table has none until
    /// autovacuum comes by, and a plan from no statistics can be ten times slower).
    pub async fn refresh_statistics(&self) -> StoreResult<()> {
        match self.db.backend() {
            crate::db::Backend::Postgres => {
                self.db
                    .execute_unchecked("VACUUM (ANALYZE) wrike_users")
                    .await?;
                self.db.execute_unchecked("ANALYZE usage_days").await?;
            }
            crate::db::Backend::Sqlite => {
                // Explicitly: without statistics for every index of the people, a filtered
                // report can take an index over (connection) and look up each person, ten
                // times a scan; `optimize` alone does not always analyze them.
                self.db.execute_unchecked("ANALYZE wrike_users").await?;
                self.db.execute_unchecked("PRAGMA optimize").await?;
            }
        }
        Ok(())
    }

    /// Sets where the first audit-log backfill starts (kept once set, so a resumed backfill
    /// reads the same window).
    pub async fn set_backfill_from(&self, connection_id: &str, from: i64) -> StoreResult<()> {
        on_pool!(self.db, pool => sqlx::query(
            "INSERT INTO usage_syncs (connection_id, backfill_from) VALUES ($1, $2) \
             ON CONFLICT (connection_id) DO UPDATE SET backfill_from = excluded.backfill_from")
            .bind(connection_id).bind(from).execute(pool).await.map(|d| d.rows_affected()).map_err(failed("the backfill window")))?;
        Ok(())
    }
}

/// Sets the derived seat columns from the rest of the row: whether the person holds a seat
/// and whether it is a paid one (`weft_core::usage::is_paid_seat`, in SQL: a person, not a
/// collaborator by role or by user type).
const DERIVE_SEATS: &str = "UPDATE wrike_users SET seated = (active AND NOT deleted), \
     paid = (kind = 'Person' AND COALESCE(role, 'User') <> 'Collaborator' AND NOT EXISTS (\
       SELECT 1 FROM wrike_user_types t WHERE t.connection_id = wrike_users.connection_id \
       AND t.id = wrike_users.user_type_id AND LOWER(COALESCE(t.license_type, '')) = 'collaborator'))";

/// Recounts `usage_seat_counts` for one connection (`$1`) from its people, after the seat
/// columns changed, in the same transaction.
const RECOUNT_SEATS: [&str; 2] = [
    "DELETE FROM usage_seat_counts WHERE connection_id = $1",
    "INSERT INTO usage_seat_counts (connection_id, kind, seated, paid, user_type_id, people) \
     SELECT connection_id, kind, seated, paid, user_type_id, COUNT(*) \
     FROM wrike_users WHERE connection_id = $1 AND kind <> 'Unknown' GROUP BY connection_id, kind, seated, paid, user_type_id",
];

/// The signals of work data: tasks, comments, timelogs.
const WORK: [Signal; 3] = [Signal::Task, Signal::Comment, Signal::Timelog];

/// The scalar "largest of" function: `MAX(a, b)` on SQLite, `GREATEST(a, b)` on PostgreSQL.
fn greatest(backend: crate::db::Backend) -> &'static str {
    match backend {
        crate::db::Backend::Sqlite => "MAX",
        crate::db::Backend::Postgres => "GREATEST",
    }
}

/// `column = the later of the stored and the new value` (either may be NULL).
fn newer(column: &str) -> String {
    format!(
        "{column} = CASE WHEN excluded.{column} IS NOT NULL AND (wrike_users.{column} IS NULL OR wrike_users.{column} < excluded.{column}) \
         THEN excluded.{column} ELSE wrike_users.{column} END"
    )
}

/// The two statements that derive activity from the audit records of a time range
/// (`$1` connection, `$2`..`$3` the range, `$4` now): which days each person was active by
/// which signals, and each person's latest sign-in, sign-in through an integration and
/// change. Which operations are which comes from `weft_core::usage`, the same rule the rest
/// of weft applies (`details` is always a JSON object: weft writes it from the parsed one).
fn derive_statements(backend: crate::db::Backend) -> (String, String) {
    let list = |ops: &[&str]| {
        ops.iter()
            .map(|o| format!("'{}'", o.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let login_type = match backend {
        crate::db::Backend::Sqlite => "json_extract(details, '$.\"Login Type\"')",
        crate::db::Backend::Postgres => "(details::jsonb ->> 'Login Type')",
    };
    let through_integration =
        format!("COALESCE(LOWER(TRIM({login_type})), '') = '{INTEGRATION_LOGIN_TYPE}'");
    let sign_in = format!("operation IN ({})", list(&LOGIN_OPERATIONS));
    let login = format!("({sign_in} AND NOT {through_integration})");
    let integration = format!("({sign_in} AND {through_integration})");
    let change = format!(
        "operation NOT IN ({}, {})",
        list(&LOGIN_OPERATIONS),
        list(&IGNORED_OPERATIONS)
    );
    let bit = |signal: Signal| signal.bit();
    let (login_bit, change_bit, integration_bit) = (
        bit(Signal::Login),
        bit(Signal::Change),
        bit(Signal::Integration),
    );
    let greatest = greatest(backend);
    let range = "FROM wrike_audit_records WHERE connection_id = $1 AND event_at >= $2 AND event_at <= $3 AND user_id IS NOT NULL";
    let days = format!(
        "INSERT INTO usage_days (connection_id, day, user_id, signals) \
         SELECT connection_id, event_at / 86400, user_id, \
           MAX(CASE WHEN {login} THEN {login_bit} ELSE 0 END) + MAX(CASE WHEN {change} THEN {change_bit} ELSE 0 END) \
           + MAX(CASE WHEN {integration} THEN {integration_bit} ELSE 0 END) \
         {range} GROUP BY connection_id, event_at / 86400, user_id \
         HAVING MAX(CASE WHEN {sign_in} OR {change} THEN 1 ELSE 0 END) = 1 \
         ON CONFLICT (connection_id, day, user_id) DO UPDATE SET signals = usage_days.signals | excluded.signals"
    );
    let users = format!(
        "INSERT INTO wrike_users (connection_id, id, kind, first_seen_at, last_login_at, last_change_at, last_integration_at, last_active_at) \
         SELECT connection_id, user_id, 'Unknown', $4, MAX(CASE WHEN {login} THEN event_at END), MAX(CASE WHEN {change} THEN event_at END), \
           MAX(CASE WHEN {integration} THEN event_at END), MAX(CASE WHEN {sign_in} OR {change} THEN event_at ELSE 0 END) \
         {range} GROUP BY connection_id, user_id \
         ON CONFLICT (connection_id, id) DO UPDATE SET {}, {}, {}, last_active_at = {greatest}(wrike_users.last_active_at, excluded.last_active_at)",
        newer("last_login_at"),
        newer("last_change_at"),
        newer("last_integration_at")
    );
    (days, users)
}

/// The last-seen times of one user, in `Signal::ALL` order.
#[derive(Debug, Default)]
struct LastSeen([Option<i64>; Signal::ALL.len()]);

impl LastSeen {
    /// The latest of some signals, 0 when none was seen.
    fn latest(&self, signals: &[Signal]) -> i64 {
        Signal::ALL
            .iter()
            .zip(self.0)
            .filter(|(s, _)| signals.contains(s))
            .filter_map(|(_, at)| at)
            .max()
            .unwrap_or(0)
    }
}

/// Where a signal's time sits in `LastSeen`.
fn slot(signal: Signal) -> usize {
    Signal::ALL
        .iter()
        .position(|s| *s == signal)
        .expect("every signal is in ALL")
}

pub(crate) fn last_column(signal: Signal) -> &'static str {
    match signal {
        Signal::Login => "last_login_at",
        Signal::Change => "last_change_at",
        Signal::Task => "last_task_at",
        Signal::Comment => "last_comment_at",
        Signal::Timelog => "last_timelog_at",
        Signal::Integration => "last_integration_at",
    }
}

/// What a page adds to a work source's record count (audit pages count their new records).
fn activity_count(audit: &[AuditRow], activity: &ActivitySummary) -> i64 {
    if audit.is_empty() {
        activity.events() as i64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_folds_into_days_and_last_seen() {
        let a = |user: &str, at: i64, signal| Activity {
            user_id: user.into(),
            at,
            signal,
        };
        let summary = ActivitySummary::of(&[
            a("u1", 100, Signal::Login),
            a("u1", 200, Signal::Comment),
            a("u1", 50, Signal::Login),
            a("u1", 86_500, Signal::Login),
            a("u2", 10, Signal::Task),
        ]);
        assert_eq!(summary.events(), 5);
        let rows: Vec<(u32, &str, u8)> = summary
            .day_keys()
            .into_iter()
            .map(|(day, n, signals)| (day, summary.person(n), signals))
            .collect();
        assert_eq!(rows, vec![(0, "u1", 1 | 8), (0, "u2", 4), (1, "u1", 1)]);
        let seen: HashMap<&str, &LastSeen> = summary
            .people
            .iter()
            .map(|(id, seen)| (id.as_str(), seen))
            .collect();
        assert_eq!(seen["u1"].0[0], Some(86_500));
        assert_eq!(seen["u1"].0[3], Some(200));
        assert_eq!(seen["u1"].0[2], None);
        assert_eq!(seen["u2"].0[2], Some(10));
    }
}
