//! Symmetric cryptography of the gateway: HKDF-SHA256 (RFC 5869) to derive one key per purpose
//! from each configured secret, HMAC-SHA256 tags (RFC 2104) compared in constant time, SHA-256,
//! and the key ring that signs with the newest secret and verifies with every configured one.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length (RFC 2104 §2), so `new_from_slice` cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Constant-time equality for MACs and tokens (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// HKDF-SHA256 with a 32-byte output: Extract then one block of Expand (RFC 5869 §2.2, §2.3).
fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let prk = hmac_sha256(salt, &[ikm]);
    hmac_sha256(&prk, &[info, &[1u8]])
}

/// What a derived key is for. A value minted under one purpose never verifies under another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Session,
    Csrf,
    State,
}

impl Purpose {
    fn info(self) -> &'static [u8] {
        match self {
            Purpose::Session => b"edge-auth session cookie v1",
            Purpose::Csrf => b"edge-auth csrf token v1",
            Purpose::State => b"edge-auth oauth state v1",
        }
    }
}

/// The keys derived from one secret, each kept as a keyed HMAC state: the key's inner and
/// outer pads are hashed once per isolate, not once per MAC.
#[derive(Clone)]
struct KeySet {
    session: HmacSha256,
    csrf: HmacSha256,
    state: HmacSha256,
}

impl KeySet {
    fn derive(secret: &[u8]) -> Self {
        let k = |p: Purpose| match HmacSha256::new_from_slice(&hkdf_sha256(b"edge-auth", secret, p.info())) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        KeySet { session: k(Purpose::Session), csrf: k(Purpose::Csrf), state: k(Purpose::State) }
    }

    fn mac(&self, purpose: Purpose, data: &[u8]) -> [u8; 32] {
        let mut mac = self.get(purpose).clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    fn get(&self, purpose: Purpose) -> &HmacSha256 {
        match purpose {
            Purpose::Session => &self.session,
            Purpose::Csrf => &self.csrf,
            Purpose::State => &self.state,
        }
    }
}

/// Keys for every configured secret: the first signs, all verify (rotation). Derived once per
/// isolate, when the configuration is built.
#[derive(Clone)]
pub struct KeyRing {
    sets: Vec<KeySet>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing([redacted]; {} secrets)", self.sets.len())
    }
}

impl KeyRing {
    /// `secrets[0]` signs; the rest are older secrets still accepted.
    pub fn new<S: AsRef<[u8]>>(secrets: &[S]) -> Self {
        KeyRing { sets: secrets.iter().map(|s| KeySet::derive(s.as_ref())).collect() }
    }

    pub fn sign(&self, purpose: Purpose, data: &[u8]) -> [u8; 32] {
        match self.sets.first() {
            Some(set) => set.mac(purpose, data),
            // A ring without secrets is never built by `Config`; sign with nothing verifiable.
            None => [0u8; 32],
        }
    }

    /// True when `tag` (possibly truncated, at least 16 bytes) is the MAC of `data` under any key.
    pub fn verify(&self, purpose: Purpose, data: &[u8], tag: &[u8]) -> bool {
        if tag.len() < 16 || tag.len() > 32 {
            return false;
        }
        self.sets.iter().any(|set| {
            let mac = set.mac(purpose, data);
            ct_eq(&mac[..tag.len()], tag)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc5869_test_case_1_first_block() {
        // RFC 5869 Appendix A.1: IKM 0x0b*22, salt 0x00..0x0c, info 0xf0..0xf9; OKM's first 32 bytes.
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let okm = hkdf_sha256(&salt, &ikm, &info);
        let hex: String = okm.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    }

    #[test]
    fn purposes_do_not_cross() {
        let ring = KeyRing::new(&["s".repeat(32)]);
        let tag = ring.sign(Purpose::Csrf, b"v");
        assert!(ring.verify(Purpose::Csrf, b"v", &tag));
        assert!(!ring.verify(Purpose::Session, b"v", &tag));
        assert!(!ring.verify(Purpose::State, b"v", &tag));
    }

    #[test]
    fn rotation_verifies_old_signs_new() {
        let old = KeyRing::new(&["o".repeat(32)]);
        let rotated = KeyRing::new(&["n".repeat(32), "o".repeat(32)]);
        let tag = old.sign(Purpose::Session, b"v");
        assert!(rotated.verify(Purpose::Session, b"v", &tag));
        assert!(!old.verify(Purpose::Session, b"v", &rotated.sign(Purpose::Session, b"v")));
    }

    #[test]
    fn short_tags_are_refused() {
        let ring = KeyRing::new(&["s".repeat(32)]);
        let tag = ring.sign(Purpose::State, b"v");
        assert!(ring.verify(Purpose::State, b"v", &tag[..16]));
        assert!(!ring.verify(Purpose::State, b"v", &tag[..8]));
        assert!(!ring.verify(Purpose::State, b"v", &[]));
    }
}
