//! The provider's JSON Web Key Set (RFC 7517 §5) and the choice of the key that verifies a
//! given JWS: matching `kid` when the header names one, a key type and curve that fit the
//! algorithm (RFC 7518 §6), `use` = `sig` and `alg` equal to the header's when present.

use super::OidcError;
use crate::ports::{HttpResponse, JwsAlg, PublicJwk};

pub fn parse(resp: &HttpResponse) -> Result<Vec<PublicJwk>, OidcError> {
    if resp.status != 200 {
        return Err(OidcError::Metadata(format!("jwks answered {}", resp.status)));
    }
    let doc: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|_| OidcError::Metadata("jwks is not JSON".into()))?;
    let keys = doc.get("keys").and_then(|k| k.as_array()).ok_or_else(|| OidcError::Metadata("jwks has no keys".into()))?;
    Ok(keys
        .iter()
        .filter_map(|k| {
            let text = |n: &str| k.get(n).and_then(|v| v.as_str()).map(str::to_string);
            Some(PublicJwk {
                kty: text("kty")?,
                kid: text("kid"),
                use_: text("use"),
                alg: text("alg"),
                n: text("n"),
                e: text("e"),
                crv: text("crv"),
                x: text("x"),
                y: text("y"),
            })
        })
        .collect())
}

/// The keys that may verify a JWS with header `alg` and `kid`.
pub fn candidates<'a>(keys: &'a [PublicJwk], alg: JwsAlg, kid: Option<&str>) -> Vec<&'a PublicJwk> {
    let (kty, crv) = alg.key_type();
    keys.iter()
        .filter(|k| k.kty == kty)
        .filter(|k| crv.is_none() || k.crv.as_deref() == crv)
        .filter(|k| k.use_.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| k.alg.as_deref().is_none_or(|a| a == alg.name()))
        .filter(|k| kid.is_none_or(|kid| k.kid.as_deref() == Some(kid)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<PublicJwk> {
        let body = br#"{"keys":[
            {"kty":"RSA","kid":"r1","use":"sig","alg":"RS256","n":"AQAB","e":"AQAB"},
            {"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},
            {"kty":"EC","kid":"e1","crv":"P-256","x":"AA","y":"AA"},
            {"kty":"oct","kid":"h","k":"AA"},
            {"no":"kty"}]}"#;
        parse(&HttpResponse { status: 200, headers: vec![], body: body.to_vec() }).unwrap()
    }

    #[test]
    fn selects_by_kid_type_and_use() {
        let ks = keys();
        assert_eq!(ks.len(), 4);
        assert_eq!(candidates(&ks, JwsAlg::RS256, Some("r1")).len(), 1);
        assert_eq!(candidates(&ks, JwsAlg::RS256, Some("enc")).len(), 0);
        assert_eq!(candidates(&ks, JwsAlg::ES256, Some("r1")).len(), 0);
        assert_eq!(candidates(&ks, JwsAlg::ES256, None).len(), 1);
        assert_eq!(candidates(&ks, JwsAlg::ES384, None).len(), 0);
        assert_eq!(candidates(&ks, JwsAlg::PS256, Some("r1")).len(), 0, "alg pinned on the key");
        assert_eq!(candidates(&ks, JwsAlg::RS256, Some("unknown")).len(), 0);
    }
}
