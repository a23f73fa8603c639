import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import proxyAddr from 'proxy-addr';
import { GENERATE_HINT, parseSealingKeys, type SealingKeyring } from './auth/device.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
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

/** The environment variables of the security and resilience controls. */
const SECURITY_ENV = {
  TRUST_PROXY: trustProxy.optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('plex-account-graphql:'),
  SIGN_IN_LOGIN_FAILURES_PER_MINUTE: nonNegativeInt.default(5),
  SIGN_IN_LOGIN_FAILURES_PER_QUARTER_HOUR: nonNegativeInt.default(100),
  SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: nonNegativeInt.default(30),
  PIN_CREATIONS_PER_MINUTE: nonNegativeInt.default(10),
  PIN_POLLS_PER_MINUTE: nonNegativeInt.default(60),
  PIN_SUBSCRIPTIONS_PER_MINUTE: nonNegativeInt.default(30),
  RATE_LIMIT_PER_MINUTE: nonNegativeInt.default(0),
  MAX_REQUEST_BODY_BYTES: positiveInt.max(50 * 1024 * 1024).default(100 * 1024),
  REQUEST_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.max(600_000).default(10_000),
  SHUTDOWN_DRAIN_MS: nonNegativeInt.max(600_000).default(5_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveInt.max(600_000).default(5_000),
  MAX_CONNECTIONS: positiveInt.max(1_000_000).default(10_000),
  MAX_REQUEST_HEADERS: positiveInt.max(1_000).default(100),
  MAX_CONNECTIONS_PER_ADDRESS: positiveInt.max(1_000_000).default(1_024),
  CORS_ORIGINS: corsOrigins.optional(),
  GRAPHQL_INTROSPECTION: flag.optional(),
  FEDERATION_SDL: flag.optional(),
  GRAPHIQL: flag.optional(),
  GRAPHQL_MAX_DEPTH: positiveInt.max(100).default(10),
  GRAPHQL_MAX_ALIASES: nonNegativeInt.max(1000).default(15),
  GRAPHQL_MAX_TOKENS: positiveInt.max(100_000).default(1000),
  GRAPHQL_MAX_DIRECTIVES: nonNegativeInt.max(1000).default(20),
  GRAPHQL_MAX_COST: positiveInt.max(1_000_000).default(5000),
  PLEX_MAX_CONCURRENCY: positiveInt.max(10_000).default(1_024),
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
    /** Failed sign-ins per (login, client address) per minute before SignInThrottledError; 0 turns the check off. */
    readonly loginFailuresPerMinute: number;
    /**
     * Failed sign-ins per login per 15 minutes, from all addresses together; 0 turns the check off. Set above what one
     * address can reach under the per-minute limit, so that only a distributed attack locks the owner out.
     */
    readonly loginFailuresPerQuarterHour: number;
    /** Sign-in attempts per client address per minute; 0 turns the check off. */
    readonly addressAttemptsPerMinute: number;
  };
  /** Limits on the PIN sign-in; each 0 turns its check off. Over a limit: RATE_LIMITED, plex.tv not called. */
  readonly pins: {
    /** `createSignInPin` calls per client address per minute. */
    readonly creationsPerMinute: number;
    /** `Query.signInPin` checks of one PIN per client address per minute (per (address, PIN id)). */
    readonly pollsPerMinute: number;
    /** New `Subscription.signInPin` streams per client address per minute. */
    readonly subscriptionsPerMinute: number;
  };
  /** GraphQL requests per client address per minute; 0 (the default) turns the limit off. */
  readonly rateLimitPerMinute: number;
  readonly maxRequestBodyBytes: number;
  /** Header fields a request may carry; more get 431. */
  readonly maxRequestHeaders: number;
  readonly requestTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /**
   * On SIGTERM, how long the server keeps serving everything (new connections too) while /health answers 503 and
   * responses close their connections, so that load balancers stop sending before it stops accepting.
   */
  readonly shutdownDrainMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections in all, and from one peer address (trusted proxies excepted). */
  readonly connections: { readonly max: number; readonly maxPerAddress: number };
  /** Browser origins allowed with credentials; empty: any origin, never with credentials. */
  readonly corsOrigins: readonly string[];
  readonly introspection: boolean;
  /** Serves `_service { sdl }` (the subgraph SDL a gateway may fetch); follows `introspection` unless FEDERATION_SDL is set. */
  readonly subgraphSdl: boolean;
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

function securityConfig(e: SecurityEnv, production: boolean): SecurityConfig {
  return {
    trustProxy: e.TRUST_PROXY ?? false,
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    signIn: {
      loginFailuresPerMinute: e.SIGN_IN_LOGIN_FAILURES_PER_MINUTE,
      loginFailuresPerQuarterHour: e.SIGN_IN_LOGIN_FAILURES_PER_QUARTER_HOUR,
      addressAttemptsPerMinute: e.SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE,
    },
    pins: {
      creationsPerMinute: e.PIN_CREATIONS_PER_MINUTE,
      pollsPerMinute: e.PIN_POLLS_PER_MINUTE,
      subscriptionsPerMinute: e.PIN_SUBSCRIPTIONS_PER_MINUTE,
    },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_BYTES,
    maxRequestHeaders: e.MAX_REQUEST_HEADERS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    connections: { max: e.MAX_CONNECTIONS, maxPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS },
    corsOrigins: (e.CORS_ORIGINS ?? []).filter((origin) => origin !== '*'),
    introspection: e.GRAPHQL_INTROSPECTION ?? !production,
    subgraphSdl: e.FEDERATION_SDL ?? e.GRAPHQL_INTROSPECTION ?? !production,
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

function plexResilienceConfig(e: SecurityEnv): PlexResilienceConfig {
  return {
    maxConcurrency: e.PLEX_MAX_CONCURRENCY,
    userRetries: e.PLEX_USER_RETRIES,
    breakerFailures: e.PLEX_BREAKER_FAILURES,
    breakerCooldownMs: e.PLEX_BREAKER_COOLDOWN_MS,
  };
}


const EnvSchema = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PLEX_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://plex.tv' })
    .default('https://plex.tv')
    .transform((url) => url.replace(/\/+$/, '')),
  PLEX_CLIENT_IDENTIFIER: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  PLEX_PRODUCT: z.string().trim().min(1).max(255).default('Plex Account GraphQL'),
  PLEX_VERSION: z.string().trim().min(1).max(64).default('0.1.0'),
  PLEX_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  PLEX_AUTH_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://app.plex.tv/auth' })
    .default('https://app.plex.tv/auth'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://plex-demo.example.com' })
    .refine((url) => !/[?#]/.test(url), 'must have no query string or fragment')
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  PLEX_AUTH_MODE: z.enum(['legacy', 'jwt']).default('legacy'),
  // Checked by parseSealingKeys (authConfig below), whose problems never quote the value.
  AUTH_SEALING_KEY: z.string().optional(),
  PIN_POLL_INTERVAL_MS: positiveInt.min(50).max(60_000).default(1_000),
  PIN_WATCH_MAX: positiveInt.max(100_000).default(1_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PERSISTED_OPERATIONS: z.enum(['off', 'only']).default('off'),
  PERSISTED_OPERATIONS_MANIFEST: z.string().trim().min(1).optional(),
  VIEWER_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  VIEWER_CACHE_MAX_ENTRIES: positiveInt.max(1_000_000).default(5_000),
  NODE_ENV: z.string().optional(),
  ...SECURITY_ENV,
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly plex: {
    readonly baseUrl: string;
    readonly clientIdentifier: string;
    /** True when no PLEX_CLIENT_IDENTIFIER was set and one was generated for this process. */
    readonly clientIdentifierGenerated: boolean;
    readonly product: string;
    readonly version: string;
    readonly timeoutMs: number;
    /** Concurrency cap, GET /user retries and the circuit breaker around plex.tv. */
    readonly resilience: PlexResilienceConfig;
    /** The page a user approves a sign-in PIN on (plex.tv: https://app.plex.tv/auth; the simulator has its own). */
    readonly authUrl: string;
  };
  /**
   * The address clients reach this service at (PUBLIC_URL: scheme, host and any path prefix), when a proxy in front
   * changes it. Unset: each request's Host (X-Forwarded-Host/-Proto from proxies TRUST_PROXY trusts). Mock mode builds
   * the simulator's addresses (approval page, avatars, QR images) from it.
   */
  readonly publicUrl: string | undefined;
  /**
   * `legacy`: PIN sign-ins get plex.tv's classic tokens. `jwt`: each PIN sign-in is a device with its own key and gets a
   * 7-day Plex JWT plus a sealed refresh credential (docs/plex-auth.md). Password sign-in is legacy in both.
   */
  readonly auth: {
    readonly mode: 'legacy' | 'jwt';
    /** AUTH_SEALING_KEY: seals refresh credentials (the first key) and opens them (every key). Required in jwt mode. */
    readonly sealingKeys: SealingKeyring | null;
  };
  readonly pins: {
    /** How often the signInPin subscription polls plex.tv for one PIN. */
    readonly pollIntervalMs: number;
    /** How many PINs the signInPin subscription watches at once, across all subscribers. */
    readonly maxWatched: number;
  };
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly persistedOperations: {
    /** `off`: any document runs, and manifest ids are accepted too. `only`: only documents in the manifest run. */
    readonly mode: 'off' | 'only';
    /** A `{ "<sha256>": "<document>" }` file; unset means the one codegen writes to operations/generated/. */
    readonly manifestPath: string | undefined;
  };
  /**
   * A short-lived, per-process cache of the account behind a token (keyed by a keyed hash of the token), sparing plex.tv
   * when a frontend refetches `viewer`. `ttlMs` 0 (the default) turns it off: a token revoked elsewhere stays usable on
   * an instance for at most `ttlMs`.
   */
  readonly viewerCache: { readonly ttlMs: number; readonly maxEntries: number };
  readonly production: boolean;
  /** Abuse limits, throttles, CSRF/CORS, body and time limits, production hardening. */
  readonly security: SecurityConfig;
}

/**
 * PLEX_AUTH_MODE and AUTH_SEALING_KEY. The key is required in jwt mode; when set in legacy mode it is still checked and
 * used, so refresh credentials handed out before a switch back to legacy keep working. A problem names the variable,
 * never its value.
 */
function authConfig(
  mode: string | undefined,
  sealingKey: string | undefined,
): { ok: true; auth: Config['auth'] } | { ok: false; problem: string } {
  const jwt = mode === 'jwt';
  if (!jwt && sealingKey === undefined) return { ok: true, auth: { mode: 'legacy', sealingKeys: null } };
  if (sealingKey === undefined) return { ok: false, problem: `AUTH_SEALING_KEY is required with PLEX_AUTH_MODE=jwt (it seals refresh tokens): ${GENERATE_HINT}` };
  const keys = parseSealingKeys(sealingKey);
  if (!keys.ok) return { ok: false, problem: keys.problem };
  return { ok: true, auth: { mode: jwt ? 'jwt' : 'legacy', sealingKeys: keys.keyring } };
}

/** zod's generic messages, said the way the configuration table says them (messages a schema sets win over these). */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number') return 'must be a number';
      if (issue.expected === 'int') return 'must be a whole number';
      return undefined;
    case 'too_small':
      return issue.origin === 'number' ? `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}` : undefined;
    case 'too_big':
      return issue.origin === 'number' ? `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}` : undefined;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses the environment into a typed Config, reporting every bad variable at once. Pure: reads only `env`. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present, { error: plainMessage });
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  const auth = authConfig(present['PLEX_AUTH_MODE'], present['AUTH_SEALING_KEY']);
  if (!auth.ok) problems.push(auth.problem);
  if (!parsed.success || !auth.ok) return { ok: false, problems };
  const e = parsed.data;
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      plex: {
        baseUrl: e.PLEX_API_URL,
        clientIdentifier: e.PLEX_CLIENT_IDENTIFIER ?? randomUUID(),
        clientIdentifierGenerated: e.PLEX_CLIENT_IDENTIFIER === undefined,
        product: e.PLEX_PRODUCT,
        version: e.PLEX_VERSION,
        timeoutMs: e.PLEX_TIMEOUT_MS,
        resilience: plexResilienceConfig(e),
        authUrl: e.PLEX_AUTH_URL,
      },
      publicUrl: e.PUBLIC_URL,
      auth: auth.auth,
      pins: { pollIntervalMs: e.PIN_POLL_INTERVAL_MS, maxWatched: e.PIN_WATCH_MAX },
      logLevel: e.LOG_LEVEL,
      persistedOperations: { mode: e.PERSISTED_OPERATIONS, manifestPath: e.PERSISTED_OPERATIONS_MANIFEST },
      viewerCache: { ttlMs: e.VIEWER_CACHE_TTL_MS, maxEntries: e.VIEWER_CACHE_MAX_ENTRIES },
      production: e.NODE_ENV === 'production',
      security: securityConfig(e, e.NODE_ENV === 'production'),
    },
  };
}
