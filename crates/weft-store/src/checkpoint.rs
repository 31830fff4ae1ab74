//! SQLite's WAL checkpoints, mostly taken off the writers' path: a background task copies
//! committed pages from the WAL into the database file while syncs go on writing.
//!
//! SQLite checkpoints in the connection whose commit crossed `wal_autocheckpoint`, so that
//! writer waits for the copy and its fsync; in a backfill that was a third of the time.
//! This task copies in the meantime (PASSIVE: it never blocks readers or writers), so when
//! a writer does cross the mark only the last few frames are left to copy. The writers'
//! own checkpoint stays on: it is what lets the WAL start over, and so keeps it bounded.

use std::time::Duration;

use sqlx::SqlitePool;

/// How often to copy while there is something to copy; longer when there is not.
const BUSY_EVERY: Duration = Duration::from_millis(100);
const IDLE_EVERY: Duration = Duration::from_secs(1);

/// The running task; stopped when dropped (with the store that owns it).
pub(crate) struct Checkpointer(tokio::task::JoinHandle<()>);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

// The store's one background task (see docs/ARCHITECTURE.md): it lives and dies with the
// store that owns it, not with a runtime.
#[allow(clippy::disallowed_methods)]
pub(crate) fn start(pool: SqlitePool) -> Checkpointer {
    Checkpointer(tokio::spawn(async move {
        let mut every = IDLE_EVERY;
        loop {
            tokio::time::sleep(every).await;
            if pool.is_closed() {
                return;
            }
            // (busy, frames in the WAL, frames copied)
            let done: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&pool)
                .await;
            every = match done {
                Ok((_, frames, _)) if frames > 0 => BUSY_EVERY,
                // Nothing to copy, or the database is away: the writers' own checkpoint
                // still runs, so a failed pass here costs only speed.
                Ok(_) | Err(_) => IDLE_EVERY,
            };
        }
    }))
}
