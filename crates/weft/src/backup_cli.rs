//! `weft backup` and `weft restore`: a consistent copy of the embedded database made while
//! the hub serves, and its restore into an empty data folder with the key it was made with.

use std::path::Path;

use anyhow::Context;
use weft_hub::backup;

use crate::config::Settings;
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
