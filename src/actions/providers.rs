//! `GET {base}/providers`: the configured providers, keyed by id, in Auth.js's shape.

use super::Ctx;
use crate::ports::Platform;
use crate::request::Response;
use serde_json::{json, Map};

pub fn get<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    let mut out = Map::new();
    for p in &ctx.cfg.providers {
        out.insert(
            p.id.clone(),
            json!({
                "id": p.id,
                "name": p.name,
                "type": p.protocol.kind(),
                "signinUrl": ctx.route_url(&format!("/signin/{}", p.id)),
                "callbackUrl": ctx.route_url(&format!("/callback/{}", p.id)),
            }),
        );
    }
    Response::json(200, serde_json::Value::Object(out).to_string())
}
