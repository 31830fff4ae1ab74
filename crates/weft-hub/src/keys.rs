//! The secrets key and the database it opens: a sealed marker proves that the key in use is
//! the one the stored secrets were sealed with, so a hub started with another key refuses
//! to start instead of failing every check later; and rotation re-seals every secret with a
//! new key in one transaction.

use weft_core::secrets::SecretKey;
use weft_store::Store;

use crate::error::{HubError, HubResult};

/// The row the marker is sealed to, and what it holds.
const MARKER_ROW: &str = "weft:key-check";
const MARKER_TEXT: &[u8] = b"sealed by this hub's secrets key";

fn wrong_key() -> HubError {
    HubError::Invalid(
        "the secrets key (WEFT_SECRET_KEY or secret_key_file) is not the key this database's secrets were sealed with: start with the key they were sealed with, or move them to a new key with `weft key rotate`"
            .into(),
    )
}

/// Refuses a key that cannot open this database's secrets. The first check of a database
/// (new, or from before the marker existed) proves the key on a stored secret, if any, and
/// then records the marker.
pub async fn check(store: &Store, key: &SecretKey) -> HubResult<()> {
    let secrets = store.secrets();
    if let Some(sealed) = secrets.marker().await? {
        return key
            .open(MARKER_ROW, &sealed)
            .map(drop)
            .map_err(|_| wrong_key());
    }
    if let Some((row, sealed)) = secrets.any().await? {
        key.open(&row, &sealed).map_err(|_| wrong_key())?;
    }
    secrets
        .set_marker(&key.seal(MARKER_ROW, MARKER_TEXT))
        .await?;
    Ok(())
}

/// Whether `key` opens the database's key marker, without writing anything (the readiness
/// probe's key check): false when it does not or the marker is missing.
pub async fn opens(store: &Store, key: &SecretKey) -> HubResult<bool> {
    Ok(store
        .secrets()
        .marker()
        .await?
        .is_some_and(|sealed| opens_marker(key, &sealed)))
}

/// Whether `key` opens a key marker read elsewhere (a backup's).
pub fn opens_marker(key: &SecretKey, sealed: &[u8]) -> bool {
    key.open(MARKER_ROW, sealed).is_ok()
}

/// Re-seals every stored secret from `old` to `new`, all or nothing; returns how many.
pub async fn rotate(store: &Store, old: &SecretKey, new: &SecretKey) -> HubResult<usize> {
    check(store, old).await.map_err(|_| {
        HubError::Invalid(
            "the old key given is not the key this database's secrets were sealed with".into(),
        )
    })?;
    let resealed = store
        .secrets()
        .reseal(
            |row, sealed| old.open(row, sealed).map(|plain| new.seal(row, &plain)),
            &new.seal(MARKER_ROW, MARKER_TEXT),
        )
        .await?;
    resealed.map_err(|_| {
        HubError::Internal(
            "a stored secret did not open with the old key; nothing was changed".into(),
        )
    })
}
