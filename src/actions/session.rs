//! `GET {base}/session`: the signed-in user as Auth.js shapes it, or `null`.

use super::Ctx;
use crate::cookies::CookieKind;
use crate::encoding::iso8601;
use crate::ports::Platform;
use crate::request::Response;
use crate::session::Session;
use serde_json::json;

pub fn get<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    let session = ctx
        .req
        .cookie(ctx.jar.name(CookieKind::Session))
        .and_then(|v| Session::open(v, &ctx.cfg.keys, ctx.platform.now()));
    let body = match session {
        None => serde_json::Value::Null,
        Some(s) => json!({
            "user": {"name": s.identity.name, "email": s.identity.email, "image": s.identity.picture},
            "expires": iso8601(s.expires_at),
        }),
    };
    Response::json(200, body.to_string())
}
