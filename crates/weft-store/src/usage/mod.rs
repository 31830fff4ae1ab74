//! The usage area: what syncs read from each connection's Wrike account, what they derive
//! from it, and the reports over both. `ingest` is written by syncs (each page with its
//! checkpoint in one transaction), `reports` reads, `plans` keeps what people enter
//! (renewal costs) and decide (reclaim plans), `policies` the license policies applied and
//! the seats they judge, `dialogues` the reclaim dialogue's people, `savings`
//! the ledger of what applied reclaims saved, `notices` the renewal reminders and weekly
//! digests sent.
//!
//! Rows of a connection go when the connection goes (foreign keys with `ON DELETE CASCADE`).

mod dialogues;
mod ingest;
mod notices;
mod periods;
mod plans;
mod policies;
mod reports;
mod savings;

pub use dialogues::*;
pub use ingest::*;
pub use notices::*;
pub use periods::PeriodKind;
pub use plans::*;
pub use policies::*;
pub use reports::*;
pub use savings::*;

use crate::db::Db;

/// The usage area of the store.
pub struct Usage<'a> {
    pub(crate) db: &'a Db,
}

/// The sources a sync reads, by the name stored in `usage_sources.source`.
pub mod source {
    pub const ACCOUNT: &str = "account";
    pub const USER_TYPES: &str = "user_types";
    pub const USERS: &str = "users";
    pub const AUDIT_LOG: &str = "audit_log";
    pub const TASKS: &str = "tasks";
    pub const COMMENTS: &str = "comments";
    pub const TIMELOGS: &str = "timelogs";
    pub const ALL: [&str; 7] = [
        ACCOUNT, USER_TYPES, USERS, AUDIT_LOG, TASKS, COMMENTS, TIMELOGS,
    ];
}
