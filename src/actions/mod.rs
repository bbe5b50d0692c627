//! The auth routes under the base path (Auth.js's shapes), one file per action, and the
//! helpers they share: the per-request context, error redirects, the CSRF cookie.

pub mod callback;
pub mod csrf;
pub mod error;
pub mod providers;
pub mod session;
pub mod signin;
pub mod signout;

use crate::config::Config;
use crate::cookies::{CookieJar, CookieKind};
use crate::error::ErrorCode;
use crate::oidc::cache::OidcCache;
use crate::ports::{random_token, Platform};
use crate::request::{Method, Request, Response};

/// What an action gets: the request and everything fixed for this isolate.
pub struct Ctx<'a, P: ?Sized> {
    pub cfg: &'a Config,
    pub cache: &'a OidcCache,
    pub platform: &'a P,
    pub req: &'a Request,
    /// The origin the browser sees (AUTH_URL's, else the request's).
    pub origin: String,
    pub jar: CookieJar,
}

impl<P: Platform + ?Sized> Ctx<'_, P> {
    pub fn route_url(&self, route: &str) -> String {
        format!("{}{}{}", self.origin, self.cfg.base_path, route)
    }

    /// Logs why, and sends the browser to the error page with the public code.
    pub fn fail(&self, code: ErrorCode, event: &str, provider: Option<&str>, reason: &str) -> Response {
        crate::log::event(self.platform, "warn", event, Some(code), provider, reason);
        Response::redirect(format!("{}/error?error={}", self.cfg.base_path, code.as_str()))
    }

    /// The CSRF token of this browser, minting one (and its cookie) when it has none valid.
    pub fn csrf_token(&self) -> Result<(String, Option<String>), crate::ports::PortError> {
        let existing = self
            .req
            .cookie(self.jar.name(CookieKind::Csrf))
            .and_then(|c| crate::csrf::token_from_cookie(c, &self.cfg.keys));
        if let Some(token) = existing {
            return Ok((token.to_string(), None));
        }
        let token = random_token(self.platform, 32)?;
        let value = crate::csrf::cookie_value(&token, &self.cfg.keys);
        // A session-long cookie, like Auth.js's: the token is only useful with the page.
        let cookie = self.jar.set(CookieKind::Csrf, &value, self.cfg.session_max_age);
        Ok((token, Some(cookie)))
    }

    /// Verifies the double-submit CSRF token of a posted form.
    pub fn csrf_ok(&self, form: &[(String, String)]) -> bool {
        crate::csrf::verify(
            self.req.cookie(self.jar.name(CookieKind::Csrf)),
            crate::encoding::form_get(form, "csrfToken"),
            &self.cfg.keys,
        )
    }
}

/// Dispatches `route` (the path below the base path) to its action.
pub async fn dispatch<P: Platform + ?Sized>(ctx: &Ctx<'_, P>, route: &str) -> Response {
    let method = ctx.req.method;
    let get = matches!(method, Method::Get | Method::Head);
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (segments.as_slice(), get, method == Method::Post) {
        (["signin"], true, _) => signin::page(ctx),
        (["signin", id], _, true) => signin::start(ctx, id).await,
        (["signin", _], true, _) => Response::redirect(format!("{}/signin", ctx.cfg.base_path)),
        (["callback", id], true, _) => callback::finish(ctx, id).await,
        (["session"], true, _) => session::get(ctx),
        (["csrf"], true, _) => csrf::get(ctx),
        (["providers"], true, _) => providers::get(ctx),
        (["signout"], true, _) => signout::page(ctx),
        (["signout"], _, true) => signout::post(ctx),
        (["error"], true, _) => error::page(ctx),
        (["signin"] | ["signin", _] | ["callback", _] | ["session"] | ["csrf"] | ["providers"] | ["signout"] | ["error"], _, _) => {
            Response::new(405).header("allow", if segments[0] == "signout" { "GET, HEAD, POST" } else if segments.len() == 2 && segments[0] == "signin" { "POST" } else { "GET, HEAD" })
        }
        _ => Response::html(404, crate::pages::layout("Not found", "<h1>Not found</h1>")),
    }
}
