import { defineConfig } from 'vitest/config';

// `npm run test:deploy`: many instances behind nginx, on real processes (test/deployment/). Needs nginx and
// redis-server installed; builds dist/ first. A few minutes; one file at a time.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/deployment/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    // The deployment runs as in production; the test process itself is a client.
    env: { NODE_ENV: 'test' },
  },
});
