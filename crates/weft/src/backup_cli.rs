//! `weft backup` and `weft restore`: a consistent copy of the embedded database made while
//! the hub serves, and its restore into an empty data folder with the key it was made with;
//! `weft store copy`: the embedded database moved into PostgreSQL.

use std::path::Path;

use anyhow::Context;
use weft_hub::backup;

use crate::config::{Settings, redact_url};
use crate::hub;

fn print_counts(counts: &[(&str, i64)]) {
    for (what, n) in counts {
        println!("  {n:>10} {what}");
    }
}

pub async fn backup_command(settings: Settings, file: &Path) -> anyhow::Result<()> {
    let hub = hub::services(&settings).await?;
    let made = backup::make(&hub, file)
        .await
        .with_context(|| format!("backing up to {}", file.display()))?;
    println!(
        "backed up to {} ({} bytes); restoring it needs the secrets key with id {} (keep the key apart from the backup)",
        file.display(),
        made.bytes,
        made.key_id
    );
    print_counts(&made.counts);
    Ok(())
}

pub async fn restore_command(settings: Settings, file: &Path) -> anyhow::Result<()> {
    let target = weft_store::backup::sqlite_file(&settings.database_url).ok_or_else(|| {
        anyhow::anyhow!(
            "weft restore restores the embedded database (database_url sqlite://PATH); a PostgreSQL database is restored with `pg_restore --dbname=DATABASE_URL weft.dump` into an empty database"
        )
    })?;
    if std::fs::metadata(&target).is_ok_and(|m| m.len() > 0) {
        anyhow::bail!(
            "{} exists: restore only into an empty data folder (move the current database away first)",
            target.display()
        );
    }
    let key = hub::configured_key(&settings)?.ok_or_else(|| {
        anyhow::anyhow!(
            "no secrets key: set WEFT_SECRET_KEY or secret_key_file to the key the backup was made with"
        )
    })?;
    let info = backup::check(file, &key).await?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    // Copied beside the target and renamed, so a restore cut short leaves no half database.
    let partial = target.with_extension("restoring");
    std::fs::copy(file, &partial)
        .with_context(|| format!("copying {} to {}", file.display(), partial.display()))?;
    std::fs::rename(&partial, &target)
        .with_context(|| format!("moving {} to {}", partial.display(), target.display()))?;
    // Opening it migrates a backup of an older weft to this one's schema, and checks the key.
    let hub = hub::services(&settings).await?;
    let counts = backup::counts(&hub).await?;
    println!(
        "restored {} into {} (made at migration {}):",
        file.display(),
        target.display(),
        info.migration.map_or("?".to_owned(), |m| m.to_string())
    );
    print_counts(&counts);
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum StoreCommand {
    /// Copy the embedded database into an empty PostgreSQL database: every table, secrets
    /// still sealed, each table's rows counted on both sides. Stop `weft serve` first (the copy
    /// is the database as it was when the copy began). Give the password in PGPASSWORD or
    /// ~/.pgpass, never in the URL.
    Copy {
        /// postgres://USER@HOST:PORT/DATABASE (migrated here first; must hold no weft data).
        #[arg(long)]
        to: String,
    },
}

pub async fn store_command(settings: Settings, command: StoreCommand) -> anyhow::Result<()> {
    match command {
        StoreCommand::Copy { to } => copy_command(settings, &to).await,
    }
}

async fn copy_command(settings: Settings, to: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        to.starts_with("postgres://") || to.starts_with("postgresql://"),
        "--to {:?} is not a PostgreSQL URL: postgres://USER@HOST:PORT/DATABASE",
        redact_url(to)
    );
    let parsed = url::Url::parse(to).with_context(|| format!("--to {:?}", redact_url(to)))?;
    anyhow::ensure!(
        parsed.password().is_none(),
        "--to holds a password, which every user of this machine can read in the process list: leave it out of the URL and set PGPASSWORD (or use ~/.pgpass)"
    );
    anyhow::ensure!(
        settings.database_url.starts_with("sqlite:"),
        "weft store copy copies the embedded database (database_url sqlite://PATH); this hub's database is {}",
        redact_url(&settings.database_url)
    );
    let hub = hub::services(&settings).await?;
    let target_settings = Settings {
        database_url: to.to_owned(),
        ..settings.clone()
    };
    let target = hub::open_store(&target_settings).await?;
    let copied = backup::copy_to(&hub, &target)
        .await
        .with_context(|| format!("copying into {}", redact_url(to)))?;
    let rows: i64 = copied.iter().map(|t| t.rows).sum();
    println!(
        "copied {} tables ({rows} rows) into {}, each table's rows counted on both sides:",
        copied.len(),
        redact_url(to)
    );
    for table in &copied {
        println!("  {:>10} {}", table.rows, table.table);
    }
    let key = hub.key()?.id();
    let kept = if settings.secret_key.is_none() && settings.secret_key_file.is_none() {
        format!(
            "the embedded default keeps it in {}",
            settings.data_dir.join("secret.key").display()
        )
    } else {
        "the key configured here".to_owned()
    };
    println!(
        "next: set database_url to {} and give every instance the secrets key with id {key} with secret_key_file or WEFT_SECRET_KEY ({kept})",
        redact_url(to)
    );
    Ok(())
}
