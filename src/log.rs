//! Structured log lines: one JSON object per event, with a stable event name, the public
//! error code and an internal reason. Reasons are built from error types that never hold
//! secrets, tokens or codes.

use crate::error::ErrorCode;
use crate::ports::Logger;

pub fn event<L: Logger + ?Sized>(logger: &L, level: &str, event: &str, code: Option<ErrorCode>, provider: Option<&str>, reason: &str) {
    let mut obj = serde_json::Map::new();
    obj.insert("level".into(), level.into());
    obj.insert("event".into(), event.into());
    if let Some(code) = code {
        obj.insert("code".into(), code.as_str().into());
    }
    if let Some(p) = provider {
        obj.insert("provider".into(), p.into());
    }
    obj.insert("reason".into(), reason.into());
    logger.log(&serde_json::Value::Object(obj).to_string());
}
