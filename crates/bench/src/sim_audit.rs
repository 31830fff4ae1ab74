//! `sim-audit`: pages through the simulator's audit log over loopback HTTP with the real
//! client, 1,000 events a page. Baseline: encoding and decoding the same pages in-process,
//! i.e. the work no HTTP server could avoid.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use secrecy::SecretString;
use wrike_api::models::{AuditRecord, Envelope};
use wrike_api::requests::AuditLogQuery;
use wrike_api::{ApiBase, ClientConfig, PermanentToken, WrikeClient};
use wrike_sim::{Listen, SimConfig};

const PAGE: u32 = 1000;

pub async fn run() -> anyhow::Result<String> {
    let users: u32 = std::env::var("WEFT_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let rounds = 3;

    let started = Instant::now();
    let sim = wrike_sim::start(
        SimConfig {
            users,
            rate_limit_per_minute: 0,
            ..SimConfig::default()
        },
        Listen::loopback(),
    )
    .await?;
    let generation = started.elapsed();
    let events = sim.sim.read().accounts[0].audit.len();
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url()))
        .json(&serde_json::json!({"scopes": ["amReadOnlyAuditLog"]}))
        .send()
        .await?
        .json()
        .await?;
    let client = WrikeClient::new(
        ApiBase::from_url(&sim.api_url(0))?,
        Arc::new(PermanentToken::new(SecretString::from(
            token["accessToken"].as_str().unwrap_or_default().to_owned(),
        ))),
        ClientConfig {
            requests_per_minute: 0,
            ..ClientConfig::default()
        },
    );

    // Baseline: the same pages encoded and decoded in-process.
    let pages: Vec<Vec<AuditRecord>> = sim.sim.read().accounts[0]
        .audit
        .chunks(PAGE as usize)
        .map(<[AuditRecord]>::to_vec)
        .collect();
    let mut baseline = Duration::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut seen = 0;
        for page in &pages {
            let bytes = serde_json::to_vec(&Envelope::new("auditLog", page.clone()))?;
            let back: Envelope<AuditRecord> = serde_json::from_slice(&bytes)?;
            seen += back.data.len();
        }
        assert_eq!(seen, events);
        baseline = baseline.min(t.elapsed());
    }

    let mut over_http = Duration::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let fetched: Vec<Envelope<AuditRecord>> = client
            .audit_log_pages(&AuditLogQuery::default(), PAGE)?
            .try_collect()
            .await?;
        let seen: usize = fetched.iter().map(|p| p.data.len()).sum();
        assert_eq!(seen, events, "every event fetched");
        over_http = over_http.min(t.elapsed());
    }

    let rate = |d: Duration| events as f64 / d.as_secs_f64();
    let report = format!(
        "sim-audit: {events} events ({users} users, 6 months), pages of {PAGE}, best of {rounds}\n\
         \x20 generation of the world:         {:>8.0} ms\n\
         \x20 baseline (in-process encode+decode): {:>10.0} events/s\n\
         \x20 simulator over loopback HTTP:    {:>10.0} events/s (client decode included)\n\
         \x20 ratio HTTP / baseline:           {:>10.2}\n",
        generation.as_secs_f64() * 1000.0,
        rate(baseline),
        rate(over_http),
        rate(over_http) / rate(baseline),
    );
    Ok(report)
}
