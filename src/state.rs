//! The in-flight sign-in ("state"): what the callback needs to finish what the sign-in
//! started (PKCE verifier, nonce, provider, where to return). It lives in KV under a random id
//! with a TTL, and is bound to the browser by a short-lived cookie holding the same `state`.
//!
//! The `state` parameter is `id.tag`, the tag a truncated HMAC of the id under the state key,
//! so forged or mangled values are refused before any KV read.

use crate::crypto::{KeyRing, Purpose};
use crate::encoding::{b64url, b64url_decode};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignin {
    #[serde(rename = "p")]
    pub provider: String,
    #[serde(rename = "v")]
    pub code_verifier: String,
    #[serde(rename = "n")]
    pub nonce: String,
    #[serde(rename = "c")]
    pub callback_url: String,
    #[serde(rename = "t")]
    pub created_at: u64,
}

const TAG_BYTES: usize = 16;

/// The `state` parameter for a fresh random `id`.
pub fn state_param(id: &str, keys: &KeyRing) -> String {
    format!("{id}.{}", b64url(&keys.sign(Purpose::State, id.as_bytes())[..TAG_BYTES]))
}

/// The id inside a `state` parameter, if its tag verifies.
pub fn state_id<'a>(state: &'a str, keys: &KeyRing) -> Option<&'a str> {
    let (id, tag) = state.split_once('.')?;
    let tag = b64url_decode(tag)?;
    (id.len() >= 32 && id.len() <= 64 && tag.len() == TAG_BYTES && keys.verify(Purpose::State, id.as_bytes(), &tag)).then_some(id)
}

pub fn kv_key(id: &str) -> String {
    format!("state:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_param_round_trip_and_forgery() {
        let keys = KeyRing::new(&["s".repeat(32)]);
        let id = "A".repeat(43);
        let s = state_param(&id, &keys);
        assert_eq!(state_id(&s, &keys), Some(id.as_str()));
        assert_eq!(state_id(&s.replace(".", ".A"), &keys), None);
        assert_eq!(state_id(&format!("{}.{}", "B".repeat(43), s.split_once('.').unwrap().1), &keys), None);
        assert_eq!(state_id(&s, &KeyRing::new(&["t".repeat(32)])), None);
        assert_eq!(state_id("", &keys), None);
    }
}
