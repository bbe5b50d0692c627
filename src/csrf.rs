//! Double-submit CSRF protection, as Auth.js does it: the cookie holds `token|MAC(token)` under
//! the CSRF key, the form posts `csrfToken=token`, and a POST passes only when the cookie's MAC
//! verifies and both tokens are equal (compared in constant time).

use crate::crypto::{ct_eq, KeyRing, Purpose};
use crate::encoding::{b64url, b64url_decode};

/// The token from a valid CSRF cookie value, if it is one.
pub fn token_from_cookie<'a>(cookie: &'a str, keys: &KeyRing) -> Option<&'a str> {
    let (token, tag) = cookie.split_once('|')?;
    let tag = b64url_decode(tag)?;
    (tag.len() == 32 && token.len() >= 32 && keys.verify(Purpose::Csrf, token.as_bytes(), &tag)).then_some(token)
}

/// The cookie value for a fresh `token`.
pub fn cookie_value(token: &str, keys: &KeyRing) -> String {
    format!("{token}|{}", b64url(&keys.sign(Purpose::Csrf, token.as_bytes())))
}

/// True when the submitted token matches a valid cookie.
pub fn verify(cookie: Option<&str>, submitted: Option<&str>, keys: &KeyRing) -> bool {
    match (cookie.and_then(|c| token_from_cookie(c, keys)), submitted) {
        (Some(expected), Some(got)) => ct_eq(expected.as_bytes(), got.as_bytes()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    fn keys() -> KeyRing {
        KeyRing::new(&["c".repeat(32)])
    }

    #[test]
    fn accepts_matching_pair() {
        let c = cookie_value(TOKEN, &keys());
        assert!(verify(Some(&c), Some(TOKEN), &keys()));
    }

    #[test]
    fn refuses_mismatch_missing_and_forged() {
        let c = cookie_value(TOKEN, &keys());
        assert!(!verify(Some(&c), Some("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFH"), &keys()));
        assert!(!verify(Some(&c), None, &keys()));
        assert!(!verify(None, Some(TOKEN), &keys()));
        // An attacker who can set cookies but does not know the secret cannot mint a pair.
        let forged = format!("{TOKEN}|{}", b64url(&[0u8; 32]));
        assert!(!verify(Some(&forged), Some(TOKEN), &keys()));
        let other = cookie_value(TOKEN, &KeyRing::new(&["d".repeat(32)]));
        assert!(!verify(Some(&other), Some(TOKEN), &keys()));
        assert!(!verify(Some(TOKEN), Some(TOKEN), &keys()));
    }
}
