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

/// IPv4 ranges that are not the public internet: IANA's special-purpose registry (RFC
/// 6890 and its updates), multicast and the reserved block. A prefix and its length.
const SPECIAL_V4: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),       // "this network"
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (carrier-grade NAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata services)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation
    ([192, 31, 196, 0], 24), // AS112
    ([192, 52, 193, 0], 24), // AMT
    ([192, 88, 99, 0], 24),  // 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private
    ([192, 175, 48, 0], 24), // direct delegation AS112
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation
    ([203, 0, 113, 0], 24),  // documentation
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and the broadcast address
];

/// IPv6 ranges that are not the public internet, or that carry an IPv4 address a gateway
/// may forward to (NAT64, 6to4, Teredo, IPv4-compatible): the special-purpose registry.
const SPECIAL_V6: &[(u128, u8)] = &[
    (0, 96),                      // ::/96: unspecified, loopback, IPv4-compatible
    (0xffff_0000_0000, 96),       // IPv4-mapped (also checked as IPv4)
    (0x0064_ff9b << 96, 96),      // NAT64
    (0x0064_ff9b_0001 << 80, 48), // local-use NAT64
    (0x0100 << 112, 64),          // discard-only
    (0x2001 << 112, 23),          // IETF protocol assignments, Teredo
    (0x2001_0db8 << 96, 32),      // documentation
    (0x2002 << 112, 16),          // 6to4
    (0x3fff << 112, 20),          // documentation
    (0x5f00 << 112, 16),          // segment routing
    (0xfc00 << 112, 7),           // unique local
    (0xfe80 << 112, 10),          // link-local
    (0xfec0 << 112, 10),          // site-local (deprecated)
    (0xff00 << 112, 8),           // multicast
];

/// True for an address on the public internet: none of the special-purpose ranges.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            !SPECIAL_V4.iter().any(|(prefix, len)| {
                let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
                bits & mask == u32::from_be_bytes(*prefix) & mask
            })
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let bits = u128::from(v6);
            !SPECIAL_V6.iter().any(|(prefix, len)| {
                let mask = u128::MAX.checked_shl(128 - u32::from(*len)).unwrap_or(0);
                bits & mask == prefix & mask
            })
        }
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
