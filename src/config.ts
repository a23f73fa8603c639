import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import proxyAddr from 'proxy-addr';
import { GENERATE_HINT, generateSealingKey, parseSealingKeys } from './auth/device.js';
import { ABUSE_LIMITS } from './security/limits.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Limits and tunables: named constants, not environment variables (nobody should have to read about them to run the
 * service). In-process tests override them through the factories (`createYogaServer({ config, logger, limits })`).
 */
export const LIMITS = {
  plex: {
    /** One deadline per plex.tv call (connect, headers, body): plex.tv answers in well under a second when healthy. */
    timeoutMs: 10_000,
    /** Connections to plex.tv, so calls in flight at once: serves 1000 concurrent clients at plex.tv's latency. */
    maxConcurrency: 1_024,
    /** Extra attempts of GET /user after a timeout, 5xx, 429 or network error, inside the one deadline. */
    userRetries: 2,
    /** Consecutive failed calls that open the circuit: a plex.tv outage then fails fast instead of piling up. */
    breakerFailures: 5,
    /** How long an open circuit fails fast before one probe goes through. */
    breakerCooldownMs: 15_000,
  },
  pins: {
    /** How often a followed PIN is checked at plex.tv: a user approving a PIN waits at most this long. */
    pollIntervalMs: 1_000,
  },
  /** Tokens the viewer cache holds (least recently used are evicted): bounds its memory to a few MB. */
  viewerCacheMaxEntries: 5_000,
  /** Operation limits (graphql-armor): generous for every operation in operations/, tight for abuse. */
  operations: { maxDepth: 10, maxAliases: 15, maxTokens: 1_000, maxDirectives: 20, maxCost: 5_000 },
  http: {
    /** A client that has not sent its whole request by then gets 408 (slow-loris). */
    requestTimeoutMs: 30_000,
    /** Idle keep-alive connections close after this: longer than the 4 s of nginx's and most proxies' pools. */
    keepAliveTimeoutMs: 5_000,
    /** Open client connections in all: below a default file-descriptor limit of 65536 with room to spare. */
    maxConnections: 10_000,
    /** Header fields a request may carry; more get 431 (browsers send about 20). */
    maxRequestHeaders: 100,
    /** After the drain, how long requests in flight may take: one plex.tv deadline, the longest any request waits. */
    shutdownTimeoutMs: 10_000,
  },
  /** What a hostile client meets (src/security/limits.ts says why each is what it is). */
  abuse: ABUSE_LIMITS,
};

export type Limits = typeof LIMITS;
/** What a test overrides: any field of any group. */
export type LimitOverrides = { readonly [K in keyof Limits]?: Limits[K] extends number ? number : Partial<Limits[K]> };

/** The limits with `overrides` applied, group by group. */
export function withLimits(overrides: LimitOverrides = {}): Limits {
  const merged: Record<string, unknown> = { ...LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    const base = (LIMITS as Record<string, unknown>)[key];
    merged[key] = typeof value === 'object' && value !== null ? { ...(base as object), ...value } : value;
  }
  return merged as Limits;
}

const PRODUCT = 'Plex Account GraphQL';

/** Environment variables the server no longer reads, and what replaced each: a warning at start when one is set. */
const REPLACED: Readonly<Record<string, string>> = {
  PLEX_VERSION: 'X-Plex-Version is the version in package.json',
  PLEX_PRODUCT: `X-Plex-Product is always "${PRODUCT}"; PLEX_CLIENT_IDENTIFIER tells deployments apart`,
  PLEX_AUTH_URL: 'the approval page follows PLEX_API_URL (https://app.plex.tv/auth for plex.tv, <PLEX_API_URL>/simulator/approve otherwise)',
  SIGN_IN_LOGIN_FAILURES_PER_QUARTER_HOUR: 'it is 20 × SIGN_IN_LOGIN_FAILURES_PER_MINUTE',
  PIN_CREATIONS_PER_MINUTE: 'it follows SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE (a third of it)',
  PIN_POLLS_PER_MINUTE: 'it follows SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE (twice it)',
  PIN_SUBSCRIPTIONS_PER_MINUTE: 'it follows SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE (the same)',
  GRAPHIQL: 'GraphiQL follows GRAPHQL_INTROSPECTION',
  FEDERATION_SDL: '_service { sdl } follows GRAPHQL_INTROSPECTION; a gateway should compose from schema.subgraph.graphql',
  ...Object.fromEntries(
    [
      'PLEX_TIMEOUT_MS',
      'PLEX_MAX_CONCURRENCY',
      'PLEX_USER_RETRIES',
      'PLEX_BREAKER_FAILURES',
      'PLEX_BREAKER_COOLDOWN_MS',
      'PIN_POLL_INTERVAL_MS',
      'PIN_WATCH_MAX',
      'VIEWER_CACHE_MAX_ENTRIES',
      'GRAPHQL_MAX_DEPTH',
      'GRAPHQL_MAX_ALIASES',
      'GRAPHQL_MAX_TOKENS',
      'GRAPHQL_MAX_DIRECTIVES',
      'GRAPHQL_MAX_COST',
      'REQUEST_TIMEOUT_MS',
      'KEEP_ALIVE_TIMEOUT_MS',
      'MAX_CONNECTIONS',
      'MAX_REQUEST_HEADERS',
      'SHUTDOWN_TIMEOUT_MS',
    ].map((name) => [name, 'it is a fixed limit (docs/configuration.md, "Fixed limits")']),
  ),
};

const PLEX_TV_AUTH_URL = 'https://app.plex.tv/auth';
/** What `npm run codegen` writes from operations/*.graphql (client preset, `persistedDocuments: true`). */
export const DEFAULT_MANIFEST = fileURLToPath(new URL('../operations/generated/persisted-documents.json', import.meta.url));

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const flag = z.stringbool({ truthy: ['true', '1', 'on', 'yes'], falsy: ['false', '0', 'off', 'no'] });

/** `false`, a hop count, or a comma list of addresses, CIDR ranges and proxy-addr names (loopback, linklocal, uniquelocal). */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
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
    // `*` is the same as unset: any origin, never with credentials.
    return origins.filter((origin) => origin !== '*');
  });

/** Every environment variable the server reads (docs/configuration.md says why an operator would set each). */
const Env = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  NODE_ENV: z.string().optional(),
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
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://plex-demo.example.com' })
    .refine((url) => !/[?#]/.test(url), 'must have no query string or fragment')
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  TRUST_PROXY: trustProxy.default(false),
  CORS_ORIGINS: corsOrigins.default([]),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('plex-account-graphql:'),
  PLEX_AUTH_MODE: z.enum(['legacy', 'jwt']).default('legacy'),
  // Its problems name the variable, never its value. Set in legacy mode it is still used, so refresh credentials handed
  // out before a switch back to legacy keep working.
  AUTH_SEALING_KEY: z
    .string()
    .transform((value, ctx) => {
      const keys = parseSealingKeys(value);
      if (keys.ok) return keys.keyring;
      ctx.addIssue({ code: 'custom', message: keys.problem });
      return z.NEVER;
    })
    .optional(),
  PERSISTED_OPERATIONS: z.enum(['off', 'only']).default('off'),
  PERSISTED_OPERATIONS_MANIFEST: z.string().trim().min(1).default(DEFAULT_MANIFEST),
  VIEWER_CACHE_TTL_MS: nonNegativeInt.max(60_000).default(0),
  RATE_LIMIT_PER_MINUTE: nonNegativeInt.default(0),
  SIGN_IN_LOGIN_FAILURES_PER_MINUTE: nonNegativeInt.default(5),
  SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: nonNegativeInt.default(30),
  MAX_CONNECTIONS_PER_ADDRESS: positiveInt.max(1_000_000).default(200),
  MAX_REQUEST_BODY_BYTES: positiveInt.max(50 * 1024 * 1024).default(100 * 1024),
  SHUTDOWN_DRAIN_MS: nonNegativeInt.max(600_000).default(5_000),
  GRAPHQL_INTROSPECTION: flag.optional(),
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable ASCII characters without spaces').optional(),
  METRICS_PORT: port.refine((value) => value > 0, 'must be a port from 1 to 65535').optional(),
}).refine((e) => e.PLEX_AUTH_MODE !== 'jwt' || e.AUTH_SEALING_KEY !== undefined, {
  path: ['AUTH_SEALING_KEY'],
  message: `is required with PLEX_AUTH_MODE=jwt (it seals refresh tokens): ${GENERATE_HINT}`,
  // Reported with the other problems, at once.
  when: () => true,
});

/** The names of the environment variables the server reads. */
export const ENV_VARIABLES = Object.keys(Env.shape) as readonly (keyof typeof Env.shape)[];

/** plex.tv's own approval page for plex.tv; the simulator's (and any stand-in's) under its own address. */
function approvalPage(plexApiUrl: string): string {
  const host = new URL(plexApiUrl).hostname;
  return host === 'plex.tv' || host.endsWith('.plex.tv') ? PLEX_TV_AUTH_URL : `${plexApiUrl}/simulator/approve`;
}

let packageVersion: string | undefined;
/** X-Plex-Version: this release (read once, from the package.json shipped beside src/ and dist/). */
function version(): string {
  packageVersion ??= (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  return packageVersion;
}

/** The configuration, grouped by concern, from the environment variables. */
const ConfigSchema = Env.transform((e) => {
  const production = e.NODE_ENV === 'production';
  const introspection = e.GRAPHQL_INTROSPECTION ?? !production;
  const { SIGN_IN_LOGIN_FAILURES_PER_MINUTE: loginFailures, SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: addressAttempts } = e;
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    production,
    plex: {
      baseUrl: e.PLEX_API_URL,
      clientIdentifier: e.PLEX_CLIENT_IDENTIFIER ?? randomUUID(),
      /** True when no PLEX_CLIENT_IDENTIFIER was set and one was generated for this process. */
      clientIdentifierGenerated: e.PLEX_CLIENT_IDENTIFIER === undefined,
      product: PRODUCT,
      version: version(),
      /** The page a user approves a sign-in PIN on. */
      authUrl: approvalPage(e.PLEX_API_URL),
    },
    /**
     * The address clients reach this service at, when a proxy in front changes it. Unset: each request's Host
     * (X-Forwarded-Host/-Proto from proxies TRUST_PROXY trusts). Mock mode builds the simulator's addresses from it.
     */
    publicUrl: e.PUBLIC_URL,
    /** Which X-Forwarded-For hops are believed; false: only the socket address counts. */
    trustProxy: e.TRUST_PROXY,
    /** Browser origins allowed with credentials; empty: any origin, never with credentials. */
    corsOrigins: e.CORS_ORIGINS,
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    /** `legacy`: classic tokens. `jwt`: each PIN sign-in is a device with its own key (docs/plex-auth.md). */
    auth: { mode: e.PLEX_AUTH_MODE, sealingKeys: e.AUTH_SEALING_KEY ?? null },
    persistedOperations: { mode: e.PERSISTED_OPERATIONS, manifestPath: e.PERSISTED_OPERATIONS_MANIFEST },
    /** A per-process cache of the account behind a token; `ttlMs` 0 turns it off. */
    viewerCache: { ttlMs: e.VIEWER_CACHE_TTL_MS },
    /** Per-minute limits; each 0 turns its check off. */
    throttles: {
      /** GraphQL requests per client address per minute. */
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      signIn: {
        loginFailuresPerMinute: loginFailures,
        // Per login from all addresses together per 15 minutes: above the 16 × per-minute one address can reach, so
        // that only a guessing attack spread over many addresses meets it.
        loginFailuresPerQuarterHour: 20 * loginFailures,
        addressAttemptsPerMinute: addressAttempts,
      },
      // The PIN sign-in per client address: creating a PIN is a sign-in attempt; following or checking one is cheaper.
      pins: {
        creationsPerMinute: Math.ceil(addressAttempts / 3),
        pollsPerMinute: 2 * addressAttempts,
        subscriptionsPerMinute: addressAttempts,
      },
    },
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_BYTES,
    /** Open connections from one peer address (trusted proxies excepted). */
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    /** On SIGTERM, how long /health answers 503 while everything else is still served. */
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    /**
     * Who reads /metrics: with `token` (METRICS_TOKEN) only requests bearing it; with `port` (METRICS_PORT) it is served
     * on that port on loopback instead. Neither: public outside production, off in production.
     */
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    graphql: {
      introspection,
      /** `_service { sdl }`, the subgraph SDL a gateway may fetch. */
      subgraphSdl: introspection,
      graphiql: introspection,
      /** Blocks "Did you mean …" suggestions in error messages. */
      hideSuggestions: production,
    },
  };
});

export type Config = z.output<typeof ConfigSchema>;
export type TrustProxy = Config['trustProxy'];

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

export type ConfigResult =
  | { ok: true; config: Config; /** One line per variable that is set but no longer read, naming its replacement. */ warnings: string[] }
  | { ok: false; problems: string[] };

/**
 * Parses the environment into a typed Config, reporting every bad variable at once. Reads only `env` (and the version
 * in package.json). `mock`: with PLEX_AUTH_MODE=jwt and no AUTH_SEALING_KEY, a key for this process.
 */
export function loadConfig(env: Record<string, string | undefined>, options: { mock?: boolean } = {}): ConfigResult {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const mockKey = options.mock === true && present['PLEX_AUTH_MODE'] === 'jwt' && present['AUTH_SEALING_KEY'] === undefined;
  if (mockKey) present['AUTH_SEALING_KEY'] = generateSealingKey();
  const parsed = ConfigSchema.safeParse(present, { error: plainMessage });
  if (!parsed.success) {
    const problem = ({ path, message }: z.core.$ZodIssue) => {
      const name = path.join('.');
      return message.startsWith(name) ? message : `${name}${message.startsWith('is ') ? ' ' : ': '}${message}`;
    };
    return { ok: false, problems: parsed.error.issues.map(problem) };
  }
  const warnings = Object.keys(present)
    .filter((name) => Object.hasOwn(REPLACED, name))
    .map((name) => `${name} is set but no longer read: ${REPLACED[name]}.`);
  if (mockKey) {
    warnings.push(
      'PLEX_AUTH_MODE=jwt without AUTH_SEALING_KEY: --mock made a sealing key for this process, so the refresh tokens it hands out stop working when it restarts. Set AUTH_SEALING_KEY to keep them across restarts.',
    );
  }
  return { ok: true, config: parsed.data, warnings };
}
