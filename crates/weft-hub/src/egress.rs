//! Where recipes' HTTP steps may go: any public address, and private, loopback or
//! link-local ones only when the operator listed them (`recipe_http_allow`), so a recipe
//! cannot reach the hub's own network (a cloud metadata service, an admin port) by default.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use ipnet::IpNet;
use wrike_api::http::{Reach, http_client, is_public};

/// The private destinations recipes may call, parsed from `recipe_http_allow`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivateHosts {
    any: bool,
    names: Vec<String>,
    nets: Vec<IpNet>,
}

impl PrivateHosts {
    /// Parses the listed entries: `*` (anything), a host name, an address, or a range in
    /// CIDR notation. The error names the entry that is none of these.
    pub fn parse(entries: &[String]) -> Result<PrivateHosts, String> {
        let mut hosts = PrivateHosts::default();
        for entry in entries {
            let entry = entry.trim();
            if entry == "*" {
                hosts.any = true;
            } else if let Ok(net) = entry.parse::<IpNet>() {
                hosts.nets.push(net.trunc());
            } else if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
                hosts.nets.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                hosts
                    .names
                    .push(entry.trim_end_matches('.').to_ascii_lowercase());
            } else {
                return Err(format!(
                    "{entry:?} is not a host name, an address, a range (10.0.0.0/8) or *"
                ));
            }
        }
        Ok(hosts)
    }

    /// Whether `url`'s host was listed: by name, or as an address inside a listed range.
    /// A name resolving to private addresses must be listed by name.
    fn lists(&self, url: &url::Url) -> bool {
        if self.any {
            return true;
        }
        match url.host() {
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                self.names.contains(&name)
            }
            Some(url::Host::Ipv4(ip)) => self.nets.iter().any(|n| n.contains(&IpAddr::V4(ip))),
            Some(url::Host::Ipv6(ip)) => self.nets.iter().any(|n| n.contains(&IpAddr::V6(ip))),
            None => false,
        }
    }

    /// The client for a request to `url`, or why the request may not be made.
    pub fn client_for(&self, url: &url::Url) -> Result<&'static reqwest::Client, String> {
        if self.lists(url) {
            return Ok(client(Reach::Anywhere));
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal.filter(|ip| !is_public(*ip)) {
            return Err(format!(
                "{ip} is a private, loopback or link-local address; list it in recipe_http_allow for recipes to call it"
            ));
        }
        // Names are checked where they are resolved, by the public-only client.
        Ok(client(Reach::PublicOnly))
    }
}

fn is_host_name(text: &str) -> bool {
    let text = text.trim_end_matches('.');
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// One shared client per reach (connection pools and TLS set-up are kept between steps);
/// each request sets its own timeout.
fn client(reach: Reach) -> &'static reqwest::Client {
    static ANYWHERE: OnceLock<reqwest::Client> = OnceLock::new();
    static PUBLIC: OnceLock<reqwest::Client> = OnceLock::new();
    let cell = match reach {
        Reach::Anywhere => &ANYWHERE,
        Reach::PublicOnly => &PUBLIC,
    };
    cell.get_or_init(|| http_client(Duration::from_secs(60), reach))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).unwrap()
    }

    #[test]
    fn only_listed_private_hosts_are_reachable() {
        let none = PrivateHosts::default();
        for blocked in [
            "http://127.0.0.1:8080/api",
            "http://169.254.169.254/latest/meta-data",
            "http://10.1.2.3/",
            "http://[::1]/",
            "http://[::127.0.0.1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://[fec0::1]/",
            "http://198.18.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            let err = none.client_for(&url(blocked)).unwrap_err();
            assert!(err.contains("recipe_http_allow"), "{blocked}: {err}");
        }
        assert!(none.client_for(&url("https://hooks.example.com/x")).is_ok());

        let listed = PrivateHosts::parse(&[
            "10.0.0.0/8".into(),
            "Intranet.Example.".into(),
            "::1".into(),
        ])
        .unwrap();
        assert!(listed.lists(&url("http://10.200.0.1/")));
        assert!(listed.lists(&url("http://intranet.example/hook")));
        assert!(listed.lists(&url("http://[::1]:9000/")));
        assert!(!listed.lists(&url("http://192.168.1.1/")));
        assert!(!listed.lists(&url("http://other.example/")));
        assert!(listed.client_for(&url("http://192.168.1.1/")).is_err());
        assert!(
            PrivateHosts::parse(&["*".into()])
                .unwrap()
                .lists(&url("http://127.0.0.1/"))
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        let err = PrivateHosts::parse(&["10.0.0.0/8".into(), "10.0.0.0/33".into()]).unwrap_err();
        assert!(err.contains("\"10.0.0.0/33\""), "{err}");
        let err = PrivateHosts::parse(&["http://intranet".into()]).unwrap_err();
        assert!(err.contains("http://intranet"), "{err}");
    }
}
