//! The HTML pages the gateway renders itself: sign-in, sign-out and error. Plain HTML and
//! inline CSS, no script, every interpolated value escaped.

pub mod error;
pub mod signin;
pub mod signout;

use crate::encoding::html_escape;

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;color:#1f2328;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}\
main{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2rem 2.5rem;max-width:24rem;width:100%;text-align:center}\
h1{font-size:1.35rem;margin:0 0 1.25rem}p{line-height:1.5}form{margin:.6rem 0}\
button{width:100%;padding:.75rem 1rem;font-size:1rem;border-radius:8px;border:1px solid #d0d7de;background:#24292f;color:#fff;cursor:pointer}\
button:hover{background:#32383f}a{color:#0969da}.code{font-family:ui-monospace,monospace;color:#57606a;font-size:.85rem}";

pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        html_escape(title)
    )
}

/// A hidden form field.
pub fn hidden(name: &str, value: &str) -> String {
    format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", html_escape(name), html_escape(value))
}
