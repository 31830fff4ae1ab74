//! Wrike-shaped ids: legacy base32 (`IEAAAAAQKQAB5BG4`) for generated data, the newer
//! format (`MAAAAAEOud3s`) for items created through the API, as Wrike does since 2025.

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` as `width` base32 digits.
pub fn base32(mut n: u64, width: usize) -> String {
    let mut out = vec![b'A'; width];
    for slot in out.iter_mut().rev() {
        *slot = BASE32[(n % 32) as usize];
        n /= 32;
    }
    String::from_utf8(out).expect("ascii")
}

/// An account id: `IEAA` + 4 base32 digits.
pub fn account(n: u64) -> String {
    format!("IEAA{}", base32(n, 4))
}

/// A person contact id (`KUAA....`).
pub fn person(n: u64) -> String {
    format!("KUAA{}", base32(n, 4))
}

/// A group contact id (`KX7777..`).
pub fn group(n: u64) -> String {
    format!("KX77{}", base32(n, 4))
}

/// An audit record id: 23 characters, as in Wrike's audit-log payloads (the account id, `AL`
/// and 13 base32 digits).
pub fn audit_record(account: &str, n: u64) -> String {
    format!("{account}AL{}", base32(n, 13))
}

/// An entity id inside an account: account id + two-letter kind tag + 6 digits, the legacy
/// layout (`IEAAAAAQ` `KQ` `AB5BG4`).
pub fn entity(account: &str, tag: &str, n: u64) -> String {
    format!("{account}{tag}{}", base32(n, 6))
}

/// A new-format id (`MAAAAAE` + 5 base62 chars), for tasks and folders created via the API.
pub fn new_format(prefix: &str, n: u64) -> String {
    let mut tail = [b'A'; 5];
    let mut v = n;
    for slot in tail.iter_mut().rev() {
        *slot = BASE62[(v % 62) as usize];
        v /= 62;
    }
    format!("{prefix}AAAAE{}", String::from_utf8_lossy(&tail))
}

/// A random opaque secret (tokens, codes).
pub fn secret(len: usize) -> String {
    (0..len)
        .map(|_| BASE62[fastrand::usize(..BASE62.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(account(16), "IEAAAAAQ");
        assert_eq!(entity("IEAAAAAQ", "KQ", 0).len(), 16);
        assert_eq!(new_format("MA", 1).len(), 12, "like MAAAAAEOud3s");
        assert!(wrike_api::encode::check_id(&new_format("MQ", 99999)).is_ok());
    }
}
