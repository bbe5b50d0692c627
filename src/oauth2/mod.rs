//! OAuth 2.0 (RFC 6749) authorization-code grant with PKCE (RFC 7636) as pure builders and
//! parsers: the authorization request URL, the token request, the token response.

pub mod authorize;
pub mod pkce;
pub mod token;

use std::fmt;

/// What went wrong in an OAuth 2.0 step. Messages carry no secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuth2Error {
    /// The token endpoint answered with an error (RFC 6749 §5.2).
    TokenEndpoint { status: u16, error: String },
    /// The token endpoint's answer is not what RFC 6749 §5.1 describes.
    MalformedTokenResponse(&'static str),
    BadEndpoint,
}

impl fmt::Display for OAuth2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuth2Error::TokenEndpoint { status, error } => write!(f, "token endpoint answered {status}: {error}"),
            OAuth2Error::MalformedTokenResponse(why) => write!(f, "malformed token response: {why}"),
            OAuth2Error::BadEndpoint => f.write_str("endpoint is not a valid URL"),
        }
    }
}
