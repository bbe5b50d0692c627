//! `GET {base}/csrf`: `{"csrfToken": …}`, setting the double-submit cookie when needed.

use super::Ctx;
use crate::error::ErrorCode;
use crate::ports::Platform;
use crate::request::Response;

pub fn get<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    match ctx.csrf_token() {
        Ok((token, cookie)) => Response::json(200, serde_json::json!({ "csrfToken": token }).to_string()).cookies(cookie.into_iter().collect()),
        Err(e) => {
            crate::log::event(ctx.platform, "error", "csrf.mint_failed", Some(ErrorCode::Default), None, &e.to_string());
            Response::json(500, serde_json::json!({ "error": ErrorCode::Default.as_str() }).to_string())
        }
    }
}
