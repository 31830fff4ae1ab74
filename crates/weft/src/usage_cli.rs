//! The usage-analytics commands: `weft sync` (now, in this process, with a progress bar on
//! a terminal and plain lines otherwise) and `weft usage ...` (the reports as tables, JSON
//! or CSV; renewal costs; reclaiming seats with a dry run first).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;
use weft_core::usage::{Signals, money};
use weft_hub::connections;
use weft_hub::error::HubError;
use weft_hub::usage::export;
use weft_hub::usage::reclaim::{self, Action, Selection};
use weft_hub::usage::reports::{self, Period, RenewalInput, ReportRequest};
use weft_hub::usage::sync::{self, ProgressSink, SyncOptions, SyncProgress};
use weft_server::wire;
use weft_store::{SortBy, UserFilter};

use crate::config::Settings;
use crate::hub;
use crate::terminal::Table;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The connection (name or id).
    connection: String,
    /// Where the first backfill starts (YYYY-MM-DD); `backfill_days` before today otherwise.
    #[arg(long)]
    since: Option<chrono::NaiveDate>,
    /// When another sync of the connection is running (the schedule's, say), wait up to
    /// this many seconds for it to end and then sync, instead of refusing at once.
    #[arg(long, value_name = "SECONDS")]
    wait: Option<u64>,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Every connection at a glance: seats, idle seats, savings, last sync.
    Summary {
        #[arg(long, default_value_t = 90)]
        idle_days: i64,
        #[arg(long)]
        json: bool,
    },
    /// People with their last login, work and activity; filter, sort, export.
    Users {
        connection: String,
        #[command(flatten)]
        filter: FilterArgs,
        /// lastActivity, name, email, lastLogin, lastWork, userType, role, company.
        #[arg(long, default_value = "lastActivity")]
        sort: String,
        #[arg(long)]
        desc: bool,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Paid seats with no activity for N days (never-active included), counts by category
    /// and what reclaiming them saves.
    Inactive {
        connection: String,
        #[arg(long, default_value_t = 90)]
        idle_days: i64,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Seats by user type and role against the seats purchased.
    Seats {
        connection: String,
        #[arg(long, default_value_t = 90)]
        idle_days: i64,
        #[arg(long)]
        json: bool,
    },
    /// Active users per day, week or month.
    Trend {
        connection: String,
        #[arg(long, default_value = "week")]
        period: String,
        #[arg(long, default_value_t = 12)]
        count: usize,
        #[arg(long, default_value = "all")]
        signals: String,
        #[arg(long)]
        json: bool,
    },
    /// The savings ledger: what applied reclaims save a year (realized) against what the
    /// idle seats would (potential), month by month, and every person changed.
    Savings {
        connection: String,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// The ledger as CSV, one row per person changed.
        #[arg(long)]
        csv: bool,
    },
    /// The renewal plan of the account a connection reads: seats bought, held, active and
    /// idle per user type, the recommended seats, and what each action saves. With
    /// --seat-cost, first sets the costs, date, headroom and seats bought.
    Renewal {
        connection: String,
        /// Yearly cost of one paid seat (e.g. 300 or 300.00).
        #[arg(long)]
        seat_cost: Option<String>,
        #[arg(long, default_value = "USD")]
        currency: String,
        /// Yearly cost of a user type that differs: TYPE=AMOUNT, the type by name or id
        /// (repeatable).
        #[arg(long = "type-cost")]
        type_costs: Vec<String>,
        /// Seats bought of a user type, where the contract says: TYPE=SEATS (repeatable).
        #[arg(long = "type-seats")]
        type_seats: Vec<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        renewal_date: Option<String>,
        /// Headroom above the active seats in the recommendation, in percent.
        #[arg(long)]
        headroom: Option<String>,
        /// Idle means no activity for this many days.
        #[arg(long, default_value_t = 90)]
        idle_days: i64,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// The plan's table as CSV.
        #[arg(long)]
        csv: bool,
    },
    /// Plan a reclaim (a dry run): deactivate users, or change their type or role, for the
    /// users named with --user or those the filter selects. Nothing changes in Wrike until
    /// `weft usage apply PLAN`.
    Reclaim {
        connection: String,
        /// deactivate, set_type or set_role.
        #[arg(long)]
        action: String,
        /// The user type id (set_type) or role (set_role: User or Collaborator).
        #[arg(long)]
        target: Option<String>,
        /// A user id (repeatable); otherwise the filter selects the users.
        #[arg(long = "user")]
        users: Vec<String>,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Apply a reclaim plan made by a dry run (an Admin's confirmation).
    Apply {
        plan: String,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a reclaim plan that was not applied.
    Cancel { plan: String },
    /// Past reclaim plans, newest first: who made, confirmed or cancelled each.
    Plans {
        /// Only this connection's plans.
        #[arg(long)]
        connection: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One reclaim plan: its people and what Wrike answered.
    Plan {
        plan: String,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        #[arg(long)]
        csv: bool,
    },
    /// Take people out of a reclaim plan before it is applied.
    Exclude {
        plan: String,
        /// A user id (repeatable).
        #[arg(long = "user", required = true)]
        users: Vec<String>,
    },
    /// Send the renewal reminders due now (a running hub looks every hour): one per
    /// connection at the nearest of `renewal_reminder_days` not yet passed, never twice.
    Remind {
        #[arg(long)]
        json: bool,
    },
    /// The renewal reminders sent for a connection, newest first.
    Reminders {
        connection: String,
        #[arg(long)]
        json: bool,
    },
    /// The weekly digest: preview it, send what is due, or set who gets it.
    #[command(subcommand)]
    Digest(DigestCommand),
}

#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// This week's digest as it would be sent now.
    Preview {
        #[arg(long)]
        json: bool,
    },
    /// Send this week's digest to everyone subscribed who has not had it (from Monday
    /// 08:00 UTC; a running hub looks every hour).
    Send,
    /// Send the digest to a team member (an Admin or Analyst) at an address.
    Subscribe {
        /// The member's name or id.
        #[arg(long)]
        user: String,
        #[arg(long)]
        email: String,
    },
    /// Stop a member's digest.
    Unsubscribe {
        #[arg(long)]
        user: String,
    },
}

async fn digest_command(hub: &weft_hub::Hub, command: DigestCommand) -> anyhow::Result<()> {
    use weft_hub::usage::digest;
    match command {
        DigestCommand::Preview { json } => {
            let preview = wire::notices::DigestPreview::of(
                digest::compose(hub).await?,
                &hub.policy.public_url,
            );
            if json {
                return crate::commands::print_json(&preview);
            }
            println!("{}\n\n{}", preview.subject, preview.text);
        }
        DigestCommand::Send => {
            let sent = digest::send_due(hub).await?;
            println!("{sent} digest(s) sent");
        }
        DigestCommand::Subscribe { user, email } => {
            let user = weft_hub::access::find_user(hub, &user).await?;
            let subscription = digest::subscribe(hub, &user.id, &email).await?;
            println!(
                "{} gets the weekly digest at {}",
                user.username, subscription.email
            );
        }
        DigestCommand::Unsubscribe { user } => {
            let user = weft_hub::access::find_user(hub, &user).await?;
            if digest::unsubscribe(hub, &user.id, "cli").await? {
                println!("{} no longer gets the digest", user.username);
            } else {
                println!("{} did not get the digest", user.username);
            }
        }
    }
    Ok(())
}

/// Filters shared by the reports.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Part of the name or e-mail.
    #[arg(long)]
    q: Option<String>,
    /// all, logins, work, or a list of login, change, task, comment, timelog, integration.
    #[arg(long, default_value = "all")]
    signals: String,
    /// No activity for at least this many days (never active included).
    #[arg(long)]
    idle: Option<i64>,
    #[arg(long)]
    never_active: bool,
    #[arg(long)]
    role: Option<String>,
    /// A user type id.
    #[arg(long)]
    user_type: Option<String>,
    #[arg(long)]
    company: Option<String>,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    timezone: Option<String>,
    #[arg(long)]
    locale: Option<String>,
    #[arg(long)]
    email_domain: Option<String>,
    #[arg(long)]
    external: Option<bool>,
    #[arg(long)]
    admin: Option<bool>,
    #[arg(long)]
    owner: Option<bool>,
    #[arg(long)]
    active: Option<bool>,
    #[arg(long)]
    deleted: Option<bool>,
    /// Takes a paid seat.
    #[arg(long)]
    paid: Option<bool>,
    /// Only the people this policy flags now (idle under it), on its connection.
    #[arg(long)]
    policy: Option<String>,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Every matching person as CSV (formula-safe).
    #[arg(long)]
    csv: bool,
}

impl FilterArgs {
    fn request(&self, connection: &str) -> anyhow::Result<ReportRequest> {
        Ok(ReportRequest {
            connections: vec![connection.to_owned()],
            signals: Some(
                Signals::parse(&self.signals).map_err(|e| anyhow::anyhow!("--signals: {e}"))?,
            ),
            filter: UserFilter {
                q: self.q.clone(),
                kind: None,
                role: self.role.clone(),
                user_type_id: self.user_type.clone(),
                company_name: self.company.clone(),
                title: self.title.clone(),
                timezone: self.timezone.clone(),
                locale: self.locale.clone(),
                email_domain: self.email_domain.clone(),
                external: self.external,
                admin: self.admin,
                owner: self.owner,
                active: self.active,
                deleted: self.deleted,
                paid: self.paid,
                idle_days: self.idle,
                ever_active: self.never_active.then_some(false),
                user_ids: None,
            },
            policy: self.policy.clone(),
        })
    }
}

pub async fn sync_command(settings: Settings, args: SyncArgs) -> anyhow::Result<()> {
    let hub = hub::services(&settings).await?;
    let connection = connections::find(&hub, &args.connection).await?;
    let options = SyncOptions {
        since: args
            .since
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp()),
        ..SyncOptions::default()
    };
    let bar = (std::io::stderr().is_terminal() && !args.json)
        .then(|| Arc::new(Bar::new(&connection.name)));
    let sink: Arc<dyn ProgressSink> = match &bar {
        Some(bar) => bar.clone(),
        None => Arc::new(Lines::default()),
    };
    let stop = CancellationToken::new();
    let on_interrupt = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("stopping; the next sync resumes from the last stored page");
            on_interrupt.cancel();
        }
    });
    let owner = format!("cli:{}/{}", std::process::id(), hub::worker_id());
    let waited_since = std::time::Instant::now();
    let limit = Duration::from_secs(args.wait.unwrap_or(0));
    let mut told = false;
    let report = loop {
        let report = sync::run(
            &hub,
            &connection,
            &owner,
            &options,
            sink.clone(),
            stop.clone(),
        )
        .await;
        match &report {
            Err(HubError::Busy(message))
                if waited_since.elapsed() < limit && !stop.is_cancelled() =>
            {
                if !told {
                    eprintln!("{message}; waiting for it to end");
                    told = true;
                }
                tokio::select! {
                    _ = stop.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            _ => break report,
        }
    };
    if let Some(bar) = &bar {
        bar.finish();
    }
    let report = report?;
    weft_hub::usage::jobs::synced(
        &hub,
        &connection,
        &owner,
        &serde_json::to_value(&report).unwrap_or_default(),
    )
    .await;
    if args.json {
        return crate::commands::print_json(&report);
    }
    for s in &report.sources {
        println!(
            "{:<11} {:<11} {:>9} records {:>6} requests{}",
            s.source,
            s.status,
            s.records,
            s.requests,
            s.message
                .as_deref()
                .map(|m| format!("  {m}"))
                .unwrap_or_default()
        );
    }
    println!(
        "sync of {} {} in {:.1}s, {} requests",
        report.connection, report.outcome, report.seconds, report.requests
    );
    Ok(())
}

/// Syncs a connection in the foreground with progress on stderr (the demo's backfill).
pub async fn sync_now(
    hub: &weft_hub::Hub,
    connection: &weft_store::Connection,
) -> anyhow::Result<()> {
    let bar = std::io::stderr()
        .is_terminal()
        .then(|| Arc::new(Bar::new(&connection.name)));
    let sink: Arc<dyn ProgressSink> = match &bar {
        Some(bar) => bar.clone(),
        None => Arc::new(Lines::default()),
    };
    let owner = format!("demo/{}", hub::worker_id());
    let report = sync::run(
        hub,
        connection,
        &owner,
        &SyncOptions::default(),
        sink,
        CancellationToken::new(),
    )
    .await;
    if let Some(bar) = &bar {
        bar.finish();
    }
    let report = report?;
    let records: u64 = report.sources.iter().map(|s| s.records).sum();
    eprintln!(
        "synced {}: {} ({} records, {} requests, {:.1}s){}",
        report.connection,
        report.outcome,
        records,
        report.requests,
        report.seconds,
        report
            .message
            .as_deref()
            .map(|m| format!("; {m}"))
            .unwrap_or_default()
    );
    Ok(())
}

/// A progress bar with an ETA, for people at a terminal.
struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new(name: &str) -> Bar {
        let bar = ProgressBar::new(1000);
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {percent:>3}% eta {eta} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(format!("syncing {name}"));
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar { bar }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ProgressSink for Bar {
    fn progress(&self, p: &SyncProgress) {
        self.bar.set_position((p.overall() * 1000.0) as u64);
        self.bar.set_message(format!(
            "{} ({}/{}) {} records, {} requests",
            p.source, p.step, p.steps, p.records, p.requests
        ));
    }
    fn line(&self, text: &str) {
        self.bar.println(text);
    }
}

/// Plain lines, for logs and pipes: one when a source starts and at every tenth of it.
#[derive(Default)]
struct Lines {
    last: Mutex<(String, u32)>,
}

impl ProgressSink for Lines {
    fn progress(&self, p: &SyncProgress) {
        let tenth = (p.fraction * 10.0) as u32;
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.0 != p.source || last.1 != tenth {
            *last = (p.source.clone(), tenth);
            eprintln!(
                "{} {:>3}% ({}/{}), {} records, {} requests",
                p.source,
                tenth * 10,
                p.step,
                p.steps,
                p.records,
                p.requests
            );
        }
    }
    fn line(&self, text: &str) {
        eprintln!("{text}");
    }
}

pub async fn usage_command(settings: Settings, command: UsageCommand) -> anyhow::Result<()> {
    let needs_key = matches!(command, UsageCommand::Apply { .. });
    let hub = if needs_key {
        hub::services(&settings).await?
    } else {
        hub::services_without_key(&settings).await?
    };
    let actor = crate::commands::cli_actor();
    match command {
        UsageCommand::Summary { idle_days, json } => {
            let mut request = ReportRequest::default();
            request.filter.idle_days = Some(idle_days);
            let all = reports::summary(&hub, &request).await?;
            if json {
                return crate::commands::print_json(&wire::usage::Summary::of(
                    &all,
                    hub.clock.now_s(),
                ));
            }
            if all.is_empty() {
                println!("no connections yet");
            }
            let mut table = Table::new(&[
                "connection",
                "account",
                "plan",
                ">paid held",
                ">bought",
                ">held by nobody",
                &format!(">idle {idle_days}d"),
                ">never active",
                ">collaborators",
                "reclaiming the idle saves",
            ]);
            for s in &all {
                let account = s.account.as_ref();
                table.row([
                    s.connection.clone(),
                    account.map_or("-".into(), |a| a.name.clone()),
                    account
                        .and_then(|a| a.plan.clone())
                        .unwrap_or_else(|| "-".into()),
                    s.counts.paid_seats.to_string(),
                    account
                        .and_then(|a| a.user_limit)
                        .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                    s.unassigned
                        .as_ref()
                        .map_or_else(|| "?".to_owned(), |u| u.seats.to_string()),
                    s.counts.idle_n.to_string(),
                    s.counts.never_active.to_string(),
                    s.counts.free_seats.to_string(),
                    describe_savings(&s.savings),
                ]);
            }
            print!("{}", table.render());
            for s in &all {
                println!("{}: activity from {}", s.connection, s.signals.described);
                if !s.signals.shared_with.is_empty() {
                    println!(
                        "  the same Wrike account is also connected as {}; its people are counted once",
                        s.signals.shared_with.join(", ")
                    );
                }
            }
        }
        UsageCommand::Users {
            connection,
            filter,
            sort,
            desc,
            limit,
            offset,
            output,
        } => {
            let request = filter.request(&connection)?;
            let sort =
                SortBy::parse(&sort).with_context(|| format!("--sort: unknown order '{sort}'"))?;
            users_out(&hub, &request, sort, desc, limit, offset, &output).await?;
        }
        UsageCommand::Inactive {
            connection,
            idle_days,
            filter,
            output,
        } => {
            let mut request = filter.request(&connection)?;
            request.filter.idle_days = Some(idle_days);
            let report = reports::inactive(&hub, &request).await?;
            let mut seats = request.clone();
            seats.filter.paid = Some(true);
            seats.filter.active = Some(true);
            seats.filter.deleted = Some(false);
            if output.csv {
                return users_out(
                    &hub,
                    &seats,
                    SortBy::LastActivity,
                    false,
                    i64::MAX,
                    0,
                    &output,
                )
                .await;
            }
            if output.json {
                let list =
                    reports::users(&hub, &seats, SortBy::LastActivity, false, 10_000, 0).await?;
                return crate::commands::print_json(&serde_json::json!({
                    "report": wire::usage::Inactive::from(&report),
                    "users": wire::usage::People::of(list, 10_000, 0),
                }));
            }
            print_signals(&report.signals);
            let c = &report.counts;
            println!(
                "paid seats held {} of {} bought{}; collaborators (free) {}",
                c.paid_seats,
                report
                    .user_limit
                    .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                report
                    .unassigned
                    .as_ref()
                    .map(|u| format!(
                        "; held by nobody {} (worth {})",
                        u.seats,
                        describe_savings(&u.savings)
                    ))
                    .unwrap_or_default(),
                c.free_seats
            );
            // Each threshold once, in order, the report's own marked.
            let mut idle: Vec<(i64, i64)> = vec![(30, c.idle_30), (60, c.idle_60), (90, c.idle_90)];
            if !idle.iter().any(|(d, _)| *d == report.idle_days) {
                idle.push((report.idle_days, c.idle_n));
                idle.sort();
            }
            let idle: Vec<String> = idle
                .iter()
                .map(|(d, n)| {
                    let mark = if *d == report.idle_days {
                        " (the threshold)"
                    } else {
                        ""
                    };
                    format!("{d}d {n}{mark}")
                })
                .collect();
            println!(
                "paid seats held and idle: {} (never active: {} of the {} idle {}d)",
                idle.join(", "),
                c.never_active,
                c.idle_n,
                report.idle_days
            );
            println!(
                "deactivated or deleted, still holding a paid type (no seat): {}",
                c.inactive_still_typed
            );
            println!(
                "reclaiming the {idle} idle seats saves {}",
                describe_savings(&report.savings),
                idle = c.idle_n
            );
            users_out(
                &hub,
                &seats,
                SortBy::LastActivity,
                false,
                50,
                0,
                &OutputArgs {
                    json: false,
                    csv: false,
                },
            )
            .await?;
        }
        UsageCommand::Seats {
            connection,
            idle_days,
            json,
        } => {
            let mut request = ReportRequest {
                connections: vec![connection],
                ..Default::default()
            };
            request.filter.idle_days = Some(idle_days);
            let report = reports::seats(&hub, &request).await?;
            if json {
                return crate::commands::print_json(&wire::usage::Seats::from(&report));
            }
            for a in &report.accounts {
                println!(
                    "{} ({}): {} seats purchased",
                    a.name,
                    a.plan.as_deref().unwrap_or("plan unknown"),
                    a.user_limit
                        .map_or_else(|| "?".to_owned(), |n| n.to_string())
                );
            }
            println!(
                "{:<28} {:<13} {:>6} {:>6} {:>10}",
                "user type",
                "role",
                "paid",
                "seats",
                format!("idle {idle_days}d")
            );
            for g in &report.groups {
                println!(
                    "{:<28} {:<13} {:>6} {:>6} {:>10}",
                    g.user_type
                        .as_deref()
                        .or(g.user_type_id.as_deref())
                        .unwrap_or("-"),
                    g.role.as_deref().unwrap_or("-"),
                    if g.paid { "yes" } else { "no" },
                    g.seats,
                    g.idle
                );
            }
        }
        UsageCommand::Trend {
            connection,
            period,
            count,
            signals,
            json,
        } => {
            let period = Period::parse(&period)
                .with_context(|| format!("--period: '{period}' is not day, week or month"))?;
            let request = ReportRequest {
                connections: vec![connection],
                signals: Some(
                    Signals::parse(&signals).map_err(|e| anyhow::anyhow!("--signals: {e}"))?,
                ),
                ..Default::default()
            };
            let report = reports::trend(&hub, &request, period, count).await?;
            if json {
                return crate::commands::print_json(&wire::usage::Trend::from(&report));
            }
            print_signals(&report.signals);
            let peak = report
                .points
                .iter()
                .filter_map(|p| p.active_users)
                .max()
                .unwrap_or(0)
                .max(1);
            let mut table = Table::new(&["from", ">active", "", "note"]);
            for p in &report.points {
                let day =
                    chrono::NaiveDate::from_num_days_from_ce_opt(p.start_day as i32 + 719_163)
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                let (count, bar) = match p.active_users {
                    Some(n) => (n.to_string(), "#".repeat((n * 40 / peak) as usize)),
                    None => ("-".to_owned(), String::new()),
                };
                let note = match p.coverage {
                    reports::Coverage::Full => "",
                    reports::Coverage::Partial => "partial period",
                    reports::Coverage::NoData => "no data (before the first synced day)",
                };
                table.row([day, count, bar, note.to_owned()]);
            }
            print!("{}", table.render());
        }
        UsageCommand::Renewal {
            connection,
            seat_cost,
            currency,
            type_costs,
            type_seats,
            renewal_date,
            headroom,
            idle_days,
            json,
            csv,
        } => {
            let connection = connections::find(&hub, &connection).await?;
            if let Some(seat_cost) = seat_cost {
                let types = weft_hub::usage::reports::user_types(&hub, &connection.id).await?;
                let input = RenewalInput {
                    seat_cost,
                    currency,
                    type_costs: by_type("--type-cost", &type_costs, &types)?,
                    renewal_date: renewal_date.unwrap_or_default(),
                    headroom_pct: headroom.unwrap_or_default(),
                    type_seats: by_type("--type-seats", &type_seats, &types)?,
                };
                reports::set_renewal(&hub, &actor, &connection, &input).await?;
            } else if !type_costs.is_empty()
                || !type_seats.is_empty()
                || renewal_date.is_some()
                || headroom.is_some()
            {
                anyhow::bail!(
                    "--seat-cost is needed to set costs, seats bought, the date or the headroom"
                );
            }
            let plan = weft_hub::usage::renewal::plan(&hub, &connection, idle_days).await?;
            if json {
                return crate::commands::print_json(&wire::usage::RenewalPlan::from(&plan));
            }
            if csv {
                use std::io::Write;
                std::io::stdout().write_all(&weft_hub::usage::renewal::csv(&plan)?)?;
                return Ok(());
            }
            print_renewal_plan(&plan);
        }
        UsageCommand::Remind { json } => {
            let sent = weft_hub::usage::reminders::send_due(&hub).await?;
            if json {
                return crate::commands::print_json(&sent);
            }
            if sent.is_empty() {
                println!("no renewal reminder is due");
            }
            for r in &sent {
                println!(
                    "{}: renewal on {} in {} days ({}-day reminder) sent by {}",
                    r.connection,
                    r.renewal_date,
                    r.days_left,
                    r.days_before,
                    if r.channels.is_empty() {
                        "no channel (set alert_webhook_url or smtp_url and alert_emails)".to_owned()
                    } else {
                        r.channels.join(" and ")
                    }
                );
            }
        }
        UsageCommand::Reminders { connection, json } => {
            let connection = connections::find(&hub, &connection).await?;
            let sent = weft_hub::usage::reminders::sent(&hub, &connection.id).await?;
            let entries: Vec<wire::notices::ReminderEntry> = sent.iter().map(Into::into).collect();
            if json {
                return crate::commands::print_json(&entries);
            }
            if entries.is_empty() {
                println!("no renewal reminder was sent for {}", connection.name);
            }
            for e in &entries {
                println!(
                    "{}  renewal {}  {} days before  by {}",
                    e.sent_at.format("%Y-%m-%d %H:%M"),
                    e.renewal_date,
                    e.days_before,
                    e.channels.join(", ")
                );
            }
        }
        UsageCommand::Digest(command) => digest_command(&hub, command).await?,
        UsageCommand::Savings {
            connection,
            json,
            csv,
        } => {
            let connection = connections::find(&hub, &connection).await?;
            let ledger = weft_hub::usage::savings::ledger(&hub, &connection).await?;
            if json {
                return crate::commands::print_json(&wire::savings::SavingsLedger::from(&ledger));
            }
            if csv {
                use std::io::Write;
                std::io::stdout().write_all(&weft_hub::usage::savings::csv(&ledger)?)?;
                return Ok(());
            }
            let currency = ledger.currency.clone().unwrap_or_default();
            let amount = |cents: i64| {
                if currency.is_empty() {
                    format!("{:.2}", cents as f64 / 100.0)
                } else {
                    weft_core::usage::money(cents, &currency)
                }
            };
            println!(
                "{}: realized {} a year ({} netted out by restores); potential now {}",
                ledger.connection,
                amount(ledger.realized_cents),
                amount(ledger.restored_cents),
                ledger
                    .potential_cents
                    .map_or_else(|| "not kept yet".to_owned(), amount)
            );
            for m in &ledger.months {
                println!(
                    "{}{}  potential {:>14}  realized {:>14}",
                    m.month,
                    if m.partial { "*" } else { " " },
                    m.potential_cents.map_or_else(|| "-".to_owned(), amount),
                    amount(m.realized_cents)
                );
            }
            for e in &ledger.entries {
                println!(
                    "{}  {:<28} {:<36} {:>12}{}",
                    weft_hub::usage::export::iso(Some(e.realized_at)),
                    e.name,
                    e.change_label,
                    e.annual_saving_cents.map_or_else(|| "-".to_owned(), amount),
                    e.restored_reason
                        .as_deref()
                        .map(|r| format!("  restored: {r}"))
                        .unwrap_or_default()
                );
            }
        }
        UsageCommand::Reclaim {
            connection,
            action,
            target,
            users,
            filter,
            json,
        } => {
            let connection = connections::find(&hub, &connection).await?;
            let action = Action::parse(&action, target.as_deref())?;
            let selection = if users.is_empty() {
                let request = filter.request(&connection.id)?;
                if request.filter == UserFilter::default() {
                    anyhow::bail!(
                        "name users with --user, or select them with a filter such as --idle 90 --paid true"
                    );
                }
                Selection::Filter(Box::new(request))
            } else {
                Selection::Users(users)
            };
            let plan = reclaim::plan(&hub, &actor, &connection, action, selection).await?;
            if json {
                return crate::commands::print_json(
                    &wire::usage::ReclaimPlan::load(&hub, &plan).await?,
                );
            }
            print_plan(&plan);
            println!(
                "dry run: nothing changed in Wrike. Apply it with: weft usage apply {} (within the hour)",
                plan.id
            );
        }
        UsageCommand::Apply { plan, json } => {
            let plan = reclaim::apply(&hub, &actor, &plan).await?;
            if json {
                return crate::commands::print_json(
                    &wire::usage::ReclaimPlan::load(&hub, &plan).await?,
                );
            }
            print_plan(&plan);
            if plan
                .items
                .iter()
                .any(|i| i.result.as_deref() == Some("failed"))
            {
                std::process::exit(2);
            }
        }
        UsageCommand::Cancel { plan } => {
            let plan = reclaim::cancel(&hub, &actor, &plan).await?;
            println!("cancelled {}", plan.id);
        }
        UsageCommand::Plans {
            connection,
            limit,
            json,
        } => {
            let plans = reclaim::list(&hub, connection.as_deref(), limit).await?;
            if json {
                let mut all = Vec::with_capacity(plans.len());
                for plan in &plans {
                    all.push(wire::usage::ReclaimPlan::load(&hub, plan).await?);
                }
                return crate::commands::print_page(all);
            }
            if plans.is_empty() {
                println!("no reclaim plans yet");
                return Ok(());
            }
            let names: HashMap<String, String> = weft_hub::connections::list(&hub)
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let mut table = Table::new(&[
                "plan",
                "made (UTC)",
                "connection",
                "action",
                ">people",
                "status",
                "made by",
                "decided by",
            ]);
            for p in &plans {
                table.row([
                    p.id.clone(),
                    date_time(p.created_at),
                    names
                        .get(&p.connection_id)
                        .cloned()
                        .unwrap_or_else(|| p.connection_id.clone()),
                    reclaim::headline(&hub, p).await?,
                    p.items.len().to_string(),
                    p.status.clone(),
                    p.created_by.clone(),
                    p.applied_by
                        .clone()
                        .or_else(|| p.cancelled_by.clone())
                        .unwrap_or_default(),
                ]);
            }
            print!("{}", table.render());
        }
        UsageCommand::Plan { plan, json, csv } => {
            let plan = reclaim::get(&hub, &plan).await?;
            if json {
                return crate::commands::print_json(
                    &wire::usage::ReclaimPlan::load(&hub, &plan).await?,
                );
            }
            if csv {
                use std::io::Write;
                std::io::stdout().write_all(&reclaim::csv(&plan)?)?;
                return Ok(());
            }
            println!("{}", reclaim::headline(&hub, &plan).await?);
            print_plan(&plan);
            if let Some(s) = reclaim::saving(&hub, &plan).await? {
                println!("saves {} a year", money(s.cents, &s.currency));
            }
        }
        UsageCommand::Exclude { plan, users } => {
            let plan = reclaim::exclude(&hub, &actor, &plan, &users).await?;
            print_plan(&plan);
        }
    }
    Ok(())
}

fn print_plan(plan: &weft_store::ReclaimPlan) {
    println!("plan {} ({})", plan.id, plan.status);
    let mut table = Table::new(&["name", "email", "now", "after", "result"]);
    for i in &plan.items {
        table.row([
            i.name.clone(),
            i.email.clone().unwrap_or_else(|| "-".into()),
            i.before.clone(),
            i.after.clone(),
            format!(
                "{}{}",
                i.result.as_deref().unwrap_or("planned"),
                i.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        ]);
    }
    print!("{}", table.render());
}

/// A Unix time as `YYYY-MM-DD HH:MM`.
fn date_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// `TYPE=VALUE` pairs with the type by title (any case) or id, as user type ids.
fn by_type(
    flag: &str,
    pairs: &[String],
    types: &[weft_store::UserTypeInfo],
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for pair in pairs {
        let (name, value) = pair
            .split_once('=')
            .with_context(|| format!("{flag} {pair}: expected TYPE=VALUE"))?;
        let name = name.trim();
        let found = types
            .iter()
            .find(|t| t.id == name || t.title.eq_ignore_ascii_case(name))
            .with_context(|| {
                format!(
                    "{flag} {pair}: '{name}' is not a user type here; the user types are {}",
                    types
                        .iter()
                        .map(|t| t.title.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        out.insert(found.id.clone(), value.trim().to_owned());
    }
    Ok(out)
}

fn print_renewal_plan(plan: &weft_hub::usage::renewal::RenewalPlan) {
    let amount = |cents: i64| match &plan.currency {
        Some(c) => money(cents, c),
        None => "-".to_owned(),
    };
    let count = |n: Option<i64>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
    let p = &plan.plan;
    println!(
        "renewal plan of {} ({}){}",
        plan.account
            .as_deref()
            .unwrap_or("an account not synced yet"),
        plan.connection,
        plan.wrike_plan
            .as_deref()
            .map(|w| format!(", {w}"))
            .unwrap_or_default()
    );
    println!(
        "renews: {}",
        match (&plan.renewal_date, plan.days_left) {
            (Some(d), Some(n)) => format!("{d} ({n} days left)"),
            _ => "not known (set it with --seat-cost ... --renewal-date YYYY-MM-DD)".into(),
        }
    );
    if plan.currency.is_none() {
        println!(
            "no costs entered: amounts are not shown (set them with --seat-cost 300 --currency USD)"
        );
    }
    if let (Some(r), Some(currency)) = (&plan.realized_since_renewal, &plan.currency) {
        println!(
            "realized since the last renewal ({}): {} a year, {} people changed",
            r.since,
            weft_core::usage::money(r.cents, currency),
            r.people
        );
    }
    let mut table = Table::new(&[
        "user type",
        ">cost a year",
        ">bought",
        ">held",
        ">active",
        &format!(">idle {}d", plan.idle_days),
        ">never active",
        ">deactivated, typed",
        ">held by nobody",
        ">recommended",
        "downgrade idle",
    ]);
    for l in &p.lines {
        table.row([
            l.title.clone(),
            amount(l.cost_cents),
            count(l.bought),
            l.assigned.to_string(),
            l.active.to_string(),
            l.idle.to_string(),
            l.never_active.to_string(),
            l.deactivated_typed.to_string(),
            count(l.unassigned),
            l.recommended.to_string(),
            match &l.downgrade_to {
                Some(to) if l.idle > 0 => {
                    format!("{} to {to}: {}", l.idle, amount(l.downgrade_saves_cents))
                }
                _ => "-".into(),
            },
        ]);
    }
    if p.unassigned_untyped > 0 {
        table.row([
            "(bought, type not entered)".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            p.unassigned_untyped.to_string(),
            String::new(),
            String::new(),
        ]);
    }
    table.row([
        "all paid types".to_owned(),
        amount(p.spend_cents),
        count(p.bought),
        p.assigned.to_string(),
        p.active.to_string(),
        p.idle.to_string(),
        p.never_active.to_string(),
        p.deactivated_typed.to_string(),
        p.unassigned.to_string(),
        p.recommended.to_string(),
        String::new(),
    ]);
    print!("{}", table.render());
    println!(
        "collaborators (free): {}; recommended: the active seats plus {} % headroom, costing {} a year",
        plan.collaborators,
        p.headroom_pct,
        amount(p.recommended_spend_cents)
    );
    let mut actions = Table::new(&["action", ">seats", ">saves a year"]);
    for a in &p.actions {
        actions.row([
            a.title.to_owned(),
            a.seats.to_string(),
            amount(a.saves_cents),
        ]);
    }
    print!("{}", actions.render());
    for c in &plan.changes {
        let since = if c.since == "previousSync" {
            "since the previous sync"
        } else {
            "over the last month"
        };
        match c.at {
            None => println!("{since}: no earlier sync to compare with yet"),
            Some(_) if c.moved.is_empty() => println!("{since}: nothing changed"),
            Some(_) => println!(
                "{since}: {}",
                c.moved
                    .iter()
                    .map(|m| format!("{} {} -> {}", m.figure, m.then, m.now))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn print_signals(signals: &[reports::SignalsUsed]) {
    for s in signals {
        println!("{}: activity from {}", s.connection, s.described);
        for m in &s.missing {
            println!("  not used: {m}");
        }
    }
}

fn describe_savings(s: &reports::Savings) -> String {
    let mut parts: Vec<String> = s.by_currency.iter().map(|(c, v)| money(*v, c)).collect();
    if s.unpriced_seats > 0 {
        parts.push(format!(
            "{} seats without a cost (weft usage renewal)",
            s.unpriced_seats
        ));
    }
    if parts.is_empty() {
        "nothing".to_owned()
    } else {
        parts.join(" + ") + " a year"
    }
}

async fn users_out(
    hub: &weft_hub::Hub,
    request: &ReportRequest,
    sort: SortBy,
    desc: bool,
    limit: i64,
    offset: i64,
    output: &OutputArgs,
) -> anyhow::Result<()> {
    if output.csv {
        let (_, rows) = export::all_users(hub, request, sort, desc).await?;
        let names: HashMap<String, String> = weft_hub::connections::list(hub)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let bytes = export::users_csv(&rows, &names, hub.clock.now_s())?;
        use std::io::Write;
        std::io::stdout().write_all(&bytes)?;
        return Ok(());
    }
    let report = reports::users(hub, request, sort, desc, limit, offset).await?;
    if output.json {
        return crate::commands::print_json(&wire::usage::People::of(report, limit, offset));
    }
    let now = hub.clock.now_s();
    let ago = |at: Option<i64>| {
        at.map_or_else(
            || "never".to_owned(),
            |t| format!("{}d ago", (now - t).max(0) / 86_400),
        )
    };
    let mut table = Table::new(&[
        "name",
        "email",
        "user type",
        "role",
        ">last login",
        ">last work",
        ">last active",
        "by",
        "",
    ]);
    for r in &report.page.rows {
        table.row([
            format!("{} {}", r.first_name, r.last_name),
            r.email.clone().unwrap_or_else(|| "-".into()),
            r.user_type.clone().unwrap_or_else(|| "-".into()),
            r.role.clone().unwrap_or_else(|| "-".into()),
            ago(r.last_login_at),
            ago(r.last_work_at),
            ago(r.last_activity_at),
            r.active_by.map_or("-", |s| s.name()).to_owned(),
            if r.active { "" } else { "(deactivated)" }.to_owned(),
        ]);
    }
    print!("{}", table.render());
    println!(
        "{} of {} shown; activity from {}",
        report.page.rows.len(),
        report.page.total,
        report
            .signals
            .iter()
            .map(|s| format!("{}: {}", s.connection, s.described))
            .collect::<Vec<_>>()
            .join("; ")
    );
    Ok(())
}
