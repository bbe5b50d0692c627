//! `GET {base}/signin` (the provider list) and `POST {base}/signin/:provider`: CSRF check,
//! a fresh in-flight state in KV bound to this browser, and the redirect to the provider's
//! authorization endpoint (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3).

use super::Ctx;
use crate::callback_url;
use crate::cookies::CookieKind;
use crate::encoding::form_decode;
use crate::error::ErrorCode;
use crate::oauth2::{authorize::AuthorizationRequest, pkce};
use crate::ports::{random_token, Platform};
use crate::providers::Protocol;
use crate::request::Response;
use crate::state::{kv_key, state_param, PendingSignin};

pub fn page<P: Platform + ?Sized>(ctx: &Ctx<'_, P>) -> Response {
    let callback = callback_url::sanitize(ctx.req.query("callbackUrl").as_deref(), &ctx.origin);
    let (token, cookie) = match ctx.csrf_token() {
        Ok(t) => t,
        Err(e) => return ctx.fail(ErrorCode::OAuthSignin, "csrf.mint_failed", None, &e.to_string()),
    };
    let html = crate::pages::signin::render(&ctx.cfg.base_path, &ctx.cfg.providers, &token, &callback);
    Response::html(200, html).cookies(cookie.into_iter().collect())
}

pub async fn start<P: Platform + ?Sized>(ctx: &Ctx<'_, P>, provider_id: &str) -> Response {
    let Some(provider) = ctx.cfg.provider(provider_id) else {
        return ctx.fail(ErrorCode::UnknownProvider, "signin.unknown_provider", None, "provider id not configured");
    };
    let pid = Some(provider.id.as_str());
    let form = form_decode(&ctx.req.body);
    if !ctx.csrf_ok(&form) {
        return ctx.fail(ErrorCode::MissingCSRF, "signin.csrf_failed", pid, "CSRF token missing or invalid");
    }
    let callback = callback_url::sanitize(crate::encoding::form_get(&form, "callbackUrl"), &ctx.origin);
    let now = ctx.platform.now();

    let Protocol::Oidc { issuer } = &provider.protocol;
    let metadata = match ctx.cache.metadata(ctx.platform, issuer, now).await {
        Ok(m) => m,
        Err(e) => return ctx.fail(ErrorCode::OAuthSignin, "signin.discovery_failed", pid, &e.to_string()),
    };

    let secrets = (|| Ok::<_, crate::ports::PortError>((random_token(ctx.platform, 32)?, random_token(ctx.platform, 32)?, random_token(ctx.platform, 16)?)))();
    let (id, code_verifier, nonce) = match secrets {
        Ok(s) => s,
        Err(e) => return ctx.fail(ErrorCode::OAuthSignin, "signin.random_failed", pid, &e.to_string()),
    };
    let pending = PendingSignin { provider: provider.id.clone(), code_verifier, nonce, callback_url: callback, created_at: now };
    let record = match serde_json::to_string(&pending) {
        Ok(r) => r,
        Err(_) => return ctx.fail(ErrorCode::OAuthSignin, "signin.encode_failed", pid, "state record"),
    };
    if let Err(e) = ctx.platform.put(&kv_key(&id), &record, ctx.cfg.state_ttl).await {
        return ctx.fail(ErrorCode::OAuthSignin, "signin.store_failed", pid, &e.to_string());
    }

    let state = state_param(&id, &ctx.cfg.keys);
    let redirect_uri = ctx.route_url(&format!("/callback/{}", provider.id));
    let challenge = pkce::s256_challenge(&pending.code_verifier);
    let url = AuthorizationRequest {
        authorization_endpoint: &metadata.authorization_endpoint,
        client_id: &provider.client_id,
        redirect_uri: &redirect_uri,
        scope: &provider.scope,
        state: &state,
        code_challenge: &challenge,
        nonce: Some(&pending.nonce),
    }
    .url();
    match url {
        Ok(url) => Response::redirect(url).cookies(vec![ctx.jar.set(CookieKind::State, &state, ctx.cfg.state_ttl)]),
        Err(e) => ctx.fail(ErrorCode::OAuthSignin, "signin.bad_endpoint", pid, &e.to_string()),
    }
}
