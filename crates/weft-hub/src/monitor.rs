//! Health monitoring: every connection is probed on a schedule (and on demand after a
//! failure); each change of state raises an alert at once.

use std::time::Duration;

use weft_store::{Connection, Health};

use crate::Hub;
use crate::alerts::Alert;
use crate::connections;

/// Probes one connection, stores its health and alerts on a change. Returns the new health.
pub async fn probe(hub: &Hub, connection: &Connection) -> anyhow::Result<Health> {
    let after = connections::check(hub, connection).await?;
    if let Some(alert) = Alert::for_change(connection, connection.health.as_ref(), &after) {
        hub.alerter.send(&alert).await;
    }
    Ok(after)
}

/// One round over every connection; a failure to probe one does not stop the others.
pub async fn probe_all(hub: &Hub) -> anyhow::Result<usize> {
    let all = hub.store.list_connections().await?;
    for connection in &all {
        if let Err(e) = probe(hub, connection).await {
            tracing::warn!(connection = %connection.name, error = %e, "health probe failed");
        }
    }
    Ok(all.len())
}

/// Probes every `interval` until `stop` resolves.
pub async fn run(hub: &Hub, interval: Duration, stop: impl std::future::Future<Output = ()>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = ticker.tick() => {
                if let Err(e) = probe_all(hub).await {
                    tracing::warn!(error = %e, "health round failed");
                }
            }
        }
    }
}
