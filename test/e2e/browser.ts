import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
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

/** Installs Debian's chromium when it is missing (CI machines start without it). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], {
    stdio: 'inherit',
    timeout: 600_000,
  });
}

/**
 * Headless Chromium with the flags that work on a machine without outside network, in a fresh profile
 * (Playwright takes the profile directory as launchPersistentContext's argument, not as --user-data-dir).
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<BrowserContext> {
  ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'facade-chromium-'));
  return chromium.launchPersistentContext(userDataDir, {
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
}
