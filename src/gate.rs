//! The gate: every request outside the auth routes. A valid session cookie forwards the
//! request to the protected content; no session sends browsers to sign in and answers
//! anything else with 401. The check is one HMAC over the cookie: no KV read, no fetch.

use crate::config::Config;
use crate::cookies::CookieKind;
use crate::encoding::form_component;
use crate::error::ErrorCode;
use crate::request::{Outcome, Request, Response};
use crate::session::Session;

pub fn check(cfg: &Config, req: &Request, now: u64) -> Outcome {
    let jar = cfg.cookie_jar(&req.origin_str());
    let cookie = req.cookie(jar.name(CookieKind::Session));
    if cookie.and_then(|v| Session::open(v, &cfg.keys, now)).is_some() {
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
