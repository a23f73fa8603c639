import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { SIGN_IN, startRealServer, uniquePrefix, type RealServer } from './support/servers.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { until } from './support/until.js';

// Each describe starts a redis-server of its own (test/support/redis.ts): nothing here uses the machine's Redis.
const login = DEMO_ACCOUNTS.plain.login;

async function wrongPassword(s: RealServer, attempt: number): Promise<string> {
  const result = await s.gql(SIGN_IN, { input: { login, password: `wrong-${attempt}` } });
  expect(result.status).toBe(200);
  return result.body.data.signIn.__typename;
}

const logged = (s: RealServer, text: string) => s.logs.some((line) => line.includes(text));

describe('throttle counters shared in Redis', () => {
  let redis: TestRedis;
  let sim: PlexSimulator;
  let a: RealServer;
  let b: RealServer;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    redis = await startRedis();
    sim = createPlexSimulator();
    await sim.listen(0, '127.0.0.1');
    // A generous plex.tv deadline: the counts below are exact, and a loaded machine must not turn a call into a timeout.
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix };
    const options = { sim, limits: { plex: { timeoutMs: 5000 } } };
    a = await startRealServer(env, options);
    b = await startRealServer(env, options);
    await until(() => logged(a, 'Redis connected') && logged(b, 'Redis connected'), 'both instances to reach Redis');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sim?.close();
    await redis?.stop();
  });

  it('enforces one limit across two instances behind a load balancer', async () => {
    const outcomes = [await wrongPassword(a, 1), await wrongPassword(b, 2), await wrongPassword(a, 3), await wrongPassword(b, 4), await wrongPassword(a, 5)];
    expect(outcomes).toEqual(Array(5).fill('InvalidCredentialsError'));
    expect(await wrongPassword(b, 6)).toBe('SignInThrottledError');
    expect(await wrongPassword(a, 7)).toBe('SignInThrottledError');
    expect(sim.count('signin')).toBe(5);
  });

  it('shares the per-address PIN creation count between the instances', async () => {
    const create = async (s: RealServer) => {
      const result = await s.gql('mutation { createSignInPin { id } }');
      return result.body.errors?.[0]?.extensions?.code ?? 'created';
    };
    const outcomes: unknown[] = [];
    for (let pin = 1; pin <= 10; pin += 1) outcomes.push(await create(pin % 2 === 0 ? a : b));
    expect(outcomes).toEqual(Array(10).fill('created'));
    expect(await create(a)).toBe('RATE_LIMITED');
    expect(await create(b)).toBe('RATE_LIMITED');
    expect(sim.count('pins')).toBe(10);
  });

  it('keeps the counters in Redis, under the configured prefix, never under the login itself', async () => {
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${prefix}*`);
      expect(keys.some((key) => key.startsWith(`${prefix}signin-login-address:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}signin-login-quarter-hour:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}pin-create:`))).toBe(true);
      expect(keys.join(' ')).not.toContain(login);
    } finally {
      await client.quit();
    }
  });
});

describe('when Redis goes away mid-run', () => {
  let redis: TestRedis;
  let s: RealServer;

  beforeAll(async () => {
    // A Redis of this test's own: killing it leaves every other spec's Redis alone.
    redis = await startRedis();
    s = await startRealServer({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() });
    await until(() => logged(s, 'Redis connected'), 'the facade to reach Redis');
  });
  afterAll(async () => {
    await s?.close();
    await redis?.stop();
  });

  it('keeps serving on local counters, says so in the log, and still throttles', async () => {
    expect(await wrongPassword(s, 1)).toBe('InvalidCredentialsError');
    expect(await wrongPassword(s, 2)).toBe('InvalidCredentialsError');

    const gone = once(redis.process, 'exit');
    redis.process.kill('SIGKILL');
    await gone;
    await until(() => logged(s, 'Redis unreachable'), 'the fallback warning');
    const warning = JSON.parse(s.logs.find((line) => line.includes('Redis unreachable'))!);
    expect(warning.level).toBe('warn');

    // Served throughout; the local counters start from zero, so five more failures are allowed, then the limit holds.
    const outcomes: string[] = [];
    for (let attempt = 3; attempt <= 8; attempt += 1) outcomes.push(await wrongPassword(s, attempt));
    expect(outcomes).toEqual([...Array(5).fill('InvalidCredentialsError'), 'SignInThrottledError']);
    expect(s.sim.count('signin')).toBe(7);
    const health = await s.fetch({ path: '/health' });
    expect(health.status).toBe(200);
  });
});
