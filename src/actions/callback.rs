//! `GET {base}/callback/:provider`: the authorization response (RFC 6749 §4.1.2). The state
//! must verify, match this browser's state cookie, exist in KV for this provider, and is
//! deleted before use (one use). Then the code is exchanged with the PKCE verifier
//! (RFC 6749 §4.1.3), the ID token validated (OpenID Connect Core §3.1.3.7), and the session
//! cookie set.

use super::Ctx;
use crate::cookies::CookieKind;
use crate::crypto::ct_eq;
use crate::error::ErrorCode;
use crate::oauth2::token::{self, TokenRequest};
use crate::oidc::id_token::{self, Expected};
use crate::ports::Platform;
use crate::providers::{Protocol, Provider};
use crate::request::Response;
use crate::session::{Identity, Session};
use crate::state::{kv_key, state_id, PendingSignin};

pub async fn finish<P: Platform + ?Sized>(ctx: &Ctx<'_, P>, provider_id: &str) -> Response {
    // Whatever happens, the in-flight cookie has done its job.
    let clear_state = ctx.jar.clear(CookieKind::State);
    let mut resp = run(ctx, provider_id).await;
    resp.headers.push(("set-cookie".into(), clear_state));
    resp
}

async fn run<P: Platform + ?Sized>(ctx: &Ctx<'_, P>, provider_id: &str) -> Response {
    let Some(provider) = ctx.cfg.provider(provider_id) else {
        return ctx.fail(ErrorCode::UnknownProvider, "callback.unknown_provider", None, "provider id not configured");
    };
    let pid = Some(provider.id.as_str());
    let verification = |reason: &str| ctx.fail(ErrorCode::Verification, "callback.state_rejected", pid, reason);

    // RFC 6749 §4.1.2.1: the provider reports a refusal or failure with `error`.
    if let Some(err) = ctx.req.query("error") {
        let code = if err == "access_denied" { ErrorCode::AccessDenied } else { ErrorCode::OAuthCallback };
        let shown: String = err.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        // Consume the pending state too, so it cannot be finished later; but only this
        // browser's own, so a cross-site link cannot cancel someone else's sign-in.
        if let Some(state) = ctx.req.query("state").filter(|s| bound_to_browser(ctx, s)) {
            if let Some(id) = state_id(&state, &ctx.cfg.keys) {
                let _ = ctx.platform.delete(&kv_key(id)).await;
            }
        }
        return ctx.fail(code, "callback.provider_error", pid, &format!("provider returned error={shown}"));
    }

    let Some(state) = ctx.req.query("state") else { return verification("no state parameter") };
    let Some(id) = state_id(&state, &ctx.cfg.keys) else { return verification("state parameter does not verify") };
    if !bound_to_browser(ctx, &state) {
        return verification("state is not bound to this browser");
    }
    let key = kv_key(id);
    let record = match ctx.platform.get(&key).await {
        Ok(Some(r)) => r,
        Ok(None) => return verification("state missing, expired or already used"),
        Err(e) => return ctx.fail(ErrorCode::OAuthCallback, "callback.store_failed", pid, &e.to_string()),
    };
    // One use: delete before anything else. A failed delete fails closed.
    if let Err(e) = ctx.platform.delete(&key).await {
        return ctx.fail(ErrorCode::OAuthCallback, "callback.store_failed", pid, &e.to_string());
    }
    let Ok(pending) = serde_json::from_str::<PendingSignin>(&record) else {
        return verification("state record unreadable");
    };
    let now = ctx.platform.now();
    if pending.provider != provider.id {
        return verification("state was issued for another provider");
    }
    // KV's TTL may outlive our window by up to its own granularity; check ours too.
    if now > pending.created_at.saturating_add(ctx.cfg.state_ttl) {
        return verification("state expired");
    }
    let Some(code) = ctx.req.query("code").filter(|c| !c.is_empty()) else {
        return ctx.fail(ErrorCode::OAuthCallback, "callback.no_code", pid, "no code in the authorization response");
    };

    match exchange(ctx, provider, &pending, &code, now).await {
        Ok(identity) => {
            let session = Session { identity, issued_at: now, expires_at: now.saturating_add(ctx.cfg.session_max_age) };
            let value = session.seal(&ctx.cfg.keys);
            crate::log::event(ctx.platform, "info", "callback.signed_in", None, pid, "session issued");
            Response::redirect(pending.callback_url.clone())
                .cookies(vec![ctx.jar.set(CookieKind::Session, &value, ctx.cfg.session_max_age)])
        }
        Err(reason) => ctx.fail(ErrorCode::OAuthCallback, "callback.exchange_failed", pid, &reason),
    }
}

/// The state cookie this browser holds is exactly `state` (constant-time).
fn bound_to_browser<P: Platform + ?Sized>(ctx: &Ctx<'_, P>, state: &str) -> bool {
    ctx.req.cookie(ctx.jar.name(CookieKind::State)).is_some_and(|c| ct_eq(c.as_bytes(), state.as_bytes()))
}

/// Code → tokens → validated identity. The error is a log reason, free of secrets.
async fn exchange<P: Platform + ?Sized>(ctx: &Ctx<'_, P>, provider: &Provider, pending: &PendingSignin, code: &str, now: u64) -> Result<Identity, String> {
    let Protocol::Oidc { issuer } = &provider.protocol;
    let metadata = ctx.cache.metadata(ctx.platform, issuer, now).await.map_err(|e| e.to_string())?;
    // RFC 9207 §2.4: when the provider names itself in the response, it must be our issuer.
    if let Some(iss) = ctx.req.query("iss") {
        if iss != metadata.issuer {
            return Err("iss parameter does not match the issuer (mix-up)".into());
        }
    }
    let redirect_uri = ctx.route_url(&format!("/callback/{}", provider.id));
    let request = TokenRequest {
        token_endpoint: &metadata.token_endpoint,
        code,
        redirect_uri: &redirect_uri,
        code_verifier: &pending.code_verifier,
        client_id: &provider.client_id,
        client_secret: &provider.client_secret,
        auth_method: metadata.client_auth(provider.client_auth),
    };
    let resp = ctx.platform.send(request.to_http()).await.map_err(|e| format!("token endpoint unreachable ({e})"))?;
    let tokens = token::parse_response(&resp).map_err(|e| e.to_string())?;
    let id_token = tokens.id_token.ok_or("token response has no id_token")?;
    let expected = Expected { client_id: &provider.client_id, nonce: &pending.nonce, now };
    let claims = id_token::validate(ctx.platform, ctx.cache, &metadata, &id_token, &expected).await.map_err(|e| e.to_string())?;
    Ok(Identity { provider: provider.id.clone(), subject: claims.sub, email: claims.email, name: claims.name, picture: claims.picture })
}
