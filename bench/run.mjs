#!/usr/bin/env node
// `make bench` / `make bench-smoke`: edge-auth against a pass-through worker and Auth.js, side by
// side, in one run, on the bare `workerd` binary that wrangler ships.
//
//   node bench/run.mjs                 full run: writes bench/RESULTS.md (about 3.5 minutes)
//   BENCH_SMOKE=1 node bench/run.mjs   ~1 s of load per cell, one round; writes a temp file, never
//                                      bench/RESULTS.md; exits non-zero if any worker answers wrong
//
// It expects `make build` to have run (build/index.js + build/index_bg.wasm). It builds only what it
// owns, into a temp dir: the edge-auth upload bundle (`wrangler deploy --dry-run --outdir`), the
// Auth.js worker (esbuild of bench/authjs/worker.mjs), and the capnp configs. Then:
//
//   1. a local OpenID Provider (tests/e2e/idp.mjs) on loopback;
//   2. three workerd processes, one per worker (so /proc CPU time is per worker), each with the same
//      ASSETS service (bench/workers/assets.mjs: one small page); edge-auth also gets AUTH_KV, an
//      in-memory KV service speaking workerd's KV binding protocol (bench/workers/kv.mjs);
//      cold start = spawn -> first answered request, measured on throwaway processes and on the
//      kept one;
//   3. a real sign-in through edge-auth and through Auth.js (tests/e2e/harness.mjs) for the session
//      cookies, then correctness checks of every (worker, scenario) cell;
//   4. wrk on loopback, bounded in time, per scenario, interleaving the three workers over a few
//      rounds (median), with utime+stime of the workerd process from /proc/<pid>/stat around each
//      load for CPU time per request;
//   5. whole sign-ins (POST /signin/oidc -> IdP -> callback with the session cookie), alternating
//      edge-auth and Auth.js, p50/p99;
//   6. the markdown table on stdout and, with the machine and date, in bench/RESULTS.md.
//
// Knobs (environment): BENCH_DURATION (s per cell, 4; smoke 1), BENCH_ROUNDS (5; smoke 1),
// BENCH_CONNECTIONS (32), BENCH_SIGNINS (20; smoke 2), BENCH_COLD_STARTS (5; smoke 1),
// BENCH_OUT (results file; default bench/RESULTS.md, smoke: a temp file), BENCH_VERBOSE=1
// (workerd's output on stderr).
//
// Every process it starts (workerd, wrk, wrangler) is stopped by PID, also on errors and signals.
// Benchmarks are measurements, not tests: nothing here asserts a timing.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import * as harness from '../tests/e2e/harness.mjs';
import { startIdp } from '../tests/e2e/idp.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
const require = createRequire(import.meta.url);

const SMOKE = process.env.BENCH_SMOKE === '1' || process.env.BENCH_SMOKE === 'true';
const VERBOSE = process.env.BENCH_VERBOSE === '1';
const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`);
  return n;
};
const S = {
  duration: num('BENCH_DURATION', SMOKE ? 1 : 4),
  rounds: num('BENCH_ROUNDS', SMOKE ? 1 : 5),
  connections: num('BENCH_CONNECTIONS', 32),
  signIns: num('BENCH_SIGNINS', SMOKE ? 2 : 20),
  coldStarts: num('BENCH_COLD_STARTS', SMOKE ? 1 : 5),
  warmup: SMOKE ? 0 : 1, // seconds of unrecorded load per cell before the first round
};
const OUT = process.env.BENCH_OUT
  ?? (SMOKE ? path.join(os.tmpdir(), 'edge-auth-bench-smoke.md') : path.join(BENCH, 'RESULTS.md'));

const BASE = '/api/auth';
const PAGE_PATH = '/report.html';
const LOGIN = 'alice';
const EMAIL = `${LOGIN}@example.test`;
const CLIENT_ID = 'edge-auth-bench';
const CLIENT_SECRET = 'edge-auth-bench-client-secret';
const EDGE_COOKIE = 'edgeauth.session-token';
const AUTHJS_COOKIE = 'authjs.session-token';
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

const log = (...a) => console.error('[bench]', ...a);

for (const name of ['request', 'CookieJar', 'getCsrf', 'postForm', 'authorizeAtIdp', 'navigate', 'signInOverHttp', 'freePort', 'BROWSER_NAV', 'API_JSON']) {
  if (harness[name] === undefined) {
    throw new Error(`tests/e2e/harness.mjs no longer exports ${name}; bench/run.mjs needs adapting`);
  }
}

// ---- processes, always stopped by PID ----------------------------------------------------------

const children = new Set();
const workerds = new Map(); // label -> { logs() } of the workerd processes started, for error reports
let tmpRoot = null;

function cleanupSync() {
  for (const child of children) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  children.clear();
  if (tmpRoot && !process.env.BENCH_KEEP_TMP) rmSync(tmpRoot, { recursive: true, force: true });
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    cleanupSync();
    process.exit(130);
  });
}

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) { children.delete(child); return; }
  const exited = once(child, 'exit');
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
  const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(t);
  children.delete(child);
}

/** Run a command to completion; resolve {code, stdout, stderr}. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- bundles -------------------------------------------------------------------------------------

function sizes(file) {
  const buf = readFileSync(file);
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}

/** The upload wrangler would make: `wrangler deploy --dry-run --outdir` over build/ (offline). */
async function bundleEdgeAuth(dir) {
  for (const f of ['build/index.js', 'build/index_bg.wasm']) {
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`make build\` first (make bench does)`);
  }
  const out = path.join(dir, 'edge-auth');
  // wrangler runs the [build] command (`make -s build`, a no-op after `make build`); keep the outer
  // make's flags away from that nested make, as the Makefile's test target does.
  const env = { ...process.env, ...WRANGLER_ENV, NO_COLOR: '1', WRANGLER_LOG_PATH: path.join(dir, 'wrangler-logs') };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']) delete env[k];
  const r = await run(path.join(ROOT, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', out], { cwd: ROOT, env });
  if (r.code !== 0) throw new Error(`wrangler deploy --dry-run failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const files = readdirSync(out);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  if (!files.includes('index.js') || wasm.length !== 1) throw new Error(`unexpected dry-run output in ${out}: ${files.join(', ')}`);
  const js = readFileSync(path.join(out, 'index.js'), 'utf8');
  if (!js.includes(`"./${wasm[0]}"`)) throw new Error(`dry-run index.js does not import ./${wasm[0]}`);
  const total = (r.stdout.match(/Total Upload: ([^\n]*)/) ?? [])[1] ?? '';
  return {
    dir: out,
    modules: [
      { name: 'index.js', kind: 'esModule', file: path.join(out, 'index.js') },
      { name: wasm[0], kind: 'wasm', file: path.join(out, wasm[0]) },
    ],
    size: { js: sizes(path.join(out, 'index.js')), wasm: sizes(path.join(out, wasm[0])), wranglerTotal: total.trim() },
  };
}

/** bench/authjs/worker.mjs + @auth/core, one ES module (esbuild: browser platform, minified). */
async function bundleAuthjs(dir) {
  const out = path.join(dir, 'authjs');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'worker.js');
  const r = await run(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    path.join(BENCH, 'authjs', 'worker.mjs'), '--bundle', '--format=esm', '--platform=browser',
    '--conditions=workerd,worker,browser', '--target=es2022', '--minify', '--log-level=warning', `--outfile=${file}`,
  ], { cwd: ROOT });
  if (r.code !== 0) throw new Error(`esbuild of bench/authjs/worker.mjs failed:\n${r.stderr}`);
  return { dir: out, modules: [{ name: 'worker.js', kind: 'esModule', file }], size: { js: sizes(file), wasm: null } };
}

// ---- workerd configs -----------------------------------------------------------------------------

const q = (s) => JSON.stringify(String(s)); // JSON string escapes are valid capnp text escapes here

function compatibilityDate() {
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  const m = toml.match(/^compatibility_date\s*=\s*"([0-9-]+)"/m);
  if (!m) throw new Error('no compatibility_date in wrangler.toml');
  return m[1];
}

function workerBlock(dir, { modules, bindings, compat }) {
  const mods = modules.map((m) => `(name = ${q(m.name)}, ${m.kind} = embed ${q(path.relative(dir, m.file))})`);
  return `(
      modules = [${mods.join(', ')}],
      compatibilityDate = ${q(compat)},
      bindings = [${bindings.join(', ')}],
    )`;
}

/**
 * One workerd config: `main` (the worker under test) on 127.0.0.1:port, plus `assets` (the page),
 * optionally `kv` (in-memory KV), and `internet` allowing loopback (the IdP) for outbound fetch.
 */
function capnpConfig(dir, { port, main, withKv, compat, common }) {
  const services = [
    `(name = "main", worker = ${workerBlock(dir, { ...main, compat })})`,
    `(name = "assets", worker = ${workerBlock(dir, {
      modules: [{ name: 'assets.mjs', kind: 'esModule', file: common.assets }],
      bindings: [`(name = "PAGE", text = embed ${q(path.relative(dir, common.page))})`],
      compat,
    })})`,
  ];
  if (withKv) {
    services.push(`(name = "kv", worker = ${workerBlock(dir, {
      modules: [{ name: 'kv.mjs', kind: 'esModule', file: common.kv }], bindings: [], compat,
    })})`);
  }
  services.push('(name = "internet", network = (allow = ["public", "private"]))');
  return `# Generated by bench/run.mjs.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')},
  ],
  sockets = [(name = "http", address = ${q(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
`;
}

const text = (name, value) => `(name = ${q(name)}, text = ${q(value)})`;

// ---- workerd processes ----------------------------------------------------------------------------

function workerdBinary() {
  try {
    const p = require('workerd').default;
    if (p && existsSync(p)) return p;
  } catch { /* fall through */ }
  const p = path.join(ROOT, 'node_modules', '@cloudflare', 'workerd-linux-64', 'bin', 'workerd');
  if (existsSync(p)) return p;
  throw new Error('workerd binary not found (npm ci installs it with wrangler)');
}

/** utime + stime of a process (all its threads), in ms. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Busy CPU time of the whole machine (all CPUs), in ms, from /proc/stat. */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / CLK_TCK;
}

/** CPU time of this node process and of its reaped children (wrk, wrangler, esbuild), in ms. */
function ownCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000 + ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
}

/**
 * Start workerd on a config; resolve once it answers `probe` (a request that must get 200 or 302).
 * The time from spawn to that first answer is the cold start.
 */
async function startWorkerd(label, configFile, port, probe) {
  const bin = workerdBinary();
  const t0 = now();
  const child = track(spawn(bin, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(configFile) }));
  let output = '';
  const keep = (c) => {
    output += c;
    if (output.length > 100_000) output = output.slice(-50_000);
    if (VERBOSE) process.stderr.write(`[workerd ${label}] ${c}`);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  workerds.set(label, { logs: () => output });
  const url = `http://127.0.0.1:${port}`;
  const deadline = t0 + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`workerd (${label}) exited before answering (${child.exitCode ?? child.signalCode}):\n${output.slice(-4000)}`);
    }
    if (now() > deadline) {
      await stopChild(child);
      throw new Error(`workerd (${label}) did not answer on ${url} within 30 s:\n${output.slice(-4000)}`);
    }
    let res;
    try {
      res = await harness.request(`${url}${probe.path}`, { headers: probe.headers, timeoutMs: 20_000 });
    } catch {
      await sleep(1);
      continue;
    }
    const coldMs = now() - t0;
    if (res.status !== 200 && res.status !== 302) {
      await stopChild(child);
      throw new Error(`workerd (${label}) answered its first request with ${harness.describe(res)}\n${output.slice(-4000)}`);
    }
    return {
      label, port, url, child, pid: child.pid, coldMs,
      logs: () => output,
      stop: () => stopChild(child),
    };
  }
}

// ---- wrk -------------------------------------------------------------------------------------------

function toMs(value, unit) {
  const v = Number(value);
  switch (unit) {
    case 'us': return v / 1000;
    case 'ms': return v;
    case 's': return v * 1000;
    case 'm': return v * 60_000;
    default: throw new Error(`unknown wrk time unit ${unit}`);
  }
}

function parseWrk(out) {
  const pct = (p) => {
    const m = out.match(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const reqs = out.match(/^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)/m);
  const rps = out.match(/^Requests\/sec:\s+([\d.]+)/m);
  const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non = out.match(/Non-2xx or 3xx responses: (\d+)/);
  if (!reqs || !rps) throw new Error(`could not parse wrk output:\n${out}`);
  return {
    requests: Number(reqs[1]),
    seconds: toMs(reqs[2], reqs[3]) / 1000,
    rps: Number(rps[1]),
    p50: pct(50),
    p99: pct(99),
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    socketDetail: sock ? sock[0] : '',
    non2xx3xx: non ? Number(non[1]) : 0,
  };
}

async function wrk(url, headers, seconds) {
  const args = ['-t1', `-c${S.connections}`, `-d${seconds}s`, '--timeout', '5s', '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  const r = await run('wrk', args);
  if (r.code !== 0) throw new Error(`wrk failed (${r.code}): ${r.stderr}${r.stdout}`);
  return parseWrk(r.stdout);
}

// ---- checks ------------------------------------------------------------------------------------

class CheckFailed extends Error {}

function expect(cond, what, res) {
  if (!cond) throw new CheckFailed(`${what}${res ? `\n  got ${harness.describe(res)}` : ''}`);
}

/** Does `res` answer `scenario` correctly for `worker`? Throws CheckFailed if not. */
function verify(worker, scenario, res, page) {
  const where = `${worker.title} / ${scenario.title}`;
  if (worker.id === 'baseline') {
    // The baseline authenticates nothing: every request is the page.
    expect(res.status === 200 && res.body === page, `${where}: expected 200 with the page`, res);
    return;
  }
  switch (scenario.id) {
    case 'page':
      expect(res.status === 200, `${where}: expected 200`, res);
      expect(res.body === page, `${where}: expected the page as the body`, res);
      break;
    case 'redirect': {
      expect(res.status === 302 && res.location, `${where}: expected a 302`, res);
      const loc = new URL(res.location, res.url);
      expect(loc.origin === new URL(res.url).origin && loc.pathname === `${BASE}/signin`,
        `${where}: expected Location ${BASE}/signin?callbackUrl=...`, res);
      expect(loc.searchParams.get('callbackUrl') === PAGE_PATH, `${where}: expected callbackUrl=${PAGE_PATH}`, res);
      break;
    }
    case 'session': {
      expect(res.status === 200, `${where}: expected 200`, res);
      let json;
      try { json = JSON.parse(res.body); } catch { json = null; }
      expect(json && json.user && json.user.email === EMAIL && json.user.name === LOGIN && typeof json.expires === 'string',
        `${where}: expected {"user":{"name":"${LOGIN}","email":"${EMAIL}",...},"expires":...}`, res);
      break;
    }
    default:
      throw new Error(`unknown scenario ${scenario.id}`);
  }
}

// ---- sign-ins ----------------------------------------------------------------------------------

/** The session cookie(s) in a jar as a Cookie header (Auth.js may chunk: name.0, name.1, ...). */
function sessionCookieHeader(jar, name) {
  const out = [];
  for (const c of jar.cookies.values()) {
    if (c.host === '127.0.0.1' && (c.name === name || c.name.startsWith(`${name}.`))) out.push(`${c.name}=${c.value}`);
  }
  return out.join('; ');
}

/**
 * One whole sign-in, timed: POST {base}/signin/oidc (with a CSRF token fetched before the clock
 * starts, as a sign-in page would hold it) -> the IdP's login and consent -> GET the callback, which
 * must set the session cookie and send the browser back to callbackUrl. Returns the total and the
 * part spent waiting on the worker (the POST and the callback).
 */
async function timedSignIn(worker, idp) {
  const jar = new harness.CookieJar();
  const csrfToken = await harness.getCsrf(jar, worker.url);
  const t0 = now();
  const post = await harness.postForm(jar, `${worker.url}${BASE}/signin/oidc`, { csrfToken, callbackUrl: PAGE_PATH });
  const t1 = now();
  expect(post.status === 302 && post.location && harness.locationOf(post).startsWith(idp.issuer),
    `${worker.title} sign-in: POST ${BASE}/signin/oidc should redirect to the IdP`, post);
  const { redirectUrl } = await harness.authorizeAtIdp(jar, harness.locationOf(post), {
    login: LOGIN, stopAt: `${worker.url}${BASE}/callback/oidc`,
  });
  const t2 = now();
  const callback = await harness.navigate(jar, redirectUrl, { 'sec-fetch-site': 'same-site' });
  const t3 = now();
  expect(callback.status === 302 && new URL(harness.locationOf(callback)).pathname === PAGE_PATH,
    `${worker.title} sign-in: the callback should redirect to ${PAGE_PATH}`, callback);
  expect(sessionCookieHeader(jar, worker.sessionCookie) !== '', `${worker.title} sign-in: no session cookie set`, callback);
  return { total: t3 - t0, worker: (t1 - t0) + (t3 - t2) };
}

// ---- statistics & formatting ----------------------------------------------------------------------

function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (ms) => {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(0)} ms`;
};
const fmtUs = (ms) => (Number.isFinite(ms) ? `${(ms * 1000).toFixed(0)} µs` : 'n/a');
const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
const fmtPct = (r) => (Number.isFinite(r) ? `${(r * 100).toFixed(0)} %` : 'n/a');
const fmtKB = (b) => `${(b / 1024).toFixed(1)} KiB`;

function table(header, align, rows) {
  const lines = [`| ${header.join(' | ')} |`, `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function cmdOut(cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT }).trim(); } catch { return ''; }
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? 'unknown';
  const mem = (readFileSync('/proc/meminfo', 'utf8').match(/^MemTotal:\s+(\d+) kB/m) ?? [])[1];
  const commit = cmdOut('git', ['rev-parse', '--short=12', 'HEAD']);
  const dirty = cmdOut('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'js', 'Cargo.toml', 'Cargo.lock']);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    arch: os.machine?.() ?? cmdOut('uname', ['-m']),
    kernel: `${os.type()} ${os.release()}`,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: model,
    memGiB: mem ? (Number(mem) / 1024 / 1024).toFixed(1) : '?',
    node: process.version,
    workerd: `${versionOf('workerd')} (${cmdOut(workerdBinary(), ['--version'])})`,
    wrangler: versionOf('wrangler'),
    authCore: versionOf('@auth/core'),
    wrk: (cmdOut('sh', ['-c', 'wrk --version 2>&1 | head -1']).match(/^wrk (\S+)/) ?? [])[1] ?? 'unknown',
    rustc: cmdOut('rustc', ['--version']),
    commit: commit ? `${commit}${dirty ? ' (+ uncommitted changes in src/)' : ''}` : 'unknown',
  };
}

// ---- the run --------------------------------------------------------------------------------------

const WORKERS = [
  { id: 'edge', title: 'edge-auth', sessionCookie: EDGE_COOKIE },
  { id: 'baseline', title: 'baseline (pass-through)', sessionCookie: null },
  { id: 'authjs', title: 'Auth.js', sessionCookie: AUTHJS_COOKIE },
];
const SCENARIOS = [
  { id: 'page', title: 'Signed-in request to a protected page', path: PAGE_PATH, headers: harness.BROWSER_NAV, signedIn: true },
  { id: 'redirect', title: 'Unauthenticated request (redirect to sign-in)', path: PAGE_PATH, headers: harness.BROWSER_NAV, signedIn: false },
  { id: 'session', title: `GET ${BASE}/session (signed in)`, path: `${BASE}/session`, headers: harness.API_JSON, signedIn: true },
];

function requestHeaders(worker, scenario, cookies) {
  const h = {};
  // wrk and the checks send the same small set of a browser's headers.
  for (const k of ['accept', 'sec-fetch-mode', 'sec-fetch-dest', 'user-agent']) {
    if (scenario.headers[k] !== undefined) h[k] = scenario.headers[k];
  }
  if (scenario.signedIn) h.cookie = cookies[worker.id];
  return h;
}

/** The markdown report: machine, throughput/latency/CPU, sign-ins, bundle sizes, cold starts, method. */
function renderReport({ samples, noise, signIn, signInCpu, cold, edgeBundle, authjsBundle, compat, problems, exitCodes, started, loadStart }) {
  const m = machine();
  const loadavg = `${loadStart} at the start, ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} at the end`;
  const agg = {};
  for (const sc of SCENARIOS) {
    for (const w of WORKERS) {
      const xs = samples[`${sc.id}/${w.id}`] ?? [];
      agg[`${sc.id}/${w.id}`] = {
        rps: median(xs.map((x) => x.rps)),
        p50: median(xs.map((x) => x.p50)),
        p99: median(xs.map((x) => x.p99)),
        cpu: median(xs.map((x) => x.cpuPerReq)),
        n: xs.length,
      };
    }
  }
  const loadRows = [];
  for (const sc of SCENARIOS) {
    const e = agg[`${sc.id}/edge`];
    for (const w of WORKERS) {
      const a = agg[`${sc.id}/${w.id}`];
      loadRows.push([
        w.id === 'edge' ? `**${sc.title}**` : '',
        w.id === 'edge' ? `**${w.title}**` : w.title,
        fmtInt(a.rps), fmtMs(a.p50), fmtMs(a.p99), fmtUs(a.cpu),
        w.id === 'edge' ? '' : fmtRatio(e.rps / a.rps),
      ]);
    }
  }
  const ratioRows = SCENARIOS.map((sc) => {
    const e = agg[`${sc.id}/edge`];
    const b = agg[`${sc.id}/baseline`];
    const a = agg[`${sc.id}/authjs`];
    return [sc.title, fmtPct(e.rps / b.rps), fmtRatio(e.rps / a.rps), fmtRatio(a.p50 / e.p50), fmtRatio(a.cpu / e.cpu)];
  });
  const sRow = (id) => {
    const xs = signIn[id];
    return [
      WORKERS.find((w) => w.id === id).title, String(xs.length),
      fmtMs(percentile(xs.map((x) => x.total), 50)), fmtMs(percentile(xs.map((x) => x.total), 99)),
      fmtMs(percentile(xs.map((x) => x.worker), 50)), fmtMs(percentile(xs.map((x) => x.worker), 99)),
      fmtMs(signInCpu[id] / xs.length),
    ];
  };
  const signInRatio = percentile(signIn.authjs.map((x) => x.worker), 50) / percentile(signIn.edge.map((x) => x.worker), 50);
  const signInTotalRatio = percentile(signIn.authjs.map((x) => x.total), 50) / percentile(signIn.edge.map((x) => x.total), 50);
  const bRow = (title, s) => [
    title,
    fmtKB(s.js.raw), fmtKB(s.js.gzip),
    s.wasm ? fmtKB(s.wasm.raw) : '—', s.wasm ? fmtKB(s.wasm.gzip) : '—',
    fmtKB(s.js.raw + (s.wasm?.raw ?? 0)), fmtKB(s.js.gzip + (s.wasm?.gzip ?? 0)),
  ];
  const coldRow = (w) => [w.title, fmtMs(median(cold[w.id])), fmtMs(Math.min(...cold[w.id])), fmtMs(Math.max(...cold[w.id])), String(cold[w.id].length)];

  const pageHead = agg['page/edge'];
  const claim90 = pageHead.rps / agg['page/baseline'].rps;
  const claimAuthjs = pageHead.rps / agg['page/authjs'].rps;

  const md = [
    `# edge-auth benchmark${SMOKE ? ' (SMOKE run: tiny load, numbers are not meaningful)' : ''}`,
    '',
    `Generated by \`${SMOKE ? 'make bench-smoke' : 'make bench'}\` (bench/run.mjs) on ${m.date}. Measurements, not tests: nothing here is asserted.`,
    '',
    `**Signed-in page: edge-auth runs at ${fmtPct(claim90)} of the pass-through baseline's throughput (the claim: ≥ 90 %) and at ${fmtRatio(claimAuthjs)} Auth.js's.**`,
    '',
    ...(median(noise) > 0.25
      ? [`> Other processes kept ${median(noise).toFixed(2)} CPUs busy during the load (median; see Machine): these numbers are noisier than usual.`, '']
      : []),
    '## Machine',
    '',
    table(['', ''], ['l', 'l'], [
      ['Date (UTC)', m.date],
      ['Machine', `${m.arch}, ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memGiB} GiB RAM`],
      ['Kernel', m.kernel],
      ['Runtime', `bare workerd ${m.workerd} (from wrangler ${m.wrangler}), compatibility_date ${compat}`],
      ['Load', `wrk ${m.wrk}: \`wrk -t1 -c${S.connections} -d${S.duration}s --latency\` on loopback; ${S.rounds} round(s), the three workers interleaved (rotating order) per scenario, medians; ${S.warmup ? `${S.warmup} s unrecorded warm-up per cell` : 'no warm-up'}`],
      ['Versions', `node ${m.node}; @auth/core ${m.authCore}; ${m.rustc}; edge-auth ${m.commit}`],
      ['Other load', `during the load cells, processes outside the bench used a median ${median(noise).toFixed(2)} CPUs (max ${Math.max(...noise).toFixed(2)}) of ${m.nproc}; load average ${loadavg}`],
    ]),
    '',
    '## Throughput and latency',
    '',
    table(['Scenario', 'Worker', 'Requests/s', 'p50', 'p99', 'workerd CPU / request', 'edge-auth ÷ this (req/s)'],
      ['l', 'l', 'r', 'r', 'r', 'r', 'r'], loadRows),
    '',
    table(['Scenario', 'edge-auth vs baseline (req/s)', 'edge-auth vs Auth.js (req/s)', 'Auth.js p50 ÷ edge-auth p50', 'Auth.js CPU ÷ edge-auth CPU'],
      ['l', 'r', 'r', 'r', 'r'], ratioRows),
    '',
    '## Whole sign-in (POST /signin/oidc → local OpenID Provider → callback with session cookie)',
    '',
    table(['Worker', 'Sign-ins', 'p50 total', 'p99 total', 'p50 in the worker', 'p99 in the worker', 'workerd CPU / sign-in'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'], [sRow('edge'), sRow('authjs')]),
    '',
    `Auth.js ÷ edge-auth, p50: ${fmtRatio(signInTotalRatio)} in total, ${fmtRatio(signInRatio)} for the worker's own part. The baseline has no sign-in.`,
    '',
    '## Bundle size (what is uploaded)',
    '',
    table(['Worker', 'JS raw', 'JS gzip', 'wasm raw', 'wasm gzip', 'total raw', 'total gzip'],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'], [bRow('edge-auth', edgeBundle.size), bRow('Auth.js (@auth/core)', authjsBundle.size)]),
    '',
    `edge-auth: the output of \`wrangler deploy --dry-run --outdir\` (wrangler says: ${edgeBundle.size.wranglerTotal || 'n/a'}). Auth.js: bench/authjs/worker.mjs bundled by esbuild (ESM, browser platform, minified). gzip at level 9.`,
    '',
    '## Cold start (spawn of a workerd process → first answered request)',
    '',
    table(['Worker', 'median', 'min', 'max', 'starts'], ['l', 'r', 'r', 'r', 'r'], WORKERS.map(coldRow)),
    '',
    'Each start is a new workerd process (its binary already in the page cache). The first request is an unauthenticated browser navigation (302 from edge-auth and Auth.js, 200 from the baseline); it includes workerd reading its config and compiling the worker (and, for edge-auth, the wasm module) and the configuration check.',
    '',
    '## Method',
    '',
    '- Three workerd processes, one per worker, each from a generated capnp config: the worker, an `ASSETS` service that serves one small static page (bench/workers/page.html, 1 KiB, the same for all three), and for edge-auth an in-memory `AUTH_KV` service speaking workerd\'s KV binding protocol (bench/workers/kv.mjs). The IdP is npm `oidc-provider` (tests/e2e/idp.mjs) in the bench process.',
    '- **edge-auth**: the release build, as `wrangler deploy --dry-run` bundles it. **baseline**: `env.ASSETS.fetch(request)` and nothing else (no authentication), the limit. **Auth.js**: `@auth/core` `Auth()` with JWT sessions and an OIDC provider for the same IdP (bench/authjs/worker.mjs); `/api/auth/*` goes to `Auth()`, other paths are behind `auth()` built as the framework packages build it (a `/session` call through `Auth()`, forwarding the refreshed session cookie).',
    '- The session cookies come from a real sign-in through each worker (tests/e2e/harness.mjs `signInOverHttp`); Auth.js accepts the http loopback issuer, so no cookie is minted.',
    '- Scenarios: a signed-in browser navigation to a protected page; the same without a cookie (edge-auth and Auth.js redirect to the sign-in page; the baseline serves the page); `GET /api/auth/session` with the cookie (the baseline serves the page). Every cell is checked (status, Location, body) before and after the load.',
    '- Latency: wrk keeps 32 connections busy on a single-threaded runtime, so p50 is mostly queueing (about connections ÷ requests/s). p99 includes workerd\'s own scheduling tail, which is large for every worker on bare workerd, the baseline included: compare requests/s, CPU per request and p50 for the cost of authentication.',
    '- CPU per request: utime + stime of the workerd process (all threads, /proc/<pid>/stat) over each wrk run, divided by the requests wrk completed; it includes the ASSETS service in the same process. Whole sign-ins are sequential, one browser (cookie jar) each; "in the worker" is the time spent waiting on the POST and the callback (discovery, KV, token exchange, ID-token check), the rest is the IdP.',
    '',
  ];
  if (problems.length) md.push('## Problems seen during the load', '', ...problems.map((p) => `- ${p}`), '');
  if (Object.values(exitCodes).some((c) => c !== null)) md.push(`Note: a workerd process had exited before the end: ${JSON.stringify(exitCodes)}`, '');
  md.push(`Total bench time: ${((now() - started) / 1000).toFixed(0)} s.`, '');
  return md.join('\n');
}

async function main() {
  const started = now();
  const loadStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const page = readFileSync(path.join(BENCH, 'workers', 'page.html'), 'utf8');
  const compat = compatibilityDate();
  tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'edge-auth-bench-'));
  log(`${SMOKE ? 'SMOKE run' : 'full run'}: ${S.rounds} round(s) × ${S.duration} s per cell, wrk -t1 -c${S.connections}; temp dir ${tmpRoot}`);

  // Shared worker sources, copied next to the configs (capnp `embed` paths are relative).
  const commonDir = path.join(tmpRoot, 'common');
  mkdirSync(commonDir);
  const common = {};
  for (const [k, f] of [['assets', 'workers/assets.mjs'], ['kv', 'workers/kv.mjs'], ['baseline', 'workers/baseline.mjs'], ['page', 'workers/page.html']]) {
    common[k] = path.join(commonDir, path.basename(f));
    copyFileSync(path.join(BENCH, f), common[k]);
  }

  log('bundling: wrangler deploy --dry-run (edge-auth), esbuild (Auth.js)');
  const [edgeBundle, authjsBundle] = await Promise.all([bundleEdgeAuth(tmpRoot), bundleAuthjs(tmpRoot)]);

  // Ports first: the IdP must know both redirect URIs.
  const ports = { edge: await harness.freePort(), baseline: await harness.freePort(), authjs: await harness.freePort() };
  const origin = (id) => `http://127.0.0.1:${ports[id]}`;
  const idp = await startIdp({
    port: 0, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
    redirectUris: [`${origin('edge')}${BASE}/callback/oidc`, `${origin('authjs')}${BASE}/callback/oidc`],
  });
  try {
    const secrets = { edge: harness.randomSecret(32), authjs: harness.randomSecret(32) };
    const oidcVars = (id) => [
      text('AUTH_SECRET', secrets[id]),
      text('AUTH_OIDC_ISSUER', idp.issuer),
      text('AUTH_OIDC_ID', CLIENT_ID),
      text('AUTH_OIDC_SECRET', CLIENT_SECRET),
    ];
    const mains = {
      edge: {
        modules: edgeBundle.modules,
        bindings: [
          '(name = "AUTH_KV", kvNamespace = "kv")',
          '(name = "ASSETS", service = "assets")',
          ...oidcVars('edge'),
          text('AUTH_OIDC_NAME', 'Local OIDC'),
        ],
        withKv: true,
      },
      baseline: {
        modules: [{ name: 'baseline.mjs', kind: 'esModule', file: common.baseline }],
        bindings: ['(name = "ASSETS", service = "assets")'],
        withKv: false,
      },
      authjs: {
        modules: authjsBundle.modules,
        bindings: ['(name = "ASSETS", service = "assets")', ...oidcVars('authjs')],
        withKv: false,
      },
    };
    const configFor = (id, port) => {
      const file = path.join(tmpRoot, `${id}-${port}.capnp`);
      writeFileSync(file, capnpConfig(tmpRoot, { port, main: mains[id], withKv: mains[id].withKv, compat, common }));
      return file;
    };
    const probe = { path: PAGE_PATH, headers: requestHeaders(WORKERS[0], SCENARIOS[1], {}) };

    // Cold starts: throwaway processes on fresh ports, interleaved, then the kept ones. One
    // unrecorded `workerd --version` first, so the 120 MB binary is in the page cache: the numbers
    // are process start + config + compile + first request, not disk reads.
    await run(workerdBinary(), ['--version']);
    const cold = { edge: [], baseline: [], authjs: [] };
    for (let i = 0; i < S.coldStarts - 1; i += 1) {
      for (const w of WORKERS) {
        const port = await harness.freePort();
        const inst = await startWorkerd(`${w.id} cold ${i + 1}`, configFor(w.id, port), port, probe);
        cold[w.id].push(inst.coldMs);
        await inst.stop();
      }
    }
    const inst = {};
    for (const w of WORKERS) {
      inst[w.id] = await startWorkerd(w.id, configFor(w.id, ports[w.id]), ports[w.id], probe);
      cold[w.id].push(inst[w.id].coldMs);
    }
    log(`cold start (ms): ${WORKERS.map((w) => `${w.id} ${cold[w.id].map((x) => x.toFixed(0)).join('/')}`).join(', ')}`);

    // A real sign-in through each authenticating worker gives the session cookies for the load.
    const cookies = {};
    for (const w of WORKERS.filter((x) => x.sessionCookie)) {
      const r = await harness.signInOverHttp({ workerUrl: inst[w.id].url, callbackUrl: PAGE_PATH, login: LOGIN });
      cookies[w.id] = sessionCookieHeader(r.jar, w.sessionCookie);
      expect(cookies[w.id], `${w.title}: the sign-in set no ${w.sessionCookie} cookie`, r.callback);
    }
    cookies.baseline = cookies.edge; // the baseline ignores it; same request bytes as edge-auth

    const checkAll = async (when) => {
      for (const sc of SCENARIOS) {
        for (const w of WORKERS) {
          const res = await harness.request(`${inst[w.id].url}${sc.path}`, { headers: requestHeaders(w, sc, cookies) });
          verify(w, sc, res, page);
        }
      }
      log(`checks ${when}: all ${SCENARIOS.length * WORKERS.length} cells answer correctly`);
    };
    await checkAll('before the load');

    // Load: per round, per scenario, the three workers in a rotating order.
    const samples = {}; // `${scenario}/${worker}` -> [{rps, p50, p99, cpuPerReq, ...}]
    const problems = [];
    const noise = []; // per recorded cell: CPUs used by other processes on the machine
    const cell = async (w, sc, seconds, record) => {
      const pid = inst[w.id].pid;
      const pids = WORKERS.map((x) => inst[x.id].pid);
      const busy0 = machineBusyMs();
      const own0 = ownCpuMs();
      const all0 = pids.map(cpuMs);
      const cpu0 = cpuMs(pid);
      const r = await wrk(`${inst[w.id].url}${sc.path}`, requestHeaders(w, sc, cookies), seconds);
      const cpu1 = cpuMs(pid);
      const all1 = pids.map(cpuMs);
      const own1 = ownCpuMs();
      const busy1 = machineBusyMs();
      if (!record) return;
      r.cpuPerReq = r.requests ? (cpu1 - cpu0) / r.requests : NaN;
      // CPU used during the cell by everything that is not this bench (its workerds, wrk, itself):
      // other jobs on the machine, in CPUs (1.0 = one core busy the whole time).
      const ours = (own1 - own0) + all1.reduce((a, x, i) => a + x - all0[i], 0);
      noise.push(Math.max(0, (busy1 - busy0) - ours) / (r.seconds * 1000));
      (samples[`${sc.id}/${w.id}`] ??= []).push(r);
      if (r.requests === 0) problems.push(`${w.title} / ${sc.title}: wrk completed no request`);
      if (r.non2xx3xx > 0) problems.push(`${w.title} / ${sc.title}: ${r.non2xx3xx} non-2xx/3xx responses under load`);
      if (r.socketErrors > 0) problems.push(`${w.title} / ${sc.title}: ${r.socketDetail}`);
      log(`  ${sc.id.padEnd(8)} ${w.id.padEnd(8)} ${fmtInt(r.rps).padStart(7)} req/s  p50 ${fmtMs(r.p50)}  p99 ${fmtMs(r.p99)}  cpu ${fmtUs(r.cpuPerReq)}/req`);
    };
    if (S.warmup) {
      log(`warm-up: ${S.warmup} s per cell (not recorded)`);
      for (const sc of SCENARIOS) for (const w of WORKERS) await cell(w, sc, S.warmup, false);
    }
    for (let round = 0; round < S.rounds; round += 1) {
      log(`round ${round + 1}/${S.rounds}`);
      for (const sc of SCENARIOS) {
        for (let k = 0; k < WORKERS.length; k += 1) await cell(WORKERS[(k + round) % WORKERS.length], sc, S.duration, true);
      }
    }
    await checkAll('after the load');

    // Whole sign-ins, alternating; CPU of each workerd over its own sign-ins.
    log(`sign-ins: 1 warm-up + ${S.signIns} timed per worker`);
    const signIn = { edge: [], authjs: [] };
    const signInCpu = { edge: 0, authjs: 0 };
    for (const id of Object.keys(signIn)) await timedSignIn({ ...WORKERS.find((w) => w.id === id), url: inst[id].url }, idp);
    for (let i = 0; i < S.signIns; i += 1) {
      for (const id of i % 2 ? ['authjs', 'edge'] : ['edge', 'authjs']) {
        const w = { ...WORKERS.find((x) => x.id === id), url: inst[id].url };
        const c0 = cpuMs(inst[id].pid);
        signIn[id].push(await timedSignIn(w, idp));
        signInCpu[id] += cpuMs(inst[id].pid) - c0;
      }
    }

    const exitCodes = {};
    for (const w of WORKERS) {
      exitCodes[w.id] = inst[w.id].child.exitCode;
      await inst[w.id].stop();
    }

    const report = renderReport({
      samples, noise, signIn, signInCpu, cold, edgeBundle, authjsBundle, compat, problems, exitCodes, started, loadStart,
    });

    console.log(report);
    writeFileSync(OUT, report);
    log(`written: ${path.relative(process.cwd(), OUT) || OUT}`);

    if (problems.length) {
      log(`problems during the load:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    return 0;
  } finally {
    await idp.close();
  }
}

let code = 1;
try {
  code = await main();
} catch (err) {
  if (err instanceof CheckFailed) {
    log(`CHECK FAILED: ${err.message}`);
    for (const [label, w] of workerds) {
      const tail = w.logs().trim();
      if (tail) log(`workerd (${label}) output, last lines:\n${tail.slice(-3000)}`);
    }
  } else {
    log(err?.stack ?? String(err));
  }
  code = 1;
} finally {
  await Promise.all([...children].map((c) => stopChild(c).catch(() => {})));
  cleanupSync();
}
process.exit(code);
