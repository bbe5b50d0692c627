//! JWS signature verification with the runtime's WebCrypto (SubtleCrypto `importKey` of the
//! JWK, then `verify`): RSASSA-PKCS1-v1_5 (RS*), RSA-PSS (PS*) and ECDSA (ES*), RFC 7518 §3.
//! Cheaper in size and time than pure-Rust RSA/ECDSA in wasm.

use super::platform::crypto;
use crate::ports::{JwsAlg, PortError, PublicJwk};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

fn obj(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub async fn verify(alg: JwsAlg, key: &PublicJwk, message: &[u8], signature: &[u8]) -> Result<bool, PortError> {
    let err = |what: &str| PortError::Crypto(what.to_string());
    let hash = obj(&[("name", s(&format!("SHA-{}", alg.hash_bits())))]);
    let field = |v: &Option<String>| v.as_deref().map(s).ok_or_else(|| err("JWK is missing a parameter"));
    let (jwk, import_alg, verify_alg) = match alg {
        JwsAlg::RS256 | JwsAlg::RS384 | JwsAlg::RS512 | JwsAlg::PS256 | JwsAlg::PS384 | JwsAlg::PS512 => {
            let jwk = obj(&[("kty", s("RSA")), ("n", field(&key.n)?), ("e", field(&key.e)?), ("ext", JsValue::TRUE)]);
            let name = if matches!(alg, JwsAlg::PS256 | JwsAlg::PS384 | JwsAlg::PS512) { "RSA-PSS" } else { "RSASSA-PKCS1-v1_5" };
            let import = obj(&[("name", s(name)), ("hash", hash.into())]);
            // RFC 7518 §3.5: the PSS salt is as long as the hash output.
            let verify = obj(&[("name", s(name)), ("saltLength", JsValue::from(alg.hash_bits() / 8))]);
            (jwk, import, verify)
        }
        JwsAlg::ES256 | JwsAlg::ES384 => {
            let curve = alg.key_type().1.unwrap_or("P-256");
            let jwk = obj(&[("kty", s("EC")), ("crv", s(curve)), ("x", field(&key.x)?), ("y", field(&key.y)?), ("ext", JsValue::TRUE)]);
            let import = obj(&[("name", s("ECDSA")), ("namedCurve", s(curve))]);
            // JWS carries r||s (RFC 7518 §3.4), exactly WebCrypto's ECDSA signature format.
            let verify = obj(&[("name", s("ECDSA")), ("hash", hash.into())]);
            (jwk, import, verify)
        }
    };
    let subtle = crypto()?.subtle();
    let usages = Array::of1(&s("verify"));
    let promise = subtle.import_key_with_object("jwk", &jwk, &import_alg, false, &usages).map_err(|_| err("importKey refused the JWK"))?;
    let crypto_key: web_sys::CryptoKey = JsFuture::from(promise).await.map_err(|_| err("importKey refused the JWK"))?.into();
    let promise = subtle
        .verify_with_object_and_u8_array_and_u8_array(&verify_alg, &crypto_key, signature, message)
        .map_err(|_| err("verify failed"))?;
    let ok = JsFuture::from(promise).await.map_err(|_| err("verify failed"))?;
    Ok(ok.as_bool() == Some(true))
}
