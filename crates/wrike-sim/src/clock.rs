//! The simulated clock: real time plus an offset that tests can move, or a pinned instant.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

#[derive(Debug)]
pub struct Clock {
    /// `now = real now + offset`.
    offset: Mutex<Duration>,
}

impl Clock {
    /// A clock that reads `start` right now and then runs at real speed.
    pub fn starting_at(start: Option<DateTime<Utc>>) -> Clock {
        let offset = start.map(|s| s - Utc::now()).unwrap_or_else(Duration::zero);
        Clock {
            offset: Mutex::new(offset),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now() + *self.offset.lock().expect("clock lock");
        // Whole seconds, as Wrike reports every timestamp.
        DateTime::from_timestamp(now.timestamp(), 0).expect("in range")
    }

    pub fn advance(&self, by: Duration) {
        *self.offset.lock().expect("clock lock") += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.offset.lock().expect("clock lock") = to - Utc::now();
    }
}
