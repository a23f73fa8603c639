import { randomUUID } from 'node:crypto';
import { z } from 'zod';

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
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  NODE_ENV: z.string().optional(),
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
  };
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly production: boolean;
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
      },
      logLevel: e.LOG_LEVEL,
      production: e.NODE_ENV === 'production',
    },
  };
}
