//! Flow tests over fake ports: the whole sign-in as a browser and an attacker see it.

mod support;

use edge_auth::app::Gateway;
use edge_auth::request::{Method, Outcome};
use support::*;

fn setup(extra: &[(&str, &str)]) -> (Gateway, FakePlatform) {
    (Gateway::new(&env(extra)), FakePlatform::new())
}

#[test]
fn unauthenticated_browser_is_sent_to_sign_in_and_api_gets_401() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let r = b.navigate("/reports/q3?x=1");
    assert_eq!(r.status, 302);
    assert_eq!(location(&r), "/api/auth/signin?callbackUrl=%2Freports%2Fq3%3Fx%3D1");

    let api = respond(b.send(Method::Get, "/data.json", &[("accept", "application/json")], ""));
    assert_eq!(api.status, 401);
    assert_eq!(api.get_header("content-type"), Some("application/json"));
    assert!(String::from_utf8_lossy(&api.body).contains(r#""error":"SessionRequired""#));

    // A fetch() from a page says sec-fetch-mode: cors even when it accepts HTML: it is no navigation.
    let xhr = respond(b.send(Method::Get, "/", &[("accept", "text/html"), ("sec-fetch-mode", "cors")], ""));
    assert_eq!(xhr.status, 401);
    let post = respond(b.send(Method::Post, "/", &[("accept", "text/html")], ""));
    assert_eq!(post.status, 401);
}

#[test]
fn full_sign_in_sets_a_session_that_opens_the_gate() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);

    let page = b.navigate("/api/auth/signin?callbackUrl=%2Freports");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body.clone()).unwrap();
    assert!(html.contains(r#"<form action="/api/auth/signin/oidc" method="post">"#));
    assert!(html.contains("Sign in with Example ID"));
    assert!(html.contains(r#"name="callbackUrl" value="/reports""#));
    assert!(page.set_cookies().any(|c| c.starts_with("__Host-edgeauth.csrf-token=") && c.contains("Secure") && c.contains("HttpOnly")));

    let token = b.csrf_token();
    let start = b.post_form("/api/auth/signin/oidc", &format!("csrfToken={token}&callbackUrl=%2Freports"));
    assert_eq!(start.status, 302);
    let auth = url::Url::parse(location(&start)).unwrap();
    assert_eq!(auth.path(), "/authorize");
    let q: std::collections::HashMap<_, _> = auth.query_pairs().into_owned().collect();
    assert_eq!(q["redirect_uri"], "https://site.example/api/auth/callback/oidc");
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(!q.contains_key("code_verifier"), "the verifier never leaves the edge");
    let state_cookie = start.set_cookies().find(|c| c.starts_with("__Host-edgeauth.state=")).unwrap().to_string();
    assert!(state_cookie.contains(&format!("={};", q["state"])));
    assert!(state_cookie.contains("Max-Age=600"));
    assert_eq!(p.kv.borrow().len(), 1, "one in-flight state in KV");

    let back = p.idp.authorize(location(&start), "alice");
    let done = b.navigate(&back);
    assert_eq!(done.status, 302, "{}", String::from_utf8_lossy(&done.body));
    assert_eq!(location(&done), "/reports");
    let session = done.set_cookies().find(|c| c.starts_with("__Host-edgeauth.session-token=")).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure") && session.contains("Max-Age=2592000"));
    assert!(done.set_cookies().any(|c| c.starts_with("__Host-edgeauth.state=;") && c.contains("Max-Age=0")));
    assert!(p.kv.borrow().is_empty(), "the state is consumed");
    // Client authentication was HTTP Basic by default.
    assert!(p.idp.token_requests.borrow()[0].headers.iter().any(|(k, _)| k == "authorization"));

    // The gate now forwards, with no KV read and no outbound fetch.
    let (reads, fetches) = (p.kv_reads.get(), p.http_requests.get());
    let out = b.send(Method::Get, "/reports", &[("accept", "text/html"), ("sec-fetch-mode", "navigate")], "");
    assert_eq!(out, Outcome::Forward);
    assert_eq!(b.send(Method::Post, "/api/data", &[("accept", "application/json")], "{}"), Outcome::Forward);
    assert_eq!((p.kv_reads.get(), p.http_requests.get()), (reads, fetches));

    let s = respond(b.send(Method::Get, "/api/auth/session", &[], ""));
    let v: serde_json::Value = serde_json::from_slice(&s.body).unwrap();
    assert_eq!(v["user"]["name"], "ALICE");
    assert_eq!(v["user"]["email"], "alice@example.test");
    assert_eq!(v["expires"], edge_auth::encoding::iso8601(p.now.get() + 30 * 24 * 3600));

    // Discovery and JWKS were fetched once and cached for the next sign-in.
    let b2 = Browser::new(&gw, &p);
    assert_eq!(b2.sign_in("bob", "/").status, 302);
    assert_eq!((p.idp.discovery_fetches.get(), p.idp.jwks_fetches.get()), (1, 1));
}

#[test]
fn replayed_callback_is_refused() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let (start, _) = b.start_sign_in("/");
    let state_cookie = b.cookies.borrow()["__Host-edgeauth.state"].clone();
    let back = p.idp.authorize(location(&start), "alice");
    assert_eq!(location(&b.navigate(&back)), "/");
    // Replay with the same URL and the same state cookie put back.
    b.cookies.borrow_mut().insert("__Host-edgeauth.state".into(), state_cookie);
    b.cookies.borrow_mut().remove("__Host-edgeauth.session-token");
    let replay = b.navigate(&back);
    assert_eq!(replay.status, 302);
    assert_eq!(location(&replay), "/api/auth/error?error=Verification");
    assert!(!replay.set_cookies().any(|c| c.contains("session-token=") && !c.contains("Max-Age=0")));
    assert_eq!(p.idp.token_requests.borrow().len(), 1, "the code is never sent twice");
}

#[test]
fn callback_from_another_browser_is_refused() {
    let (gw, p) = setup(&[]);
    // The attacker starts a sign-in and sends the victim the callback link (login CSRF).
    let attacker = Browser::new(&gw, &p);
    let token = attacker.csrf_token();
    let start = attacker.post_form("/api/auth/signin/oidc", &format!("csrfToken={token}"));
    let back = p.idp.authorize(location(&start), "mallory");
    let victim = Browser::new(&gw, &p);
    let r = victim.navigate(&back);
    assert_eq!(location(&r), "/api/auth/error?error=Verification");
    assert!(!victim.cookies.borrow().contains_key("__Host-edgeauth.session-token"));
    // The state is still unused: the attacker's own browser could finish, the victim cannot.
    assert_eq!(p.idp.token_requests.borrow().len(), 0);
}

#[test]
fn forged_or_expired_state_is_refused() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let (start, state) = b.start_sign_in("/");
    let back = p.idp.authorize(location(&start), "alice");

    // A forged state with a matching forged cookie fails its MAC before any KV read.
    let reads = p.kv_reads.get();
    b.cookies.borrow_mut().insert("__Host-edgeauth.state".into(), "x".repeat(43) + ".AAAAAAAAAAAAAAAAAAAAAA");
    let r = b.navigate(&format!("/api/auth/callback/oidc?code=c&state={}.AAAAAAAAAAAAAAAAAAAAAA", "x".repeat(43)));
    assert_eq!(location(&r), "/api/auth/error?error=Verification");
    assert_eq!(p.kv_reads.get(), reads);

    // The real state, eleven minutes later: KV has expired it.
    b.cookies.borrow_mut().insert("__Host-edgeauth.state".into(), state);
    p.advance(11 * 60);
    let late = b.navigate(&back);
    assert_eq!(location(&late), "/api/auth/error?error=Verification");
}

#[test]
fn sign_in_post_without_csrf_is_refused() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let r = b.post_form("/api/auth/signin/oidc", "callbackUrl=%2F");
    assert_eq!(location(&r), "/api/auth/error?error=MissingCSRF");
    let _ = b.csrf_token();
    let r = b.post_form("/api/auth/signin/oidc", "csrfToken=not-the-token");
    assert_eq!(location(&r), "/api/auth/error?error=MissingCSRF");
    assert!(p.kv.borrow().is_empty());
    let page = respond(b.send(Method::Get, "/api/auth/error?error=MissingCSRF", &[("accept", "text/html")], ""));
    assert_eq!(page.status, 403);
    assert!(String::from_utf8_lossy(&page.body).contains("MissingCSRF"));
}

#[test]
fn off_site_callback_url_falls_back_to_root() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let r = b.sign_in("alice", "https://evil.example/steal");
    assert_eq!(location(&r), "/");
    let b2 = Browser::new(&gw, &p);
    assert_eq!(location(&b2.sign_in("alice", "//evil.example/x")), "/");
    let b3 = Browser::new(&gw, &p);
    assert_eq!(location(&b3.sign_in("alice", "https://site.example/deep?x=1")), "/deep?x=1");
}

#[test]
fn provider_errors_become_error_codes() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let (_, state) = b.start_sign_in("/");
    let r = b.navigate(&format!("/api/auth/callback/oidc?error=access_denied&state={state}"));
    assert_eq!(location(&r), "/api/auth/error?error=AccessDenied");
    assert!(p.kv.borrow().is_empty(), "a refused sign-in consumes its state");

    // Token endpoint failure.
    p.idp.behaviour.borrow_mut().token_status = 500;
    let b = Browser::new(&gw, &p);
    assert_eq!(location(&b.sign_in("alice", "/")), "/api/auth/error?error=OAuthCallback");
}

#[test]
fn discovery_failure_is_oauth_signin() {
    let (gw, p) = setup(&[]);
    p.idp.behaviour.borrow_mut().discovery_up = false;
    let b = Browser::new(&gw, &p);
    let token = b.csrf_token();
    let r = b.post_form("/api/auth/signin/oidc", &format!("csrfToken={token}"));
    assert_eq!(location(&r), "/api/auth/error?error=OAuthSignin");
    let logs = p.logs.borrow().join("\n");
    assert!(logs.contains(r#""event":"signin.discovery_failed""#), "{logs}");
    assert!(!logs.contains(CLIENT_SECRET) && !logs.contains(SECRET));
}

#[test]
fn kv_failure_fails_closed() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let token = b.csrf_token();
    p.kv_down.set(true);
    let r = b.post_form("/api/auth/signin/oidc", &format!("csrfToken={token}"));
    assert_eq!(location(&r), "/api/auth/error?error=OAuthSignin");
    p.kv_down.set(false);
    let start = b.post_form("/api/auth/signin/oidc", &format!("csrfToken={token}"));
    let back = p.idp.authorize(location(&start), "alice");
    p.kv_down.set(true);
    assert_eq!(location(&b.navigate(&back)), "/api/auth/error?error=OAuthCallback");
}

#[test]
fn bad_id_tokens_are_refused_end_to_end() {
    let cases: Vec<(&str, Box<dyn Fn(&mut serde_json::Map<String, serde_json::Value>)>)> = vec![
        ("wrong iss", Box::new(|c| { c.insert("iss".into(), "https://evil.example".into()); })),
        ("wrong aud", Box::new(|c| { c.insert("aud".into(), "other-client".into()); })),
        ("wrong nonce", Box::new(|c| { c.insert("nonce".into(), "replayed".into()); })),
        ("expired", Box::new(|c| { let e = c["iat"].as_u64().unwrap() - 3600; c.insert("exp".into(), e.into()); })),
    ];
    for (name, edit) in cases {
        let (gw, p) = setup(&[]);
        p.idp.behaviour.borrow_mut().claims = edit;
        let b = Browser::new(&gw, &p);
        let r = b.sign_in("alice", "/");
        assert_eq!(location(&r), "/api/auth/error?error=OAuthCallback", "{name}");
        assert!(!b.cookies.borrow().contains_key("__Host-edgeauth.session-token"), "{name}");
    }
    for alg in ["none", "HS256"] {
        let (gw, p) = setup(&[]);
        p.idp.behaviour.borrow_mut().alg = alg;
        let b = Browser::new(&gw, &p);
        assert_eq!(location(&b.sign_in("alice", "/")), "/api/auth/error?error=OAuthCallback", "{alg}");
    }
}

#[test]
fn es256_tokens_and_key_rotation_are_accepted() {
    let (gw, p) = setup(&[]);
    p.idp.behaviour.borrow_mut().alg = "ES256";
    assert_eq!(location(&Browser::new(&gw, &p).sign_in("alice", "/")), "/");

    // The provider rotates to a new RSA key: the cached JWKS lacks its kid, so it is refetched once.
    p.idp.behaviour.borrow_mut().alg = "RS256";
    assert_eq!(location(&Browser::new(&gw, &p).sign_in("alice", "/")), "/");
    assert_eq!(p.idp.jwks_fetches.get(), 1);
    let k2 = rsa_key(2);
    p.idp.published.borrow_mut().push(rsa_jwk(&k2, "rsa-2"));
    *p.idp.signing.borrow_mut() = (k2, "rsa-2".into());
    assert_eq!(location(&Browser::new(&gw, &p).sign_in("alice", "/")), "/");
    assert_eq!(p.idp.jwks_fetches.get(), 2);
}

#[test]
fn client_secret_post_is_used_when_configured() {
    let (gw, p) = setup(&[("AUTH_OIDC_CLIENT_AUTH_METHOD", "client_secret_post")]);
    p.idp.behaviour.borrow_mut().client_auth = "client_secret_post";
    assert_eq!(location(&Browser::new(&gw, &p).sign_in("alice", "/")), "/");
}

#[test]
fn tampered_and_foreign_session_cookies_are_no_session() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    b.sign_in("alice", "/");
    let good = b.cookies.borrow()["__Host-edgeauth.session-token"].clone();
    let (payload, mac) = good.split_once('.').unwrap();
    let flip = |s: &str, i: usize| {
        let mut v = s.as_bytes().to_vec();
        v[i] = if v[i] == b'a' { b'b' } else { b'a' };
        String::from_utf8(v).unwrap()
    };
    let other_gw = Gateway::new(&env(&[("AUTH_SECRET", "another-secret-another-secret-12345")]));
    let foreign = {
        let ob = Browser::new(&other_gw, &p);
        ob.sign_in("mallory", "/");
        let v = ob.cookies.borrow()["__Host-edgeauth.session-token"].clone();
        v
    };
    for bad in [format!("{}.{mac}", flip(payload, 5)), format!("{payload}.{}", flip(mac, 3)), foreign, "garbage".into()] {
        b.cookies.borrow_mut().insert("__Host-edgeauth.session-token".into(), bad);
        let r = b.navigate("/");
        assert_eq!(r.status, 302);
        assert!(location(&r).starts_with("/api/auth/signin"));
        assert!(r.set_cookies().any(|c| c.contains("session-token=;") && c.contains("Max-Age=0")));
        b.cookies.borrow_mut().insert("__Host-edgeauth.session-token".into(), "garbage".into());
        let s = respond(b.send(Method::Get, "/api/auth/session", &[], ""));
        assert_eq!(s.body, b"null");
    }
}

#[test]
fn session_expires_and_secret_rotation_keeps_users_signed_in() {
    let (gw, p) = setup(&[("AUTH_SESSION_MAX_AGE", "3600")]);
    let b = Browser::new(&gw, &p);
    b.sign_in("alice", "/");
    let cookie = b.cookies.borrow()["__Host-edgeauth.session-token"].clone();

    let rotated = Gateway::new(&env(&[("AUTH_SECRET", "brand-new-secret-brand-new-secret!!"), ("AUTH_SECRET_1", SECRET)]));
    let rb = Browser::new(&rotated, &p);
    rb.cookies.borrow_mut().insert("__Host-edgeauth.session-token".into(), cookie.clone());
    assert_eq!(rb.send(Method::Get, "/", &[("accept", "text/html")], ""), Outcome::Forward);

    p.advance(3601);
    assert_eq!(respond(b.send(Method::Get, "/", &[("accept", "application/json")], "")).status, 401);
}

#[test]
fn sign_out_needs_csrf_and_clears_the_session() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    b.sign_in("alice", "/");
    let page = b.navigate("/api/auth/signout");
    let html = String::from_utf8(page.body.clone()).unwrap();
    assert!(html.contains(r#"<form action="/api/auth/signout" method="post">"#));
    // Without the token nothing changes (a cross-site form cannot sign users out).
    let r = b.post_form("/api/auth/signout", "");
    assert_eq!(location(&r), "/api/auth/error?error=MissingCSRF");
    assert!(b.cookies.borrow().contains_key("__Host-edgeauth.session-token"));
    let token = b.csrf_token();
    let r = b.post_form("/api/auth/signout", &format!("csrfToken={token}&callbackUrl=%2Fbye"));
    assert_eq!(location(&r), "/bye");
    assert!(r.set_cookies().any(|c| c.starts_with("__Host-edgeauth.session-token=;") && c.contains("Max-Age=0")));
    assert!(!b.cookies.borrow().contains_key("__Host-edgeauth.session-token"));
}

#[test]
fn misconfiguration_answers_every_request_with_configuration_error() {
    let (gw, p) = setup(&[("AUTH_SECRET", "too-short")]);
    let b = Browser::new(&gw, &p);
    for target in ["/", "/api/auth/signin", "/api/auth/session", "/private/x"] {
        let page = b.navigate(target);
        assert_eq!(page.status, 500, "{target}");
        assert!(String::from_utf8_lossy(&page.body).contains("Configuration"));
        let api = respond(b.send(Method::Get, target, &[("accept", "application/json")], ""));
        assert_eq!(api.status, 500);
        assert!(String::from_utf8_lossy(&api.body).contains(r#""error":"Configuration""#));
    }
    let logs = p.logs.borrow().join("\n");
    assert!(logs.contains("AUTH_SECRET must be at least 32 bytes"));
    assert!(!logs.contains("too-short"), "the secret value never reaches the log");
}

#[test]
fn providers_and_http_origin_cookies() {
    let (gw, p) = setup(&[("AUTH_URL", "http://127.0.0.1:8787")]);
    let b = Browser::new(&gw, &p);
    let r = respond(b.send(Method::Get, "/api/auth/providers", &[], ""));
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["oidc"]["signinUrl"], "http://127.0.0.1:8787/api/auth/signin/oidc");
    assert_eq!(v["oidc"]["type"], "oidc");
    let page = b.navigate("/api/auth/signin");
    assert!(page.set_cookies().any(|c| c.starts_with("edgeauth.csrf-token=") && !c.contains("Secure")));
}

#[test]
fn hot_path_decision_agrees_with_the_gate() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    b.sign_in("alice", "/");
    let good = b.cookies.borrow()["__Host-edgeauth.session-token"].clone();
    let now = p.now.get();
    let header = format!("a=1; __Host-edgeauth.session-token={good}; b=2");
    let tampered = header.replacen(".", ".x", 1);
    let cases: Vec<(&str, Option<&str>)> = vec![
        ("https://site.example/", Some(&header)),
        ("https://site.example/deep/page?x=1#f", Some(&header)),
        ("https://site.example", Some(&header)),
        ("https://site.example/api/auth/session", Some(&header)),
        ("https://site.example/api/auth", Some(&header)),
        ("https://site.example/api/authx", Some(&header)),
        ("https://site.example/", Some(&tampered)),
        ("https://site.example/", None),
        ("https://site.example/", Some("edgeauth.session-token=x")),
        // On plain http the cookie has no prefix, so the https one is not looked at.
        ("http://site.example/", Some(&header)),
    ];
    for (url, cookie) in cases {
        let fast = gw.forwards(url, cookie, now);
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        if let Some(c) = cookie {
            headers.push(("cookie".into(), c.to_string()));
        }
        let req = edge_auth::request::Request::new(Method::Get, edge_auth::urls::HttpUrl::parse(url).unwrap(), headers, vec![]);
        let full = pollster::block_on(gw.handle(&p, &req)) == Outcome::Forward;
        assert_eq!(fast, full, "{url} {cookie:?}");
    }
    assert!(gw.forwards("https://site.example/x", Some(&header), now));
    assert!(!gw.forwards("https://site.example/x", Some(&header), now + 31 * 24 * 3600), "expired");
    let broken = Gateway::new(&env(&[("AUTH_SECRET", "short")]));
    assert!(!broken.forwards("https://site.example/x", Some(&header), now), "a misconfigured gateway forwards nothing");
}

#[test]
fn a_cross_site_error_link_cannot_cancel_someone_elses_sign_in() {
    let (gw, p) = setup(&[]);
    let b = Browser::new(&gw, &p);
    let (start, state) = b.start_sign_in("/");
    // Another browser (no state cookie) follows a link carrying the victim's state.
    let other = Browser::new(&gw, &p);
    let r = other.navigate(&format!("/api/auth/callback/oidc?error=access_denied&state={state}"));
    assert_eq!(location(&r), "/api/auth/error?error=AccessDenied");
    assert_eq!(p.kv.borrow().len(), 1, "the victim's in-flight sign-in survives");
    let back = p.idp.authorize(location(&start), "alice");
    assert_eq!(location(&b.navigate(&back)), "/");
}
