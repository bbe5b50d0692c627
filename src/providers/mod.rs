//! Identity providers as data: what the gateway needs to know about each one (its id, button
//! label, protocol and endpoints, client credentials, scopes). One file per provider.

pub mod oidc;

use std::collections::BTreeMap;
use std::fmt;

/// The OAuth client secret (RFC 6749 §2.3.1). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: String) -> Self {
        ClientSecret(secret)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// How the client authenticates at the token endpoint (OpenID Connect Core §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
}

impl ClientAuthMethod {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "client_secret_basic" => Some(ClientAuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(ClientAuthMethod::ClientSecretPost),
            _ => None,
        }
    }
}

/// The protocol a provider speaks, with what that protocol needs to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// OpenID Connect with discovery from `{issuer}/.well-known/openid-configuration`.
    Oidc { issuer: String },
}

impl Protocol {
    /// The `type` Auth.js reports for the provider at `/providers`.
    pub fn kind(&self) -> &'static str {
        match self {
            Protocol::Oidc { .. } => "oidc",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub protocol: Protocol,
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// `None`: client_secret_basic, unless discovery says the provider only takes client_secret_post.
    pub client_auth: Option<ClientAuthMethod>,
    pub scope: String,
}

/// Every provider the environment configures; problems are appended to `problems`.
pub fn from_env(env: &BTreeMap<String, String>, problems: &mut Vec<String>) -> Vec<Provider> {
    oidc::from_env(env, problems).into_iter().collect()
}

/// `https://…`, or `http://` on a loopback host (local development and tests only).
pub fn is_acceptable_endpoint(url: &str) -> bool {
    // RFC 6749 §3.1: endpoint URIs carry no fragment.
    let Some(u) = crate::urls::HttpUrl::parse(url).filter(|_| !url.contains('#')) else { return false };
    u.scheme == "https" || matches!(u.host(), "127.0.0.1" | "localhost" | "[::1]")
}
