//! `usage-report`: the reports the usage pages issue (inactive seats, people, the summary,
//! the weekly trend, seats by type, the renewal plan) over 100,000 people and about 10 million audit
//! records, through the JSON API of a hub served on loopback, on SQLite (and PostgreSQL
//! with `WEFT_BENCH_POSTGRES_URL`). The data is written straight into the store (people
//! through the store's own calls, audit records by one generating statement, activity
//! derived by the same statement a sync uses), so the run takes minutes, not hours.
//!
//! `WEFT_BENCH_KEEP=1` keeps the SQLite folder and PostgreSQL schema; `WEFT_BENCH_SQLITE_DIR`
//! names a SQLite folder to seed, or to measure again without seeding when it holds one;
//! `WEFT_BENCH_CALLS` sets the calls per request (300).
//!
//! Baseline, in the same run: `GET /healthz` (no authentication, no database) from the same
//! client. Target: the report under 50 ms at p99.

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft_core::roles::Role;
use weft_core::secrets::SecretKey;
use weft_store::{
    ApiToken, Checkpoint, ConnectionKind, NewConnection, NewUser, PersonRow, SealedTokens, Store,
    UserTypeRow, WrikeIdentity, source,
};

pub(crate) const PEOPLE: i64 = 100_000;
/// Generated records per person before the idle ones stop; about 10 million kept.
const PER_PERSON: i64 = 118;
pub(crate) const CONNECTION: &str = "conn_bench";

pub(crate) async fn seed(
    store: &Store,
    key: &SecretKey,
    now: i64,
) -> anyhow::Result<(String, i64)> {
    store
        .access()
        .create_user(NewUser {
            id: "u1".into(),
            username: "analyst".into(),
            password_hash: "-".into(),
            role: Role::Analyst,
            created_at: 1,
            sign_in: weft_store::SignInMethod::Password,
        })
        .await?;
    let token = format!("wft_{}", weft_core::secrets::random_token());
    store
        .access()
        .create_api_token(ApiToken {
            id: "t1".into(),
            user_id: "u1".into(),
            name: "bench".into(),
            token_hash: weft_hub::access::hash_secret(&token),
            created_at: 1,
            expires_at: None,
            last_used_at: None,
        })
        .await?;
    store
        .connections()
        .create(NewConnection {
            tokens: SealedTokens {
                access_token: key.seal(CONNECTION, b"token"),
                refresh_token: None,
                expires_at: None,
            },
            id: CONNECTION.into(),
            name: "acme".into(),
            kind: ConnectionKind::Permanent,
            api_base: "https://www.wrike.com/api/v4/".into(),
            identity: WrikeIdentity {
                account_id: "IEAAAAAQ".into(),
                account_name: "Acme".into(),
                user_id: "KU0".into(),
                user_name: "Integration".into(),
                user_email: "integration@acme.example".into(),
                admin: true,
            },
            scopes: vec![],
            features: vec!["usage_analytics".into()],
            created_at: 1,
            created_by: "bench".into(),
        })
        .await?;
    let types = [
        "Regular User",
        "External User",
        "Light User",
        "Collaborator",
    ];
    store
        .usage()
        .save_user_types(
            CONNECTION,
            &types
                .iter()
                .enumerate()
                .map(|(i, t)| UserTypeRow {
                    id: format!("UT{i}"),
                    title: (*t).into(),
                    description: None,
                    license_type: Some(t.split(' ').next().unwrap_or("").into()),
                    raw: "{}".into(),
                })
                .collect::<Vec<_>>(),
        )
        .await?;
    let people: Vec<PersonRow> = (0..PEOPLE)
        .map(|u| PersonRow {
            id: format!("KU{u}"),
            kind: "Person".into(),
            first_name: format!("Person{u}"),
            last_name: "Bench".into(),
            email: Some(format!("user{u}@acme.example")),
            company_name: Some(if u % 8 == 0 { "Partner" } else { "Acme" }.into()),
            title: Some("Engineer".into()),
            role: Some(if u % 9 == 0 { "Collaborator" } else { "User" }.into()),
            user_type_id: Some(format!("UT{}", if u % 9 == 0 { 3 } else { u % 3 })),
            external: u % 8 == 0,
            admin: u % 50 == 0,
            owner: u == 0,
            active: u % 23 != 0,
            deleted: u % 97 == 0,
            timezone: Some("Europe/Berlin".into()),
            locale: Some("en".into()),
            raw: "{}".into(),
        })
        .collect();
    store.usage().save_people(CONNECTION, &people, now).await?;
    // The audit log: each person's records spread over six months; three in ten people
    // stop at some point (the idle ones).
    let span = 180 * 86_400;
    let start = now - span;
    let step = span / PER_PERSON;
    let total = PEOPLE * PER_PERSON;
    let rows = match store.backend() {
        weft_store::Backend::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
            total - 1
        ),
        weft_store::Backend::Postgres => String::new(),
    };
    let from = match store.backend() {
        weft_store::Backend::Sqlite => "FROM n".to_owned(),
        weft_store::Backend::Postgres => format!("FROM generate_series(0, {}) AS g(i)", total - 1),
    };
    let sql = format!(
        "{rows}INSERT INTO wrike_audit_records (connection_id, event_at, id, operation, user_id, user_email, ip_address, object_type, object_name, object_id, details) \
         SELECT '{CONNECTION}', {start} + (i / {PEOPLE}) * {step} + (i % 3600), 'AL' || i, \
           CASE WHEN i % 3 = 0 THEN 'UserLoggedIn' ELSE 'TaskStatusChanged' END, 'KU' || (i % {PEOPLE}), \
           'user' || (i % {PEOPLE}) || '@acme.example', '203.0.113.7', 'User', 'user' || (i % {PEOPLE}) || '@acme.example', \
           'KU' || (i % {PEOPLE}), '{{\"Login Type\":\"Password\",\"User Agent\":\"Mozilla/5.0\"}}' \
         {from} WHERE NOT ((i % {PEOPLE}) % 10 < 3 AND (i / {PEOPLE}) > ((i % {PEOPLE}) % 97))"
    );
    store.execute_unchecked(&sql).await?;
    // Activity, derived as a sync derives it at the end of a window.
    anyhow::ensure!(
        store
            .usage()
            .claim_sync(CONNECTION, "bench", now, now + 86_400)
            .await?
    );
    store
        .usage()
        .save_page(
            CONNECTION,
            "bench",
            source::AUDIT_LOG,
            &[],
            &weft_store::ActivitySummary::default(),
            Some((start, now)),
            &Checkpoint {
                synced_through: Some(now),
                ..Checkpoint::default()
            },
            0,
            now,
        )
        .await?;
    store
        .usage()
        .release_sync(CONNECTION, "bench", "ok", None, now)
        .await?;
    for name in [
        source::AUDIT_LOG,
        source::TASKS,
        source::COMMENTS,
        source::TIMELOGS,
    ] {
        store
            .usage()
            .finish_source(CONNECTION, name, "ok", None, 0, now)
            .await?;
    }
    finish_as_a_sync_does(store, now).await?;
    let records = store.usage().audit_count(CONNECTION).await?;
    Ok((token, records))
}

/// What a sync does when it ends: refreshes the planner's statistics, recounts active
/// people per period. Prints how long the recount took (a sync's own cost).
async fn finish_as_a_sync_does(store: &Store, now: i64) -> anyhow::Result<()> {
    store.usage().refresh_statistics().await?;
    let t = Instant::now();
    store
        .usage()
        .refresh_period_counts(CONNECTION, now.div_euclid(86_400))
        .await?;
    eprintln!(
        "recounting active people per period: {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A database seeded by an earlier run (`WEFT_BENCH_KEEP=1`), given again with
/// `WEFT_BENCH_SQLITE_DIR`: a new API token, and what a sync does when it ends.
async fn reuse(store: &Store, now: i64) -> anyhow::Result<(String, i64)> {
    let token = format!("wft_{}", weft_core::secrets::random_token());
    store
        .access()
        .create_api_token(ApiToken {
            id: format!("t{now}"),
            user_id: "u1".into(),
            name: format!("bench {now}"),
            token_hash: weft_hub::access::hash_secret(&token),
            created_at: now,
            expires_at: None,
            last_used_at: None,
        })
        .await?;
    finish_as_a_sync_does(store, now).await?;
    let records = store.usage().audit_count(CONNECTION).await?;
    Ok((token, records))
}

struct Latency {
    p50: Duration,
    p99: Duration,
}

async fn measure(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    n: usize,
) -> anyhow::Result<Latency> {
    let mut all = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let started = Instant::now();
        let mut request = http.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.bytes().await?;
        // The first calls warm caches and connections; they are not counted.
        if i >= 20 {
            all.push(started.elapsed());
        }
    }
    all.sort();
    let pick = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok(Latency {
        p50: pick(0.5),
        p99: pick(0.99),
    })
}

async fn run_on(name: &str, store: Store, seeded_before: bool) -> anyhow::Result<String> {
    let key = SecretKey::from_hex(&SecretKey::generate_hex())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let t = Instant::now();
    let (token, records) = if seeded_before {
        reuse(&store, now).await?
    } else {
        seed(&store, &key, now).await?
    };
    let seeded = t.elapsed();
    let hub = weft_hub::Hub::new(Arc::new(store), key);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = weft_server::AppState {
        hub,
        config: Arc::new(weft_server::ServerConfig::default()),
        metrics: None,
    };
    let server = tokio::spawn(weft_server::serve(state, listener, std::future::pending()));
    let http = reqwest::Client::new();
    let n = std::env::var("WEFT_BENCH_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let baseline = measure(&http, &format!("{base}/healthz"), None, n).await?;
    let written = if seeded_before {
        "seeded by an earlier run".to_owned()
    } else {
        format!("written in {:.0}s", seeded.as_secs_f64())
    };
    let mut out = format!(
        "  {name}: {PEOPLE} people, {records} audit records ({written}); {n} sequential calls each\n"
    );
    out += &format!(
        "    baseline GET /healthz                                p50 {:>6.2} ms  p99 {:>6.2} ms\n",
        baseline.p50.as_secs_f64() * 1e3,
        baseline.p99.as_secs_f64() * 1e3
    );
    for path in [
        "/api/v1/usage/inactive?idle=90",
        "/api/v1/usage/users?idle=90&paid=true&active=true&limit=50",
        "/api/v1/usage/users?signals=logins&idle=30&company=Partner&sort=name&limit=50&offset=500",
        "/api/v1/usage/summary?idle=90",
        "/api/v1/usage/trend?period=week&count=26",
        "/api/v1/usage/seats",
        "/api/v1/usage/connections/conn_bench/renewal-plan",
    ] {
        let l = measure(&http, &format!("{base}{path}"), Some(&token), n).await?;
        out += &format!(
            "    GET {path:<50} p50 {:>6.2} ms  p99 {:>6.2} ms ({:.1}x the baseline's p99; target under 50 ms)\n",
            l.p50.as_secs_f64() * 1e3,
            l.p99.as_secs_f64() * 1e3,
            l.p99.as_secs_f64() / baseline.p99.as_secs_f64()
        );
    }
    server.abort();
    Ok(out)
}

pub async fn run() -> anyhow::Result<String> {
    let mut out = String::from("usage-report: the inactive-seats report through the JSON API\n");
    let given = std::env::var("WEFT_BENCH_SQLITE_DIR").ok();
    let dir = given.clone().map_or_else(
        || std::env::temp_dir().join(format!("weft-bench-report-{}", std::process::id())),
        std::path::PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let seeded_before = given.is_some() && dir.join("hub.db").exists();
    let store = Store::open(&format!("sqlite://{}/hub.db", dir.display())).await?;
    out += &run_on("SQLite", store, seeded_before).await?;
    if std::env::var("WEFT_BENCH_KEEP").is_ok() || given.is_some() {
        eprintln!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if let Ok(pg) = std::env::var("WEFT_BENCH_POSTGRES_URL") {
        let url = weft_store::testing::postgres_schema_url(&pg, "bench_report").await?;
        out += &run_on("PostgreSQL", Store::open(&url).await?, false).await?;
        // Ten million rows are not left behind in the test database, unless asked to.
        let schema = format!("weft_test_{}_bench_report", std::process::id());
        if std::env::var("WEFT_BENCH_KEEP").is_ok() {
            eprintln!("kept the PostgreSQL schema {schema}");
        } else {
            let admin = sqlx::PgPool::connect(&pg).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&admin)
                .await?;
        }
    }
    Ok(out)
}
