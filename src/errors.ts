import { createGraphQLError } from 'graphql-yoga';
import { GraphQLError } from 'graphql';

/** The `extensions.code` values this API returns. The README's error table lists the same set. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_BAD_RESPONSE: 'UPSTREAM_BAD_RESPONSE',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** PERSISTED_OPERATIONS=only and the request carried a document's text instead of its id. */
  PERSISTED_QUERY_ONLY: 'PERSISTED_QUERY_ONLY',
  /** The request carried a document id that is not in the persisted-operations manifest. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function unauthenticated(message = 'Sign in first: send the Plex token as "Authorization: Bearer <token>" or "X-Plex-Token: <token>".'): GraphQLError {
  return createGraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function rateLimited(retryAfterSeconds: number | null): GraphQLError {
  return createGraphQLError('plex.tv is rate limiting requests; retry later.', {
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

export function upstreamUnavailable(): GraphQLError {
  return createGraphQLError('plex.tv is unavailable right now.', {
    extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE },
  });
}

export function upstreamBadResponse(): GraphQLError {
  return createGraphQLError('plex.tv sent a response this service could not understand.', {
    extensions: { code: ErrorCode.UPSTREAM_BAD_RESPONSE },
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
  constructor(issues: readonly InputIssue[]) {
    super('The input is not valid.', { extensions: { code: ErrorCode.BAD_USER_INPUT, issues } });
    this.issues = issues;
  }
}
