//! In-memory read caches for the small, hot tables every request reads (who is calling:
//! API tokens and sessions; the connections, which every page's banner shows), and the
//! rules that keep them exact.
//!
//! A cached value is tagged with the generation current before it was read, and is served
//! only while (a) the generation is unchanged and (b) the change watcher is alive. The
//! generation moves:
//! - at once, after any write this process makes to those tables;
//! - when the watcher (`Store::watch_changes`, run by the hub's runtime) sees the database's
//!   change counter move. Triggers move that counter on every change to users, sessions,
//!   API tokens and connections, whoever makes it: another hub instance, the CLI beside a
//!   running server, a person at a SQL prompt. The watcher polls it every `POLL`.
//!
//! So a change made here is seen here at once, and a change made elsewhere within `POLL`.
//! Revocations wait `propagation_delay()` before they report success, so once a person is
//! told a token is revoked, no instance accepts it. Without a live watcher (the CLI, tests
//! that run no runtime, a watcher that failed), nothing is served from the caches.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often the watcher reads the change counter.
pub const POLL: Duration = Duration::from_millis(50);
/// A watcher silent for longer than this is presumed dead and the caches are bypassed.
const STALE_AFTER: Duration = Duration::from_millis(500);
/// Largest number of cached callers; the cache starts over when full.
const MAX_CALLERS: usize = 10_000;

pub(crate) struct Freshness {
    generation: AtomicU64,
    /// Milliseconds since `started` of the watcher's last successful poll; -1: never.
    last_poll: AtomicI64,
    started: Instant,
    /// The change counter as last seen by the watcher.
    seen_counter: AtomicI64,
}

impl Freshness {
    pub fn new() -> Freshness {
        Freshness {
            generation: AtomicU64::new(0),
            last_poll: AtomicI64::new(-1),
            started: Instant::now(),
            seen_counter: AtomicI64::new(i64::MIN),
        }
    }

    /// The generation to tag a value with, if caching may be trusted now; read it *before*
    /// reading the database.
    pub fn current(&self) -> Option<u64> {
        let last = self.last_poll.load(Ordering::Acquire);
        let alive = last >= 0
            && self.started.elapsed().as_millis() as i64 - last < STALE_AFTER.as_millis() as i64;
        alive.then(|| self.generation.load(Ordering::Acquire))
    }

    /// Everything cached so far is stale (call after a write commits).
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The watcher read `counter`; a move means someone changed the hot tables.
    pub fn polled(&self, counter: i64) {
        if self.seen_counter.swap(counter, Ordering::AcqRel) != counter {
            self.changed();
        }
        self.last_poll
            .store(self.started.elapsed().as_millis() as i64, Ordering::Release);
    }
}

/// One cached value per key, each tagged with its generation.
pub(crate) struct Cache<K, V> {
    entries: Mutex<HashMap<K, (u64, V)>>,
}

impl<K: std::hash::Hash + Eq, V: Clone> Cache<K, V> {
    pub fn new() -> Cache<K, V> {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value cached under `key` in `generation`.
    pub fn get(&self, key: &K, generation: u64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(tagged, _)| *tagged == generation)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_CALLERS {
            entries.clear();
        }
        entries.insert(key, (generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_are_trusted_only_while_the_watcher_polls_and_nothing_changed() {
        let fresh = Freshness::new();
        assert_eq!(fresh.current(), None, "no watcher yet: no caching");
        fresh.polled(7);
        let g = fresh.current().expect("a live watcher");
        let cache = Cache::new();
        cache.put("token", g, "ada");
        assert_eq!(cache.get(&"token", g), Some("ada"));
        fresh.polled(7);
        assert_eq!(fresh.current(), Some(g), "the same counter changes nothing");
        fresh.polled(8);
        let moved = fresh.current().unwrap();
        assert_ne!(moved, g, "a change elsewhere moves the generation");
        assert_eq!(cache.get(&"token", moved), None);
        fresh.changed();
        assert_ne!(
            fresh.current().unwrap(),
            moved,
            "a change here moves it too"
        );
    }
}
