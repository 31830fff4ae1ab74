//! The shared state of a running simulator and the operations several routes need.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use wrike_api::Scope;

use crate::clock::Clock;
use crate::faults::Fault;
use crate::generate::{GenSpec, generate};
use crate::hooks::HookQueue;
use crate::reply::ApiError;
use crate::world::{Grant, OAuthApp, World};

/// Simulator settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub users: u32,
    pub months: u32,
    /// At least this many tasks in the main account (for benchmarks of task syncs).
    pub min_tasks: u32,
    /// Requests per minute per token; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Pin the simulated "now" (generation and clock); real time when absent.
    pub now: Option<DateTime<Utc>>,
    /// OAuth access token lifetime.
    pub token_lifetime: Duration,
    /// Delay between webhook delivery attempts.
    pub webhook_retry_delay: Duration,
    /// Attempts per webhook delivery before it counts as failed.
    pub webhook_attempts: u32,
    /// Failed deliveries in a row that suspend a webhook.
    pub webhook_suspend_after: u32,
    /// Allow `http://` hook URLs (real Wrike wants https; tests on loopback need http).
    pub allow_http_hooks: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            users: 60,
            months: 6,
            min_tasks: 0,
            rate_limit_per_minute: 400,
            now: None,
            token_lifetime: Duration::from_secs(3600),
            webhook_retry_delay: Duration::from_secs(2),
            webhook_attempts: 3,
            webhook_suspend_after: 3,
            allow_http_hooks: true,
        }
    }
}

/// A data center the simulator serves, with the host its listener answers on.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataCenterInfo {
    pub name: String,
    /// `127.0.0.1:PORT`, what token responses name as `host`.
    pub host: String,
    pub scheme: String,
}

impl DataCenterInfo {
    pub fn api_url(&self) -> String {
        format!("{}://{}/api/v4", self.scheme, self.host)
    }
}

/// One request as the request log keeps it (tokens only as fingerprints).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub data_center: String,
    pub token: Option<String>,
    pub account_id: Option<String>,
    pub fault: Option<String>,
}

/// The bounded request log.
#[derive(Debug, Default)]
pub struct RequestLog {
    pub entries: VecDeque<LoggedRequest>,
    pub next_seq: u64,
}

const LOG_CAPACITY: usize = 20_000;

impl RequestLog {
    pub fn push(&mut self, mut entry: LoggedRequest) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// The sequence number of the last request logged (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.next_seq
    }

    /// The requests logged after `seq`, oldest first.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &LoggedRequest> {
        self.entries.iter().filter(move |e| e.seq > seq)
    }
}

/// A token bucket per token: `limit` per minute, refilled continuously.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Who is calling, set by the gate for the handlers.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub user_id: String,
}

/// The running simulator's state.
pub struct Sim {
    pub config: SimConfig,
    pub world: RwLock<World>,
    pub clock: Clock,
    pub faults: Mutex<Vec<Fault>>,
    pub log: Mutex<RequestLog>,
    buckets: Mutex<HashMap<String, Bucket>>,
    pub rate_limit: Mutex<u32>,
    /// Whether a 429 from the rate limit carries `Retry-After`. Wrike documents no such
    /// header, so by default it does not; tests turn it on to cover both.
    pub rate_retry_after: std::sync::atomic::AtomicBool,
    /// How `GET /contacts?deleted=true` reads its flag. Wrike documents it only as a
    /// "deleted flag filter": by default it adds deleted contacts to the listing; when
    /// this is set it returns deleted contacts only. Clients must be right either way.
    pub contacts_deleted_only: std::sync::atomic::AtomicBool,
    pub data_centers: RwLock<Vec<DataCenterInfo>>,
    pub hooks: HookQueue,
}

impl Sim {
    /// Generates the world and the default OAuth app.
    pub fn new(config: SimConfig) -> Arc<Sim> {
        let clock = Clock::starting_at(config.now);
        let now = clock.now();
        let accounts = generate(&GenSpec {
            seed: config.seed,
            users: config.users,
            months: config.months,
            min_tasks: config.min_tasks,
            now,
        });
        let world = World {
            accounts,
            apps: vec![OAuthApp {
                client_id: "weft-demo".into(),
                client_secret: format!("demo-secret-{}", config.seed),
                redirect_uris: Vec::new(),
            }],
            ..World::default()
        };
        let rate = config.rate_limit_per_minute;
        Arc::new(Sim {
            config,
            world: RwLock::new(world),
            clock,
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(RequestLog::default()),
            buckets: Mutex::new(HashMap::new()),
            rate_limit: Mutex::new(rate),
            rate_retry_after: std::sync::atomic::AtomicBool::new(false),
            contacts_deleted_only: std::sync::atomic::AtomicBool::new(false),
            data_centers: RwLock::new(vec![
                DataCenterInfo {
                    name: "us".into(),
                    host: String::new(),
                    scheme: "http".into(),
                },
                DataCenterInfo {
                    name: "eu".into(),
                    host: String::new(),
                    scheme: "http".into(),
                },
            ]),
            hooks: HookQueue::new(),
        })
    }

    pub fn read(&self) -> std::sync::RwLockReadGuard<'_, World> {
        self.world.read().expect("world lock")
    }

    pub fn write(&self) -> std::sync::RwLockWriteGuard<'_, World> {
        self.world.write().expect("world lock")
    }

    pub fn data_center(&self, index: usize) -> DataCenterInfo {
        self.data_centers.read().expect("dc lock")[index].clone()
    }

    /// Issues an access token (and, for OAuth, a refresh token) for a user.
    pub fn issue_tokens(
        &self,
        world: &mut World,
        account_id: &str,
        user_id: &str,
        scopes: Vec<Scope>,
        client_id: Option<String>,
    ) -> (String, Option<String>) {
        let access = crate::ids::secret(48);
        let expires_at = client_id.as_ref().map(|_| {
            self.clock.now()
                + chrono::Duration::from_std(self.config.token_lifetime).unwrap_or_default()
        });
        world.tokens.insert(
            access.clone(),
            Grant {
                account_id: account_id.into(),
                user_id: user_id.into(),
                scopes: scopes.clone(),
                expires_at,
                client_id: client_id.clone(),
            },
        );
        let refresh = client_id.map(|client_id| {
            let refresh = crate::ids::secret(48);
            world.refresh_tokens.insert(
                refresh.clone(),
                crate::world::RefreshGrant {
                    account_id: account_id.into(),
                    user_id: user_id.into(),
                    scopes,
                    client_id,
                },
            );
            refresh
        });
        (access, refresh)
    }

    /// Spends one request from the token's budget, or says how long until one is back.
    ///
    /// Wrike states its limit per minute but computes it per second, so the bucket holds one
    /// second's worth (at least one request): a client that bursts a minute's allowance at
    /// once is refused after the first few.
    pub fn spend_budget(&self, key: &str) -> Result<(), Duration> {
        let limit = *self.rate_limit.lock().expect("rate lock");
        if limit == 0 {
            return Ok(());
        }
        let per_second = limit as f64 / 60.0;
        let capacity = per_second.max(1.0);
        let mut buckets = self.buckets.lock().expect("bucket lock");
        let now = Instant::now();
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }

    /// Resolves a bearer token to its grant, or Wrike's 401.
    pub fn authenticate(&self, token: Option<&str>) -> Result<Grant, ApiError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "not_authorized",
                "Authorization method unknown",
            ));
        };
        let world = self.read();
        let unknown = || {
            ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "not_authorized",
                "Access token is unknown or invalid",
            )
        };
        let grant = world.tokens.get(token).ok_or_else(unknown)?;
        if grant.expires_at.is_some_and(|at| at <= self.clock.now()) {
            return Err(unknown());
        }
        Ok(grant.clone())
    }
}
