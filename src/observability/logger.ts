import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are secrets wherever they appear in a log line. */
export const REDACTED_KEYS = ['authorization', 'x-plex-token', 'password', 'verificationCode', 'authToken', 'refreshToken', 'token', 'secret', 'pin'];

const SECRET_KEYS: ReadonlySet<string> = new Set(REDACTED_KEYS);
const CENSOR = '[redacted]';
/** How deep secrets are looked for: a key of the line, of a value in it, and of a value in that (`*.*.key`). */
const DEPTH = 2;
const ERROR_KEY = 'err';

/**
 * `value` with every secret key at most `depth` levels down censored (`skip` excepted): the value itself when it holds
 * none (the common case, no copy), else a copy; what the caller logged is never changed.
 */
function withoutSecrets(value: unknown, depth: number, skip?: string): unknown {
  if (depth < 0 || value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    if (key === skip) continue;
    const inner = source[key];
    const kept = SECRET_KEYS.has(key) ? CENSOR : withoutSecrets(inner, depth - 1);
    if (kept === inner) continue;
    copy ??= (Array.isArray(source) ? [...source] : { ...source }) as Record<string, unknown>;
    copy[key] = kept;
  }
  return copy ?? value;
}

// Without a destination, lines are written to stdout in batches: once 4 KiB are waiting, or every 100 ms.
const BATCH_BYTES = 4096;
const FLUSH_MS = 100;

/**
 * The server's logger: JSON lines, ISO times, level names. Secrets are censored in every line (any secret key, two
 * levels down; an error as it is serialized) and in a child's bindings (secret keys). Without `destination`, lines go
 * to stdout asynchronously, in batches (one write for many lines); pino writes what is left when the process exits.
 */
export function createLogger(level: string, destination: DestinationStream = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, periodicFlush: FLUSH_MS })): Logger {
  const censor = () => CENSOR;
  return pino(
    {
      level,
      base: { service: 'plex-account-graphql' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => withoutSecrets(object, DEPTH, ERROR_KEY) as typeof object,
      },
      serializers: {
        ...Object.fromEntries(REDACTED_KEYS.map((key) => [key, censor])),
        [ERROR_KEY]: (error: unknown) => withoutSecrets(pino.stdSerializers.err(error as Error), DEPTH - 1),
      },
    },
    destination,
  );
}
