//! The access token request (RFC 6749 §4.1.3) with the PKCE `code_verifier` (RFC 7636 §4.5),
//! client authentication (RFC 6749 §2.3.1: HTTP Basic or body parameters), and the response
//! (§5.1 success, §5.2 error).

use super::OAuth2Error;
use crate::encoding::{b64_std, form_component, form_encode};
use crate::ports::{HttpRequest, HttpResponse};
use crate::providers::{ClientAuthMethod, ClientSecret};

pub struct TokenRequest<'a> {
    pub token_endpoint: &'a str,
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a ClientSecret,
    pub auth_method: ClientAuthMethod,
}

impl TokenRequest<'_> {
    pub fn to_http(&self) -> HttpRequest {
        let mut params = vec![
            ("grant_type", "authorization_code"),
            ("code", self.code),
            ("redirect_uri", self.redirect_uri),
            ("code_verifier", self.code_verifier),
        ];
        let mut headers = vec![
            ("content-type".to_string(), "application/x-www-form-urlencoded".to_string()),
            ("accept".to_string(), "application/json".to_string()),
        ];
        match self.auth_method {
            ClientAuthMethod::ClientSecretBasic => {
                // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
                let creds = format!("{}:{}", form_component(self.client_id), form_component(self.client_secret.expose()));
                headers.push(("authorization".to_string(), format!("Basic {}", b64_std(creds.as_bytes()))));
            }
            ClientAuthMethod::ClientSecretPost => {
                params.push(("client_id", self.client_id));
                params.push(("client_secret", self.client_secret.expose()));
            }
        }
        HttpRequest {
            method: "POST",
            url: self.token_endpoint.to_string(),
            headers,
            body: form_encode(params).into_bytes(),
        }
    }
}

/// The parts of a successful token response the gateway uses. Tokens are not logged.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: Option<String>,
    pub id_token: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenResponse([redacted])")
    }
}

pub fn parse_response(resp: &HttpResponse) -> Result<TokenResponse, OAuth2Error> {
    let json: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or(serde_json::Value::Null);
    if resp.status != 200 {
        // RFC 6749 §5.2: `error` is an ASCII code; keep it short and printable for the log.
        let error = json
            .get("error")
            .and_then(|e| e.as_str())
            .map(|e| e.chars().filter(|c| c.is_ascii_graphic()).take(64).collect())
            .unwrap_or_else(|| "no error code".to_string());
        return Err(OAuth2Error::TokenEndpoint { status: resp.status, error });
    }
    let obj = json.as_object().ok_or(OAuth2Error::MalformedTokenResponse("not a JSON object"))?;
    let text = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let access_token = text("access_token").ok_or(OAuth2Error::MalformedTokenResponse("no access_token"))?;
    // REQUIRED by §5.1, but unused here and omitted by some providers: tolerated.
    let token_type = text("token_type");
    Ok(TokenResponse { access_token, token_type, id_token: text("id_token") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: ClientAuthMethod) -> HttpRequest {
        TokenRequest {
            token_endpoint: "https://id.example/token",
            code: "the code",
            redirect_uri: "https://site.example/cb",
            code_verifier: "v",
            client_id: "my:client",
            client_secret: &ClientSecret::new("s&cret".into()),
            auth_method: method,
        }
        .to_http()
    }

    #[test]
    fn basic_auth_encodes_credentials() {
        let r = req(ClientAuthMethod::ClientSecretBasic);
        let body = String::from_utf8(r.body.clone()).unwrap();
        assert_eq!(body, "grant_type=authorization_code&code=the+code&redirect_uri=https%3A%2F%2Fsite.example%2Fcb&code_verifier=v");
        let auth = r.headers.iter().find(|(k, _)| k == "authorization").unwrap();
        assert_eq!(auth.1, format!("Basic {}", b64_std(b"my%3Aclient:s%26cret")));
    }

    #[test]
    fn post_auth_puts_credentials_in_body() {
        let r = req(ClientAuthMethod::ClientSecretPost);
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.ends_with("&client_id=my%3Aclient&client_secret=s%26cret"));
        assert!(!r.headers.iter().any(|(k, _)| k == "authorization"));
    }

    #[test]
    fn parses_success_and_errors() {
        let ok = HttpResponse { status: 200, headers: vec![], body: br#"{"access_token":"a","token_type":"Bearer","id_token":"x.y.z"}"#.to_vec() };
        assert_eq!(parse_response(&ok).unwrap().id_token.as_deref(), Some("x.y.z"));
        let err = HttpResponse { status: 400, headers: vec![], body: br#"{"error":"invalid_grant"}"#.to_vec() };
        assert_eq!(parse_response(&err), Err(OAuth2Error::TokenEndpoint { status: 400, error: "invalid_grant".into() }));
        let junk = HttpResponse { status: 200, headers: vec![], body: b"<html>".to_vec() };
        assert!(parse_response(&junk).is_err());
        let no_type = HttpResponse { status: 200, headers: vec![], body: br#"{"access_token":"a"}"#.to_vec() };
        assert!(parse_response(&no_type).is_ok());
        let missing = HttpResponse { status: 200, headers: vec![], body: br#"{"token_type":"Bearer"}"#.to_vec() };
        assert_eq!(parse_response(&missing), Err(OAuth2Error::MalformedTokenResponse("no access_token")));
    }
}
