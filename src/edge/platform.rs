//! The ports implemented with workers-rs: `fetch` for outbound HTTP (with a timeout), Workers
//! KV for in-flight state, `Date.now()`, `crypto.getRandomValues`, WebCrypto for signatures and
//! `console.log` for logs.

use crate::ports::{Clock, HttpClient, HttpRequest, HttpResponse, JwsAlg, Logger, PortError, PublicJwk, Rng, SignatureVerifier, StateStore};
use wasm_bindgen::JsCast;
use worker::{Env, KvStore};

/// An identity provider that does not answer within this is treated as unreachable.
const FETCH_TIMEOUT_MS: u32 = 10_000;

pub struct EdgePlatform<'a> {
    env: &'a Env,
}

impl<'a> EdgePlatform<'a> {
    pub fn new(env: &'a Env) -> Self {
        EdgePlatform { env }
    }

    /// Looked up when needed: the gate's hot path never touches KV.
    fn kv(&self) -> Result<KvStore, PortError> {
        self.env.kv("AUTH_KV").map_err(|_| PortError::Store("no AUTH_KV binding".into()))
    }
}

impl HttpClient for EdgePlatform<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, PortError> {
        let net = |e: worker::Error| PortError::Network(e.to_string());
        let headers = worker::Headers::new();
        for (k, v) in &request.headers {
            headers.append(k, v).map_err(net)?;
        }
        let mut init = worker::RequestInit::new();
        // A provider endpoint that redirects is an error, never followed: a followed redirect
        // would carry the client credentials to wherever it points.
        init.with_method(worker::Method::from(request.method.to_string()))
            .with_headers(headers)
            .with_redirect(worker::RequestRedirect::Manual);
        if !request.body.is_empty() {
            init.with_body(Some(js_sys::Uint8Array::from(request.body.as_slice()).into()));
        }
        let req = worker::Request::new_with_init(&request.url, &init).map_err(net)?;
        let signal = worker::AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(FETCH_TIMEOUT_MS));
        let mut resp = worker::Fetch::Request(req).send_with_signal(&signal).await.map_err(net)?;
        let status = resp.status_code();
        let headers = resp.headers().entries().collect();
        let body = resp.bytes().await.map_err(net)?;
        Ok(HttpResponse { status, headers, body })
    }
}

impl StateStore for EdgePlatform<'_> {
    async fn put(&self, key: &str, value: &str, ttl_secs: u64) -> Result<(), PortError> {
        let store = |e: worker::KvError| PortError::Store(e.to_string());
        self.kv()?.put(key, value).map_err(store)?.expiration_ttl(ttl_secs).execute().await.map_err(store)
    }

    async fn get(&self, key: &str) -> Result<Option<String>, PortError> {
        self.kv()?.get(key).text().await.map_err(|e| PortError::Store(e.to_string()))
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.kv()?.delete(key).await.map_err(|e| PortError::Store(e.to_string()))
    }
}

impl Clock for EdgePlatform<'_> {
    fn now(&self) -> u64 {
        (js_sys::Date::now() / 1000.0) as u64
    }
}

pub fn crypto() -> Result<web_sys::Crypto, PortError> {
    js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .crypto()
        .map_err(|_| PortError::Crypto("no crypto global".into()))
}

impl Rng for EdgePlatform<'_> {
    fn fill(&self, buf: &mut [u8]) -> Result<(), PortError> {
        crypto()?
            .get_random_values_with_u8_array(buf)
            .map(|_| ())
            .map_err(|_| PortError::Crypto("getRandomValues failed".into()))
    }
}

impl SignatureVerifier for EdgePlatform<'_> {
    async fn verify(&self, alg: JwsAlg, key: &PublicJwk, message: &[u8], signature: &[u8]) -> Result<bool, PortError> {
        super::webcrypto::verify(alg, key, message, signature).await
    }
}

impl Logger for EdgePlatform<'_> {
    fn log(&self, line: &str) {
        worker::console_log!("{}", line);
    }
}
