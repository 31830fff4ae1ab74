//! The audit log: a six-month backfill on the first sync, then incremental reads by
//! `eventDate`, in windows (see `windows`), page by page with the page token kept in the
//! checkpoint. The next page is fetched while the last one is stored, so Wrike's latency and
//! the database's writes overlap; at most two pages wait in memory. A window's activity
//! (who was active which day, last seen) is folded from its pages as they pass and written
//! with its last page.

use tokio::sync::mpsc;
use weft_core::health::FailureClass;
use weft_core::usage::{LOGIN_OPERATIONS, login_type_in, signal_of_name};
use weft_store::{ActivitySummary, AuditRow, Checkpoint, source};
use wrike_api::WrikeClient;
use wrike_api::models::{AuditRecord, Plan};
use wrike_api::requests::{AuditLogQuery, DateRange};

use super::context::{SourceEnd, SyncCtx, optional};
use super::windows::{Window, plan};
use crate::error::{HubError, HubResult};

/// Longest window: a crash costs at most re-reading this much.
const WINDOW: i64 = 30 * 86_400;
/// Re-read before the high-water mark, for records Wrike files a little late.
const OVERLAP: i64 = 15 * 60;

/// Reads the audit log up to now.
pub(crate) async fn read(
    ctx: &SyncCtx<'_>,
    plan_of_account: Option<&Plan>,
) -> HubResult<SourceEnd> {
    if let Some(plan) = plan_of_account
        && plan.is_known()
        && !plan.has_audit_log()
    {
        return Ok(SourceEnd::Unavailable {
            message: format!(
                "the audit log needs an Enterprise or Pinnacle plan and this account is on {plan}; last activity comes from work data (tasks, comments, timelogs) instead",
                plan = plan.as_str()
            ),
            requests: 0,
        });
    }
    let store = ctx.hub.store.usage();
    let checkpoint = store
        .source(&ctx.connection.id, source::AUDIT_LOG)
        .await?
        .map(|s| s.checkpoint())
        .unwrap_or_default();
    let from = ctx.backfill_from().await?;
    let now = ctx.now();
    let mut windows: Vec<(Window, Option<String>)> = Vec::new();
    let mut through = checkpoint.synced_through;
    if let Some((start, end)) = checkpoint.window {
        // A window a crash interrupted: go on from its stored page token.
        windows.push((Window { start, end }, checkpoint.page_token.clone()));
        through = Some(through.map_or(end, |t| t.max(end)));
    }
    windows.extend(
        plan(from, through, now, WINDOW, OVERLAP)
            .into_iter()
            .map(|w| (w, None)),
    );
    let span = windows
        .first()
        .zip(windows.last())
        .map_or(1, |(a, b)| (b.0.end - a.0.start).max(1));
    let origin = windows.first().map_or(now, |w| w.0.start);
    let (mut records, mut requests) = (0u64, 0u64);
    for (window, token) in windows {
        match read_window(
            ctx,
            window,
            token,
            origin,
            span,
            &mut records,
            &mut requests,
        )
        .await
        {
            Ok(()) => {}
            Err(e) => {
                return optional(
                    e,
                    |class| {
                        match class {
                        FailureClass::ScopeMissing => "the audit log needs the amReadOnlyAuditLog scope; reconnect this connection with the usage-analytics scopes".into(),
                        _ => "the audit log needs an Enterprise or Pinnacle plan and an administrator holding the right to create user activity reports; give the connection's user that right (Account Management, Users) or connect as an administrator who has it".into(),
                    }
                    },
                    requests,
                );
            }
        }
    }
    Ok(SourceEnd::Done { records, requests })
}

/// A page fetched and converted, waiting to be stored.
struct Fetched {
    rows: Vec<AuditRow>,
    next: Option<String>,
    /// Records the window holds, when Wrike said (first page only).
    total: Option<u64>,
}

#[allow(clippy::too_many_arguments)]
async fn read_window(
    ctx: &SyncCtx<'_>,
    window: Window,
    token: Option<String>,
    origin: i64,
    span: i64,
    records: &mut u64,
    requests: &mut u64,
) -> HubResult<()> {
    // A window taken up again after a crash has pages this run never saw: its activity is
    // derived from the stored records instead (one set-based pass, slower, same answer).
    let from_stored = token.is_some();
    let (sender, mut pages) = mpsc::channel::<HubResult<Fetched>>(2);
    // Scoped to this window: the producer of its pages, awaited before the window ends.
    #[allow(clippy::disallowed_methods)]
    let producer = tokio::spawn(fetch_pages(
        ctx.client.clone(),
        window,
        token,
        ctx.options.page_size,
        ctx.connection.name.clone(),
        sender,
    ));
    let store = ctx.hub.store.usage();
    let mut activity = ActivitySummary::default();
    let none = ActivitySummary::default();
    let (mut in_window, mut window_total) = (0u64, None);
    let result = async {
        while let Some(fetched) = pages.recv().await {
            let fetched = fetched?;
            ctx.check_stop()?;
            *requests += 1;
            window_total = window_total.or(fetched.total);
            let checkpoint = match &fetched.next {
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
            if !from_stored {
                for row in &fetched.rows {
                    // Only sign-ins have a login type worth reading the details for.
                    let login_type = LOGIN_OPERATIONS
                        .contains(&row.operation.as_str())
                        .then(|| login_type_in(&row.details))
                        .flatten();
                    if let (Some(user), Some(signal)) = (
                        &row.user_id,
                        signal_of_name(&row.operation, login_type.as_deref()),
                    ) {
                        activity.add(user, row.event_at, signal);
                    }
                }
            }
            // The window's last page writes the activity of every record in it.
            let last = fetched.next.is_none();
            let derive = (last && from_stored).then_some((window.start, window.end));
            let new = store
                .save_page(
                    &ctx.connection.id,
                    ctx.owner,
                    source::AUDIT_LOG,
                    &fetched.rows,
                    if last { &activity } else { &none },
                    derive,
                    &checkpoint,
                    1,
                    ctx.now(),
                )
                .await?;
            *records += new;
            in_window += fetched.rows.len() as u64;
            let inside = match window_total {
                Some(total) if total > 0 => (in_window as f64 / total as f64).min(1.0),
                _ => 1.0,
            };
            let done = (window.start - origin) as f64 + inside * (window.end - window.start) as f64;
            ctx.advance(done / span as f64, new, 1);
        }
        Ok::<(), HubError>(())
    }
    .await;
    producer.abort();
    result
}

/// Fetches a window's pages in order and sends them converted. A page token that Wrike no
/// longer accepts (kept across a crash) restarts the window from its first page.
async fn fetch_pages(
    client: WrikeClient,
    window: Window,
    mut token: Option<String>,
    page_size: u32,
    connection: String,
    sender: mpsc::Sender<HubResult<Fetched>>,
) {
    let query = AuditLogQuery {
        event_date: Some(DateRange {
            start: chrono::DateTime::from_timestamp(window.start, 0),
            end: chrono::DateTime::from_timestamp(window.end, 0),
        }),
        operations: None,
    };
    let mut restarted = false;
    loop {
        let page = match client
            .audit_log_page(&query, page_size, token.as_deref())
            .await
        {
            Ok(page) => page,
            Err(e)
                if token.is_some()
                    && !restarted
                    && weft_core::health::classify(&e) == FailureClass::Other =>
            {
                tracing::info!(%connection, error = %e, "a stored audit-log page token was refused; reading its window again");
                restarted = true;
                token = None;
                continue;
            }
            Err(e) => {
                let _ = sender
                    .send(Err(HubError::wrike(
                        format!("syncing the audit log of {connection}"),
                        e,
                    )))
                    .await;
                return;
            }
        };
        let next = page.next_page_token.filter(|t| !t.is_empty());
        let fetched = Fetched {
            rows: convert(page.data),
            next: next.clone(),
            total: page.response_size,
        };
        if sender.send(Ok(fetched)).await.is_err() {
            return;
        }
        match next {
            Some(next) => token = Some(next),
            None => return,
        }
    }
}

/// Audit records as stored rows (moved, not copied: a backfill passes millions).
pub(crate) fn convert(records: Vec<AuditRecord>) -> Vec<AuditRow> {
    records
        .into_iter()
        .map(|r| AuditRow {
            event_at: r.event_date.timestamp(),
            operation: r.operation.as_str().to_owned(),
            object_type: r.object_type.as_ref().map(|t| t.as_str().to_owned()),
            details: serde_json::Value::Object(r.details).to_string(),
            id: r.id,
            user_id: r.user_id,
            user_email: r.user_email,
            ip_address: r.ip_address,
            object_name: r.object_name,
            object_id: r.object_id,
        })
        .collect()
}
