//! The clap command tree and what each command does.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use wrike_sim::{Listen, RunningSim, SimConfig};

/// weft: a self-hosted Wrike integration hub.
#[derive(Debug, Parser)]
#[command(name = "weft", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Wrike API v4 simulator (for tests, demos and sandboxes).
    Sim(SimArgs),
    /// Start a demo on this machine: the simulator with a generated account, and how to reach it.
    Demo(DemoArgs),
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
        }
    })
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
    wait_for_shutdown().await;
    Ok(())
}

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
    print_sim(&running);
    println!("\nTry it (a token for the account owner, then a call):");
    println!(
        "  TOKEN=$(curl -s -X POST {}/_sim/tokens -H 'content-type: application/json' -d '{{\"scopes\":[\"Default\",\"amReadOnlyAuditLog\",\"amReadOnlyUser\"]}}' | sed 's/.*\"accessToken\":\"\\([^\"]*\\)\".*/\\1/')",
        running.base_url()
    );
    println!(
        "  curl -s -H \"Authorization: Bearer $TOKEN\" '{}/audit_log?pageSize=5'",
        running.api_url(0)
    );
    println!(
        "\nThe hub (web UI, connections, analytics, recipes) is not built yet; this demo serves the simulator only."
    );
    wait_for_shutdown().await;
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
    println!("Press Ctrl-C to stop.");
}

async fn wait_for_shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("shutting down");
}
