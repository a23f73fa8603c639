import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlexSimulator, type PlexSimulator } from '../src/simulator/index.js';
import { TestRedis, until } from './deployment/processes.js';
import { SIGN_IN, startRealServer, uniquePrefix, type RealServer } from './security-helpers.js';


/** Two servers (instances) sharing a redis-server of this file's own, which the tests stop and start again. */
function twoInstances(env: Record<string, string>, ready: string) {
  const state = {} as { redis: TestRedis; sim: PlexSimulator; a: RealServer; b: RealServer; prefix: string };
  beforeAll(async () => {
    state.redis = await TestRedis.start();
    state.sim = createPlexSimulator();
    await state.sim.listen(0, '127.0.0.1');
    state.prefix = uniquePrefix();
    const shared = { REDIS_URL: state.redis.url, REDIS_KEY_PREFIX: state.prefix, PLEX_TIMEOUT_MS: '2000', ...env };
    state.a = await startRealServer(shared, state.sim);
    state.b = await startRealServer(shared, state.sim);
    await until(() => [state.a, state.b].every((s) => s.logs.some((line) => line.includes(ready))), 'both instances to reach Redis');
  }, 20_000);
  afterAll(async () => {
    await state.a?.close();
    await state.b?.close();
    await state.sim?.close();
    await state.redis?.stop();
  });
  return state;
}

async function metric(s: RealServer, name: string): Promise<number | undefined> {
  const line = (await s.fetch({ path: '/metrics' })).text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function wrongPassword(s: RealServer, login: string): Promise<string> {
  return (await s.gql(SIGN_IN, { input: { login, password: 'wrong' } })).body.data.signIn.__typename;
}

describe('throttle counters when Redis stops and comes back', () => {
  const state = twoInstances({}, 'Redis connected');

  it('falls back to memory with a warning and throttle_store_shared 0; shares one limit again once Redis is back', async () => {
    const { a, b, redis } = state;
    expect(await metric(a, 'throttle_store_shared')).toBe(1);
    expect(await metric(a, 'throttle_store_fallbacks_total')).toBe(0);

    await redis.stop();
    await until(() => a.logs.some((line) => line.includes('Redis unreachable: throttle counters fall back')), 'the fallback warning');
    expect(await metric(a, 'throttle_store_shared')).toBe(0);
    expect(await metric(a, 'throttle_store_fallbacks_total')).toBe(1);

    await redis.start();
    await until(async () => (await metric(a, 'throttle_store_shared')) === 1 && (await metric(b, 'throttle_store_shared')) === 1, 'both to use Redis again', 10_000);
    expect(await metric(a, 'throttle_store_fallbacks_total')).toBe(1);
    // One limit again, without a restart: five failures on a, the sixth refused on b.
    const login = `resumed-${uniquePrefix()}@example.com`;
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await wrongPassword(a, login)).toBe('InvalidCredentialsError');
    expect(await wrongPassword(b, login)).toBe('SignInThrottledError');
  }, 30_000);
});
