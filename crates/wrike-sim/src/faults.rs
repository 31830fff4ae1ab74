//! Fault injection: make the simulated Wrike fail the way real services fail.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    /// HTTP 500 `server_error`.
    ServerError,
    /// HTTP 429, with `Retry-After` when `retryAfter` is set.
    RateLimit,
    /// HTTP 200 with a body that is not the JSON promised.
    Malformed,
    /// Wait `delayMs` before answering normally.
    Slow,
    /// Close the connection without an answer.
    Drop,
}

/// One fault rule. It fires on requests whose path starts with `pathPrefix` (all when
/// absent): for the next `count` of them, or else on a `rate` share of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Fault {
    /// Checks the rule makes sense before it is stored.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(rate) = self.rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(format!("rate must be between 0 and 1, got {rate}"));
        }
        if self.rate.is_none() && self.count.is_none() {
            return Err(
                "give either count (the next N requests) or rate (a share of requests)".into(),
            );
        }
        if self.kind == FaultKind::Slow && self.delay_ms.is_none() {
            return Err("a slow fault needs delayMs".into());
        }
        Ok(())
    }
}

/// Picks the fault for a request, consuming one use of a counted rule.
pub fn take(faults: &mut Vec<Fault>, path: &str) -> Option<Fault> {
    let index = faults.iter().position(|f| {
        f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
            && match (f.count, f.rate) {
                (Some(n), _) => n > 0,
                (None, Some(rate)) => fastrand::f64() < rate,
                (None, None) => false,
            }
    })?;
    let fault = faults[index].clone();
    if let Some(n) = faults[index].count.as_mut() {
        *n -= 1;
        if *n == 0 {
            faults.remove(index);
        }
    }
    Some(fault)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out_and_prefixes_filter() {
        let mut faults = vec![Fault {
            kind: FaultKind::ServerError,
            rate: None,
            count: Some(2),
            path_prefix: Some("/api/v4/tasks".into()),
            delay_ms: None,
            retry_after: None,
        }];
        assert!(take(&mut faults, "/api/v4/account").is_none());
        assert!(take(&mut faults, "/api/v4/tasks").is_some());
        assert!(take(&mut faults, "/api/v4/tasks/X").is_some());
        assert!(take(&mut faults, "/api/v4/tasks").is_none());
        assert!(faults.is_empty());
    }

    #[test]
    fn validation_names_the_problem() {
        let bad = Fault {
            kind: FaultKind::Slow,
            rate: Some(2.0),
            count: None,
            path_prefix: None,
            delay_ms: None,
            retry_after: None,
        };
        assert!(bad.validate().unwrap_err().contains("rate"));
    }
}
