//! Small helpers shared by the commands.

/// An id with a readable prefix: `conn_3fX9...`.
pub fn new_id(prefix: &str) -> String {
    let tail: String = (0..16).map(|_| fastrand::alphanumeric()).collect();
    format!("{prefix}_{tail}")
}

/// Unix seconds now.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
