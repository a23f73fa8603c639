import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignOutDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, CLIENT_ID, startHarness, type Harness } from './support/servers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => h.sim.reset());

const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
  response.body.errors?.[0]?.extensions?.['code'];

describe('signOut', () => {
  it('revokes the token at plex.tv: a later viewer with it is UNAUTHENTICATED', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await h.gql(ViewerNameDocument, {}, bearer(token))).body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
    h.sim.reset();

    const response = await h.gql(SignOutDocument, {}, bearer(token));
    expect(response.body).toEqual({ data: { signOut: { signedOut: true, tokenWasValid: true } } });
    const [request] = h.sim.requests;
    expect(request).toMatchObject({ method: 'DELETE', route: 'signout', path: '/api/v2/users/signout' });
    expect(request?.headers['x-plex-token']).toBe(token);
    expect(request?.headers['x-plex-client-identifier']).toBe(CLIENT_ID);
    expect(request?.query.get('X-Plex-Token')).toBeNull();

    expect(code(await h.gql(ViewerNameDocument, {}, bearer(token)))).toBe('UNAUTHENTICATED');
  });

  it('reads the token from X-Plex-Token too', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const response = await h.gql(SignOutDocument, {}, { 'x-plex-token': token });
    expect(response.body.data?.signOut.tokenWasValid).toBe(true);
    expect(code(await h.gql(ViewerNameDocument, {}, bearer(token)))).toBe('UNAUTHENTICATED');
  });

  it('answers UNAUTHENTICATED without a token and calls nothing upstream', async () => {
    const response = await h.gql(SignOutDocument);
    expect(code(response)).toBe('UNAUTHENTICATED');
    expect(h.sim.count()).toBe(0);
  });

  it('succeeds for a token plex.tv no longer accepts, saying so', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    await h.gql(SignOutDocument, {}, bearer(token));
    const again = await h.gql(SignOutDocument, {}, bearer(token));
    expect(again.body).toEqual({ data: { signOut: { signedOut: true, tokenWasValid: false } } });
  });

  it('belongs to its server: a second server in the same process keeps its own cache (only Redis shares sign-outs)', async () => {
    const cached = { VIEWER_CACHE_TTL_MS: '60000' };
    const a = await startHarness(cached);
    const b = await startHarness(cached);
    try {
      const tokenOn = (s: Harness) => s.sim.issueToken(DEMO_ACCOUNTS.plain.login);
      const [ta, tb] = [tokenOn(a), tokenOn(b)];
      expect((await a.gql(ViewerNameDocument, {}, bearer(ta))).body.data?.viewer).toBeTruthy();
      expect((await b.gql(ViewerNameDocument, {}, bearer(tb))).body.data?.viewer).toBeTruthy();
      // Revoked at plex.tv behind b's back; a sign-out through a (of its own token) says nothing to b.
      b.sim.revokeToken(tb);
      expect((await a.gql(SignOutDocument, {}, bearer(ta))).body.data?.signOut.tokenWasValid).toBe(true);
      expect(code(await a.gql(ViewerNameDocument, {}, bearer(ta)))).toBe('UNAUTHENTICATED');
      expect((await b.gql(ViewerNameDocument, {}, bearer(tb))).body.data?.viewer).toBeTruthy();
      // b's own sign-out drops it there.
      await b.gql(SignOutDocument, {}, bearer(tb));
      expect(code(await b.gql(ViewerNameDocument, {}, bearer(tb)))).toBe('UNAUTHENTICATED');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('maps plex.tv failing the sign-out to the GraphQL error codes', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.sim.setFault('signout', { kind: 'status', status: 503 }, 1);
    expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.setFault('signout', { kind: 'hang' }, 1);
    expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('UPSTREAM_TIMEOUT');
    h.sim.setFault('signout', { kind: 'rate-limit', retryAfter: 3 }, 1);
    expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('RATE_LIMITED');
  });

  it('never writes the token to the log', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    h.logs.length = 0;
    await h.gql(SignOutDocument, {}, bearer(token));
    h.sim.setFault('signout', { kind: 'status', status: 500 }, 1);
    await h.gql(SignOutDocument, {}, bearer(token));
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(token);
  });
});
