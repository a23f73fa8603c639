import { createGraphQLError } from 'graphql-yoga';
import { GraphQLError } from 'graphql';

/**
 * Every `extensions.code` a client can receive, ours and those Yoga and graphql-js write themselves. The README's
 * error table (docs) lists the same set; no other module writes a code as a string literal.
 */
export const ErrorCode = {
  /** No token, or plex.tv rejected it, or a local check did (then `extensions.reason` says why: UnauthenticatedReason). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /**
   * plex.tv is rate limiting (429), or this service is: per-address requests, PINs created, checked or followed per
   * address, too many PINs watched.
   */
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  /** plex.tv unreachable or 5xx, the circuit is open, or too many plex.tv calls are already waiting. */
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** PERSISTED_OPERATIONS=only and the request carried a document's text instead of its id. */
  PERSISTED_QUERY_ONLY: 'PERSISTED_QUERY_ONLY',
  /** The request carried a document id that is not in the persisted-operations manifest. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Over a depth, alias, token, directive or cost limit (HTTP 400). */
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  /** More than one `signIn` in one operation, counting aliases and fragments (HTTP 400). */
  MULTIPLE_SIGN_IN: 'MULTIPLE_SIGN_IN',
  /** Over the per-operation budget of another plex.tv-calling field: createSignInPin, signOut, refreshAuthToken, switchHomeUser, revokeDevice, signInPin (HTTP 400). */
  PLEX_CALL_BUDGET_EXCEEDED: 'PLEX_CALL_BUDGET_EXCEEDED',
  /** A JSON array of operations in one request (HTTP 400). */
  BATCHING_NOT_ALLOWED: 'BATCHING_NOT_ALLOWED',
  /** A simple (non-preflighted) cross-site request without a preflight header (HTTP 403). */
  CSRF_REJECTED: 'CSRF_REJECTED',
  /** More request header fields than LIMITS.http.maxRequestHeaders (HTTP 431). */
  REQUEST_HEADER_FIELDS_TOO_LARGE: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  /** The last event of a subscription whose server instance is stopping: subscribe again (another instance answers). */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  // Written by Yoga and graphql-js; listed so that every code a client sees is named here.
  BAD_REQUEST: 'BAD_REQUEST',
  REQUEST_ENTITY_TOO_LARGE: 'REQUEST_ENTITY_TOO_LARGE',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Why a token was refused, in `extensions.reason` next to UNAUTHENTICATED. Absent when there was no usable token or
 * plex.tv itself rejected the token (401/403/422): then only signing in again helps.
 */
export const UnauthenticatedReason = {
  /** A Plex JWT past its `exp` (checked here without calling plex.tv, or plex.tv answered 498): refreshAuthToken, then retry. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** A JWT that plex.tv did not sign (forged, altered, not for plex.tv, malformed), checked here without calling plex.tv: sign in again. */
  INVALID_TOKEN: 'INVALID_TOKEN',
} as const;
export type UnauthenticatedReason = (typeof UnauthenticatedReason)[keyof typeof UnauthenticatedReason];

// `spec: true`: 400 for application/graphql-response+json; legacy application/json clients get 200 (GraphQL over HTTP).
export const BAD_REQUEST_HTTP = { status: 400, spec: true } as const;

export function unauthenticated(message = 'Sign in first: send the Plex token as "Authorization: Bearer <token>" or "X-Plex-Token: <token>".'): GraphQLError {
  return createGraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function tokenExpired(): GraphQLError {
  return createGraphQLError('The token has expired: get a new one with refreshAuthToken, or sign in again.', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, reason: UnauthenticatedReason.TOKEN_EXPIRED },
  });
}

export function invalidToken(): GraphQLError {
  return createGraphQLError('The token was not issued by plex.tv: sign in again.', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, reason: UnauthenticatedReason.INVALID_TOKEN },
  });
}

export function rateLimited(retryAfterSeconds: number | null, message = 'plex.tv is rate limiting requests; retry later.'): GraphQLError {
  return createGraphQLError(message, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }),
    },
  });
}

export function upstreamTimeout(timeoutMs: number): GraphQLError {
  return createGraphQLError(`plex.tv did not answer within ${timeoutMs} ms.`, {
    extensions: { code: ErrorCode.UPSTREAM_TIMEOUT },
  });
}

export function upstreamUnavailable(message = 'plex.tv is unavailable right now.'): GraphQLError {
  return createGraphQLError(message, { extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE } });
}

export function upstreamBadResponse(): GraphQLError {
  return createGraphQLError('plex.tv sent a response this service could not understand.', {
    extensions: { code: ErrorCode.UPSTREAM_BAD_RESPONSE },
  });
}

export function operationLimitExceeded(detail: string): GraphQLError {
  return createGraphQLError(`The operation is over a limit: ${detail}`, {
    extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, http: BAD_REQUEST_HTTP },
  });
}

export function multipleSignIn(): GraphQLError {
  return createGraphQLError('An operation may contain at most one signIn (aliases and fragments included).', {
    extensions: { code: ErrorCode.MULTIPLE_SIGN_IN, http: BAD_REQUEST_HTTP },
  });
}

export function plexCallBudgetExceeded(field: string, limit: number, found: number): GraphQLError {
  const times = limit === 1 ? 'once' : `${limit} times`;
  return createGraphQLError(
    `An operation may select ${field} at most ${times} (aliases, repeats and fragments included); this one selects it ${found} times.`,
    { extensions: { code: ErrorCode.PLEX_CALL_BUDGET_EXCEEDED, http: BAD_REQUEST_HTTP } },
  );
}

/** `_service { sdl }` asked for while the schema is hidden (introspection and the subgraph SDL off). */
export function subgraphSdlDisabled(): GraphQLError {
  return createGraphQLError(
    'Introspection is disabled, and so is the field "_service". A gateway composes this subgraph from its published schema.subgraph.graphql.',
    { extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, http: BAD_REQUEST_HTTP } },
  );
}

export function batchingNotAllowed(): GraphQLError {
  return createGraphQLError('Send one operation per request: batched (array) requests are not accepted.', {
    extensions: { code: ErrorCode.BATCHING_NOT_ALLOWED, http: { status: 400 } },
  });
}

export function csrfRejected(): GraphQLError {
  return createGraphQLError(
    'This request could be a cross-site request forgery: send it as application/json, or add the "x-graphql-csrf" header.',
    { extensions: { code: ErrorCode.CSRF_REJECTED, http: { status: 403 } } },
  );
}

export function shuttingDown(): GraphQLError {
  return createGraphQLError('This server instance is shutting down: subscribe again to carry on (another instance will answer).', {
    extensions: { code: ErrorCode.SHUTTING_DOWN },
  });
}

export interface InputIssue {
  readonly path: string[];
  readonly message: string;
}

/**
 * Input that failed its zod schema. `signIn` returns it as the ValidationError member of its union; on any other
 * field it is a GraphQL error with code BAD_USER_INPUT.
 */
export class InputValidationFailure extends GraphQLError {
  readonly issues: readonly InputIssue[];
  /** `requestError`: the whole operation is refused before it runs (HTTP 400, like a variable that fails coercion). */
  constructor(issues: readonly InputIssue[], requestError = false) {
    super('The input is not valid.', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, issues, ...(requestError ? { http: BAD_REQUEST_HTTP } : {}) },
    });
    this.issues = issues;
  }
}

/**
 * A reason the server cannot start that the person starting it can fix: `main.ts` prints it as one line (problem and
 * fix, no stack trace) and exits with code 1. Not a GraphQL error.
 */
export class StartupError extends Error {
  constructor(problem: string, fix: string, options?: { cause?: unknown }) {
    super(`${problem}. ${fix}.`, options);
    this.name = 'StartupError';
  }
}
