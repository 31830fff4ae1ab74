//! The one kind of HTTP client weft uses towards Wrike: timeouts, no redirects, answers
//! read up to a size cap, and optionally only public addresses (checked after DNS
//! resolution, at every connection), so a connection cannot be pointed at the hub's own
//! network. Also how its failures are described.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Largest API answer read (a page of a thousand audit-log records is well under 1 MiB).
pub const API_ANSWER_CAP: usize = 32 << 20;
/// Largest token-endpoint answer read.
pub const TOKEN_ANSWER_CAP: usize = 64 << 10;

/// Where a client may connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reach {
    /// Any address (the simulator on loopback, a test).
    #[default]
    Anywhere,
    /// Only public addresses: names resolving to private, loopback, link-local or other
    /// non-public addresses are refused, as are such addresses written as the host.
    PublicOnly,
}

/// True for an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local())
            }
        },
    }
}

/// A name the public-only resolver refused: it resolves to an address off the internet.
#[derive(Debug)]
pub struct NotPublic {
    pub host: String,
}

impl std::fmt::Display for NotPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resolves to a private, loopback or link-local address, which this hub does not call",
            self.host
        )
    }
}

impl std::error::Error for NotPublic {}

/// Whether a request failed because the public-only resolver refused its host (no retry
/// can help), rather than on the network.
pub fn refused_as_not_public(err: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if cause.is::<NotPublic>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Resolves names like the system does, then keeps only public addresses.
struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() || found.iter().any(|a| !is_public(a.ip())) {
                return Err(
                    Box::new(NotPublic { host }) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Reads an answer's body, refusing one larger than `cap` bytes.
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(format!("the answer is larger than {cap} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe_reqwest(&e))? {
        if body.len() + chunk.len() > cap {
            return Err(format!("the answer is larger than {cap} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Builds the one kind of reqwest client weft uses towards Wrike: timeouts, a user agent,
/// no redirect following (an HTTP 300 must surface as "wrong data center"), and the reach.
pub fn http_client(timeout: Duration, reach: Reach) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("weft/", env!("CARGO_PKG_VERSION")));
    if reach == Reach::PublicOnly {
        builder = builder.dns_resolver(std::sync::Arc::new(PublicOnlyResolver));
    }
    // Only fails if the TLS backend cannot start, which no request could survive either.
    builder
        .build()
        .unwrap_or_else(|e| panic!("the HTTP client cannot be built: {e}"))
}

/// A reqwest error with its causes, since the top-level text alone ("error sending request")
/// does not say what happened.
pub fn describe_reqwest(err: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = if err.is_timeout() {
        format!("timed out: {err}")
    } else {
        err.to_string()
    };
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
