//! Active people per day, week and month, kept so that trends read a few rows instead of
//! counting distinct people over millions of activity days at each request.
//!
//! `usage_period_counts` holds, per connection, period and the set of signals a person was
//! active by in it, how many people (of kind Person) that is; the active users of a period
//! by any choice of signals are the sum over the sets that share a signal with it. Every
//! write to `usage_days` (and a contact that turns out to be a person) marks the counts
//! stale from its earliest day in `usage_period_state`, in the same transaction; a sync
//! refreshes them when it ends. Stale or missing counts are never read: the trend then
//! counts the activity days themselves.

use chrono::{Datelike, NaiveDate};
use weft_core::usage::Signal;

use super::Usage;
use crate::StoreResult;
use crate::db::{Backend, failed, on_pool};

/// The length of a trend's periods, as the kept counts name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    /// From Monday.
    Week,
    /// A calendar month.
    Month,
}

impl PeriodKind {
    pub fn name(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
        }
    }
}

/// Marks a connection's (`$1`) period counts stale from day `$2`, where they were kept.
pub(crate) const MARK_STALE: &str = "UPDATE usage_period_state SET stale_from = \
     CASE WHEN stale_from IS NULL OR $2 < stale_from THEN $2 ELSE stale_from END WHERE connection_id = $1";

/// Forgets that a connection's (`$1`) period counts were kept: the next refresh recounts all.
pub(crate) const FORGET_COUNTS: &str = "DELETE FROM usage_period_state WHERE connection_id = $1";

/// The earliest day stale in the kept counts: `None` when all are current; `Some(None)`
/// when none are kept.
type Staleness = Option<Option<i64>>;

/// The OR of the signal bits over a group (SQLite has no `BIT_OR` aggregate), one
/// `MAX(bit)` per signal.
fn signals_of_group() -> String {
    let bits: Vec<String> = Signal::ALL
        .iter()
        .map(|s| format!("MAX(d.signals & {})", s.bit()))
        .collect();
    format!("({})", bits.join(" | "))
}

/// Days since 1970-01-01 of a date.
fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch")).num_days()
}

fn date_of(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch") + chrono::Duration::days(day)
}

/// The Monday on or before a day (1970-01-01 was a Thursday).
fn monday_of(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// The first day of the month a day falls in.
fn month_of(day: i64) -> i64 {
    let date = date_of(day);
    day_number(date.with_day(1).unwrap_or(date))
}

impl Usage<'_> {
    /// Recounts the stale periods of a connection's kept counts, through `today` (a day
    /// number), in one transaction: the days from the earliest stale one, the weeks and
    /// months that contain it. With none kept yet, every period is counted.
    pub async fn refresh_period_counts(&self, connection_id: &str, today: i64) -> StoreResult<()> {
        let backend = self.db.backend();
        on_pool!(self.db, pool => {
            let mut tx = pool.begin().await.map_err(failed("period counts"))?;
            // Taken first (a write), so that a sync page saved meanwhile waits and marks
            // the counts stale after this recount, not before it.
            sqlx::query("INSERT INTO usage_period_state (connection_id, stale_from) VALUES ($1, NULL) ON CONFLICT (connection_id) DO NOTHING")
                .bind(connection_id).execute(&mut *tx).await.map_err(failed("period counts"))?;
            let lock = match backend {
                Backend::Postgres => " FOR UPDATE",
                Backend::Sqlite => "",
            };
            let kept: Option<(Option<i64>, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT stale_from, EXISTS (SELECT 1 FROM usage_period_counts WHERE connection_id = $1) \
                 FROM usage_period_state WHERE connection_id = $1{lock}")))
                .bind(connection_id).fetch_optional(&mut *tx).await.map_err(failed("period counts"))?;
            let from = match kept {
                // Current.
                Some((None, true)) => None,
                Some((Some(day), true)) => Some(day),
                // Nothing kept (new, or forgotten): from the first active day.
                _ => {
                    let first: Option<i64> = sqlx::query_scalar("SELECT MIN(day) FROM usage_days WHERE connection_id = $1")
                        .bind(connection_id).fetch_one(&mut *tx).await.map_err(failed("period counts"))?;
                    first.or(Some(today))
                }
            };
            if let Some(from) = from {
                let persons = "FROM usage_days d JOIN wrike_users u ON u.connection_id = d.connection_id AND u.id = d.user_id AND u.kind = 'Person' \
                               WHERE d.connection_id = $1 AND d.day >= $2";
                let mut months = String::from("CASE");
                let mut start = month_of(today);
                let first_month = month_of(from.min(today));
                while start >= first_month {
                    months.push_str(&format!(" WHEN d.day >= {start} THEN {start}"));
                    start = month_of(start - 1);
                }
                months.push_str(" END");
                let signals_of_group = signals_of_group();
                let recounts = [
                    (PeriodKind::Day, from, format!(
                        "SELECT d.day AS start_day, d.signals AS signals {persons}")),
                    (PeriodKind::Week, monday_of(from), format!(
                        "SELECT d.day - ((d.day + 3) % 7) AS start_day, {signals_of_group} AS signals {persons} \
                         GROUP BY d.user_id, d.day - ((d.day + 3) % 7)")),
                    (PeriodKind::Month, month_of(from), format!(
                        "SELECT {months} AS start_day, {signals_of_group} AS signals {persons} GROUP BY d.user_id, {months}")),
                ];
                for (kind, first, per_person) in recounts {
                    sqlx::query("DELETE FROM usage_period_counts WHERE connection_id = $1 AND period = $2 AND start_day >= $3")
                        .bind(connection_id).bind(kind.name()).bind(first)
                        .execute(&mut *tx).await.map_err(failed("period counts"))?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO usage_period_counts (connection_id, period, start_day, signals, people) \
                         SELECT $1, $3, p.start_day, p.signals, COUNT(*) FROM ({per_person}) p GROUP BY p.start_day, p.signals")))
                        .bind(connection_id).bind(first).bind(kind.name())
                        .execute(&mut *tx).await.map_err(failed("period counts"))?;
                }
            }
            sqlx::query("UPDATE usage_period_state SET stale_from = NULL WHERE connection_id = $1")
                .bind(connection_id).execute(&mut *tx).await.map_err(failed("period counts"))?;
            tx.commit().await.map_err(failed("period counts"))
        })?;
        Ok(())
    }

    /// How stale a connection's kept counts are (see `Staleness`).
    async fn staleness(&self, connection_id: &str) -> StoreResult<Staleness> {
        let row: Option<(Option<i64>,)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT stale_from FROM usage_period_state WHERE connection_id = $1")
            .bind(connection_id).fetch_optional(pool).await.map_err(failed("period counts")))?;
        Ok(match row {
            Some((None,)) => None,
            Some((Some(day),)) => Some(Some(day)),
            None => Some(None),
        })
    }

    /// Active people per period from the kept counts, for periods starting at `starts`
    /// (ascending) of a connection, by any of the signals in `mask`; `None` when the counts
    /// kept do not cover every period through `to_day`.
    pub(crate) async fn kept_period_counts(
        &self,
        connection_id: &str,
        kind: PeriodKind,
        starts: &[i64],
        to_day: i64,
        mask: i64,
    ) -> StoreResult<Option<Vec<(i64, i64)>>> {
        let (Some(first), Some(last)) = (starts.first(), starts.last()) else {
            return Ok(Some(Vec::new()));
        };
        match self.staleness(connection_id).await? {
            None => {}
            Some(Some(day)) if day > to_day => {}
            Some(_) => return Ok(None),
        }
        let rows: Vec<(i64, i64)> = on_pool!(self.db, pool => sqlx::query_as(
            "SELECT start_day, CAST(SUM(people) AS BIGINT) FROM usage_period_counts \
             WHERE connection_id = $1 AND period = $2 AND start_day >= $3 AND start_day <= $4 AND (signals & $5) <> 0 \
             GROUP BY start_day")
            .bind(connection_id).bind(kind.name()).bind(first).bind(last).bind(mask)
            .fetch_all(pool).await.map_err(failed("period counts")))?;
        Ok(Some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-12-05 is a Saturday.
        let saturday = day_number(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        assert_eq!(
            date_of(monday_of(saturday)),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(monday_of(monday_of(saturday)), monday_of(saturday));
        assert_eq!(
            date_of(month_of(saturday)),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        assert_eq!(
            date_of(month_of(month_of(saturday) - 1)),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
    }
}
