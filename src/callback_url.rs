//! The `callbackUrl` a sign-in returns to. Only same-origin targets are honoured (an open
//! redirect would hand the session to a phishing page); anything else falls back to `/`.
//! Parsing uses the WHATWG URL rules browsers use, so `//evil`, `/\evil`, `https:evil` and
//! friends resolve exactly as a browser would resolve them before the origin is compared.

use url::Url;

/// Returns a path (`/p?q#f`) on `origin` for `candidate`, or `/`.
pub fn sanitize(candidate: Option<&str>, origin: &str) -> String {
    let Some(candidate) = candidate.map(str::trim).filter(|c| !c.is_empty()) else {
        return "/".into();
    };
    let Ok(base) = Url::parse(origin) else { return "/".into() };
    match base.join(candidate) {
        Ok(target) if target.origin() == base.origin() => {
            let mut out = target.path().to_string();
            if let Some(q) = target.query() {
                out.push('?');
                out.push_str(q);
            }
            if let Some(f) = target.fragment() {
                out.push('#');
                out.push_str(f);
            }
            out
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    const ORIGIN: &str = "https://site.example";

    #[test]
    fn keeps_same_origin_targets() {
        assert_eq!(sanitize(Some("/a/b?c=1#d"), ORIGIN), "/a/b?c=1#d");
        assert_eq!(sanitize(Some("https://site.example/x"), ORIGIN), "/x");
        assert_eq!(sanitize(Some("relative"), ORIGIN), "/relative");
        assert_eq!(sanitize(None, ORIGIN), "/");
    }

    #[test]
    fn refuses_other_origins() {
        for evil in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "\\\\evil.example",
            "http://site.example/",
            "https://site.example:444/",
            "https://site.example.evil.example/",
            "https://site.example@evil.example/",
            "javascript:alert(1)",
            "data:text/html,x",
            " //evil.example",
            "/\t/evil.example",
            "https:evil.example",
        ] {
            let got = sanitize(Some(evil), ORIGIN);
            assert!(got == "/" || (got.starts_with('/') && !got.starts_with("//")), "{evil} -> {got}");
            assert!(!got.contains("evil.example") || got.starts_with("/evil.example") || got == "/", "{evil} -> {got}");
        }
        assert_eq!(sanitize(Some("https://evil.example/"), ORIGIN), "/");
        assert_eq!(sanitize(Some("//evil.example/x"), ORIGIN), "/");
        assert_eq!(sanitize(Some("/\\evil.example"), ORIGIN), "/");
    }
}
