//! The error page: the plain message for a public error code, the code itself (stable, for
//! support), and a way back to the sign-in page.

use super::layout;
use crate::encoding::html_escape;
use crate::error::ErrorCode;

pub fn render(code: ErrorCode, base_path: &str) -> String {
    let back = match code {
        ErrorCode::Configuration => String::new(),
        _ => format!("<p><a href=\"{}/signin\">Sign in</a></p>", html_escape(base_path)),
    };
    let body = format!(
        "<h1>{}</h1><p>{}</p><p class=\"code\">Error code: {}</p>{back}",
        if code == ErrorCode::AccessDenied { "Access denied" } else { "Sign-in problem" },
        html_escape(code.message()),
        code.as_str()
    );
    layout("Error", &body)
}
