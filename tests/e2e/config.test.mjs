// End-to-end: a misconfigured worker fails closed. AUTH_SECRET is shorter than 32 bytes; everything
// else is valid. Every request must get 500 "Configuration", never a page from the assets.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BASE, BROWSER_NAV, COOKIE, CookieJar, apiGet, describe as show, navigate, postForm, request, startWorker,
} from './harness.mjs';

let worker;
let W;

before(async () => {
  worker = await startWorker({
    vars: {
      AUTH_SECRET: 'too-short-secret', // 16 bytes
      // The issuer is never contacted: a misconfigured worker must answer before any outbound call.
      AUTH_OIDC_ISSUER: 'http://127.0.0.1:9/',
      AUTH_OIDC_ID: 'edge-auth-e2e',
      AUTH_OIDC_SECRET: 'secret',
    },
  });
  W = worker.url;
}, { timeout: 300_000 });

after(async () => {
  await worker?.stop();
});

function assertHtmlConfiguration(res, what) {
  assert.equal(res.status, 500, `${what}: ${show(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/, `${what}: ${show(res)}`);
  assert.match(res.body, /Configuration/, `${what}: ${show(res)}`);
}

function assertJsonConfiguration(res, what) {
  assert.equal(res.status, 500, `${what}: ${show(res)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${what}: ${show(res)}`);
  assert.equal(res.json().error, 'Configuration', `${what}: ${show(res)}`);
}

describe('AUTH_SECRET shorter than 32 bytes', () => {
  it('a browser navigation gets a 500 HTML page naming "Configuration"', async () => {
    for (const p of ['/', '/index.html', '/private/report.html', `${BASE}/signin`, `${BASE}/signout`, `${BASE}/error?error=AccessDenied`]) {
      assertHtmlConfiguration(await navigate(null, `${W}${p}`), `GET ${p}`);
    }
  });

  it('an API request gets 500 JSON {"error":"Configuration"}', async () => {
    for (const p of ['/', '/style.css', `${BASE}/providers`, `${BASE}/csrf`]) {
      assertJsonConfiguration(await apiGet(null, `${W}${p}`), `API GET ${p}`);
    }
  });

  it('GET /api/auth/session is 500 too, with or without a cookie', async () => {
    assertJsonConfiguration(await apiGet(null, `${W}${BASE}/session`), 'session');
    const jar = new CookieJar();
    jar.set(COOKIE.session, 'eyJhbGciOiJub25lIn0.e30.');
    assertJsonConfiguration(await apiGet(jar, `${W}${BASE}/session`), 'session with a cookie');
  });

  it('POSTs and HEAD fail closed as well', async () => {
    const post = await postForm(null, `${W}${BASE}/signin/oidc`, { csrfToken: 'x', callbackUrl: '/' });
    assert.equal(post.status, 500, show(post));
    assert.ok(!post.location, `no redirect from a misconfigured worker: ${show(post)}`);
    const head = await request(`${W}/`, { method: 'HEAD', headers: BROWSER_NAV });
    assert.equal(head.status, 500, show(head));
  });
});
