// `npm run test:e2e` runs this first: one line naming the missing browser and how to install it, then exit 1.
import { existsSync } from 'node:fs';
import { CHROMIUM, CHROMIUM_MISSING } from './browser.js';

if (!existsSync(CHROMIUM)) {
  console.error(CHROMIUM_MISSING);
  process.exit(1);
}
