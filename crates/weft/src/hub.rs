//! Opening the hub's pieces from settings: the store (backend from the URL scheme) and the
//! secrets key.

use std::path::Path;

use anyhow::Context;
use weft_core::secrets::SecretKey;
use weft_store::Store;

use crate::config::{Settings, redact_url};

/// The services over the configured store, key, OAuth app and alert webhook.
pub async fn services(settings: &Settings) -> anyhow::Result<weft_hub::Hub> {
    let store: std::sync::Arc<dyn Store> = open_store(settings).await?.into();
    Ok(weft_hub::Hub {
        store,
        key: secret_key(settings)?,
        oauth: oauth_client(settings)?,
        alerter: weft_hub::alerts::Alerter::new(settings.alert_webhook_url.clone()),
    })
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
    Ok(Some(wrike_api::OAuthClient::new(
        config,
        wrike_api::http::http_client(std::time::Duration::from_secs(30)),
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
pub async fn open_store(settings: &Settings) -> anyhow::Result<Box<dyn Store>> {
    let url = settings.database_url.as_str();
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or(path);
        if let Some(dir) = Path::new(file)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
        }
        let store = weft_store_sqlite::SqliteStore::open(url)
            .await
            .with_context(|| format!("opening the SQLite database {url}"))?;
        return Ok(Box::new(store));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = weft_store_postgres::PostgresStore::open(url)
            .await
            .with_context(|| format!("opening the PostgreSQL database {}", redact_url(url)))?;
        return Ok(Box::new(store));
    }
    anyhow::bail!(
        "database_url {:?} is not supported: use sqlite://PATH or postgres://USER@HOST/DB",
        redact_url(url)
    )
}

/// The secrets key: `secret_key` (e.g. `WEFT_SECRET_KEY`), else `secret_key_file`, else, for
/// the embedded SQLite default only, `DATA_DIR/secret.key`, generated on first use.
pub fn secret_key(settings: &Settings) -> anyhow::Result<SecretKey> {
    if let Some(hex) = &settings.secret_key {
        return SecretKey::from_hex(hex).context("secret_key (WEFT_SECRET_KEY)");
    }
    if let Some(file) = &settings.secret_key_file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading secret_key_file {}", file.display()))?;
        return SecretKey::from_hex(&text)
            .with_context(|| format!("secret_key_file {}", file.display()));
    }
    anyhow::ensure!(
        settings.database_url.starts_with("sqlite://"),
        "no secrets key: set WEFT_SECRET_KEY or secret_key_file (every instance sharing a PostgreSQL database needs the same key)"
    );
    let file = settings.data_dir.join("secret.key");
    if file.exists() {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        return SecretKey::from_hex(&text)
            .with_context(|| format!("the generated key {}", file.display()));
    }
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let hex = SecretKey::generate_hex();
    write_private(&file, &hex)?;
    tracing::warn!(path = %file.display(), "generated a new secrets key; back it up, since stored tokens cannot be read without it, and prefer WEFT_SECRET_KEY or secret_key_file in production");
    SecretKey::from_hex(&hex).context("the generated key")
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
