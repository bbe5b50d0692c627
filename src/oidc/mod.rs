//! OpenID Connect: provider discovery (OpenID Connect Discovery 1.0), the provider's key set
//! (RFC 7517), JWS compact parsing (RFC 7515) and ID-token validation (OpenID Connect Core
//! §3.1.3.7), plus the per-isolate cache of discovery documents and key sets.

pub mod cache;
pub mod discovery;
pub mod id_token;
pub mod jwks;
pub mod jws;

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OidcError {
    /// Discovery or JWKS could not be fetched or parsed.
    Metadata(String),
    /// The ID token failed a check; the message names the check.
    IdToken(&'static str),
}

impl fmt::Display for OidcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OidcError::Metadata(m) => write!(f, "provider metadata: {m}"),
            OidcError::IdToken(m) => write!(f, "id_token rejected: {m}"),
        }
    }
}
