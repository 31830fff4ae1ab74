//! The time the hub reads. Everything that decides by time (leases, schedules, token
//! expiry, checkpoints, health grace periods) asks a `Clock` instead of the system, so tests
//! can move time instead of sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Unix seconds.
    fn now_s(&self) -> i64 {
        self.now().timestamp()
    }

    /// Unix milliseconds.
    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one place the system's time is read.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock(Mutex::new(start))
    }

    /// Starts at a whole second, so second and millisecond readings agree.
    pub fn at_unix(seconds: i64) -> ManualClock {
        ManualClock::new(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::at_unix(1_700_000_000);
        assert_eq!(clock.now_s(), 1_700_000_000);
        assert_eq!(clock.now_ms(), 1_700_000_000_000);
        clock.advance(Duration::milliseconds(1_500));
        assert_eq!(clock.now_ms(), 1_700_000_001_500);
        assert_eq!(clock.now_s(), 1_700_000_001);
    }
}
