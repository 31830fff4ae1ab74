//! The one kind of HTTP client weft uses towards Wrike, and how its failures are described.

use std::time::Duration;

/// Builds the one kind of reqwest client weft uses towards Wrike: timeouts, a user agent,
/// and no redirect following (an HTTP 300 must surface as "wrong data center").
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("weft/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("reqwest client with static settings")
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
