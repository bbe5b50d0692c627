//! The sign-out confirmation page: a CSRF-protected form POSTing to `{base}/signout`.

use super::{hidden, layout};
use crate::encoding::html_escape;

pub fn render(base_path: &str, csrf_token: &str, callback_url: &str) -> String {
    let body = format!(
        "<h1>Sign out</h1><p>Are you sure you want to sign out?</p><form action=\"{}/signout\" method=\"post\">{}{}<button type=\"submit\">Sign out</button></form>",
        html_escape(base_path),
        hidden("csrfToken", csrf_token),
        hidden("callbackUrl", callback_url)
    );
    layout("Sign out", &body)
}
