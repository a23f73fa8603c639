import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealingKey } from '../src/auth/device.js';
import { LIMITS, type Config } from '../src/config.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { errorCode, SIGN_IN, startRealServer, uniquePrefix, type EventStream, type RealServer } from './support/servers.js';
import { startRedis, type TestRedis } from './support/redis.js';

// A hostile client playing many source addresses: Linux routes all of 127.0.0.0/8 to loopback.
const address = (n: number) => `127.0.${Math.floor(n / 250) + 1}.${(n % 250) + 1}`;

// A generous plex.tv deadline: the counts below are exact, and a loaded machine must not turn a call into a timeout.
const OPTIONS = { limits: { plex: { timeoutMs: 5000 } } };

/** The config with the PIN limits per address given (the others as loaded). */
const pinLimits = (pins: Partial<Config['throttles']['pins']>) => (config: Config): Config => ({
  ...config,
  throttles: { ...config.throttles, pins: { ...config.throttles.pins, ...pins } },
});

const CREATE_PIN = 'mutation { createSignInPin { id code } }';
const WATCH_PIN = 'subscription ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }';
const SIGN_OUT = 'mutation { signOut { tokenWasValid } }';

/** A request checking five PIN ids at once, as a guessing client sends them. */
function fivePins(ids: string[]): string {
  return `{ ${ids.map((id, index) => `p${index}: signInPin(id: "${id}", code: "abc") { __typename }`).join(' ')} }`;
}

describe('PIN reads: one budget per client address across every PIN id', () => {
  let s: RealServer;
  beforeAll(async () => {
    s = await startRealServer({}, OPTIONS);
  });
  afterAll(() => s.close());

  it('200 random PIN ids from one address reach plex.tv 30 times (120 a minute, an unknown id costs 4), the rest RATE_LIMITED', async () => {
    const ids = Array.from({ length: 200 }, (_, index) => String(900_000_000 + index * 7));
    const outcomes: unknown[] = [];
    for (let request = 0; request < 40; request += 1) {
      const result = await s.gqlFrom('127.0.0.2', fivePins(ids.slice(request * 5, request * 5 + 5)));
      outcomes.push(errorCode(result) ?? 'answered');
    }
    expect(s.sim.count('pin')).toBe(120 / LIMITS.abuse.unknownPinReadCost);
    expect(outcomes.filter((outcome) => outcome === 'RATE_LIMITED')).toHaveLength(34);
    // Another address is not affected.
    const other = await s.gqlFrom('127.0.0.3', fivePins(['1']));
    expect(other.body.data.p0.__typename).toBe('SignInPinExpiredError');
  });

  it('a known PIN costs one read: one address checks two PINs 60 times each, then the budget is spent for any id', async () => {
    const pins = [(await s.gqlFrom('127.0.0.4', CREATE_PIN)).body.data.createSignInPin, (await s.gqlFrom('127.0.0.4', CREATE_PIN)).body.data.createSignInPin];
    s.sim.reset();
    const poll = 'query ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }';
    const answers = await Promise.all(pins.flatMap((pin) => Array.from({ length: 60 }, () => s.gqlFrom('127.0.0.5', poll, pin))));
    expect(answers.every((answer) => answer.body.data?.signInPin?.__typename === 'SignInPinPending')).toBe(true);
    const third = (await s.gqlFrom('127.0.0.4', CREATE_PIN)).body.data.createSignInPin;
    expect(errorCode(await s.gqlFrom('127.0.0.5', poll, third))).toBe('RATE_LIMITED');
    expect(s.sim.count('pin')).toBe(120);
  });
});

describe('signOut: 30 plex.tv calls per address a minute; a token plex.tv calls invalid is not broadcast', () => {
  let redis: TestRedis;
  let s: RealServer;
  let listener: Redis;
  const messages: string[] = [];
  const prefix = uniquePrefix();

  beforeAll(async () => {
    redis = await startRedis();
    s = await startRealServer({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix }, OPTIONS);
    listener = new Redis(redis.url);
    await listener.subscribe(`${prefix}sign-out`);
    listener.on('message', (_channel: string, digest: string) => messages.push(digest));
    const deadline = Date.now() + 5_000;
    while (!s.logs.some((line) => line.includes('Redis connected')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  });
  afterAll(async () => {
    listener?.disconnect();
    await s?.close();
    await redis?.stop();
  });

  it('100 random-token sign-outs from one address: 30 reach plex.tv, 70 are RATE_LIMITED, nothing is published', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) => s.gqlFrom('127.0.0.6', SIGN_OUT, undefined, { authorization: `Bearer random-token-${index}` })),
    );
    expect(results.filter((result) => result.body.data?.signOut?.tokenWasValid === false)).toHaveLength(30);
    expect(results.filter((result) => errorCode(result) === 'RATE_LIMITED')).toHaveLength(70);
    expect(s.sim.count('signout')).toBe(30);

    // A real sign-out from another address is published: once it arrives, nothing else was.
    const token = s.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const arrived = once(listener, 'message');
    expect((await s.gqlFrom('127.0.0.7', SIGN_OUT, undefined, { authorization: `Bearer ${token}` })).body.data.signOut.tokenWasValid).toBe(true);
    await arrived;
    expect(messages).toHaveLength(1);
  });

  it('still publishes when plex.tv could not be reached', async () => {
    messages.length = 0;
    s.sim.setFault('signout', { kind: 'status', status: 503 }, 1);
    const arrived = once(listener, 'message');
    const result = await s.gqlFrom('127.0.0.8', SIGN_OUT, undefined, { authorization: 'Bearer unreachable-token' });
    expect(errorCode(result)).toBe('UPSTREAM_UNAVAILABLE');
    await arrived;
    expect(messages).toHaveLength(1);
  });
});

describe('watched PINs: a cap per address and a ceiling on polls per second', () => {
  let s: RealServer;
  const streams: EventStream[] = [];
  beforeAll(async () => {
    s = await startRealServer({}, { ...OPTIONS, configure: pinLimits({ subscriptionsPerMinute: 0 }) });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await s.close();
  });

  it('101 addresses × 10 subscriptions: 5 per address are watched, plex.tv polls stay under the ceiling, a victim still signs in', async () => {
    // Ten addresses at a time: each creates its ten PINs, then opens a stream for each (the listen backlog stays short).
    const attack = async (from: string) => {
      const pins = await Promise.all(Array.from({ length: 10 }, async () => (await s.gqlFrom(from, CREATE_PIN)).body.data.createSignInPin));
      for (const pin of pins) streams.push(s.subscribeFrom(from, WATCH_PIN, pin));
    };
    for (let n = 0; n < 101; n += 10) await Promise.all(Array.from({ length: Math.min(10, 101 - n) }, (_, i) => attack(address(n + i))));
    // The first event of every stream: polls take turns under the ceiling, so this takes a round of every watched PIN.
    const firstEvents = await Promise.all(streams.map((stream) => stream.next()));

    const all = firstEvents;
    const watching = all.filter((event) => event?.data?.data?.signInPin?.__typename === 'SignInPinPending');
    const refused = all.filter((event) => event?.data?.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(watching).toHaveLength(101 * LIMITS.abuse.watchedPinsPerAddress);
    expect(refused).toHaveLength(101 * (10 - LIMITS.abuse.watchedPinsPerAddress));

    // plex.tv sees at most the ceiling per second (one poll per slot, plus the one in flight at each end).
    const before = s.sim.count('pin');
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const polls = s.sim.count('pin') - before;
    const seconds = (performance.now() - started) / 1000;
    expect(polls).toBeLessThanOrEqual(Math.ceil(seconds * LIMITS.abuse.pinPollsPerSecond) + 2);

    // A victim's new subscription is accepted, and delivers SignInSuccess after approval.
    const victim = '127.0.0.250';
    const pin = (await s.gqlFrom(victim, CREATE_PIN)).body.data.createSignInPin;
    const stream = s.subscribeFrom(victim, WATCH_PIN, pin);
    streams.push(stream);
    expect((await stream.next())?.data.data.signInPin.__typename).toBe('SignInPinPending');
    s.sim.approvePin(pin.id);
    expect((await stream.next())?.data.data.signInPin.__typename).toBe('SignInSuccess');
  }, 240_000);
});

describe('the owner is not locked out by strangers', () => {
  const plain = DEMO_ACCOUNTS.plain;
  const signInFrom = async (s: RealServer, from: string, login: string, password: string) => {
    const result = await s.gqlFrom(from, SIGN_IN, { input: { login, password } });
    expect(result.status).toBe(200);
    return result.body.data.signIn.__typename as string;
  };

  it('25 addresses × 5 wrong passwords do not stop the owner from an address that signed in before; a fresh address is stopped', async () => {
    const s = await startRealServer({}, OPTIONS);
    try {
      const owner = '127.0.0.10';
      expect(await signInFrom(s, owner, plain.login, plain.password)).toBe('SignInSuccess');
      for (let n = 0; n < 25; n += 1) {
        await Promise.all(Array.from({ length: 5 }, (_, attempt) => signInFrom(s, address(500 + n), plain.login, `wrong-${n}-${attempt}`)));
      }
      // The login's limit across addresses (100 failures a quarter hour) holds for everyone else.
      expect(s.sim.count('signin')).toBe(1 + 100);
      expect(await signInFrom(s, '127.0.0.11', plain.login, plain.password)).toBe('SignInThrottledError');
      expect(await signInFrom(s, owner, plain.login, plain.password)).toBe('SignInSuccess');
      expect(s.sim.count('signin')).toBe(1 + 100 + 1);
    } finally {
      await s.close();
    }
  }, 60_000);

  it("once a sign-in showed the username and the email are one account, they share one count", async () => {
    const s = await startRealServer({}, OPTIONS);
    try {
      expect(await signInFrom(s, '127.0.0.12', plain.login, plain.password)).toBe('SignInSuccess');
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        expect(await signInFrom(s, '127.0.0.13', plain.login, `wrong-${attempt}`)).toBe('InvalidCredentialsError');
      }
      expect(await signInFrom(s, '127.0.0.13', plain.username.toUpperCase(), 'wrong-6')).toBe('SignInThrottledError');
      expect(s.sim.count('signin')).toBe(6);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('150 concurrent correct sign-ins of one login from 150 addresses all succeed, plex.tv answering in 300 ms', async () => {
    const s = await startRealServer({}, OPTIONS);
    try {
      // Each address has a connection open already, so that the 150 sign-ins arrive together.
      await Promise.all(Array.from({ length: 150 }, (_, n) => s.gqlFrom(address(n), '{ __typename }')));
      s.sim.setFault('signin', { kind: 'delay', ms: 300 });
      const outcomes = await Promise.all(Array.from({ length: 150 }, (_, n) => signInFrom(s, address(n), plain.login, plain.password)));
      expect(outcomes).toEqual(Array(150).fill('SignInSuccess'));
      expect(s.sim.count('signin')).toBe(150);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('150 concurrent wrong passwords from 150 addresses still reach plex.tv at most 100 times', async () => {
    const s = await startRealServer({}, OPTIONS);
    try {
      s.sim.setFault('signin', { kind: 'delay', ms: 300 });
      const outcomes = await Promise.all(Array.from({ length: 150 }, (_, n) => signInFrom(s, address(n), plain.login, `wrong-${n}`)));
      expect(outcomes.filter((outcome) => outcome === 'InvalidCredentialsError')).toHaveLength(100);
      expect(outcomes.filter((outcome) => outcome === 'SignInThrottledError')).toHaveLength(50);
      expect(s.sim.count('signin')).toBe(100);
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('jwt mode without Redis: pending sign-ins shared fairly per address', () => {
  it("one address's PINs cannot push out another address's pending device", async () => {
    // Small bounds (3 addresses, 5 pending each, 3 kept unsealed), so that 40 PINs are a flood; the defaults are 10 000,
    // 10 and 1000.
    const env = { PLEX_AUTH_MODE: 'jwt', AUTH_SEALING_KEY: generateSealingKey() };
    const s = await startRealServer(env, {
      limits: { plex: { timeoutMs: 5000 }, abuse: { pendingSignInsPerAddress: 5, pendingSignInAddresses: 3, openedDevices: 3 } },
      configure: pinLimits({ creationsPerMinute: 0 }),
    });
    try {
      const victim = (await s.gqlFrom('127.0.0.20', CREATE_PIN)).body.data.createSignInPin;
      for (let n = 0; n < 40; n += 1) expect((await s.gqlFrom('127.0.0.21', CREATE_PIN)).body.data.createSignInPin.id).toMatch(/^\d+$/);
      s.sim.approvePin(victim.id);
      const poll = 'query ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename } }';
      expect((await s.gqlFrom('127.0.0.20', poll, victim)).body.data.signInPin.__typename).toBe('SignInSuccess');
    } finally {
      await s.close();
    }
  }, 60_000);
});
