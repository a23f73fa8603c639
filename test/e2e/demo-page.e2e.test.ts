import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
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
