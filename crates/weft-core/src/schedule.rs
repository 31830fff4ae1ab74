//! When periodic jobs run: every N seconds, or on a cron expression in a time zone.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// How often a schedule fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cadence {
    /// Every `every_ms` milliseconds, counted from the previous occurrence.
    Every {
        #[serde(rename = "everyMs")]
        every_ms: i64,
    },
    /// A cron expression (five fields, or six with seconds first) read in an IANA time zone.
    Cron { cron: String, timezone: String },
}

impl Cadence {
    pub fn every_seconds(seconds: u64) -> Result<Cadence, String> {
        let ms = i64::try_from(seconds)
            .ok()
            .and_then(|s| s.checked_mul(1000))
            .filter(|ms| (1_000..=366 * 86_400_000).contains(ms))
            .ok_or_else(|| {
                format!("an interval of {seconds} s is out of range (1 s to 366 days)")
            })?;
        Ok(Cadence::Every { every_ms: ms })
    }

    /// A checked cron cadence: the expression must parse and the zone must exist.
    pub fn cron(expression: &str, timezone: &str) -> Result<Cadence, String> {
        parse_cron(expression)?;
        parse_zone(timezone)?;
        Ok(Cadence::Cron {
            cron: expression.trim().to_owned(),
            timezone: timezone.trim().to_owned(),
        })
    }

    /// From stored columns: exactly one of `every_ms` and `cron`.
    pub fn from_parts(
        every_ms: Option<i64>,
        cron: Option<String>,
        timezone: Option<String>,
    ) -> Result<Cadence, String> {
        match (every_ms, cron) {
            (Some(every_ms), None) if every_ms > 0 => Ok(Cadence::Every { every_ms }),
            (None, Some(cron)) => Cadence::cron(&cron, timezone.as_deref().unwrap_or("UTC")),
            _ => Err("a schedule needs either a positive interval or a cron expression".into()),
        }
    }

    /// The stored columns: `(every_ms, cron, timezone)`.
    pub fn to_parts(&self) -> (Option<i64>, Option<String>, Option<String>) {
        match self {
            Cadence::Every { every_ms } => (Some(*every_ms), None, None),
            Cadence::Cron { cron, timezone } => (None, Some(cron.clone()), Some(timezone.clone())),
        }
    }

    /// The first occurrence of a new schedule: now for an interval, the next match of the
    /// expression for cron.
    pub fn first(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Cadence::Every { .. } => Some(now),
            Cadence::Cron { .. } => self.next_cron(now),
        }
    }

    /// The first occurrence strictly after `now` that follows the one due at `due`. An
    /// interval keeps its phase and skips what a stopped hub missed; it does not catch up.
    pub fn next_after(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Cadence::Every { every_ms } => {
                let every = (*every_ms).max(1);
                let late = (now - due).num_milliseconds().max(0);
                let steps = late / every + 1;
                Some(due + chrono::Duration::milliseconds(steps.saturating_mul(every)))
            }
            Cadence::Cron { .. } => self.next_cron(now),
        }
    }

    fn next_cron(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let Cadence::Cron { cron, timezone } = self else {
            return None;
        };
        let expression = parse_cron(cron).ok()?;
        let zone = parse_zone(timezone).ok()?;
        expression
            .find_next_occurrence(&after.with_timezone(&zone), false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// For people: `every 60 s` or `cron "0 3 * * *" (Europe/Berlin)`.
    pub fn describe(&self) -> String {
        match self {
            Cadence::Every { every_ms } if every_ms % 1000 == 0 => {
                format!("every {} s", every_ms / 1000)
            }
            Cadence::Every { every_ms } => format!("every {every_ms} ms"),
            Cadence::Cron { cron, timezone } => format!("cron {cron:?} ({timezone})"),
        }
    }
}

fn parse_cron(expression: &str) -> Result<croner::Cron, String> {
    croner::Cron::from_str(expression.trim())
        .map_err(|e| format!("cron expression {expression:?}: {e}"))
}

fn parse_zone(timezone: &str) -> Result<chrono_tz::Tz, String> {
    chrono_tz::Tz::from_str(timezone.trim()).map_err(|_| {
        format!("unknown time zone {timezone:?}: use an IANA name such as Europe/Berlin or UTC")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn intervals_keep_their_phase_and_skip_what_was_missed() {
        let every = Cadence::every_seconds(60).unwrap();
        let due = at("2026-11-01T10:00:00Z");
        assert_eq!(
            every.next_after(due, at("2026-11-01T10:00:00.500Z")),
            Some(at("2026-11-01T10:01:00Z"))
        );
        // Down for an hour: the next occurrence is the next minute, not sixty catch-ups.
        assert_eq!(
            every.next_after(due, at("2026-11-01T11:00:30Z")),
            Some(at("2026-11-01T11:01:00Z"))
        );
        assert_eq!(every.first(due), Some(due));
        assert!(Cadence::every_seconds(0).is_err());
        assert!(
            Cadence::every_seconds(u64::MAX)
                .unwrap_err()
                .contains("out of range")
        );
    }

    #[test]
    fn cron_reads_the_expression_in_its_time_zone() {
        // 03:00 in Berlin is 02:00 UTC in winter.
        let nightly = Cadence::cron("0 3 * * *", "Europe/Berlin").unwrap();
        assert_eq!(
            nightly.first(at("2026-11-29T12:00:00Z")),
            Some(at("2026-11-30T02:00:00Z"))
        );
        assert_eq!(
            nightly.next_after(at("2026-11-30T02:00:00Z"), at("2026-11-30T02:00:00Z")),
            Some(at("2026-12-01T02:00:00Z"))
        );
        // Mondays at 09:00 New York time (UTC-5 in December).
        let weekly = Cadence::cron("0 9 * * MON", "America/New_York").unwrap();
        assert_eq!(
            weekly.first(at("2026-12-01T00:00:00Z")),
            Some(at("2026-12-07T14:00:00Z"))
        );
        assert!(
            Cadence::cron("61 * * * *", "UTC")
                .unwrap_err()
                .contains("cron expression")
        );
        assert!(
            Cadence::cron("0 3 * * *", "Mars/Olympus")
                .unwrap_err()
                .contains("time zone")
        );
    }

    #[test]
    fn stored_parts_round_trip() {
        for cadence in [
            Cadence::every_seconds(3600).unwrap(),
            Cadence::cron("*/5 * * * *", "UTC").unwrap(),
        ] {
            let (every, cron, tz) = cadence.to_parts();
            assert_eq!(Cadence::from_parts(every, cron, tz).unwrap(), cadence);
        }
        assert!(Cadence::from_parts(None, None, None).is_err());
    }
}
