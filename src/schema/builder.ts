import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
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
  // Federation last: it must see the resolvers the other plugins wrap.
  plugins: [ErrorsPlugin, ValidationPlugin, DirectivePlugin, FederationPlugin],
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
// graphql-scalars' URL lets `new URL()` throw a plain TypeError on a bad variable, which Yoga would mask as a 500.
builder.addScalarType('URL', URLResolver, {
  parseValue: (value) => {
    try {
      return URLResolver.parseValue(value) as URL;
    } catch {
      throw new InputValidationFailure([{ path: [], message: 'Expected an absolute URL, such as https://example.com/.' }]);
    }
  },
});
builder.addScalarType('CountryCode', CountryCodeResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({ description: 'The root of every read.' });
builder.mutationType({ description: 'The root of every write.' });
builder.subscriptionType({ description: 'The root of every live result, served over Server-Sent Events.' });
