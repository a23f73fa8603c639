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
      presetConfig: { fragmentMasking: false },
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
  },
};

export default config;
