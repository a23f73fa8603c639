import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the operations in operations/, generated from the committed, printed schema.graphql
// (npm run schema keeps it equal to the code).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['operations/**/*.graphql'],
  ignoreNoDocuments: false,
  // ESM with NodeNext resolution: generated imports carry their .js extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'operations/generated/': {
      preset: 'client',
      // persistedDocuments: a sha256 → document manifest (persisted-documents.json) for PERSISTED_OPERATIONS=only,
      // and each typed document carries its hash in `__meta__.hash`.
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          DateTime: 'string',
          EmailAddress: 'string',
          URL: 'string',
          CountryCode: 'string',
          JSONObject: 'Record<string, unknown>',
          ID: 'string',
        },
      },
    },
    // Apollo Client's InMemoryCache needs the union/interface members (SignInResult, Error) to match fragments.
    'operations/generated/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
  },
};

export default config;
