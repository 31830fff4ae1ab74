//! Opening the hub's pieces from settings: the store (backend from the URL scheme), the
//! secrets key, the OAuth app, and the name this instance's workers lease jobs under.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use weft_core::secrets::SecretKey;
use weft_store::Store;

use crate::config::{Settings, redact_url};

/// The services over the configured store, key, OAuth app, alert channels and policy. A key
/// that cannot open the database's secrets is refused here, before anything starts.
pub async fn services(settings: &Settings) -> anyhow::Result<weft_hub::Hub> {
    let store = Arc::new(open_store(settings).await?);
    let key = secret_key(settings, &store).await?;
    weft_hub::keys::check(&store, &key).await?;
    let mut hub = weft_hub::Hub::new(store, key);
    hub.oauth = oauth_client(settings)?;
    if let Some(sso) = settings.sso()? {
        hub.sso = Some(Arc::new(weft_hub::sso::Sso::new(sso)?));
    }
    hub.alerter = weft_hub::alerts::Alerter::new(settings.alert_webhook_url.clone());
    if let Some((mailer, alert_to)) = settings.mailer()? {
        hub.alerter = hub.alerter.with_mail(mailer, alert_to);
    }
    hub.policy = settings.policy();
    // Configured secrets are kept out of recipe runs like stored ones: the SMTP URL (with
    // its password), the OAuth app's secret, the metrics token.
    for secret in [
        &settings.smtp_url,
        &settings.oauth_client_secret,
        &settings.sso_client_secret,
        &settings.metrics_token,
    ]
    .into_iter()
    .flatten()
    {
        hub.secrets.register(secret);
        if let Some(password) = url::Url::parse(secret)
            .ok()
            .and_then(|u| u.password().map(str::to_owned))
        {
            // As written in the URL, and percent-decoded as the server receives it.
            hub.secrets.register(&password);
            if let Some((_, decoded)) =
                url::form_urlencoded::parse(format!("p={password}").as_bytes()).next()
            {
                hub.secrets.register(&decoded);
            }
        }
    }
    Ok(hub)
}

/// The services for commands that never open a stored token: no key is loaded (or made).
pub async fn services_without_key(settings: &Settings) -> anyhow::Result<weft_hub::Hub> {
    let store = Arc::new(open_store(settings).await?);
    let mut hub = weft_hub::Hub::without_key(store);
    hub.policy = settings.policy();
    Ok(hub)
}

/// Names this instance's job leases: host, process and a random tail, so two instances on
/// one host (or a restarted one) never share a name.
pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "weft".into());
    let tail: String = (0..4).map(|_| fastrand::alphanumeric()).collect();
    format!("{host}-{}-{tail}", std::process::id())
}

/// The Wrike OAuth app, when both its id and secret are configured.
pub fn oauth_client(settings: &Settings) -> anyhow::Result<Option<wrike_api::OAuthClient>> {
    let (Some(id), Some(secret)) = (&settings.oauth_client_id, &settings.oauth_client_secret)
    else {
        anyhow::ensure!(
            settings.oauth_client_id.is_none() && settings.oauth_client_secret.is_none(),
            "set both oauth_client_id and oauth_client_secret, or neither"
        );
        return Ok(None);
    };
    let redirect = format!(
        "{}/connections/oauth/callback",
        settings.public_url.trim_end_matches('/')
    );
    let config = wrike_api::OAuthConfig::with_login_base(
        &settings.oauth_login_base,
        id,
        secrecy::SecretString::from(secret.clone()),
        Some(redirect),
    )
    .context("oauth_login_base")?;
    let reach = if settings.allow_any_wrike_host {
        wrike_api::http::Reach::Anywhere
    } else {
        wrike_api::http::Reach::PublicOnly
    };
    Ok(Some(wrike_api::OAuthClient::new(
        config,
        wrike_api::http::http_client(std::time::Duration::from_secs(30), reach),
    )))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// The store named by the database URL: `sqlite://` or `postgres://` / `postgresql://`.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url.as_str();
    anyhow::ensure!(
        url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"),
        "database_url {:?} is not supported: use sqlite://PATH or postgres://USER@HOST/DB",
        redact_url(url)
    );
    Store::open(url)
        .await
        .with_context(|| format!("opening the database {}", redact_url(url)))
}

/// The secrets key: `secret_key` (e.g. `WEFT_SECRET_KEY`), else `secret_key_file`, else, for
/// the embedded SQLite default only, `DATA_DIR/secret.key`, generated on first use. A key is
/// generated only for a database that holds no secret yet: for one that does, a new key could
/// open nothing, so the command refuses before writing a file.
pub async fn secret_key(settings: &Settings, store: &Store) -> anyhow::Result<SecretKey> {
    if let Some(key) = configured_key(settings)? {
        return Ok(key);
    }
    anyhow::ensure!(
        settings.database_url.starts_with("sqlite://"),
        "no secrets key: set WEFT_SECRET_KEY or secret_key_file (every instance sharing a PostgreSQL database needs the same key)"
    );
    let file = settings.data_dir.join("secret.key");
    let sealed_before =
        store.secrets().marker().await?.is_some() || store.secrets().any().await?.is_some();
    anyhow::ensure!(
        !sealed_before,
        "no secrets key: the database {} holds secrets sealed with a key that is not configured here, and {} does not exist. Set secret_key_file (or WEFT_SECRET_KEY) to the key they were sealed with; the demo keeps its key in weft-demo-data/secret.key",
        redact_url(&settings.database_url),
        file.display()
    );
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let hex = SecretKey::generate_hex();
    write_private(&file, &hex)?;
    tracing::warn!(path = %file.display(), "generated a new secrets key; back it up, since stored tokens cannot be read without it, and prefer WEFT_SECRET_KEY or secret_key_file in production");
    SecretKey::from_hex(&hex).context("the generated key")
}

/// The secrets key configured (`secret_key`, `secret_key_file`, or for the embedded
/// default a `DATA_DIR/secret.key` already there), never generating one.
pub fn configured_key(settings: &Settings) -> anyhow::Result<Option<SecretKey>> {
    if let Some(hex) = &settings.secret_key {
        return SecretKey::from_hex(hex)
            .context("secret_key (WEFT_SECRET_KEY)")
            .map(Some);
    }
    if let Some(file) = &settings.secret_key_file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading secret_key_file {}", file.display()))?;
        return SecretKey::from_hex(&text)
            .with_context(|| format!("secret_key_file {}", file.display()))
            .map(Some);
    }
    let file = settings.data_dir.join("secret.key");
    if settings.database_url.starts_with("sqlite://") && file.exists() {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        return SecretKey::from_hex(&text)
            .with_context(|| format!("the generated key {}", file.display()))
            .map(Some);
    }
    Ok(None)
}

#[cfg(unix)]
fn write_private(file: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut handle = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    handle
        .write_all(text.as_bytes())
        .with_context(|| format!("writing {}", file.display()))
}

#[cfg(not(unix))]
fn write_private(file: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(file, text).with_context(|| format!("writing {}", file.display()))
}
