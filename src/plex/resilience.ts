import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  type RetryPolicy,
} from 'cockatiel';
import { LIMITS } from '../config.js';

/** The concurrency cap, GET /user retries and circuit breaker around plex.tv (LIMITS.plex). */
export interface Resilience {
  /** Upstream calls in flight at once across the process; more wait in line (within their deadline). */
  readonly maxConcurrency: number;
  /** Extra attempts for GET /user after a timeout, 5xx, 429 or network error; sign-in is never retried. */
  readonly userRetries: number;
  /** Consecutive upstream failures that open the circuit. */
  readonly breakerFailures: number;
  /** How long an open circuit fails fast before letting one probe through. */
  readonly breakerCooldownMs: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** plex.tv was not called: the circuit is open, or too many calls are already waiting for a slot. */
export class UpstreamRefused extends Error {
  constructor(readonly reason: 'circuit-open' | 'overloaded') {
    super(reason === 'circuit-open' ? 'circuit open' : 'too many calls waiting');
  }
}

export interface UpstreamGuard {
  /**
   * Runs one logical call (its retries included) under the circuit breaker: a call that ends in a timeout, a network
   * error or a result `isFailure` flags (5xx) counts towards opening the circuit; any other outcome (4xx included)
   * ends the run of failures. Throws UpstreamRefused('circuit-open') instead of calling while the circuit is open.
   */
  call<T>(run: () => Promise<T>, signal: AbortSignal, isFailure: (result: T) => boolean): Promise<T>;
  /**
   * Runs one HTTP exchange. The connection pool (LIMITS.plex.maxConcurrency connections) makes the calls beyond its size
   * wait, each under its own deadline; this refuses at once (UpstreamRefused('overloaded')) once that many calls are
   * already waiting, so memory stays bounded however slow plex.tv is.
   */
  slot<T>(exchange: () => Promise<T>): Promise<T>;
}

export const DEFAULT_RESILIENCE: Resilience = LIMITS.plex;

// Calls beyond the pool's size wait for a connection (under their own deadline); beyond this many per connection they
// are refused at once rather than piling up.
const QUEUE_PER_SLOT = 4;

class FailedResult extends Error {
  constructor(readonly result: unknown) {
    super('upstream failure');
  }
}

export function createUpstreamGuard(config: Resilience, onStateChange?: (state: CircuitStateName) => void): UpstreamGuard {
  const breaker = circuitBreaker(
    // Refusing a call (our own load, or the open circuit itself) says nothing about plex.tv.
    handleWhen((error) => !(error instanceof UpstreamRefused)),
    { halfOpenAfter: config.breakerCooldownMs, breaker: new ConsecutiveBreaker(config.breakerFailures) },
  );
  const maxPending = config.maxConcurrency * (1 + QUEUE_PER_SLOT);
  let pending = 0;
  const name = (state: CircuitState): CircuitStateName =>
    state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  if (onStateChange) breaker.onStateChange((state) => onStateChange(name(state)));

  return {
    async call(run, signal, isFailure) {
      try {
        return await breaker.execute(async () => {
          const result = await run();
          // Thrown so that the breaker counts it; unwrapped below.
          if (isFailure(result)) throw new FailedResult(result);
          return result;
        }, signal);
      } catch (error) {
        if (error instanceof FailedResult) return error.result as Awaited<ReturnType<typeof run>>;
        if (error instanceof BrokenCircuitError) throw new UpstreamRefused('circuit-open');
        throw error;
      }
    },
    async slot(exchange) {
      if (pending >= maxPending) throw new UpstreamRefused('overloaded');
      pending += 1;
      try {
        return await exchange();
      } finally {
        pending -= 1;
      }
    },
  };
}

// Time an attempt needs to have a chance; a retry that would start later than this before the deadline is not tried.
const MIN_ATTEMPT_MS = 25;
const BACKOFF_BASE_MS = 100;

/** Exponential backoff with equal jitter: attempt i waits between half and all of 100 ms × 2^i. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = BACKOFF_BASE_MS * 2 ** attempt;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryRules<T> {
  /** Extra attempts after the first; 0 means none. */
  readonly retries: number;
  /** The call's overall deadline (ms since the epoch): no retry is planned whose attempt would start after it. */
  readonly deadline: number;
  /** For a result: undefined when it is final; null to retry after the backoff; milliseconds to retry after (Retry-After). */
  readonly retryAfterMs: (result: T) => number | null | undefined;
  readonly retryOnError: (error: Error) => boolean;
  readonly random?: () => number;
}

/**
 * cockatiel's retry policy for one call: a retry is planned only when its wait (Retry-After, or the backoff) still
 * leaves time for an attempt before the deadline; otherwise the last result or error is the answer.
 */
export function retryWithinDeadline<T>(rules: RetryRules<T>): RetryPolicy {
  let planned = 0;
  let attempt = 0;
  const plan = (retryAfterMs: number | null): boolean => {
    planned = retryAfterMs ?? backoffMs(attempt, rules.random);
    return Date.now() + planned + MIN_ATTEMPT_MS <= rules.deadline;
  };
  return retry(
    handleWhen((error) => rules.retryOnError(error) && plan(null)).orWhenResult((result) => {
      const retryAfter = rules.retryAfterMs(result as T);
      return retryAfter !== undefined && plan(retryAfter);
    }),
    {
      maxAttempts: rules.retries,
      backoff: new DelegateBackoff(() => {
        attempt += 1;
        return planned;
      }),
    },
  );
}
