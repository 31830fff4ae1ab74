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
use weft_hub::usage::export;
use weft_hub::usage::reclaim::{self, Action, Selection};
use weft_hub::usage::reports::{self, Period, RenewalInput, ReportRequest};
use weft_hub::usage::sync::{self, ProgressSink, SyncOptions, SyncProgress};
use weft_store::{SortBy, UserFilter};

use crate::config::Settings;
use crate::hub;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The connection (name or id).
    connection: String,
    /// Where the first backfill starts (YYYY-MM-DD); `backfill_days` before today otherwise.
    #[arg(long)]
    since: Option<chrono::NaiveDate>,
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
    /// Show, or set with --seat-cost, the cost per seat and the renewal date.
    Renewal {
        connection: String,
        /// Yearly cost of one paid seat (e.g. 300 or 300.00).
        #[arg(long)]
        seat_cost: Option<String>,
        #[arg(long, default_value = "USD")]
        currency: String,
        /// Yearly cost of a user type that differs: TYPE_ID=AMOUNT (repeatable).
        #[arg(long = "type-cost")]
        type_costs: Vec<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        renewal_date: Option<String>,
        #[arg(long)]
        json: bool,
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
}

/// Filters shared by the reports.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Part of the name or e-mail.
    #[arg(long)]
    q: Option<String>,
    /// all, logins, work, or a list of login, change, task, comment, timelog.
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
            },
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
    let report = sync::run(&hub, &connection, &owner, &options, sink, stop).await;
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
                return crate::commands::print_json(&all);
            }
            if all.is_empty() {
                println!("no connections yet");
            }
            for s in &all {
                let account = s.account.as_ref();
                println!(
                    "{:<20} {:<24} {:<12} seats {:>5} / {:<6} idle {idle_days}d {:>5}  never {:>4}  savings {}  signals: {}",
                    s.connection,
                    account.map_or("-", |a| a.name.as_str()),
                    account.and_then(|a| a.plan.as_deref()).unwrap_or("-"),
                    s.counts.paid_seats,
                    account
                        .and_then(|a| a.user_limit)
                        .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                    s.counts.idle_n,
                    s.counts.never_active,
                    describe_savings(&s.savings),
                    s.signals.described,
                );
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
                return crate::commands::print_json(
                    &serde_json::json!({"report": report, "users": list}),
                );
            }
            print_signals(&report.signals);
            let c = &report.counts;
            println!(
                "paid seats {} (of {} purchased), free seats {}",
                c.paid_seats,
                report
                    .user_limit
                    .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                c.free_seats
            );
            println!(
                "idle 30d {}  60d {}  90d {}  {}d {}  never active {}  deactivated or deleted still holding a paid type {}",
                c.idle_30,
                c.idle_60,
                c.idle_90,
                report.idle_days,
                c.idle_n,
                c.never_active,
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
                return crate::commands::print_json(&report);
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
                return crate::commands::print_json(&report);
            }
            print_signals(&report.signals);
            let peak = report
                .points
                .iter()
                .map(|p| p.active_users)
                .max()
                .unwrap_or(0)
                .max(1);
            for p in &report.points {
                let day =
                    chrono::NaiveDate::from_num_days_from_ce_opt(p.start_day as i32 + 719_163)
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                let width = (p.active_users * 40 / peak) as usize;
                println!("{day}  {:>6}  {}", p.active_users, "#".repeat(width));
            }
        }
        UsageCommand::Renewal {
            connection,
            seat_cost,
            currency,
            type_costs,
            renewal_date,
            json,
        } => {
            let connection = connections::find(&hub, &connection).await?;
            let renewal = match seat_cost {
                Some(seat_cost) => {
                    let mut costs = std::collections::BTreeMap::new();
                    for pair in type_costs {
                        let (id, cost) = pair.split_once('=').with_context(|| {
                            format!("--type-cost {pair}: expected TYPE_ID=AMOUNT")
                        })?;
                        costs.insert(id.to_owned(), cost.to_owned());
                    }
                    let input = RenewalInput {
                        seat_cost,
                        currency,
                        type_costs: costs,
                        renewal_date: renewal_date.unwrap_or_default(),
                    };
                    Some(reports::set_renewal(&hub, &actor, &connection, &input).await?)
                }
                None => hub.store.usage().renewal(&connection.id).await?,
            };
            if json {
                return crate::commands::print_json(&renewal);
            }
            match renewal {
                Some(r) => println!(
                    "{}: {} a seat a year{}, renews {}",
                    connection.name,
                    money(r.seat_cost_cents, &r.currency),
                    if r.type_costs.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " ({})",
                            r.type_costs
                                .iter()
                                .map(|(t, c)| format!("{t}: {}", money(*c, &r.currency)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                    r.renewal_date.as_deref().unwrap_or("(no date set)")
                ),
                None => println!(
                    "{}: no renewal costs yet; set them with --seat-cost 300 --currency USD --renewal-date 2027-03-31",
                    connection.name
                ),
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
                return crate::commands::print_json(&plan);
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
                return crate::commands::print_json(&plan);
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
    }
    Ok(())
}

fn print_plan(plan: &weft_store::ReclaimPlan) {
    println!(
        "plan {} ({}): {}{}",
        plan.id,
        plan.status,
        plan.action,
        plan.target
            .as_deref()
            .map(|t| format!(" {t}"))
            .unwrap_or_default()
    );
    for i in &plan.items {
        println!(
            "  {:<28} {:<36} {} -> {}  {}{}",
            i.name,
            i.email.as_deref().unwrap_or("-"),
            i.before,
            i.after,
            i.result.as_deref().unwrap_or("planned"),
            i.message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
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
        let names: HashMap<String, String> = hub
            .store
            .connections()
            .list()
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
        return crate::commands::print_json(&report);
    }
    let now = hub.clock.now_s();
    let ago = |at: Option<i64>| {
        at.map_or_else(
            || "never".to_owned(),
            |t| format!("{}d ago", (now - t).max(0) / 86_400),
        )
    };
    println!(
        "{:<26} {:<34} {:<16} {:<12} {:>11} {:>11} {:>11}",
        "name", "email", "user type", "role", "last login", "last work", "last active"
    );
    for r in &report.page.rows {
        println!(
            "{:<26} {:<34} {:<16} {:<12} {:>11} {:>11} {:>11}{}",
            format!("{} {}", r.first_name, r.last_name),
            r.email.as_deref().unwrap_or("-"),
            r.user_type.as_deref().unwrap_or("-"),
            r.role.as_deref().unwrap_or("-"),
            ago(r.last_login_at),
            ago(r.last_work_at),
            ago(r.last_activity_at),
            if r.active { "" } else { "  (deactivated)" }
        );
    }
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
