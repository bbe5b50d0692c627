// End-to-end in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser download) signs in through the real IdP's login and consent pages.
// The sign-in page's screenshot goes to $E2E_SCREENSHOT_DIR or <tmp>/edge-auth-e2e-screenshots/signin.png
// (its path is printed as a test diagnostic).

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startIdp } from './idp.mjs';
import { BASE, CHROMIUM_ARGS, freePort, randomSecret, startWorker, tempDir } from './harness.mjs';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const PROVIDER_NAME = 'Test IdP';

describe('browser sign-in (headless Chromium)', { skip: !HAVE_CHROMIUM && `${CHROMIUM} is absent (apt-get install -y chromium)` }, () => {
  let idp;
  let worker;
  let W;
  let context;
  let profileDir;

  before(async () => {
    const port = await freePort();
    W = `http://127.0.0.1:${port}`;
    const secret = randomSecret(24);
    idp = await startIdp({ clientId: 'edge-auth-browser', clientSecret: secret, redirectUris: [`${W}${BASE}/callback/oidc`] });
    worker = await startWorker({
      port,
      vars: {
        AUTH_SECRET: randomSecret(32),
        AUTH_OIDC_ISSUER: idp.issuer,
        AUTH_OIDC_ID: 'edge-auth-browser',
        AUTH_OIDC_SECRET: secret,
        AUTH_OIDC_NAME: PROVIDER_NAME,
      },
    });
    const { chromium } = await import('playwright-core');
    profileDir = tempDir('edge-auth-e2e-chromium-');
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  }, { timeout: 300_000 });

  after(async () => {
    await context?.close().catch(() => {});
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await worker?.stop();
    await idp?.close();
  });

  it('deep link → sign-in page → IdP login + consent → back on the deep link; / shows the user', async (t) => {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(15_000);

    await page.goto(`${W}/private/report.html`);
    await page.waitForURL((u) => u.pathname === `${BASE}/signin`);
    assert.equal(new URL(page.url()).searchParams.get('callbackUrl'), '/private/report.html');
    const button = page.getByRole('button', { name: `Sign in with ${PROVIDER_NAME}` });
    await button.waitFor();
    const shotDir = process.env.E2E_SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'edge-auth-e2e-screenshots');
    mkdirSync(shotDir, { recursive: true });
    const shot = path.join(shotDir, 'signin.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`sign-in page screenshot: ${shot}`);

    await button.click();
    await page.waitForURL((u) => u.origin === idp.issuer && u.pathname.startsWith('/interaction/'));
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('correct horse battery staple');
    await page.locator('button[type="submit"]').click();

    // Consent ("Continue"), then the IdP redirects to the worker's callback, which redirects to the deep link.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((u) => u.origin === W && u.pathname.startsWith('/private/report'));
    await page.locator('h1', { hasText: 'Quarterly report: confidential' }).waitFor();

    await page.goto(`${W}/`);
    await page.locator('#who', { hasText: 'Signed in as alice (alice@example.test)' }).waitFor();
    assert.equal((await page.locator('#who').textContent()).trim(), 'Signed in as alice (alice@example.test)');

    const cookies = await context.cookies(W);
    const session = cookies.find((c) => c.name === 'edgeauth.session-token');
    assert.ok(session, `session cookie in the browser: ${JSON.stringify(cookies.map((c) => c.name))}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
  });
});
