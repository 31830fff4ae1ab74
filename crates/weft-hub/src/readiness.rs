//! Whether this instance can take traffic (`/readyz`): the database answers, its schema is
//! the one this weft knows (another instance may have upgraded it), the secrets key opens
//! the database's secrets, and the background tasks of this process run.

use serde::Serialize;

use crate::Hub;

/// One condition of readiness.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Check {
    /// `database`, `schema`, `key` or `runtime`.
    pub name: &'static str,
    pub ok: bool,
    /// What was seen, and when not ok, why.
    pub detail: String,
}

/// Every condition, and whether all hold.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub checks: Vec<Check>,
}

fn check(name: &'static str, outcome: Result<String, String>) -> Check {
    let ok = outcome.is_ok();
    Check {
        name,
        ok,
        detail: outcome.unwrap_or_else(|why| why),
    }
}

/// Checks each condition now; a failing one does not stop the others from being checked.
pub async fn of(hub: &Hub) -> Readiness {
    let schema = hub.store.schema().await;
    let database = match &schema {
        Ok(_) => Ok(format!("{} answers", hub.store.backend().as_str())),
        Err(e) => Err(e.to_string()),
    };
    let schema = match schema {
        Ok((Some(applied), known)) if applied == known => Ok(format!("migration {applied}")),
        Ok((Some(applied), known)) if applied > known => Err(format!(
            "the database is at migration {applied}, newer than this weft knows ({known}): upgrade this instance"
        )),
        Ok((applied, known)) => Err(format!(
            "the database is at migration {}, this weft expects {known}: restart to migrate it",
            applied.map_or("none".to_owned(), |a| a.to_string())
        )),
        Err(_) => Err("not read: the database does not answer".into()),
    };
    let key = match hub.key() {
        Err(e) => Err(e.to_string()),
        Ok(key) => match crate::keys::opens(&hub.store, key).await {
            Ok(true) => Ok("the secrets key opens the stored secrets".into()),
            Ok(false) => Err(
                "the secrets key does not open this database's key marker (another key, or the marker is missing)"
                    .into(),
            ),
            Err(e) => Err(format!("not checked: {e}")),
        },
    };
    let tasks = hub.liveness.tasks();
    let down: Vec<String> = tasks
        .iter()
        .filter_map(|(name, down)| down.as_ref().map(|why| format!("{name}: {why}")))
        .collect();
    let runtime = if tasks.is_empty() {
        Err("no background runtime runs in this process".to_owned())
    } else if down.is_empty() {
        Ok(tasks
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
            + " running")
    } else {
        Err(down.join("; "))
    };
    let checks = vec![
        check("database", database),
        check("schema", schema),
        check("key", key),
        check("runtime", runtime),
    ];
    Readiness {
        ready: checks.iter().all(|c| c.ok),
        checks,
    }
}
