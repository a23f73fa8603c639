import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql ships CJS (main) and ESM (module) builds; Yoga loads the CJS one, so the code under test must too, or
  // `instanceof GraphQLError` fails across the two copies and Yoga masks this service's own errors.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Browser tests run on their own: npm run test:e2e (vitest.e2e.config.ts); so does the deployment test:
    // npm run test:deploy (vitest.deploy.config.ts).
    exclude: [...configDefaults.exclude, 'test/e2e/**', 'test/deployment/**'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    // Tests only ever talk to servers they start on loopback.
    env: { NODE_ENV: 'test' },
  },
});
