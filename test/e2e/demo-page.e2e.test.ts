import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { generateSealingKey } from '../../src/auth/device.js';
import { createPlexSimulator, DEMO_HOME, type PlexSimulator } from '../../src/simulator/index.js';
import { capturingLogger, testConfig, testLimits } from '../support/servers.js';
import { closeBrowser, launchBrowser, saveScreenshot } from './browser.js';

// The demo page in mock mode, as `npm run start:mock` serves it: the simulator on the same server and port. The browser
// reaches the server by a name of its own (demo.test, resolved to loopback by the browser only), as it would reach a
// container's published port or another machine: every address the page is given must be built from that name.

let sim: PlexSimulator;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let origin: string;
const offsite: { url: string; type: string }[] = [];
const eventStreams: string[] = [];
/** Other origins a test lets the browser reach. */
const allowed: string[] = [];
/** Every console error and uncaught exception, of the demo page and of the approval popup. */
const consoleErrors: string[] = [];

function watchConsole(target: Page): void {
  target.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${target.url()}: ${message.text()}`);
  });
  target.on('pageerror', (error) => consoleErrors.push(`${target.url()}: uncaught ${error.message}`));
}

const E2E_LIMITS = testLimits({ plex: { timeoutMs: 5000 }, pins: { pollIntervalMs: 100 } });

beforeAll(async () => {
  sim = createPlexSimulator();
  server = await startServer({
    // PLEX_API_URL is not used in mock mode: the server calls the simulator on its own port.
    config: testConfig('https://plex.invalid', { HOST: '127.0.0.1', PORT: '0' }),
    limits: E2E_LIMITS,
    logger: capturingLogger('warn').logger,
    simulator: sim,
  });
  origin = `http://demo.test:${new URL(server.url).port}`;
  browser = await launchBrowser(['--host-resolver-rules=MAP demo.test 127.0.0.1, MAP approve.test 127.0.0.1']);
  // Context-wide, so that the approval popup is covered too: nothing but this server, by the browser's name for it.
  await browser.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || allowed.some((other) => url.startsWith(`${other}/`))) return route.continue();
    offsite.push({ url, type: route.request().resourceType() });
    return route.abort();
  });
  browser.on('page', watchConsole);
  page = browser.pages()[0] ?? (await browser.newPage());
  watchConsole(page);
  await page.setViewportSize({ width: 900, height: 640 });
  page.on('request', (request) => {
    if (request.headers()['accept'] === 'text/event-stream') eventStreams.push(request.url());
  });
});

/** The API's answer for `query` with `token`, straight over HTTP (what the page should show). */
async function api<T>(url: string, token: string, query: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

interface ServerRow { name: string; presence: boolean; owned: boolean; sourceTitle: string | null; connections: { uri: string }[] }

/** The servers as the page lists them: name, online/offline and the first connection, one line each. */
async function shownServers(target: Page): Promise<string[]> {
  return target.locator('#server-list li').evaluateAll((items) =>
    items.map((item) => [item.querySelector('strong')?.textContent, item.querySelector('.online, .offline')?.textContent, item.querySelector('code')?.textContent ?? '-'].join(' | ')),
  );
}

/** Clicks a profile in the picker (opening the picker first when it is closed). */
async function pickProfile(target: Page, title: string): Promise<void> {
  if (await target.getByRole('button', { name: 'Switch profile' }).isVisible()) await target.getByRole('button', { name: 'Switch profile' }).click();
  await target.locator('#profile-list button').filter({ hasText: title }).click();
}

afterAll(async () => {
  await closeBrowser(browser);
  await server?.close();
  await sim?.close();
});

describe('the demo page in mock mode', () => {
  it('signs in with a PIN approved in a popup, shows the account, its servers and its profiles, switches profiles with and without a PIN, and signs out, without a console error', async () => {
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
    await expect(page.title()).resolves.toContain('Sign in with Plex');
    // Browsers ask for /favicon.ico by themselves (headless Chromium does not, and Playwright's routing breaks that one
    // path), so it is asked for here.
    const favicon = await fetch(`${server.url}/favicon.ico`);
    const icon = { status: favicon.status, type: favicon.headers.get('content-type') };
    expect(icon).toEqual({ status: 200, type: 'image/svg+xml' });

    const popupOpened = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in with Plex' }).click();
    const popup = await popupOpened;
    // The simulator's approval page, on this server, takes app.plex.tv's fragment parameters (clientID, code, product).
    await popup.waitForURL((url) => url.href.startsWith(`${origin}/simulator/approve?clientID=`));
    const approve = popup.getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    await expect(popup.locator('body').innerText()).resolves.toContain('Plex Account GraphQL');
    await saveScreenshot(popup, 'demo-page-approve.png');
    const popupClosed = popup.waitForEvent('close', { timeout: 15_000 });
    await approve.click({ noWaitAfter: true });

    await page.locator('#name').filter({ hasText: 'Demo User' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('#plan').innerText()).resolves.toMatch(/Plex Pass/);
    await expect(page.locator('#status').innerText()).resolves.toBe('Signed in.');
    // The avatar comes from the simulator, on this origin, and is shown.
    const thumb = page.locator('#thumb');
    await thumb.waitFor({ state: 'visible' });
    expect(await thumb.getAttribute('src')).toMatch(new RegExp(`^${origin}/simulator/users/[0-9a-f]+/avatar\\?c=\\d+$`));
    await expect.poll(() => thumb.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    // The approval page closed itself once approved; the demo page never touched it after sending it there.
    await popupClosed;
    // The page followed the subscription over SSE rather than polling.
    expect(eventStreams).toEqual([`${origin}/graphql`]);
    const token = await page.evaluate(() => sessionStorage.getItem('plex-demo-token'));
    expect(token).toMatch(/^\w{20}$/);

    // The servers: what the API lists for the account (servers only, players left out), each with its presence and the
    // first connection the API says to try. Nothing probed them: no request left this origin (checked below).
    const { viewer } = await api<{ viewer: { resources: ServerRow[] } }>(
      server.url,
      token!,
      '{ viewer { resources(provides: [SERVER]) { name presence owned sourceTitle connections { uri } } } }',
    );
    const expected = viewer.resources.map((resource) => `${resource.name} | ${resource.presence ? 'online' : 'offline'} | ${resource.connections[0]?.uri ?? '-'}`);
    await expect.poll(() => shownServers(page)).toEqual(expected);
    expect(expected.some((line) => line.includes('| online |')) && expected.some((line) => line.includes('| offline |'))).toBe(true);
    await expect(page.locator('#server-list').innerText()).resolves.toContain('shared by kingpirate123');
    await expect(page.locator('#server-list').innerText()).resolves.not.toContain('Living Room');
    await saveScreenshot(page, 'demo-page.png', true);

    // The profile picker: every Home user with an avatar that loaded, the signed-in one marked current.
    const switches = () => sim.count('homeSwitch');
    await page.getByRole('button', { name: 'Switch profile' }).click();
    const profiles = page.locator('#profile-list button');
    await expect(profiles.allInnerTexts()).resolves.toHaveLength(4);
    await expect.poll(() => page.locator('#profile-list img').evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth > 0))).toEqual([true, true, true, true]);
    await expect(page.locator('#profile-list button[aria-current="true"]').innerText()).resolves.toContain('demo');

    // A protected profile: the PIN is asked for before anything is sent; a wrong one first, then the right one.
    const { protectedUser, unflaggedPinUser } = DEMO_HOME;
    await pickProfile(page, protectedUser.title);
    await page.locator('#pin').waitFor({ state: 'visible' });
    expect(switches()).toBe(0);
    await page.locator('#pin').fill('0000');
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await page.locator('#pin-message').filter({ hasText: 'Wrong PIN, try again.' }).waitFor();
    expect(switches()).toBe(1);
    await expect(page.locator('#pin').inputValue()).resolves.toBe('');
    await saveScreenshot(page, 'demo-page-profiles.png', true);
    await page.locator('#pin').fill(protectedUser.pin);
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await page.locator('#status').filter({ hasText: `Switched to ${protectedUser.title}.` }).waitFor();
    await expect(page.locator('#name').innerText()).resolves.toBe(protectedUser.title);
    await expect(page.locator('#pin-form').isVisible()).resolves.toBe(false);
    expect(switches()).toBe(2);
    // The page now holds that profile's token: the API reads the Home user with it.
    const switched = await page.evaluate(() => sessionStorage.getItem('plex-demo-token'));
    expect(switched).not.toBe(token);
    await expect(api<{ viewer: { uuid: string } }>(server.url, switched!, '{ viewer { uuid } }')).resolves.toEqual({ viewer: { uuid: protectedUser.uuid } });
    // Its servers are listed again, read with its token: the admin's server, shared through the Home.
    await expect.poll(() => page.locator('#server-list').innerText()).toContain('shared by demo');

    // A profile that is not marked protected but still needs a PIN: switched to without one, then asked for the PIN.
    await pickProfile(page, unflaggedPinUser.title);
    await page.locator('#pin-message').filter({ hasText: `${unflaggedPinUser.title} needs a PIN.` }).waitFor();
    expect(switches()).toBe(3);
    expect(sim.requests.filter((request) => request.route === 'homeSwitch').map((request) => request.query.has('pin'))).toEqual([true, true, false]);
    await page.locator('#pin').fill(unflaggedPinUser.pin);
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await page.locator('#status').filter({ hasText: `Switched to ${unflaggedPinUser.title}.` }).waitFor();
    await expect(page.locator('#name').innerText()).resolves.toBe(unflaggedPinUser.title);
    expect(switches()).toBe(4);
    // No PIN is kept by the page.
    const kept = await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage) + document.body.innerText);
    for (const pin of [protectedUser.pin, unflaggedPinUser.pin]) expect(kept).not.toContain(pin);
    const current = await page.evaluate(() => sessionStorage.getItem('plex-demo-token'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#status').filter({ hasText: 'Signed out.' }).waitFor();
    await expect(page.getByRole('button', { name: 'Sign in with Plex' }).isVisible()).resolves.toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('plex-demo-token'))).toBeNull();
    expect(sim.count('signout')).toBe(1);

    // The token is dead at plex.tv (the simulator): the API now refuses it.
    const signedOut = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${current}` },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect((await signedOut.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(sim.requests.every((request) => request.headers['host'] === `127.0.0.1:${new URL(server.url).port}` || request.route === null)).toBe(true);

    // Nothing came from anywhere else, avatar included, and nothing went wrong in either window.
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('the demo page with the approval page on another origin (as app.plex.tv is)', () => {
  let plex: PlexSimulator;
  let other: RunningServer;
  beforeAll(async () => {
    plex = createPlexSimulator();
    await plex.listen(0, '127.0.0.1');
    const approveOrigin = `http://approve.test:${new URL(plex.url).port}`;
    const config = testConfig(plex.url, { HOST: '127.0.0.1', PORT: '0' });
    other = await startServer({
      // The simulator's approval page under a name of its own.
      config: { ...config, plex: { ...config.plex, authUrl: `${approveOrigin}/simulator/approve` } },
      limits: E2E_LIMITS,
      logger: capturingLogger('warn').logger,
    });
    allowed.push(`http://demo.test:${new URL(other.url).port}`, approveOrigin, plex.url);
  });
  afterAll(async () => {
    await other?.close();
    await plex?.close();
  });

  it('lets go of the popup once it shows the other origin: no "Unsafe attempt to initiate navigation", no console error', async () => {
    consoleErrors.length = 0;
    const demo = await browser.newPage();
    watchConsole(demo);
    await demo.goto(`http://demo.test:${new URL(other.url).port}/`);
    const popupOpened = demo.waitForEvent('popup');
    await demo.getByRole('button', { name: 'Sign in with Plex' }).click();
    const popup = await popupOpened;
    await popup.waitForURL(/^http:\/\/approve\.test:\d+\/simulator\/approve\?clientID=/);
    await popup.getByRole('button', { name: 'Approve' }).click({ noWaitAfter: true });
    await demo.locator('#name').filter({ hasText: 'Demo User' }).waitFor({ timeout: 15_000 });
    // Long enough for anything the page does after the sign-in, and for the approval page to close itself.
    await popup.waitForEvent('close', { timeout: 15_000 });
    expect(consoleErrors).toEqual([]);
    await demo.close();
  });
});

describe('the demo page with PLEX_AUTH_MODE=jwt in mock mode', () => {
  let jwtSim: PlexSimulator;
  let jwtServer: RunningServer;
  let jwtOrigin: string;
  beforeAll(async () => {
    jwtSim = createPlexSimulator();
    jwtServer = await startServer({
      config: testConfig('https://plex.invalid', { HOST: '127.0.0.1', PORT: '0', PLEX_AUTH_MODE: 'jwt', AUTH_SEALING_KEY: generateSealingKey() }),
      limits: E2E_LIMITS,
      logger: capturingLogger('warn').logger,
      simulator: jwtSim,
    });
    jwtOrigin = `http://demo.test:${new URL(jwtServer.url).port}`;
    allowed.push(jwtOrigin);
  });
  afterAll(async () => {
    await jwtServer?.close();
    await jwtSim?.close();
  });

  it('signs in with a device of its own, shows when the token expires, refreshes it, and switches profile, without a console error', async () => {
    consoleErrors.length = 0;
    const demo = await browser.newPage();
    watchConsole(demo);
    try {
      await demo.goto(`${jwtOrigin}/`);
      const popupOpened = demo.waitForEvent('popup');
      await demo.getByRole('button', { name: 'Sign in with Plex' }).click();
      const popup = await popupOpened;
      await popup.waitForURL((url) => url.href.startsWith(`${jwtOrigin}/simulator/approve?clientID=`));
      // The PIN belongs to the sign-in's own device, not to the service's client identifier.
      expect(new URL(popup.url()).searchParams.get('clientID')).not.toBe('test-client-identifier');
      const approve = popup.getByRole('button', { name: 'Approve' });
      await approve.waitFor();
      await approve.click({ noWaitAfter: true });

      await demo.locator('#name').filter({ hasText: 'Demo User' }).waitFor({ timeout: 15_000 });
      await demo.locator('#token-expiry').waitFor({ state: 'visible' });
      const expires = await demo.locator('#expires-at').getAttribute('datetime');
      expect(Date.parse(expires!) - Date.now()).toBeGreaterThan(6 * 86_400_000);
      const stored = () =>
        demo.evaluate(() => ({ token: sessionStorage.getItem('plex-demo-token'), refresh: sessionStorage.getItem('plex-demo-refresh-token') }));
      const before = await stored();
      expect(before.token?.split('.')).toHaveLength(3);
      expect(before.refresh).toBeTruthy();
      await demo.locator('#server-list li').first().waitFor();
      await saveScreenshot(demo, 'demo-page-jwt.png');

      const exchanges = jwtSim.count('token');
      await demo.getByRole('button', { name: 'Refresh' }).click();
      await demo.locator('#status').filter({ hasText: 'Token refreshed.' }).waitFor();
      const after = await stored();
      expect(after.token).not.toBe(before.token);
      // Refresh tokens rotate: the page keeps the new one.
      expect(after.refresh).toBeTruthy();
      expect(after.refresh).not.toBe(before.refresh);
      expect(jwtSim.count('token')).toBe(exchanges + 1);

      // A profile switch with the Plex JWT: the switched token is plex.tv's, with no expiry or refresh token of its own.
      await pickProfile(demo, DEMO_HOME.managedUser.title);
      await demo.locator('#status').filter({ hasText: `Switched to ${DEMO_HOME.managedUser.title}.` }).waitFor();
      await expect(demo.locator('#token-expiry').isVisible()).resolves.toBe(false);
      const switched = await stored();
      expect(switched.token).not.toBe(after.token);
      expect(switched.refresh).toBeNull();
      await expect(api<{ viewer: { uuid: string } }>(jwtServer.url, switched.token!, '{ viewer { uuid } }')).resolves.toEqual({ viewer: { uuid: DEMO_HOME.managedUser.uuid } });

      // The refreshed token is what the API now accepts for this sign-in.
      const viewer = await fetch(`${jwtServer.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${after.token}` },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      });
      expect((await viewer.json()).data.viewer.username).toBe('demo');

      await demo.getByRole('button', { name: 'Sign out' }).click();
      await demo.locator('#status').filter({ hasText: 'Signed out.' }).waitFor();
      expect(await stored()).toEqual({ token: null, refresh: null });
      expect(consoleErrors).toEqual([]);
    } finally {
      await demo.close();
    }
  });
});
