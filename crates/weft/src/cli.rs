//! The clap command tree and what each command does.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use weft_core::roles::Role;
use weft_core::scope_plan::{self, Feature};
use wrike_sim::{Listen, RunningSim, SimConfig};

use weft_hub::{access, connections, health, jobs};
use weft_server::wire;
use weft_store::{JobFilter, JobStatus};

use crate::commands::{cli_actor, print_json, print_page};
use crate::config::Settings;

use crate::{hub, policies_cli, recipes_cli, secrets_input, usage_cli};

/// weft: a self-hosted Wrike integration hub.
#[derive(Debug, Parser)]
#[command(name = "weft", version, about, long_about = None)]
struct Cli {
    /// Settings file (TOML); `weft.toml` is read when present. `WEFT_*` variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://...), overriding the settings.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Who is running this command, for the hub's trail (beside the operating-system user):
    /// e.g. the team member an operator acts for.
    #[arg(long = "as", global = true, value_name = "USER", value_parser = parse_acting_as)]
    acting_as: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Wrike API v4 simulator (for tests, demos and sandboxes).
    Sim(SimArgs),
    /// Start a demo on this machine: the simulator, the hub with an admin and a first
    /// connection, and the web UI.
    Demo(DemoArgs),
    /// Run the hub: web UI, JSON API, and background work (settings from weft.toml / WEFT_*).
    Serve,
    /// Run only the background work (jobs and schedules), no web server: an extra worker
    /// instance beside `weft serve` on a shared PostgreSQL database.
    Worker,
    /// The hub's team: local users with roles.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Wrike connections: add, list, check, remove, and the scopes they need.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// Background jobs: list, show, retry, cancel.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The team's API tokens: list, create, revoke.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// The secrets key: rotate to a new one.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Back up the embedded database to FILE while the hub runs (a consistent copy; it says
    /// which secrets key it needs). PostgreSQL is backed up with pg_dump.
    Backup { file: std::path::PathBuf },
    /// Restore a backup made by `weft backup` into an empty data folder, with the secrets key
    /// it was made with.
    Restore { file: std::path::PathBuf },
    /// The hub's database: copy the embedded one into PostgreSQL.
    #[command(subcommand)]
    Store(crate::backup_cli::StoreCommand),
    /// Sync a connection's users, audit log and work activity now.
    Sync(usage_cli::SyncArgs),
    /// Usage analytics: who uses the paid seats, trends, renewal savings, reclaiming seats.
    #[command(subcommand)]
    Usage(Box<usage_cli::UsageCommand>),
    /// License policies: validate, diff, apply and export policy files; evaluate them; plan
    /// their reclaims.
    #[command(subcommand)]
    Policies(policies_cli::PoliciesCommand),
    /// Recipes: validate, diff, apply and export recipe files; start and stop recipes; runs.
    #[command(subcommand)]
    Recipes(recipes_cli::RecipesCommand),
    /// Secrets recipes read as {{ secrets.NAME }}: set, list, remove (values never shown).
    #[command(subcommand)]
    Secrets(recipes_cli::SecretsCommand),
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Jobs, newest first.
    List {
        /// Only this kind (e.g. health.probe).
        #[arg(long)]
        kind: Option<String>,
        /// queued, running, succeeded, dead or cancelled.
        #[arg(long, value_parser = parse_status)]
        status: Option<JobStatus>,
        /// Created at or after (RFC 3339, e.g. 2026-11-29T10:00:00Z).
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Created before (RFC 3339).
        #[arg(long)]
        until: Option<chrono::DateTime<chrono::Utc>>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Also the health rounds and probes (every minute, for every connection), hidden
        /// unless asked for by this or by --kind.
        #[arg(long)]
        routine: bool,
        #[arg(long)]
        json: bool,
    },
    /// One job, whole.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Queue a dead or cancelled job again, now.
    Retry { id: i64 },
    /// Cancel a queued or running job.
    Cancel { id: i64 },
    /// Enqueue a no-op job, to see that workers are alive (it records which one ran it).
    Ping {
        /// Make the job take this long.
        #[arg(long, default_value_t = 0)]
        sleep_ms: u64,
    },
}

fn parse_acting_as(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control()) {
        return Err("--as takes a name of 1 to 64 printable characters".into());
    }
    Ok(name.to_owned())
}

fn parse_status(text: &str) -> Result<JobStatus, String> {
    JobStatus::parse(text.trim()).ok_or_else(|| {
        format!("unknown status {text:?}: use queued, running, succeeded, dead or cancelled")
    })
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a user; the password is read from standard input (a hidden prompt on a terminal).
    Add {
        #[arg(long)]
        username: String,
        /// admin, analyst or operator.
        #[arg(long, value_parser = Role::parse)]
        role: Role,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, conflicts_with = "sso")]
        password_env: Option<String>,
        /// The user signs in through single sign-on (no password here): their first
        /// sign-in links the identity provider's person of this username or e-mail.
        #[arg(long)]
        sso: bool,
    },
    /// List the users.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: their sessions end and their API tokens stop working.
    Disable { user: String },
    /// Enable a disabled user again.
    Enable { user: String },
    /// Remove a user with their sessions and API tokens.
    Remove { user: String },
    /// Change a user's role.
    Role {
        user: String,
        /// admin, analyst or operator.
        #[arg(value_parser = Role::parse)]
        role: Role,
    },
    /// Set a user's password (from standard input, or --password-env); their sessions end.
    Password {
        user: String,
        #[arg(long)]
        password_env: Option<String>,
    },
    /// End every session of a user.
    SignOut { user: String },
}

#[derive(Debug, Subcommand)]
enum TokensCommand {
    /// API tokens: everyone's, or one user's.
    List {
        #[arg(long)]
        user: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Create an API token for a user; the token is printed once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        /// The token stops working after this many days.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Revoke an API token by id.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Re-seal every stored secret with the configured key (WEFT_SECRET_KEY or
    /// secret_key_file); the key they are sealed with now is read once, from standard input
    /// or --old-key-env.
    Rotate {
        #[arg(long)]
        old_key_env: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ConnectionsCommand {
    /// Add a connection with a permanent token, read from standard input (or --token-env).
    Add {
        /// A short unique name (letters, digits, '.', '_', '-').
        #[arg(long)]
        name: String,
        /// us, us2, eu, or an API URL such as https://app-eu.wrike.com/api/v4.
        #[arg(long, default_value = "us")]
        data_center: String,
        /// Read the token from this environment variable instead of standard input.
        #[arg(long)]
        token_env: Option<String>,
        /// What the connection is for: usage_analytics, reclaim, invitations, read_work, write_work, webhooks, groups.
        #[arg(long, value_delimiter = ',', value_parser = Feature::parse)]
        features: Vec<Feature>,
        #[arg(long)]
        json: bool,
    },
    /// List connections with who they run as and their last health.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Probe connections now (all, or one by name); exits with 2 when any is broken.
    Check {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Remove a connection (its sealed tokens go with it).
    Remove { name: String },
    /// Give a permanent-token connection a new token (from standard input or --token-env),
    /// after the old one was revoked; recipes paused on it go on.
    SetToken {
        name: String,
        #[arg(long)]
        token_env: Option<String>,
    },
    /// The minimum scopes and Wrike rights for a set of features.
    Plan {
        #[arg(long, value_delimiter = ',', value_parser = Feature::parse, required = true)]
        features: Vec<Feature>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct SimArgs {
    /// Address of the first (US) data center.
    #[arg(long, default_value = "127.0.0.1:8180")]
    listen: SocketAddr,
    /// Address of the second (EU) data center; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen_eu: SocketAddr,
    #[command(flatten)]
    world: WorldArgs,
    /// PEM certificate to serve HTTPS with (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct WorldArgs {
    /// Seed of the generated accounts: the same seed gives the same world.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// People in the main account.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(5..=100_000))]
    users: u32,
    /// Months of audit-log history to generate.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=36))]
    months: u32,
    /// Requests per minute per token before 429 (0 turns the limit off).
    #[arg(long, default_value_t = 400)]
    rate_limit: u32,
    /// Pin the simulated "now" (RFC 3339, e.g. 2026-11-01T09:00:00Z).
    #[arg(long)]
    now: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Address of the simulator's first data center.
    #[arg(long, default_value = "127.0.0.1:8180")]
    listen: SocketAddr,
    /// Address of the hub's web UI and API.
    #[arg(long, default_value = "127.0.0.1:8080")]
    hub_listen: SocketAddr,
    /// Seed of the generated accounts.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// People in the Enterprise account.
    #[arg(long, default_value_t = 2500, value_parser = clap::value_parser!(u32).range(5..=100_000))]
    users: u32,
    /// Months of history.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=36))]
    months: u32,
    /// Requests per minute per token, for the simulator and the hub alike. Wrike allows
    /// 400; the demo allows more so that six months of 2,500 people sync in seconds. Give
    /// 400 to watch the backfill at Wrike's pace.
    #[arg(long, default_value_t = 6000)]
    rate_limit: u32,
}

impl WorldArgs {
    fn config(&self) -> SimConfig {
        SimConfig {
            seed: self.seed,
            users: self.users,
            months: self.months,
            rate_limit_per_minute: self.rate_limit,
            now: self.now,
            ..SimConfig::default()
        }
    }
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    crate::commands::set_acting_as(cli.acting_as.clone());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WEFT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for people at a terminal, never in log files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        match cli.command {
            Command::Sim(args) => sim(args).await,
            Command::Demo(args) => demo(args).await,
            Command::Serve => serve(settings(&cli.config, cli.database_url)?).await,
            Command::Worker => worker(settings(&cli.config, cli.database_url)?).await,
            Command::Jobs(command) => {
                jobs_command(settings(&cli.config, cli.database_url)?, command).await
            }
            Command::Tokens(command) => {
                tokens_command(settings(&cli.config, cli.database_url)?, command).await
            }
            Command::Key(command) => {
                key_command(settings(&cli.config, cli.database_url)?, command).await
            }
            Command::Users(command) => {
                users_command(settings(&cli.config, cli.database_url)?, command).await
            }
            Command::Connections(command) => {
                connections_command(settings(&cli.config, cli.database_url)?, command).await
            }
            Command::Backup { file } => {
                crate::backup_cli::backup_command(settings(&cli.config, cli.database_url)?, &file)
                    .await
            }
            Command::Store(command) => {
                crate::backup_cli::store_command(settings(&cli.config, cli.database_url)?, command)
                    .await
            }
            Command::Restore { file } => {
                crate::backup_cli::restore_command(settings(&cli.config, cli.database_url)?, &file)
                    .await
            }
            Command::Sync(args) => {
                usage_cli::sync_command(settings(&cli.config, cli.database_url)?, args).await
            }
            Command::Usage(command) => {
                usage_cli::usage_command(settings(&cli.config, cli.database_url)?, *command).await
            }
            Command::Policies(command) => {
                policies_cli::policies_command(settings(&cli.config, cli.database_url)?, command)
                    .await
            }
            Command::Recipes(command) => {
                recipes_cli::recipes_command(settings(&cli.config, cli.database_url)?, command)
                    .await
            }
            Command::Secrets(command) => {
                recipes_cli::secrets_command(settings(&cli.config, cli.database_url)?, command)
                    .await
            }
        }
    })
}

fn settings(file: &Option<PathBuf>, database_url: Option<String>) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(file.as_deref())?;
    if let Some(url) = database_url {
        settings.database_url = url;
    }
    Ok(settings)
}

async fn users_command(settings: Settings, command: UsersCommand) -> anyhow::Result<()> {
    let hub = hub::services_without_key(&settings).await?;
    match command {
        UsersCommand::Add {
            username,
            role,
            password_env,
            sso,
        } => {
            let user = if sso {
                access::add_sso_user(&hub, &cli_actor(), &username, role).await?
            } else {
                let password = secrets_input::read_secret("password", password_env.as_deref())?;
                access::add_user(&hub, &cli_actor(), &username, role, password).await?
            };
            let how = if sso { ", single sign-on" } else { "" };
            println!("added {} ({}{how})", user.username, user.role.as_str());
        }
        UsersCommand::List { json } => {
            let all = access::users(&hub).await?;
            if json {
                return print_page(all.iter().map(wire::team::User::from).collect());
            }
            for user in all {
                let status = if user.disabled_at.is_some() {
                    "disabled"
                } else {
                    ""
                };
                println!(
                    "{:<24} {:<9} {:<9} {status}",
                    user.username,
                    user.role.as_str(),
                    user.sign_in.as_str()
                );
            }
        }
        UsersCommand::Disable { user } => {
            let user = access::disable_user(&hub, &cli_actor(), &user).await?;
            println!(
                "disabled {}: their sessions ended and their tokens stop working",
                user.username
            );
        }
        UsersCommand::Enable { user } => {
            let user = access::enable_user(&hub, &cli_actor(), &user).await?;
            println!("enabled {}", user.username);
        }
        UsersCommand::Remove { user } => {
            let user = access::remove_user(&hub, &cli_actor(), &user).await?;
            println!("removed {}", user.username);
        }
        UsersCommand::Role { user, role } => {
            let user = access::set_role(&hub, &cli_actor(), &user, role).await?;
            println!("{} is now {}", user.username, user.role.as_str());
        }
        UsersCommand::Password { user, password_env } => {
            let password = secrets_input::read_secret("new password", password_env.as_deref())?;
            let user = access::reset_password(&hub, &cli_actor(), &user, password).await?;
            println!(
                "set a new password for {}; their sessions ended",
                user.username
            );
        }
        UsersCommand::SignOut { user } => {
            let user = access::find_user(&hub, &user).await?;
            let ended = access::sign_out_everywhere(&hub, &cli_actor(), &user).await?;
            println!("ended {ended} sessions of {}", user.username);
        }
    }
    Ok(())
}

async fn tokens_command(settings: Settings, command: TokensCommand) -> anyhow::Result<()> {
    let hub = hub::services_without_key(&settings).await?;
    match command {
        TokensCommand::List { user, json } => {
            let owner = match user {
                Some(user) => Some(access::find_user(&hub, &user).await?),
                None => None,
            };
            let listed = access::tokens_of(&hub, owner.as_ref()).await?;
            if json {
                return print_page(listed.iter().map(wire::team::Token::from).collect());
            }
            if listed.is_empty() {
                println!("no API tokens");
            }
            let when =
                |at: Option<i64>| at.map_or_else(|| "never".to_owned(), |s| millis(s * 1000));
            for t in &listed {
                println!(
                    "{:<24} {:<16} {:<24} expires {:<19} last used {}",
                    t.token.id,
                    t.username,
                    t.token.name,
                    when(t.token.expires_at),
                    when(t.token.last_used_at)
                );
            }
        }
        TokensCommand::Create {
            user,
            name,
            expires_in_days,
        } => {
            let owner = access::find_user(&hub, &user).await?;
            let (token, secret) =
                access::issue_api_token(&hub, &cli_actor(), &owner, &name, expires_in_days).await?;
            eprintln!(
                "created API token {} for {} (shown once):",
                token.id, owner.username
            );
            println!("{secret}");
        }
        TokensCommand::Revoke { id } => {
            let token = access::revoke_token(&hub, &cli_actor(), None, &id).await?;
            println!("revoked {} ({})", token.id, token.name);
        }
    }
    Ok(())
}

async fn key_command(settings: Settings, command: KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::Rotate { old_key_env } = command;
    let store = hub::open_store(&settings).await?;
    let new = hub::secret_key(&settings, &store).await?;
    let old = secrets_input::read_secret("the secrets key now in use", old_key_env.as_deref())?;
    let old = weft_core::secrets::SecretKey::from_hex(secrecy::ExposeSecret::expose_secret(&old))
        .context("the old key")?;
    let count = weft_hub::keys::rotate(&store, &old, &new).await?;
    println!(
        "re-sealed {count} secrets with the new key; start the hub with the new key from now on"
    );
    Ok(())
}

async fn connections_command(
    settings: Settings,
    command: ConnectionsCommand,
) -> anyhow::Result<()> {
    if let ConnectionsCommand::Plan { features, json } = &command {
        let plan = scope_plan::plan(features);
        if *json {
            return print_json(&wire::connections::ScopePlan::from(&plan));
        }
        println!(
            "scopes (Default is always included): {}",
            plan.scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "Wrike rights: {}",
            if plan.rights.is_empty() {
                "none".to_owned()
            } else {
                plan.rights
                    .iter()
                    .map(|r| format!("{r:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        return Ok(());
    }
    // Every command that may seal or open a token loads the key; only these two never do
    // (a keyless hub refuses to seal, so a command missed here fails loudly, not silently).
    let needs_key = !matches!(
        command,
        ConnectionsCommand::List { .. } | ConnectionsCommand::Remove { .. }
    );
    let hub = if needs_key {
        hub::services(&settings).await?
    } else {
        hub::services_without_key(&settings).await?
    };
    match command {
        ConnectionsCommand::Add {
            name,
            data_center,
            token_env,
            features,
            json,
        } => {
            let token = secrets_input::read_secret("Wrike permanent token", token_env.as_deref())?;
            let added =
                connections::add(&hub, &cli_actor(), &name, &data_center, token, features).await?;
            if json {
                return print_json(&wire::connections::Added::from(&added));
            }
            let c = &added.connection;
            println!(
                "added {} : account {} ({}), runs as {} <{}>{}",
                c.name,
                c.identity.account_name,
                c.identity.account_id,
                c.identity.user_name,
                c.identity.user_email,
                if c.identity.admin { ", admin" } else { "" }
            );
            println!("health: {}", health::describe(c.health.as_ref()));
            for warning in &added.warnings {
                println!("warning: {warning}");
            }
            for missing in &added.missing {
                println!("missing: {}", serde_json::to_string(missing)?);
            }
        }
        ConnectionsCommand::List { json } => {
            let all = connections::list(&hub).await?;
            if json {
                return print_page(wire::connections::listing(&all));
            }
            if all.is_empty() {
                println!(
                    "no connections yet: weft connections add --name NAME --data-center us < token.txt"
                );
            }
            for c in &all {
                println!(
                    "{:<20} {:<10} {:<24} {:<36} {}",
                    c.name,
                    c.identity.account_id,
                    c.identity.account_name,
                    c.identity.user_email,
                    health::describe(c.health.as_ref())
                );
            }
        }
        ConnectionsCommand::Check { name, json } => {
            let targets = match name {
                Some(name) => vec![connections::find(&hub, &name).await?],
                None => weft_hub::connections::list(&hub).await?,
            };
            let mut results = Vec::new();
            for c in &targets {
                let health = health::probe(&hub, c).await?;
                if !json {
                    println!("{:<20} {}", c.name, health::describe(Some(&health)));
                }
                results.push((c.name.clone(), health));
            }
            if json {
                let shown: Vec<_> = results
                    .iter()
                    .map(|(name, health)| wire::connections::Checked {
                        name: name.clone(),
                        health: health.into(),
                    })
                    .collect();
                print_page(shown)?;
            }
            if results.iter().any(|(_, health)| !health.is_healthy()) {
                std::process::exit(2);
            }
        }
        ConnectionsCommand::Remove { name } => {
            let connection = connections::find(&hub, &name).await?;
            let removed = connections::remove(&hub, &cli_actor(), connection).await?;
            println!("removed {}", removed.name);
        }
        ConnectionsCommand::SetToken { name, token_env } => {
            let connection = connections::find(&hub, &name).await?;
            let token = secrets_input::read_secret("Wrike permanent token", token_env.as_deref())?;
            let connection =
                connections::replace_token(&hub, &cli_actor(), &connection, token).await?;
            // The probe finds it healthy, and recipes paused on it go on.
            let health = health::probe(&hub, &connection).await?;
            println!(
                "{} has a new token; it is {}",
                connection.name,
                health.state.as_str()
            );
        }
        ConnectionsCommand::Plan { .. } => unreachable!("handled above"),
    }
    Ok(())
}

async fn sim(args: SimArgs) -> anyhow::Result<()> {
    let tls = args.tls_cert.zip(args.tls_key);
    let running = wrike_sim::start(
        args.world.config(),
        Listen {
            primary: args.listen,
            secondary: args.listen_eu,
            tls,
        },
    )
    .await?;
    print_sim(&running);
    println!("Press Ctrl-C to stop.");
    wait_for_shutdown().await;
    Ok(())
}

/// The whole hub on one machine: the simulator, an embedded database in `weft-demo-data/`
/// (recreated on every run), an admin with a fresh password, an OAuth app registered with the
/// simulator, a first connection, and the web UI.
async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    eprintln!(
        "generating a simulated Wrike: an Enterprise account of {} people and a Business account, {} months of activity...",
        args.users, args.months
    );
    let running = wrike_sim::start(
        SimConfig {
            seed: args.seed,
            users: args.users,
            months: args.months,
            rate_limit_per_minute: args.rate_limit,
            ..SimConfig::default()
        },
        Listen {
            primary: args.listen,
            secondary: "127.0.0.1:0".parse()?,
            tls: None,
        },
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(args.hub_listen)
        .await
        .with_context(|| format!("binding the hub to {}", args.hub_listen))?;
    let public_url = format!("http://{}", listener.local_addr()?);

    let data_dir = PathBuf::from("weft-demo-data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)
            .with_context(|| format!("clearing {}", data_dir.display()))?;
    }
    // The demo's OAuth app, registered with the simulator for this hub's callback.
    let (client_id, client_secret) = {
        let mut world = running.sim.write();
        let app = world
            .apps
            .first_mut()
            .context("the simulator's demo OAuth app")?;
        app.redirect_uris = vec![format!("{public_url}/connections/oauth/callback")];
        (app.client_id.clone(), app.client_secret.clone())
    };
    let settings = Settings {
        database_url: format!("sqlite://{}/weft.db", data_dir.display()),
        data_dir: data_dir.clone(),
        public_url: public_url.clone(),
        oauth_client_id: Some(client_id),
        oauth_client_secret: Some(client_secret),
        oauth_login_base: running.base_url(),
        probe_interval_seconds: 60,
        // The simulator runs on loopback.
        allow_any_wrike_host: true,
        // The example that posts a completed project does it to an endpoint on loopback.
        recipe_http_allow: vec!["127.0.0.1".into()],
        wrike_requests_per_minute: args.rate_limit.max(1) as u64,
        ..Settings::default()
    };
    let hub = hub::services(&settings).await?;
    let password = weft_core::secrets::random_token()[..20].to_owned();
    access::add_user(
        &hub,
        "demo",
        "admin",
        Role::Admin,
        secrecy::SecretString::from(password.clone()),
    )
    .await?;

    // Two connections: the Enterprise account through its dedicated integration user (an
    // admin with the activity-report right), the Business account through its owner.
    let people = |index: usize| -> anyhow::Result<(String, String)> {
        let world = running.sim.read();
        let account = world.accounts.get(index).context("a generated account")?;
        let user = account
            .integration_user()
            .unwrap_or_else(|| account.owner())
            .id()
            .to_owned();
        Ok((account.id().to_owned(), user))
    };
    let mut added = Vec::new();
    for (index, name) in [(0, "acme-analytics"), (1, "nordlicht")] {
        let (account, user) = people(index)?;
        let token = {
            let mut world = running.sim.write();
            let scopes = vec![
                wrike_api::Scope::Default,
                wrike_api::Scope::amReadOnlyAuditLog,
                wrike_api::Scope::amReadWriteUser,
            ];
            running
                .sim
                .issue_tokens(&mut world, &account, &user, scopes, None)
                .0
        };
        let connection = connections::add(
            &hub,
            "demo",
            name,
            &running.api_url(index),
            secrecy::SecretString::from(token),
            vec![Feature::UsageAnalytics, Feature::Reclaim],
        )
        .await?
        .connection;
        added.push(connection);
    }
    // The first sync backfills six months; it runs here, with its progress, before the
    // hub opens, so the first page shows real numbers.
    for connection in &added {
        usage_cli::sync_now(&hub, connection).await?;
    }
    // What the seats cost (once the sync knows the user types), so the dashboard and the
    // renewal plans price them.
    for (index, connection) in added.iter().enumerate() {
        let light = running.sim.read().accounts[index]
            .user_types
            .get(2)
            .map(|t| t.id.clone());
        let renewal = weft_hub::usage::reports::RenewalInput {
            seat_cost: if index == 0 {
                "300".into()
            } else {
                "240".into()
            },
            currency: if index == 0 {
                "USD".into()
            } else {
                "EUR".into()
            },
            type_costs: light.into_iter().map(|t| (t, "120".to_owned())).collect(),
            renewal_date: (chrono::Utc::now() + chrono::Duration::days(75))
                .date_naive()
                .to_string(),
            headroom_pct: String::new(),
            type_seats: Default::default(),
        };
        weft_hub::usage::reports::set_renewal(&hub, "demo", connection, &renewal).await?;
    }

    // The example recipes, applied; the one that comments on status changes runs once the
    // hub answers (Wrike's secret handshake needs the hub up).
    let examples = crate::recipes_cli::examples();
    weft_hub::recipes::library::apply(&hub, &weft_hub::Actor::local("demo"), &examples, false)
        .await?;
    // So that /runs has a run to show from the start: once the recipe runs, someone
    // completes a task in the simulated Wrike, as a person would in its UI.
    let first_change = {
        let world = running.sim.read();
        let account = &world.accounts[0];
        account
            .tasks
            .iter()
            .find(|t| t.status == wrike_api::models::TaskStatus::Active)
            .map(|t| {
                (
                    format!(
                        "{}/_sim/accounts/{}/task_changes",
                        running.base_url(),
                        account.id()
                    ),
                    t.id.clone(),
                )
            })
    };
    {
        let (hub, address) = (hub.clone(), listener.local_addr()?);
        tokio::spawn(async move {
            for _ in 0..100 {
                if tokio::net::TcpStream::connect(address).await.is_ok() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            if let Err(e) = weft_hub::recipes::library::start(
                &hub,
                &weft_hub::Actor::local("demo"),
                "comment-on-status-change",
            )
            .await
            {
                eprintln!("the demo recipe did not start: {e}");
                return;
            }
            if let Some((url, task)) = first_change {
                let change = serde_json::json!({"action": "update", "taskId": task, "params": {"status": "Completed"}});
                let sent = reqwest::Client::new().post(url).json(&change).send().await;
                if let Err(e) = sent.and_then(reqwest::Response::error_for_status) {
                    eprintln!("the demo's first task change failed: {e}");
                }
            }
        });
    }

    print_sim(&running);
    println!("\nweft hub: {public_url}");
    println!("  sign in as admin with the password {password}");
    println!(
        "  connected: the simulated Enterprise account (acme-analytics) and the Business account (nordlicht), synced; they sync again every hour"
    );
    println!(
        "  recipes: the {} examples of examples/recipes, comment-on-status-change running (a task was just completed in the simulator: its run is in /runs; change another's status and watch)",
        examples.len()
    );
    println!(
        "  data in {}/ (recreated on every demo run)",
        data_dir.display()
    );
    println!("Press Ctrl-C to stop.");
    run_until_stopped(hub, &settings, Some(listener)).await
}

/// `weft serve`: the hub for real, from settings.
async fn serve(settings: Settings) -> anyhow::Result<()> {
    let hub = hub::services(&settings).await?;
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("binding the hub to {}", settings.listen))?;
    tracing::info!(listen = %listener.local_addr()?, store = hub.store.backend().as_str(), oauth = hub.oauth.is_some(), "weft serving");
    run_until_stopped(hub, &settings, Some(listener)).await
}

/// `weft worker`: background work only.
async fn worker(settings: Settings) -> anyhow::Result<()> {
    let hub = hub::services(&settings).await?;
    tracing::info!(store = hub.store.backend().as_str(), "weft worker running");
    run_until_stopped(hub, &settings, None).await
}

/// Runs the runtime, and the server when given a listener, until Ctrl-C or SIGTERM; then
/// stops the server first (finishing requests in flight) and the runtime after it.
async fn run_until_stopped(
    hub: weft_hub::Hub,
    settings: &Settings,
    listener: Option<tokio::net::TcpListener>,
) -> anyhow::Result<()> {
    let runtime = weft_hub::background::start(
        hub.clone(),
        settings.runtime(hub::worker_id()),
        weft_hub::runtime::Registry::new(),
    )
    .await?;
    let stopping = runtime.stopping();
    let signal = tokio::spawn(async move {
        hub::shutdown_signal().await;
        stopping.cancel();
    });
    let served = match listener {
        Some(listener) => {
            let state = weft_server::AppState {
                hub,
                config: std::sync::Arc::new(settings.server()),
                metrics: weft_server::metrics_handle(),
            };
            if let Some(address) = &settings.metrics_listen {
                let metrics = tokio::net::TcpListener::bind(address)
                    .await
                    .with_context(|| format!("binding metrics_listen {address}"))?;
                let (state, stop) = (state.clone(), runtime.stopping());
                tokio::spawn(weft_server::serve_metrics(state, metrics, async move {
                    stop.cancelled().await
                }));
            }
            let stop = runtime.stopping();
            weft_server::serve(state, listener, async move { stop.cancelled().await })
                .await
                .context("serving HTTP")
        }
        None => {
            runtime.stopping().cancelled().await;
            Ok(())
        }
    };
    signal.abort();
    runtime.shutdown().await;
    served
}

async fn jobs_command(settings: Settings, command: JobsCommand) -> anyhow::Result<()> {
    let hub = hub::services_without_key(&settings).await?;
    match command {
        JobsCommand::List {
            kind,
            status,
            since,
            until,
            limit,
            routine,
            json,
        } => {
            let hide_kinds = if routine || kind.is_some() {
                Vec::new()
            } else {
                jobs::kinds::ROUTINE
                    .iter()
                    .map(|k| (*k).to_owned())
                    .collect()
            };
            let filter = JobFilter {
                kind,
                status,
                since_ms: since.map(|t| t.timestamp_millis()),
                until_ms: until.map(|t| t.timestamp_millis()),
                before_id: None,
                hide_kinds,
                limit,
            };
            let found = jobs::list(&hub, &filter).await?;
            if json {
                return print_page(found.iter().map(wire::jobs::Job::from).collect());
            }
            if found.is_empty() {
                println!("no jobs match");
            }
            for job in &found {
                println!(
                    "{:>8} {:<16} {:<10} {:>2}/{:<2} {:<20} {}",
                    job.id,
                    job.kind,
                    job.status.as_str(),
                    job.attempts,
                    job.retry.max_attempts,
                    millis(job.created_ms),
                    job.last_error.as_deref().unwrap_or("")
                );
            }
        }
        JobsCommand::Show { id, json } => {
            let job = jobs::get(&hub, id).await?;
            if json {
                return print_json(&wire::jobs::Job::from(&job));
            }
            println!("job {} ({})", job.id, job.kind);
            println!("  status    {}", job.status.as_str());
            println!("  attempts  {} of {}", job.attempts, job.retry.max_attempts);
            println!("  from      {}", job.origin);
            println!("  created   {}", millis(job.created_ms));
            println!("  due       {}", millis(job.run_at_ms));
            if let Some(finished) = job.finished_ms {
                println!("  finished  {}", millis(finished));
            }
            if let Some(worker) = &job.lease_owner {
                println!("  worker    {worker}");
            }
            if let Some(error) = &job.last_error {
                println!("  error     {error}");
            }
            println!("  payload   {}", job.payload);
            if let Some(result) = &job.result {
                println!("  result    {result}");
            }
        }
        JobsCommand::Retry { id } => {
            let job = jobs::retry(&hub, &cli_actor(), id).await?;
            println!("job {} ({}) is queued again", job.id, job.kind);
        }
        JobsCommand::Cancel { id } => {
            let job = jobs::cancel(&hub, &cli_actor(), id).await?;
            println!("job {} ({}) is cancelled", job.id, job.kind);
        }
        JobsCommand::Ping { sleep_ms } => {
            let enqueued = jobs::enqueue(
                &hub,
                &cli_actor(),
                jobs::Request::new(jobs::kinds::NOOP, serde_json::json!({"sleepMs": sleep_ms}))
                    .retry(weft_store::RetryPolicy::ONCE),
            )
            .await?;
            println!(
                "enqueued job {}: weft jobs show {} tells which worker ran it",
                enqueued.id(),
                enqueued.id()
            );
        }
    }
    Ok(())
}

/// Unix milliseconds as a UTC time for people.
fn millis(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

fn print_sim(running: &RunningSim) {
    let world = running.sim.read();
    println!("weft sim is serving a simulated Wrike API v4.");
    for dc in running.data_centers() {
        println!("  data center {:<3} {}", dc.name, dc.api_url());
    }
    println!(
        "  OAuth          {}/oauth2/authorize/v4 and {}/oauth2/token",
        running.base_url(),
        running.base_url()
    );
    println!(
        "  control API    {}/_sim/ (accounts, tokens, clock, faults, requests: see README)",
        running.base_url()
    );
    for app in &world.apps {
        println!(
            "  OAuth client   id {} (secret: GET {}/_sim/oauth_clients)",
            app.client_id,
            running.base_url()
        );
    }
    for account in &world.accounts {
        let dc = running.sim.data_center(account.data_center);
        println!(
            "  account {} {:<16} plan {:<10} {} users, {} audit events, {} tasks, data center {}",
            account.id(),
            account.account.name,
            account.plan.as_str(),
            account.users.len(),
            account.audit.len(),
            account.tasks.len(),
            dc.name
        );
    }
}

async fn wait_for_shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("shutting down");
}
