import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ValidationPlugin from '@pothos/plugin-validation';
import {
  CountryCodeResolver,
  DateTimeResolver,
  EmailAddressResolver,
  JSONObjectResolver,
  URLResolver,
} from 'graphql-scalars';
import type { Context } from '../context.js';
import { InputValidationFailure } from '../errors.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    EmailAddress: { Input: string; Output: string };
    URL: { Input: URL; Output: URL | string };
    CountryCode: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}>({
  plugins: [ErrorsPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  errors: {
    defaultTypes: [],
    // signIn reports invalid input as a ValidationError member of its result union.
    unsafelyHandleInputErrors: true,
  },
  validation: {
    validationError: (result) =>
      new InputValidationFailure(
        result.issues.map((issue) => ({
          path: (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)),
          message: issue.message,
        })),
      ),
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('EmailAddress', EmailAddressResolver);
builder.addScalarType('URL', URLResolver);
builder.addScalarType('CountryCode', CountryCodeResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({ description: 'The root of every read.' });
builder.mutationType({ description: 'The root of every write.' });
