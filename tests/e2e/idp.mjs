// A real OpenID Provider (npm `oidc-provider` v9) on loopback, for end-to-end tests and `make dev`.
//
//   import { startIdp } from './idp.mjs';
//   const idp = await startIdp({ port: 0, clientId, clientSecret, redirectUris: [...] });
//   idp.issuer  // "http://127.0.0.1:<port>"
//   await idp.close();
//
// CLI (used by scripts/dev.mjs, handy by hand):
//   node tests/e2e/idp.mjs --port 9000 --client-id edge-auth-dev --client-secret s \
//        --redirect-uri http://127.0.0.1:8787/api/auth/callback/oidc [--id-token-alg ES256]
//
// The provider offers the authorization code grant with PKCE (S256) required, ID tokens that carry
// the profile/email claims (conformIdTokenClaims: false), its own freshly generated signing keys and
// cookie keys, and the development login form ("devInteractions") that accepts any login name and
// any password. Claims are derived from the login name: sub = name = login,
// email = `${login}@example.test`.
//
// Set EDGE_AUTH_IDP_DEBUG=1 to see the provider's notices and its server-side errors.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

const DEBUG = !!process.env.EDGE_AUTH_IDP_DEBUG;

// oidc-provider prints "oidc-provider WARNING/NOTICE: ..." lines through console.warn/info (e.g. that
// devInteractions are on). They are expected here; keep test output quiet unless debugging.
let consoleFiltered = false;
function quietProviderNotices() {
  if (consoleFiltered || DEBUG) return;
  consoleFiltered = true;
  for (const level of ['warn', 'info']) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      const first = String(args[0] ?? '');
      // eslint-disable-next-line no-control-regex
      if (first.replace(/\x1b\[[0-9;]*m/g, '').startsWith('oidc-provider ')) return;
      original(...args);
    };
  }
}

/** A fresh signing key as a private JWK (RS256: RSA 2048; ES256: P-256). */
export function generateSigningJwk(alg = 'RS256') {
  let pair;
  if (alg === 'RS256') {
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  } else if (alg === 'ES256') {
    pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  } else {
    throw new Error(`unsupported signing alg ${alg}`);
  }
  const jwk = pair.privateKey.export({ format: 'jwk' });
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` };
}

/** The claims this IdP asserts for a login name. */
export function claimsFor(login, issuer) {
  return {
    sub: login,
    name: login,
    email: `${login}@example.test`,
    email_verified: true,
    picture: `${issuer}/avatars/${encodeURIComponent(login)}.png`,
  };
}

/**
 * Start the OpenID Provider.
 * @param {object} o
 * @param {number} [o.port=0] 0 picks a free port.
 * @param {string} o.clientId
 * @param {string} o.clientSecret
 * @param {string[]} o.redirectUris
 * @param {'RS256'|'ES256'} [o.idTokenAlg='RS256'] The client's id_token_signed_response_alg. With
 *   ES256 the JWKS holds an EC P-256 key as well as the RSA key (so a relying party must pick by kid).
 * @param {'client_secret_basic'|'client_secret_post'} [o.tokenEndpointAuthMethod='client_secret_basic']
 * @param {object[]} [o.extraClients] More client metadata objects, registered as given.
 * @returns {Promise<{issuer: string, port: number, provider: object, close: () => Promise<void>}>}
 */
export async function startIdp({
  port = 0,
  clientId,
  clientSecret,
  redirectUris,
  idTokenAlg = 'RS256',
  tokenEndpointAuthMethod = 'client_secret_basic',
  extraClients = [],
} = {}) {
  if (!clientId || !clientSecret || !Array.isArray(redirectUris) || redirectUris.length === 0) {
    throw new Error('startIdp needs clientId, clientSecret and redirectUris');
  }
  quietProviderNotices();
  // Imported lazily so that the notices it prints at load time (e.g. "Unsupported runtime" on
  // Node 20, where it works fine for this use) pass through the filter above.
  const { default: Provider } = await import('oidc-provider');

  // The issuer must name the real port, so bind first, then build the provider.
  const { createServer } = await import('node:http');
  let handler = (req, res) => { res.statusCode = 503; res.end('starting'); };
  const server = createServer((req, res) => handler(req, res));
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actualPort = server.address().port;
  const issuer = `http://127.0.0.1:${actualPort}`;

  const keys = [generateSigningJwk('RS256')];
  if (idTokenAlg === 'ES256') keys.push(generateSigningJwk('ES256'));

  const client = {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: tokenEndpointAuthMethod,
    id_token_signed_response_alg: idTokenAlg,
  };

  const provider = new Provider(issuer, {
    clients: [client, ...extraClients],
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'picture'],
    },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return claimsFor(id, issuer);
        },
      };
    },
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: true } },
  });

  if (DEBUG) {
    for (const ev of ['server_error', 'authorization.error', 'grant.error', 'backchannel.error',
      'userinfo.error', 'introspection.error', 'revocation.error', 'discovery.error', 'jwks.error',
      'interaction.error']) {
      provider.on(ev, (ctx, err) => console.error(`[idp ${ev}]`, err?.message ?? ctx?.message ?? err, err?.error_description ?? ''));
    }
  } else {
    provider.silent = true; // Koa: do not print errors it already turned into responses
  }

  handler = provider.callback();

  let closed = false;
  return {
    issuer,
    port: actualPort,
    provider,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- CLI -------------------------------------------------------------------------------------
function parseArgs(argv) {
  const out = { redirectUris: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const v = () => {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`${a} needs a value`);
      i += 1;
      return next;
    };
    switch (a) {
      case '--port': out.port = Number(v()); break;
      case '--client-id': out.clientId = v(); break;
      case '--client-secret': out.clientSecret = v(); break;
      case '--redirect-uri': out.redirectUris.push(v()); break;
      case '--id-token-alg': out.idTokenAlg = v(); break;
      case '--auth-method': out.tokenEndpointAuthMethod = v(); break;
      case '-h': case '--help':
        console.log('usage: node tests/e2e/idp.mjs --port N --client-id ID --client-secret S --redirect-uri URI [--redirect-uri URI] [--id-token-alg RS256|ES256] [--auth-method client_secret_basic|client_secret_post]');
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseArgs(process.argv.slice(2));
  const idp = await startIdp({ port: 9000, clientId: 'edge-auth-dev', clientSecret: 'edge-auth-dev-secret', ...args,
    redirectUris: args.redirectUris.length ? args.redirectUris : ['http://127.0.0.1:8787/api/auth/callback/oidc'] });
  console.log(`IdP listening: ${idp.issuer} (discovery: ${idp.issuer}/.well-known/openid-configuration)`);
  const stop = async () => { await idp.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
