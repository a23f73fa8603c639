import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { plexResilienceConfig, securityConfig, SECURITY_ENV, type PlexResilienceConfig, type SecurityConfig } from './security/config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

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
  PIN_POLL_INTERVAL_MS: positiveInt.min(50).max(60_000).default(1_000),
  PIN_WATCH_MAX: positiveInt.max(100_000).default(1_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PERSISTED_OPERATIONS: z.enum(['off', 'only']).default('off'),
  PERSISTED_OPERATIONS_MANIFEST: z.string().trim().min(1).optional(),
  VIEWER_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  VIEWER_CACHE_MAX_ENTRIES: positiveInt.max(1_000_000).default(5_000),
  FAST_ROUTE: z.enum(['on', 'off']).default('on'),
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
  /**
   * Serve repeats of documents this server has already run straight from Node's HTTP request, with Yoga's GraphQL
   * pipeline but without its HTTP layer (src/fast-route.ts). Same answers, a fraction of the CPU.
   */
  readonly fastRoute: boolean;
  readonly production: boolean;
  /** Abuse limits, throttles, CSRF/CORS, body and time limits, production hardening. */
  readonly security: SecurityConfig;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses the environment into a typed Config, reporting every bad variable at once. Pure: reads only `env`. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
    };
  }
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
      pins: { pollIntervalMs: e.PIN_POLL_INTERVAL_MS, maxWatched: e.PIN_WATCH_MAX },
      logLevel: e.LOG_LEVEL,
      persistedOperations: { mode: e.PERSISTED_OPERATIONS, manifestPath: e.PERSISTED_OPERATIONS_MANIFEST },
      viewerCache: { ttlMs: e.VIEWER_CACHE_TTL_MS, maxEntries: e.VIEWER_CACHE_MAX_ENTRIES },
      fastRoute: e.FAST_ROUTE === 'on',
      production: e.NODE_ENV === 'production',
      security: securityConfig(e, e.NODE_ENV === 'production'),
    },
  };
}
