import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../observability/logger.js';
import type { SignInOutcome } from '../plex/client.js';
import { UNKNOWN_ADDRESS } from './client-address.js';
import type { RedisConnection } from './redis.js';
import type { SecurityConfig } from '../config.js';

const WINDOW_SECONDS = 60;

/** How a sign-in attempt ended, for the per-login failure counter. */
export type SignInSettlement =
  /** plex.tv accepted the credentials: the login's failures are forgotten. */
  | 'success'
  /** A wrong password or verification code: the attempt stays counted. */
  | 'failure'
  /** Anything that says nothing about the password (2FA needed, plex.tv throttling or down): the attempt is given back. */
  | 'neutral';

export type SignInPermit =
  | { readonly allowed: false; readonly retryAfterSeconds: number }
  | { readonly allowed: true; settle(result: SignInSettlement): Promise<void> };

export interface Throttles {
  /** Counts one sign-in attempt for the login and the address, before plex.tv is called. */
  beginSignIn(login: string, address: string): Promise<SignInPermit>;
  /** Counts one GraphQL request for the address; seconds to wait when over the limit. Absent when the limit is off. */
  readonly consumeRequest: ((address: string) => Promise<number | null>) | undefined;
  /** True while counters live in Redis (shared by every instance); false when they are this process's memory. */
  isShared(): boolean;
}

const ALWAYS_ALLOWED: SignInPermit = { allowed: true, settle: async () => {} };

/** Logins are counted under a hash: the store never holds an email address. */
function loginKey(login: string): string {
  return createHash('sha256').update(login.trim().toLowerCase()).digest('base64url').slice(0, 32);
}

function retryAfter(rejection: RateLimiterRes): number {
  return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
}

/** Consumes one point; null when allowed, the seconds to wait when over the limit. */
async function take(limiter: RateLimiterAbstract, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return retryAfter(rejection);
    throw rejection;
  }
}

/**
 * Sign-in throttles and the per-address request limit. With a Redis connection (REDIS_URL) the counters live in Redis
 * so that every instance enforces one limit; each Redis limiter has an in-memory insurance limiter that takes over
 * while Redis is unreachable, so the service keeps serving (with per-instance counters) and says so in the log.
 */
export function createThrottles(config: SecurityConfig, logger: Logger, redis?: RedisConnection): Throttles {
  // Without `redis` (no REDIS_URL) every counter is this process's memory.

  function limiter(name: string, points: number): RateLimiterAbstract {
    const options = { keyPrefix: `${config.redis.keyPrefix}${name}`, points, duration: WINDOW_SECONDS };
    if (!redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: redis.client,
      // Without this, commands wait for a reconnect instead of going to the insurance limiter.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }

  const { loginFailuresPerMinute, addressAttemptsPerMinute } = config.signIn;
  const loginFailures = loginFailuresPerMinute > 0 ? limiter('signin-login', loginFailuresPerMinute) : undefined;
  const addressAttempts = addressAttemptsPerMinute > 0 ? limiter('signin-address', addressAttemptsPerMinute) : undefined;
  const requests = config.rateLimitPerMinute > 0 ? limiter('requests', config.rateLimitPerMinute) : undefined;

  // Without a socket (in-process calls) every client would share one bucket, turning the limit into a global one that
  // anyone could exhaust; per-address limits are skipped for those requests (per-login limits still apply).
  let warnedUnknown = false;
  const known = (address: string): boolean => {
    if (address !== UNKNOWN_ADDRESS) return true;
    if (!warnedUnknown) {
      warnedUnknown = true;
      logger.warn('client address unknown (no socket): per-address limits are skipped for such requests');
    }
    return false;
  };

  return {
    async beginSignIn(login, address) {
      if (addressAttempts && known(address)) {
        const wait = await take(addressAttempts, address);
        if (wait !== null) return { allowed: false, retryAfterSeconds: wait };
      }
      if (!loginFailures) return ALWAYS_ALLOWED;
      // The attempt is counted up front so that parallel guesses cannot all slip past the limit.
      const key = loginKey(login);
      const wait = await take(loginFailures, key);
      if (wait !== null) return { allowed: false, retryAfterSeconds: wait };
      return {
        allowed: true,
        async settle(result) {
          if (result === 'success') await loginFailures.delete(key);
          else if (result === 'neutral') await loginFailures.reward(key, 1);
        },
      };
    },
    consumeRequest: requests ? async (address) => (known(address) ? take(requests, address) : null) : undefined,
    isShared: () => redis?.isReady() ?? false,
  };
}

/** A request's view of the sign-in throttle: the client address is already bound. */
export interface SignInThrottle {
  begin(login: string): Promise<SignInPermit>;
}

/** Only a wrong password or code counts against the login; 2FA prompts and plex.tv's own throttling do not. */
export function settlementOf(outcome: SignInOutcome): SignInSettlement {
  switch (outcome.kind) {
    case 'success':
      return 'success';
    case 'invalid-credentials':
    case 'invalid-verification-code':
      return 'failure';
    default:
      return 'neutral';
  }
}
