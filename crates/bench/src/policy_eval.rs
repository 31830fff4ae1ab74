//! `policy-eval`: every license policy evaluated over 100,000 people and about 10 million
//! audit records, and the reclaim dialogue planned (its first round, which lets in every
//! flagged person, then a round with nothing new), on SQLite (and PostgreSQL with
//! `WEFT_BENCH_POSTGRES_URL`; `WEFT_BENCH_SKIP_SQLITE=1` measures only PostgreSQL). The data
//! is seeded as `usage-report` seeds it.
//!
//! Baseline, in the same run: reading every paid seat a policy judges from the store (the
//! evaluation's own input, without judging anyone). Target: each under one second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft_core::secrets::SecretKey;
use weft_hub::usage::{dialogue, policies, reports};
use weft_store::{Store, source};

use crate::usage_report::{CONNECTION, PEOPLE, seed};

/// Three policies of the kinds companies write: a quarter idle, per type with exemptions;
/// sign-ins only with a downgrade; and one the Admin decides silently (its dialogue is
/// planned).
const POLICIES: [(&str, &str); 3] = [
    (
        "quarter.yaml",
        "name: quarter
connection: acme
idle_days: 90
grace_days: 60
exempt:
  companies: [Partner]
  domains: [partner.example]
  titles: [CEO]
action: deactivate
user_types:
  - user_type: External User
    idle_days: 60
    action: {downgrade_to: Collaborator}
  - user_type: Light User
    never: true
",
    ),
    (
        "sign-ins.yaml",
        "name: sign-ins
connection: acme
idle_days: 30
signals: [login, integration]
action: {downgrade_to: Light User}
",
    ),
    (
        "silent.yaml",
        "name: silent
connection: acme
idle_days: 45
decide: silent
action: deactivate
",
    ),
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The fastest and slowest of `n` timed runs of `f`.
async fn timed<F, Fut, T>(n: usize, mut f: F) -> anyhow::Result<(Duration, Duration, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let (mut best, mut worst, mut last) = (Duration::MAX, Duration::ZERO, None);
    for _ in 0..n {
        let t = Instant::now();
        let value = f().await?;
        let took = t.elapsed();
        best = best.min(took);
        worst = worst.max(took);
        last = Some(value);
    }
    Ok((best, worst, last.expect("n > 0")))
}

async fn run_on(name: &str, store: Store) -> anyhow::Result<String> {
    let key = SecretKey::from_hex(&SecretKey::generate_hex())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let t = Instant::now();
    let (_token, records) = seed(&store, &key, now).await?;
    let seeded = t.elapsed();
    // The seed writes people and activity; a policy also needs them marked as synced (it
    // refuses an account whose user types and groups it has never seen).
    for source in [source::ACCOUNT, source::USER_TYPES, source::USERS] {
        store
            .usage()
            .finish_source(CONNECTION, source, "ok", None, 0, now)
            .await?;
    }
    let hub = weft_hub::Hub::new(Arc::new(store), key);
    let connection = weft_hub::connections::find(&hub, "acme").await?;
    reports::set_renewal(
        &hub,
        "bench",
        &connection,
        &reports::RenewalInput {
            seat_cost: "300".into(),
            currency: "USD".into(),
            ..Default::default()
        },
    )
    .await?;
    for (file, text) in POLICIES {
        let checked = policies::check(&hub, file, text)
            .await?
            .map_err(|problems| anyhow::anyhow!("{file}: {problems}"))?;
        policies::apply(&hub, "bench", &checked).await?;
    }
    let mut out = format!(
        "  {name}: {PEOPLE} people, {records} audit records (written in {:.0}s)\n",
        seeded.as_secs_f64()
    );
    let (base_best, base_worst, seats) = timed(5, || async {
        Ok(hub.store.usage().paid_seats(CONNECTION).await?.len())
    })
    .await?;
    out += &format!(
        "    baseline: read the {seats} paid seats            best {:>7.1} ms  worst {:>7.1} ms\n",
        ms(base_best),
        ms(base_worst)
    );
    for (_, text) in POLICIES {
        let policy = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("name: "))
            .unwrap_or("?");
        let (best, worst, flagged) = timed(5, || async {
            Ok(policies::evaluate(&hub, policy, false).await?.tally.flagged)
        })
        .await?;
        out += &format!(
            "    evaluate {policy:<12} ({flagged:>5} flagged)     best {:>7.1} ms  worst {:>7.1} ms ({:.1}x the baseline; target under 1000 ms)\n",
            ms(best),
            ms(worst),
            best.as_secs_f64() / base_best.as_secs_f64()
        );
    }
    // Every policy at once, as the policies page and the digest ask: the seats read once.
    let (best, worst, judged) = timed(5, || async {
        let every = policies::evaluate_every(&hub).await?;
        Ok(every.iter().filter(|(_, e)| e.is_ok()).count())
    })
    .await?;
    out += &format!(
        "    every policy at once ({judged} judged)            best {:>7.1} ms  worst {:>7.1} ms ({:.1}x the baseline; target under 1000 ms)\n",
        ms(best),
        ms(worst),
        best.as_secs_f64() / base_best.as_secs_f64()
    );
    // The dialogue of the silent policy: started (which only queues a round: no runtime
    // runs here), then planned by its rounds, measured.
    dialogue::start(&hub, "bench", "silent").await?;
    let t = Instant::now();
    let first = dialogue::round(&hub, "silent").await?;
    let first_took = t.elapsed();
    out += &format!(
        "    plan the dialogue, first round ({:>5} let in)           {:>7.1} ms ({:.1}x the baseline; target under 1000 ms)\n",
        first.joined,
        ms(first_took),
        first_took.as_secs_f64() / base_best.as_secs_f64()
    );
    let (best, worst, again) =
        timed(3, || async { Ok(dialogue::round(&hub, "silent").await?) }).await?;
    out += &format!(
        "    plan the dialogue, next round ({:>5} let in)  best {:>7.1} ms  worst {:>7.1} ms ({:.1}x the baseline)\n",
        again.joined,
        ms(best),
        ms(worst),
        best.as_secs_f64() / base_best.as_secs_f64()
    );
    Ok(out)
}

pub async fn run() -> anyhow::Result<String> {
    let mut out = String::from(
        "policy-eval: every license policy over 100,000 people, and the dialogue planned\n",
    );
    let dir = std::env::temp_dir().join(format!("weft-bench-policies-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    // WEFT_BENCH_SKIP_SQLITE=1 measures PostgreSQL only (half the run's time).
    if std::env::var("WEFT_BENCH_SKIP_SQLITE").as_deref() != Ok("1") {
        let store = Store::open(&format!("sqlite://{}/hub.db", dir.display())).await?;
        out += &run_on("SQLite", store).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(pg) = std::env::var("WEFT_BENCH_POSTGRES_URL") {
        let url = weft_store::testing::postgres_schema_url(&pg, "bench_policies").await?;
        out += &run_on("PostgreSQL", Store::open(&url).await?).await?;
        // Ten million rows are not left behind in the test database.
        let schema = format!("weft_test_{}_bench_policies", std::process::id());
        let admin = sqlx::PgPool::connect(&pg).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await?;
    }
    Ok(out)
}
