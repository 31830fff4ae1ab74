//! The hub's application services and its runtime. The CLI and the HTTP server are two
//! front-ends over these; neither holds business logic of its own, and neither starts
//! background work: `runtime` does, under one shutdown.

pub mod access;
pub mod actor;
pub mod alerts;
pub mod background;
pub mod backup;
pub mod connections;
pub mod consent;
pub mod diff;
pub mod egress;
pub mod error;
pub mod health;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod oauth_tokens;
pub mod readiness;
pub mod recipes;
pub mod runtime;
pub mod sso;
pub mod trail;
pub mod usage;
pub mod wrike;

use std::sync::Arc;

use weft_core::clock::Clock;
use weft_core::secrets::SecretKey;
use weft_store::Store;

pub use actor::Actor;
pub use error::{HubError, HubResult};

/// What the services work with; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    pub store: Arc<Store>,
    /// The secrets key; `None` for commands that never seal or open a secret, so that such a
    /// hub cannot seal one with a key nobody else has (see `Hub::key`).
    key: Option<SecretKey>,
    /// The OAuth application, when configured (to connect and refresh OAuth tokens).
    pub oauth: Option<wrike_api::OAuthClient>,
    /// Single sign-on through an OpenID provider, when configured.
    pub sso: Option<Arc<sso::Sso>>,
    pub alerter: alerts::Alerter,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    /// Wakes this instance's workers when a job is enqueued here.
    pub wake: Arc<tokio::sync::Notify>,
    /// One outbound request budget per connection, shared by every client of it in this
    /// process (health probes, syncs, reclaims), since Wrike counts per token.
    pub budgets: Arc<wrike::Budgets>,
    /// Every secret this hub holds, as text (registered when opened or configured), so that
    /// recipe runs never store, log or show one (see `weft_core::redact`).
    pub secrets: Arc<weft_core::redact::KnownSecrets>,
    /// The background tasks of this process, running or not (for `/readyz`).
    pub liveness: runtime::supervisor::Liveness,
}

/// The hub's tunable rules (from settings).
#[derive(Debug, Clone)]
pub struct Policy {
    /// How long a transient failure (rate limited, Wrike unavailable) may last before the
    /// connection counts as broken and alerts.
    pub transient_grace_s: i64,
    /// Connections may use any API host (a simulator, a test server). Without it, only
    /// Wrike's hosts over HTTPS, and only where they resolve to public addresses.
    pub allow_any_wrike_host: bool,
    /// Requests a minute to Wrike per connection (Wrike allows 400 per token).
    pub requests_per_minute: u32,
    /// How far back the first audit-log backfill reads.
    pub backfill_days: i64,
    /// How long a sync's lease lasts without a heartbeat: a sync whose process died blocks
    /// the next one for at most this long.
    pub sync_lease_s: i64,
    /// The hub's own URL as Wrike and other systems reach it: recipe webhooks point here.
    pub public_url: String,
    /// Private, loopback and link-local hosts recipes' HTTP steps may call (public ones
    /// they always may).
    pub recipe_http: egress::PrivateHosts,
    /// The bounds of every recipe run.
    pub recipe_limits: recipes::prepare::RecipeLimits,
    /// Recipe files parsed at once, by every request together (parsing is CPU work, done
    /// off the async workers).
    pub recipe_parses: Arc<tokio::sync::Semaphore>,
    /// Usage data older than this is not acted on: policies, reclaims and dialogues refuse
    /// until a sync brings it up to date.
    pub usage_stale_after_s: i64,
    /// The reclaim dialogue's e-mails, at a bounded rate shared by this process.
    pub dialogue_mail: Arc<MailRate>,
    /// Days before a renewal that a reminder goes out (by e-mail and the alert webhook).
    pub renewal_reminder_days: Vec<i64>,
    /// Users may sign in with a password. Off (with single sign-on), only the break-glass
    /// Admins below may, for when the identity provider is down.
    pub local_passwords: bool,
    /// Admins who may sign in with a password when `local_passwords` is off.
    pub break_glass_admins: Vec<String>,
}

/// A bounded rate of e-mails (a burst of one, then evenly spaced).
pub struct MailRate(governor::DefaultDirectRateLimiter);

impl MailRate {
    /// `per_minute` e-mails a minute (at least one).
    pub fn per_minute(per_minute: u32) -> MailRate {
        let rate =
            std::num::NonZeroU32::new(per_minute.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
        MailRate(governor::RateLimiter::direct(
            governor::Quota::per_minute(rate).allow_burst(std::num::NonZeroU32::MIN),
        ))
    }

    /// Waits for the next e-mail's turn.
    pub async fn until_ready(&self) {
        self.0.until_ready().await;
    }
}

impl std::fmt::Debug for MailRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailRate")
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            transient_grace_s: 300,
            allow_any_wrike_host: false,
            requests_per_minute: 400,
            backfill_days: 183,
            sync_lease_s: 120,
            public_url: "http://127.0.0.1:8080".into(),
            recipe_http: egress::PrivateHosts::default(),
            recipe_limits: recipes::prepare::RecipeLimits::default(),
            recipe_parses: Arc::new(tokio::sync::Semaphore::new(2)),
            usage_stale_after_s: 48 * 3600,
            dialogue_mail: Arc::new(MailRate::per_minute(60)),
            renewal_reminder_days: vec![120, 90, 60, 30],
            local_passwords: true,
            break_glass_admins: Vec::new(),
        }
    }
}

impl Hub {
    /// A hub over `store` with the system clock and default policy.
    pub fn new(store: Arc<Store>, key: SecretKey) -> Hub {
        Hub {
            key: Some(key),
            ..Hub::without_key(store)
        }
    }

    /// A hub that refuses every seal and open: for commands that only read or change rows
    /// without secrets, so they need no key configured.
    pub fn without_key(store: Arc<Store>) -> Hub {
        Hub {
            store,
            key: None,
            oauth: None,
            sso: None,
            alerter: alerts::Alerter::new(None),
            clock: Arc::new(weft_core::clock::SystemClock),
            policy: Policy::default(),
            wake: Arc::new(tokio::sync::Notify::new()),
            budgets: Arc::new(wrike::Budgets::default()),
            secrets: Arc::default(),
            liveness: Default::default(),
        }
    }

    /// The secrets key, or an error naming the settings when this hub was opened without it.
    pub fn key(&self) -> HubResult<&SecretKey> {
        self.key.as_ref().ok_or_else(|| {
            HubError::Internal(
                "this command was opened without the secrets key, so it cannot seal or open a stored secret".into(),
            )
        })
    }
}

/// An id with a readable prefix: `conn_3fX9...`.
pub fn new_id(prefix: &str) -> String {
    let tail: String = (0..16).map(|_| fastrand::alphanumeric()).collect();
    format!("{prefix}_{tail}")
}
