import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../../src/simulator/index.js';
import { capturingLogger, testConfig, testLimits } from '../support/servers.js';
import { ARTIFACTS, closeBrowser, launchBrowser, saveScreenshot } from './browser.js';

const plain = DEMO_ACCOUNTS.plain;

// Typed on one line, as a person would: Monaco closes brackets and quotes as they are opened and steps over the closing
// ones when they are typed, so the editor ends up with exactly this text.
const SIGN_IN = `mutation SignIn { signIn(input: { login: "${plain.login}", password: "${plain.password}" }) { __typename ... on SignInSuccess { authToken user { username } } ... on Error { message } } }`;
const VIEWER = 'query Viewer { viewer { username email } }';

const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';

let sim: PlexSimulator;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
const offsite: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  server = await startServer({
    config: testConfig(sim.url, { HOST: '127.0.0.1', PORT: '0' }),
    limits: testLimits({ plex: { timeoutMs: 5000 } }),
    logger: capturingLogger('warn').logger,
  });
  browser = await launchBrowser();
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught ${error.message}`));
  // Wide enough that GraphiQL's response editor does not wrap the JSON it shows.
  await page.setViewportSize({ width: 1600, height: 1000 });
  // Everything the page needs comes from this server: no CDN, so it works offline and air-gapped.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
});

afterAll(async () => {
  await closeBrowser(browser);
  await server?.close();
  await sim?.close();
});

/** Clears one of GraphiQL's Monaco editors and types `text` into it, then checks that the editor holds exactly that. */
async function typeInto(editor: string, text: string): Promise<void> {
  await page.locator(`${editor} .monaco-editor`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text, { delay: 5 });
  await expect.poll(async () => normalise(await page.locator(`${editor} .monaco-editor .view-lines`).first().innerText())).toBe(text);
}

/**
 * Types the operation into the query editor and waits until GraphiQL has taken it into its state, which it does after a
 * debounce and then saves to localStorage (headers typed before it have gone through the same debounce by then; they
 * are not saved, see `shouldPersistHeaders`).
 */
async function typeOperation(text: string): Promise<void> {
  await typeInto('.graphiql-query-editor', text);
  await expect.poll(() => page.evaluate((escaped) => Object.values(localStorage).some((value) => value.includes(escaped)), JSON.stringify(text).slice(1, -1))).toBe(true);
}

/** Runs the operation in the query editor and returns the response editor's JSON once it has one. */
async function runAndReadResult(): Promise<Record<string, unknown>> {
  const response = page.locator('.graphiql-response .monaco-editor .view-lines').first();
  const previous = await response.innerText().catch(() => '');
  await page.locator('.graphiql-execute-button').click();
  await expect.poll(async () => (await response.innerText()).trim(), { timeout: 15_000 }).not.toBe(previous.trim());
  try {
    await expect.poll(async () => isJson(await response.innerText()), { timeout: 15_000 }).toBe(true);
  } catch (error) {
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-failure.png'), fullPage: true });
    throw new Error(`GraphiQL's response is not JSON (screenshot: test/artifacts/graphiql-failure.png):\n${await response.innerText()}`, { cause: error });
  }
  return JSON.parse(normalise(await response.innerText())) as Record<string, unknown>;
}

// Monaco renders spaces as non-breaking spaces.
function normalise(text: string): string {
  return text.replace(/\u00a0/g, ' ');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(normalise(text));
    return true;
  } catch {
    return false;
  }
}

describe('GraphiQL at /graphql', () => {
  it('signs in with a typed mutation, then reads viewer with the token in the headers editor', async () => {
    const response = await page.goto(`${server.url}/graphql`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });

    // The headers editor comes pre-filled with the header to send (its tab opens because it is not empty).
    const headersTab = page.locator('.graphiql-editor-tools button', { hasText: 'Headers' });
    if (!(await headersTab.getAttribute('class'))?.includes('active')) await headersTab.click();
    await expect.poll(async () => normalise(await page.locator(`${HEADERS_EDITOR} .monaco-editor .view-lines`).innerText())).toMatch(
      /"Authorization": "Bearer <authToken from signIn>"/,
    );

    await typeOperation(SIGN_IN);
    const signedIn = (await runAndReadResult()) as { data: { signIn: { __typename: string; authToken: string; user: { username: string } } } };
    expect(signedIn.data.signIn.__typename).toBe('SignInSuccess');
    expect(signedIn.data.signIn.user.username).toBe(plain.username);
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-sign-in.png'), fullPage: true });

    await typeInto(HEADERS_EDITOR, JSON.stringify({ Authorization: `Bearer ${signedIn.data.signIn.authToken}` }));
    await typeOperation(VIEWER);
    const viewer = (await runAndReadResult()) as { data: { viewer: { username: string; email: string } } };
    expect(viewer.data.viewer).toEqual({ username: plain.username, email: plain.login });
    await saveScreenshot(page, 'graphiql.png', true);

    // The browser really went through plex.tv (the simulator): one sign-in, one user lookup with the token.
    expect(sim.count('signin')).toBe(1);
    expect(sim.count('user')).toBe(1);
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // The token typed into the headers editor is not kept in the browser.
    const stored = await page.evaluate(() => JSON.stringify(localStorage));
    expect(stored).not.toContain(signedIn.data.signIn.authToken.slice(0, 20));
  });
});
