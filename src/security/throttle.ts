import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../observability/logger.js';
import type { SignInOutcome } from '../plex/client.js';
import { UNKNOWN_ADDRESS } from './client-address.js';
import type { RedisConnection } from '../redis.js';
import { LIMITS, type Config, type Limits } from '../config.js';

const MINUTE = 60;
const QUARTER_HOUR = 15 * 60;
const HOUR = 60 * 60;

/** How a sign-in attempt ended, for the per-login failure counter. */
export type SignInSettlement =
  /** plex.tv accepted the credentials: the failures of this login from this address are forgotten. */
  | 'success'
  /** A wrong password or verification code: the attempt stays counted. */
  | 'failure'
  /** Anything that says nothing about the password (2FA needed, plex.tv throttling or down): the attempt is given back. */
  | 'neutral';

/** Who a successful sign-in turned out to be: the names the account can sign in with. */
export interface SignedInAccount {
  readonly username: string | null;
  readonly email: string | null;
}

export type SignInPermit =
  | { readonly allowed: false; readonly retryAfterSeconds: number }
  | { readonly allowed: true; settle(result: SignInSettlement, account?: SignedInAccount): Promise<void> };

export interface Throttles {
  /** Counts one sign-in attempt for the address, the (login, address) pair and the login, before plex.tv is called. */
  beginSignIn(login: string, address: string): Promise<SignInPermit>;
  /** Counts one Home PIN sent to a switch to that Home user (uuid), per user and per address, before plex.tv is called. */
  beginHomePin(homeUserUuid: string, address: string): Promise<SignInPermit>;
  /** Counts one `createSignInPin` for the address; seconds to wait when over the limit, else null. */
  consumePinCreation(address: string): Promise<number | null>;
  /** Counts one check of a PIN (`Query.signInPin`) for the (address, PIN id) pair and in the address's read budget. */
  consumePinPoll(address: string, pinId: string): Promise<number | null>;
  /** A check found no such PIN at plex.tv: the read costs the address more (only guessing sends unknown ids). */
  chargeUnknownPin(address: string): Promise<void>;
  /** Counts one `signOut` call to plex.tv for the address. */
  consumeSignOut(address: string): Promise<number | null>;
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
 * Facts remembered about logins (which addresses signed in to one, which names are one account): in Redis when there
 * is a connection, so that every instance knows them, and always in this process's memory too, which answers while
 * Redis is unreachable.
 */
interface Facts {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

function createFacts(keyPrefix: string, redis: RedisConnection | undefined): Facts {
  // Bounded: only successful sign-ins add entries.
  const local = new LRUCache<string, string>({ max: 100_000, ttlAutopurge: false });
  return {
    async get(key) {
      if (redis?.client.status === 'ready') {
        try {
          return await redis.client.get(`${keyPrefix}${key}`);
        } catch {
          // Unreachable: this instance's memory answers.
        }
      }
      return local.get(key) ?? null;
    },
    async set(key, value, ttlSeconds) {
      local.set(key, value, { ttl: ttlSeconds * 1000 });
      if (redis?.client.status !== 'ready') return;
      await redis.client.set(`${keyPrefix}${key}`, value, 'EX', ttlSeconds).catch(() => {});
    },
  };
}

/** Attempts of one login in flight on this instance, and the attempts waiting for them to settle. */
class InFlight {
  private readonly attempts = new Map<string, { count: number; waiters: Set<() => void> }>();

  count(key: string): number {
    return this.attempts.get(key)?.count ?? 0;
  }

  start(key: string): void {
    const entry = this.attempts.get(key) ?? { count: 0, waiters: new Set<() => void>() };
    entry.count += 1;
    this.attempts.set(key, entry);
  }

  settle(key: string): void {
    const entry = this.attempts.get(key);
    if (entry === undefined) return;
    entry.count -= 1;
    for (const wake of entry.waiters) wake();
    entry.waiters.clear();
    if (entry.count <= 0) this.attempts.delete(key);
  }

  /** Resolves when an attempt of the login settles, or after `ms`. */
  async next(key: string, ms: number): Promise<void> {
    const entry = this.attempts.get(key);
    if (entry === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      entry.waiters.add(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface ThrottleOptions {
  readonly redis?: RedisConnection | undefined;
  readonly limits?: Limits['abuse'];
  /**
   * How long an attempt waits for attempts of the same login in flight before it is refused: an attempt in flight may
   * be the owner's, which gives its point back. About the plex.tv deadline, within which every attempt settles.
   */
  readonly signInWaitMs?: number;
}

/**
 * Sign-in throttles and the per-address request limit. With a Redis connection (REDIS_URL) the counters live in Redis
 * so that every instance enforces one limit; each Redis limiter has an in-memory insurance limiter that takes over
 * while Redis is unreachable, so the service keeps serving (with per-instance counters) and says so in the log.
 */
export function createThrottles(config: Config['throttles'], logger: Logger, options: ThrottleOptions = {}): Throttles {
  // Without `redis` (no REDIS_URL) every counter is this process's memory.
  const { redis } = options;
  const limits = options.limits ?? LIMITS.abuse;
  const signInWaitMs = options.signInWaitMs ?? 10_000;

  function limiter(name: string, points: number, duration = MINUTE): RateLimiterAbstract {
    const options = { keyPrefix: `${redis?.keyPrefix ?? ''}${name}`, points, duration };
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
  // let a stranger use up the owner's polls; and per address across every id, so that distinct ids cannot multiply it.
  const { creationsPerMinute, pollsPerMinute, subscriptionsPerMinute } = config.pins;
  const pinCreations = creationsPerMinute > 0 ? limiter('pin-create', creationsPerMinute) : undefined;
  const pinPolls = pollsPerMinute > 0 ? limiter('pin-poll', pollsPerMinute) : undefined;
  // Twice the checks of one PIN: a sign-in page polling its PIN, with room for a second tab.
  const pinReads = pollsPerMinute > 0 ? limiter('pin-read', 2 * pollsPerMinute) : undefined;
  const pinSubscriptions = subscriptionsPerMinute > 0 ? limiter('pin-subscribe', subscriptionsPerMinute) : undefined;
  const signOuts = limiter('sign-out', limits.signOutsPerMinute);
  const facts = createFacts(redis?.keyPrefix ?? '', redis);
  const inFlight = new InFlight();
  const knownTtl = limits.knownAddressDays * 24 * 60 * 60;
  const homePinUser = limiter('home-pin-user', limits.homePinFailuresPerUserPerHour, HOUR);
  const homePinAddress = limiter('home-pin-address', limits.homePinFailuresPerAddressPerHour, HOUR);

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

  // Once a sign-in showed that a username and an email are one account, both count as the email (one set of guesses).
  const aliasKey = (login: string) => `signin-alias:${hashKey(login)}`;
  const knownAddressKey = (login: string, address: string) => `signin-known:${hashKey(login, address)}`;
  const canonicalLogin = async (login: string) => {
    const normalized = normalizeLogin(login);
    return (await facts.get(aliasKey(normalized))) ?? normalized;
  };

  async function remember(login: string, address: string, account: SignedInAccount | undefined): Promise<void> {
    const names = [account?.email, account?.username, login].filter((name): name is string => !!name).map(normalizeLogin);
    const canonical = names[0]!;
    for (const name of new Set(names)) {
      if (name !== canonical) await facts.set(aliasKey(name), canonical, knownTtl);
    }
    if (known(address)) await facts.set(knownAddressKey(canonical, address), '1', knownTtl);
  }

  /** The per-login limit across addresses; waits while attempts of the login are in flight (they may succeed). */
  async function takeLoginAttempt(loginKey: string): Promise<number | null> {
    const deadline = Date.now() + signInWaitMs;
    for (;;) {
      const wait = await take(loginFailures!, loginKey);
      if (wait === null) return null;
      // Refused or waiting, this attempt is not counted.
      await loginFailures!.reward(loginKey, 1);
      const left = deadline - Date.now();
      if (inFlight.count(loginKey) === 0 || left <= 0) return wait;
      await inFlight.next(loginKey, left);
    }
  }

  return {
    async beginSignIn(login, address) {
      if (addressAttempts && known(address)) {
        const wait = await take(addressAttempts, address);
        if (wait !== null) return { allowed: false, retryAfterSeconds: wait };
      }
      if (!pairFailures && !loginFailures) return ALWAYS_ALLOWED;
      // Attempts are counted up front so that parallel guesses cannot all slip past the limits.
      const normalized = await canonicalLogin(login);
      const pairKey = hashKey(normalized, address);
      const loginKey = hashKey(normalized);
      if (pairFailures) {
        const wait = await take(pairFailures, pairKey);
        // Refused here, the attempt never reaches the per-login count: one address hammering a login that it is
        // already throttled on cannot use up the login's budget for everyone else.
        if (wait !== null) return { allowed: false, retryAfterSeconds: wait };
      }
      // An address that signed in to this login before is the owner's: strangers' failures do not lock it out.
      const counted = loginFailures !== undefined && !(known(address) && (await facts.get(knownAddressKey(normalized, address))) !== null);
      if (counted) {
        const wait = await takeLoginAttempt(loginKey);
        if (wait !== null) {
          await pairFailures?.reward(pairKey, 1);
          return { allowed: false, retryAfterSeconds: wait };
        }
      }
      inFlight.start(loginKey);
      return {
        allowed: true,
        async settle(result, account) {
          try {
            if (result === 'failure') return;
            // A success forgets this address's failures on the login; the login's total keeps the earlier failures
            // (an attack in progress does not stop because the owner signed in), only this attempt is given back.
            if (result === 'success') {
              await pairFailures?.delete(pairKey);
              await remember(login, address, account);
            } else await pairFailures?.reward(pairKey, 1);
            if (counted) await loginFailures?.reward(loginKey, 1);
          } finally {
            inFlight.settle(loginKey);
          }
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
    async consumePinPoll(address, pinId) {
      if (pinReads && known(address)) {
        const wait = await take(pinReads, address);
        if (wait !== null) return wait;
      }
      return pinPolls ? take(pinPolls, `${pinId}@${address}`) : null;
    },
    async chargeUnknownPin(address) {
      if (pinReads && known(address) && limits.unknownPinReadCost > 1) await pinReads.penalty(address, limits.unknownPinReadCost - 1);
    },
    consumeSignOut: async (address) => (known(address) ? take(signOuts, address) : null),
    consumePinSubscription: async (address) => (pinSubscriptions && known(address) ? take(pinSubscriptions, address) : null),
    consumeRequest: requests ? async (address) => (known(address) ? take(requests, address) : null) : undefined,
  };
}

/** A request's view of the sign-in throttle: the client address is already bound. */
export interface SignInThrottle {
  begin(login: string): Promise<SignInPermit>;
  /** Counts one `signOut` call to plex.tv; the seconds to wait when over the limit, else null. */
  signOut(): Promise<number | null>;
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
  /** The PIN checked was unknown to plex.tv: charged once per PIN id per request. */
  unknown(pinId: string): Promise<void>;
  subscribe(): Promise<number | null>;
  /** The client address, for limits kept outside the throttles (the PINs one address watches). */
  readonly address: string;
}

/** A request's throttles, bound to its client address (resolved only when used). */
export function requestThrottles(
  throttles: Throttles,
  address: () => string,
): { signIn: SignInThrottle; homePin: HomePinThrottle; pins: PinThrottle } {
  // One check per PIN per request, like the plex.tv call the request's PIN loader makes for it.
  const polls = new Map<string, Promise<number | null>>();
  const unknown = new Set<string>();
  return {
    signIn: { begin: (login) => throttles.beginSignIn(login, address()), signOut: () => throttles.consumeSignOut(address()) },
    homePin: { begin: (homeUserUuid) => throttles.beginHomePin(homeUserUuid, address()) },
    pins: {
      create: () => throttles.consumePinCreation(address()),
      poll(pinId) {
        let wait = polls.get(pinId);
        if (wait === undefined) polls.set(pinId, (wait = throttles.consumePinPoll(address(), pinId)));
        return wait;
      },
      async unknown(pinId) {
        if (unknown.has(pinId)) return;
        unknown.add(pinId);
        await throttles.chargeUnknownPin(address());
      },
      subscribe: () => throttles.consumePinSubscription(address()),
      get address() {
        return address();
      },
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
