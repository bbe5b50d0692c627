//! The authorization request (RFC 6749 §4.1.1), with PKCE (RFC 7636 §4.3) and the OpenID
//! Connect `nonce` (OpenID Connect Core §3.1.2.1).

use super::OAuth2Error;

pub struct AuthorizationRequest<'a> {
    pub authorization_endpoint: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: &'a str,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
}

impl AuthorizationRequest<'_> {
    /// The URL the browser is sent to. Existing query parameters of the endpoint are kept
    /// (RFC 6749 §3.1).
    pub fn url(&self) -> Result<String, OAuth2Error> {
        if !crate::providers::is_acceptable_endpoint(self.authorization_endpoint) {
            return Err(OAuth2Error::BadEndpoint);
        }
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", self.client_id),
            ("redirect_uri", self.redirect_uri),
            ("scope", self.scope),
            ("state", self.state),
            ("code_challenge", self.code_challenge),
            ("code_challenge_method", "S256"),
        ];
        if let Some(nonce) = self.nonce {
            params.push(("nonce", nonce));
        }
        Ok(crate::urls::with_query(self.authorization_endpoint, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_authorization_url() {
        let url = AuthorizationRequest {
            authorization_endpoint: "https://id.example/auth?tenant=a",
            client_id: "c 1",
            redirect_uri: "https://site.example/api/auth/callback/oidc",
            scope: "openid email profile",
            state: "st",
            code_challenge: "ch",
            nonce: Some("n"),
        }
        .url()
        .unwrap();
        assert_eq!(
            url,
            "https://id.example/auth?tenant=a&response_type=code&client_id=c+1&redirect_uri=https%3A%2F%2Fsite.example%2Fapi%2Fauth%2Fcallback%2Foidc&scope=openid+email+profile&state=st&code_challenge=ch&code_challenge_method=S256&nonce=n"
        );
    }
}
