import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, SignOutDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { loadConfig } from '../src/config.js';
import type { PlexUser } from '../src/plex/schemas.js';
import { tokenDigest } from '../src/plex/sign-outs.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { ViewerCache } from '../src/plex/viewer-cache.js';
import { bearer, startHarness, type Harness } from './support/servers.js';

const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
  response.body.errors?.[0]?.extensions?.['code'];

const viewerName = async (h: Harness, token: string) => {
  const response = await h.gql(ViewerNameDocument, {}, bearer(token));
  return { username: response.body.data?.viewer?.username, code: code(response) };
};

describe('VIEWER_CACHE_TTL_MS', () => {
  it('defaults to 0 (off), accepts up to 60000 and rejects anything else', () => {
    const parse = (value?: string) => loadConfig({ VIEWER_CACHE_TTL_MS: value });
    const ttl = (value?: string) => {
      const result = parse(value);
      return result.ok ? result.config.viewerCache.ttlMs : null;
    };
    expect(ttl()).toBe(0);
    expect(ttl('5000')).toBe(5000);
    expect(ttl('60000')).toBe(60_000);
    for (const bad of ['-1', '60001', '1.5', 'soon']) {
      const result = parse(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.join('\n')).toMatch(/^VIEWER_CACHE_TTL_MS: /);
    }
  });
});

describe('viewer cache off (the default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('asks plex.tv for every request', async () => {
    expect(h.config.viewerCache.ttlMs).toBe(0);
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    for (let i = 0; i < 3; i++) expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(3);
  });
});

describe('viewer cache on', () => {
  let h: Harness;
  beforeAll(async () => {
    // Long enough that "within the TTL" holds on any machine; expiry has its own server below.
    h = await startHarness({ VIEWER_CACHE_TTL_MS: '60000' }, { limits: { plex: { timeoutMs: 2000 } } });
  });
  afterAll(() => h.close());
  afterEach(() => {
    h.sim.setFault('*', null);
    h.sim.setFault('user', null);
    h.sim.reset();
  });

  it('answers a repeated viewer within the TTL without calling plex.tv', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(1);
    for (let i = 0; i < 3; i++) expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(1);
    expect(h.sim.count()).toBe(1);
  });

  it('shares one upstream call between concurrent requests with the same token', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    h.sim.setFault('user', { kind: 'delay', ms: 200 }, 1);
    const answers = await Promise.all([1, 2, 3, 4].map(() => viewerName(h, token)));
    expect(answers.map((a) => a.username)).toEqual(Array(4).fill(DEMO_ACCOUNTS.plain.username));
    expect(h.sim.count('user')).toBe(1);
  });

  it('counts its lookups in viewer_cache_lookups_total{result}', async () => {
    const lookups = async () => {
      const text = await (await h.yoga.fetch('http://facade.test/metrics')).text();
      const count = (result: string) => Number(new RegExp(`^viewer_cache_lookups_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { hit: count('hit'), shared: count('shared'), miss: count('miss') };
    };
    const before = await lookups();
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.setFault('user', { kind: 'delay', ms: 200 }, 1);
    await Promise.all([1, 2, 3].map(() => viewerName(h, token)));
    await viewerName(h, token);
    const after = await lookups();
    expect({ hit: after.hit - before.hit, shared: after.shared - before.shared, miss: after.miss - before.miss }).toEqual({ hit: 1, shared: 2, miss: 1 });
  });

  it('never caches a rejected token: each request asks plex.tv again', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.revokeToken(token);
    h.sim.reset();
    expect((await viewerName(h, token)).code).toBe('UNAUTHENTICATED');
    expect((await viewerName(h, token)).code).toBe('UNAUTHENTICATED');
    expect(h.sim.count('user')).toBe(2);
  });

  it('never caches an upstream failure or an unreadable 200: the next request asks again and is answered', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    h.sim.setFault('user', { kind: 'status', status: 503 });
    const failed = await viewerName(h, token);
    expect(failed.username).toBeUndefined();
    expect(failed.code).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.setFault('user', { kind: 'missing-fields' });
    const unreadable = await viewerName(h, token);
    expect(unreadable.username).toBeUndefined();
    expect(unreadable.code).toBeTypeOf('string');
    h.sim.setFault('user', null);
    const callsBefore = h.sim.count('user');
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(callsBefore + 1);
    // Now that plex.tv answered 200, the answer is reused.
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(callsBefore + 1);
  });

  it('keeps tokens apart: two tokens, two entries, each with its own account', async () => {
    const plain = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const twoFactor = h.sim.issueToken(DEMO_ACCOUNTS.twoFactor.login);
    const plainAgain = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    expect((await viewerName(h, plain)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect((await viewerName(h, twoFactor)).username).toBe(DEMO_ACCOUNTS.twoFactor.username);
    // Same account, different token: its own entry, so its own call.
    expect((await viewerName(h, plainAgain)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(3);
    expect((await viewerName(h, twoFactor)).username).toBe(DEMO_ACCOUNTS.twoFactor.username);
    expect((await viewerName(h, plain)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(3);
    // A token that was never answered is not served from another's entry.
    expect((await viewerName(h, `${plain}x`)).code).toBe('UNAUTHENTICATED');
    expect(h.sim.count('user')).toBe(4);
  });

  it('drops the entry on signOut: a later viewer with the token is UNAUTHENTICATED, asked of plex.tv', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(1);

    const signOut = await h.gql(SignOutDocument, {}, bearer(token));
    expect(signOut.body.data?.signOut).toEqual({ signedOut: true, tokenWasValid: true });
    expect((await viewerName(h, token)).code).toBe('UNAUTHENTICATED');
    expect(h.sim.count('user')).toBe(2);
  });

  it('drops the entry on signOut even when plex.tv cannot be reached for the sign-out', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    h.sim.reset();
    h.sim.setFault('signout', { kind: 'status', status: 503 }, 1);
    expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('UPSTREAM_UNAVAILABLE');
    // The token still works at plex.tv, but the answer comes from plex.tv again, not from the cache.
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(1);
  });

  it('keeps the account signIn returned: the first viewer with the new token calls nothing upstream', async () => {
    h.sim.reset();
    const signIn = await h.gql(SignInDocument, {
      input: { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password },
    });
    const result = signIn.body.data?.signIn;
    if (result?.__typename !== 'SignInSuccess') throw new Error(`sign-in failed: ${signIn.text}`);
    expect(h.sim.count()).toBe(1);
    expect((await viewerName(h, result.authToken)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(0);
  });
});

describe('viewer cache expiry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ VIEWER_CACHE_TTL_MS: '200' });
  });
  afterAll(() => h.close());

  it('asks plex.tv again once the TTL has passed', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.reset();
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(1);
    await sleep(400);
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(h.sim.count('user')).toBe(2);
  });

  it('so a token revoked elsewhere is refused once the TTL has passed', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await viewerName(h, token)).username).toBe(DEMO_ACCOUNTS.plain.username);
    h.sim.revokeToken(token);
    await sleep(400);
    expect((await viewerName(h, token)).code).toBe('UNAUTHENTICATED');
  });
});

describe('ViewerCache', () => {
  const user = (id: number) => ({ id, username: `user${id}` }) as unknown as PlexUser;
  const caches: ViewerCache[] = [];
  const make = (maxEntries = 100) => {
    const cache = new ViewerCache({ ttlMs: 60_000, maxEntries });
    caches.push(cache);
    return cache;
  };
  afterAll(() => {
    for (const cache of caches) cache.clear();
  });

  it('keys entries by a keyed SHA-256 of the token, never the token itself', async () => {
    const cache = make();
    const token = 'AbCdEfGhIjKlMnOpQrSt';
    const key = cache.keyOf(token);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain(token);
    expect(cache.keyOf(token)).toBe(key);
    expect(cache.keyOf(`${token}u`)).not.toBe(key);
    // The secret is per cache: a key computed elsewhere says nothing about the token.
    expect(make().keyOf(token)).not.toBe(key);

    await cache.load(token, async () => user(1));
    const stored = cache as unknown as { entries: { keys(): Iterable<string> }; pending: Map<string, unknown> };
    expect([...stored.entries.keys()]).toEqual([key]);
    expect(JSON.stringify([...stored.entries.keys()])).not.toContain(token);
  });

  it('does not keep an answer that arrives after the token was signed out', async () => {
    const cache = make();
    let answer!: (value: PlexUser) => void;
    const first = cache.load('token-a', () => new Promise<PlexUser>((resolve) => (answer = resolve)));
    cache.dropDigest(tokenDigest('token-a'));
    answer(user(1));
    expect(await first).toEqual(user(1));
    let calls = 0;
    await cache.load('token-a', async () => {
      calls++;
      return user(2);
    });
    expect(calls).toBe(1);
  });

  it('stays within its entry count, evicting the least recently used token', async () => {
    const cache = make(2);
    let calls = 0;
    const fetch = (id: number) => async () => {
      calls++;
      return user(id);
    };
    await cache.load('t1', fetch(1));
    await cache.load('t2', fetch(2));
    await cache.load('t1', fetch(1));
    await cache.load('t3', fetch(3));
    expect(cache.size).toBe(2);
    expect(calls).toBe(3);
    await cache.load('t2', fetch(2));
    expect(calls).toBe(4);
    await cache.load('t1', fetch(1));
    expect(calls).toBe(5);
  });
});
