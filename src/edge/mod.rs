//! The wasm32 edge: the Worker's `fetch` handler. It turns the workers-rs request into the
//! core's [`Request`], runs the per-isolate [`Gateway`], and writes the answer, or forwards
//! the request to the static assets. Nothing here decides anything.

mod platform;
mod webcrypto;

use crate::app::{error_response, Gateway, MAX_BODY};
use crate::error::ErrorCode;
use crate::request::{Method, Outcome, Request, Response};
use platform::EdgePlatform;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use worker::{event, Context, Env};

thread_local! {
    /// Configuration is validated, and keys derived, once per isolate.
    static GATEWAY: OnceCell<Rc<Gateway>> = const { OnceCell::new() };
}

fn gateway(env: &Env) -> Rc<Gateway> {
    GATEWAY.with(|cell| cell.get_or_init(|| Rc::new(Gateway::new(&string_bindings(env)))).clone())
}

/// Every string binding (vars and secrets) of the environment.
fn string_bindings(env: &Env) -> BTreeMap<String, String> {
    let obj: &js_sys::Object = env.unchecked_ref();
    js_sys::Object::entries(obj)
        .iter()
        .filter_map(|entry| {
            let pair: js_sys::Array = entry.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// The hot path, called synchronously by the entry module before the async handler: true when
/// the request carries a valid session for a protected path, and the entry forwards it to
/// `ASSETS` itself. No request object is built, nothing is awaited. `false` means "ask
/// [`fetch`]", which makes the full decision (and logs, redirects or answers 401).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn gate_forwards(url: &str, cookie: Option<String>, env: &Env) -> bool {
    gateway(env).forwards(url, cookie.as_deref(), (js_sys::Date::now() / 1000.0) as u64)
}

#[event(fetch)]
pub async fn fetch(mut req: worker::Request, env: Env, _ctx: Context) -> worker::Result<worker::Response> {
    let gw = gateway(&env);
    let platform = EdgePlatform::new(&env);
    // The runtime hands us a normalised absolute URL; parse it without the `url` crate.
    let Some(url) = crate::urls::HttpUrl::parse(&req.inner().url()) else {
        return write(Response::new(400));
    };
    let method = Method::parse(&req.method().to_string());
    // Only the headers the core reads cross from JS into Rust.
    let headers: Vec<(String, String)> = crate::request::READ_HEADERS
        .iter()
        .filter_map(|name| Some((name.to_string(), req.headers().get(name).ok().flatten()?)))
        .collect();
    let mut body = Vec::new();
    if gw.wants_body(method, &url.path) {
        // Forms from browsers always declare their length. A body without one is never read
        // (an unbounded stream); it counts as empty, so the form's CSRF check fails cleanly.
        let declared = req.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<usize>().ok());
        match declared {
            Some(n) if n > MAX_BODY => return write(Response::new(413)),
            Some(n) if n > 0 => body = req.bytes().await.unwrap_or_default(),
            _ => {}
        }
    }
    let request = Request::new(method, url, headers, body);
    match gw.handle(&platform, &request).await {
        Outcome::Respond(resp) => write(resp),
        Outcome::Forward => match env.assets("ASSETS") {
            Ok(assets) => assets.fetch_request(req).await,
            Err(_) => {
                crate::log::event(&platform, "error", "assets.missing", Some(ErrorCode::Configuration), None, "no ASSETS binding");
                write(error_response(&request, ErrorCode::Configuration, gw.base_path()))
            }
        },
    }
}

fn write(resp: Response) -> worker::Result<worker::Response> {
    let headers = worker::Headers::new();
    for (k, v) in &resp.headers {
        headers.append(k, v)?;
    }
    let out = if resp.body.is_empty() { worker::Response::empty()? } else { worker::Response::from_bytes(resp.body)? };
    Ok(out.with_status(resp.status).with_headers(headers))
}
