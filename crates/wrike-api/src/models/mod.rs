//! Typed models of Wrike API v4 payloads.
//!
//! Decoding is forgiving by rule: unknown fields are ignored, unknown enum values are kept
//! as `Other(..)`, fields Wrike omits are `Option`. Encoding skips absent fields, so the
//! simulator can emit these same types and a round trip keeps what was known.

mod account;
mod activity;
mod audit;
mod common;
pub(crate) mod lenient;
mod people;
mod webhook;
mod work;

pub use account::*;
pub use activity::*;
pub use audit::*;
pub use common::*;
pub use people::*;
pub use webhook::*;
pub use work::*;
