//! Exports of the users report as CSV and JSON. Every matching person is exported (read a
//! page at a time), with dates in ISO 8601 (UTC). In CSV, a cell a spreadsheet would run as
//! a formula (one whose first character after any leading spaces and line breaks is `=`,
//! `+`, `-`, `@`, a tab, a carriage return, or the full-width `＝＋－＠`) is prefixed with an
//! apostrophe, so a name like `=HYPERLINK(...)` typed into Wrike stays text.

use std::collections::HashMap;

use weft_store::{SortBy, UserRow};

use super::reports::{self, ReportRequest, SignalsUsed};
use crate::Hub;
use crate::error::{HubError, HubResult};

const PAGE: i64 = 5_000;

/// Every person a request selects, in report order.
pub async fn all_users(
    hub: &Hub,
    request: &ReportRequest,
    sort: SortBy,
    descending: bool,
) -> HubResult<(Vec<SignalsUsed>, Vec<UserRow>)> {
    let mut rows = Vec::new();
    loop {
        let page = reports::users(hub, request, sort, descending, PAGE, rows.len() as i64).await?;
        let got = page.page.rows.len() as i64;
        rows.extend(page.page.rows);
        if got < PAGE {
            return Ok((page.signals, rows));
        }
    }
}

pub const CSV_COLUMNS: [&str; 28] = [
    "connection",
    "id",
    "first_name",
    "last_name",
    "email",
    "company_name",
    "title",
    "role",
    "user_type",
    "user_type_id",
    "external",
    "admin",
    "owner",
    "active",
    "deleted",
    "paid_seat",
    "timezone",
    "locale",
    "last_login",
    "last_change",
    "last_task",
    "last_comment",
    "last_timelog",
    "last_integration_sign_in",
    "last_work",
    "last_activity",
    "active_by",
    "days_since_activity",
];

/// The rows as CSV, with a header; `names` maps connection ids to names.
pub fn users_csv(
    rows: &[UserRow],
    names: &HashMap<String, String>,
    now: i64,
) -> HubResult<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| HubError::Internal(format!("writing CSV: {e}"));
    out.write_record(CSV_COLUMNS).map_err(failed)?;
    for r in rows {
        let connection = names
            .get(&r.connection_id)
            .cloned()
            .unwrap_or_else(|| r.connection_id.clone());
        let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        let days = r
            .last_activity_at
            .map(|t| ((now - t).max(0) / 86_400).to_string())
            .unwrap_or_default();
        let record = [
            connection,
            r.id.clone(),
            r.first_name.clone(),
            r.last_name.clone(),
            text(&r.email),
            text(&r.company_name),
            text(&r.title),
            text(&r.role),
            text(&r.user_type),
            text(&r.user_type_id),
            flag(r.external),
            flag(r.admin),
            flag(r.owner),
            flag(r.active),
            flag(r.deleted),
            flag(r.paid),
            text(&r.timezone),
            text(&r.locale),
            iso(r.last_login_at),
            iso(r.last_change_at),
            iso(r.last_task_at),
            iso(r.last_comment_at),
            iso(r.last_timelog_at),
            iso(r.last_integration_at),
            iso(r.last_work_at),
            iso(r.last_activity_at),
            r.active_by.map(|s| s.name()).unwrap_or_default().to_owned(),
            days,
        ];
        out.write_record(record.iter().map(|cell| defuse(cell)))
            .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| HubError::Internal(format!("writing CSV: {e}")))
}

/// A Unix time as ISO 8601 (UTC), or empty.
pub fn iso(at: Option<i64>) -> String {
    at.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A cell a spreadsheet would evaluate, made text. Spreadsheets skip leading spaces and
/// line breaks before they look for a formula, and some read the full-width signs as the
/// ASCII ones, so those are looked past and at too.
pub fn defuse(cell: &str) -> String {
    let first = cell
        .chars()
        .find(|c| !matches!(c, ' ' | '\n' | '\u{a0}' | '\u{3000}'));
    match first {
        Some(
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}',
        ) => {
            format!("'{cell}")
        }
        _ => cell.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for (given, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("  =1+1", "'  =1+1"),
            ("\n=cmd|' /C calc'!A0", "'\n=cmd|' /C calc'!A0"),
            (" \n +1", "' \n +1"),
            ("\u{ff1d}SUM(A1)", "'\u{ff1d}SUM(A1)"),
            ("\u{ff0b}1", "'\u{ff0b}1"),
            ("\u{ff0d}1", "'\u{ff0d}1"),
            ("\u{ff20}A1", "'\u{ff20}A1"),
            ("\u{3000}=1", "'\u{3000}=1"),
            ("Ada", "Ada"),
            ("Ada = 1", "Ada = 1"),
            ("", ""),
        ] {
            assert_eq!(defuse(given), expected);
        }
        assert_eq!(iso(Some(0)), "1970-01-01T00:00:00Z");
        assert_eq!(iso(None), "");
    }
}
