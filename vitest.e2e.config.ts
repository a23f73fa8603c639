import { defineConfig } from 'vitest/config';

// End-to-end tests in a real browser (headless Debian chromium via playwright-core): npm run test:e2e.
export default defineConfig({
  // Same as vitest.config.ts: load graphql's CJS build, the one Yoga uses, so `instanceof GraphQLError` holds.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser at a time: CI has two cores.
    fileParallelism: false,
    env: { NODE_ENV: 'test' },
  },
});
