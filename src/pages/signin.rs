//! The sign-in page: one form per provider, each POSTing the CSRF token and callbackUrl to
//! `{base}/signin/:provider`.

use super::{hidden, layout};
use crate::encoding::html_escape;
use crate::providers::Provider;

pub fn render(base_path: &str, providers: &[Provider], csrf_token: &str, callback_url: &str) -> String {
    let mut body = String::from("<h1>Sign in</h1>");
    for p in providers {
        body.push_str(&format!(
            "<form action=\"{}/signin/{}\" method=\"post\">{}{}<button type=\"submit\">Sign in with {}</button></form>",
            html_escape(base_path),
            html_escape(&p.id),
            hidden("csrfToken", csrf_token),
            hidden("callbackUrl", callback_url),
            html_escape(&p.name)
        ));
    }
    layout("Sign in", &body)
}
