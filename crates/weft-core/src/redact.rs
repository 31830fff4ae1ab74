//! Redaction: what the hub stores, logs or shows of a recipe run (its trigger event, step
//! inputs and outputs, errors) never holds a secret. Two nets: by key (a value under a key
//! that names a secret: `token`, `X-API-Key`, `credentials`, `private_key`...), and by value
//! (every secret the hub itself holds, registered in `KnownSecrets` when it is opened, and
//! the shapes secrets take in text: `Bearer ...`, `?access_token=...`).

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use regex::Regex;
use serde_json::Value;

/// What stands where a secret was.
pub const REDACTED: &str = "[redacted]";

/// Words that name a secret when a key is made of them (`accessToken` is `access` and
/// `token`; `X-Auth` is `x` and `auth`; `authorId` is `author` and `id`, not a secret).
const SECRET_WORDS: &[&str] = &[
    "authorization",
    "auth",
    "bearer",
    "token",
    "tokens",
    "secret",
    "secrets",
    "password",
    "passwords",
    "passwd",
    "pass",
    "passphrase",
    "pwd",
    "apikey",
    "cookie",
    "cookies",
    "credential",
    "credentials",
    "signature",
    "privatekey",
];

/// Two words that name a secret together (`api_key`, `private-key`, `X-Session-Key`...).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("access", "key"),
    ("session", "key"),
    ("session", "id"),
    ("client", "secret"),
    ("set", "cookie"),
];

/// The words of a key: split at anything not a letter or digit and where lower case turns
/// to upper case, all lower-cased.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// True when a map key names a secret.
pub fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    let joined: String = words.concat();
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || SECRET_WORDS.iter().any(|w| w.len() > 6 && joined == *w)
        || words
            .windows(2)
            .any(|pair| SECRET_PAIRS.contains(&(pair[0].as_str(), pair[1].as_str())))
}

/// Secrets as they appear in text: an `Authorization` scheme followed by its credentials,
/// and URL query parameters or `name=value` pairs whose name is a secret word. The last
/// group of each is the secret itself.
static TEXT_PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (
            Regex::new(r"(?i)\b(bearer)\s+([A-Za-z0-9._~+/=\-]{6,})").expect("pattern"),
            "$1 [redacted]",
        ),
        (
            Regex::new(r"(?i)\b(basic)\s+([A-Za-z0-9+/]{12,}={0,2})").expect("pattern"),
            "$1 [redacted]",
        ),
        (
            Regex::new(
                r#"(?i)([?&;#\s,"']|^)((?:access_|refresh_|id_|api_?|auth_?|client_|session_?)?(?:token|key|secret|password|passwd|pass|pwd|sig|signature|code|apikey))=([^&#\s"',;]+)"#,
            )
            .expect("pattern"),
            "$1$2=[redacted]",
        ),
    ]
});

/// Whether `text` could hold a secret's shape at all (a `name=value`, `Bearer` or `Basic`):
/// most text a run keeps has none, and is not handed to the patterns.
fn may_have_shape(text: &str) -> bool {
    let holds = |word: &[u8]| {
        text.as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    text.contains('=') || holds(b"bearer") || holds(b"basic")
}

/// The secrets the hub holds, as text, so that they can be taken out of anything stored,
/// logged or shown. Filled as secrets are opened (connection tokens, hook secrets) or
/// configured (the SMTP password, the OAuth client secret); shared by clones of the hub.
#[derive(Debug, Default)]
pub struct KnownSecrets {
    values: RwLock<Vec<String>>,
}

/// Shorter values are not scrubbed by value: they would match ordinary text.
const MIN_KNOWN_LEN: usize = 8;

impl KnownSecrets {
    /// Remembers a secret; short ones (under 8 characters) and repeats are ignored.
    pub fn register(&self, secret: &str) {
        let secret = secret.trim();
        if secret.len() < MIN_KNOWN_LEN {
            return;
        }
        // Secrets are registered each time one is opened (every client, every delivery):
        // the common case, one already known, only reads.
        let known = self.values.read().unwrap_or_else(|p| p.into_inner());
        if known.iter().any(|v| v == secret) {
            return;
        }
        drop(known);
        let mut values = self.values.write().unwrap_or_else(|p| p.into_inner());
        if !values.iter().any(|v| v == secret) {
            values.push(secret.to_owned());
            // Longest first, so a secret that contains another is replaced whole.
            values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    /// `text` with every known secret and every secret-shaped fragment replaced.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.scrub_with(text, &[])
    }

    /// `scrub`, taking out `also` too (the secrets a step was given, which an answer may
    /// repeat).
    pub fn scrub_with<'a>(&self, text: &'a str, also: &[String]) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        {
            let values = self.values.read().unwrap_or_else(|p| p.into_inner());
            for secret in values.iter().chain(also) {
                if secret.len() >= MIN_KNOWN_LEN && out.contains(secret.as_str()) {
                    out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
                }
            }
        }
        if may_have_shape(&out) {
            for (pattern, with) in TEXT_PATTERNS.iter() {
                if pattern.is_match(&out) {
                    out = Cow::Owned(pattern.replace_all(&out, *with).into_owned());
                }
            }
        }
        out
    }

    /// `value` with every value under a secret key replaced, and every string scrubbed.
    pub fn redact(&self, value: &Value) -> Value {
        self.redact_with(value, &[])
    }

    /// `redact`, taking `also` out of every string too.
    pub fn redact_with(&self, value: &Value, also: &[String]) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let kept = if is_secret_key(k) && !v.is_null() {
                            Value::String(REDACTED.into())
                        } else {
                            self.redact_with(v, also)
                        };
                        (self.scrub_with(k, also).into_owned(), kept)
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.redact_with(v, also)).collect())
            }
            Value::String(s) => match self.scrub_with(s, also) {
                Cow::Borrowed(_) => value.clone(),
                Cow::Owned(scrubbed) => Value::String(scrubbed),
            },
            other => other.clone(),
        }
    }
}

/// The secrets found in `value`: the text under secret keys, and what follows `Bearer` or a
/// secret query parameter in any string. What a step is given this way, it must not hand
/// back either (an answer or an error that repeats it).
pub fn secrets_in(value: &Value) -> Vec<String> {
    fn all_text(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| all_text(v, out)),
            Value::Object(map) => map.values().for_each(|v| all_text(v, out)),
            _ => {}
        }
    }
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if is_secret_key(k) {
                        all_text(v, out);
                    } else {
                        walk(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::String(s) => {
                for (pattern, _) in TEXT_PATTERNS.iter() {
                    for found in pattern.captures_iter(s) {
                        if let Some(m) = found.iter().flatten().last() {
                            out.push(m.as_str().to_owned());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    // A secret under `Authorization` is "Bearer TOKEN": the token alone is the secret.
    let tails: Vec<String> = out
        .iter()
        .filter_map(|s| s.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    out.extend(tails);
    out.retain(|s| s.len() >= MIN_KNOWN_LEN);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_that_name_secrets() {
        for key in [
            "token",
            "accessToken",
            "refresh_token",
            "Authorization",
            "X-API-Key",
            "x-api-key",
            "X-Auth",
            "X-Auth-Token",
            "bearer",
            "credentials",
            "private_key",
            "privateKey",
            "pass",
            "password",
            "client_secret",
            "apikey",
            "Cookie",
            "Set-Cookie",
            "X-Hub-Signature",
            "sessionId",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "authorId",
            "authorIds",
            "title",
            "passengers",
            "keyword",
            "status",
            "description",
            "id",
            "surpass",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn values_are_redacted_by_key_and_by_value() {
        let known = KnownSecrets::default();
        known.register("wrike-token-0123456789");
        known.register("short");
        let value = json!({
            "headers": {"X-API-Key": "k1", "Accept": "application/json"},
            "nested": [{"credentials": {"user": "u"}}],
            "note": "the token is wrike-token-0123456789, see",
            "url": "https://api.example.com/x?access_token=abc123&page=2",
            "error": "GET https://x.example/?api_key=zzz answered 401",
            "header": "Authorization: Bearer eyJhbGciOi.xyz",
            "said": "sent with bearer abcdef123456 to them",
            "plain": "the token expired; basic information",
            "short": "short",
            "authorId": "KUAAA",
        });
        let redacted = known.redact(&value);
        let text = redacted.to_string();
        for secret in [
            "k1",
            "wrike-token-0123456789",
            "abc123",
            "zzz",
            "eyJhbGciOi",
            "abcdef123456",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(redacted["headers"]["Accept"], "application/json");
        assert_eq!(redacted["authorId"], "KUAAA");
        assert_eq!(redacted["plain"], "the token expired; basic information");
        assert_eq!(redacted["short"], "short", "short values are not scrubbed");
        assert!(redacted["url"].as_str().unwrap().contains("page=2"));
        assert_eq!(redacted["nested"][0]["credentials"], REDACTED);
    }

    #[test]
    fn what_a_step_was_given_is_taken_out_of_what_it_hands_back() {
        let input = json!({
            "url": "https://x.example/hook?api_key=given-key-123&page=1",
            "headers": {"Authorization": "Bearer given-token-456", "Accept": "text/plain"},
            "title": "not a secret",
        });
        let given = secrets_in(&input);
        assert!(
            secrets_in(&json!({"note": "curl -H 'Bearer inline-token-789'"}))
                .contains(&"inline-token-789".to_owned())
        );
        assert!(given.contains(&"given-key-123".to_owned()), "{given:?}");
        assert!(given.contains(&"given-token-456".to_owned()), "{given:?}");
        assert!(!given.iter().any(|g| g.contains("not a secret")));
        let known = KnownSecrets::default();
        let answer = json!({"echo": "you sent given-token-456 and given-key-123"});
        let kept = known.redact_with(&answer, &given).to_string();
        assert!(
            !kept.contains("given-token-456") && !kept.contains("given-key-123"),
            "{kept}"
        );
        assert_eq!(
            known.scrub_with("401: bad key given-key-123", &given),
            "401: bad key [redacted]"
        );
    }
}
