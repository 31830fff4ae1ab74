//! One error type for every failure talking to Wrike, carrying whether a retry may help.

use std::time::Duration;

/// What went wrong in a call to Wrike. The variants follow Wrike's error table; the
/// `description` is Wrike's own `errorDescription` when there was one.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WrikeError {
    /// HTTP 300: the token belongs to another data center. Retrying the same host never helps.
    #[error("wrong Wrike data center for this token (HTTP 300){}", hint(.location))]
    WrongDataCenter { location: Option<String> },
    /// HTTP 400: `invalid_request`, `invalid_parameter` or `parameter_required`.
    #[error("Wrike rejected the request ({code}): {description}")]
    BadRequest { code: String, description: String },
    /// HTTP 401 `not_authorized`: missing, expired, revoked or unknown token.
    #[error("Wrike refused the credentials: {description}")]
    NotAuthorized { description: String },
    /// HTTP 403 `access_forbidden`: the user cannot see or change this entity.
    #[error("access to this Wrike item is forbidden: {description}")]
    AccessForbidden { description: String },
    /// HTTP 403 `not_allowed`: the plan, license or the user's admin rights do not allow it.
    #[error("not allowed by the Wrike plan or the user's rights: {description}")]
    NotAllowed { description: String },
    /// HTTP 404 `resource_not_found` or `method_not_found`.
    #[error("HTTP 404 {code}: {description}")]
    NotFound { code: String, description: String },
    /// HTTP 429.
    #[error("rate limited by Wrike{}", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// HTTP 5xx.
    #[error("Wrike answered HTTP {status}: {description}")]
    Server { status: u16, description: String },
    /// Any other status.
    #[error("unexpected HTTP {status} from Wrike")]
    UnexpectedStatus { status: u16 },
    /// No answer: connection refused, reset, dropped, timed out.
    #[error("could not reach Wrike at {url}: {message}")]
    Transport { url: String, message: String },
    /// An answer that is not the JSON we expected. Never carries the answer itself, which
    /// may hold secrets (a token response) or anything a wrong host sends.
    #[error("could not read Wrike's answer to {what}: {message}")]
    Decode { what: String, message: String },
    /// The OAuth token endpoint refused (RFC 6749 `error` / `error_description`).
    #[error("Wrike OAuth error {error}{}", desc(.description))]
    OAuth {
        status: u16,
        error: String,
        description: Option<String>,
    },
    /// This hub's own policy refused to call the host (a private, loopback or link-local
    /// address) before anything was sent: not Wrike's answer, and no retry helps.
    #[error("not sent, by this hub's own policy (allow_any_wrike_host is off): {0}")]
    HostRefused(String),
    /// Misuse detected before anything was sent (bad URL, too many ids, ...).
    #[error("invalid request: {0}")]
    Invalid(String),
}

fn hint(location: &Option<String>) -> String {
    match location {
        Some(l) => format!("; Wrike points to {l}"),
        None => String::new(),
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {}s", d.as_secs()),
        None => String::new(),
    }
}

fn desc(description: &Option<String>) -> String {
    match description {
        Some(d) => format!(": {d}"),
        None => String::new(),
    }
}

impl WrikeError {
    /// True when the same request may succeed later without any change on our side.
    pub fn is_retryable(&self) -> bool {
        match self {
            WrikeError::RateLimited { .. } | WrikeError::Transport { .. } => true,
            WrikeError::Server { .. } => true,
            WrikeError::UnexpectedStatus { status, .. } => *status == 408,
            _ => false,
        }
    }

    /// The server's requested wait, when it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            WrikeError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// True when the token itself is no good (revoked, expired, password changed, user
    /// deactivated): a refresh or a new consent is needed.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, WrikeError::NotAuthorized { .. })
            || matches!(self, WrikeError::OAuth { error, .. } if error == "invalid_grant" || error == "invalid_token")
    }

    /// A short machine-readable name, stable for logs and classification.
    pub fn code(&self) -> &str {
        match self {
            WrikeError::WrongDataCenter { .. } => "wrong_data_center",
            WrikeError::BadRequest { code, .. } => code,
            WrikeError::NotAuthorized { .. } => "not_authorized",
            WrikeError::AccessForbidden { .. } => "access_forbidden",
            WrikeError::NotAllowed { .. } => "not_allowed",
            WrikeError::NotFound { code, .. } => code,
            WrikeError::RateLimited { .. } => "rate_limited",
            WrikeError::Server { .. } => "server_error",
            WrikeError::UnexpectedStatus { .. } => "unexpected_status",
            WrikeError::Transport { .. } => "transport",
            WrikeError::Decode { .. } => "decode",
            WrikeError::OAuth { error, .. } => error,
            WrikeError::HostRefused(_) => "host_refused",
            WrikeError::Invalid(_) => "invalid",
        }
    }
}

/// Wrike's error body: `{"errorDescription": "...", "error": "..."}`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

/// Wrike's own description of an error, made safe to show: control characters dropped,
/// at most 200 characters.
pub(crate) fn tidy(description: &str) -> String {
    let mut text: String = description
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if description.chars().count() > 200 {
        text.push('…');
    }
    text
}

/// What a decoding failure says: its kind and place, never the text it failed on (which
/// may be a secret, or anything a wrong host sent).
pub(crate) fn decode_failure(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "JSON of an unexpected shape",
        serde_json::error::Category::Eof => "cut short",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

/// Maps a non-2xx answer to the error it stands for. The body is parsed whatever its
/// content type: Wrike serves 401 bodies as `text/plain`.
pub(crate) fn from_status(
    status: u16,
    retry_after: Option<Duration>,
    location: Option<String>,
    body: &[u8],
) -> WrikeError {
    // Only Wrike's own error fields are repeated, never the rest of an answer.
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (code, description) = match parsed {
        Some(b) => (tidy(&b.error), tidy(&b.error_description)),
        None => (
            String::new(),
            format!("an answer of {} bytes without a Wrike error", body.len()),
        ),
    };
    match status {
        300 => WrikeError::WrongDataCenter { location },
        400 => WrikeError::BadRequest {
            code: if code.is_empty() {
                "invalid_request".into()
            } else {
                code
            },
            description,
        },
        401 => WrikeError::NotAuthorized { description },
        403 if code == "not_allowed" => WrikeError::NotAllowed { description },
        403 => WrikeError::AccessForbidden { description },
        404 => WrikeError::NotFound {
            code: if code.is_empty() {
                "resource_not_found".into()
            } else {
                code
            },
            description,
        },
        429 => WrikeError::RateLimited { retry_after },
        500..=599 => WrikeError::Server {
            status,
            description,
        },
        _ => WrikeError::UnexpectedStatus { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: u16, body: &str, code: &str, retryable: bool) {
        let err = from_status(status, None, None, body.as_bytes());
        assert_eq!(err.code(), code, "{status} {body}");
        assert_eq!(err.is_retryable(), retryable, "{status} {body}");
    }

    #[test]
    fn maps_wrikes_error_table() {
        check(300, "", "wrong_data_center", false);
        check(
            400,
            r#"{"errorDescription":"x","error":"invalid_parameter"}"#,
            "invalid_parameter",
            false,
        );
        check(
            400,
            r#"{"errorDescription":"x","error":"parameter_required"}"#,
            "parameter_required",
            false,
        );
        check(400, "garbage", "invalid_request", false);
        check(
            401,
            r#"{"errorDescription":"Access token is unknown or invalid","error":"not_authorized"}"#,
            "not_authorized",
            false,
        );
        check(
            403,
            r#"{"errorDescription":"x","error":"access_forbidden"}"#,
            "access_forbidden",
            false,
        );
        check(
            403,
            r#"{"errorDescription":"x","error":"not_allowed"}"#,
            "not_allowed",
            false,
        );
        check(
            404,
            r#"{"errorDescription":"x","error":"method_not_found"}"#,
            "method_not_found",
            false,
        );
        check(
            429,
            r#"{"errorDescription":"x","error":"too_many_requests"}"#,
            "rate_limited",
            true,
        );
        check(
            429,
            r#"{"errorDescription":"x","error":"rate_limit_exceeded"}"#,
            "rate_limited",
            true,
        );
        check(
            500,
            r#"{"errorDescription":"x","error":"server_error"}"#,
            "server_error",
            true,
        );
        check(503, "<html>down</html>", "server_error", true);
        check(418, "teapot", "unexpected_status", false);
    }

    #[test]
    fn text_plain_401_body_is_still_read() {
        let err = from_status(
            401,
            None,
            None,
            br#"{"errorDescription":"Authorization method unknown","error":"not_authorized"}"#,
        );
        assert!(err.to_string().contains("Authorization method unknown"));
        assert!(err.is_auth_failure());
    }
}
