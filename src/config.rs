//! Configuration: the Worker's environment (vars and secrets, Auth.js v5 names) turned into a
//! validated [`Config`] once per isolate. Every problem is collected and reported at once; a
//! gateway whose configuration fails answers every request with the `Configuration` error.

use crate::cookies::CookieJar;
use crate::crypto::KeyRing;
use crate::providers::{self, Provider};
use std::collections::BTreeMap;
use std::fmt;
use crate::urls::HttpUrl;

pub const MIN_SECRET_BYTES: usize = 32;
/// Where the auth routes live unless configured (Auth.js's default).
pub const DEFAULT_BASE_PATH: &str = "/api/auth";
const DEFAULT_SESSION_MAX_AGE: u64 = 30 * 24 * 3600;
const DEFAULT_STATE_TTL: u64 = 600;
/// Workers KV refuses an `expiration_ttl` under 60 seconds.
const MIN_STATE_TTL: u64 = 60;

#[derive(Clone, Debug)]
pub struct Config {
    pub keys: KeyRing,
    /// `AUTH_URL`'s origin (`scheme://host[:port]`), when set; otherwise each request's origin.
    pub public_origin: Option<String>,
    /// Where the auth routes live, without a trailing slash (`/api/auth`).
    pub base_path: String,
    pub providers: Vec<Provider>,
    pub session_max_age: u64,
    pub state_ttl: u64,
}

/// Every problem found in the environment. The messages name variables, never their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.problems.join("; "))
    }
}

impl Config {
    pub fn from_env(env: &BTreeMap<String, String>) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let get = |k: &str| env.get(k).map(String::as_str).filter(|v| !v.is_empty());

        let mut secrets: Vec<&str> = Vec::new();
        match get("AUTH_SECRET") {
            None => problems.push("AUTH_SECRET is required (at least 32 bytes; `openssl rand -base64 33`)".into()),
            Some(s) if s.len() < MIN_SECRET_BYTES => {
                problems.push(format!("AUTH_SECRET must be at least {MIN_SECRET_BYTES} bytes"))
            }
            Some(s) => secrets.push(s),
        }
        // Older secrets for rotation: AUTH_SECRET_1, AUTH_SECRET_2, … verify but never sign.
        for i in 1.. {
            let key = format!("AUTH_SECRET_{i}");
            let Some(s) = get(&key) else { break };
            if s.len() < MIN_SECRET_BYTES {
                problems.push(format!("{key} must be at least {MIN_SECRET_BYTES} bytes"));
            } else {
                secrets.push(s);
            }
        }

        let mut public_origin = None;
        let mut url_path = None;
        if let Some(raw) = get("AUTH_URL") {
            match HttpUrl::parse(raw) {
                Some(u) => {
                    public_origin = Some(u.origin());
                    let p = u.path.trim_end_matches('/');
                    if !p.is_empty() {
                        url_path = Some(p.to_string());
                    }
                }
                _ => problems.push("AUTH_URL must be an absolute http(s) URL".into()),
            }
        }

        // Auth.js lets AUTH_URL carry the base path; AUTH_BASE_PATH wins when both are set.
        let base_path = match get("AUTH_BASE_PATH").map(str::to_string).or(url_path) {
            None => DEFAULT_BASE_PATH.to_string(),
            Some(p) => {
                let p = p.trim_end_matches('/').to_string();
                let valid = p.starts_with('/')
                    && p.len() > 1
                    && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b))
                    && !p.contains("//");
                if !valid {
                    problems.push("AUTH_BASE_PATH must be a path like /api/auth (letters, digits, - _ . ~)".into());
                }
                p
            }
        };

        let session_max_age = seconds(get("AUTH_SESSION_MAX_AGE"), "AUTH_SESSION_MAX_AGE", DEFAULT_SESSION_MAX_AGE, 60, &mut problems);
        let state_ttl = seconds(get("AUTH_STATE_TTL"), "AUTH_STATE_TTL", DEFAULT_STATE_TTL, MIN_STATE_TTL, &mut problems);

        let providers = providers::from_env(env, &mut problems);
        if providers.is_empty() && !problems.iter().any(|p| p.starts_with("AUTH_OIDC")) {
            problems.push("no provider is configured (set AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET)".into());
        }

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Config {
            keys: KeyRing::new(&secrets),
            public_origin,
            base_path,
            providers,
            session_max_age,
            state_ttl,
        })
    }

    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// The origin the browser sees: `AUTH_URL`'s, else the request's.
    pub fn origin<'a>(&'a self, request_origin: &'a str) -> &'a str {
        self.public_origin.as_deref().unwrap_or(request_origin)
    }

    pub fn cookie_jar(&self, request_origin: &str) -> CookieJar {
        CookieJar { secure: self.origin(request_origin).starts_with("https:") }
    }
}

fn seconds(raw: Option<&str>, key: &str, default: u64, min: u64, problems: &mut Vec<String>) -> u64 {
    match raw {
        None => default,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n >= min && n <= 400 * 24 * 3600 => n,
            _ => {
                problems.push(format!("{key} must be a whole number of seconds from {min} to 34560000"));
                default
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("AUTH_SECRET", "0123456789abcdef0123456789abcdef"),
            ("AUTH_OIDC_ISSUER", "https://id.example/"),
            ("AUTH_OIDC_ID", "client"),
            ("AUTH_OIDC_SECRET", "very-secret-value"),
        ]
    }

    #[test]
    fn accepts_a_minimal_configuration() {
        let c = Config::from_env(&env(&good())).unwrap();
        assert_eq!(c.base_path, "/api/auth");
        assert_eq!(c.session_max_age, 30 * 24 * 3600);
        assert_eq!(c.state_ttl, 600);
        let p = c.provider("oidc").unwrap();
        assert_eq!(p.protocol, providers::Protocol::Oidc { issuer: "https://id.example".into() });
        assert_eq!(p.name, "OpenID Connect");
        assert!(!format!("{c:?}").contains("very-secret-value"));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let e = Config::from_env(&env(&[
            ("AUTH_SECRET", "short"),
            ("AUTH_SECRET_1", "also-short"),
            ("AUTH_URL", "not a url"),
            ("AUTH_BASE_PATH", "api auth"),
            ("AUTH_STATE_TTL", "30"),
            ("AUTH_OIDC_ISSUER", "http://id.example"),
            ("AUTH_OIDC_CLIENT_AUTH_METHOD", "private_key_jwt"),
        ]))
        .unwrap_err();
        let all = e.problems.join("\n");
        for key in ["AUTH_SECRET must", "AUTH_SECRET_1", "AUTH_URL", "AUTH_BASE_PATH", "AUTH_STATE_TTL", "AUTH_OIDC_ID is required", "AUTH_OIDC_SECRET is required", "AUTH_OIDC_ISSUER must", "AUTH_OIDC_CLIENT_AUTH_METHOD"] {
            assert!(all.contains(key), "missing {key} in {all}");
        }
        assert!(!all.contains("short"), "values never appear: {all}");
    }

    #[test]
    fn refuses_missing_secret_and_providers() {
        let e = Config::from_env(&env(&[])).unwrap_err();
        assert!(e.problems.iter().any(|p| p.contains("AUTH_SECRET is required")));
        assert!(e.problems.iter().any(|p| p.contains("no provider")));
    }

    #[test]
    fn auth_url_sets_origin_and_base_path() {
        let mut e = good();
        e.push(("AUTH_URL", "https://site.example/auth/"));
        let c = Config::from_env(&env(&e)).unwrap();
        assert_eq!(c.public_origin.as_deref(), Some("https://site.example"));
        assert_eq!(c.base_path, "/auth");
        assert!(c.cookie_jar("http://ignored").secure);
    }
}
