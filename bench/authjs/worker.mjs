// The peer in the benchmark: Auth.js (npm `@auth/core`, JWT sessions) doing edge-auth's job in a
// small Worker on the same runtime, with the same IdP and the same protected page.
//
// - `{basePath}/*` (basePath = "/api/auth", as edge-auth's) is handed to `Auth(request, config)`:
//   sign-in, callback, session, csrf, ... exactly as Auth.js serves them.
// - Everything else is the protected site, behind `auth()`. @auth/core has no `auth()` of its own;
//   the framework packages (next-auth v5, @auth/sveltekit, @auth/express) build it the same way:
//   call `Auth()` on a `{basePath}/session` request carrying the visitor's cookies, read the JSON,
//   and pass the refreshed session cookie (Auth.js re-issues it on every session read) on to the
//   response. Signed in: the page from ASSETS (the same small page the other workers serve). Not
//   signed in: browser navigations are sent to `{basePath}/signin?callbackUrl=...`, anything
//   else gets 401 JSON, as edge-auth does.
//
// Bindings: AUTH_SECRET, AUTH_OIDC_ISSUER, AUTH_OIDC_ID, AUTH_OIDC_SECRET (text), ASSETS (service).
// bench/run.mjs bundles this file with esbuild (browser platform, ESM, minified).

import { Auth } from '@auth/core';

const BASE_PATH = '/api/auth';

let config; // built once per isolate, as a module-level config would be

function authConfig(env) {
  config ??= {
    basePath: BASE_PATH,
    secret: env.AUTH_SECRET,
    trustHost: true,
    session: { strategy: 'jwt' },
    providers: [
      {
        id: 'oidc',
        name: 'Local OIDC',
        type: 'oidc',
        issuer: env.AUTH_OIDC_ISSUER,
        clientId: env.AUTH_OIDC_ID,
        clientSecret: env.AUTH_OIDC_SECRET,
        checks: ['pkce', 'state', 'nonce'],
      },
    ],
  };
  return config;
}

/** What a framework's `auth()` does: the session for this request (or null), and the cookies to pass on. */
async function auth(request, env) {
  const url = new URL(`${BASE_PATH}/session`, request.url);
  const headers = new Headers();
  const cookie = request.headers.get('cookie');
  if (cookie) headers.set('cookie', cookie);
  const response = await Auth(new Request(url, { headers }), authConfig(env));
  const data = await response.json();
  const session = response.status === 200 && data && data.user ? data : null;
  return { session, setCookies: response.headers.getSetCookie() };
}

function isNavigation(request) {
  const mode = request.headers.get('sec-fetch-mode');
  if (mode !== null && mode !== 'navigate') return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return (request.headers.get('accept') ?? '').includes('text/html');
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === BASE_PATH || url.pathname.startsWith(`${BASE_PATH}/`)) {
      return Auth(request, authConfig(env));
    }

    const { session, setCookies } = await auth(request, env);
    let response;
    if (session) {
      const page = await env.ASSETS.fetch(request);
      response = new Response(page.body, page); // mutable headers, as next-auth's handleAuth does
    } else if (isNavigation(request)) {
      const callbackUrl = url.pathname + url.search;
      response = new Response(null, {
        status: 302,
        headers: { location: `${BASE_PATH}/signin?callbackUrl=${encodeURIComponent(callbackUrl)}` },
      });
    } else {
      response = Response.json(
        { error: 'SessionRequired', message: 'Sign in to continue.', signIn: `${BASE_PATH}/signin` },
        { status: 401 },
      );
    }
    for (const c of setCookies) response.headers.append('set-cookie', c);
    return response;
  },
};
