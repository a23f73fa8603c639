import { z } from 'zod';
import type { Logger } from 'pino';

/**
 * plex.tv changes the shape of its account bodies without notice (a list became a comma string in 2026; managed Home
 * users and GET /user lack fields the sign-in body has). A field wrapped in `tolerant` that is missing or of an
 * unexpected type parses as null instead of failing the whole body, and `parseTolerant` reports it by its path.
 */

export type DriftProblem = 'missing' | 'unexpected type';

/** One field of one body that did not have the expected shape. `field` is a schema path, e.g. `profile.watchedIndicator`. */
export interface FieldDrift {
  readonly field: string;
  readonly problem: DriftProblem;
}

// What a tolerant field parses to until parseTolerant replaces it with null and notes where it was.
class Drifted {
  constructor(readonly problem: DriftProblem) {}
}

// Bodies are parsed synchronously, so this counter tells parseTolerant whether its parse met a drifted field: the
// output is only walked when it did.
let driftedFields = 0;

/** The field parses as `schema` does, or as null (reported by parseTolerant) when the value does not fit. */
export function tolerant<T extends z.ZodType>(schema: T): z.ZodType<z.output<T> | null, z.input<T>> {
  return schema.catch((ctx) => {
    driftedFields += 1;
    return new Drifted(ctx.input === undefined ? 'missing' : 'unexpected type') as z.output<T>;
  }) as unknown as z.ZodType<z.output<T> | null, z.input<T>>;
}

export type TolerantResult<T> =
  | { readonly success: true; readonly data: T; readonly drift: readonly FieldDrift[] }
  | { readonly success: false; readonly error: z.ZodError };

/** Parses like `safeParse`; the fields that did not fit their tolerant schema are null in `data` and listed in `drift`. */
export function parseTolerant<T extends z.ZodType>(schema: T, input: unknown): TolerantResult<z.output<T>> {
  const before = driftedFields;
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { success: false, error: parsed.error };
  if (driftedFields === before) return { success: true, data: parsed.data, drift: [] };
  const drift = new Map<string, DriftProblem>();
  nullDrifted(parsed.data, '', drift);
  return { success: true, data: parsed.data, drift: [...drift].map(([field, problem]) => ({ field, problem })) };
}

// List items share one path (`services[]`), so the paths are the schema's, a bounded set.
function nullDrifted(value: unknown, path: string, out: Map<string, DriftProblem>): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => visit(value as unknown[], index, item, `${path}[]`, out));
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) visit(value as Record<string, unknown>, key, item, path === '' ? key : `${path}.${key}`, out);
  }
}

function visit(parent: Record<string, unknown> | unknown[], key: string | number, item: unknown, path: string, out: Map<string, DriftProblem>): void {
  if (item instanceof Drifted) {
    (parent as Record<string | number, unknown>)[key] = null;
    if (!out.has(path)) out.set(path, item.problem);
  } else {
    nullDrifted(item, path, out);
  }
}

/** A comma-separated string ("en,sv", plex.tv since 2026) or an array, as a list. */
export const stringList = z.union([
  z.array(z.string()),
  z.string().transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  ),
]);

/** How often one (endpoint, field) pair is logged at most; the metric counts every occurrence. */
export const DRIFT_LOG_INTERVAL_MS = 10 * 60_000;

export interface FieldDriftEvent extends FieldDrift {
  readonly endpoint: string;
}

/**
 * Reports field drift: every occurrence is counted (`count`), and each (endpoint, field) is logged at most once per
 * `intervalMs`, with how many occurrences the log skipped since. Never logs the value.
 */
export function createFieldDriftReporter(options: {
  readonly logger: Logger;
  readonly count: (endpoint: string, field: string) => void;
  readonly intervalMs?: number;
  readonly now?: () => number;
}): (event: FieldDriftEvent) => void {
  const intervalMs = options.intervalMs ?? DRIFT_LOG_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const lastLogged = new Map<string, { at: number; skipped: number }>();
  return ({ endpoint, field, problem }) => {
    options.count(endpoint, field);
    const key = `${endpoint} ${field}`;
    const seen = lastLogged.get(key);
    const at = now();
    if (seen !== undefined && at - seen.at < intervalMs) {
      seen.skipped += 1;
      return;
    }
    lastLogged.set(key, { at, skipped: 0 });
    options.logger.warn(
      { upstream: { endpoint, field, problem, skippedSinceLastLine: seen?.skipped ?? 0 } },
      `plex.tv ${endpoint}: field ${field} is ${problem === 'missing' ? 'missing' : 'of an unexpected type'}; served as null`,
    );
  };
}
