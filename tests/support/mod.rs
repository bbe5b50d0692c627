//! Fakes for the ports, shared by the flow tests: an in-memory KV with TTLs, a settable clock,
//! a deterministic random source, a pure-Rust signature verifier (RS256/ES256, the native twin
//! of the edge's WebCrypto one), and a fake OpenID Provider reached through the HTTP port that
//! really checks what a provider checks (client authentication, redirect_uri, PKCE, one-use
//! codes) and signs real ID tokens.
#![allow(dead_code)]

use edge_auth::app::Gateway;
use edge_auth::encoding::{b64_std, b64url, b64url_decode, form_decode, form_get};
use edge_auth::ports::*;
use edge_auth::request::{Method, Outcome, Request, Response};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};

pub const ISSUER: &str = "https://idp.example";
pub const CLIENT_ID: &str = "edge-client";
pub const CLIENT_SECRET: &str = "s3cr3t:with&chars";
pub const SECRET: &str = "test-secret-test-secret-test-secret!";
pub const ORIGIN: &str = "https://site.example";

pub fn rsa_key(n: u8) -> RsaPrivateKey {
    let pem = match n {
        1 => include_str!("../fixtures/rsa1.pem"),
        _ => include_str!("../fixtures/rsa2.pem"),
    };
    RsaPrivateKey::from_pkcs1_pem(pem).expect("fixture key")
}

pub fn ec_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("scalar")
}

pub fn rsa_jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({"kty":"RSA","kid":kid,"use":"sig","alg":"RS256","n":b64url(&key.n().to_bytes_be()),"e":b64url(&key.e().to_bytes_be())})
}

pub fn ec_jwk(key: &p256::ecdsa::SigningKey, kid: &str) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({"kty":"EC","kid":kid,"crv":"P-256","x":b64url(point.x().unwrap()),"y":b64url(point.y().unwrap())})
}

/// Signs `claims` as a compact JWS with `alg` ("RS256", "ES256", or anything else for an
/// unsigned/forged header with an empty signature).
pub fn sign_jwt(alg: &str, kid: Option<&str>, claims: &Value, rsa: &RsaPrivateKey) -> String {
    let mut header = json!({"alg": alg, "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    let input = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let sig = match alg {
        "RS256" => rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa.clone()).sign(input.as_bytes()).to_vec(),
        "ES256" => {
            let s: p256::ecdsa::Signature = ec_key().sign(input.as_bytes());
            s.to_bytes().to_vec()
        }
        _ => Vec::new(),
    };
    format!("{input}.{}", b64url(&sig))
}

/// What the fake provider does with the next token request.
pub struct IdpBehaviour {
    pub alg: &'static str,
    /// Edits the ID token claims before signing.
    pub claims: Box<dyn Fn(&mut Map<String, Value>)>,
    pub token_status: u16,
    pub discovery_up: bool,
    pub client_auth: &'static str,
}

impl Default for IdpBehaviour {
    fn default() -> Self {
        IdpBehaviour { alg: "RS256", claims: Box::new(|_| {}), token_status: 200, discovery_up: true, client_auth: "client_secret_basic" }
    }
}

struct Grant {
    redirect_uri: String,
    challenge: String,
    nonce: String,
    sub: String,
}

pub struct FakeIdp {
    pub behaviour: RefCell<IdpBehaviour>,
    /// The RSA key currently signing, and its kid.
    pub signing: RefCell<(RsaPrivateKey, String)>,
    /// The keys published at the JWKS endpoint.
    pub published: RefCell<Vec<Value>>,
    grants: RefCell<HashMap<String, Grant>>,
    pub jwks_fetches: Cell<u32>,
    pub discovery_fetches: Cell<u32>,
    pub token_requests: RefCell<Vec<HttpRequest>>,
    next_code: Cell<u32>,
}

impl FakeIdp {
    pub fn new() -> Self {
        let k1 = rsa_key(1);
        FakeIdp {
            behaviour: RefCell::new(IdpBehaviour::default()),
            published: RefCell::new(vec![rsa_jwk(&k1, "rsa-1"), ec_jwk(&ec_key(), "ec-1")]),
            signing: RefCell::new((k1, "rsa-1".into())),
            grants: RefCell::new(HashMap::new()),
            jwks_fetches: Cell::new(0),
            discovery_fetches: Cell::new(0),
            token_requests: RefCell::new(Vec::new()),
            next_code: Cell::new(0),
        }
    }

    /// The user approves at the authorization endpoint: returns the callback URL with a code.
    pub fn authorize(&self, authorization_url: &str, user: &str) -> String {
        let url = url::Url::parse(authorization_url).unwrap();
        assert_eq!(url.origin().ascii_serialization(), ISSUER);
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], CLIENT_ID);
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(q["scope"].split(' ').any(|s| s == "openid"));
        self.next_code.set(self.next_code.get() + 1);
        let code = format!("code-{}", self.next_code.get());
        self.grants.borrow_mut().insert(
            code.clone(),
            Grant { redirect_uri: q["redirect_uri"].clone(), challenge: q["code_challenge"].clone(), nonce: q["nonce"].clone(), sub: user.into() },
        );
        format!("{}?code={}&state={}&iss={}", q["redirect_uri"], code, edge_auth::encoding::form_component(&q["state"]), edge_auth::encoding::form_component(ISSUER))
    }

    fn token(&self, req: &HttpRequest, now: u64) -> HttpResponse {
        self.token_requests.borrow_mut().push(req.clone());
        let b = self.behaviour.borrow();
        let form = form_decode(&req.body);
        let auth = req.headers.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.clone());
        let client_ok = match b.client_auth {
            "client_secret_basic" => {
                let expected = format!("{}:{}", edge_auth::encoding::form_component(CLIENT_ID), edge_auth::encoding::form_component(CLIENT_SECRET));
                auth == Some(format!("Basic {}", b64_std(expected.as_bytes())))
            }
            _ => auth.is_none() && form_get(&form, "client_id") == Some(CLIENT_ID) && form_get(&form, "client_secret") == Some(CLIENT_SECRET),
        };
        if !client_ok {
            return json_resp(401, json!({"error":"invalid_client"}));
        }
        if b.token_status != 200 {
            return json_resp(b.token_status, json!({"error":"server_error"}));
        }
        let code = form_get(&form, "code").unwrap_or_default().to_string();
        // Codes are one-use (RFC 6749 §4.1.2).
        let Some(grant) = self.grants.borrow_mut().remove(&code) else {
            return json_resp(400, json!({"error":"invalid_grant"}));
        };
        if form_get(&form, "grant_type") != Some("authorization_code") || form_get(&form, "redirect_uri") != Some(grant.redirect_uri.as_str()) {
            return json_resp(400, json!({"error":"invalid_grant"}));
        }
        // RFC 7636 §4.6: the verifier must hash to the challenge.
        let verifier = form_get(&form, "code_verifier").unwrap_or_default();
        if b64url(&Sha256::digest(verifier.as_bytes())) != grant.challenge {
            return json_resp(400, json!({"error":"invalid_grant","error_description":"PKCE"}));
        }
        let mut claims = json!({
            "iss": ISSUER, "sub": grant.sub, "aud": CLIENT_ID, "exp": now + 300, "iat": now,
            "nonce": grant.nonce, "email": format!("{}@example.test", grant.sub), "name": grant.sub.to_uppercase(),
        });
        (b.claims)(claims.as_object_mut().unwrap());
        let (key, kid) = &*self.signing.borrow();
        let kid = if b.alg == "ES256" { "ec-1" } else { kid.as_str() };
        let id_token = sign_jwt(b.alg, Some(kid), &claims, key);
        json_resp(200, json!({"access_token":"at","token_type":"Bearer","expires_in":300,"id_token":id_token}))
    }

    fn discovery(&self) -> HttpResponse {
        self.discovery_fetches.set(self.discovery_fetches.get() + 1);
        if !self.behaviour.borrow().discovery_up {
            return HttpResponse { status: 503, headers: vec![], body: b"down".to_vec() };
        }
        json_resp(200, json!({
            "issuer": ISSUER,
            "authorization_endpoint": format!("{ISSUER}/authorize"),
            "token_endpoint": format!("{ISSUER}/token"),
            "jwks_uri": format!("{ISSUER}/jwks"),
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        }))
    }
}

fn json_resp(status: u16, v: Value) -> HttpResponse {
    HttpResponse { status, headers: vec![("content-type".into(), "application/json".into())], body: v.to_string().into_bytes() }
}

pub struct FakePlatform {
    pub idp: FakeIdp,
    pub now: Cell<u64>,
    pub kv: RefCell<BTreeMap<String, (String, u64)>>,
    pub kv_down: Cell<bool>,
    pub kv_reads: Cell<u32>,
    pub http_requests: Cell<u32>,
    rng: Cell<u64>,
    pub logs: RefCell<Vec<String>>,
}

impl FakePlatform {
    pub fn new() -> Self {
        FakePlatform {
            idp: FakeIdp::new(),
            now: Cell::new(1_800_000_000),
            kv: RefCell::new(BTreeMap::new()),
            kv_down: Cell::new(false),
            kv_reads: Cell::new(0),
            http_requests: Cell::new(0),
            rng: Cell::new(0x9E37_79B9_7F4A_7C15),
            logs: RefCell::new(Vec::new()),
        }
    }

    pub fn advance(&self, secs: u64) {
        self.now.set(self.now.get() + secs);
    }
}

impl HttpClient for FakePlatform {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, PortError> {
        self.http_requests.set(self.http_requests.get() + 1);
        let url = req.url.clone();
        match url.strip_prefix(ISSUER) {
            Some("/.well-known/openid-configuration") => Ok(self.idp.discovery()),
            Some("/jwks") => {
                self.idp.jwks_fetches.set(self.idp.jwks_fetches.get() + 1);
                Ok(json_resp(200, json!({"keys": *self.idp.published.borrow()})))
            }
            Some("/token") if req.method == "POST" => Ok(self.idp.token(&req, self.now.get())),
            _ => Err(PortError::Network(format!("no route to {url}"))),
        }
    }
}

impl StateStore for FakePlatform {
    async fn put(&self, key: &str, value: &str, ttl: u64) -> Result<(), PortError> {
        if self.kv_down.get() {
            return Err(PortError::Store("down".into()));
        }
        // Workers KV refuses TTLs under 60 s.
        if ttl < 60 {
            return Err(PortError::Store("Invalid expiration_ttl".into()));
        }
        self.kv.borrow_mut().insert(key.into(), (value.into(), self.now.get() + ttl));
        Ok(())
    }
    async fn get(&self, key: &str) -> Result<Option<String>, PortError> {
        self.kv_reads.set(self.kv_reads.get() + 1);
        if self.kv_down.get() {
            return Err(PortError::Store("down".into()));
        }
        Ok(self.kv.borrow().get(key).filter(|(_, exp)| *exp > self.now.get()).map(|(v, _)| v.clone()))
    }
    async fn delete(&self, key: &str) -> Result<(), PortError> {
        if self.kv_down.get() {
            return Err(PortError::Store("down".into()));
        }
        self.kv.borrow_mut().remove(key);
        Ok(())
    }
}

impl Clock for FakePlatform {
    fn now(&self) -> u64 {
        self.now.get()
    }
}

impl Rng for FakePlatform {
    fn fill(&self, buf: &mut [u8]) -> Result<(), PortError> {
        // xorshift64*: deterministic and distinct, which is all a test needs.
        for b in buf.iter_mut() {
            let mut x = self.rng.get();
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.rng.set(x);
            *b = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
        }
        Ok(())
    }
}

impl SignatureVerifier for FakePlatform {
    async fn verify(&self, alg: JwsAlg, key: &PublicJwk, message: &[u8], signature: &[u8]) -> Result<bool, PortError> {
        NativeVerifier.verify(alg, key, message, signature).await
    }
}

impl Logger for FakePlatform {
    fn log(&self, line: &str) {
        self.logs.borrow_mut().push(line.to_string());
    }
}

/// RS256 and ES256 with pure-Rust crates: the native stand-in for WebCrypto.
pub struct NativeVerifier;

impl SignatureVerifier for NativeVerifier {
    async fn verify(&self, alg: JwsAlg, key: &PublicJwk, message: &[u8], signature: &[u8]) -> Result<bool, PortError> {
        let param = |v: &Option<String>| v.as_deref().and_then(b64url_decode).ok_or(PortError::Crypto("bad jwk".into()));
        match alg {
            JwsAlg::RS256 => {
                let public = RsaPublicKey::new(BigUint::from_bytes_be(&param(&key.n)?), BigUint::from_bytes_be(&param(&key.e)?))
                    .map_err(|_| PortError::Crypto("bad rsa key".into()))?;
                let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else { return Ok(false) };
                Ok(rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public).verify(message, &sig).is_ok())
            }
            JwsAlg::ES256 => {
                let point = p256::EncodedPoint::from_affine_coordinates(
                    param(&key.x)?.as_slice().into(),
                    param(&key.y)?.as_slice().into(),
                    false,
                );
                let vk = p256::ecdsa::VerifyingKey::from_encoded_point(&point).map_err(|_| PortError::Crypto("bad ec key".into()))?;
                let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else { return Ok(false) };
                Ok(vk.verify(message, &sig).is_ok())
            }
            _ => Err(PortError::Crypto("unsupported in tests".into())),
        }
    }
}

pub fn env(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut e: BTreeMap<String, String> = [
        ("AUTH_SECRET", SECRET),
        ("AUTH_OIDC_ISSUER", ISSUER),
        ("AUTH_OIDC_ID", CLIENT_ID),
        ("AUTH_OIDC_SECRET", CLIENT_SECRET),
        ("AUTH_OIDC_NAME", "Example ID"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        e.insert(k.to_string(), v.to_string());
    }
    e
}

/// A browser with a cookie jar, talking to one gateway over fake ports.
pub struct Browser<'a> {
    pub gw: &'a Gateway,
    pub p: &'a FakePlatform,
    pub cookies: RefCell<BTreeMap<String, String>>,
}

impl<'a> Browser<'a> {
    pub fn new(gw: &'a Gateway, p: &'a FakePlatform) -> Self {
        Browser { gw, p, cookies: RefCell::new(BTreeMap::new()) }
    }

    pub fn send(&self, method: Method, target: &str, headers: &[(&str, &str)], body: &str) -> Outcome {
        let url = edge_auth::urls::HttpUrl::parse(&url::Url::parse(ORIGIN).unwrap().join(target).unwrap().to_string()).unwrap();
        let mut h: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let jar = self.cookies.borrow();
        if !jar.is_empty() {
            h.push(("cookie".into(), jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")));
        }
        drop(jar);
        let req = Request::new(method, url, h, body.as_bytes().to_vec());
        let out = pollster::block_on(self.gw.handle(self.p, &req));
        if let Outcome::Respond(r) = &out {
            self.store_cookies(r);
        }
        out
    }

    fn store_cookies(&self, r: &Response) {
        for c in r.set_cookies() {
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.borrow_mut().remove(k);
            } else {
                self.cookies.borrow_mut().insert(k.to_string(), v.to_string());
            }
        }
    }

    /// A top-level navigation, as a browser sends it.
    pub fn navigate(&self, target: &str) -> Response {
        respond(self.send(Method::Get, target, &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8"), ("sec-fetch-mode", "navigate")], ""))
    }

    pub fn post_form(&self, target: &str, body: &str) -> Response {
        respond(self.send(Method::Post, target, &[("content-type", "application/x-www-form-urlencoded"), ("accept", "text/html")], body))
    }

    pub fn csrf_token(&self) -> String {
        let r = respond(self.send(Method::Get, "/api/auth/csrf", &[("accept", "application/json")], ""));
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        v["csrfToken"].as_str().unwrap().to_string()
    }

    /// The sign-in POST with a valid CSRF token: the response (302 to the provider) and the
    /// `state` it sent there.
    pub fn start_sign_in(&self, callback_url: &str) -> (Response, String) {
        let token = self.csrf_token();
        let body = edge_auth::encoding::form_encode([("csrfToken", token.as_str()), ("callbackUrl", callback_url)]);
        let start = self.post_form("/api/auth/signin/oidc", &body);
        assert_eq!(start.status, 302, "sign-in start: {:?}", String::from_utf8_lossy(&start.body));
        let state = url::Url::parse(location(&start)).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        (start, state)
    }

    /// Sign-in POST → provider → callback. Returns the callback's response.
    pub fn sign_in(&self, user: &str, callback_url: &str) -> Response {
        let (start, _) = self.start_sign_in(callback_url);
        let back = self.p.idp.authorize(location(&start), user);
        self.navigate(&back)
    }
}

pub fn respond(out: Outcome) -> Response {
    match out {
        Outcome::Respond(r) => r,
        Outcome::Forward => panic!("expected a response, got Forward"),
    }
}

pub fn location(r: &Response) -> &str {
    r.get_header("location").unwrap_or("")
}
