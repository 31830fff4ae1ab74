//! weft's domain types and pure logic. No I/O: no database, no HTTP, no environment.

pub mod clock;
pub mod health;
pub mod policy;
pub mod recipe;
pub mod redact;
pub mod renewal;
pub mod roles;
pub mod schedule;
pub mod scope_plan;
pub mod secrets;
pub mod usage;
