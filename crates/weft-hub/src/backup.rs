//! Backups of the embedded database: made while the hub serves, stamped with the id of the
//! key its secrets need, and checked against a key before they are restored; and the copy of
//! the embedded database into PostgreSQL.

use std::path::Path;

use weft_core::secrets::SecretKey;
use weft_store::backup::{self as stored, BackupInfo};
use weft_store::{CopiedTable, Store};

use crate::Hub;
use crate::error::{HubError, HubResult};

/// A backup made.
#[derive(Debug)]
pub struct Made {
    pub key_id: String,
    pub bytes: u64,
    pub counts: Vec<(&'static str, i64)>,
}

/// Writes a consistent copy of the hub's database to `to`, which must not exist yet.
pub async fn make(hub: &Hub, to: &Path) -> HubResult<Made> {
    if to.exists() {
        return Err(HubError::Invalid(format!(
            "{} exists: a backup never overwrites a file; name a new one",
            to.display()
        )));
    }
    let key_id = hub.key()?.id();
    hub.store.backup_to(to, &key_id).await?;
    let info = stored::describe(to).await?;
    Ok(Made {
        key_id,
        bytes: std::fs::metadata(to).map(|m| m.len()).unwrap_or(0),
        counts: info.counts,
    })
}

/// Reads the backup at `from` and checks that `key` opens its secrets; answers what it holds,
/// or why it cannot be restored with this key.
pub async fn check(from: &Path, key: &SecretKey) -> HubResult<BackupInfo> {
    if !from.is_file() {
        return Err(HubError::Invalid(format!(
            "{} is not a file",
            from.display()
        )));
    }
    let info = stored::describe(from).await.map_err(|e| {
        HubError::Invalid(format!(
            "{} is not a weft backup that can be read: {e}",
            from.display()
        ))
    })?;
    match &info.marker {
        None => Err(HubError::Invalid(format!(
            "{} has no key marker: it is not a backup made by `weft backup` of a hub that has started",
            from.display()
        ))),
        Some(sealed) if !crate::keys::opens_marker(key, sealed) => Err(HubError::Invalid(format!(
            "{} needs the secrets key with id {}; the key configured here has id {}: set WEFT_SECRET_KEY or secret_key_file to the key the backup was made with",
            from.display(),
            info.key_id.as_deref().unwrap_or("(not recorded)"),
            key.id()
        ))),
        Some(_) => Ok(info),
    }
}

/// Rows per counted table of the hub's database (to compare with a backup's).
pub async fn counts(hub: &Hub) -> HubResult<Vec<(&'static str, i64)>> {
    Ok(hub.store.counts().await?)
}

/// Copies the hub's embedded database into `target`, a PostgreSQL store (migrated and
/// empty), and checks that the hub's key opens the copy's secrets; answers each table's rows.
pub async fn copy_to(hub: &Hub, target: &Store) -> HubResult<Vec<CopiedTable>> {
    let key = hub.key()?;
    let copied = hub.store.copy_into(target).await?;
    if !crate::keys::opens(target, key).await? {
        return Err(HubError::Invalid(
            "the copy's secrets do not open with this hub's key".into(),
        ));
    }
    Ok(copied)
}
