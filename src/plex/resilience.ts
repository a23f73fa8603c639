import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  TaskCancelledError,
} from 'cockatiel';
import type { PlexResilienceConfig } from '../security/config.js';

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
  /** Runs one HTTP exchange in a concurrency slot; throws UpstreamRefused('overloaded') when the queue is full. */
  slot<T>(exchange: () => Promise<T>, signal: AbortSignal): Promise<T>;
  readonly state: CircuitStateName;
}

export const DEFAULT_RESILIENCE: PlexResilienceConfig = {
  maxConcurrency: 64,
  userRetries: 2,
  breakerFailures: 5,
  breakerCooldownMs: 15_000,
};

// Calls beyond the concurrency cap wait in line (still under their own deadline); beyond this many per slot they are
// refused at once rather than piling up.
const QUEUE_PER_SLOT = 8;

class FailedResult extends Error {
  constructor(readonly result: unknown) {
    super('upstream failure');
  }
}

export function createUpstreamGuard(config: PlexResilienceConfig, onStateChange?: (state: CircuitStateName) => void): UpstreamGuard {
  const breaker = circuitBreaker(
    // Refusing a call (our own load, or the open circuit itself) says nothing about plex.tv.
    handleWhen((error) => !(error instanceof UpstreamRefused)),
    { halfOpenAfter: config.breakerCooldownMs, breaker: new ConsecutiveBreaker(config.breakerFailures) },
  );
  const slots = bulkhead(config.maxConcurrency, config.maxConcurrency * QUEUE_PER_SLOT);
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
    async slot(exchange, signal) {
      try {
        return await slots.execute(() => exchange(), signal);
      } catch (error) {
        if (error instanceof BulkheadRejectedError) throw new UpstreamRefused('overloaded');
        // Waited for a slot past the deadline: the caller sees its signal aborted and reports a timeout.
        if (error instanceof TaskCancelledError) throw signal.reason ?? error;
        throw error;
      }
    },
    get state() {
      return name(breaker.state);
    },
  };
}

export interface RetryPolicy<T> {
  /** Extra attempts after the first; 0 means none. */
  readonly retries: number;
  /** The call's overall deadline (ms since the epoch): no attempt starts, and no backoff ends, after it. */
  readonly deadline: number;
  readonly signal: AbortSignal;
  /** For a result: undefined when it is final; null to retry after the backoff; milliseconds to retry after (Retry-After). */
  readonly retryAfterMs: (result: T) => number | null | undefined;
  readonly retryOnError: (error: unknown) => boolean;
  readonly random?: () => number;
}

// Time an attempt needs to have a chance; a retry that would start later than this before the deadline is not tried.
const MIN_ATTEMPT_MS = 25;
const BACKOFF_BASE_MS = 100;

/** Exponential backoff with equal jitter: attempt i waits between half and all of 100 ms × 2^i. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = BACKOFF_BASE_MS * 2 ** attempt;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retries `attempt` up to `retries` times, never past the deadline; the last result or error is what the caller gets. */
export async function retryWithinDeadline<T>(attempt: () => Promise<T>, policy: RetryPolicy<T>): Promise<T> {
  const random = policy.random ?? Math.random;
  const waitBeforeRetry = async (index: number, retryAfterMs: number | null): Promise<boolean> => {
    if (index >= policy.retries || policy.signal.aborted) return false;
    const delay = retryAfterMs ?? backoffMs(index, random);
    if (Date.now() + delay + MIN_ATTEMPT_MS > policy.deadline) return false;
    try {
      await sleep(delay, undefined, { signal: policy.signal });
      return true;
    } catch {
      return false;
    }
  };
  for (let index = 0; ; index += 1) {
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      if (policy.retryOnError(error) && (await waitBeforeRetry(index, null))) continue;
      throw error;
    }
    const retryAfter = policy.retryAfterMs(result);
    if (retryAfter !== undefined && (await waitBeforeRetry(index, retryAfter))) continue;
    return result;
  }
}
