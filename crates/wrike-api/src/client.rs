//! The HTTP core every call goes through: rate budget, bearer token, retries, error mapping,
//! and paging over `nextPageToken`.
//!
//! Retry rules: a 429 is retried for every method (Wrike refused it before doing anything);
//! transport errors and 5xx only for idempotent methods (GET, PUT, DELETE), so a POST that
//! may have created something is never sent twice. `Retry-After` is honoured when present,
//! otherwise the wait grows exponentially with jitter.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, Stream, TryStreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use url::Url;

use crate::base::ApiBase;
use crate::encode::Params;
use crate::error::{WrikeError, decode_failure, from_status};
use crate::http::{Reach, describe_reqwest, http_client, is_public};
use crate::models::Envelope;
use crate::tokens::TokenSource;

/// Tunables of one client. Defaults follow Wrike's published limit of 400 requests/minute.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Outbound budget per token; 0 disables it (only for the simulator's benchmarks).
    pub requests_per_minute: u32,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff step when the server gives no `Retry-After`.
    pub base_backoff: Duration,
    /// Longest single wait, `Retry-After` included.
    pub max_backoff: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Which addresses the client may connect to.
    pub reach: Reach,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            requests_per_minute: 400,
            max_retries: 4,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            reach: Reach::Anywhere,
        }
    }
}

/// A file sent whole as a request's body, as Wrike's attachment uploads take it: the bytes,
/// the name in `X-File-Name` (Wrike keeps the header's whole value as the name) and a
/// content type.
#[derive(Debug, Clone)]
pub struct FileUpload {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The file name as `X-File-Name` carries it: ASCII as it is, anything else as its UTF-8
/// bytes percent-encoded. How Wrike reads non-ASCII header bytes is not documented, and a
/// header may only hold ASCII reliably, so an encoded name is the one that arrives intact.
pub fn header_safe_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// What a request carries: form or query parameters, or a file.
enum Payload<'a> {
    Params(&'a Params),
    File(&'a FileUpload),
}

/// A client for one Wrike account and token. Cheap to clone; clones share the rate budget.
#[derive(Clone)]
pub struct WrikeClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: ApiBase,
    tokens: Arc<dyn TokenSource>,
    budget: Arc<Budget>,
    config: ClientConfig,
}

/// An outbound request budget, to share between clients of the same token (Wrike counts
/// its limit per token, not per client object).
pub struct Budget {
    limiter: Option<DefaultDirectRateLimiter>,
}

impl Budget {
    /// `per_minute` requests a minute, spent evenly; 0 means no budget at all.
    pub fn per_minute(per_minute: u32) -> Arc<Budget> {
        Arc::new(Budget {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::direct(budget(n))),
        })
    }

    async fn until_ready(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }
}

impl std::fmt::Debug for WrikeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrikeClient")
            .field("base", &self.inner.base.url().as_str())
            .finish_non_exhaustive()
    }
}

impl WrikeClient {
    pub fn new(base: ApiBase, tokens: Arc<dyn TokenSource>, config: ClientConfig) -> Self {
        let budget = Budget::per_minute(config.requests_per_minute);
        WrikeClient::with_budget(base, tokens, config, budget)
    }

    /// A client that spends from a budget shared with other clients of the same token
    /// (`config.requests_per_minute` is then ignored).
    pub fn with_budget(
        base: ApiBase,
        tokens: Arc<dyn TokenSource>,
        config: ClientConfig,
        budget: Arc<Budget>,
    ) -> Self {
        WrikeClient {
            inner: Arc::new(Inner {
                http: http_client(config.timeout, config.reach),
                base,
                tokens,
                budget,
                config,
            }),
        }
    }

    pub fn base(&self) -> &ApiBase {
        &self.inner.base
    }

    /// One call, decoded into the envelope of `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        params: Params,
    ) -> Result<Envelope<T>, WrikeError> {
        self.send(method, path, Payload::Params(&params)).await
    }

    /// Sends one request (with the retries its method allows) and decodes the answer.
    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        payload: Payload<'_>,
    ) -> Result<T, WrikeError> {
        let url = self.inner.base.join(path)?;
        let body = self.send_with_retries(method, &url, payload).await?;
        serde_json::from_slice(&body).map_err(|e| WrikeError::Decode {
            what: path.to_owned(),
            message: decode_failure(&e),
        })
    }

    /// Sends `file` as the body of a POST to `path` (`tasks/ID/attachments`,
    /// `folders/ID/attachments`), returned as untyped JSON. Like every POST it is retried
    /// only when Wrike refused it before doing anything (429).
    pub async fn upload(
        &self,
        path: &str,
        file: &FileUpload,
    ) -> Result<serde_json::Value, WrikeError> {
        self.send_file(Method::POST, path, file).await
    }

    /// Sends `file` as the body of a request (a POST uploads, a PUT of
    /// `attachments/ID` adds a version) and decodes the answer.
    pub async fn send_file<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        file: &FileUpload,
    ) -> Result<T, WrikeError> {
        if file.name.trim().is_empty() || file.name.chars().any(char::is_control) {
            return Err(WrikeError::Invalid(format!(
                "the file name {:?} is empty or holds control characters",
                file.name
            )));
        }
        self.send(method, path, Payload::File(file)).await
    }

    /// The bytes a GET of `path` answers (`attachments/ID/download`), as they are.
    pub async fn download(&self, path: &str) -> Result<Vec<u8>, WrikeError> {
        let url = self.inner.base.join(path)?;
        self.send_with_retries(Method::GET, &url, Payload::Params(&Vec::new()))
            .await
    }

    /// One call, returned as untyped JSON (for raw API steps and diagnostics).
    pub async fn call_json(
        &self,
        method: Method,
        path: &str,
        params: Params,
    ) -> Result<serde_json::Value, WrikeError> {
        self.call::<serde_json::Value>(method, path, params)
            .await
            .map(|env| serde_json::to_value(env).unwrap_or_default())
    }

    /// The single object of a one-item response (`GET /account`, `POST ...`).
    pub async fn call_one<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        params: Params,
    ) -> Result<T, WrikeError> {
        let envelope = self.call::<T>(method, path, params).await?;
        envelope
            .data
            .into_iter()
            .next()
            .ok_or_else(|| WrikeError::Decode {
                what: path.to_owned(),
                message: "expected one item in data, got none".into(),
            })
    }

    /// Pages of a paged listing: the first request carries `params` and `pageSize`, every
    /// later one the same and `nextPageToken`. Wrike's reference says the token overrides
    /// the rest; one of its help articles says the rest must be sent again: both hold so.
    /// Ends after the page without a token; fails if the token stops advancing.
    pub fn pages<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        params: Params,
        page_size: u32,
    ) -> impl Stream<Item = Result<Envelope<T>, WrikeError>> + Send + 'static + use<T> {
        enum Cursor {
            First(Params),
            Next(String),
            Done,
        }
        let client = self.clone();
        let path = path.to_owned();
        let mut first = params;
        first.retain(|(name, _)| name != "pageSize" && name != "nextPageToken");
        first.push(("pageSize".into(), page_size.to_string()));
        let first_params = first.clone();
        stream::try_unfold(Cursor::First(first), move |cursor| {
            let client = client.clone();
            let path = path.clone();
            let first_params = first_params.clone();
            async move {
                let (params, previous) = match cursor {
                    Cursor::Done => return Ok(None),
                    Cursor::First(params) => (params, None),
                    Cursor::Next(token) => (with_token(&first_params, &token), Some(token)),
                };
                let page: Envelope<T> = client.call(Method::GET, &path, params).await?;
                let next = match page.next_page_token.clone() {
                    Some(token) if previous.as_deref() == Some(token.as_str()) => {
                        return Err(WrikeError::Decode {
                            what: path,
                            message: "nextPageToken did not advance; stopping to avoid a loop"
                                .into(),
                        });
                    }
                    Some(token) if !token.is_empty() => Cursor::Next(token),
                    _ => Cursor::Done,
                };
                Ok(Some((page, next)))
            }
        })
    }

    /// Every item of a paged listing, page after page.
    /// One page of a paged listing: the first (with `params` and `page_size`), or the one a
    /// `nextPageToken` names (sent with the same parameters, as `pages` does). Syncs that
    /// keep the token with their checkpoint resume from here after a crash.
    pub async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        mut params: Params,
        page_size: u32,
        token: Option<&str>,
    ) -> Result<Envelope<T>, WrikeError> {
        params.retain(|(name, _)| name != "pageSize" && name != "nextPageToken");
        params.push(("pageSize".into(), page_size.to_string()));
        let params = match token {
            Some(token) => with_token(&params, token),
            None => params,
        };
        self.call(Method::GET, path, params).await
    }

    pub fn items<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        params: Params,
        page_size: u32,
    ) -> impl Stream<Item = Result<T, WrikeError>> + Send + 'static + use<T> {
        self.pages::<T>(path, params, page_size)
            .map_ok(|page| stream::iter(page.data.into_iter().map(Ok)))
            .try_flatten()
    }

    async fn send_with_retries(
        &self,
        method: Method,
        url: &Url,
        payload: Payload<'_>,
    ) -> Result<Vec<u8>, WrikeError> {
        let idempotent = method != Method::POST;
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            self.inner.budget.until_ready().await;
            let token = self.inner.tokens.access_token().await?;
            let result = self
                .send_once(&method, url, &payload, token.expose_secret())
                .await;
            let err = match result {
                Ok(body) => return Ok(body),
                Err(err) => err,
            };
            if matches!(err, WrikeError::NotAuthorized { .. }) && !renewed {
                renewed = true;
                if self.inner.tokens.renew().await? {
                    continue;
                }
                return Err(err);
            }
            let may_retry =
                err.is_retryable() && (idempotent || matches!(err, WrikeError::RateLimited { .. }));
            if !may_retry || attempt >= self.inner.config.max_retries {
                return Err(err);
            }
            let wait = self.backoff(attempt, err.retry_after());
            tracing::debug!(%method, path = url.path(), attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying Wrike call");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        backoff(&self.inner.config, attempt, retry_after, fastrand::f64())
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        payload: &Payload<'_>,
        token: &str,
    ) -> Result<Vec<u8>, WrikeError> {
        // The token goes only to the base it was issued for, whatever built the URL.
        if !self.inner.base.holds(url) {
            return Err(WrikeError::Invalid(format!(
                "{} is not under the connection's API base {}; the token is not sent there",
                url.path(),
                self.inner.base.url()
            )));
        }
        // Names are checked by the resolver; an address written as the host is checked here.
        if self.inner.config.reach == Reach::PublicOnly
            && let Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) = url.host()
            && url
                .host_str()
                .and_then(|h| h.trim_matches(['[', ']']).parse().ok())
                .is_some_and(|ip| !is_public(ip))
        {
            return Err(WrikeError::HostRefused(format!(
                "{} is a private, loopback or link-local address, which this hub does not call",
                url.host_str().unwrap_or_default()
            )));
        }
        let mut request = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token);
        request = match payload {
            Payload::Params(params) if matches!(*method, Method::POST | Method::PUT) => {
                request.form(params)
            }
            Payload::Params(params) => request.query(params),
            Payload::File(file) => request
                .header("X-File-Name", header_safe_name(&file.name))
                .header("X-Requested-With", "XMLHttpRequest")
                .header(reqwest::header::CONTENT_TYPE, file.content_type.as_str())
                .body(file.bytes.clone()),
        };
        let transport = |e: reqwest::Error| {
            if crate::http::refused_as_not_public(&e) {
                return WrikeError::HostRefused(describe_reqwest(&e));
            }
            WrikeError::Transport {
                url: url.path().to_owned(),
                message: describe_reqwest(&e),
            }
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = crate::http::read_capped(response, crate::http::API_ANSWER_CAP)
            .await
            .map_err(|message| WrikeError::Transport {
                url: url.path().to_owned(),
                message,
            })?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Err(from_status(status, retry_after, location, &body))
    }
}

/// The wait before retry number `attempt` (0 for the first), given the server's
/// `Retry-After` and a random `jitter` in [0, 1). `Retry-After` is honoured and stretched
/// by up to 10%, so clients told the same moment do not all come back at once; without it
/// the wait grows exponentially from `base_backoff`, jittered between half and the whole
/// step. Never longer than `max_backoff`.
pub fn backoff(
    config: &ClientConfig,
    attempt: u32,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Duration {
    let jitter = jitter.clamp(0.0, 1.0);
    let wait = match retry_after {
        Some(wait) => wait.mul_f64(1.0 + 0.1 * jitter),
        None => config
            .base_backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(config.max_backoff)
            .mul_f64(0.5 + 0.5 * jitter),
    };
    wait.min(config.max_backoff)
}

/// The outbound budget: `per_minute` requests a minute, spent evenly, since Wrike counts its
/// limit per second: at most half a second's worth at once, which leaves room for the few
/// requests other clients of the same token make (a connection check, a probe).
fn budget(per_minute: NonZeroU32) -> Quota {
    let burst = NonZeroU32::new(per_minute.get() / 120).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// A follow-up page's parameters: the first request's and the token.
fn with_token(first: &Params, token: &str) -> Params {
    let mut params = first.clone();
    params.push(("nextPageToken".to_owned(), token.to_owned()));
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_honour_retry_after_within_ten_percent_and_the_cap() {
        let config = ClientConfig {
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            ..ClientConfig::default()
        };
        let told = Some(Duration::from_secs(7));
        for jitter in [0.0, 0.3, 0.999] {
            let wait = backoff(&config, 0, told, jitter);
            assert!(
                wait >= Duration::from_secs(7) && wait <= Duration::from_millis(7_700),
                "{wait:?}"
            );
        }
        assert_eq!(
            backoff(&config, 0, Some(Duration::from_secs(600)), 0.5),
            Duration::from_secs(60),
            "capped"
        );
        // Without Retry-After: half to the whole of 0.5 s doubling per attempt, capped.
        assert_eq!(backoff(&config, 0, None, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(&config, 2, None, 0.999_999).as_millis(), 1_999);
        assert_eq!(backoff(&config, 20, None, 1.0), Duration::from_secs(60));
    }

    #[test]
    fn the_budget_spends_a_minute_evenly() {
        let quota = budget(NonZeroU32::new(400).unwrap());
        assert_eq!(
            quota.burst_size().get(),
            3,
            "half a second's worth at once, not 400"
        );
        assert_eq!(quota.replenish_interval(), Duration::from_millis(150));
        assert_eq!(budget(NonZeroU32::new(10).unwrap()).burst_size().get(), 1);
    }

    #[test]
    fn retry_after_as_seconds_or_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
