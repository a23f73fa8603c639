import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';

/** The `extensions.code` values of requests refused by the abuse and transport controls. */
export const SecurityErrorCode = {
  /** Over a depth, alias, token, directive or cost limit (HTTP 400). */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** More than one `signIn` in one operation, counting aliases and fragments (HTTP 400). */
  MULTIPLE_SIGN_IN: 'MULTIPLE_SIGN_IN',
  /** A JSON array of operations in one request (HTTP 400). */
  BATCHING_NOT_ALLOWED: 'BATCHING_NOT_ALLOWED',
  /** A simple (non-preflighted) cross-site request without a preflight header (HTTP 403). */
  CSRF_REJECTED: 'CSRF_REJECTED',
  /** Over the per-address request limit (HTTP 429 with Retry-After). */
  RATE_LIMITED: 'RATE_LIMITED',
} as const;

// `spec: true`: clients that only accept application/json get 200, as the GraphQL-over-HTTP spec asks.
const BAD_REQUEST = { status: 400, spec: true } as const;

export function operationLimitExceeded(detail: string): GraphQLError {
  return createGraphQLError(`The operation is over a limit: ${detail}`, {
    extensions: { code: SecurityErrorCode.OPERATION_LIMIT_EXCEEDED, http: BAD_REQUEST },
  });
}

export function multipleSignIn(): GraphQLError {
  return createGraphQLError('An operation may contain at most one signIn (aliases and fragments included).', {
    extensions: { code: SecurityErrorCode.MULTIPLE_SIGN_IN, http: BAD_REQUEST },
  });
}

export function batchingNotAllowed(): GraphQLError {
  return createGraphQLError('Send one operation per request: batched (array) requests are not accepted.', {
    extensions: { code: SecurityErrorCode.BATCHING_NOT_ALLOWED, http: { status: 400 } },
  });
}

export function csrfRejected(): GraphQLError {
  return createGraphQLError(
    'This request could be a cross-site request forgery: send it as application/json, or add the "x-graphql-csrf" header.',
    { extensions: { code: SecurityErrorCode.CSRF_REJECTED, http: { status: 403 } } },
  );
}
