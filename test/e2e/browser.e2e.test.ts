import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeBrowser, launchBrowser, profileDir } from './browser.js';

describe('the test browser', () => {
  it('runs Chromium in a fresh profile of its own and removes that profile when it closes', async () => {
    const browser = await launchBrowser();
    const dir = profileDir(browser);
    try {
      expect(dir).toBeDefined();
      expect(dirname(dir!)).toBe(tmpdir());
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.setContent('<p id="p">profile check</p>');
      await expect(page.locator('#p').innerText()).resolves.toBe('profile check');
      // Chromium has written its profile there.
      expect(readdirSync(dir!).length).toBeGreaterThan(0);
    } finally {
      await closeBrowser(browser);
    }
    expect(existsSync(dir!)).toBe(false);
  });
});
