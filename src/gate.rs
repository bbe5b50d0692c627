//! The gate: every request outside the auth routes. A valid session cookie forwards the
//! request to the protected content; no session sends browsers to sign in and answers
//! anything else with 401. The check is one HMAC over the cookie: no KV read, no fetch.
//!
//! [`forwards`] is the same decision for the hot path, on the raw URL and `Cookie` header, so
//! the edge can make it synchronously before building a full request.

use crate::config::Config;
use crate::cookies::CookieKind;
use crate::encoding::form_component;
use crate::error::ErrorCode;
use crate::request::{Outcome, Request, Response};
use crate::session::Session;

pub fn check(cfg: &Config, req: &Request, now: u64) -> Outcome {
    let jar = cfg.cookie_jar(&req.origin_str());
    let cookie = req.cookie(jar.name(CookieKind::Session));
    if has_session(cfg, cookie, now) {
        return Outcome::Forward;
    }
    // A cookie that is present but does not verify (tampered, expired, foreign) is removed.
    let clear = cookie.map(|_| jar.clear(CookieKind::Session));
    let resp = if req.is_navigation() {
        Response::redirect(format!("{}/signin?callbackUrl={}", cfg.base_path, form_component(&req.url.target())))
    } else {
        let body = serde_json::json!({
            "error": ErrorCode::SessionRequired.as_str(),
            "message": ErrorCode::SessionRequired.message(),
            "signIn": format!("{}/signin", cfg.base_path),
        });
        Response::json(401, body.to_string())
    };
    Outcome::Respond(resp.cookies(clear.into_iter().collect()))
}

fn has_session(cfg: &Config, cookie: Option<&str>, now: u64) -> bool {
    cookie.is_some_and(|v| Session::is_valid(v, &cfg.keys, now))
}

/// True exactly when [`check`] would forward a request for absolute `url` carrying this
/// `Cookie` header: a protected path and a valid session. Anything else (auth routes, no or
/// bad session, an unparseable URL) is `false`, and the full handler decides.
pub fn forwards(cfg: &Config, url: &str, cookie_header: Option<&str>, now: u64) -> bool {
    let Some((_, rest)) = url.split_once("://") else { return false };
    let path_start = rest.find('/').unwrap_or(rest.len());
    let path = &rest[path_start..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    if crate::app::auth_route(&cfg.base_path, if path.is_empty() { "/" } else { path }).is_some() {
        return false;
    }
    // The URL starts with its origin, which is all `cookie_jar` looks at (its scheme).
    let name = cfg.cookie_jar(url).name(CookieKind::Session);
    has_session(cfg, cookie_header.and_then(|h| crate::cookies::find(h, name)), now)
}
