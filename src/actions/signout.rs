//! `GET {base}/signout` (a confirmation page) and `POST {base}/signout` (CSRF-checked): the
//! session cookie is cleared and the browser returns to the callbackUrl or `/`. Sessions are
//! stateless, so sign-out ends this browser's session only.

use super::Ctx;
use crate::callback_url;
use crate::cookies::CookieKind;
use crate::encoding::{form_decode, form_get};
use crate::error::ErrorCode;
use crate::ports::Platform;
use crate::request::Response;

pub fn page<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    let callback = callback_url::sanitize(ctx.req.query("callbackUrl").as_deref(), &ctx.origin);
    match ctx.csrf_token() {
        Ok((token, cookie)) => Response::html(200, crate::pages::signout::render(&ctx.cfg.base_path, &token, &callback))
            .cookies(cookie.into_iter().collect()),
        Err(e) => ctx.fail(ErrorCode::Default, "csrf.mint_failed", None, &e.to_string()),
    }
}

pub fn post<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    let form = form_decode(&ctx.req.body);
    if !ctx.csrf_ok(&form) {
        return ctx.fail(ErrorCode::MissingCSRF, "signout.csrf_failed", None, "CSRF token missing or invalid");
    }
    let callback = callback_url::sanitize(form_get(&form, "callbackUrl"), &ctx.origin);
    Response::redirect(callback).cookies(vec![ctx.jar.clear(CookieKind::Session)])
}
