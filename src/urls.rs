//! Just enough of URLs for an HTTP gateway: absolute `http(s)` URLs split into origin, path
//! and query (RFC 3986 §3), and same-origin checks. The request URL comes already normalised
//! by the runtime (WHATWG URL), and every other URL we meet is configuration or provider
//! metadata that we only need to check and extend, so a full URL parser (with IDNA tables that
//! would dominate the wasm size) is not needed. Anything unusual is refused, never guessed.

/// An absolute `http` or `https` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `http` or `https`, lower-cased.
    pub scheme: &'static str,
    /// `host[:port]`, lower-cased, default port removed.
    pub authority: String,
    /// Starts with `/`.
    pub path: String,
    pub query: Option<String>,
}

impl HttpUrl {
    /// Parses `scheme://authority[path][?query][#fragment]`; the fragment is dropped. Refuses
    /// user-info, whitespace, control characters, backslashes and empty hosts.
    pub fn parse(input: &str) -> Option<HttpUrl> {
        if input.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') {
            return None;
        }
        let (scheme, rest) = input.split_once("://")?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => "http",
            "https" => "https",
            _ => return None,
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(end);
        let authority = normalise_authority(scheme, authority)?;
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (rest, None),
        };
        let path = if path.is_empty() { "/".to_string() } else { path.to_string() };
        Some(HttpUrl { scheme, authority, path, query })
    }

    /// `scheme://authority`, the origin (RFC 6454 §6.2).
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    pub fn host(&self) -> &str {
        match self.authority.rsplit_once(':') {
            Some((h, port)) if !h.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && !port.contains(']') => h,
            _ => &self.authority,
        }
    }

    /// The first value of query parameter `name`, form-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let q = self.query.as_deref()?;
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    /// The path and query, as a request target (`/p?q`).
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

fn normalise_authority(scheme: &str, authority: &str) -> Option<String> {
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let lower = authority.to_ascii_lowercase();
    let ok = lower.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b));
    if !ok || lower.starts_with(':') {
        return None;
    }
    let default = if scheme == "https" { ":443" } else { ":80" };
    Some(lower.strip_suffix(default).unwrap_or(&lower).to_string())
}

/// Appends `pairs` to the query of `url` (keeping the query it has, RFC 6749 §3.1).
pub fn with_query<'a>(url: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", crate::encoding::form_encode(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_urls() {
        let u = HttpUrl::parse("HTTPS://Site.Example:443/a/b?x=1&y=%20#frag").unwrap();
        assert_eq!(u.origin(), "https://site.example");
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.query_param("y").as_deref(), Some(" "));
        assert_eq!(u.target(), "/a/b?x=1&y=%20");
        let u = HttpUrl::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!((u.origin().as_str(), u.path.as_str(), u.host()), ("http://127.0.0.1:8787", "/", "127.0.0.1"));
        assert_eq!(HttpUrl::parse("http://[::1]:9000/x").unwrap().host(), "[::1]");
        assert_eq!(HttpUrl::parse("http://[::1]/x").unwrap().host(), "[::1]");
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for bad in ["ftp://x/", "https://", "https://user@host/", "https://ho st/", "https://a\\b/", "/relative", "https:host", "https://:80/", "javascript://x"] {
            assert_eq!(HttpUrl::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn appends_query() {
        assert_eq!(with_query("https://id/auth", [("a", "1 2")]), "https://id/auth?a=1+2");
        assert_eq!(with_query("https://id/auth?t=x", [("a", "b")]), "https://id/auth?t=x&a=b");
    }
}
