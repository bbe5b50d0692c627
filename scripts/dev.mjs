#!/usr/bin/env node
// `make dev`: a local OpenID Provider on 127.0.0.1:9000 plus `wrangler dev` on 127.0.0.1:8787,
// wired together. Ctrl-C stops both.
//
// Environment (all optional): EDGE_AUTH_DEV_PORT (8787), EDGE_AUTH_IDP_PORT (9000),
// EDGE_AUTH_INSPECTOR_PORT (9229). Values in .dev.vars win over the ones generated here
// (e.g. a fixed AUTH_SECRET keeps sessions valid across restarts).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIdp } from '../tests/e2e/idp.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const PORT = Number(process.env.EDGE_AUTH_DEV_PORT ?? 8787);
const IDP_PORT = Number(process.env.EDGE_AUTH_IDP_PORT ?? 9000);
const INSPECTOR_PORT = Number(process.env.EDGE_AUTH_INSPECTOR_PORT ?? 9229);
const CLIENT_ID = 'edge-auth-dev';
const CLIENT_SECRET = 'edge-auth-dev-secret-not-for-production';
const ORIGIN = `http://${HOST}:${PORT}`;
const REDIRECT_URI = `${ORIGIN}/api/auth/callback/oidc`;

/** Keys set in .dev.vars (dotenv syntax), which wrangler dev loads by itself. */
function devVarsKeys() {
  const file = path.join(ROOT, '.dev.vars');
  if (!existsSync(file)) return new Set();
  const keys = new Set();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = line.match(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/);
    if (m) keys.add(m[1]);
  }
  return keys;
}

const wranglerBin = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
if (!existsSync(wranglerBin)) {
  console.error('node_modules/.bin/wrangler is missing: run `npm ci` (or `make setup`) first.');
  process.exit(1);
}

let idp;
try {
  idp = await startIdp({ port: IDP_PORT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
} catch (err) {
  console.error(`Could not start the local OpenID Provider on ${HOST}:${IDP_PORT}: ${err.message}`);
  process.exit(1);
}

const fromDevVars = devVarsKeys();
const vars = {
  AUTH_SECRET: randomBytes(32).toString('base64url'),
  AUTH_OIDC_ISSUER: idp.issuer,
  AUTH_OIDC_ID: CLIENT_ID,
  AUTH_OIDC_SECRET: CLIENT_SECRET,
  AUTH_OIDC_NAME: 'Local OIDC',
};
const args = ['dev', '--ip', HOST, '--port', String(PORT), '--inspector-port', String(INSPECTOR_PORT)];
for (const [k, v] of Object.entries(vars)) {
  if (!fromDevVars.has(k)) args.push('--var', `${k}:${v}`);
}

const wrangler = spawn(wranglerBin, args, {
  cwd: ROOT,
  // Its own process group: Ctrl-C reaches this script, which stops wrangler (and its workerd) by PID.
  detached: true,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_HIDE_BANNER: 'true',
  },
});

console.log([
  '',
  `  edge-auth dev: browse to ${ORIGIN}/ (it sends you to the sign-in page)`,
  `  Local OIDC provider: ${idp.issuer} — any login name and any password work;`,
  '  the name you type becomes your user (email <name>@example.test).',
  fromDevVars.size ? `  .dev.vars provides: ${[...fromDevVars].join(', ')}` : '  AUTH_SECRET: generated for this run (sessions end when you restart)',
  '  Ctrl-C stops both.',
  '',
].join('\n'));

let stopping = false;
function killGroup(signal) {
  try { process.kill(-wrangler.pid, signal); } catch { /* gone */ }
}
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null && wrangler.signalCode === null) {
    const exited = new Promise((r) => wrangler.once('exit', r));
    try { process.kill(wrangler.pid, 'SIGTERM'); } catch { /* gone */ }
    const timedOut = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(r, 5000, true))]);
    if (timedOut) killGroup('SIGKILL');
  }
  killGroup('SIGTERM'); // anything wrangler left in its group (workerd)
  await idp.close();
  process.exit(code);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('exit', () => killGroup('SIGKILL'));
wrangler.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`wrangler dev exited (${signal ?? code}); stopping the IdP.`);
  stop(code ?? 1);
});
