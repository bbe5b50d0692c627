//! Proof Key for Code Exchange (RFC 7636): a high-entropy `code_verifier` (§4.1) and its S256
//! `code_challenge` (§4.2). `plain` is never used.

use crate::crypto::sha256;
use crate::encoding::b64url;

/// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
pub fn s256_challenge(code_verifier: &str) -> String {
    b64url(&sha256(code_verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
