//! The gateway's cookies: their names (with the `__Host-` prefix of RFC 6265bis §4.1.3.2 on
//! https), their attributes, and `Set-Cookie` serialisation.

/// The value of cookie `name` in a `Cookie` header (RFC 6265 §5.4); the first wins.
pub fn find<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim().trim_matches('"'))
}

/// Which cookie. Names follow Auth.js's shape under the `edgeauth.` namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieKind {
    Session,
    Csrf,
    State,
}

/// Cookie naming and attributes for one deployment, fixed by whether the public origin is https.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CookieJar {
    pub secure: bool,
}

impl CookieJar {
    pub fn name(self, kind: CookieKind) -> &'static str {
        match (kind, self.secure) {
            // Every cookie is host-only with `Path=/`, so on https each carries `__Host-`: a
            // sibling subdomain cannot plant one (session fixation, login CSRF), which
            // `__Secure-` alone would allow through `Domain=`.
            (CookieKind::Session, false) => "edgeauth.session-token",
            (CookieKind::Session, true) => "__Host-edgeauth.session-token",
            (CookieKind::Csrf, false) => "edgeauth.csrf-token",
            (CookieKind::Csrf, true) => "__Host-edgeauth.csrf-token",
            (CookieKind::State, false) => "edgeauth.state",
            (CookieKind::State, true) => "__Host-edgeauth.state",
        }
    }

    /// `Set-Cookie` for a value that lives `max_age` seconds (RFC 6265 §4.1).
    pub fn set(self, kind: CookieKind, value: &str, max_age: u64) -> String {
        let mut c = format!("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax", self.name(kind), value, max_age);
        if self.secure {
            c.push_str("; Secure");
        }
        c
    }

    /// `Set-Cookie` that removes the cookie.
    pub fn clear(self, kind: CookieKind) -> String {
        let mut c = format!(
            "{}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax",
            self.name(kind)
        );
        if self.secure {
            c.push_str("; Secure");
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_are_prefixed_and_secure() {
        let jar = CookieJar { secure: true };
        let c = jar.set(CookieKind::Session, "v", 60);
        assert_eq!(c, "__Host-edgeauth.session-token=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure");
        assert!(jar.clear(CookieKind::Csrf).starts_with("__Host-edgeauth.csrf-token=; Path=/; Max-Age=0"));
    }

    #[test]
    fn plain_http_cookies_have_no_prefix() {
        let jar = CookieJar { secure: false };
        assert_eq!(jar.set(CookieKind::State, "s", 600), "edgeauth.state=s; Path=/; Max-Age=600; HttpOnly; SameSite=Lax");
    }
}
