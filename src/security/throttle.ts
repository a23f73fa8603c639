import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../observability/logger.js';
import type { SignInOutcome } from '../plex/client.js';
import { UNKNOWN_ADDRESS } from './client-address.js';
import type { RedisConnection } from '../redis.js';
import type { SecurityConfig } from '../config.js';

const MINUTE = 60;
const QUARTER_HOUR = 15 * 60;
const HOUR = 60 * 60;

/**
 * Wrong Home PINs (a 1041 to a switch that sent a PIN). A PIN is 4 digits: 10 guesses an hour per Home user (every
 * instance and address together) leave a script 1 chance in 1000 an hour; 20 an hour per address stops one address
 * from sweeping a whole Home.
 */
export const HOME_PIN_FAILURES_PER_USER_PER_HOUR = 10;
export const HOME_PIN_FAILURES_PER_ADDRESS_PER_HOUR = 20;

/** How a sign-in attempt ended, for the per-login failure counter. */
export type SignInSettlement =
  /** plex.tv accepted the credentials: the failures of this login from this address are forgotten. */
  | 'success'
  /** A wrong password or verification code: the attempt stays counted. */
  | 'failure'
  /** Anything that says nothing about the password (2FA needed, plex.tv throttling or down): the attempt is given back. */
  | 'neutral';

export type SignInPermit =
  | { readonly allowed: false; readonly retryAfterSeconds: number }
  | { readonly allowed: true; settle(result: SignInSettlement): Promise<void> };

export interface Throttles {
  /** Counts one sign-in attempt for the address, the (login, address) pair and the login, before plex.tv is called. */
  beginSignIn(login: string, address: string): Promise<SignInPermit>;
  /** Counts one Home PIN sent to a switch to that Home user (uuid), per user and per address, before plex.tv is called. */
  beginHomePin(homeUserUuid: string, address: string): Promise<SignInPermit>;
  /** Counts one `createSignInPin` for the address; seconds to wait when over the limit, else null. */
  consumePinCreation(address: string): Promise<number | null>;
  /** Counts one check of a PIN (`Query.signInPin`) for the (address, PIN id) pair. */
  consumePinPoll(address: string, pinId: string): Promise<number | null>;
  /** Counts one new `Subscription.signInPin` for the address. */
  consumePinSubscription(address: string): Promise<number | null>;
  /** Counts one GraphQL request for the address; seconds to wait when over the limit. Absent when the limit is off. */
  readonly consumeRequest: ((address: string) => Promise<number | null>) | undefined;
}

const ALWAYS_ALLOWED: SignInPermit = { allowed: true, settle: async () => {} };

/**
 * The form a login is counted under: trimmed, Unicode-normalised (NFKC) and lower-cased, usernames as well as emails.
 * A case variant may be the same account (emails are case-insensitive in practice, and the simulator matches usernames
 * that way too); counted apart, each variant would be a fresh set of guesses. If two logins that differ only in case
 * are different accounts, sharing a counter only makes the limit tighter.
 */
export function normalizeLogin(login: string): string {
  return login.trim().normalize('NFKC').toLowerCase();
}

/** Counters are kept under a hash: the store never holds an email address. */
function hashKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);
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

  function limiter(name: string, points: number, duration = MINUTE): RateLimiterAbstract {
    const options = { keyPrefix: `${config.redis.keyPrefix}${name}`, points, duration };
    if (!redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: redis.client,
      // Without this, commands wait for a reconnect instead of going to the insurance limiter.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }

  const { loginFailuresPerMinute, loginFailuresPerQuarterHour, addressAttemptsPerMinute } = config.signIn;
  // Tight, per (login, address): one address guessing one login. Loose, per login from every address: only an attack
  // spread over many addresses reaches it. So an attacker at one address locks out only that address, not the owner.
  const pairFailures = loginFailuresPerMinute > 0 ? limiter('signin-login-address', loginFailuresPerMinute) : undefined;
  const loginFailures =
    loginFailuresPerQuarterHour > 0 ? limiter('signin-login-quarter-hour', loginFailuresPerQuarterHour, QUARTER_HOUR) : undefined;
  const addressAttempts = addressAttemptsPerMinute > 0 ? limiter('signin-address', addressAttemptsPerMinute) : undefined;
  const requests = config.rateLimitPerMinute > 0 ? limiter('requests', config.rateLimitPerMinute) : undefined;
  // Every PIN created or checked is a plex.tv call under this service's client identifier, which plex.tv may throttle
  // for everyone: each address gets its own budget. Polls are counted per (address, PIN id), not per PIN id: ids are
  // small sequential numbers anyone can send (the code is checked only after plex.tv answers), so a per-id count would
  // let a stranger use up the owner's polls.
  const { creationsPerMinute, pollsPerMinute, subscriptionsPerMinute } = config.pins;
  const pinCreations = creationsPerMinute > 0 ? limiter('pin-create', creationsPerMinute) : undefined;
  const pinPolls = pollsPerMinute > 0 ? limiter('pin-poll', pollsPerMinute) : undefined;
  const pinSubscriptions = subscriptionsPerMinute > 0 ? limiter('pin-subscribe', subscriptionsPerMinute) : undefined;
  const homePinUser = limiter('home-pin-user', HOME_PIN_FAILURES_PER_USER_PER_HOUR, HOUR);
  const homePinAddress = limiter('home-pin-address', HOME_PIN_FAILURES_PER_ADDRESS_PER_HOUR, HOUR);

  // Without a socket (in-process calls) every client would share one bucket, turning the limit into a global one that
  // anyone could exhaust; per-address limits are skipped for those requests. Limits keyed by a login (or a PIN) and the
  // address still apply: those requests share the address "unknown", so they are counted per login (or PIN).
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
      if (!pairFailures && !loginFailures) return ALWAYS_ALLOWED;
      // Attempts are counted up front so that parallel guesses cannot all slip past the limits.
      const normalized = normalizeLogin(login);
      const pairKey = hashKey(normalized, address);
      const loginKey = hashKey(normalized);
      if (pairFailures) {
        const wait = await take(pairFailures, pairKey);
        // Refused here, the attempt never reaches the per-login count: one address hammering a login that it is
        // already throttled on cannot use up the login's budget for everyone else.
        if (wait !== null) return { allowed: false, retryAfterSeconds: wait };
      }
      if (loginFailures) {
        const wait = await take(loginFailures, loginKey);
        if (wait !== null) {
          await pairFailures?.reward(pairKey, 1);
          return { allowed: false, retryAfterSeconds: wait };
        }
      }
      return {
        allowed: true,
        async settle(result) {
          if (result === 'failure') return;
          // A success forgets this address's failures on the login; the login's total keeps the earlier failures
          // (an attack in progress does not stop because the owner signed in), only this attempt is given back.
          if (result === 'success') await pairFailures?.delete(pairKey);
          else await pairFailures?.reward(pairKey, 1);
          await loginFailures?.reward(loginKey, 1);
        },
      };
    },
    async beginHomePin(homeUserUuid, address) {
      // Counted up front, like sign-in attempts, so that parallel guesses cannot slip past; given back unless plex.tv
      // said the PIN was wrong.
      const userKey = hashKey(homeUserUuid);
      const byAddress = known(address);
      const userWait = await take(homePinUser, userKey);
      if (userWait !== null) return { allowed: false, retryAfterSeconds: userWait };
      if (byAddress) {
        const addressWait = await take(homePinAddress, address);
        if (addressWait !== null) {
          await homePinUser.reward(userKey, 1);
          return { allowed: false, retryAfterSeconds: addressWait };
        }
      }
      return {
        allowed: true,
        async settle(result) {
          if (result === 'failure') return;
          // A right PIN gives back only this attempt: a guessing script is not reset by the owner's success.
          await homePinUser.reward(userKey, 1);
          if (byAddress) await homePinAddress.reward(address, 1);
        },
      };
    },
    consumePinCreation: async (address) => (pinCreations && known(address) ? take(pinCreations, address) : null),
    consumePinPoll: async (address, pinId) => (pinPolls ? take(pinPolls, `${pinId}@${address}`) : null),
    consumePinSubscription: async (address) => (pinSubscriptions && known(address) ? take(pinSubscriptions, address) : null),
    consumeRequest: requests ? async (address) => (known(address) ? take(requests, address) : null) : undefined,
  };
}

/** A request's view of the sign-in throttle: the client address is already bound. */
export interface SignInThrottle {
  begin(login: string): Promise<SignInPermit>;
}

/** A request's view of the Home PIN limits: the client address is already bound. */
export interface HomePinThrottle {
  begin(homeUserUuid: string): Promise<SignInPermit>;
}

/** A request's view of the PIN limits: the client address is already bound. Each gives the seconds to wait, or null. */
export interface PinThrottle {
  create(): Promise<number | null>;
  /** Counted once per PIN id per request, however many aliases check it (they share one plex.tv call). */
  poll(pinId: string): Promise<number | null>;
  subscribe(): Promise<number | null>;
}

/** A request's throttles, bound to its client address (resolved only when used). */
export function requestThrottles(
  throttles: Throttles,
  address: () => string,
): { signIn: SignInThrottle; homePin: HomePinThrottle; pins: PinThrottle } {
  // One check per PIN per request, like the plex.tv call the request's PIN loader makes for it.
  const polls = new Map<string, Promise<number | null>>();
  return {
    signIn: { begin: (login) => throttles.beginSignIn(login, address()) },
    homePin: { begin: (homeUserUuid) => throttles.beginHomePin(homeUserUuid, address()) },
    pins: {
      create: () => throttles.consumePinCreation(address()),
      poll(pinId) {
        let wait = polls.get(pinId);
        if (wait === undefined) polls.set(pinId, (wait = throttles.consumePinPoll(address(), pinId)));
        return wait;
      },
      subscribe: () => throttles.consumePinSubscription(address()),
    },
  };
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
