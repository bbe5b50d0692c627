//! The stateless session cookie: `base64url(payload) "." base64url(HMAC-SHA256)`, the MAC taken
//! over the encoded payload with the session key, so nothing is decoded before it is verified.
//! The payload is a fixed binary layout (no JSON on the hot path):
//! `version(1) | iat(u64 BE) | exp(u64 BE) | provider | sub | email | name | picture`, each string
//! a u16 BE length and UTF-8 bytes (length 0 for absent).

use crate::crypto::{KeyRing, Purpose};
use crate::encoding::{b64url, b64url_decode};

const VERSION: u8 = 1;
/// Browsers keep cookies up to 4096 bytes including the name; leave room for it.
const MAX_COOKIE_VALUE: usize = 3800;

/// Who is signed in, as the provider said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub picture: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub identity: Identity,
    pub issued_at: u64,
    pub expires_at: u64,
}

impl Session {
    /// Serialises and signs. Drops the picture, then the name, if the cookie would be too large.
    pub fn seal(&self, keys: &KeyRing) -> String {
        let mut identity = self.identity.clone();
        loop {
            let payload = b64url(&encode(self.issued_at, self.expires_at, &identity));
            let tag = keys.sign(Purpose::Session, payload.as_bytes());
            let value = format!("{payload}.{}", b64url(&tag));
            if value.len() <= MAX_COOKIE_VALUE {
                return value;
            }
            if identity.picture.take().is_none() && identity.name.take().is_none() && identity.email.take().is_none() {
                // Even the bare subject is too long: keep it truncated-free but signed; the
                // browser will refuse it and the user simply stays signed out.
                return value;
            }
        }
    }

    /// Verifies the MAC, then parses, then checks expiry. Any failure is "no session".
    pub fn open(value: &str, keys: &KeyRing, now: u64) -> Option<Session> {
        let payload = verified_payload(value, keys)?;
        let session = decode(&b64url_decode(payload)?)?;
        within_lifetime(session.issued_at, session.expires_at, now).then_some(session)
    }

    /// The gate's question, answered without decoding the identity: is this a session cookie
    /// we signed that is within its lifetime? Reads only the fixed-position times.
    pub fn is_valid(value: &str, keys: &KeyRing, now: u64) -> bool {
        // 24 base64url characters carry the first 18 bytes: version, iat, exp and one more.
        let Some(head) = verified_payload(value, keys).and_then(|p| p.get(..24)).and_then(b64url_decode) else {
            return false;
        };
        let time = |at: usize| head.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
        match (head.first(), time(1), time(9)) {
            (Some(&VERSION), Some(iat), Some(exp)) => within_lifetime(iat, exp, now),
            _ => false,
        }
    }
}

/// The encoded payload of a cookie value whose MAC verifies (in constant time).
fn verified_payload<'a>(value: &'a str, keys: &KeyRing) -> Option<&'a str> {
    if value.len() > MAX_COOKIE_VALUE {
        return None;
    }
    let (payload, tag) = value.split_once('.')?;
    let tag = b64url_decode(tag)?;
    (tag.len() == 32 && keys.verify(Purpose::Session, payload.as_bytes(), &tag)).then_some(payload)
}

/// Not expired, and not issued in the future (beyond a minute of clock skew).
fn within_lifetime(iat: u64, exp: u64, now: u64) -> bool {
    now < exp && iat <= now.saturating_add(60)
}

impl Session {
}

fn encode(iat: u64, exp: u64, id: &Identity) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(VERSION);
    out.extend_from_slice(&iat.to_be_bytes());
    out.extend_from_slice(&exp.to_be_bytes());
    for field in [Some(&id.provider), Some(&id.subject), id.email.as_ref(), id.name.as_ref(), id.picture.as_ref()] {
        let bytes = field.map(String::as_bytes).unwrap_or_default();
        let bytes = &bytes[..bytes.len().min(u16::MAX as usize)];
        out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

fn decode(bytes: &[u8]) -> Option<Session> {
    let mut r = Reader(bytes);
    if r.take(1)? != [VERSION] {
        return None;
    }
    let issued_at = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
    let expires_at = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
    let mut field = || -> Option<Option<String>> {
        let len = u16::from_be_bytes(r.take(2)?.try_into().ok()?) as usize;
        let s = std::str::from_utf8(r.take(len)?).ok()?;
        Some((!s.is_empty()).then(|| s.to_string()))
    };
    let identity = Identity {
        provider: field()??,
        subject: field()??,
        email: field()?,
        name: field()?,
        picture: field()?,
    };
    r.0.is_empty().then_some(Session { identity, issued_at, expires_at })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeyRing {
        KeyRing::new(&["k".repeat(32)])
    }

    fn session() -> Session {
        Session {
            identity: Identity {
                provider: "oidc".into(),
                subject: "alice".into(),
                email: Some("alice@example.test".into()),
                name: Some("Alice Ä".into()),
                picture: None,
            },
            issued_at: 1_000,
            expires_at: 2_000,
        }
    }

    #[test]
    fn round_trips() {
        let v = session().seal(&keys());
        assert_eq!(Session::open(&v, &keys(), 1_500), Some(session()));
    }

    #[test]
    fn refuses_expired_and_future() {
        let v = session().seal(&keys());
        assert_eq!(Session::open(&v, &keys(), 2_000), None);
        assert_eq!(Session::open(&v, &keys(), 900), None);
        for now in [900, 939, 940, 1_500, 1_999, 2_000] {
            assert_eq!(Session::is_valid(&v, &keys(), now), Session::open(&v, &keys(), now).is_some(), "at {now}");
        }
        assert!(Session::is_valid(&v, &keys(), 1_500));
    }

    #[test]
    fn refuses_every_single_character_tampering() {
        let v = session().seal(&keys());
        for i in 0..v.len() {
            let mut bytes = v.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let t = String::from_utf8(bytes).unwrap();
            if t != v {
                assert_eq!(Session::open(&t, &keys(), 1_500), None, "tampered at {i}");
                assert!(!Session::is_valid(&t, &keys(), 1_500), "tampered at {i}");
            }
        }
        assert_eq!(Session::open(&v[..v.len() - 1], &keys(), 1_500), None);
        assert_eq!(Session::open("", &keys(), 1_500), None);
        assert_eq!(Session::open("...", &keys(), 1_500), None);
    }

    #[test]
    fn refuses_foreign_keys_and_other_purposes() {
        let v = session().seal(&keys());
        assert_eq!(Session::open(&v, &KeyRing::new(&["x".repeat(32)]), 1_500), None);
        // A CSRF-purpose MAC over the same payload is no session.
        let payload = v.split_once('.').unwrap().0;
        let forged = format!("{payload}.{}", b64url(&keys().sign(Purpose::Csrf, payload.as_bytes())));
        assert_eq!(Session::open(&forged, &keys(), 1_500), None);
    }

    #[test]
    fn rotation_accepts_old_cookies_and_signs_with_new() {
        let old = KeyRing::new(&["o".repeat(32)]);
        let rotated = KeyRing::new(&["n".repeat(32), "o".repeat(32)]);
        let v = session().seal(&old);
        assert!(Session::open(&v, &rotated, 1_500).is_some());
        let fresh = session().seal(&rotated);
        assert!(Session::open(&fresh, &old, 1_500).is_none());
        assert!(Session::open(&fresh, &KeyRing::new(&["n".repeat(32)]), 1_500).is_some());
    }

    #[test]
    fn oversized_identity_drops_picture_first() {
        let mut s = session();
        s.identity.picture = Some(format!("https://img.example/{}", "p".repeat(5000)));
        let v = s.seal(&keys());
        assert!(v.len() <= MAX_COOKIE_VALUE);
        let opened = Session::open(&v, &keys(), 1_500).unwrap();
        assert_eq!(opened.identity.picture, None);
        assert_eq!(opened.identity.name.as_deref(), Some("Alice Ä"));
    }
}
