//! The platform seam: everything the core needs from the outside world (outbound HTTP, the KV
//! store for in-flight sign-ins, the clock, randomness, public-key signature checks, logs) as
//! small traits. The wasm32 `edge` module implements them with workers-rs and WebCrypto; the
//! tests implement them with fakes.
#![allow(async_fn_in_trait)] // single-threaded runtime: no `Send` bound is wanted on these futures

use std::fmt;

/// An outbound HTTP request, built by pure functions in the protocol modules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn get(url: impl Into<String>) -> Self {
        HttpRequest { method: "GET", url: url.into(), headers: vec![("accept".into(), "application/json".into())], body: Vec::new() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A failure of the platform itself (network, store, crypto engine), not of a protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortError {
    Network(String),
    Store(String),
    Crypto(String),
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortError::Network(m) => write!(f, "network: {m}"),
            PortError::Store(m) => write!(f, "store: {m}"),
            PortError::Crypto(m) => write!(f, "crypto: {m}"),
        }
    }
}

pub trait HttpClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError>;
}

/// A key-value store with expiry, shaped like Workers KV: eventually consistent, TTL >= 60 s.
pub trait StateStore {
    async fn put(&self, key: &str, value: &str, ttl_secs: u64) -> Result<(), PortError>;
    async fn get(&self, key: &str) -> Result<Option<String>, PortError>;
    async fn delete(&self, key: &str) -> Result<(), PortError>;
}

pub trait Clock {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// A cryptographically secure random source.
pub trait Rng {
    fn fill(&self, buf: &mut [u8]) -> Result<(), PortError>;
}

/// JWS algorithms the gateway accepts for ID tokens (RFC 7518 §3.1). `none` and the HMAC
/// family are deliberately absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwsAlg {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
}

impl JwsAlg {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "RS256" => JwsAlg::RS256,
            "RS384" => JwsAlg::RS384,
            "RS512" => JwsAlg::RS512,
            "PS256" => JwsAlg::PS256,
            "PS384" => JwsAlg::PS384,
            "PS512" => JwsAlg::PS512,
            "ES256" => JwsAlg::ES256,
            "ES384" => JwsAlg::ES384,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JwsAlg::RS256 => "RS256",
            JwsAlg::RS384 => "RS384",
            JwsAlg::RS512 => "RS512",
            JwsAlg::PS256 => "PS256",
            JwsAlg::PS384 => "PS384",
            JwsAlg::PS512 => "PS512",
            JwsAlg::ES256 => "ES256",
            JwsAlg::ES384 => "ES384",
        }
    }

    /// The JWK `kty` a key must have for this algorithm, and for EC the curve (RFC 7518 §6).
    pub fn key_type(self) -> (&'static str, Option<&'static str>) {
        match self {
            JwsAlg::ES256 => ("EC", Some("P-256")),
            JwsAlg::ES384 => ("EC", Some("P-384")),
            _ => ("RSA", None),
        }
    }

    /// Hash size in bits (the SHA-2 variant).
    pub fn hash_bits(self) -> u16 {
        match self {
            JwsAlg::RS256 | JwsAlg::PS256 | JwsAlg::ES256 => 256,
            JwsAlg::RS384 | JwsAlg::PS384 | JwsAlg::ES384 => 384,
            JwsAlg::RS512 | JwsAlg::PS512 => 512,
        }
    }
}

/// The public parts of a JWK (RFC 7517 §4, RFC 7518 §6) needed to verify a signature.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicJwk {
    pub kty: String,
    pub kid: Option<String>,
    pub use_: Option<String>,
    pub alg: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub crv: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
}

/// Public-key signature verification (WebCrypto at the edge).
pub trait SignatureVerifier {
    /// `Ok(false)` for a signature that does not verify; `Err` when the key cannot be used.
    async fn verify(&self, alg: JwsAlg, key: &PublicJwk, message: &[u8], signature: &[u8]) -> Result<bool, PortError>;
}

/// One structured log line (JSON). Callers never put secrets in it.
pub trait Logger {
    fn log(&self, line: &str);
}

/// Everything the core needs, in one bound.
pub trait Platform: HttpClient + StateStore + Clock + Rng + SignatureVerifier + Logger {}
impl<T: HttpClient + StateStore + Clock + Rng + SignatureVerifier + Logger> Platform for T {}

/// `n` random bytes, base64url-encoded.
pub fn random_token<R: Rng + ?Sized>(rng: &R, n: usize) -> Result<String, PortError> {
    let mut buf = vec![0u8; n];
    rng.fill(&mut buf)?;
    Ok(crate::encoding::b64url(&buf))
}
