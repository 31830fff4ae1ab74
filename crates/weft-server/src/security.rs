//! What every answer carries and every cookie looks like: security headers on every page
//! (a CSP without inline script, no framing, no sniffing, no referrer, HSTS behind HTTPS,
//! `Cache-Control: no-store` on all but the static files),
//! cookies that are `Secure` and `__Host-` named whenever the hub is served over HTTPS, the
//! same-site check on `next=` redirects, and where a request came from.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::{AppState, ServerConfig};

/// The content security policy: nothing inline, nothing framed, forms only to this hub and,
/// when OAuth is configured, to Wrike's consent page (a form posted here redirects there).
fn content_security_policy(state: &AppState) -> HeaderValue {
    let consent = state
        .hub
        .oauth
        .as_ref()
        .map(|o| o.config().authorize_url.origin().ascii_serialization())
        .filter(|origin| origin != "null")
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self' {consent}; frame-ancestors 'none'"
    );
    HeaderValue::from_str(policy.trim()).unwrap_or_else(|_| {
        HeaderValue::from_static("default-src 'self'; form-action 'self'; frame-ancestors 'none'")
    })
}

/// Where a request came from (see `client_address`), for the handlers.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// What the security layer needs, prepared once when the router is built.
#[derive(Clone)]
pub struct Prepared {
    csp: HeaderValue,
    https: bool,
    trust_forwarded_for: bool,
}

impl Prepared {
    pub fn of(state: &AppState) -> Prepared {
        Prepared {
            csp: content_security_policy(state),
            https: state.config.https,
            trust_forwarded_for: state.config.trust_forwarded_for,
        }
    }
}

/// Notes where each request came from, and adds the security headers to every answer.
pub async fn layer(State(prepared): State<Prepared>, mut request: Request, next: Next) -> Response {
    let from = client_address(
        request.headers(),
        request.extensions().get::<ConnectInfo<SocketAddr>>(),
        prepared.trust_forwarded_for,
    );
    request.extensions_mut().insert(ClientAddress(from));
    let shared = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Every page and answer but the stylesheet and script is private to its caller (a
    // trigger's secret, people's activity): no cache, shared or the browser's, keeps it.
    if !shared && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, prepared.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if prepared.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Marks an answer that shows a secret (a new API token) as never to be stored by a cache.
pub fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The names and attributes of the hub's cookies.
#[derive(Debug, Clone, Copy)]
pub struct Cookies {
    https: bool,
}

impl Cookies {
    pub fn of(config: &ServerConfig) -> Cookies {
        Cookies {
            https: config.https,
        }
    }

    /// The session cookie's name: `__Host-` prefixed over HTTPS, so it can only be set by
    /// this host, for every path, over a secure channel.
    pub fn session(self) -> &'static str {
        if self.https {
            "__Host-weft_session"
        } else {
            "weft_session"
        }
    }

    /// The sign-in form's double-submit cookie.
    pub fn login(self) -> &'static str {
        if self.https {
            "__Host-weft_login"
        } else {
            "weft_login"
        }
    }

    /// The state of a single sign-on in progress, so that only the browser that began it
    /// can finish it.
    pub fn sso(self) -> &'static str {
        if self.https {
            "__Host-weft_sso"
        } else {
            "weft_sso"
        }
    }

    /// A `Set-Cookie` value; `None` removes the cookie.
    pub fn set(
        self,
        name: &str,
        value: Option<&str>,
        max_age: i64,
        same_site: &str,
    ) -> HeaderValue {
        let secure = if self.https { "; Secure" } else { "" };
        let (value, max_age) = match value {
            Some(v) => (v, max_age),
            None => ("", 0),
        };
        let text = format!(
            "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
        );
        // Names and values are ours (hex tokens), so always a valid header value.
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The value of cookie `name` in a request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// Where to go after signing in: a path on this hub, or `/`. Browsers drop tabs and line
/// breaks from URLs and read `\` as `/`, so `/%09/evil.example` would leave the hub; such
/// a target is refused, whether the characters come plain or percent-encoded (the hub's
/// own paths never encode them), as is anything whose resolution against this hub leaves it.
pub fn safe_next(next: &str) -> String {
    let here = url::Url::parse("https://weft.invalid/").ok();
    let lower = next.to_ascii_lowercase();
    let encoded_trouble = ["%0", "%1", "%5c", "%2f", "%7f"]
        .iter()
        .any(|bad| lower.contains(bad));
    let stays = next.starts_with('/')
        && !encoded_trouble
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        && !next.starts_with("//")
        && here
            .as_ref()
            .and_then(|base| base.join(next).ok())
            .is_some_and(|url| url.host_str() == Some("weft.invalid") && url.scheme() == "https");
    if stays {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The address a request came from: the connection's peer, or the first address a trusted
/// reverse proxy put in `X-Forwarded-For`.
pub fn client_address(
    request_headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
    trust_forwarded_for: bool,
) -> String {
    if trust_forwarded_for
        && let Some(first) = request_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
    {
        return first.to_owned();
    }
    peer.map_or_else(
        || "unknown".to_owned(),
        |ConnectInfo(addr)| addr.ip().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_stay_on_this_hub() {
        for good in [
            "/",
            "/connections",
            "/jobs?status=dead&kind=a",
            "/jobs/12",
            "/jobs?since=2026-11-29T10%3A00%3A00Z",
        ] {
            assert_eq!(safe_next(good), good, "{good:?} is a path here");
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "evil.example",
            " /connections",
            "/ /evil.example",
            "//%09evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%5cevil.example",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "/\u{0}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?} must not leave the hub");
        }
    }
}
