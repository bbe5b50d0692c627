//! Per-isolate cache of discovery documents and key sets, so a sign-in costs no extra round
//! trips once an isolate is warm. Entries live an hour; a key set is refetched early when a
//! token names a key it lacks (providers rotate keys). Failures are never cached.

use super::{discovery, jwks, OidcError};
use crate::ports::{HttpClient, HttpRequest, PublicJwk};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

const TTL_SECS: u64 = 3600;

type Entry<T> = (Rc<T>, u64);

#[derive(Default)]
pub struct OidcCache {
    metadata: RefCell<HashMap<String, Entry<discovery::ProviderMetadata>>>,
    keys: RefCell<HashMap<String, Entry<Vec<PublicJwk>>>>,
}

fn fresh<T>(map: &RefCell<HashMap<String, Entry<T>>>, key: &str, now: u64) -> Option<Rc<T>> {
    map.borrow().get(key).filter(|(_, at)| now < at.saturating_add(TTL_SECS)).map(|(v, _)| v.clone())
}

impl OidcCache {
    pub async fn metadata<H: HttpClient + ?Sized>(&self, http: &H, issuer: &str, now: u64) -> Result<Rc<discovery::ProviderMetadata>, OidcError> {
        if let Some(m) = fresh(&self.metadata, issuer, now) {
            return Ok(m);
        }
        let resp = http.send(discovery::request(issuer)).await.map_err(|e| OidcError::Metadata(format!("discovery unreachable ({e})")))?;
        let m = Rc::new(discovery::parse(issuer, &resp)?);
        self.metadata.borrow_mut().insert(issuer.to_string(), (m.clone(), now));
        Ok(m)
    }

    /// The key set at `uri`; `refresh` bypasses the cache. The flag says whether it was fetched now.
    pub async fn keys<H: HttpClient + ?Sized>(&self, http: &H, uri: &str, now: u64, refresh: bool) -> Result<(Rc<Vec<PublicJwk>>, bool), OidcError> {
        if !refresh {
            if let Some(k) = fresh(&self.keys, uri, now) {
                return Ok((k, false));
            }
        }
        let resp = http.send(HttpRequest::get(uri)).await.map_err(|e| OidcError::Metadata(format!("jwks unreachable ({e})")))?;
        let k = Rc::new(jwks::parse(&resp)?);
        self.keys.borrow_mut().insert(uri.to_string(), (k.clone(), now));
        Ok((k, true))
    }
}
