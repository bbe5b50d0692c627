//! The `callbackUrl` a sign-in returns to. Only same-origin targets are honoured (an open
//! redirect would hand the session to a phishing page); anything else falls back to `/`.
//!
//! The rule is deliberately narrower than what browsers resolve: a path-absolute reference
//! (`/…`, not `//…`), or an absolute URL that starts with exactly our origin. Backslashes,
//! whitespace and control characters (which browsers strip or turn into `/`) are refused, so
//! `//evil`, `/\evil`, `/\t/evil`, `https://site.example.evil`, `https://site.example@evil`
//! can never leave the site.

/// Returns a same-origin path (`/p?q#f`) for `candidate`, or `/`.
pub fn sanitize(candidate: Option<&str>, origin: &str) -> String {
    let Some(c) = candidate.map(str::trim).filter(|c| !c.is_empty()) else {
        return "/".into();
    };
    let rest = match c.get(..origin.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(origin) => &c[origin.len()..],
        _ => c,
    };
    let rest = match rest.as_bytes().first() {
        None => return "/".into(),
        Some(b'?' | b'#') => return sanitize_path(&format!("/{rest}")),
        Some(b'/') => rest,
        Some(_) => return "/".into(),
    };
    sanitize_path(rest)
}

fn sanitize_path(path: &str) -> String {
    let b = path.as_bytes();
    let authority_like = b.len() > 1 && (b[1] == b'/' || b[1] == b'\\');
    if authority_like || path.chars().any(|ch| ch == '\\' || ch.is_whitespace() || ch.is_control()) {
        return "/".into();
    }
    // Percent-encode what may not stand raw in a Location header or an attribute.
    let mut out = String::with_capacity(path.len());
    for ch in path.chars() {
        if ch.is_ascii_graphic() && !matches!(ch, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '^') {
            out.push(ch);
        } else {
            let mut buf = [0u8; 4];
            for byte in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    const ORIGIN: &str = "https://site.example";

    #[test]
    fn keeps_same_origin_targets() {
        assert_eq!(sanitize(Some("/a/b?c=1#d"), ORIGIN), "/a/b?c=1#d");
        assert_eq!(sanitize(Some("https://site.example/x"), ORIGIN), "/x");
        assert_eq!(sanitize(Some("HTTPS://SITE.EXAMPLE/x?y"), ORIGIN), "/x?y");
        assert_eq!(sanitize(Some("https://site.example"), ORIGIN), "/");
        assert_eq!(sanitize(Some("https://site.example?q=1"), ORIGIN), "/?q=1");
        assert_eq!(sanitize(Some("/caf\u{e9}\"<x>"), ORIGIN), "/caf%C3%A9%22%3Cx%3E");
        assert_eq!(sanitize(None, ORIGIN), "/");
    }

    #[test]
    fn refuses_other_origins() {
        for evil in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "http://site.example/",
            "https://site.example:444/",
            "https://site.example.evil.example/",
            "https://site.example@evil.example/",
            "https://site.example\\@evil.example/",
            "javascript:alert(1)",
            "data:text/html,x",
            " //evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https:evil.example",
            "https:/evil.example",
            "relative/path",
            "%2F%2Fevil.example",
            "https://site.example//evil.example",
        ] {
            assert_eq!(sanitize(Some(evil), ORIGIN), "/", "{evil:?}");
        }
    }
}
