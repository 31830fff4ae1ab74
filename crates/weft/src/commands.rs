//! What every command shares: who runs it (for the hub's trail) and JSON output.

/// Whom `--as` names for this process's commands (set once, before any command runs).
static ACTING_AS: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

pub(crate) fn set_acting_as(name: Option<String>) {
    let _ = ACTING_AS.set(name);
}

/// Who runs this command, for the audit trail: `cli:OS_USER`, or `cli:OS_USER as NAME` with
/// `--as NAME`.
pub(crate) fn cli_actor() -> String {
    let os_user = os_user();
    match ACTING_AS.get().cloned().flatten() {
        Some(name) => format!("cli:{os_user} as {name}"),
        None => format!("cli:{os_user}"),
    }
}

/// The operating-system user: `USER` or `LOGNAME` when set (a login shell), else the name the
/// password database gives this process's user id (services and containers often set
/// neither), else `uid N`.
fn os_user() -> String {
    if let Some(name) = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|name| name.trim().to_owned())
        .find(|name| !name.is_empty())
    {
        return name;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) {
            let named = std::fs::read_to_string("/etc/passwd")
                .ok()
                .and_then(|passwd| {
                    passwd.lines().find_map(|line| {
                        let mut fields = line.split(':');
                        let name = fields.next()?;
                        let id: u32 = fields.nth(1)?.parse().ok()?;
                        (id == uid).then(|| name.to_owned())
                    })
                });
            return named.unwrap_or_else(|| format!("uid {uid}"));
        }
    }
    "unknown".into()
}

/// Prints a value of the API's wire format (`weft_server::wire`), as `--json` does.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints a whole listing as the API answers a list: one page holding everything.
pub(crate) fn print_page<T: serde::Serialize>(items: Vec<T>) -> anyhow::Result<()> {
    let all = items.len() as i64;
    print_json(&weft_server::wire::Page::slice(items, all, 0))
}
