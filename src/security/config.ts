import proxyAddr from 'proxy-addr';
import { z } from 'zod';

const nonNegativeInt = z.coerce.number().int().min(0);
const positiveInt = z.coerce.number().int().positive();
const flag = z.stringbool({ truthy: ['true', '1', 'on', 'yes'], falsy: ['false', '0', 'off', 'no'] });

/** `false`, a hop count, or a comma list of addresses, CIDR ranges and proxy-addr names (loopback, linklocal, uniquelocal). */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): TrustProxy => {
    if (/^(false|no|off)$/i.test(value)) return false;
    if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    try {
      proxyAddr.compile(entries);
      return entries;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be false, a hop count such as 1, or a comma list of addresses/CIDR ranges (e.g. 10.0.0.0/8,loopback)',
      });
      return z.NEVER;
    }
  });

const corsOrigins = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const origins = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    for (const origin of origins) {
      if (origin === '*') continue;
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `"${origin.slice(0, 100)}" is not an origin such as https://app.example.com (no path, no trailing slash)` });
        return z.NEVER;
      }
    }
    return origins;
  });

/** The environment variables of the security and resilience controls; spread into the main env schema. */
export const SECURITY_ENV = {
  TRUST_PROXY: trustProxy.optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('plex-account-graphql:'),
  SIGN_IN_LOGIN_FAILURES_PER_MINUTE: nonNegativeInt.default(5),
  SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: nonNegativeInt.default(30),
  RATE_LIMIT_PER_MINUTE: nonNegativeInt.default(0),
  MAX_REQUEST_BODY_BYTES: positiveInt.max(50 * 1024 * 1024).default(100 * 1024),
  REQUEST_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.max(600_000).default(10_000),
  CORS_ORIGINS: corsOrigins.optional(),
  GRAPHQL_INTROSPECTION: flag.optional(),
  GRAPHIQL: flag.optional(),
  GRAPHQL_MAX_DEPTH: positiveInt.max(100).default(10),
  GRAPHQL_MAX_ALIASES: nonNegativeInt.max(1000).default(15),
  GRAPHQL_MAX_TOKENS: positiveInt.max(100_000).default(1000),
  GRAPHQL_MAX_DIRECTIVES: nonNegativeInt.max(1000).default(20),
  GRAPHQL_MAX_COST: positiveInt.max(1_000_000).default(5000),
  PLEX_MAX_CONCURRENCY: positiveInt.max(10_000).default(64),
  PLEX_USER_RETRIES: nonNegativeInt.max(2).default(2),
  PLEX_BREAKER_FAILURES: positiveInt.max(1000).default(5),
  PLEX_BREAKER_COOLDOWN_MS: positiveInt.max(600_000).default(15_000),
} as const;

type SecurityEnv = z.infer<z.ZodObject<typeof SECURITY_ENV>>;

export type TrustProxy = false | number | string[];

export interface SecurityConfig {
  /** Which X-Forwarded-For hops are believed; false: only the socket address counts. */
  readonly trustProxy: TrustProxy;
  readonly redis: { readonly url: string | undefined; readonly keyPrefix: string };
  readonly signIn: {
    /** Failed sign-ins per login per minute before SignInThrottledError; 0 turns the check off. */
    readonly loginFailuresPerMinute: number;
    /** Sign-in attempts per client address per minute; 0 turns the check off. */
    readonly addressAttemptsPerMinute: number;
  };
  /** GraphQL requests per client address per minute; 0 (the default) turns the limit off. */
  readonly rateLimitPerMinute: number;
  readonly maxRequestBodyBytes: number;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** Browser origins allowed with credentials; empty: any origin, never with credentials. */
  readonly corsOrigins: readonly string[];
  readonly introspection: boolean;
  readonly graphiql: boolean;
  /** Blocks "Did you mean …" suggestions in error messages. */
  readonly hideSuggestions: boolean;
  readonly limits: {
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxTokens: number;
    readonly maxDirectives: number;
    readonly maxCost: number;
  };
}

export interface PlexResilienceConfig {
  /** Upstream calls in flight at once across the process; more wait in line (within their deadline). */
  readonly maxConcurrency: number;
  /** Extra attempts for GET /user after a timeout, 5xx, 429 or network error; sign-in is never retried. */
  readonly userRetries: number;
  /** Consecutive upstream failures that open the circuit. */
  readonly breakerFailures: number;
  /** How long an open circuit fails fast before letting one probe through. */
  readonly breakerCooldownMs: number;
}

export function securityConfig(e: SecurityEnv, production: boolean): SecurityConfig {
  return {
    trustProxy: e.TRUST_PROXY ?? false,
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    signIn: {
      loginFailuresPerMinute: e.SIGN_IN_LOGIN_FAILURES_PER_MINUTE,
      addressAttemptsPerMinute: e.SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE,
    },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    corsOrigins: (e.CORS_ORIGINS ?? []).filter((origin) => origin !== '*'),
    introspection: e.GRAPHQL_INTROSPECTION ?? !production,
    graphiql: e.GRAPHIQL ?? !production,
    hideSuggestions: production,
    limits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxCost: e.GRAPHQL_MAX_COST,
    },
  };
}

export function plexResilienceConfig(e: SecurityEnv): PlexResilienceConfig {
  return {
    maxConcurrency: e.PLEX_MAX_CONCURRENCY,
    userRetries: e.PLEX_USER_RETRIES,
    breakerFailures: e.PLEX_BREAKER_FAILURES,
    breakerCooldownMs: e.PLEX_BREAKER_COOLDOWN_MS,
  };
}
