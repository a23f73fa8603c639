import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    // Tests only ever talk to servers they start on loopback.
    env: { NODE_ENV: 'test' },
  },
});
