//! The hub's runtime: the one place that starts and stops background work. It runs a job
//! worker, the scheduler, and the store's change watcher (which keeps the read caches
//! exact) as supervised tasks, restarted when they fail or panic, under one shutdown. The
//! HTTP server only serves; the binary starts a runtime beside it.

// The home of background work: the only module that may spawn long-lived tasks.
#![allow(clippy::disallowed_methods)]

pub mod builtin;
pub mod handlers;
pub mod scheduler;
pub mod supervisor;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::Hub;
use crate::error::{HubError, HubResult};
pub use handlers::{JobContext, JobError, JobResult, Registry};
pub use worker::WorkerConfig;

/// Everything the runtime needs to know.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    pub worker: WorkerConfig,
    /// How often the scheduler looks for due occurrences.
    pub scheduler_tick: Duration,
    /// How often every connection is probed.
    pub probe_interval: Duration,
    /// How often every connection's usage data is synced.
    pub sync_interval: Duration,
    /// How long finished jobs and recipe runs are kept.
    pub keep: Retention,
}

/// How long finished work is kept before the hourly purge deletes it.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Succeeded and cancelled jobs.
    pub jobs_done: Duration,
    /// Dead jobs (longer: people look at what failed).
    pub jobs_dead: Duration,
    /// Succeeded and cancelled recipe runs, with their steps.
    pub runs_done: Duration,
    /// Failed recipe runs (longer: an Operator may rerun them).
    pub runs_failed: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        const DAY: u64 = 86_400;
        Retention {
            jobs_done: Duration::from_secs(7 * DAY),
            jobs_dead: Duration::from_secs(30 * DAY),
            runs_done: Duration::from_secs(30 * DAY),
            runs_failed: Duration::from_secs(90 * DAY),
        }
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            worker: WorkerConfig {
                id: format!("weft-{}-{}", std::process::id(), crate::new_id("w")),
                concurrency: 8,
                lease: Duration::from_secs(30),
                poll: Duration::from_secs(1),
                shutdown_grace: Duration::from_secs(10),
            },
            scheduler_tick: Duration::from_secs(1),
            probe_interval: Duration::from_secs(60),
            sync_interval: Duration::from_secs(3600),
            keep: Retention::default(),
        }
    }
}

/// Background work in progress; `shutdown` stops it.
pub struct Runtime {
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Runtime {
    /// Declares `schedules` and starts the worker (running the kinds `registry` holds, and
    /// the runtime's own) and the scheduler. The hub's whole work is assembled in
    /// `crate::background`, above every area that contributes to it.
    pub async fn run(
        hub: Hub,
        config: RuntimeConfig,
        mut registry: Registry,
        mut schedules: Vec<weft_store::ScheduleSpec>,
    ) -> HubResult<Runtime> {
        builtin::register(&mut registry);
        schedules.extend(
            builtin::schedules(config.probe_interval, config.keep).map_err(HubError::Invalid)?,
        );
        for spec in schedules {
            scheduler::declare(&hub, &spec).await?;
        }
        let shutdown = CancellationToken::new();
        let registry = Arc::new(registry);
        let worker = {
            let (hub, registry, config, stop) = (
                hub.clone(),
                registry.clone(),
                config.worker.clone(),
                shutdown.clone(),
            );
            supervisor::supervise(
                "job worker",
                shutdown.clone(),
                hub.liveness.clone(),
                move || worker::run(hub.clone(), registry.clone(), config.clone(), stop.clone()),
            )
        };
        let scheduler = {
            let (hub, tick, stop) = (hub.clone(), config.scheduler_tick, shutdown.clone());
            supervisor::supervise(
                "scheduler",
                shutdown.clone(),
                hub.liveness.clone(),
                move || scheduler::run(hub.clone(), tick, stop.clone()),
            )
        };
        // Keeps the store's read caches exact; without it they are simply not used.
        let watcher = {
            let (store, stop) = (hub.store.clone(), shutdown.clone());
            supervisor::supervise(
                "change watcher",
                shutdown.clone(),
                hub.liveness.clone(),
                move || {
                    let (store, stop) = (store.clone(), stop.clone());
                    async move {
                        tokio::select! {
                            _ = stop.cancelled() => Ok(()),
                            failed = store.watch_changes() => failed.map_err(HubError::from),
                        }
                    }
                },
            )
        };
        tracing::info!(worker = %config.worker.id, kinds = ?registry.kinds(), "runtime started");
        Ok(Runtime {
            shutdown,
            tasks: vec![worker, scheduler, watcher],
        })
    }

    /// A token that is cancelled when the runtime stops.
    pub fn stopping(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops claiming work, lets running jobs finish within the grace period (or gives them
    /// back to the queue), and waits for every task.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
        tracing::info!("runtime stopped");
    }
}

impl Drop for Runtime {
    /// A runtime nobody holds does no more work (without waiting for it to end).
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
