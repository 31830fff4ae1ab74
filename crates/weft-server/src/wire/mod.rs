//! The API's wire format: the types the JSON API answers with (and the CLI prints with
//! `--json`), made for the wire rather than for the store. Their rules, in one place:
//! fields in camelCase, times as RFC 3339 strings in UTC, days as `YYYY-MM-DD`, ids as
//! strings, and every list in one envelope, `Page`. The OpenAPI document is generated from
//! these types, so a field cannot be answered without being described.

pub mod connections;
pub mod dialogues;
pub mod jobs;
pub mod notices;
pub mod policies;
pub mod recipes;
pub mod savings;
pub mod team;
pub mod usage;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A time of the store (seconds since the epoch) on the wire.
pub fn time(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// A time of the store in milliseconds on the wire.
pub fn time_ms(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// A day of the store (days since the epoch) on the wire.
pub fn day(days: i64) -> NaiveDate {
    time(days * 86_400).date_naive()
}

/// One page of a list, the same everywhere: the items, how many match in all, the page's
/// size, and where the next page starts: `offset` for lists read by position, `nextCursor`
/// (given back as `cursor`) for lists read newest first while they grow.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match the filter, on every page together.
    pub total: i64,
    pub limit: i64,
    /// Lists read by position: where this page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Lists read by cursor: give this as `cursor` for the next page; null on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub next_cursor: Option<Option<String>>,
}

impl<T> Page<T> {
    /// A page read by position out of `total` matches.
    pub fn by_offset(items: Vec<T>, total: i64, limit: i64, offset: i64) -> Page<T> {
        Page {
            items,
            total,
            limit,
            offset: Some(offset),
            next_cursor: None,
        }
    }

    /// A page of a whole list held in memory.
    pub fn slice(all: Vec<T>, limit: i64, offset: i64) -> Page<T> {
        let total = all.len() as i64;
        let items = all
            .into_iter()
            .skip(offset.max(0) as usize)
            .take(limit.max(0) as usize)
            .collect();
        Page::by_offset(items, total, limit, offset)
    }

    /// A page read newest first: `cursor_of` the last item is the next cursor when the page
    /// is full.
    pub fn by_cursor(
        items: Vec<T>,
        total: i64,
        limit: i64,
        cursor_of: impl Fn(&T) -> String,
    ) -> Page<T> {
        let next = (items.len() as i64 == limit)
            .then(|| items.last().map(&cursor_of))
            .flatten();
        Page {
            items,
            total,
            limit,
            offset: None,
            next_cursor: Some(next),
        }
    }
}

/// Every failure of the API: what went wrong, a stable code (the status's name in snake
/// case) and the request's id, as in `X-Request-Id` and the logs.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    pub error: String,
    pub code: String,
    pub request_id: String,
}

/// How many sessions an action ended.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionsEnded {
    pub sessions_ended: u64,
}
