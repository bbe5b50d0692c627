// Helpers for the end-to-end tests: free ports, a wrangler dev worker per configuration, a raw HTTP
// client that can look like a browser, a small cookie jar, an HTML form reader, and the whole
// sign-in flow over HTTP against the real IdP (tests/e2e/idp.mjs).
//
// Why not fetch(): Node's fetch always sends `sec-fetch-mode: cors` (it overrides a caller's value),
// and the gateway tells browser navigations from API calls by that header. The client below sends
// exactly the headers it is given.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE = '/api/auth';
const VERBOSE = !!process.env.E2E_VERBOSE;

// ---- ports & temp dirs -------------------------------------------------------------------------

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** A fresh temporary directory (under the OS temp dir, never in the repo). */
export function tempDir(prefix = 'edge-auth-e2e-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function randomSecret(bytes = 32) {
  // base64url of `bytes` random bytes: comfortably >= 32 characters/bytes for bytes >= 24.
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

// ---- child processes (wrangler dev), always stopped by PID ------------------------------------

const children = new Set();

function killGroup(pid, signal) {
  // The child was spawned detached, so it leads its own process group: -pid reaches wrangler and
  // the workerd it started, and nothing else.
  try { process.kill(-pid, signal); } catch { /* gone */ }
  try { process.kill(pid, signal); } catch { /* gone */ }
}

process.on('exit', () => {
  for (const child of children) killGroup(child.pid, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const child of children) killGroup(child.pid, 'SIGTERM');
    process.exit(130);
  });
}

async function stopChild(child, graceMs = 5000) {
  if (!children.has(child)) return;
  children.delete(child);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
    let timer;
    const timeout = new Promise((r) => { timer = setTimeout(r, graceMs, 'timeout'); });
    const outcome = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') killGroup(child.pid, 'SIGKILL');
  }
  // Whatever wrangler left behind in its group (workerd) goes too.
  killGroup(child.pid, 'SIGTERM');
}

/** Chromium flags for a loopback-only machine (see TOOLCHAIN.md). */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]);

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
};

/**
 * Start `wrangler dev` on 127.0.0.1 with the given vars; resolve once it answers HTTP.
 * @param {object} o
 * @param {Record<string,string>} o.vars passed as `--var KEY:VALUE`
 * @param {string} [o.persistDir] defaults to a fresh temp dir (removed on stop)
 * @param {number} [o.port] defaults to a free port
 * @param {number} [o.readyTimeoutMs=240000] wrangler runs `make -s build` first; a cold build is slow
 * @param {string} [o.cwd=ROOT] the directory holding wrangler.toml
 * @returns {Promise<{url: string, port: number, pid: number, logs: () => string, stop: () => Promise<void>}>}
 */
export async function startWorker({ vars = {}, persistDir, port, readyTimeoutMs = 240_000, cwd = ROOT } = {}) {
  port ??= await freePort();
  const inspectorPort = await freePort();
  const ownPersist = !persistDir;
  persistDir ??= tempDir('edge-auth-e2e-kv-');
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--persist-to', persistDir, '--show-interactive-dev-session=false'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);

  const logDir = tempDir('edge-auth-e2e-wrangler-logs-');
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'wrangler'), args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...WRANGLER_ENV, WRANGLER_LOG_PATH: logDir, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    // eslint-disable-next-line no-control-regex
    output += chunk.replace(/\x1b\[[0-9;]*m/g, '');
    if (output.length > 200_000) output = output.slice(-100_000);
    if (VERBOSE) process.stderr.write(`[wrangler:${port}] ${chunk}`);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    if (ownPersist) rmSync(persistDir, { recursive: true, force: true });
    rmSync(logDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`wrangler dev exited before answering (code ${child.exitCode}, signal ${child.signalCode}):\n${output.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer on ${url} within ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
    }
    try {
      await request(`${url}${BASE}/providers`, { timeoutMs: 2000 });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { url, port, pid: child.pid, logs: () => output, stop };
}

// ---- a raw HTTP client -------------------------------------------------------------------------

export const BROWSER_NAV = Object.freeze({
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) edge-auth-e2e',
});

export const API_JSON = Object.freeze({
  accept: 'application/json',
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'user-agent': 'edge-auth-e2e',
});

/**
 * One HTTP request, no redirect following, exactly the given headers.
 * @returns {Promise<{status: number, headers: Headers, body: string, url: string, location: string|null,
 *   setCookies: string[], json: () => any}>}
 */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const h = { ...headers };
    if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) {
      h['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: false, timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const hdrs = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) hdrs.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode,
          headers: hdrs,
          body: text,
          url,
          location: hdrs.get('location'),
          setCookies: hdrs.getSetCookie(),
          json: () => JSON.parse(text),
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Resolve a response's Location against the URL that was requested. */
export function locationOf(res) {
  return res.location ? new URL(res.location, res.url).href : null;
}

export function formBody(fields) {
  return new URLSearchParams(fields).toString();
}

/** A short description of a response for assertion messages. */
export function describe(res) {
  const hdrs = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n  ');
  return `${res.status} for ${res.url}\n  ${hdrs}\n  body: ${res.body.slice(0, 600)}`;
}

// ---- cookies -----------------------------------------------------------------------------------

/** Parse one Set-Cookie header. */
export function parseSetCookie(header) {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const c = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes: {} };
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? true : a.slice(i + 1).trim();
    if (k) c.attributes[k] = v;
  }
  return c;
}

/** True if a Set-Cookie deletes the cookie (Max-Age <= 0 or Expires in the past). */
export function isDeletion(cookie) {
  const a = cookie.attributes;
  if (a['max-age'] !== undefined && Number(a['max-age']) <= 0) return true;
  if (a.expires !== undefined && Date.parse(a.expires) <= Date.now()) return true;
  return false;
}

/**
 * A minimal browser-like cookie jar: cookies are keyed by host (not port, as browsers do), path and
 * name; Path and Max-Age/Expires are honoured; Domain is treated as host-only.
 */
export class CookieJar {
  constructor() { this.cookies = new Map(); }

  static key(host, p, name) { return `${host}\u0000${p}\u0000${name}`; }

  /** Store the Set-Cookie headers of a response to `url`. */
  store(res) {
    const u = new URL(res.url);
    for (const header of res.setCookies) {
      const c = parseSetCookie(header);
      let p = typeof c.attributes.path === 'string' && c.attributes.path.startsWith('/') ? c.attributes.path : null;
      if (!p) p = u.pathname.replace(/\/[^/]*$/, '') || '/';
      const key = CookieJar.key(u.hostname, p, c.name);
      let expiresAt = null;
      if (c.attributes['max-age'] !== undefined) expiresAt = Date.now() + Number(c.attributes['max-age']) * 1000;
      else if (c.attributes.expires !== undefined) expiresAt = Date.parse(c.attributes.expires);
      if (expiresAt !== null && expiresAt <= Date.now()) this.cookies.delete(key);
      else this.cookies.set(key, { host: u.hostname, path: p, name: c.name, value: c.value, expiresAt });
    }
    return res;
  }

  /** The Cookie header value for a request to `url` ('' if none). */
  header(url) {
    const u = new URL(url);
    const now = Date.now();
    const out = [];
    for (const [key, c] of this.cookies) {
      if (c.expiresAt !== null && c.expiresAt <= now) { this.cookies.delete(key); continue; }
      if (c.host !== u.hostname) continue;
      if (!(u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))) continue;
      out.push(c);
    }
    out.sort((a, b) => b.path.length - a.path.length);
    return out.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  get(name, host = '127.0.0.1') {
    for (const c of this.cookies.values()) if (c.name === name && c.host === host) return c.value;
    return undefined;
  }

  set(name, value, { host = '127.0.0.1', path: p = '/' } = {}) {
    this.cookies.set(CookieJar.key(host, p, name), { host, path: p, name, value, expiresAt: null });
  }

  delete(name, host = '127.0.0.1') {
    for (const [k, c] of this.cookies) if (c.name === name && c.host === host) this.cookies.delete(k);
  }

  clone() {
    const j = new CookieJar();
    for (const [k, c] of this.cookies) j.cookies.set(k, { ...c });
    return j;
  }
}

/** A request that sends the jar's cookies and stores the response's. */
export async function jarRequest(jar, url, opts = {}) {
  const headers = { ...(opts.headers ?? {}) };
  const cookie = jar?.header(url);
  if (cookie) headers.cookie = cookie;
  const res = await request(url, { ...opts, headers });
  jar?.store(res);
  return res;
}

/** A browser navigation (GET) with the jar. */
export function navigate(jar, url, extraHeaders = {}) {
  return jarRequest(jar, url, { headers: { ...BROWSER_NAV, 'sec-fetch-site': 'none', ...extraHeaders } });
}

/** A browser form POST (application/x-www-form-urlencoded) with the jar. */
export function postForm(jar, url, fields, extraHeaders = {}) {
  const u = new URL(url);
  return jarRequest(jar, url, {
    method: 'POST',
    headers: {
      ...BROWSER_NAV,
      'sec-fetch-site': 'same-origin',
      origin: u.origin,
      'content-type': 'application/x-www-form-urlencoded',
      ...extraHeaders,
    },
    body: formBody(fields),
  });
}

/** An API-style request (Accept: application/json, sec-fetch-mode: cors) with the jar. */
export function apiGet(jar, url, extraHeaders = {}) {
  return jarRequest(jar, url, { headers: { ...API_JSON, ...extraHeaders } });
}

// ---- HTML forms --------------------------------------------------------------------------------

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function parseAttributes(tag) {
  const attrs = {};
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const inner = tag.replace(/^<\s*[a-z0-9]+/i, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner))) {
    const name = m[1].toLowerCase();
    if (name in attrs) continue;
    attrs[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

export function stripTags(html) {
  return decodeEntities(html.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/**
 * Every <form> in a page: {action (resolved against baseUrl), rawAction, method, fields (name → value of
 * its input/button elements that carry a name), inputs [{type, name, value}], buttons [{type, name, value, text}]}.
 */
export function parseForms(html, baseUrl) {
  const forms = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi;
  let m;
  while ((m = formRe.exec(html))) {
    const openTag = m[0].match(/^<form\b[^>]*>/i)[0];
    const attrs = parseAttributes(openTag);
    const inner = m[1];
    const inputs = [];
    for (const t of inner.match(/<input\b[^>]*>/gi) ?? []) {
      const a = parseAttributes(t);
      inputs.push({ type: (a.type ?? 'text').toLowerCase(), name: a.name, value: a.value ?? '', attrs: a });
    }
    const buttons = [];
    const btnRe = /<button\b[^>]*>([\s\S]*?)<\/button\s*>/gi;
    let b;
    while ((b = btnRe.exec(inner))) {
      const a = parseAttributes(b[0].match(/^<button\b[^>]*>/i)[0]);
      buttons.push({ type: (a.type ?? 'submit').toLowerCase(), name: a.name, value: a.value ?? '', text: stripTags(b[1]), attrs: a });
    }
    const fields = {};
    for (const i of inputs) {
      if (!i.name || ['submit', 'button', 'image', 'reset'].includes(i.type)) continue;
      if ((i.type === 'checkbox' || i.type === 'radio') && !('checked' in i.attrs)) continue;
      fields[i.name] = i.value;
    }
    const rawAction = attrs.action ?? '';
    forms.push({
      rawAction,
      action: new URL(rawAction || baseUrl, baseUrl).href,
      method: (attrs.method ?? 'get').toLowerCase(),
      attrs,
      inputs,
      buttons,
      fields,
    });
  }
  return forms;
}

/** Links: [{href (resolved), rawHref, text}] */
export function parseLinks(html, baseUrl) {
  const out = [];
  const re = /<a\b[^>]*>([\s\S]*?)<\/a\s*>/gi;
  let m;
  while ((m = re.exec(html))) {
    const a = parseAttributes(m[0].match(/^<a\b[^>]*>/i)[0]);
    if (a.href === undefined) continue;
    out.push({ rawHref: a.href, href: new URL(a.href, baseUrl).href, text: stripTags(m[1]) });
  }
  return out;
}

// ---- the sign-in flow over HTTP ----------------------------------------------------------------

export const COOKIE = Object.freeze({
  session: 'edgeauth.session-token',
  csrf: 'edgeauth.csrf-token',
  state: 'edgeauth.state',
});

/** GET {base}/csrf with the jar; returns the token (the jar keeps the CSRF cookie). */
export async function getCsrf(jar, workerUrl) {
  const res = await apiGet(jar, `${workerUrl}${BASE}/csrf`);
  if (res.status !== 200) throw new Error(`GET ${BASE}/csrf: expected 200, got ${describe(res)}`);
  const token = res.json().csrfToken;
  if (typeof token !== 'string' || !token) throw new Error(`GET ${BASE}/csrf: no csrfToken in ${res.body}`);
  return token;
}

/**
 * Start a sign-in: CSRF, then POST {base}/signin/oidc. Returns the worker's 302 response and the
 * authorization URL it points at (the jar now holds the state cookie).
 */
export async function startSignIn(jar, workerUrl, { callbackUrl = '/' } = {}) {
  const csrfToken = await getCsrf(jar, workerUrl);
  const res = await postForm(jar, `${workerUrl}${BASE}/signin/oidc`, { csrfToken, callbackUrl });
  if (res.status !== 302 || !res.location) {
    throw new Error(`POST ${BASE}/signin/oidc: expected 302 to the IdP, got ${describe(res)}`);
  }
  return { response: res, authorizationUrl: locationOf(res), csrfToken };
}

/**
 * Drive the IdP from its authorization URL to the redirect back to the relying party: follow its
 * redirects, fill the dev login form (login/password), submit the consent form. Stops at (does not
 * request) the first redirect whose target starts with `stopAt`. With `abort: true`, follows the
 * login page's abort link instead of logging in (the IdP answers error=access_denied).
 * @returns {Promise<{redirectUrl: string, pages: string[]}>}
 */
export async function authorizeAtIdp(jar, authorizationUrl, { login = 'alice', password = 'any-password', stopAt, abort = false, maxSteps = 20 } = {}) {
  if (!stopAt) throw new Error('authorizeAtIdp needs stopAt (the redirect_uri prefix)');
  const pages = [];
  let res = await navigate(jar, authorizationUrl, { 'sec-fetch-site': 'same-site' });
  for (let step = 0; step < maxSteps; step += 1) {
    if (res.status >= 300 && res.status < 400) {
      const next = locationOf(res);
      if (!next) throw new Error(`IdP redirect without Location: ${describe(res)}`);
      if (next.startsWith(stopAt)) return { redirectUrl: next, pages };
      res = await navigate(jar, next, { 'sec-fetch-site': 'same-origin' });
      continue;
    }
    if (res.status !== 200) throw new Error(`IdP answered ${describe(res)}`);
    pages.push(res.url);
    if (abort) {
      const link = parseLinks(res.body, res.url).find((l) => /\/abort$/.test(new URL(l.href).pathname));
      if (!link) throw new Error(`IdP page has no abort link: ${res.body.slice(0, 800)}`);
      res = await navigate(jar, link.href, { 'sec-fetch-site': 'same-origin' });
      continue;
    }
    const form = parseForms(res.body, res.url).find((f) => f.method === 'post');
    if (!form) throw new Error(`IdP page without a POST form: ${res.url}\n${res.body.slice(0, 800)}`);
    const fields = { ...form.fields };
    if (form.inputs.some((i) => i.name === 'login')) fields.login = login;
    if (form.inputs.some((i) => i.name === 'password')) fields.password = password;
    const submit = form.buttons.find((b) => b.type === 'submit' && b.name);
    if (submit) fields[submit.name] = submit.value;
    res = await postForm(jar, form.action, fields);
  }
  throw new Error(`IdP flow did not reach ${stopAt} within ${maxSteps} steps`);
}

/**
 * The whole sign-in over HTTP. Returns the callback request URL, the worker's callback response, the
 * session cookie value, and the jar (which also keeps the IdP's cookies, like a browser would).
 */
export async function signInOverHttp({ workerUrl, jar = new CookieJar(), callbackUrl = '/', login = 'alice', password } = {}) {
  const { authorizationUrl, response: signinResponse } = await startSignIn(jar, workerUrl, { callbackUrl });
  const stopAt = `${workerUrl}${BASE}/callback/oidc`;
  const { redirectUrl } = await authorizeAtIdp(jar, authorizationUrl, { login, password, stopAt });
  const stateCookie = jar.get(COOKIE.state);
  const callback = await navigate(jar, redirectUrl, { 'sec-fetch-site': 'same-site' });
  const sessionCookie = jar.get(COOKIE.session);
  return { jar, authorizationUrl, signinResponse, callbackRequestUrl: redirectUrl, stateCookie, callback, sessionCookie };
}
