//! Receiving Wrike webhooks: the `X-Hook-Secret` handshake and `X-Hook-Signature` checks.
//!
//! Both are HMAC-SHA256 keyed with the secret given at registration, hex-encoded in lower
//! case. Verification runs on the raw body before anything parses it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::WrikeError;
use crate::models::WebhookEvent;

/// Header carrying the body signature on every delivery.
pub const SIGNATURE_HEADER: &str = "X-Hook-Signature";
/// Header carrying the handshake challenge, and the answer to it.
pub const SECRET_HEADER: &str = "X-Hook-Secret";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length")
}

/// `hex(HMAC-SHA256(secret, message))`, as Wrike sends and expects it.
pub fn sign(secret: &[u8], message: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(message);
    hex::encode(m.finalize().into_bytes())
}

/// Checks `X-Hook-Signature` against the raw body in constant time. Accepts upper- or
/// lower-case hex; anything that is not hex of the right length fails.
pub fn verify_signature(secret: &[u8], raw_body: &[u8], signature_header: &str) -> bool {
    let Ok(expected) = hex::decode(signature_header.trim()) else {
        return false;
    };
    let mut m = mac(secret);
    m.update(raw_body);
    m.verify_slice(&expected).is_ok()
}

/// The longest `X-Hook-Secret` challenge answered.
const CHALLENGE_MAX: usize = 1024;

/// The value to send back in `X-Hook-Secret` for a handshake challenge. The challenge is
/// what Wrike sends in the same header; its alphabet is not documented (those seen are
/// letters and digits), so any visible ASCII up to 1024 characters is answered: the answer
/// is an HMAC of it, and only the hook's secret can make it.
pub fn answer_handshake(secret: &[u8], challenge: &str) -> Result<String, WrikeError> {
    let ok = !challenge.is_empty()
        && challenge.len() <= CHALLENGE_MAX
        && challenge.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(WrikeError::Invalid(format!(
            "X-Hook-Secret challenge {:?} is not 1-{CHALLENGE_MAX} visible ASCII characters",
            challenge.chars().take(40).collect::<String>()
        )));
    }
    Ok(sign(secret, challenge.as_bytes()))
}

/// True for the handshake body: `{"requestType": "WebHook secret verification"}`.
pub fn is_handshake(raw_body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(raw_body)
        .ok()
        .and_then(|v| {
            v.get("requestType")
                .and_then(|t| t.as_str())
                .map(|t| t == "WebHook secret verification")
        })
        .unwrap_or(false)
}

/// Decodes a delivery body: a JSON array of events (a lone object is accepted too).
pub fn parse_events(raw_body: &[u8]) -> Result<Vec<WebhookEvent>, WrikeError> {
    let decode_err = |e: serde_json::Error| WrikeError::Decode {
        what: "a webhook delivery".into(),
        message: crate::error::decode_failure(&e),
    };
    let value: serde_json::Value = serde_json::from_slice(raw_body).map_err(decode_err)?;
    match value {
        serde_json::Value::Array(_) => serde_json::from_value(value).map_err(decode_err),
        serde_json::Value::Object(_) => {
            Ok(vec![serde_json::from_value(value).map_err(decode_err)?])
        }
        _ => Err(WrikeError::Decode {
            what: "a webhook delivery".into(),
            message: "expected a JSON array of events".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trip_and_tamper() {
        let body = br#"[{"eventType":"TaskCreated","taskId":"T"}]"#;
        let sig = sign(b"s3cret", body);
        assert_eq!(sig.len(), 64);
        assert!(verify_signature(b"s3cret", body, &sig));
        assert!(verify_signature(b"s3cret", body, &sig.to_uppercase()));
        assert!(!verify_signature(b"other", body, &sig));
        assert!(!verify_signature(b"s3cret", b"[]", &sig));
        assert!(!verify_signature(b"s3cret", body, "zz"));
        assert!(!verify_signature(b"s3cret", body, ""));
    }

    #[test]
    fn known_hmac_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn handshake_answer_checks_the_challenge() {
        assert_eq!(
            answer_handshake(b"k", "abc123").unwrap(),
            sign(b"k", b"abc123")
        );
        assert!(answer_handshake(b"k", "").is_err());
        assert!(answer_handshake(b"k", "a b").is_err());
        assert!(answer_handshake(b"k", &"a".repeat(1025)).is_err());
        // Not only letters and digits: whatever visible ASCII Wrike may send.
        assert!(answer_handshake(b"k", "aB3+/=_-.").is_ok());
        assert!(answer_handshake(b"k", &"a".repeat(101)).is_ok());
        assert!(is_handshake(
            br#"{"requestType": "WebHook secret verification"}"#
        ));
        assert!(!is_handshake(b"[]"));
    }

    #[test]
    fn delivery_sample_parses() {
        let raw = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/samples/webhook_task_created.json"
        ))
        .unwrap();
        let events = parse_events(&raw).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].task_id.as_deref(), Some("MAAAAAEOud3s"));
        assert!(parse_events(b"42").is_err());
        assert!(parse_events(b"{not json").is_err());
    }
}
