//! The gateway for one isolate: its configuration (validated once) and OIDC cache, and the
//! one entry point that turns a request into an [`Outcome`].

use crate::actions::{self, Ctx};
use crate::config::{Config, ConfigError};
use crate::error::ErrorCode;
use crate::oidc::cache::OidcCache;
use crate::ports::Platform;
use crate::request::{Method, Outcome, Request, Response};
use std::collections::BTreeMap;

/// The largest form body the auth routes read.
pub const MAX_BODY: usize = 16 * 1024;

pub struct Gateway {
    config: Result<Config, ConfigError>,
    cache: OidcCache,
}

impl Gateway {
    pub fn new(env: &BTreeMap<String, String>) -> Self {
        Gateway { config: Config::from_env(env), cache: OidcCache::default() }
    }

    /// The configured base path; the default one while the configuration is invalid (for
    /// the links on the `Configuration` error page).
    pub fn base_path(&self) -> &str {
        self.config.as_ref().map_or(crate::config::DEFAULT_BASE_PATH, |c| c.base_path.as_str())
    }

    /// The hot path: true when the request may be forwarded without further ado (see
    /// [`crate::gate::forwards`]). A gateway that is not configured forwards nothing.
    pub fn forwards(&self, url: &str, cookie_header: Option<&str>, now: u64) -> bool {
        self.config.as_ref().is_ok_and(|cfg| crate::gate::forwards(cfg, url, cookie_header, now))
    }

    /// Whether the edge should read the body of this request (POSTs to the auth routes only;
    /// protected requests are forwarded with their body untouched).
    pub fn wants_body(&self, method: Method, path: &str) -> bool {
        method == Method::Post && self.config.as_ref().is_ok_and(|c| auth_route(&c.base_path, path).is_some())
    }

    pub async fn handle<P: Platform + ?Sized>(&self, platform: &P, req: &Request) -> Outcome {
        let cfg = match &self.config {
            Ok(cfg) => cfg,
            Err(e) => {
                // Fail closed: nothing passes a gateway that is not configured.
                crate::log::event(platform, "error", "config.invalid", Some(ErrorCode::Configuration), None, &e.to_string());
                return Outcome::Respond(error_response(req, ErrorCode::Configuration, self.base_path()));
            }
        };
        let Some(route) = auth_route(&cfg.base_path, &req.url.path) else {
            return crate::gate::check(cfg, req, platform.now());
        };
        if req.body.len() > MAX_BODY {
            return Outcome::Respond(Response::new(413));
        }
        let request_origin = req.origin_str();
        let ctx = Ctx {
            cfg,
            cache: &self.cache,
            platform,
            req,
            origin: cfg.origin(&request_origin).to_string(),
            jar: cfg.cookie_jar(&request_origin),
        };
        let mut resp = actions::dispatch(&ctx, route).await;
        if req.method == Method::Head {
            resp.body.clear();
        }
        Outcome::Respond(resp)
    }
}

/// The route below the base path, if `path` is an auth route.
pub fn auth_route<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    let rest = path.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// An error answered in place: the HTML page for browsers, JSON for everything else.
pub fn error_response(req: &Request, code: ErrorCode, base_path: &str) -> Response {
    if req.is_navigation() {
        Response::html(code.status(), crate::pages::error::render(code, base_path))
    } else {
        Response::json(code.status(), serde_json::json!({ "error": code.as_str(), "message": code.message() }).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::auth_route;

    #[test]
    fn auth_routes_are_exactly_under_the_base_path() {
        assert_eq!(auth_route("/api/auth", "/api/auth/signin"), Some("/signin"));
        assert_eq!(auth_route("/api/auth", "/api/auth"), Some(""));
        assert_eq!(auth_route("/api/auth", "/api/authx/signin"), None);
        assert_eq!(auth_route("/api/auth", "/private"), None);
    }
}
