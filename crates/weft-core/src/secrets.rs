//! Secrets at rest: XChaCha20-Poly1305 with a random nonce per value and the owning row's id
//! as associated data, so a ciphertext copied onto another row fails to decrypt.

use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes in a key.
pub const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Version byte in front of every ciphertext, so the format can change later.
const FORMAT_V1: u8 = 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret key must be {KEY_LEN} bytes (64 hex characters), got {0} bytes")]
    KeyLength(usize),
    #[error("the secret key is not hex: {0}")]
    KeyNotHex(String),
    #[error("a stored secret could not be decrypted: wrong key, wrong row, or corrupted data")]
    Decrypt,
}

/// The key that encrypts every secret the hub stores, and signs what the hub hands out to
/// be brought back (the links in reclaim e-mails). Never printed.
#[derive(Clone)]
pub struct SecretKey {
    cipher: XChaCha20Poly1305,
    /// A key of its own for signatures, derived from the same bytes, so a signature never
    /// reveals anything of the encryption key.
    signing: [u8; 32],
}

fn keyed_mac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length")
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    /// From 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<SecretKey, SecretError> {
        let bytes = hex::decode(text.trim()).map_err(|e| SecretError::KeyNotHex(e.to_string()))?;
        SecretKey::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<SecretKey, SecretError> {
        let key = Key::try_from(bytes).map_err(|_| SecretError::KeyLength(bytes.len()))?;
        let mut derive = keyed_mac(bytes);
        derive.update(b"weft signing key v1");
        Ok(SecretKey {
            cipher: XChaCha20Poly1305::new(&key),
            signing: derive.finalize().into_bytes().into(),
        })
    }

    fn signer(&self, purpose: &str) -> Hmac<Sha256> {
        let mut mac = keyed_mac(&self.signing);
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac
    }

    /// Signs `message` for one `purpose` (a signature for one purpose is worthless for
    /// another): 32 bytes.
    pub fn sign(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let mut mac = self.signer(purpose);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Whether `signature` is `sign(purpose, message)`, compared in constant time.
    pub fn verify(&self, purpose: &str, message: &[u8], signature: &[u8]) -> bool {
        let mut mac = self.signer(purpose);
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    }

    /// A short name for this key (12 hex characters of a signature, which tell nothing of
    /// the key): what a backup says it needs, and what an operator compares keys by.
    pub fn id(&self) -> String {
        hex::encode(&self.sign("weft key id", b"")[..6])
    }

    /// A fresh random key, as hex (for first runs of the embedded default).
    pub fn generate_hex() -> String {
        let key = Key::generate();
        hex::encode(key)
    }

    /// Encrypts `plaintext` bound to `row_id`.
    pub fn seal(&self, row_id: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XNonce::generate();
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: row_id.as_bytes(),
                },
            )
            .expect("encryption of in-memory data");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what `seal` produced for the same `row_id`.
    pub fn open(&self, row_id: &str, sealed: &[u8]) -> Result<Vec<u8>, SecretError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != FORMAT_V1 {
            return Err(SecretError::Decrypt);
        }
        let nonce =
            XNonce::try_from(&sealed[1..1 + NONCE_LEN]).map_err(|_| SecretError::Decrypt)?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Decrypt)
    }
}

/// 32 random bytes from the operating system, as 64 hex characters: session ids, API
/// tokens, OAuth `state` values.
pub fn random_token() -> String {
    hex::encode(Key::generate())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_row() {
        let key = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
        let sealed = key.seal("conn-1", b"wrike-token");
        assert!(
            !sealed.windows(11).any(|w| w == b"wrike-token"),
            "no plaintext in the ciphertext"
        );
        assert_eq!(key.open("conn-1", &sealed).unwrap(), b"wrike-token");
        assert_eq!(
            key.open("conn-2", &sealed),
            Err(SecretError::Decrypt),
            "bound to its row"
        );
        let other = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
        assert_eq!(other.open("conn-1", &sealed), Err(SecretError::Decrypt));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open("conn-1", &tampered), Err(SecretError::Decrypt));
        assert_ne!(
            key.seal("conn-1", b"x"),
            key.seal("conn-1", b"x"),
            "fresh nonce each time"
        );
    }

    #[test]
    fn bad_keys_say_what_is_wrong() {
        assert_eq!(
            SecretKey::from_hex("abcd").unwrap_err(),
            SecretError::KeyLength(2)
        );
        assert!(matches!(
            SecretKey::from_hex("zz"),
            Err(SecretError::KeyNotHex(_))
        ));
        assert_eq!(
            format!(
                "{:?}",
                SecretKey::from_hex(&SecretKey::generate_hex()).unwrap()
            ),
            "SecretKey([redacted])"
        );
    }

    #[test]
    fn signatures_hold_for_their_key_purpose_and_message_only() {
        let key = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
        let other = SecretKey::from_hex(&SecretKey::generate_hex()).unwrap();
        let tag = key.sign("seat-link", b"dlg_1.keep.100");
        assert!(key.verify("seat-link", b"dlg_1.keep.100", &tag));
        assert!(!key.verify("seat-link", b"dlg_1.release.100", &tag));
        assert!(!key.verify("other", b"dlg_1.keep.100", &tag));
        assert!(!other.verify("seat-link", b"dlg_1.keep.100", &tag));
        assert!(!key.verify("seat-link", b"dlg_1.keep.100", &tag[..16]));
    }
}
