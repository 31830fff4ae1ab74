//! Usage analytics: syncs that read each connection's people, audit log and work activity
//! (`sync`, with the sources in `people`, `audit` and `work`, read in `windows`), the reports
//! over what they stored (`reports`), exports (`export`), and reclaiming idle seats
//! (`reclaim`), license policies that say who is idle and propose reclaims (`policies`), the reclaim
//! dialogue that asks the people they flag first (`dialogue`), the ledger of what applied
//! reclaims saved (`savings`), how
//! current each connection's data is (`freshness`), the renewal plan of each account
//! (`renewal`) with reminders as the date nears (`reminders`), and the weekly digest
//! (`digest`). Syncs run as jobs (`jobs`): on a schedule, or on demand.

mod audit;
mod context;
pub mod dialogue;
pub mod digest;
pub mod export;
pub mod freshness;
pub mod jobs;
mod people;
pub mod policies;
pub mod reclaim;
pub mod reminders;
pub mod renewal;
pub mod reports;
pub mod savings;
pub mod sync;
mod windows;
mod work;

pub use sync::{ProgressSink, Silent, SourceReport, SyncOptions, SyncProgress, SyncReport};
