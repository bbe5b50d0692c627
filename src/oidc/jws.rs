//! JWS Compact Serialization (RFC 7515 §7.1): `header.payload.signature`, each base64url. Only
//! the parsing lives here; what the header and claims must say is `id_token`'s job.

use super::OidcError;
use crate::encoding::b64url_decode;
use crate::ports::JwsAlg;

pub struct Jws<'a> {
    pub alg: JwsAlg,
    pub kid: Option<String>,
    /// `ASCII(BASE64URL(header) || '.' || BASE64URL(payload))`, what the signature covers.
    pub signing_input: &'a [u8],
    pub claims: serde_json::Map<String, serde_json::Value>,
    pub signature: Vec<u8>,
}

/// ID tokens are small; refuse anything that could be used to make us parse megabytes.
const MAX_LEN: usize = 16 * 1024;

pub fn parse(token: &str) -> Result<Jws<'_>, OidcError> {
    let bad = OidcError::IdToken;
    if token.len() > MAX_LEN {
        return Err(bad("too large"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad("not a JWS compact serialization"));
    };
    let header: serde_json::Value =
        serde_json::from_slice(&b64url_decode(h).ok_or(bad("header is not base64url"))?).map_err(|_| bad("header is not JSON"))?;
    let alg_name = header.get("alg").and_then(|a| a.as_str()).ok_or(bad("header has no alg"))?;
    // `none`, HS* (a public key used as an HMAC secret) and anything unknown are refused here.
    let alg = JwsAlg::parse(alg_name).ok_or(bad("unsupported or forbidden alg"))?;
    // RFC 7515 §4.1.11: extensions we do not understand must be rejected.
    if header.get("crit").is_some() {
        return Err(bad("crit header parameter present"));
    }
    // The key is chosen from the provider's JWKS only: embedded keys are never trusted.
    if ["jwk", "jku", "x5u", "x5c"].iter().any(|k| header.get(*k).is_some()) {
        return Err(bad("embedded or remote key in header"));
    }
    let kid = header.get("kid").and_then(|k| k.as_str()).map(str::to_string);
    let payload = b64url_decode(p).ok_or(bad("payload is not base64url"))?;
    let claims = match serde_json::from_slice(&payload) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(bad("payload is not a JSON object")),
    };
    let signature = b64url_decode(s).ok_or(bad("signature is not base64url"))?;
    Ok(Jws { alg, kid, signing_input: token[..h.len() + 1 + p.len()].as_bytes(), claims, signature })
}
