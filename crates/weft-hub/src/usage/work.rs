//! Work activity, the evidence every plan has: who authored tasks (`GET /tasks` by
//! `updatedDate`, paged), who wrote comments (`GET /comments`, in windows shorter than the
//! seven days Wrike allows) and who logged time (`GET /timelogs` by `updatedDate`). Each
//! window, and each page inside one, is stored with its checkpoint like the audit log.

use std::future::Future;

use chrono::DateTime;
use weft_core::health::{FailureClass, classify};
use weft_core::usage::Signal;
use weft_store::{Activity, ActivitySummary, Checkpoint, source};
use wrike_api::WrikeError;
use wrike_api::requests::{CommentQuery, DateRange, TaskQuery, TimelogQuery, TimelogScope};

use super::context::{SourceEnd, SyncCtx, failed, optional};
use super::windows::{Window, plan};
use crate::error::HubResult;

const OVERLAP: i64 = 15 * 60;

/// What one read of a window gives: the activity, the next page's token, items read.
type Read = (Vec<Activity>, Option<String>, u64);

fn range(window: Window) -> Option<DateRange> {
    Some(DateRange {
        start: DateTime::from_timestamp(window.start, 0),
        end: DateTime::from_timestamp(window.end, 0),
    })
}

pub(crate) async fn tasks(ctx: &SyncCtx<'_>) -> HubResult<SourceEnd> {
    let page_size = ctx.options.page_size;
    windowed(ctx, source::TASKS, 30 * 86_400, |window, token| {
        let client = ctx.client.clone();
        async move {
            let query = TaskQuery {
                updated_date: range(window),
                fields: Some(vec!["authorIds".into()]),
                ..Default::default()
            };
            let page = client
                .tasks_page(&query, page_size, token.as_deref())
                .await?;
            let mut activity = Vec::new();
            for task in &page.data {
                for author in task.author_ids.iter().flatten() {
                    activity.push(Activity {
                        user_id: author.clone(),
                        at: task.created_date.timestamp(),
                        signal: Signal::Task,
                    });
                }
            }
            let next = page.next_page_token.filter(|t| !t.is_empty());
            Ok((activity, next, page.data.len() as u64))
        }
    })
    .await
}

pub(crate) async fn comments(ctx: &SyncCtx<'_>) -> HubResult<SourceEnd> {
    // Wrike wants the range shorter than seven days.
    let result = windowed(ctx, source::COMMENTS, 7 * 86_400 - 60, |window, _| {
        let client = ctx.client.clone();
        async move {
            let comments = comments_in(&client, window).await?;
            let mut activity = Vec::new();
            for c in &comments {
                let created = c.created_date.timestamp();
                activity.push(Activity {
                    user_id: c.author_id.clone(),
                    at: created,
                    signal: Signal::Comment,
                });
                if let Some(edited) = c.updated_date.map(|d| d.timestamp())
                    && edited != created
                {
                    activity.push(Activity {
                        user_id: c.author_id.clone(),
                        at: edited,
                        signal: Signal::Comment,
                    });
                }
            }
            Ok((activity, None, comments.len() as u64))
        }
    })
    .await;
    match result {
        Err(e) => optional(
            e,
            |class| {
                match class {
                FailureClass::ScopeMissing => "account-wide comments need the Default or wsReadOnly scope; reconnect with it".into(),
                _ => "this plan does not list comments account-wide (Wrike answered not_allowed); activity counts tasks and timelogs only".into(),
            }
            },
            0,
        ),
        ok => ok,
    }
}

/// Wrike answers at most this many comments per request (its `limit`).
const COMMENT_LIMIT: usize = 1000;

/// The comments of a window; a full answer may have been cut at Wrike's limit, so the
/// window is read again in halves until each half answers less than the limit.
fn comments_in(
    client: &wrike_api::WrikeClient,
    window: Window,
) -> std::pin::Pin<
    Box<dyn Future<Output = Result<Vec<wrike_api::models::Comment>, WrikeError>> + Send + '_>,
> {
    Box::pin(async move {
        let query = CommentQuery {
            updated_date: range(window),
            plain_text: Some(true),
        };
        let comments = client.comments(&query).await?;
        if comments.len() < COMMENT_LIMIT || window.end - window.start < 2 {
            return Ok(comments);
        }
        let middle = window.start + (window.end - window.start) / 2;
        let mut all = comments_in(
            client,
            Window {
                start: window.start,
                end: middle,
            },
        )
        .await?;
        all.extend(
            comments_in(
                client,
                Window {
                    start: middle,
                    end: window.end,
                },
            )
            .await?,
        );
        Ok(all)
    })
}

pub(crate) async fn timelogs(ctx: &SyncCtx<'_>) -> HubResult<SourceEnd> {
    let result = windowed(ctx, source::TIMELOGS, 30 * 86_400, |window, _| {
        let client = ctx.client.clone();
        async move {
            let query = TimelogQuery {
                updated_date: range(window),
                ..Default::default()
            };
            let logs = client.timelogs(&TimelogScope::Account, &query).await?;
            let mut activity = Vec::new();
            for t in &logs {
                for at in [t.created_date.timestamp(), t.updated_date.timestamp()] {
                    activity.push(Activity {
                        user_id: t.user_id.clone(),
                        at,
                        signal: Signal::Timelog,
                    });
                }
            }
            Ok((activity, None, logs.len() as u64))
        }
    })
    .await;
    match result {
        Err(e) => optional(
            e,
            |_| {
                "this plan or token does not list timelogs account-wide; activity counts tasks and comments only".into()
            },
            0,
        ),
        ok => ok,
    }
}

/// Reads a dated source window by window (and page by page inside a window), from its
/// checkpoint to now, storing each read with the checkpoint that follows it.
async fn windowed<F, Fut>(
    ctx: &SyncCtx<'_>,
    source_name: &str,
    window_len: i64,
    mut read: F,
) -> HubResult<SourceEnd>
where
    F: FnMut(Window, Option<String>) -> Fut,
    Fut: Future<Output = Result<Read, WrikeError>>,
{
    let store = ctx.hub.store.usage();
    let checkpoint = store
        .source(&ctx.connection.id, source_name)
        .await?
        .map(|s| s.checkpoint())
        .unwrap_or_default();
    let from = ctx.backfill_from().await?;
    let now = ctx.now();
    let mut windows: Vec<(Window, Option<String>)> = Vec::new();
    let mut through = checkpoint.synced_through;
    if let Some((start, end)) = checkpoint.window {
        windows.push((Window { start, end }, checkpoint.page_token.clone()));
        through = Some(through.map_or(end, |t| t.max(end)));
    }
    windows.extend(
        plan(from, through, now, window_len, OVERLAP)
            .into_iter()
            .map(|w| (w, None)),
    );
    let origin = windows.first().map_or(now, |w| w.0.start);
    let span = windows.last().map_or(1, |w| (w.0.end - origin).max(1));
    let (mut items, mut requests) = (0u64, 0u64);
    for (window, mut token) in windows {
        let mut restarted = false;
        loop {
            ctx.check_stop()?;
            let (activity, next, read_items) = match read(window, token.clone()).await {
                Ok(read) => read,
                // A page token kept across a crash that Wrike no longer takes: read the
                // window again from its start.
                Err(e) if token.is_some() && !restarted && classify(&e) == FailureClass::Other => {
                    restarted = true;
                    token = None;
                    continue;
                }
                Err(e) => return Err(failed(ctx, source_name, e)),
            };
            requests += 1;
            items += read_items;
            let checkpoint = match &next {
                Some(next) => Checkpoint {
                    synced_through: None,
                    window: Some((window.start, window.end)),
                    page_token: Some(next.clone()),
                },
                None => Checkpoint {
                    synced_through: Some(window.end),
                    window: None,
                    page_token: None,
                },
            };
            store
                .save_page(
                    &ctx.connection.id,
                    ctx.owner,
                    source_name,
                    &[],
                    &ActivitySummary::of(&activity),
                    None,
                    &checkpoint,
                    1,
                    ctx.now(),
                )
                .await?;
            let done = match next {
                Some(_) => (window.start - origin) as f64,
                None => (window.end - origin) as f64,
            };
            ctx.advance(done / span as f64, read_items, 1);
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
    }
    Ok(SourceEnd::Done {
        records: items,
        requests,
    })
}
