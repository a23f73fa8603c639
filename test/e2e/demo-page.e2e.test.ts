import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { generateSealingKey } from '../../src/plex/device-auth.js';
import { createPlexSimulator, type PlexSimulator } from '../../src/simulator/index.js';
import { capturingLogger, testConfig } from '../harness.js';
import { ARTIFACTS, closeBrowser, launchBrowser } from './browser.js';

let sim: PlexSimulator;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
const offsite: { url: string; type: string }[] = [];
const eventStreams: string[] = [];

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  server = await startServer({
    config: testConfig(sim.url, {
      HOST: '127.0.0.1',
      PORT: '0',
      PLEX_TIMEOUT_MS: '5000',
      // Simulator mode: the user approves on the simulator's page instead of app.plex.tv.
      PLEX_AUTH_URL: `${sim.url}/simulator/approve`,
      PIN_POLL_INTERVAL_MS: '100',
    }),
    logger: capturingLogger('warn').logger,
  });
  browser = await launchBrowser();
  // Context-wide, so that the approval popup is covered too.
  await browser.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url) || url.startsWith(sim.url) || url.startsWith('data:')) return route.continue();
    offsite.push({ url, type: route.request().resourceType() });
    return route.abort();
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('request', (request) => {
    if (request.headers()['accept'] === 'text/event-stream') eventStreams.push(request.url());
  });
});

afterAll(async () => {
  await closeBrowser(browser);
  await server?.close();
  await sim?.close();
});

describe('the demo page', () => {
  it('signs in with a PIN approved in a popup, shows the account, and signs out', async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
    await expect(page.title()).resolves.toContain('Sign in with Plex');

    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in with Plex' }).click();
    const popup = await popupOpened;
    // The simulator's approval page takes app.plex.tv's fragment parameters (clientID, code, product).
    await popup.waitForURL(/\/simulator\/approve\?clientID=/);
    const approve = popup.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    await expect(popup.locator('body').innerText()).resolves.toContain('Facade Tests');
    await popup.screenshot({ path: join(ARTIFACTS, 'demo-page-approve.png') });
    await approve.click({ noWaitAfter: true });

    await page.locator('#name').filter({ hasText: 'Demo User' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('#plan').innerText()).resolves.toMatch(/Plex Pass/);
    await expect(page.locator('#status').innerText()).resolves.toBe('Signed in.');
    // The page followed the subscription over SSE rather than polling.
    expect(eventStreams).toEqual([`${server.url}/graphql`]);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-page-signed-in.png'), fullPage: true });

    const token = await page.evaluate(() => sessionStorage.getItem('plex-demo-token'));
    expect(token).toMatch(/^\w{20}$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#status').filter({ hasText: 'Signed out.' }).waitFor();
    await expect(page.getByRole('button', { name: 'Sign in with Plex' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('plex-demo-token'))).toBeNull();
    expect(sim.count('signout')).toBe(1);

    // The token is dead at plex.tv: the API now refuses it.
    const viewer = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect((await viewer.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    // Nothing the page itself needs comes from elsewhere; only the account's avatar image points at plex.tv.
    expect(offsite.filter((request) => request.type !== 'image')).toEqual([]);
  });
});

describe('the demo page with PLEX_AUTH_MODE=jwt', () => {
  let jwtServer: RunningServer;
  beforeAll(async () => {
    jwtServer = await startServer({
      config: testConfig(sim.url, {
        HOST: '127.0.0.1',
        PORT: '0',
        PLEX_TIMEOUT_MS: '5000',
        PLEX_AUTH_URL: `${sim.url}/simulator/approve`,
        PIN_POLL_INTERVAL_MS: '100',
        PLEX_AUTH_MODE: 'jwt',
        AUTH_SEALING_KEY: generateSealingKey(),
      }),
      logger: capturingLogger('warn').logger,
    });
  });
  afterAll(async () => {
    await jwtServer?.close();
  });

  it('signs in with a device of its own, shows when the token expires, and refreshes it', async () => {
    await browser.route(`${jwtServer.url}/**`, (route) => route.continue());
    const jwtPage = await browser.newPage();
    try {
      await jwtPage.goto(`${jwtServer.url}/`);
      const popupOpened = jwtPage.waitForEvent('popup');
      await jwtPage.getByRole('button', { name: 'Sign in with Plex' }).click();
      const popup = await popupOpened;
      await popup.waitForURL(/\/simulator\/approve\?clientID=/);
      // The PIN belongs to the sign-in's own device, not to the service's client identifier.
      expect(new URL(popup.url()).searchParams.get('clientID')).not.toBe('test-client-identifier');
      const approve = popup.getByRole('button', { name: 'Approve' });
      await approve.waitFor();
      await approve.click({ noWaitAfter: true });

      await jwtPage.locator('#name').filter({ hasText: 'Demo User' }).waitFor({ timeout: 15_000 });
      await jwtPage.locator('#token-expiry').waitFor({ state: 'visible' });
      const expires = await jwtPage.locator('#expires-at').getAttribute('datetime');
      expect(Date.parse(expires!) - Date.now()).toBeGreaterThan(6 * 86_400_000);
      const stored = () =>
        jwtPage.evaluate(() => ({ token: sessionStorage.getItem('plex-demo-token'), refresh: sessionStorage.getItem('plex-demo-refresh-token') }));
      const before = await stored();
      expect(before.token?.split('.')).toHaveLength(3);
      expect(before.refresh).toBeTruthy();
      await jwtPage.screenshot({ path: join(ARTIFACTS, 'demo-page-jwt-signed-in.png'), fullPage: true });

      const exchanges = sim.count('token');
      await jwtPage.getByRole('button', { name: 'Refresh' }).click();
      await jwtPage.locator('#status').filter({ hasText: 'Token refreshed.' }).waitFor();
      const after = await stored();
      expect(after.token).not.toBe(before.token);
      expect(after.refresh).toBe(before.refresh);
      expect(sim.count('token')).toBe(exchanges + 1);

      // The refreshed token is what the API now accepts for this sign-in.
      const viewer = await fetch(`${jwtServer.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${after.token}` },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      });
      expect((await viewer.json()).data.viewer.username).toBe('demo');

      await jwtPage.getByRole('button', { name: 'Sign out' }).click();
      await jwtPage.locator('#status').filter({ hasText: 'Signed out.' }).waitFor();
      expect(await stored()).toEqual({ token: null, refresh: null });
    } finally {
      await jwtPage.close();
    }
  });
});
