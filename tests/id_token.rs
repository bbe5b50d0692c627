//! ID-token validation (OpenID Connect Core §3.1.3.7), each check failing in turn, with real
//! RS256/ES256 signatures verified by the native verifier.

mod support;

use edge_auth::encoding::b64url;
use edge_auth::oidc::cache::OidcCache;
use edge_auth::oidc::discovery::ProviderMetadata;
use edge_auth::oidc::id_token::{validate, Expected, IdTokenClaims};
use edge_auth::oidc::OidcError;
use edge_auth::ports::JwsAlg;
use serde_json::{json, Value};
use support::*;

const NOW: u64 = 1_800_000_000;

fn metadata() -> ProviderMetadata {
    ProviderMetadata {
        issuer: ISSUER.into(),
        authorization_endpoint: format!("{ISSUER}/authorize"),
        token_endpoint: format!("{ISSUER}/token"),
        jwks_uri: format!("{ISSUER}/jwks"),
        id_token_algs: vec![JwsAlg::RS256, JwsAlg::ES256],
        token_auth_methods: vec![],
    }
}

fn claims() -> Value {
    json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT_ID, "exp": NOW + 300, "iat": NOW, "nonce": "n-1", "email": "a@example.test"})
}

fn check(token: &str) -> Result<IdTokenClaims, OidcError> {
    let p = FakePlatform::new();
    let cache = OidcCache::default();
    pollster::block_on(validate(&p, &cache, &metadata(), token, &Expected { client_id: CLIENT_ID, nonce: "n-1", now: NOW }))
}

fn rs256(c: &Value) -> String {
    sign_jwt("RS256", Some("rsa-1"), c, &rsa_key(1))
}

fn with(edit: impl Fn(&mut serde_json::Map<String, Value>)) -> String {
    let mut c = claims();
    edit(c.as_object_mut().unwrap());
    rs256(&c)
}

fn rejected(token: &str) -> &'static str {
    match check(token) {
        Err(OidcError::IdToken(why)) => why,
        other => panic!("expected rejection, got {other:?}"),
    }
}

#[test]
fn accepts_valid_rs256_and_es256() {
    let ok = check(&rs256(&claims())).unwrap();
    assert_eq!(ok.sub, "alice");
    assert_eq!(ok.email.as_deref(), Some("a@example.test"));
    assert!(check(&sign_jwt("ES256", Some("ec-1"), &claims(), &rsa_key(1))).is_ok());
    // Several audiences are fine with azp naming us.
    assert!(check(&with(|c| { c.insert("aud".into(), json!([CLIENT_ID, "other"])); c.insert("azp".into(), CLIENT_ID.into()); })).is_ok());
    // Within the clock-skew leeway.
    assert!(check(&with(|c| { c.insert("exp".into(), (NOW - 30).into()); })).is_ok());
}

#[test]
fn bad_signature() {
    let token = rs256(&claims());
    let (head, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = edge_auth::encoding::b64url_decode(sig).unwrap();
    bytes[10] ^= 1;
    assert_eq!(rejected(&format!("{head}.{}", b64url(&bytes))), "bad signature");
    // Signed by a key that is not the provider's, under the provider's kid.
    assert_eq!(rejected(&sign_jwt("RS256", Some("rsa-1"), &claims(), &rsa_key(2))), "bad signature");
    // Claims swapped after signing.
    let other = rs256(&json!({"iss": ISSUER, "sub": "mallory", "aud": CLIENT_ID, "exp": NOW + 300, "iat": NOW, "nonce": "n-1"}));
    let mid = other.split('.').nth(1).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(rejected(&format!("{}.{mid}.{}", parts[0], parts[2])), "bad signature");
}

#[test]
fn alg_none_and_unexpected_algorithms() {
    assert_eq!(rejected(&sign_jwt("none", None, &claims(), &rsa_key(1))), "unsupported or forbidden alg");
    assert_eq!(rejected(&sign_jwt("HS256", Some("rsa-1"), &claims(), &rsa_key(1))), "unsupported or forbidden alg");
    // Supported by us but not announced by this provider.
    let p = FakePlatform::new();
    let mut m = metadata();
    m.id_token_algs = vec![JwsAlg::ES256];
    let r = pollster::block_on(validate(&p, &OidcCache::default(), &m, &rs256(&claims()), &Expected { client_id: CLIENT_ID, nonce: "n-1", now: NOW }));
    assert_eq!(r, Err(OidcError::IdToken("alg not announced by the provider")));
    // An RS256 header pointing at the EC key (key-type confusion) finds no usable key.
    assert_eq!(rejected(&sign_jwt("RS256", Some("ec-1"), &claims(), &rsa_key(1))), "no key in the JWKS fits");
}

#[test]
fn wrong_issuer() {
    assert_eq!(rejected(&with(|c| { c.insert("iss".into(), "https://evil.example".into()); })), "iss does not match the issuer");
    assert_eq!(rejected(&with(|c| { c.remove("iss"); })), "iss does not match the issuer");
}

#[test]
fn wrong_audience_and_azp() {
    assert_eq!(rejected(&with(|c| { c.insert("aud".into(), "someone-else".into()); })), "aud does not contain the client_id");
    assert_eq!(rejected(&with(|c| { c.remove("aud"); })), "aud missing");
    assert_eq!(rejected(&with(|c| { c.insert("aud".into(), json!([CLIENT_ID, "other"])); })), "multiple audiences without azp");
    assert_eq!(rejected(&with(|c| { c.insert("azp".into(), "other".into()); })), "azp is not the client_id");
}

#[test]
fn wrong_nonce() {
    assert_eq!(rejected(&with(|c| { c.insert("nonce".into(), "n-2".into()); })), "nonce mismatch");
    assert_eq!(rejected(&with(|c| { c.remove("nonce"); })), "nonce mismatch");
}

#[test]
fn expired_and_future_tokens() {
    assert_eq!(rejected(&with(|c| { c.insert("exp".into(), (NOW - 61).into()); })), "expired");
    assert_eq!(rejected(&with(|c| { c.remove("exp"); })), "exp missing");
    assert_eq!(rejected(&with(|c| { c.insert("exp".into(), "tomorrow".into()); })), "exp missing");
    assert_eq!(rejected(&with(|c| { c.insert("iat".into(), (NOW + 3600).into()); })), "issued in the future");
    assert_eq!(rejected(&with(|c| { c.remove("sub"); })), "sub missing");
}

#[test]
fn malformed_tokens_and_dangerous_headers() {
    for junk in ["", "a.b", "a.b.c.d", "!!.!!.!!", &"a".repeat(20_000)] {
        assert!(check(junk).is_err(), "{junk:.20}");
    }
    let header = b64url(br#"{"alg":"RS256","kid":"rsa-1","crit":["exp"]}"#);
    let body = b64url(claims().to_string().as_bytes());
    assert_eq!(rejected(&format!("{header}.{body}.AAAA")), "crit header parameter present");
    let header = b64url(br#"{"alg":"RS256","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}"#);
    assert_eq!(rejected(&format!("{header}.{body}.AAAA")), "embedded or remote key in header");
}

#[test]
fn unknown_kid_refetches_the_key_set_once() {
    let p = FakePlatform::new();
    let cache = OidcCache::default();
    let exp = Expected { client_id: CLIENT_ID, nonce: "n-1", now: NOW };
    let token = sign_jwt("RS256", Some("rsa-9"), &claims(), &rsa_key(1));
    let r = pollster::block_on(validate(&p, &cache, &metadata(), &token, &exp));
    assert_eq!(r, Err(OidcError::IdToken("no key in the JWKS fits")));
    assert_eq!(p.idp.jwks_fetches.get(), 1, "a cold cache fetches once and does not loop");
    let r = pollster::block_on(validate(&p, &cache, &metadata(), &token, &exp));
    assert!(r.is_err());
    assert_eq!(p.idp.jwks_fetches.get(), 2, "a warm cache refetches once for an unknown kid");
}
