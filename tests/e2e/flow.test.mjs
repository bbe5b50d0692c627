// End-to-end: the real worker (wrangler dev) against a real OpenID Provider (oidc-provider), over HTTP.
// One IdP + one worker for the whole file (plus one more pair for the ES256 / client_secret_post run).
//
//   node --test tests/e2e/            (the worker is built by wrangler's [build] command on start)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startIdp } from './idp.mjs';
import {
  BASE, BROWSER_NAV, COOKIE, CookieJar, ROOT,
  apiGet, authorizeAtIdp, describe as show, freePort, getCsrf, isDeletion, locationOf, navigate,
  parseForms, parseLinks, parseSetCookie, postForm, randomSecret, request, signInOverHttp, startSignIn,
  startWorker, stripTags,
} from './harness.mjs';

const START_TIMEOUT = 300_000;
const PROVIDER_NAME = 'Test IdP';
const CLIENT_ID = 'edge-auth-e2e';
const CLIENT_SECRET = randomSecret(24);

let idp;
let worker;
let W; // worker origin, e.g. http://127.0.0.1:41234

before(async () => {
  const port = await freePort();
  W = `http://127.0.0.1:${port}`;
  idp = await startIdp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${W}${BASE}/callback/oidc`] });
  worker = await startWorker({
    port,
    vars: {
      AUTH_SECRET: randomSecret(32),
      AUTH_OIDC_ISSUER: idp.issuer,
      AUTH_OIDC_ID: CLIENT_ID,
      AUTH_OIDC_SECRET: CLIENT_SECRET,
      AUTH_OIDC_NAME: PROVIDER_NAME,
    },
  });
}, { timeout: START_TIMEOUT });

after(async () => {
  await worker?.stop();
  await idp?.close();
});

// ---- helpers -----------------------------------------------------------------------------------

/** Assert a redirect whose Location (resolved against the request) is `expected` (absolute URL). */
function assertRedirectTo(res, expected, status = 302) {
  assert.equal(res.status, status, `expected ${status} to ${expected}; got ${show(res)}`);
  assert.equal(locationOf(res), expected, `Location; got ${show(res)}`);
}

/** Assert a 302 to {base}/error?error=<code>. */
function assertErrorRedirect(res, code) {
  assert.equal(res.status, 302, `expected 302 to ${BASE}/error?error=${code}; got ${show(res)}`);
  const loc = new URL(locationOf(res));
  assert.equal(loc.origin + loc.pathname, `${W}${BASE}/error`, `Location; got ${show(res)}`);
  assert.equal(loc.searchParams.get('error'), code, `error code in Location; got ${show(res)}`);
}

/** The response's Set-Cookie for `name`, parsed, or undefined. */
function setCookie(res, name) {
  return res.setCookies.map(parseSetCookie).find((c) => c.name === name);
}

function assertCookieAttributes(c, what) {
  assert.ok(c, `${what}: no Set-Cookie`);
  assert.ok(c.attributes.httponly, `${what}: HttpOnly missing`);
  assert.equal(String(c.attributes.samesite).toLowerCase(), 'lax', `${what}: SameSite=Lax`);
  assert.equal(c.attributes.path, '/', `${what}: Path=/`);
  assert.ok(!c.attributes.secure, `${what}: no Secure over http://127.0.0.1`);
}

function assertSignedOut(res, what) {
  assert.equal(res.status, 302, `${what}: expected 302 to the sign-in page; got ${show(res)}`);
  assert.equal(new URL(locationOf(res)).pathname, `${BASE}/signin`, `${what}; got ${show(res)}`);
}

/** GET a page with the jar, following same-origin redirects (e.g. the assets' .html handling). */
async function getPage(jar, url, maxRedirects = 3) {
  let res = await navigate(jar, url);
  for (let i = 0; i < maxRedirects && [301, 302, 303, 307, 308].includes(res.status); i += 1) {
    const next = locationOf(res);
    if (new URL(next).origin !== W || new URL(next).pathname.startsWith(BASE)) break;
    res = await navigate(jar, next);
  }
  return res;
}

let cachedSession;
/** One signed-in jar shared by read-only tests. */
async function session() {
  cachedSession ??= signInOverHttp({ workerUrl: W, login: 'alice' });
  const s = await cachedSession;
  assert.equal(s.callback.status, 302, `sign-in failed: ${show(s.callback)}`);
  assert.ok(s.sessionCookie, 'sign-in set no session cookie');
  return s;
}

function jarWith(cookies) {
  const jar = new CookieJar();
  for (const [k, v] of Object.entries(cookies)) jar.set(k, v);
  return jar;
}

// ---- the gate ----------------------------------------------------------------------------------

describe('gate without a session', () => {
  it('a browser navigation to / gets 302 to the sign-in page with callbackUrl=%2F', async () => {
    const res = await navigate(null, `${W}/`);
    assert.equal(res.status, 302, show(res));
    const loc = new URL(locationOf(res));
    assert.equal(loc.origin, W, show(res));
    assert.equal(loc.pathname + loc.search, `${BASE}/signin?callbackUrl=%2F`, show(res));
  });

  it('HEAD, a navigation without sec-fetch-mode, and a deep link with a query are redirected too', async () => {
    const head = await request(`${W}/`, { method: 'HEAD', headers: BROWSER_NAV });
    assert.equal(head.status, 302, show(head));
    assert.equal(new URL(locationOf(head)).pathname, `${BASE}/signin`, show(head));

    const { 'sec-fetch-mode': _m, 'sec-fetch-dest': _d, 'sec-fetch-user': _u, ...noFetchMeta } = BROWSER_NAV;
    const old = await request(`${W}/`, { headers: noFetchMeta });
    assert.equal(old.status, 302, `no sec-fetch-mode: ${show(old)}`);

    const deep = await navigate(null, `${W}/private/report.html?quarter=3&x=a%2Fb`);
    assert.equal(deep.status, 302, show(deep));
    const loc = new URL(locationOf(deep));
    assert.equal(loc.pathname, `${BASE}/signin`, show(deep));
    assert.equal(loc.searchParams.get('callbackUrl'), '/private/report.html?quarter=3&x=a%2Fb', show(deep));
  });

  it('an API request gets 401 JSON {"error":"SessionRequired"}', async () => {
    for (const [what, res] of [
      ['Accept: application/json', await apiGet(null, `${W}/`)],
      ['fetch()-style (Accept text/html, sec-fetch-mode: cors)', await request(`${W}/private/report.html`,
        { headers: { ...BROWSER_NAV, 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' } })],
      ['a stylesheet subresource (sec-fetch-mode: no-cors)', await request(`${W}/style.css`, { headers: { accept: 'text/css,*/*;q=0.1', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'style' } })],
      ['a browser POST', await request(`${W}/`, { method: 'POST', headers: { ...BROWSER_NAV, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })],
    ]) {
      assert.equal(res.status, 401, `${what}: ${show(res)}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${what}: ${show(res)}`);
      assert.equal(res.json().error, 'SessionRequired', `${what}: ${show(res)}`);
    }
  });
});

// ---- auth routes without a session -------------------------------------------------------------

describe('auth routes', () => {
  it('GET /api/auth/providers lists the oidc provider with absolute URLs', async () => {
    const res = await apiGet(null, `${W}${BASE}/providers`);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, show(res));
    assert.deepEqual(res.json(), {
      oidc: {
        id: 'oidc',
        name: PROVIDER_NAME,
        type: 'oidc',
        signinUrl: `${W}${BASE}/signin/oidc`,
        callbackUrl: `${W}${BASE}/callback/oidc`,
      },
    });
  });

  it('GET /api/auth/csrf returns a token and a double-submit cookie (token|mac)', async () => {
    const jar = new CookieJar();
    const res = await apiGet(jar, `${W}${BASE}/csrf`);
    assert.equal(res.status, 200, show(res));
    const { csrfToken } = res.json();
    assert.ok(typeof csrfToken === 'string' && csrfToken.length >= 16, show(res));
    const c = setCookie(res, COOKIE.csrf);
    assertCookieAttributes(c, COOKIE.csrf);
    assert.equal(decodeURIComponent(c.value).split('|')[0], csrfToken, `cookie ${c.value} is not "${csrfToken}|mac"`);
    // With the cookie, the token handed out still matches the cookie the browser holds.
    const again = await apiGet(jar, `${W}${BASE}/csrf`);
    assert.equal(again.status, 200, show(again));
    assert.equal(decodeURIComponent(jar.get(COOKIE.csrf)).split('|')[0], again.json().csrfToken);
  });

  it('GET /api/auth/session without a session is 200 null', async () => {
    const res = await apiGet(null, `${W}${BASE}/session`);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, show(res));
    assert.equal(res.json(), null, show(res));
  });

  it('the sign-in page has one provider form with csrfToken, callbackUrl and the button', async () => {
    const jar = new CookieJar();
    const res = await navigate(jar, `${W}${BASE}/signin?callbackUrl=${encodeURIComponent('/private/report.html')}`);
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/, show(res));
    const forms = parseForms(res.body, res.url).filter((f) => f.action === `${W}${BASE}/signin/oidc`);
    assert.equal(forms.length, 1, `one form posting to ${BASE}/signin/oidc:\n${res.body}`);
    const [form] = forms;
    assert.equal(form.method, 'post');
    const hidden = Object.fromEntries(form.inputs.filter((i) => i.type === 'hidden').map((i) => [i.name, i.value]));
    assert.ok(hidden.csrfToken, `hidden csrfToken:\n${res.body}`);
    assert.equal(hidden.callbackUrl, '/private/report.html', `hidden callbackUrl:\n${res.body}`);
    const button = form.buttons.find((b) => b.type === 'submit');
    assert.ok(button, `submit button:\n${res.body}`);
    assert.equal(button.text, `Sign in with ${PROVIDER_NAME}`);
    const c = setCookie(res, COOKIE.csrf);
    assertCookieAttributes(c, `${COOKIE.csrf} set by the sign-in page`);
    assert.equal(decodeURIComponent(c.value).split('|')[0], hidden.csrfToken, 'form token matches the cookie');
  });

  it('POST /api/auth/signin/oidc redirects to the authorization endpoint with PKCE, state and nonce', async () => {
    const jar = new CookieJar();
    const { response: res, authorizationUrl } = await startSignIn(jar, W, { callbackUrl: '/' });
    const u = new URL(authorizationUrl);
    assert.equal(u.origin + u.pathname, `${idp.issuer}/auth`, show(res));
    const p = u.searchParams;
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('client_id'), CLIENT_ID);
    assert.equal(p.get('redirect_uri'), `${W}${BASE}/callback/oidc`);
    assert.deepEqual(new Set(p.get('scope')?.split(' ')), new Set(['openid', 'email', 'profile']));
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((p.get('state') ?? '').length >= 16, `state: ${p.get('state')}`);
    assert.ok((p.get('nonce') ?? '').length >= 16, `nonce: ${p.get('nonce')}`);
    assertCookieAttributes(setCookie(res, COOKIE.state), COOKIE.state);
  });

  it('GET /api/auth/error pages: status per code, the code shown, no markup reflected', async () => {
    for (const [code, status] of [['Configuration', 500], ['AccessDenied', 403], ['MissingCSRF', 403],
      ['Verification', 400], ['OAuthCallback', 400]]) {
      const res = await navigate(null, `${W}${BASE}/error?error=${code}`);
      assert.equal(res.status, status, `${code}: ${show(res)}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${code}: ${show(res)}`);
      assert.ok(res.body.includes(code), `${code} not shown: ${res.body.slice(0, 400)}`);
    }
    const evil = '<script>alert(1)</script>';
    const res = await navigate(null, `${W}${BASE}/error?error=${encodeURIComponent(evil)}`);
    assert.ok(!res.body.includes(evil), `error code reflected unescaped: ${show(res)}`);
  });
});

// ---- the sign-in flow --------------------------------------------------------------------------

describe('sign-in over HTTP', () => {
  it('ends with 302 to the callbackUrl and a session cookie; / and the session then work', async () => {
    const s = await session();
    assertRedirectTo(s.callback, `${W}/`);
    assertCookieAttributes(setCookie(s.callback, COOKIE.session), COOKIE.session);
    const stateCleared = setCookie(s.callback, COOKIE.state);
    assert.ok(stateCleared && isDeletion(stateCleared), `the callback clears ${COOKIE.state}: ${show(s.callback)}`);

    const jar = jarWith({ [COOKIE.session]: s.sessionCookie });
    const page = await navigate(jar, `${W}/`);
    assert.equal(page.status, 200, show(page));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.body, readFileSync(path.join(ROOT, 'public', 'index.html'), 'utf8'), 'GET / serves public/index.html');

    const api = await apiGet(jar, `${W}/style.css`);
    assert.equal(api.status, 200, `an API-style request with a session is served: ${show(api)}`);

    const sess = await apiGet(jar, `${W}${BASE}/session`);
    assert.equal(sess.status, 200, show(sess));
    const body = sess.json();
    assert.equal(body?.user?.name, 'alice', show(sess));
    assert.equal(body.user.email, 'alice@example.test', show(sess));
    assert.equal(typeof body.user.image, 'string', show(sess));
    assert.match(body.expires, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, `expires is ISO 8601: ${body.expires}`);
    assert.ok(Date.parse(body.expires) > Date.now(), `expires in the future: ${body.expires}`);
  });

  it('a deep link survives the whole flow (gate → sign-in page form → IdP → callback → page)', async () => {
    const jar = new CookieJar();
    const deep = '/private/report.html?quarter=3';
    const gate = await navigate(jar, `${W}${deep}`);
    assertSignedOut(gate, 'gate');
    const signinPage = await navigate(jar, locationOf(gate));
    assert.equal(signinPage.status, 200, show(signinPage));
    const form = parseForms(signinPage.body, signinPage.url).find((f) => f.action === `${W}${BASE}/signin/oidc`);
    assert.ok(form, signinPage.body);
    assert.equal(form.fields.callbackUrl, deep);
    const toIdp = await postForm(jar, form.action, form.fields);
    assert.equal(toIdp.status, 302, show(toIdp));
    const { redirectUrl } = await authorizeAtIdp(jar, locationOf(toIdp), { login: 'bob', stopAt: `${W}${BASE}/callback/oidc` });
    const callback = await navigate(jar, redirectUrl);
    assertRedirectTo(callback, `${W}${deep}`);
    const page = await getPage(jar, `${W}${deep}`);
    assert.equal(page.status, 200, show(page));
    assert.match(page.body, /Quarterly report: confidential/);
    const sess = await apiGet(jar, `${W}${BASE}/session`);
    assert.equal(sess.json()?.user?.name, 'bob', show(sess));
  });

  it('an absolute same-origin callbackUrl is honoured', async () => {
    const s = await signInOverHttp({ workerUrl: W, callbackUrl: `${W}/private/report.html`, login: 'bea' });
    assertRedirectTo(s.callback, `${W}/private/report.html`);
  });

  it('an off-site callbackUrl falls back to "/"', async () => {
    for (const cb of ['https://evil.example/', '//evil.example/x', 'http://127.0.0.1:1/elsewhere', 'javascript:alert(1)']) {
      const s = await signInOverHttp({ workerUrl: W, callbackUrl: cb, login: 'carol' });
      assert.equal(new URL(locationOf(s.signinResponse)).origin, idp.issuer, `sign-in POST goes to the IdP: ${show(s.signinResponse)}`);
      assertRedirectTo(s.callback, `${W}/`);
      assert.ok(s.sessionCookie, `${cb}: the sign-in itself still succeeds`);
    }
  });

  it('replaying the callback (same code, state and state cookie) → Verification', async () => {
    const s = await signInOverHttp({ workerUrl: W, login: 'dave' });
    assert.equal(s.callback.status, 302, show(s.callback));
    assert.ok(s.stateCookie, 'state cookie before the callback');
    const replayJar = jarWith({ [COOKIE.state]: s.stateCookie });
    const replay = await navigate(replayJar, s.callbackRequestUrl);
    assertErrorRedirect(replay, 'Verification');
    const c = setCookie(replay, COOKIE.session);
    assert.ok(!c || isDeletion(c) || !c.value, `no session from a replay: ${show(replay)}`);
  });

  it('a callback whose state does not match this browser\'s state cookie → Verification', async () => {
    const stopAt = `${W}${BASE}/callback/oidc`;
    // The victim's browser (A) starts a sign-in; the attacker (B) completes one and feeds A its code+state.
    const jarA = new CookieJar();
    const a = await startSignIn(jarA, W);
    const { redirectUrl: redirectA } = await authorizeAtIdp(jarA, a.authorizationUrl, { login: 'victim', stopAt });
    const jarB = new CookieJar();
    const b = await startSignIn(jarB, W);
    const { redirectUrl: redirectB } = await authorizeAtIdp(jarB, b.authorizationUrl, { login: 'attacker', stopAt });

    const crossed = await navigate(jarA.clone(), redirectB);
    assertErrorRedirect(crossed, 'Verification');

    // No state cookie at all (a third, otherwise valid flow).
    const jarC = new CookieJar();
    const c = await startSignIn(jarC, W);
    const { redirectUrl: redirectC } = await authorizeAtIdp(jarC, c.authorizationUrl, { login: 'carl', stopAt });
    const noCookie = await navigate(new CookieJar(), redirectC);
    assertErrorRedirect(noCookie, 'Verification');

    // A's own flow is unaffected.
    const legit = await navigate(jarA, redirectA);
    assertRedirectTo(legit, `${W}/`);
    const sess = await apiGet(jarA, `${W}${BASE}/session`);
    assert.equal(sess.json()?.user?.name, 'victim', show(sess));
  });

  it('a callback with an unknown state → Verification', async () => {
    const jar = new CookieJar();
    const { authorizationUrl } = await startSignIn(jar, W);
    const state = new URL(authorizationUrl).searchParams.get('state');
    const res = await navigate(jar, `${W}${BASE}/callback/oidc?code=abc&state=${encodeURIComponent(`${state}x`)}`);
    assertErrorRedirect(res, 'Verification');
  });

  it('the IdP answering error=access_denied (user aborted) → AccessDenied', async () => {
    const jar = new CookieJar();
    const { authorizationUrl } = await startSignIn(jar, W);
    const { redirectUrl } = await authorizeAtIdp(jar, authorizationUrl, { abort: true, stopAt: `${W}${BASE}/callback/oidc` });
    assert.equal(new URL(redirectUrl).searchParams.get('error'), 'access_denied', redirectUrl);
    const res = await navigate(jar, redirectUrl);
    assertErrorRedirect(res, 'AccessDenied');
    const page = await navigate(jar, locationOf(res));
    assert.equal(page.status, 403, show(page));
  });

  it('another provider error, or a code the token endpoint refuses → OAuthCallback', async () => {
    const jar = new CookieJar();
    let { authorizationUrl } = await startSignIn(jar, W);
    let state = new URL(authorizationUrl).searchParams.get('state');
    const err = await navigate(jar, `${W}${BASE}/callback/oidc?error=server_error&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(idp.issuer)}`);
    assertErrorRedirect(err, 'OAuthCallback');

    ({ authorizationUrl } = await startSignIn(jar, W));
    state = new URL(authorizationUrl).searchParams.get('state');
    const bogus = await navigate(jar, `${W}${BASE}/callback/oidc?code=not-a-real-code&state=${encodeURIComponent(state)}&iss=${encodeURIComponent(idp.issuer)}`);
    assertErrorRedirect(bogus, 'OAuthCallback');
    const c = setCookie(bogus, COOKIE.session);
    assert.ok(!c || isDeletion(c) || !c.value, `no session from a failed exchange: ${show(bogus)}`);
  });

  it('an ID token whose nonce does not match the sign-in (or has none) → OAuthCallback', async () => {
    // The IdP is ours: ask it, with the worker's own state and PKCE challenge, for a code whose ID
    // token carries another nonce (or none). The token exchange then succeeds; only the nonce check
    // can stop it.
    for (const nonce of ['not-the-nonce-the-worker-sent', null]) {
      const jar = new CookieJar();
      const { authorizationUrl } = await startSignIn(jar, W);
      const forged = new URL(authorizationUrl);
      if (nonce === null) forged.searchParams.delete('nonce');
      else forged.searchParams.set('nonce', nonce);
      const { redirectUrl } = await authorizeAtIdp(jar, forged.href, { login: 'nonce', stopAt: `${W}${BASE}/callback/oidc` });
      assert.ok(new URL(redirectUrl).searchParams.get('code'), `the IdP issued a code: ${redirectUrl}`);
      const res = await navigate(jar, redirectUrl);
      assertErrorRedirect(res, 'OAuthCallback');
      const c = setCookie(res, COOKIE.session);
      assert.ok(!c || isDeletion(c) || !c.value, `nonce ${nonce}: no session: ${show(res)}`);
    }
  });

  it('POST /api/auth/signin/oidc without a valid CSRF token → MissingCSRF', async () => {
    const withCookie = new CookieJar();
    await getCsrf(withCookie, W);
    const other = new CookieJar();
    const foreignToken = await getCsrf(other, W);
    const cases = [
      ['no token, cookie present', withCookie, { callbackUrl: '/' }],
      ['token, no cookie', new CookieJar(), { csrfToken: foreignToken, callbackUrl: '/' }],
      ['another browser\'s token', withCookie, { csrfToken: foreignToken, callbackUrl: '/' }],
      ['nothing at all', new CookieJar(), { callbackUrl: '/' }],
    ];
    for (const [what, jar, fields] of cases) {
      const res = await postForm(jar, `${W}${BASE}/signin/oidc`, fields);
      assertErrorRedirect(res, 'MissingCSRF');
      assert.ok(!setCookie(res, COOKIE.state), `${what}: no state cookie: ${show(res)}`);
    }
  });
});

// ---- sessions ----------------------------------------------------------------------------------

/** Replace the character at i with a different base64url-alphabet character. */
function flipAt(s, i) {
  const c = s[i];
  const r = c === 'A' ? 'B' : 'A';
  return s.slice(0, i) + r + s.slice(i + 1);
}

describe('session cookie', () => {
  it('a tampered payload or MAC is treated as signed out', async () => {
    const { sessionCookie } = await session();
    const parts = sessionCookie.split('.');
    let payloadTampered;
    let macTampered;
    if (parts.length >= 2) {
      const macStart = sessionCookie.lastIndexOf('.') + 1;
      payloadTampered = flipAt(sessionCookie, Math.floor((macStart - 1) / 2));
      macTampered = flipAt(sessionCookie, macStart + 1);
    } else {
      payloadTampered = flipAt(sessionCookie, Math.floor(sessionCookie.length / 4));
      macTampered = flipAt(sessionCookie, sessionCookie.length - 3);
    }
    // The untampered cookie works (so the checks below mean something).
    const ok = await apiGet(jarWith({ [COOKIE.session]: sessionCookie }), `${W}${BASE}/session`);
    assert.equal(ok.json()?.user?.name, 'alice', show(ok));

    for (const [what, value] of [['payload flipped', payloadTampered], ['MAC flipped', macTampered],
      ['truncated', sessionCookie.slice(0, -4)], ['garbage', 'not-a-session'], ['empty', '']]) {
      const jar = jarWith({ [COOKIE.session]: value });
      assertSignedOut(await navigate(jar.clone(), `${W}/`), `${what}: GET /`);
      const api = await apiGet(jar.clone(), `${W}/`);
      assert.equal(api.status, 401, `${what}: API ${show(api)}`);
      const sess = await apiGet(jar.clone(), `${W}${BASE}/session`);
      assert.equal(sess.status, 200, `${what}: ${show(sess)}`);
      assert.equal(sess.json(), null, `${what}: /session must be null: ${show(sess)}`);
    }
  });

  it('a CSRF cookie (same secret, another purpose) does not pass as a session', async () => {
    const csrfJar = new CookieJar();
    await getCsrf(csrfJar, W);
    const jar = jarWith({ [COOKIE.session]: csrfJar.get(COOKIE.csrf) });
    assertSignedOut(await navigate(jar.clone(), `${W}/`), 'a CSRF cookie as the session');
    const sess = await apiGet(jar, `${W}${BASE}/session`);
    assert.equal(sess.json(), null, show(sess));
  });

  it('sign-out: the page has the form; POST with its csrfToken clears the session', async () => {
    const s = await signInOverHttp({ workerUrl: W, login: 'erin' });
    const jar = s.jar;
    const page = await navigate(jar, `${W}${BASE}/signout`);
    assert.equal(page.status, 200, show(page));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const form = parseForms(page.body, page.url).find((f) => f.action === `${W}${BASE}/signout`);
    assert.ok(form, `a form posting to ${BASE}/signout:\n${page.body}`);
    assert.equal(form.method, 'post');
    assert.ok(form.inputs.some((i) => i.type === 'hidden' && i.name === 'csrfToken' && i.value), page.body);
    assert.ok(form.buttons.some((b) => b.type === 'submit') || form.inputs.some((i) => i.type === 'submit'), page.body);

    const res = await postForm(jar, form.action, form.fields);
    assertRedirectTo(res, `${W}/`);
    const cleared = setCookie(res, COOKIE.session);
    assert.ok(cleared && isDeletion(cleared), `Set-Cookie clears ${COOKIE.session} (Max-Age=0 / expired): ${show(res)}`);
    assert.equal(cleared.attributes.path, '/', 'cleared with Path=/');

    const sess = await apiGet(jar, `${W}${BASE}/session`);
    assert.equal(sess.json(), null, show(sess));
    assertSignedOut(await navigate(jar, `${W}/`), 'after sign-out');
  });

  it('the demo page links to sign-out', async () => {
    const { sessionCookie } = await session();
    const page = await navigate(jarWith({ [COOKIE.session]: sessionCookie }), `${W}/`);
    assert.ok(parseLinks(page.body, page.url).some((l) => l.href === `${W}${BASE}/signout`), stripTags(page.body));
  });
});

// ---- a second configuration: ES256 ID tokens, client_secret_post --------------------------------

describe('ES256 ID tokens + client_secret_post (second IdP and worker)', () => {
  let idp2;
  let worker2;
  let W2;
  before(async () => {
    const port = await freePort();
    W2 = `http://127.0.0.1:${port}`;
    idp2 = await startIdp({
      clientId: 'edge-auth-e2e-es256',
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${W2}${BASE}/callback/oidc`],
      idTokenAlg: 'ES256',
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    worker2 = await startWorker({
      port,
      vars: {
        AUTH_SECRET: randomSecret(32),
        AUTH_OIDC_ISSUER: idp2.issuer,
        AUTH_OIDC_ID: 'edge-auth-e2e-es256',
        AUTH_OIDC_SECRET: CLIENT_SECRET,
        AUTH_OIDC_CLIENT_AUTH_METHOD: 'client_secret_post',
      },
    });
  }, { timeout: START_TIMEOUT });
  after(async () => {
    await worker2?.stop();
    await idp2?.close();
  });

  it('signs in with an ES256 ID token (JWKS holds RSA and EC keys) and the default button label', async () => {
    const signin = await navigate(new CookieJar(), `${W2}${BASE}/signin`);
    const form = parseForms(signin.body, signin.url).find((f) => f.action === `${W2}${BASE}/signin/oidc`);
    assert.equal(form?.buttons.find((b) => b.type === 'submit')?.text, 'Sign in with OpenID Connect', signin.body);

    const s = await signInOverHttp({ workerUrl: W2, login: 'frank' });
    assert.equal(s.callback.status, 302, show(s.callback));
    assert.equal(locationOf(s.callback), `${W2}/`, show(s.callback));
    const sess = await apiGet(s.jar, `${W2}${BASE}/session`);
    assert.equal(sess.json()?.user?.email, 'frank@example.test', show(sess));
  });

  it('a session cookie from a worker with another AUTH_SECRET is not accepted', async () => {
    const s = await signInOverHttp({ workerUrl: W2, login: 'frank' });
    assert.ok(s.sessionCookie, show(s.callback));
    const jar = jarWith({ [COOKIE.session]: s.sessionCookie });
    assertSignedOut(await navigate(jar.clone(), `${W}/`), 'foreign session on worker 1');
    const sess = await apiGet(jar, `${W}${BASE}/session`);
    assert.equal(sess.json(), null, show(sess));
  });
});

