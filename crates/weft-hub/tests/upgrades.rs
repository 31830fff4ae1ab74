//! Every released schema upgrades to today's: the databases kept in `tests/upgrades/` (one
//! per earlier migration set, SQLite and PostgreSQL, see its README) are loaded, opened by
//! today's store (which migrates them) and checked through the hub: the people and secrets
//! they held, and what the migrations derived from them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::SecretString;
use weft_core::roles::Role;
use weft_core::secrets::SecretKey;
use weft_core::usage::Signals;
use weft_hub::access::{self, SignIn};
use weft_hub::recipes::library::{self, SourceFile};
use weft_hub::usage::{digest, policies};
use weft_hub::{Actor, Hub, connections, keys, trail};
use weft_store::{JobFilter, NewJob, RetryPolicy, Saved, Store, TrailFilter, UsageScope};

/// The secrets key every fixture's secrets were sealed with.
const FIXTURE_KEY: &str = "81dc8f640976b74b1de9a98a007222bebb641772b4eb0400f47142abdf63f7da";
/// The schema name `pg_dump` wrote into the PostgreSQL fixtures.
const DUMPED_SCHEMA: &str = "weft_upgrade_fixture";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn dir(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upgrades")
}

fn fixture_path(backend: Backend, schema: i64) -> PathBuf {
    fixtures()
        .join(backend.dir())
        .join(format!("schema-{schema:04}.sql"))
}

/// Today's migrations of a backend, by version.
fn migrations(backend: Backend) -> Vec<(i64, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../weft-store/migrations")
        .join(backend.dir());
    let mut all: Vec<(i64, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a migration file").path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            let version = name.split('_').next()?.parse().ok()?;
            Some((version, path))
        })
        .collect();
    all.sort();
    all
}

/// The released schemas: every migration set but today's.
fn released(backend: Backend) -> Vec<i64> {
    let all = migrations(backend);
    all[..all.len() - 1].iter().map(|(v, _)| *v).collect()
}

fn key() -> SecretKey {
    SecretKey::from_hex(FIXTURE_KEY).expect("the fixture key")
}

#[tokio::test]
async fn every_released_schema_upgrades_to_todays() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let missing: Vec<String> = released(backend)
            .into_iter()
            .map(|v| fixture_path(backend, v))
            .filter(|p| !p.exists())
            .map(|p| p.display().to_string())
            .collect();
        assert!(
            missing.is_empty(),
            "no upgrade fixture for {missing:?}: make it with `cargo test -p weft-hub --test upgrades -- --ignored make_missing_fixtures` (tests/upgrades/README.md)"
        );
    }
    for schema in released(Backend::Sqlite) {
        let dump = read_fixture(Backend::Sqlite, schema);
        let url = weft_store::testing::temp_sqlite_url(&format!("upgrade-{schema}"));
        load_sqlite(&url, &dump).await;
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("upgrading the SQLite database of schema {schema}: {e}"));
        check_upgraded(store, schema, "SQLite").await;
    }
    let Some(pg) = weft_store::testing::postgres_url() else {
        return;
    };
    for schema in released(Backend::Postgres) {
        let dump = read_fixture(Backend::Postgres, schema);
        let url = weft_store::testing::postgres_schema_url(&pg, &format!("upgrade_{schema}"))
            .await
            .expect("a test schema");
        let name = format!("weft_test_{}_upgrade_{schema}", std::process::id());
        load_postgres(&pg, &name, &dump).await;
        let store = Store::open(&url).await.unwrap_or_else(|e| {
            panic!("upgrading the PostgreSQL database of schema {schema}: {e}")
        });
        check_upgraded(store, schema, "PostgreSQL").await;
        let admin = sqlx::PgPool::connect(&pg).await.expect("the test database");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {name} CASCADE")))
            .execute(&admin)
            .await
            .expect("dropping the test schema");
    }
}

fn read_fixture(backend: Backend, schema: i64) -> String {
    let path = fixture_path(backend, schema);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn load_sqlite(url: &str, dump: &str) {
    let file = url.trim_start_matches("sqlite://");
    std::fs::create_dir_all(Path::new(file).parent().expect("a directory")).expect("a directory");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("a new SQLite file");
    sqlx::raw_sql(sqlx::AssertSqlSafe(dump.to_owned()))
        .execute(&pool)
        .await
        .expect("loading the SQLite fixture");
    pool.close().await;
}

/// Loads a `pg_dump` of the fixture schema under the schema `name` (on a connection of its
/// own: the dump empties the search path).
async fn load_postgres(url: &str, name: &str, dump: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("the test database");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {name} CASCADE"
    )))
    .execute(&mut conn)
    .await
    .expect("dropping the test schema");
    // psql's own commands (`\restrict` in newer dumps) are not SQL.
    let sql: String = dump
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .map(|line| line.replace(DUMPED_SCHEMA, name) + "\n")
        .collect();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("loading the PostgreSQL fixture");
    conn.close().await.expect("closing");
}

/// What a hub upgraded from `schema` must hold: what every seed up to it wrote (see
/// `tests/upgrades/seeds`), what the later migrations derived from it, and room for new
/// rows after the old ones.
async fn check_upgraded(store: Store, schema: i64, backend: &str) {
    let at = format!("{backend}, schema {schema}");
    let hub = Hub::new(Arc::new(store), key());
    keys::check(&hub.store, &key())
        .await
        .unwrap_or_else(|e| panic!("{at}: the fixture key opens its secrets: {e}"));
    let another = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
    assert!(
        keys::check(&hub.store, &another).await.is_err(),
        "{at}: another key is refused"
    );

    // Schema 1: users, connections with sealed tokens, the trail.
    let users = access::users(&hub).await.expect("users");
    // 0018: everyone from before single sign-on signs in with a password.
    assert!(
        users
            .iter()
            .all(|u| u.sign_in == weft_store::SignInMethod::Password),
        "{at}"
    );
    let roles: Vec<(String, Role, bool)> = users
        .iter()
        .map(|u| (u.username.clone(), u.role, u.disabled_at.is_some()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("ada".to_owned(), Role::Admin, false),
            ("ana".to_owned(), Role::Analyst, false),
            ("otto".to_owned(), Role::Operator, schema >= 5),
        ],
        "{at}"
    );
    // The password hashes carried over (Argon2 is slow unoptimised: the oldest and newest).
    if schema == 1 || Some(&schema) == released(Backend::Sqlite).last() {
        let signed = access::sign_in(&hub, "ada", "ada-fixture-password", 3600, "test")
            .await
            .expect("sign-in");
        assert!(matches!(signed, SignIn::Opened(_)), "{at}: Ada signs in");
    }
    let acme = connections::find(&hub, "acme").await.expect("acme");
    let sealed = hub
        .store
        .connections()
        .secrets(&acme.id)
        .await
        .expect("secrets");
    assert_eq!(
        key()
            .open(&acme.id, &sealed.tokens.access_token)
            .expect("opens"),
        b"acme-permanent-token",
        "{at}"
    );
    assert_eq!(
        acme.scopes,
        ["Default", "amReadOnlyAuditLog", "amReadOnlyUser"],
        "{at}"
    );
    // 0011 dated every token by its connection.
    assert_eq!(acme.token_set_at, Some(acme.created_at), "{at}");
    let globex = connections::find(&hub, "globex").await.expect("globex");
    let sealed = hub
        .store
        .connections()
        .secrets(&globex.id)
        .await
        .expect("secrets");
    let refresh = sealed.tokens.refresh_token.expect("a refresh token");
    assert_eq!(
        key().open(&globex.id, &refresh).expect("opens"),
        b"globex-refresh-token"
    );
    // 0003 turned `healthy` into a state, failing since the failed check.
    let health = globex.health.expect("globex was checked");
    assert_eq!(health.state.as_str(), "broken", "{at}");
    assert_eq!(health.failing_since, Some(1788305000), "{at}");
    assert_eq!(
        acme.health.expect("acme was checked").state.as_str(),
        "healthy"
    );
    // 0003 renamed the trail; entries from before are found with the new.
    let added = trail::search(
        &hub,
        &TrailFilter {
            action: Some("connection.add".into()),
            limit: 10,
            ..TrailFilter::default()
        },
    )
    .await
    .expect("trail");
    assert_eq!(added.len(), 2, "{at}");

    if schema >= 2 {
        let (user, _) = access::session_caller(&hub, "ada-fixture-session")
            .await
            .expect("session")
            .expect("Ada's session outlives the upgrade");
        assert_eq!(user.username, "ada", "{at}");
        let user = access::token_caller(&hub, "ana-fixture-api-token")
            .await
            .expect("token")
            .expect("Ana's token outlives the upgrade");
        assert_eq!(user.username, "ana", "{at}");
    }
    if schema >= 3 {
        let jobs = hub
            .store
            .jobs()
            .list(&JobFilter {
                limit: 10,
                ..JobFilter::default()
            })
            .await
            .expect("jobs");
        assert_eq!(jobs.len(), 2, "{at}");
        let schedules = hub.store.schedules().list().await.expect("schedules");
        assert!(
            schedules.iter().any(|s| s.spec.name == "fixture-nightly"),
            "{at}"
        );
    }
    if schema >= 6 {
        check_usage(&hub, schema, &at).await;
    }
    if schema >= 7 {
        check_recipes(&hub, schema, &at).await;
    }
    if schema >= 12 {
        let record = policies::get(&hub, "idle-paid-seats")
            .await
            .expect("policy");
        assert_eq!(record.version, 1, "{at}");
        let checked = policies::check(&hub, "idle-paid-seats.yaml", &record.text)
            .await
            .expect("check");
        if let Err(problems) = checked {
            panic!("{at}: the stored policy no longer reads: {problems}");
        }
    }
    if schema >= 13 {
        let open = hub
            .store
            .usage()
            .open_dialogues("idle-paid-seats")
            .await
            .expect("dialogues");
        let states: Vec<(&str, &str)> = open
            .iter()
            .map(|d| (d.user_id.as_str(), d.state.as_str()))
            .collect();
        assert_eq!(states, vec![("KUAAAAP3", "escalated")], "{at}");
    }
    if schema >= 14 {
        let savings = hub.store.usage().savings(&acme.id).await.expect("savings");
        assert_eq!(savings.len(), 1, "{at}");
        assert_eq!(savings[0].annual_saving_cents, Some(30000), "{at}");
    }
    if schema >= 16 {
        let ana = access::find_user(&hub, "ana").await.expect("ana");
        let subscription = digest::subscription(&hub, &ana.id).await.expect("digest");
        assert_eq!(
            subscription.map(|s| s.email),
            Some("ana@acme.example".to_owned()),
            "{at}"
        );
    }

    // The upgraded database takes new rows after the old ones.
    access::add_user(
        &hub,
        "test",
        "newcomer",
        Role::Analyst,
        SecretString::from("a long enough password"),
    )
    .await
    .unwrap_or_else(|e| panic!("{at}: adding a user: {e}"));
    let queued = hub
        .store
        .jobs()
        .enqueue(
            &NewJob {
                kind: "test.after-upgrade".into(),
                payload: serde_json::json!({}),
                dedupe_key: None,
                origin: "test".into(),
                priority: 0,
                run_at_ms: 0,
                retry: RetryPolicy {
                    max_attempts: 1,
                    backoff_ms: 1000,
                    backoff_max_ms: 1000,
                },
            },
            0,
        )
        .await
        .unwrap_or_else(|e| panic!("{at}: a new job: {e}"));
    assert!(matches!(queued, weft_store::Enqueued::New(_)), "{at}");
    if schema >= 7 {
        let source =
            std::fs::read_to_string(fixtures().join("recipes/comment-on-status-change.yaml"))
                .expect("recipe")
                .replace("name: comment-on-status-change", "name: after-upgrade");
        let checked = library::check_files(&[SourceFile {
            file: "after-upgrade.yaml".into(),
            source,
        }])
        .expect("the recipe parses");
        let saved = library::save(&hub, &Actor::local("test"), &checked[0])
            .await
            .unwrap_or_else(|e| panic!("{at}: a new recipe: {e}"));
        assert!(matches!(saved, Saved::Created { .. }), "{at}: {saved:?}");
    }
}

async fn check_usage(hub: &Hub, schema: i64, at: &str) {
    let usage = hub.store.usage();
    let acme = connections::find(hub, "acme").await.expect("acme");
    let now = 1789000000;
    // 0010 counted the seats by type from the people; the counts kept match a recount.
    let scope = UsageScope::one(&acme.id, Signals::ALL, now);
    let kept = usage.seat_counts(&scope).await.expect("seat counts");
    assert_eq!(
        (kept.people, kept.paid_seats, kept.free_seats),
        (4, 3, 1),
        "{at}"
    );
    let by_type = usage
        .seat_counts_by_type(&scope)
        .await
        .expect("seat counts by type");
    let regular: i64 = by_type
        .iter()
        .filter(|(_, t, _)| t.as_deref() == Some("IEAUTREG"))
        .map(|(_, _, c)| c.paid_seats)
        .sum();
    assert_eq!(regular, 3, "{at}");
    assert_eq!(usage.audit_count(&acme.id).await.expect("audit"), 5, "{at}");
    // 0015: Ivan signed in only through an integration: that is his signal now, and he has
    // no sign-in to Wrike itself.
    let ivan = usage
        .user(&acme.id, "KUAAAAP2")
        .await
        .expect("user")
        .expect("Ivan");
    assert_eq!(ivan.last_integration_at, Some(1788650000), "{at}");
    assert_eq!(ivan.last_login_at, None, "{at}");
    assert_eq!(ivan.last_activity_at, Some(1788650000), "{at}");
    let alice = usage
        .user(&acme.id, "KUAAAAP1")
        .await
        .expect("user")
        .expect("Alice");
    assert_eq!(alice.last_login_at, Some(1788690000), "{at}");
    assert_eq!(alice.last_integration_at, None, "{at}");
    let renewal = usage
        .renewal(&acme.id)
        .await
        .expect("renewal")
        .expect("a renewal");
    assert_eq!(renewal.seat_cost_cents, 30000, "{at}");
    assert_eq!(
        renewal.headroom_pct,
        if schema >= 9 { 15 } else { 10 },
        "{at}"
    );
    let plan = usage
        .reclaim("rcl_fixture1")
        .await
        .expect("reclaim")
        .expect("the plan");
    assert_eq!(plan.items[0].user_id, "KUAAAAP3", "{at}");
    if schema >= 9 {
        let snapshots = usage
            .snapshots_before(&acme.id, now + 1, 10)
            .await
            .expect("snapshots");
        assert_eq!(snapshots.len(), 1, "{at}");
    }
}

async fn check_recipes(hub: &Hub, schema: i64, at: &str) {
    let record = library::find(hub, "comment-on-status-change")
        .await
        .expect("recipe");
    assert_eq!(record.version, 2, "{at}");
    weft_hub::recipes::records::parsed(&record)
        .unwrap_or_else(|e| panic!("{at}: the stored recipe still reads: {e}"));
    let versions = library::versions(hub, "comment-on-status-change")
        .await
        .expect("versions");
    assert_eq!(versions.len(), 2, "{at}");
    let runs = weft_hub::recipes::runs::list(
        hub,
        &weft_store::RunFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("runs");
    assert_eq!(runs.len(), if schema >= 8 { 3 } else { 2 }, "{at}");
    let wrike_hook = hub
        .store
        .recipes()
        .hook_by_token("wrike", "hookfixturewrike")
        .await
        .expect("hook")
        .expect("the Wrike hook");
    assert_eq!(
        key()
            .open("recipe-hook:hookfixturewrike", &wrike_hook.secret)
            .expect("opens"),
        b"wrike-hook-secret",
        "{at}"
    );
    // 0008 told the HTTP hook (no connection) from Wrike's.
    assert!(
        hub.store
            .recipes()
            .hook_by_token("http", "hookfixturehttp")
            .await
            .expect("hook")
            .is_some(),
        "{at}"
    );
    if schema >= 8 {
        let opened = weft_hub::recipes::secrets::open(hub, &["orders_api_key".to_owned()])
            .await
            .expect("the recipe secret opens");
        assert_eq!(opened[0].value, "fixture-orders-key", "{at}");
        assert_eq!(
            opened[0].hosts,
            vec!["orders.acme.example".to_owned()],
            "{at}"
        );
    }
}

/// Makes the fixtures that are missing (see `tests/upgrades/README.md`); never changes one
/// that exists. Needs `sqlite3`, and `pg_dump` with `WEFT_TEST_POSTGRES_URL`.
#[tokio::test]
#[ignore = "makes fixtures; run by hand after adding a migration"]
async fn make_missing_fixtures() {
    let work = std::env::temp_dir().join(format!("weft-make-fixtures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("a work directory");
    let file = work.join("fixture.db");
    let sqlite = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true),
    )
    .await
    .expect("a new SQLite file");
    make(&work, &FixtureDb::Sqlite { pool: sqlite, file }).await;
    if let Some(pg) = weft_store::testing::postgres_url() {
        let admin = sqlx::PgPool::connect(&pg).await.expect("the test database");
        for statement in [
            format!("DROP SCHEMA IF EXISTS {DUMPED_SCHEMA} CASCADE"),
            format!("CREATE SCHEMA {DUMPED_SCHEMA}"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&admin)
                .await
                .expect("the fixture schema");
        }
        let separator = if pg.contains('?') { '&' } else { '?' };
        let url = format!("{pg}{separator}options=-csearch_path%3D{DUMPED_SCHEMA}");
        let pool = sqlx::PgPool::connect(&url)
            .await
            .expect("the fixture schema");
        make(&work, &FixtureDb::Postgres { pool, url: pg }).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA {DUMPED_SCHEMA} CASCADE"
        )))
        .execute(&admin)
        .await
        .expect("dropping the fixture schema");
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The database a generator builds fixtures in, step by step.
enum FixtureDb {
    Sqlite {
        pool: sqlx::SqlitePool,
        file: PathBuf,
    },
    /// `url` is the test database's (the pool works in the fixture schema).
    Postgres { pool: sqlx::PgPool, url: String },
}

impl FixtureDb {
    fn backend(&self) -> Backend {
        match self {
            FixtureDb::Sqlite { .. } => Backend::Sqlite,
            FixtureDb::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Applies the migrations in `dir` not applied yet, then `seed`.
    async fn migrate_and_seed(&self, dir: &Path, seed: Option<String>, version: i64) {
        let migrator = sqlx::migrate::Migrator::new(dir)
            .await
            .expect("the migrations");
        let at = format!("seed {version} on {:?}", self.backend());
        macro_rules! apply {
            ($pool:expr) => {{
                migrator.run($pool).await.expect("migrating");
                if let Some(sql) = seed {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute($pool)
                        .await
                        .unwrap_or_else(|e| panic!("{at}: {e}"));
                }
            }};
        }
        match self {
            FixtureDb::Sqlite { pool, .. } => apply!(pool),
            FixtureDb::Postgres { pool, .. } => apply!(pool),
        }
    }

    /// The database as text: SQLite's `.dump`, or `pg_dump --column-inserts` of the schema.
    fn dump(&self) -> Vec<u8> {
        let mut command = match self {
            FixtureDb::Sqlite { file, .. } => {
                let mut c = std::process::Command::new("sqlite3");
                c.arg(file).arg(".dump");
                c
            }
            FixtureDb::Postgres { url, .. } => {
                let mut c = std::process::Command::new("pg_dump");
                c.args(["--schema", DUMPED_SCHEMA, "--no-owner", "--no-privileges"])
                    .args(["--column-inserts", url]);
                c
            }
        };
        let out = command.output().expect("the dump tool (sqlite3, pg_dump)");
        assert!(
            out.status.success(),
            "dumping failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

/// Applies each released migration in turn, with its step's seed (rendered for the
/// backend) when it has one, and dumps the database after each step whose fixture is missing.
async fn make(work: &Path, db: &FixtureDb) {
    let backend = db.backend();
    let dir = work.join(format!("migrations-{}", backend.dir()));
    std::fs::create_dir_all(&dir).expect("a migrations directory");
    for (version, migration) in migrations(backend) {
        if !released(backend).contains(&version) {
            break;
        }
        std::fs::copy(&migration, dir.join(migration.file_name().expect("a name")))
            .expect("copying a migration");
        let seed = match std::fs::read_to_string(fixtures().join(format!("seeds/{version:04}.sql")))
        {
            Ok(text) => Some(render(&text, backend).await),
            Err(_) => None,
        };
        db.migrate_and_seed(&dir, seed, version).await;
        let target = fixture_path(backend, version);
        if !target.exists() {
            write_fixture(&target, &db.dump());
        }
    }
}

/// Replaces a seed's `{{kind:argument}}` placeholders with SQL literals for `backend`.
async fn render(text: &str, backend: Backend) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed placeholder") + start;
        let (kind, argument) = rest[start + 2..end]
            .split_once(':')
            .expect("a placeholder kind:argument");
        out.push_str(&match kind {
            "password" => text_literal(
                &access::hash_password(&SecretString::from(argument))
                    .await
                    .expect("hashing"),
            ),
            "hash" => text_literal(&access::hash_secret(argument)),
            "sealed" => {
                let (row, plain) = argument.rsplit_once(':').expect("sealed:ROW:TEXT");
                let sealed = hex::encode(key().seal(row, plain.as_bytes()));
                match backend {
                    Backend::Sqlite => format!("X'{sealed}'"),
                    Backend::Postgres => format!("decode('{sealed}', 'hex')"),
                }
            }
            "recipe" | "policy" => {
                let folder = if kind == "recipe" {
                    "recipes"
                } else {
                    "policies"
                };
                let path = fixtures().join(format!("{folder}/{argument}.yaml"));
                text_literal(&std::fs::read_to_string(&path).expect("a fixture file"))
            }
            other => panic!("unknown placeholder {other}"),
        });
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn text_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn write_fixture(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("a directory")).expect("a directory");
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eprintln!("made {}", path.display());
}
