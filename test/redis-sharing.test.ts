import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignOuts, tokenDigest } from '../src/plex/sign-outs.js';
import { ViewerCache } from '../src/plex/viewer-cache.js';
import { connectRedis } from '../src/redis.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { TestRedis, until } from './deployment/processes.js';
import { capturingLogger, SIGN_IN, startRealServer, uniquePrefix, type RealServer } from './support/servers.js';

const VIEWER = '{ viewer { username } }';
const SIGN_OUT = 'mutation { signOut { signedOut tokenWasValid } }';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Two servers (instances) sharing a redis-server of this file's own, which the tests stop and start again. */
function twoInstances(env: Record<string, string>, ready: string) {
  const state = {} as { redis: TestRedis; sim: PlexSimulator; a: RealServer; b: RealServer; prefix: string };
  beforeAll(async () => {
    state.redis = await TestRedis.start();
    state.sim = createPlexSimulator();
    await state.sim.listen(0, '127.0.0.1');
    state.prefix = uniquePrefix();
    const shared = { REDIS_URL: state.redis.url, REDIS_KEY_PREFIX: state.prefix, ...env };
    state.a = await startRealServer(shared, { sim: state.sim });
    state.b = await startRealServer(shared, { sim: state.sim });
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

describe('sign-out everywhere through Redis pub/sub (REDIS_URL with VIEWER_CACHE_TTL_MS)', () => {
  const state = twoInstances({ VIEWER_CACHE_TTL_MS: '30000' }, 'listening for sign-outs');

  // These tests take the two halves of the broadcast apart (a server hears a digest from Redis; a server publishes
  // one). test/deployment/ runs it whole.
  it('drops a token from the viewer cache when its digest comes in on the channel', async () => {
    const { b, sim, redis, prefix } = state;
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await b.gql(VIEWER, {}, bearer(token))).body.data.viewer.username).toBe(DEMO_ACCOUNTS.plain.username);
    // Revoked at plex.tv behind b's back: b answers from its cache…
    sim.revokeToken(token);
    expect((await b.gql(VIEWER, {}, bearer(token))).body.data.viewer).not.toBeNull();
    // …until another instance announces the sign-out.
    const publisher = new Redis(redis.url);
    try {
      await publisher.publish(`${prefix}sign-out`, createHash('sha256').update(token).digest('base64url'));
    } finally {
      publisher.disconnect();
    }
    await until(async () => (await b.gql(VIEWER, {}, bearer(token))).body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED', 'b to drop the token');
  });

  it('publishes the SHA-256 of the token on a channel under REDIS_KEY_PREFIX, never the token', async () => {
    const { a, sim, redis, prefix } = state;
    const listener = new Redis(redis.url);
    try {
      const heard: { channel: string; message: string }[] = [];
      listener.on('message', (channel: string, message: string) => heard.push({ channel, message }));
      await listener.subscribe(`${prefix}sign-out`);
      const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
      await a.gql(SIGN_OUT, {}, bearer(token));
      await until(() => heard.length > 0, 'the sign-out message');
      const digest = createHash('sha256').update(token).digest('base64url');
      expect(new Set(heard.map((entry) => JSON.stringify(entry)))).toEqual(new Set([JSON.stringify({ channel: `${prefix}sign-out`, message: digest })]));
    } finally {
      listener.disconnect();
    }
  });

  it('Redis down: logs the sign-outs it cannot share; back: clears the viewer cache once it listens again', async () => {
    const { a, b, sim, redis } = state;
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await b.gql(VIEWER, {}, bearer(token))).body.data.viewer).not.toBeNull();

    await redis.stop();
    await until(() => b.logs.some((line) => line.includes('sign-outs through other instances are not heard')), 'b to notice');
    expect((await a.gql(SIGN_OUT, {}, bearer(sim.issueToken(DEMO_ACCOUNTS.plain.login)))).body.data.signOut.signedOut).toBe(true);
    expect(a.logs.some((line) => line.includes('sign-out not shared with the other instances'))).toBe(true);
    // A sign-out b cannot hear of (revoked at plex.tv, as through an instance in another process): b keeps its cache.
    sim.revokeToken(token);
    expect((await b.gql(VIEWER, {}, bearer(token))).body.data.viewer).not.toBeNull();

    await redis.start();
    await until(() => b.logs.filter((line) => line.includes('listening for sign-outs')).length === 2, 'b to listen again', 10_000);
    expect((await b.gql(VIEWER, {}, bearer(token))).body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  }, 30_000);
});

describe('the sign-outs of one instance', () => {
  it("drop a token once: at once locally, not again when the instance's own message comes back; other instances' are heard", async () => {
    const redis = await TestRedis.start();
    const { logger, lines } = capturingLogger();
    const connection = connectRedis(redis.url, 'once:', logger);
    const cache = new ViewerCache({ ttlMs: 60_000, maxEntries: 10 });
    const dropped: string[] = [];
    const drop = cache.dropDigest.bind(cache);
    cache.dropDigest = (digest) => {
      dropped.push(digest);
      drop(digest);
    };
    const signOuts = createSignOuts({ redis: connection, logger, viewerCache: cache });
    const other = new Redis(redis.url);
    try {
      await until(() => lines.some((line) => line.includes('listening for sign-outs')), 'the subscription');
      await signOuts.signedOut('token-a');
      expect(dropped).toEqual([tokenDigest('token-a')]);
      // Published after this instance's own message, so heard after its echo.
      await other.publish('once:sign-out', tokenDigest('token-b'));
      await until(() => dropped.length >= 2, "the other instance's sign-out");
      expect(dropped).toEqual([tokenDigest('token-a'), tokenDigest('token-b')]);
    } finally {
      other.disconnect();
      await signOuts.close();
      await connection.close();
      await redis.stop();
    }
  });
});
