//! The internal request and response: the edge parses the platform's request into a
//! [`Request`] once, actions return a [`Response`] or ask to forward, and the edge writes it out.

use crate::urls::HttpUrl;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Other,
}

impl Method {
    pub fn parse(name: &str) -> Self {
        match name.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            _ => Method::Other,
        }
    }
}

/// The request headers the core looks at; the edge passes these and no others. (The Fetch
/// API joins repeated headers, `Cookie` with `; `, so one value per name is enough.)
pub const READ_HEADERS: [&str; 3] = ["cookie", "accept", "sec-fetch-mode"];

#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub url: HttpUrl,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Read only for POSTs to the auth routes; empty otherwise.
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: Method, url: HttpUrl, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let headers = headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
        Request { method, url, headers, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of cookie `name` from the `Cookie` header(s) (RFC 6265 §5.4); the first wins.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers.iter().filter(|(k, _)| k == "cookie").find_map(|(_, v)| crate::cookies::find(v, name))
    }

    pub fn query(&self, name: &str) -> Option<String> {
        self.url.query_param(name)
    }

    /// A browser navigation wants HTML: GET/HEAD that accepts `text/html`, and (when the
    /// browser says so through Fetch Metadata) a top-level or nested navigation.
    pub fn is_navigation(&self) -> bool {
        if !matches!(self.method, Method::Get | Method::Head) {
            return false;
        }
        if let Some(mode) = self.header("sec-fetch-mode") {
            if !mode.eq_ignore_ascii_case("navigate") {
                return false;
            }
        }
        self.header("accept").is_some_and(|a| a.contains("text/html"))
    }

    /// `scheme://host[:port]` of the request URL.
    pub fn origin_str(&self) -> String {
        self.url.origin()
    }
}

/// A response the gateway writes itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn cookies(mut self, set_cookies: Vec<String>) -> Self {
        for c in set_cookies {
            self.headers.push(("set-cookie".into(), c));
        }
        self
    }

    /// A 302 to `location` (RFC 9110 §15.4.3), never cached.
    pub fn redirect(location: impl Into<String>) -> Self {
        Response::new(302).header("location", location).header("cache-control", "no-store")
    }

    pub fn json(status: u16, body: String) -> Self {
        Response { status, headers: Vec::new(), body: body.into_bytes() }
            .header("content-type", "application/json")
            .header("cache-control", "no-store")
    }

    pub fn html(status: u16, body: String) -> Self {
        Response { status, headers: Vec::new(), body: body.into_bytes() }
            .header("content-type", "text/html; charset=utf-8")
            .header("cache-control", "no-store")
            // The pages need no script and load nothing; they must not be framed (clickjacking).
            .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'none'; base-uri 'none'")
            .header("x-frame-options", "DENY")
            .header("x-content-type-options", "nosniff")
            .header("referrer-policy", "no-referrer")
    }

    pub fn get_header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.headers.iter().filter(|(k, _)| k == "set-cookie").map(|(_, v)| v.as_str())
    }
}

/// What the gateway decided for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Respond(Response),
    /// Pass the request on to the protected content (static assets or origin).
    Forward,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        Request::new(
            Method::Get,
            HttpUrl::parse("https://a.example/x").unwrap(),
            headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            vec![],
        )
    }

    #[test]
    fn reads_cookies() {
        let r = req(&[("Cookie", "a=1; b=\"2\" ;c=3=4")]);
        assert_eq!(r.cookie("a"), Some("1"));
        assert_eq!(r.cookie("b"), Some("2"));
        assert_eq!(r.cookie("c"), Some("3=4"));
        assert_eq!(r.cookie("d"), None);
    }

    #[test]
    fn tells_navigation_from_api_calls() {
        assert!(req(&[("accept", "text/html,*/*"), ("sec-fetch-mode", "navigate")]).is_navigation());
        assert!(req(&[("accept", "text/html")]).is_navigation());
        assert!(!req(&[("accept", "text/html"), ("sec-fetch-mode", "cors")]).is_navigation());
        assert!(!req(&[("accept", "application/json")]).is_navigation());
        assert!(!req(&[]).is_navigation());
    }
}
