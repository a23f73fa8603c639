import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { prerequisiteError } from '../support/prerequisite.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
export const CHROMIUM_MISSING = `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) to run the e2e tests`;
/** Where the README's screenshots live; written only by `npm run docs:images` (DOCS_IMAGES=1). */
export const DOCS_IMAGES = new URL('../../docs/images/', import.meta.url).pathname;

/** Saves a screenshot the README shows: always under test/artifacts/, and under docs/images/ when DOCS_IMAGES=1. */
export async function saveScreenshot(target: { screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown> }, name: string, fullPage = false): Promise<void> {
  await target.screenshot({ path: join(ARTIFACTS, name), fullPage });
  if (process.env['DOCS_IMAGES'] === '1') {
    mkdirSync(DOCS_IMAGES, { recursive: true });
    copyFileSync(join(ARTIFACTS, name), join(DOCS_IMAGES, name));
  }
}

/** Fails with one line naming the missing browser; the tests never install system packages themselves. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw prerequisiteError(CHROMIUM_MISSING);
}

const profiles = new WeakMap<BrowserContext, string>();
const leftovers = new Set<string>();

function removeProfile(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  leftovers.delete(dir);
}

// A run that ends without closing its browser (a failed hook, a crash) still leaves no profile behind.
process.once('exit', () => leftovers.forEach(removeProfile));

/**
 * Headless Chromium with the flags that work on a machine without outside network, in a fresh profile
 * (Playwright takes the profile directory as launchPersistentContext's argument, not as --user-data-dir).
 * Close it with closeBrowser(), which also removes the profile.
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<BrowserContext> {
  requireChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'facade-chromium-'));
  leftovers.add(userDataDir);
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        ...extraArgs,
      ],
    });
    profiles.set(context, userDataDir);
    return context;
  } catch (error) {
    removeProfile(userDataDir);
    throw error;
  }
}

/** The profile directory (user-data-dir) the browser runs in. */
export function profileDir(context: BrowserContext): string | undefined {
  return profiles.get(context);
}

/** Closes the browser (Chromium has exited when this resolves) and removes its profile directory. */
export async function closeBrowser(context: BrowserContext | undefined): Promise<void> {
  if (!context) return;
  try {
    await context.close();
  } finally {
    const dir = profiles.get(context);
    if (dir) removeProfile(dir);
  }
}
