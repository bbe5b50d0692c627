//! edge-auth: an authentication gateway for Cloudflare Workers.
//!
//! Every request is authenticated at the edge before it reaches the protected content:
//! Auth.js-style sign-in (`{base}/signin` → provider → `{base}/callback/:provider`) with
//! OpenID Connect (authorization code + PKCE, discovery, ID-token validation), stateless
//! HMAC-signed session cookies, and in-flight sign-in state in Workers KV.
//!
//! The crate is a pure core that builds and tests natively; the platform comes in through
//! [`ports`]. Only the wasm32 [`edge`] module touches workers-rs, wasm-bindgen and WebCrypto.

pub mod actions;
pub mod app;
pub mod callback_url;
pub mod config;
pub mod cookies;
pub mod crypto;
pub mod csrf;
pub mod encoding;
pub mod error;
pub mod gate;
pub mod log;
pub mod oauth2;
pub mod oidc;
pub mod pages;
pub mod ports;
pub mod providers;
pub mod request;
pub mod session;
pub mod state;
pub mod urls;

#[cfg(target_arch = "wasm32")]
pub mod edge;
