//! The clap command tree and what each command does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use weft_core::roles::Role;
use weft_core::scope_plan::{self, Feature};
use wrike_sim::{Listen, RunningSim, SimConfig};

use crate::config::Settings;
use weft_hub::{connections, users};

use crate::{hub, secrets_input};

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
    /// Run the hub: web UI, JSON API, health monitoring (settings from weft.toml / WEFT_*).
    Serve,
    /// The hub's team: local users with roles.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Wrike connections: add, list, check, remove, and the scopes they need.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
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
        #[arg(long)]
        password_env: Option<String>,
    },
    /// List the users.
    List {
        #[arg(long)]
        json: bool,
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
        /// What the connection is for: usage_analytics, reclaim, invitations, read_work, write_work, webhooks.
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
    #[command(flatten)]
    world: WorldArgs,
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WEFT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
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
            Command::Users(command) => {
                users_command(settings(&cli.config, cli.database_url)?, command).await
            }
            Command::Connections(command) => {
                connections_command(settings(&cli.config, cli.database_url)?, command).await
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

/// Who runs this command, for the audit trail.
fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

async fn users_command(settings: Settings, command: UsersCommand) -> anyhow::Result<()> {
    let store = hub::open_store(&settings).await?;
    match command {
        UsersCommand::Add {
            username,
            role,
            password_env,
        } => {
            let password = secrets_input::read_secret("password", password_env.as_deref())?;
            let user = users::add(store.as_ref(), &cli_actor(), &username, role, password).await?;
            println!("added {} ({})", user.username, user.role.as_str());
        }
        UsersCommand::List { json } => {
            let all = store.list_users().await?;
            if json {
                return print_json(&all);
            }
            for user in all {
                println!("{:<24} {}", user.username, user.role.as_str());
            }
        }
    }
    Ok(())
}

async fn connections_command(
    settings: Settings,
    command: ConnectionsCommand,
) -> anyhow::Result<()> {
    if let ConnectionsCommand::Plan { features, json } = &command {
        let plan = scope_plan::plan(features);
        if *json {
            return print_json(&plan);
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
    let store: std::sync::Arc<dyn weft_store::Store> = hub::open_store(&settings).await?.into();
    // The key is loaded only by the commands that seal or open tokens.
    let services = |key| weft_hub::Hub {
        store: store.clone(),
        key,
        oauth: None,
        alerter: weft_hub::alerts::Alerter::new(None),
    };
    let store = store.as_ref();
    match command {
        ConnectionsCommand::Add {
            name,
            data_center,
            token_env,
            features,
            json,
        } => {
            let token = secrets_input::read_secret("Wrike permanent token", token_env.as_deref())?;
            let services = services(hub::secret_key(&settings)?);
            let added = connections::add(
                &services,
                &cli_actor(),
                &name,
                &data_center,
                token,
                features,
            )
            .await?;
            if json {
                return print_json(&added);
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
            println!("health: {}", connections::describe(c.health.as_ref()));
            for warning in &added.warnings {
                println!("warning: {warning}");
            }
            for missing in &added.missing {
                println!("missing: {}", serde_json::to_string(missing)?);
            }
        }
        ConnectionsCommand::List { json } => {
            let all = store.list_connections().await?;
            if json {
                let with_hygiene: Vec<_> = all.iter().map(|c| serde_json::json!({"connection": c, "warnings": connections::hygiene(c, &all)})).collect();
                return print_json(&with_hygiene);
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
                    connections::describe(c.health.as_ref())
                );
            }
        }
        ConnectionsCommand::Check { name, json } => {
            let services = services(hub::secret_key(&settings)?);
            let targets = match name {
                Some(name) => vec![connections::find(store, &name).await?],
                None => store.list_connections().await?,
            };
            let mut results = Vec::new();
            for c in &targets {
                let health = weft_hub::monitor::probe(&services, c).await?;
                results.push(serde_json::json!({"name": c.name, "health": health}));
                if !json {
                    println!("{:<20} {}", c.name, connections::describe(Some(&health)));
                }
            }
            if json {
                print_json(&results)?;
            }
            if results.iter().any(|r| r["health"]["healthy"] == false) {
                std::process::exit(2);
            }
        }
        ConnectionsCommand::Remove { name } => {
            let removed = connections::remove(store, &cli_actor(), &name).await?;
            println!("removed {}", removed.name);
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
    let running = wrike_sim::start(
        args.world.config(),
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
        ..Settings::default()
    };
    let services = hub::services(&settings).await?;
    let password = weft_core::secrets::random_token()[..20].to_owned();
    users::add(
        services.store.as_ref(),
        "demo",
        "admin",
        Role::Admin,
        secrecy::SecretString::from(password.clone()),
    )
    .await?;

    // A first connection: the account's dedicated integration user, for usage analytics.
    let integration = {
        let world = running.sim.read();
        world.accounts[0]
            .integration_user()
            .map(|u| u.id().to_owned())
            .context("the generated integration user")?
    };
    let token = {
        let mut world = running.sim.write();
        let account = world.accounts[0].id().to_owned();
        let scopes = vec![
            wrike_api::Scope::Default,
            wrike_api::Scope::amReadOnlyAuditLog,
            wrike_api::Scope::amReadWriteUser,
        ];
        running
            .sim
            .issue_tokens(&mut world, &account, &integration, scopes, None)
            .0
    };
    connections::add(
        &services,
        "demo",
        "acme-analytics",
        &running.api_url(0),
        secrecy::SecretString::from(token),
        vec![Feature::UsageAnalytics, Feature::Reclaim],
    )
    .await?;

    print_sim(&running);
    println!("\nweft hub: {public_url}");
    println!("  sign in as admin with the password {password}");
    println!(
        "  a connection to the simulated Acme Robotics account is ready; connect the EU account with OAuth from the Connections page"
    );
    println!(
        "  data in {}/ (recreated on every demo run)",
        data_dir.display()
    );
    println!("Press Ctrl-C to stop.");
    let state = weft_server::AppState {
        hub: services,
        config: std::sync::Arc::new(weft_server::ServerConfig {
            probe_interval: Duration::from_secs(settings.probe_interval_seconds),
            ..weft_server::ServerConfig::default()
        }),
        metrics: weft_server::metrics_handle(),
    };
    weft_server::serve(state, listener, hub::shutdown_signal()).await?;
    Ok(())
}

/// `weft serve`: the hub for real, from settings.
async fn serve(settings: Settings) -> anyhow::Result<()> {
    let services = hub::services(&settings).await?;
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("binding the hub to {}", settings.listen))?;
    anyhow::ensure!(
        settings.probe_interval_seconds >= 1,
        "probe_interval_seconds must be at least 1"
    );
    let config = weft_server::ServerConfig {
        secure_cookies: settings.secure_cookies,
        probe_interval: Duration::from_secs(settings.probe_interval_seconds),
        ..weft_server::ServerConfig::default()
    };
    tracing::info!(listen = %listener.local_addr()?, store = services.store.backend(), oauth = services.oauth.is_some(), "weft serving");
    let state = weft_server::AppState {
        hub: services,
        config: std::sync::Arc::new(config),
        metrics: weft_server::metrics_handle(),
    };
    weft_server::serve(state, listener, hub::shutdown_signal()).await?;
    Ok(())
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
