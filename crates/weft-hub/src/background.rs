//! Everything this hub does in the background, assembled in one place above the areas that
//! contribute to it: usage syncs and recipe work register their job kinds and schedules
//! here, so the runtime below knows none of them and they need not know each other (they
//! meet through the queue: a finished sync is a job recipes handle).

use std::time::Duration;

use crate::Hub;
use crate::error::{HubError, HubResult};
use crate::runtime::{Registry, Runtime, RuntimeConfig};

/// Starts the runtime with every kind of the hub's work and its schedules, plus the kinds
/// `extra` holds (a test's own). First it learns the stored secrets runs must never keep.
pub async fn start(hub: Hub, config: RuntimeConfig, extra: Registry) -> HubResult<Runtime> {
    let learnt = crate::recipes::secrets::learn(&hub).await?;
    tracing::debug!(learnt, "learnt the stored secrets runs must never keep");
    let mut registry = extra;
    crate::usage::jobs::register(&mut registry);
    crate::usage::dialogue::register(&mut registry);
    crate::usage::reminders::register(&mut registry);
    crate::usage::digest::register(&mut registry);
    crate::recipes::register(&mut registry);
    let schedules = vec![
        crate::usage::jobs::schedule(config.sync_interval).map_err(HubError::Invalid)?,
        crate::recipes::hooks_schedule(Duration::from_secs(300)).map_err(HubError::Invalid)?,
        crate::usage::reminders::schedule(Duration::from_secs(3600)).map_err(HubError::Invalid)?,
        crate::usage::digest::schedule(Duration::from_secs(3600)).map_err(HubError::Invalid)?,
    ];
    Runtime::run(hub, config, registry, schedules).await
}
