//! `GET {base}/error?error=Code`: the error page. Unknown codes show as `Default`.

use super::Ctx;
use crate::error::ErrorCode;
use crate::ports::Platform;
use crate::request::Response;

pub fn page<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    let code = ErrorCode::parse(ctx.req.query("error").as_deref().unwrap_or("Default"));
    Response::html(code.status(), crate::pages::error::render(code, &ctx.cfg.base_path))
}
