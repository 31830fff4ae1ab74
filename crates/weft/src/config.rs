//! Settings: built-in defaults, then a TOML file, then `WEFT_*` environment variables.
//! The only place settings are read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Settings keys; the same names work in the TOML file and as `WEFT_<NAME>` variables.
const KEYS: &[&str] = &[
    "database_url",
    "data_dir",
    "secret_key",
    "secret_key_file",
    "listen",
    "public_url",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_login_base",
    "probe_interval_seconds",
    "alert_webhook_url",
    "smtp_url",
    "email_from",
    "alert_emails",
    "secure_cookies",
    "transient_alert_after_seconds",
    "worker_concurrency",
    "job_lease_seconds",
    "keep_finished_jobs_days",
    "keep_dead_jobs_days",
    "keep_runs_days",
    "keep_failed_runs_days",
    "allow_any_wrike_host",
    "recipe_http_allow",
    "recipe_max_items",
    "recipe_max_step_bytes",
    "recipe_max_run_bytes",
    "recipe_step_compute_seconds",
    "trust_forwarded_for",
    "metrics_token",
    "metrics_listen",
    "sync_interval_seconds",
    "wrike_requests_per_minute",
    "backfill_days",
    "sync_lease_seconds",
    "usage_stale_after_hours",
    "dialogue_emails_per_minute",
    "renewal_reminder_days",
    "sso_issuer",
    "sso_client_id",
    "sso_client_secret",
    "sso_role_claim",
    "sso_admin_values",
    "sso_analyst_values",
    "sso_operator_values",
    "sso_create_users",
    "local_passwords",
    "break_glass_admins",
];

/// Settings that hold a secret: each may also be read from a file named by
/// `WEFT_<NAME>_FILE` (a container's or an orchestrator's secret), instead of the value
/// itself. (The secrets key has `secret_key_file`, so `WEFT_SECRET_KEY_FILE` works too.)
const FROM_FILES: &[&str] = &[
    "database_url",
    "oauth_client_secret",
    "sso_client_secret",
    "smtp_url",
    "alert_webhook_url",
    "metrics_token",
];

/// The secret settings read from the files their `WEFT_<NAME>_FILE` variables name, as the
/// file's text without its trailing line break. Refuses a setting given both ways, an
/// unreadable file and an empty one, naming the variable and the file.
fn settings_from_files(
    var: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for name in FROM_FILES {
        let upper = name.to_uppercase();
        let Some(path) = var(&format!("WEFT_{upper}_FILE")) else {
            continue;
        };
        anyhow::ensure!(
            var(&format!("WEFT_{upper}")).is_none(),
            "invalid configuration: both WEFT_{upper} and WEFT_{upper}_FILE are set; set one"
        );
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading WEFT_{upper}_FILE {path}"))?;
        let value = text.trim_end_matches(['\n', '\r']);
        anyhow::ensure!(
            !value.trim().is_empty(),
            "invalid configuration: WEFT_{upper}_FILE {path} is empty"
        );
        out.insert((*name).to_owned(), value.to_owned());
    }
    Ok(out)
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://PATH` (the embedded default) or `postgres://...`.
    pub database_url: String,
    /// Where the embedded default keeps its database and generated key.
    pub data_dir: PathBuf,
    /// The secrets key as 64 hex characters (prefer `WEFT_SECRET_KEY` or a file).
    pub secret_key: Option<String>,
    /// A file holding the secrets key.
    pub secret_key_file: Option<PathBuf>,
    /// Where `weft serve` listens.
    pub listen: String,
    /// The hub's own URL as browsers reach it (for the OAuth callback).
    pub public_url: String,
    /// The Wrike OAuth app (from the Wrike App Console); OAuth connect is off without it.
    pub oauth_client_id: Option<String>,
    pub oauth_client_secret: Option<String>,
    /// Wrike's login host, or the simulator's base URL.
    pub oauth_login_base: String,
    /// How often every connection is probed.
    pub probe_interval_seconds: u64,
    /// Alerts are POSTed here as JSON when a connection breaks or recovers.
    pub alert_webhook_url: Option<String>,
    /// The SMTP server for e-mail (`smtp://user:password@host:587?tls=required`, or
    /// `smtps://...`); holds a password, so prefer `WEFT_SMTP_URL`.
    pub smtp_url: Option<String>,
    /// The sender of the hub's e-mail.
    pub email_from: Option<String>,
    /// Who is e-mailed connection alerts and recipes' notifications that name nobody; in
    /// the environment, comma-separated.
    #[serde(deserialize_with = "list_or_text")]
    pub alert_emails: Vec<String>,
    /// Treat the hub as served over HTTPS even when `public_url` is http (cookies `Secure`
    /// and `__Host-` named, HSTS); an https `public_url` already does.
    pub secure_cookies: bool,
    /// How long a transient failure (rate limited, Wrike unavailable) may last before a
    /// connection counts as broken and alerts; until then it shows as degraded.
    pub transient_alert_after_seconds: u64,
    /// Jobs one instance runs at the same time.
    pub worker_concurrency: u64,
    /// How long a job's lease lasts without a heartbeat (a dead instance's jobs are taken
    /// over after this).
    pub job_lease_seconds: u64,
    /// How long succeeded and cancelled jobs are kept.
    pub keep_finished_jobs_days: u64,
    /// How long dead jobs are kept.
    pub keep_dead_jobs_days: u64,
    /// How long succeeded and cancelled recipe runs are kept, with their steps.
    pub keep_runs_days: u64,
    /// How long failed recipe runs are kept (an Operator may rerun them until then).
    pub keep_failed_runs_days: u64,
    /// Let connections use any API host (a simulator, a test server). Off: only Wrike's own
    /// hosts over HTTPS, and only where they resolve to public addresses.
    pub allow_any_wrike_host: bool,
    /// Private, loopback and link-local hosts recipes' `http.request` steps may call:
    /// names, addresses, CIDR ranges or `*`. Public addresses are always allowed. In the
    /// environment, a comma-separated list.
    #[serde(deserialize_with = "list_or_text")]
    pub recipe_http_allow: Vec<String>,
    /// Items a recipe step's `for_each` may give.
    pub recipe_max_items: u64,
    /// Bytes (as JSON) a recipe step's input, all items together, and its output may have.
    pub recipe_max_step_bytes: u64,
    /// Bytes (as JSON) a recipe run's outputs may reach: what is stored with its progress.
    pub recipe_max_run_bytes: u64,
    /// Seconds one recipe step's templates may compute, all items together.
    pub recipe_step_compute_seconds: u64,
    /// Take each client's address from `X-Forwarded-For` (behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// `/metrics` answers only with `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// Serve `/metrics` on this address instead of the hub's port.
    pub metrics_listen: Option<String>,
    /// How often every connection's users, audit log and work activity are synced.
    pub sync_interval_seconds: u64,
    /// Requests a minute this hub sends to Wrike per connection (Wrike allows 400 per
    /// token, counted per second).
    pub wrike_requests_per_minute: u64,
    /// How far back the first sync of a connection reads the audit log and work activity.
    pub backfill_days: u64,
    /// How long a sync's lease lasts without a heartbeat (a sync whose process died holds
    /// the connection this long).
    pub sync_lease_seconds: u64,
    /// Usage data older than this is not acted on: policies and reclaims refuse until a
    /// sync brings the connection up to date.
    pub usage_stale_after_hours: u64,
    /// The reclaim dialogue's e-mails a minute, at most (per instance).
    pub dialogue_emails_per_minute: u64,
    /// Days before a renewal that a reminder goes out, comma separated ("120,90,60,30";
    /// empty: none).
    pub renewal_reminder_days: String,
    /// Single sign-on: the OpenID provider's issuer URL (discovery is read from it), and
    /// this hub's client there. Off without them.
    pub sso_issuer: Option<String>,
    pub sso_client_id: Option<String>,
    pub sso_client_secret: Option<String>,
    /// The ID token claim that gives the role: a name or a list (groups).
    pub sso_role_claim: String,
    /// The values of that claim that make someone an Admin, an Analyst or an Operator
    /// (comma-separated in the environment); the first role in this order that matches.
    #[serde(deserialize_with = "list_or_text")]
    pub sso_admin_values: Vec<String>,
    #[serde(deserialize_with = "list_or_text")]
    pub sso_analyst_values: Vec<String>,
    #[serde(deserialize_with = "list_or_text")]
    pub sso_operator_values: Vec<String>,
    /// Create a hub user at a person's first single sign-on; off, an Admin adds them
    /// first (`weft users add --sso`).
    pub sso_create_users: bool,
    /// Users may sign in with a password. Off (needs single sign-on), only the
    /// `break_glass_admins` may, for when the identity provider is down.
    pub local_passwords: bool,
    /// Admins who keep password sign-in when `local_passwords` is off (comma-separated).
    #[serde(deserialize_with = "list_or_text")]
    pub break_glass_admins: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = weft_hub::recipes::prepare::RecipeLimits::default();
        Settings {
            database_url: "sqlite://weft-data/weft.db".into(),
            data_dir: "weft-data".into(),
            secret_key: None,
            secret_key_file: None,
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            oauth_client_id: None,
            oauth_client_secret: None,
            oauth_login_base: wrike_api::oauth::WRIKE_LOGIN_BASE.into(),
            probe_interval_seconds: 60,
            alert_webhook_url: None,
            smtp_url: None,
            email_from: None,
            alert_emails: Vec::new(),
            secure_cookies: false,
            transient_alert_after_seconds: 300,
            worker_concurrency: 8,
            job_lease_seconds: 30,
            keep_finished_jobs_days: 7,
            keep_dead_jobs_days: 30,
            keep_runs_days: 30,
            keep_failed_runs_days: 90,
            allow_any_wrike_host: false,
            recipe_http_allow: Vec::new(),
            recipe_max_items: limits.max_items as u64,
            recipe_max_step_bytes: limits.max_step_bytes as u64,
            recipe_max_run_bytes: limits.max_run_bytes as u64,
            recipe_step_compute_seconds: limits.step_compute.as_secs(),
            trust_forwarded_for: false,
            metrics_token: None,
            metrics_listen: None,
            sync_interval_seconds: 3600,
            wrike_requests_per_minute: 400,
            backfill_days: 183,
            sync_lease_seconds: 120,
            usage_stale_after_hours: 48,
            dialogue_emails_per_minute: 60,
            renewal_reminder_days: "120,90,60,30".into(),
            sso_issuer: None,
            sso_client_id: None,
            sso_client_secret: None,
            sso_role_claim: "groups".into(),
            sso_admin_values: Vec::new(),
            sso_analyst_values: Vec::new(),
            sso_operator_values: Vec::new(),
            sso_create_users: false,
            local_passwords: true,
            break_glass_admins: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("secret_key_file", &self.secret_key_file)
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("oauth_client_id", &self.oauth_client_id)
            .field(
                "oauth_client_secret",
                &self.oauth_client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("oauth_login_base", &self.oauth_login_base)
            .field("probe_interval_seconds", &self.probe_interval_seconds)
            .field("alert_webhook_url", &self.alert_webhook_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "[redacted]"))
            .field("email_from", &self.email_from)
            .field("alert_emails", &self.alert_emails)
            .field("secure_cookies", &self.secure_cookies)
            .field(
                "transient_alert_after_seconds",
                &self.transient_alert_after_seconds,
            )
            .field("worker_concurrency", &self.worker_concurrency)
            .field("job_lease_seconds", &self.job_lease_seconds)
            .field("keep_finished_jobs_days", &self.keep_finished_jobs_days)
            .field("keep_dead_jobs_days", &self.keep_dead_jobs_days)
            .field("keep_runs_days", &self.keep_runs_days)
            .field("keep_failed_runs_days", &self.keep_failed_runs_days)
            .field("allow_any_wrike_host", &self.allow_any_wrike_host)
            .field("recipe_http_allow", &self.recipe_http_allow)
            .field("recipe_max_items", &self.recipe_max_items)
            .field("recipe_max_step_bytes", &self.recipe_max_step_bytes)
            .field("recipe_max_run_bytes", &self.recipe_max_run_bytes)
            .field(
                "recipe_step_compute_seconds",
                &self.recipe_step_compute_seconds,
            )
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "[redacted]"),
            )
            .field("metrics_listen", &self.metrics_listen)
            .field("sync_interval_seconds", &self.sync_interval_seconds)
            .field("wrike_requests_per_minute", &self.wrike_requests_per_minute)
            .field("backfill_days", &self.backfill_days)
            .field("sync_lease_seconds", &self.sync_lease_seconds)
            .field("usage_stale_after_hours", &self.usage_stale_after_hours)
            .field(
                "dialogue_emails_per_minute",
                &self.dialogue_emails_per_minute,
            )
            .field("renewal_reminder_days", &self.renewal_reminder_days)
            .field("sso_issuer", &self.sso_issuer)
            .field("sso_client_id", &self.sso_client_id)
            .field(
                "sso_client_secret",
                &self.sso_client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("sso_role_claim", &self.sso_role_claim)
            .field("sso_admin_values", &self.sso_admin_values)
            .field("sso_analyst_values", &self.sso_analyst_values)
            .field("sso_operator_values", &self.sso_operator_values)
            .field("sso_create_users", &self.sso_create_users)
            .field("local_passwords", &self.local_passwords)
            .field("break_glass_admins", &self.break_glass_admins)
            .finish()
    }
}

/// A database URL without its password.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Settings {
    /// Loads settings. `file` is `--config`; without it `weft.toml` is read when present.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut figment = Figment::new().merge(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(
                    path.exists(),
                    "config file {} does not exist",
                    path.display()
                );
                figment = figment.merge(Toml::file_exact(path));
            }
            None if Path::new("weft.toml").exists() => {
                figment = figment.merge(Toml::file_exact("weft.toml"))
            }
            None => {}
        }
        figment = figment.merge(Env::prefixed("WEFT_").only(KEYS));
        figment = figment.merge(Serialized::defaults(settings_from_files(|name| {
            std::env::var(name).ok()
        })?));
        let settings: Settings = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))
            .context("loading settings (defaults, TOML file, WEFT_* variables)")?;
        settings.check()?;
        Ok(settings)
    }

    /// Refuses values that cannot work, naming the setting.
    pub fn check(&self) -> anyhow::Result<()> {
        let within = |name: &str, value: u64, low: u64, high: u64| {
            anyhow::ensure!(
                (low..=high).contains(&value),
                "invalid configuration: {name} = {value} is out of range ({low} to {high})"
            );
            Ok(())
        };
        within(
            "probe_interval_seconds",
            self.probe_interval_seconds,
            1,
            86_400,
        )?;
        within(
            "transient_alert_after_seconds",
            self.transient_alert_after_seconds,
            0,
            7 * 86_400,
        )?;
        within("worker_concurrency", self.worker_concurrency, 1, 1_024)?;
        within("job_lease_seconds", self.job_lease_seconds, 2, 3_600)?;
        within(
            "keep_finished_jobs_days",
            self.keep_finished_jobs_days,
            1,
            3_650,
        )?;
        within("keep_dead_jobs_days", self.keep_dead_jobs_days, 1, 3_650)?;
        within("keep_runs_days", self.keep_runs_days, 1, 3_650)?;
        within(
            "keep_failed_runs_days",
            self.keep_failed_runs_days,
            1,
            3_650,
        )?;
        within(
            "sync_interval_seconds",
            self.sync_interval_seconds,
            60,
            7 * 86_400,
        )?;
        within(
            "wrike_requests_per_minute",
            self.wrike_requests_per_minute,
            1,
            6_000,
        )?;
        within("backfill_days", self.backfill_days, 1, 3_650)?;
        within(
            "usage_stale_after_hours",
            self.usage_stale_after_hours,
            1,
            8_760,
        )?;
        within(
            "dialogue_emails_per_minute",
            self.dialogue_emails_per_minute,
            1,
            6_000,
        )?;
        self.reminder_days()?;
        within("recipe_max_items", self.recipe_max_items, 1, 100_000)?;
        within(
            "recipe_max_step_bytes",
            self.recipe_max_step_bytes,
            1 << 10,
            1 << 30,
        )?;
        within(
            "recipe_max_run_bytes",
            self.recipe_max_run_bytes,
            1 << 10,
            1 << 32,
        )?;
        within(
            "recipe_step_compute_seconds",
            self.recipe_step_compute_seconds,
            1,
            3_600,
        )?;
        within("sync_lease_seconds", self.sync_lease_seconds, 2, 3_600)?;
        weft_hub::egress::PrivateHosts::parse(&self.recipe_http_allow)
            .map_err(|e| anyhow::anyhow!("invalid configuration: recipe_http_allow: {e}"))?;
        self.mailer()?;
        anyhow::ensure!(
            self.public_url.starts_with("http://") || self.public_url.starts_with("https://"),
            "invalid configuration: public_url {:?} must start with http:// or https://",
            self.public_url
        );
        anyhow::ensure!(
            self.metrics_token.as_ref().is_none_or(|t| t.len() >= 16),
            "invalid configuration: metrics_token must have at least 16 characters"
        );
        self.sso()?;
        Ok(())
    }

    /// Single sign-on as configured; none without `sso_issuer`. Errors name the setting.
    pub fn sso(&self) -> anyhow::Result<Option<weft_hub::sso::SsoSettings>> {
        let Some(issuer) = &self.sso_issuer else {
            anyhow::ensure!(
                self.sso_client_id.is_none() && self.sso_client_secret.is_none(),
                "invalid configuration: sso_client_id and sso_client_secret need sso_issuer"
            );
            anyhow::ensure!(
                self.local_passwords,
                "invalid configuration: local_passwords = false needs single sign-on (sso_issuer); nobody could sign in"
            );
            return Ok(None);
        };
        let parsed = url::Url::parse(issuer).map_err(|e| {
            anyhow::anyhow!("invalid configuration: sso_issuer {issuer:?} is not a URL ({e})")
        })?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        anyhow::ensure!(
            parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback),
            "invalid configuration: sso_issuer {issuer:?} must be https (http only on this machine's loopback)"
        );
        let (Some(client_id), Some(secret)) = (&self.sso_client_id, &self.sso_client_secret) else {
            anyhow::bail!(
                "invalid configuration: sso_issuer needs sso_client_id and sso_client_secret"
            );
        };
        let roles = vec![
            (weft_core::roles::Role::Admin, self.sso_admin_values.clone()),
            (
                weft_core::roles::Role::Analyst,
                self.sso_analyst_values.clone(),
            ),
            (
                weft_core::roles::Role::Operator,
                self.sso_operator_values.clone(),
            ),
        ];
        anyhow::ensure!(
            roles.iter().any(|(_, values)| !values.is_empty()),
            "invalid configuration: single sign-on needs the claim values of at least one role (sso_admin_values, sso_analyst_values, sso_operator_values)"
        );
        anyhow::ensure!(
            !self.sso_role_claim.trim().is_empty(),
            "invalid configuration: sso_role_claim is empty"
        );
        anyhow::ensure!(
            self.local_passwords || !self.break_glass_admins.is_empty(),
            "invalid configuration: local_passwords = false needs at least one of break_glass_admins, to sign in when the identity provider is down"
        );
        Ok(Some(weft_hub::sso::SsoSettings {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            client_secret: secrecy::SecretString::from(secret.clone()),
            redirect_url: format!("{}/sso/callback", self.public_url.trim_end_matches('/')),
            role_claim: self.sso_role_claim.trim().to_owned(),
            roles,
            create_users: self.sso_create_users,
        }))
    }

    /// The server's settings from these.
    pub fn server(&self) -> weft_server::ServerConfig {
        weft_server::ServerConfig {
            https: self.public_url.starts_with("https://") || self.secure_cookies,
            trust_forwarded_for: self.trust_forwarded_for,
            metrics_token: self.metrics_token.clone().map(secrecy::SecretString::from),
            metrics_elsewhere: self.metrics_listen.is_some(),
            ..weft_server::ServerConfig::default()
        }
    }

    /// The mailer `smtp_url` and `email_from` describe, with the `alert_emails`; none
    /// without `smtp_url`. Errors name the setting and never repeat the URL.
    pub fn mailer(
        &self,
    ) -> anyhow::Result<Option<(weft_hub::mail::Mailer, Vec<weft_hub::mail::Mailbox>)>> {
        let alert_to = weft_hub::mail::parse_addresses(&self.alert_emails)
            .map_err(|e| anyhow::anyhow!("invalid configuration: alert_emails: {e}"))?;
        let Some(url) = &self.smtp_url else {
            anyhow::ensure!(
                alert_to.is_empty(),
                "invalid configuration: alert_emails needs smtp_url (and email_from)"
            );
            return Ok(None);
        };
        let from = self.email_from.as_deref().ok_or_else(|| {
            anyhow::anyhow!("invalid configuration: smtp_url needs email_from, the sender")
        })?;
        let mailer = weft_hub::mail::Mailer::new(&secrecy::SecretString::from(url.clone()), from)
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        Ok(Some((mailer, alert_to)))
    }

    /// `renewal_reminder_days` as numbers, each a day count from 1 to 730.
    pub fn reminder_days(&self) -> anyhow::Result<Vec<i64>> {
        let mut days = Vec::new();
        for part in self
            .renewal_reminder_days
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let day: i64 = part.parse().ok().filter(|d| (1..=730).contains(d)).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid configuration: renewal_reminder_days: {part:?} is not a number of days from 1 to 730"
                )
            })?;
            days.push(day);
        }
        Ok(days)
    }

    /// The hub's rules from these settings.
    pub fn policy(&self) -> weft_hub::Policy {
        weft_hub::Policy {
            transient_grace_s: self.transient_alert_after_seconds as i64,
            allow_any_wrike_host: self.allow_any_wrike_host,
            requests_per_minute: self.wrike_requests_per_minute as u32,
            backfill_days: self.backfill_days as i64,
            sync_lease_s: self.sync_lease_seconds as i64,
            usage_stale_after_s: self.usage_stale_after_hours as i64 * 3600,
            dialogue_mail: std::sync::Arc::new(weft_hub::MailRate::per_minute(
                self.dialogue_emails_per_minute as u32,
            )),
            // Checked when the settings were loaded.
            renewal_reminder_days: self.reminder_days().unwrap_or_default(),
            public_url: self.public_url.trim_end_matches('/').to_owned(),
            // Checked when the settings were loaded.
            recipe_http: weft_hub::egress::PrivateHosts::parse(&self.recipe_http_allow)
                .unwrap_or_default(),
            recipe_limits: weft_hub::recipes::prepare::RecipeLimits {
                max_items: self.recipe_max_items as usize,
                max_step_bytes: self.recipe_max_step_bytes as usize,
                max_run_bytes: self.recipe_max_run_bytes as usize,
                step_compute: Duration::from_secs(self.recipe_step_compute_seconds),
            },
            local_passwords: self.local_passwords,
            break_glass_admins: self.break_glass_admins.clone(),
            ..weft_hub::Policy::default()
        }
    }

    /// The runtime's settings; `worker_id` names this instance's leases.
    pub fn runtime(&self, worker_id: String) -> weft_hub::runtime::RuntimeConfig {
        let defaults = weft_hub::runtime::RuntimeConfig::default();
        weft_hub::runtime::RuntimeConfig {
            worker: weft_hub::runtime::WorkerConfig {
                id: worker_id,
                concurrency: self.worker_concurrency as usize,
                lease: Duration::from_secs(self.job_lease_seconds),
                ..defaults.worker
            },
            probe_interval: Duration::from_secs(self.probe_interval_seconds),
            sync_interval: Duration::from_secs(self.sync_interval_seconds),
            keep: weft_hub::runtime::Retention {
                jobs_done: days(self.keep_finished_jobs_days),
                jobs_dead: days(self.keep_dead_jobs_days),
                runs_done: days(self.keep_runs_days),
                runs_failed: days(self.keep_failed_runs_days),
            },
            ..defaults
        }
    }
}

/// A list given as a list (TOML) or as comma-separated text (an environment variable).
fn list_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    Ok(match ListOrText::deserialize(d)? {
        ListOrText::List(list) => list,
        ListOrText::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}
