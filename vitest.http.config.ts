import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:http`: the harness-based suites again, with every request over real HTTP to a started server:
// through node:http, sockets and Yoga's Node adapter. Same tests, same expectations.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/viewer.test.ts',
      'test/sign-in.test.ts',
      'test/sign-out.test.ts',
      'test/secrets.test.ts',
      'test/metrics.test.ts',
      'test/metrics-deprecated.test.ts',
      'test/pin.test.ts',
      'test/viewer-cache.test.ts',
      'test/input-errors.test.ts',
      'test/account.test.ts',
    ],
    env: { ...base.test?.env, FACADE_TRANSPORT: 'http' },
  },
});
