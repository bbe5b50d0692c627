//! The generic OpenID Connect provider `oidc`, configured from `AUTH_OIDC_*` alone: issuer,
//! client id and secret, optional button label and token-endpoint authentication method.

use super::{is_acceptable_endpoint, ClientAuthMethod, ClientSecret, Protocol, Provider};
use std::collections::BTreeMap;

pub fn from_env(env: &BTreeMap<String, String>, problems: &mut Vec<String>) -> Option<Provider> {
    let get = |k: &str| env.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let keys = ["AUTH_OIDC_ISSUER", "AUTH_OIDC_ID", "AUTH_OIDC_SECRET"];
    if keys.iter().all(|k| get(k).is_none()) {
        return None;
    }
    let mut ok = true;
    for k in keys {
        if get(k).is_none() {
            problems.push(format!("{k} is required when any AUTH_OIDC_* variable is set"));
            ok = false;
        }
    }
    let issuer = get("AUTH_OIDC_ISSUER").unwrap_or_default().trim_end_matches('/').to_string();
    if !issuer.is_empty() && !is_acceptable_endpoint(&issuer) {
        problems.push("AUTH_OIDC_ISSUER must be an https URL (http only on 127.0.0.1/localhost)".into());
        ok = false;
    }
    let client_auth = match get("AUTH_OIDC_CLIENT_AUTH_METHOD") {
        None => None,
        Some(m) => {
            let parsed = ClientAuthMethod::parse(m);
            if parsed.is_none() {
                problems.push("AUTH_OIDC_CLIENT_AUTH_METHOD must be client_secret_basic or client_secret_post".into());
                ok = false;
            }
            parsed
        }
    };
    if !ok {
        return None;
    }
    Some(Provider {
        id: "oidc".into(),
        name: get("AUTH_OIDC_NAME").unwrap_or("OpenID Connect").to_string(),
        protocol: Protocol::Oidc { issuer },
        client_id: get("AUTH_OIDC_ID").unwrap_or_default().to_string(),
        client_secret: ClientSecret::new(get("AUTH_OIDC_SECRET").unwrap_or_default().to_string()),
        client_auth,
        scope: get("AUTH_OIDC_SCOPE").unwrap_or("openid email profile").to_string(),
    })
}
