//! OpenID Provider metadata from `{issuer}/.well-known/openid-configuration` (OpenID Connect
//! Discovery 1.0 §4). The `issuer` in the document must equal the configured one (§4.3), and
//! every endpoint must be https (http only on loopback, for development).

use super::OidcError;
use crate::ports::{HttpRequest, HttpResponse, JwsAlg};
use crate::providers::{is_acceptable_endpoint, ClientAuthMethod};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    /// `id_token_signing_alg_values_supported` ∩ the algorithms the gateway accepts.
    pub id_token_algs: Vec<JwsAlg>,
    /// `token_endpoint_auth_methods_supported` (Discovery §3; absent means client_secret_basic).
    pub token_auth_methods: Vec<String>,
}

impl ProviderMetadata {
    /// The configured method, else client_secret_basic (the default of Discovery §3) unless
    /// the provider announces client_secret_post and not basic.
    pub fn client_auth(&self, configured: Option<ClientAuthMethod>) -> ClientAuthMethod {
        configured.unwrap_or_else(|| {
            let offers = |m: &str| self.token_auth_methods.iter().any(|x| x == m);
            if !offers("client_secret_basic") && offers("client_secret_post") {
                ClientAuthMethod::ClientSecretPost
            } else {
                ClientAuthMethod::ClientSecretBasic
            }
        })
    }
}

pub fn request(issuer: &str) -> HttpRequest {
    HttpRequest::get(format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')))
}

pub fn parse(issuer: &str, resp: &HttpResponse) -> Result<ProviderMetadata, OidcError> {
    if resp.status != 200 {
        return Err(OidcError::Metadata(format!("discovery answered {}", resp.status)));
    }
    let doc: serde_json::Value =
        serde_json::from_slice(&resp.body).map_err(|_| OidcError::Metadata("discovery document is not JSON".into()))?;
    let text = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let doc_issuer = text("issuer").ok_or_else(|| OidcError::Metadata("discovery has no issuer".into()))?;
    // §4.3: exact match; we trimmed one trailing slash from the configured value, so allow it.
    if doc_issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(OidcError::Metadata("discovery issuer does not match the configured issuer".into()));
    }
    let endpoint = |k: &'static str| -> Result<String, OidcError> {
        let v = text(k).ok_or_else(|| OidcError::Metadata(format!("discovery has no {k}")))?;
        if is_acceptable_endpoint(&v) {
            Ok(v)
        } else {
            Err(OidcError::Metadata(format!("{k} is not an https URL")))
        }
    };
    let id_token_algs: Vec<JwsAlg> = match doc.get("id_token_signing_alg_values_supported").and_then(|v| v.as_array()) {
        Some(list) => list.iter().filter_map(|a| a.as_str()).filter_map(JwsAlg::parse).collect(),
        // REQUIRED by Discovery §3; without it assume the Core §3.1.3.7 default, RS256.
        None => vec![JwsAlg::RS256],
    };
    if id_token_algs.is_empty() {
        return Err(OidcError::Metadata("the provider offers no supported ID token algorithm".into()));
    }
    Ok(ProviderMetadata {
        issuer: doc_issuer,
        authorization_endpoint: endpoint("authorization_endpoint")?,
        token_endpoint: endpoint("token_endpoint")?,
        jwks_uri: endpoint("jwks_uri")?,
        id_token_algs,
        token_auth_methods: doc
            .get("token_endpoint_auth_methods_supported")
            .and_then(|v| v.as_array())
            .map(|list| list.iter().filter_map(|m| m.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(body: &str) -> HttpResponse {
        HttpResponse { status: 200, headers: vec![], body: body.as_bytes().to_vec() }
    }

    const DOC: &str = r#"{"issuer":"https://id.example","authorization_endpoint":"https://id.example/auth",
        "token_endpoint":"https://id.example/token","jwks_uri":"https://id.example/jwks",
        "id_token_signing_alg_values_supported":["none","HS256","RS256","ES256"]}"#;

    #[test]
    fn parses_and_filters_algorithms() {
        let m = parse("https://id.example", &resp(DOC)).unwrap();
        assert_eq!(m.id_token_algs, vec![JwsAlg::RS256, JwsAlg::ES256]);
        assert_eq!(m.token_endpoint, "https://id.example/token");
        assert_eq!(request("https://id.example/").url, "https://id.example/.well-known/openid-configuration");
    }

    #[test]
    fn chooses_client_authentication() {
        let m = parse("https://id.example", &resp(DOC)).unwrap();
        assert_eq!(m.client_auth(None), ClientAuthMethod::ClientSecretBasic);
        let post_only = DOC.replace(r#""jwks_uri""#, r#""token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt"],"jwks_uri""#);
        let m = parse("https://id.example", &resp(&post_only)).unwrap();
        assert_eq!(m.client_auth(None), ClientAuthMethod::ClientSecretPost);
        assert_eq!(m.client_auth(Some(ClientAuthMethod::ClientSecretBasic)), ClientAuthMethod::ClientSecretBasic);
    }

    #[test]
    fn refuses_issuer_mismatch_and_insecure_endpoints() {
        assert!(parse("https://other.example", &resp(DOC)).is_err());
        let insecure = DOC.replace("https://id.example/token", "http://id.example/token");
        assert!(parse("https://id.example", &resp(&insecure)).is_err());
        assert!(parse("https://id.example", &resp("not json")).is_err());
        assert!(parse("https://id.example", &HttpResponse { status: 500, headers: vec![], body: vec![] }).is_err());
        let only_none = DOC.replace(r#"["none","HS256","RS256","ES256"]"#, r#"["none"]"#);
        assert!(parse("https://id.example", &resp(&only_none)).is_err());
    }
}
