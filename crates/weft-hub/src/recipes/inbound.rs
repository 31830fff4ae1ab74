//! Calls to a recipe's `http` trigger, signed as Standard Webhooks signs them
//! (standardwebhooks.com), so that any sender with one of its libraries can call the hub:
//! `webhook-id` (the idempotency key: one run per id), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `ID.TIMESTAMP.BODY`, several
//! separated by spaces while a secret is rotated). The signature covers the id and the time
//! as well as the body, so a captured call can be neither re-sent under a new id nor kept
//! for later: calls outside `TOLERANCE_S` of the hub's clock are refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a call's timestamp may be from the hub's clock, either way.
pub const TOLERANCE_S: i64 = 300;
/// What the secret shown to people starts with.
const SECRET_PREFIX: &str = "whsec_";

/// The signing headers of one call, as they arrived.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signed<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn signed_content(id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(id.len() + timestamp.len() + body.len() + 2);
    content.extend_from_slice(id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(timestamp.as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    content
}

/// The secret as the recipe's page shows it: `whsec_` and the key in base64.
pub fn shown_secret(key: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key of a secret as shown (for senders written in Rust, and the tests).
pub fn key_of(shown: &str) -> Option<Vec<u8>> {
    STANDARD
        .decode(
            shown
                .trim()
                .strip_prefix(SECRET_PREFIX)
                .unwrap_or(shown.trim()),
        )
        .ok()
}

/// The `webhook-signature` value for one call.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut m = mac(key);
    m.update(&signed_content(id, &timestamp.to_string(), body));
    format!("v1,{}", STANDARD.encode(m.finalize().into_bytes()))
}

/// The three headers of a call signed with a secret as shown (`whsec_...`), for senders
/// written in Rust (and the tests).
pub fn signed_headers(
    shown: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> [(&'static str, String); 3] {
    let key = key_of(shown).unwrap_or_else(|| shown.as_bytes().to_vec());
    [
        (ID_HEADER, id.to_owned()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, sign(&key, id, timestamp, body)),
    ]
}

/// Checks a call's signature, id and time; returns its id, or why it is refused.
pub fn verify<'a>(
    key: &[u8],
    signed: &Signed<'a>,
    body: &[u8],
    now_s: i64,
) -> Result<&'a str, String> {
    let missing = |name: &str| {
        format!(
            "the call has no {name} header; sign it as Standard Webhooks do ({ID_HEADER}, {TIMESTAMP_HEADER}, {SIGNATURE_HEADER})"
        )
    };
    let id = signed.id.map(str::trim).ok_or_else(|| missing(ID_HEADER))?;
    if id.is_empty() || id.len() > 256 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{ID_HEADER} must be 1 to 256 printable characters without spaces"
        ));
    }
    let timestamp = signed
        .timestamp
        .map(str::trim)
        .ok_or_else(|| missing(TIMESTAMP_HEADER))?;
    let at: i64 = timestamp
        .parse()
        .map_err(|_| format!("{TIMESTAMP_HEADER} {timestamp:?} is not Unix seconds"))?;
    if (now_s - at).abs() > TOLERANCE_S {
        return Err(format!(
            "{TIMESTAMP_HEADER} is {} s away from the hub's clock; calls are taken within {TOLERANCE_S} s",
            (now_s - at).abs()
        ));
    }
    let header = signed.signature.ok_or_else(|| missing(SIGNATURE_HEADER))?;
    let content = signed_content(id, timestamp, body);
    let valid = header.split_whitespace().any(|entry| {
        entry
            .strip_prefix("v1,")
            .and_then(|sig| STANDARD.decode(sig).ok())
            .is_some_and(|sig| {
                let mut m = mac(key);
                m.update(&content);
                m.verify_slice(&sig).is_ok()
            })
    });
    if valid {
        Ok(id)
    } else {
        Err(format!(
            "{SIGNATURE_HEADER} does not match the call's id, timestamp and body"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_call_passes_and_every_change_fails() {
        let key = b"0123456789abcdef";
        let now = 1_800_000_000;
        let body = br#"{"a":1}"#;
        let signature = sign(key, "msg_1", now, body);
        let ts = now.to_string();
        let call = Signed {
            id: Some("msg_1"),
            timestamp: Some(&ts),
            signature: Some(&signature),
        };
        assert_eq!(verify(key, &call, body, now + 10), Ok("msg_1"));
        // Several signatures while a secret rotates: any one may match.
        let rotating = format!("v1,AAAA {signature}");
        let call2 = Signed {
            signature: Some(&rotating),
            ..call
        };
        assert!(verify(key, &call2, body, now).is_ok());

        let other_id = Signed {
            id: Some("msg_2"),
            ..call
        };
        assert!(
            verify(key, &other_id, body, now)
                .unwrap_err()
                .contains("does not match")
        );
        assert!(verify(key, &call, br#"{"a":2}"#, now).is_err());
        assert!(verify(b"another key", &call, body, now).is_err());
        let late = verify(key, &call, body, now + TOLERANCE_S + 1).unwrap_err();
        assert!(late.contains("away from the hub's clock"), "{late}");
        let unsigned = Signed {
            signature: None,
            ..call
        };
        assert!(
            verify(key, &unsigned, body, now)
                .unwrap_err()
                .contains(SIGNATURE_HEADER)
        );
        assert_eq!(key_of(&shown_secret(key)).unwrap(), key);
    }
}
