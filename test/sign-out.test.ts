import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignOutDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { notifySignOut, onSignOut } from '../src/plex/sign-out-events.js';
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

  it('tells every registered listener which token was signed out', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const seen: string[] = [];
    const stop = onSignOut((signedOut) => {
      seen.push(signedOut);
    });
    const failing = onSignOut(() => {
      throw new Error('a broken listener');
    });
    try {
      const response = await h.gql(SignOutDocument, {}, bearer(token));
      expect(response.body.data?.signOut.signedOut).toBe(true);
      expect(seen).toEqual([token]);
    } finally {
      stop();
      failing();
    }
    await notifySignOut('another-token');
    expect(seen).toEqual([token]);
  });

  it('drops per-token state even when plex.tv cannot be reached, and reports the failure', async () => {
    const token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const seen: string[] = [];
    const stop = onSignOut((signedOut) => {
      seen.push(signedOut);
    });
    try {
      h.sim.setFault('signout', { kind: 'status', status: 503 }, 1);
      expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('UPSTREAM_UNAVAILABLE');
      expect(seen).toEqual([token]);
      h.sim.setFault('signout', { kind: 'hang' }, 1);
      expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('UPSTREAM_TIMEOUT');
      h.sim.setFault('signout', { kind: 'rate-limit', retryAfter: 3 }, 1);
      expect(code(await h.gql(SignOutDocument, {}, bearer(token)))).toBe('RATE_LIMITED');
    } finally {
      stop();
    }
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
