//! ID Token validation, step by step as OpenID Connect Core 1.0 §3.1.3.7 numbers them.

use super::cache::OidcCache;
use super::discovery::ProviderMetadata;
use super::{jwks, jws, OidcError};
use crate::ports::{HttpClient, JwsAlg, SignatureVerifier};
use serde_json::{Map, Value};

/// Clock skew tolerated between the provider and the edge.
pub const LEEWAY_SECS: u64 = 60;

pub struct Expected<'a> {
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: u64,
}

/// The claims the gateway keeps (Core §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenClaims {
    pub sub: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub picture: Option<String>,
}

pub async fn validate<P: HttpClient + SignatureVerifier + ?Sized>(
    platform: &P,
    cache: &OidcCache,
    metadata: &ProviderMetadata,
    token: &str,
    expected: &Expected<'_>,
) -> Result<IdTokenClaims, OidcError> {
    let bad = OidcError::IdToken;
    // Step 1 (encrypted ID tokens) does not apply: only signed tokens are requested.
    let jws = jws::parse(token)?;

    // Step 7: the alg must be one the provider announced, and one we accept (RS256 default).
    if !metadata.id_token_algs.contains(&jws.alg) {
        return Err(bad("alg not announced by the provider"));
    }
    // Step 6: signature against the provider's JWKS. An unknown kid refetches the set once.
    verify_signature(platform, cache, &metadata.jwks_uri, &jws, expected.now).await?;

    let c = &jws.claims;
    // Step 2: iss must exactly match the Issuer Identifier from discovery.
    if str_claim(c, "iss") != Some(metadata.issuer.as_str()) {
        return Err(bad("iss does not match the issuer"));
    }
    // Step 3: aud must contain our client_id.
    let auds: Vec<&str> = match c.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(|a| a.as_str()).collect(),
        _ => return Err(bad("aud missing")),
    };
    if !auds.contains(&expected.client_id) {
        return Err(bad("aud does not contain the client_id"));
    }
    // Steps 4-5: several audiences need an azp, and an azp must be our client_id.
    let azp = str_claim(c, "azp");
    if auds.len() > 1 && azp.is_none() {
        return Err(bad("multiple audiences without azp"));
    }
    if azp.is_some_and(|a| a != expected.client_id) {
        return Err(bad("azp is not the client_id"));
    }
    // Step 9: the current time must be before exp (with leeway for clock skew).
    let exp = num_claim(c, "exp").ok_or(bad("exp missing"))?;
    if expected.now >= exp.saturating_add(LEEWAY_SECS) {
        return Err(bad("expired"));
    }
    // Step 10: iat must be present and not in the future.
    let iat = num_claim(c, "iat").ok_or(bad("iat missing"))?;
    if iat > expected.now.saturating_add(LEEWAY_SECS) {
        return Err(bad("issued in the future"));
    }
    // Step 11: the nonce we sent must come back, unchanged (replay protection).
    match str_claim(c, "nonce") {
        Some(n) if crate::crypto::ct_eq(n.as_bytes(), expected.nonce.as_bytes()) => {}
        _ => return Err(bad("nonce mismatch")),
    }
    let sub = str_claim(c, "sub").filter(|s| !s.is_empty()).ok_or(bad("sub missing"))?;
    let opt = |k: &str| str_claim(c, k).filter(|s| !s.is_empty()).map(str::to_string);
    Ok(IdTokenClaims { sub: sub.to_string(), email: opt("email"), name: opt("name"), picture: opt("picture") })
}

async fn verify_signature<P: HttpClient + SignatureVerifier + ?Sized>(
    platform: &P,
    cache: &OidcCache,
    jwks_uri: &str,
    jws: &jws::Jws<'_>,
    now: u64,
) -> Result<(), OidcError> {
    let (mut keys, mut fetched_now) = cache.keys(platform, jwks_uri, now, false).await?;
    loop {
        let candidates = jwks::candidates(&keys, jws.alg, jws.kid.as_deref());
        for key in &candidates {
            if signature_ok(platform, jws.alg, key, jws).await {
                return Ok(());
            }
        }
        if !candidates.is_empty() || fetched_now {
            return Err(OidcError::IdToken(if candidates.is_empty() { "no key in the JWKS fits" } else { "bad signature" }));
        }
        (keys, fetched_now) = cache.keys(platform, jwks_uri, now, true).await?;
    }
}

async fn signature_ok<P: SignatureVerifier + ?Sized>(p: &P, alg: JwsAlg, key: &crate::ports::PublicJwk, jws: &jws::Jws<'_>) -> bool {
    // A key the engine cannot import counts as a failed check: fail closed.
    matches!(p.verify(alg, key, jws.signing_input, &jws.signature).await, Ok(true))
}

fn str_claim<'a>(c: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    c.get(k).and_then(|v| v.as_str())
}

fn num_claim(c: &Map<String, Value>, k: &str) -> Option<u64> {
    let v = c.get(k)?;
    v.as_u64().or_else(|| v.as_f64().filter(|f| f.is_finite() && *f >= 0.0).map(|f| f as u64))
}
