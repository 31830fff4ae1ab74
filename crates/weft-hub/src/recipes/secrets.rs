//! Recipe secrets: values a recipe needs and its file must not hold (another system's API
//! key), read in templates as `{{ secrets.NAME }}`. Each is sealed with the hub's key, never
//! shown again once set, bound to the hosts a step may send it to, and known to the
//! redaction of runs, so it is stored, logged and shown nowhere a run puts it.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::{Map, Value, json};
use weft_store::RecipeSecret;

use crate::error::{HubError, HubResult};
use crate::{Actor, Hub, trail};

/// The associated data a recipe secret is sealed with.
fn aad(name: &str) -> String {
    format!("recipe-secret:{name}")
}

/// Longest value a recipe secret may hold.
const MAX_VALUE: usize = 16 << 10;

/// A recipe secret as people see it: never its value.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretInfo {
    pub name: String,
    pub hosts: Vec<String>,
    pub updated_by: String,
    pub updated_at: i64,
    /// The recipes whose files read it.
    pub used_by: Vec<String>,
}

/// An opened secret for one run: its value and where it may go.
#[derive(Debug, Clone)]
pub struct OpenSecret {
    pub name: String,
    pub value: String,
    pub hosts: Vec<String>,
}

impl OpenSecret {
    /// Whether a step may send the secret to `url`'s host.
    pub fn may_go_to(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.iter().any(|allowed| {
            let allowed = allowed.to_ascii_lowercase();
            allowed == "*"
                || allowed == host
                || allowed
                    .strip_prefix("*.")
                    .is_some_and(|domain| host.ends_with(&format!(".{domain}")))
        })
    }
}

/// Checks a host pattern: a host name, an address, `*.domain`, or `*` (any host).
fn check_host(host: &str) -> Result<String, String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let name = host.strip_prefix("*.").unwrap_or(&host);
    let ok = host == "*"
        || name.parse::<std::net::IpAddr>().is_ok()
        || (!name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }));
    if ok {
        Ok(host)
    } else {
        Err(format!(
            "hosts: {host:?} is not a host name, an address, *.domain or *"
        ))
    }
}

/// Sets a secret (a new one, or a new value and hosts for one that exists).
pub async fn set(
    hub: &Hub,
    actor: &Actor,
    name: &str,
    value: &SecretString,
    hosts: &[String],
) -> HubResult<SecretInfo> {
    if !weft_core::recipe::is_secret_name(name) {
        return Err(HubError::invalid(format!(
            "name: {name:?} is not 1 to 64 letters, digits and _"
        )));
    }
    let text = value.expose_secret();
    if text.trim().is_empty() || text.len() > MAX_VALUE {
        return Err(HubError::invalid(format!(
            "value: a secret holds 1 to {MAX_VALUE} bytes"
        )));
    }
    if hosts.is_empty() {
        return Err(HubError::invalid(
            "hosts: name the hosts steps may send the secret to (api.example.com, *.example.com, or * for any)",
        ));
    }
    let hosts = hosts
        .iter()
        .map(|h| check_host(h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(HubError::Invalid)?;
    let before = hub.store.recipes().secret(name).await?;
    hub.store
        .recipes()
        .set_secret(
            name,
            &hub.key()?.seal(&aad(name), text.as_bytes()),
            &hosts,
            &actor.name,
            hub.clock.now_s(),
        )
        .await?;
    hub.secrets.register(text);
    trail::record(
        hub,
        &actor.name,
        "recipe.secret.set",
        &format!("secret {name}"),
        before.map(|b| json!({"hosts": b.host_list()})),
        Some(json!({"hosts": hosts})),
    )
    .await?;
    info(hub, name).await
}

/// One secret, without its value.
pub async fn info(hub: &Hub, name: &str) -> HubResult<SecretInfo> {
    let secret = hub
        .store
        .recipes()
        .secret(name)
        .await?
        .ok_or_else(|| HubError::not_found(format!("secret {name:?}")))?;
    Ok(describe(&secret, &users(hub).await?))
}

/// Every secret, without values, with the recipes that read each.
pub async fn list(hub: &Hub) -> HubResult<Vec<SecretInfo>> {
    let users = users(hub).await?;
    Ok(hub
        .store
        .recipes()
        .secrets()
        .await?
        .iter()
        .map(|s| describe(s, &users))
        .collect())
}

/// Removes a secret no recipe reads.
pub async fn remove(hub: &Hub, actor: &Actor, name: &str) -> HubResult<()> {
    let using: Vec<String> = users(hub)
        .await?
        .into_iter()
        .filter(|(_, names)| names.iter().any(|n| n == name))
        .map(|(recipe, _)| recipe)
        .collect();
    if !using.is_empty() {
        return Err(HubError::Conflict(format!(
            "secret {name} is read by the recipes {}; change them first",
            using.join(", ")
        )));
    }
    if !hub.store.recipes().remove_secret(name).await? {
        return Err(HubError::not_found(format!("secret {name:?}")));
    }
    trail::record(
        hub,
        &actor.name,
        "recipe.secret.remove",
        &format!("secret {name}"),
        None,
        None,
    )
    .await
}

fn describe(secret: &RecipeSecret, users: &[(String, Vec<String>)]) -> SecretInfo {
    SecretInfo {
        name: secret.name.clone(),
        hosts: secret.host_list(),
        updated_by: secret.updated_by.clone(),
        updated_at: secret.updated_at,
        used_by: users
            .iter()
            .filter(|(_, names)| names.contains(&secret.name))
            .map(|(recipe, _)| recipe.clone())
            .collect(),
    }
}

/// Each stored recipe with the secrets its current file reads.
async fn users(hub: &Hub) -> HubResult<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for record in hub.store.recipes().list().await? {
        if let Ok(recipe) = super::records::parsed(&record) {
            out.push((record.name, recipe.secret_names().iter().cloned().collect()));
        }
    }
    Ok(out)
}

/// Opens the secrets a run's recipe reads (remembering each among the hub's secrets).
pub async fn open(
    hub: &Hub,
    names: impl IntoIterator<Item = &String>,
) -> HubResult<Vec<OpenSecret>> {
    let mut opened = Vec::new();
    for name in names {
        let secret = hub.store.recipes().secret(name).await?.ok_or_else(|| {
            HubError::invalid(format!(
                "the recipe reads secrets.{name}, which the hub does not have; set it with `weft secrets set {name}`"
            ))
        })?;
        let value = hub
            .key()?
            .open(&aad(name), &secret.value)
            .ok()
            .and_then(|v| String::from_utf8(v).ok())
            .ok_or_else(|| {
                HubError::Internal(format!("the secret {name} does not open with this key"))
            })?;
        hub.secrets.register(&value);
        opened.push(OpenSecret {
            name: name.clone(),
            hosts: secret.host_list(),
            value,
        });
    }
    Ok(opened)
}

/// The `secrets` a run's templates read: each name with its value.
pub fn scope_value(opened: &[OpenSecret]) -> Value {
    Value::Object(
        opened
            .iter()
            .map(|s| (s.name.clone(), Value::String(s.value.clone())))
            .collect::<Map<String, Value>>(),
    )
}

/// Refuses a step that would send a secret where it may not go: an HTTP request to a host
/// the secret is not bound to, or any other action (Wrike, e-mail), which is no place for
/// another system's secret.
pub fn check_destination(
    opened: &[OpenSecret],
    action: &weft_core::recipe::Action,
    input: &Value,
) -> Result<(), String> {
    let text = input.to_string();
    for secret in opened {
        let escaped = serde_json::to_string(&secret.value).unwrap_or_default();
        let inner = escaped.trim_matches('"');
        if !text.contains(inner) {
            continue;
        }
        if action.kind != weft_core::recipe::ActionKind::HttpRequest {
            return Err(format!(
                "secrets.{} may only be sent by http.request to {}; {} is no place for it",
                secret.name,
                secret.hosts.join(", "),
                action.name
            ));
        }
        let url = input.get("url").and_then(Value::as_str).unwrap_or_default();
        let parsed = url::Url::parse(url).map_err(|e| format!("url {url:?}: {e}"))?;
        if !secret.may_go_to(&parsed) {
            return Err(format!(
                "secrets.{} may be sent only to {}, not to {}",
                secret.name,
                secret.hosts.join(", "),
                parsed.host_str().unwrap_or("this URL")
            ));
        }
    }
    Ok(())
}

/// Opens every stored secret once and remembers it among the secrets recipe runs never
/// store, log or show (`Hub::secrets`), so that the first run after a start is covered
/// before any client opened the secret itself. Returns how many were learnt.
pub async fn learn(hub: &Hub) -> HubResult<usize> {
    let mut learnt = 0;
    for (row, sealed) in hub.store.secrets().sealed_all().await? {
        let Ok(plain) = hub.key()?.open(&row, &sealed) else {
            continue;
        };
        if let Ok(text) = std::str::from_utf8(&plain) {
            hub.secrets.register(text);
            if row.starts_with("recipe-hook:") {
                hub.secrets.register(&super::inbound::shown_secret(&plain));
            }
            learnt += 1;
        }
    }
    Ok(learnt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(hosts: &[&str]) -> OpenSecret {
        OpenSecret {
            name: "vendor".into(),
            value: "v3ndor-key-123".into(),
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn a_secret_goes_only_to_its_hosts_and_only_by_http() {
        let opened = [secret(&["api.vendor.example", "*.hooks.example"])];
        let call = |url: &str| json!({"url": url, "headers": {"X-Api-Key": "v3ndor-key-123"}});
        assert!(
            check_destination(
                &opened,
                weft_core::recipe::action("http.request").unwrap(),
                &call("https://api.vendor.example/x")
            )
            .is_ok()
        );
        assert!(
            check_destination(
                &opened,
                weft_core::recipe::action("http.request").unwrap(),
                &call("https://a.hooks.example/x")
            )
            .is_ok()
        );
        let elsewhere = check_destination(
            &opened,
            weft_core::recipe::action("http.request").unwrap(),
            &call("https://evil.example/x"),
        )
        .unwrap_err();
        assert!(elsewhere.contains("not to evil.example"), "{elsewhere}");
        let to_wrike = check_destination(
            &opened,
            weft_core::recipe::action("wrike.create_comment").unwrap(),
            &json!({"task": "T", "text": "key: v3ndor-key-123"}),
        )
        .unwrap_err();
        assert!(to_wrike.contains("no place for it"), "{to_wrike}");
        // Without the secret in it, any step goes.
        assert!(
            check_destination(
                &opened,
                weft_core::recipe::action("wrike.create_comment").unwrap(),
                &json!({"text": "hi"})
            )
            .is_ok()
        );
        assert!(
            check_destination(
                &[secret(&["*"])],
                weft_core::recipe::action("http.request").unwrap(),
                &call("https://any.example")
            )
            .is_ok()
        );
        assert!(check_host("bad host!").is_err());
        assert_eq!(
            check_host("API.Vendor.Example.").unwrap(),
            "api.vendor.example"
        );
    }
}
