import packageJson from '../package.json' with { type: 'json' };
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ViewerDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, CLIENT_ID, ISO_DATE_TIME, startHarness, type Harness } from './support/servers.js';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = h.sim.issueToken(DEMO_ACCOUNTS.plain.login);
});
afterAll(() => h.close());
afterEach(() => h.sim.reset());

const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
  response.body.errors?.[0]?.extensions?.['code'];

describe('viewer', () => {
  it('reads the account of the token with GET /user, sending the token and client headers', async () => {
    const response = await h.gql(ViewerDocument, {}, bearer(token));
    expect(response.body.errors).toBeUndefined();
    const viewer = response.body.data!.viewer!;
    expect(viewer.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(viewer.joinedAt).toMatch(ISO_DATE_TIME);
    expect(viewer.rememberExpiresAt).toMatch(ISO_DATE_TIME);
    const [request] = h.sim.requests;
    expect(request).toMatchObject({ method: 'GET', route: 'user', path: '/api/v2/user' });
    expect(request?.headers['x-plex-token']).toBe(token);
    expect(request?.headers['x-plex-client-identifier']).toBe(CLIENT_ID);
    expect(request?.headers['x-plex-product']).toBe('Plex Account GraphQL');
    expect(request?.headers['x-plex-version']).toBe(packageJson.version);
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.query.get('X-Plex-Token')).toBeNull();
  });

  it('answers UNAUTHENTICATED without any upstream call when no token is sent', async () => {
    const response = await h.gql(ViewerNameDocument);
    expect(response.body.data).toEqual({ viewer: null });
    expect(code(response)).toBe('UNAUTHENTICATED');
    expect(h.sim.count()).toBe(0);
  });

  it.each([
    ['a Basic authorization', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a token with spaces', { 'x-plex-token': 'two words' }],
  ])('treats %s as no token', async (_name, headers) => {
    const response = await h.gql(ViewerNameDocument, {}, headers);
    expect(code(response)).toBe('UNAUTHENTICATED');
    expect(h.sim.count()).toBe(0);
  });

  it('never reads the token from the query string', async () => {
    const response = await h.yoga.fetch(`http://facade.test/graphql?X-Plex-Token=${token}&token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    const body = await response.json();
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(h.sim.count()).toBe(0);
  });

  it('answers UNAUTHENTICATED when plex.tv rejects the token', async () => {
    const response = await h.gql(ViewerNameDocument, {}, bearer('not-a-valid-token-123'));
    expect(code(response)).toBe('UNAUTHENTICATED');
    expect(h.sim.count('user')).toBe(1);
  });

  it('costs one GET /user however often viewer is selected (aliases and fragments)', async () => {
    const response = await h.gql(
      `query Many {
        a: viewer { id }
        b: viewer { username }
        viewer { ...F }
      }
      fragment F on User { email profile { watchedIndicator } }`,
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toMatchObject({ a: { id: expect.any(String) }, b: { username: 'demo' }, viewer: { email: 'demo@example.com' } });
    expect(h.sim.count('user')).toBe(1);
  });

  it('runs the operation named by operationName in a document holding several, whichever ran first', async () => {
    // GraphiQL's default tab holds SignIn and Viewer in one document; each must run what it names.
    const document = 'query Name { viewer { username } } query Id { viewer { id } } query Type { __typename }';
    const send = async (operationName: string) => {
      const response = await h.yoga.fetch('http://facade.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query: document, operationName }),
      });
      return (await response.json()) as { data?: Record<string, unknown> };
    };
    expect((await send('Type')).data).toEqual({ __typename: 'Query' });
    expect((await send('Name')).data).toEqual({ viewer: { username: DEMO_ACCOUNTS.plain.username } });
    expect((await send('Id')).data).toEqual({ viewer: { id: expect.any(String) } });
    expect((await send('Type')).data).toEqual({ __typename: 'Query' });
  });

  it('maps unknown enum values to UNKNOWN instead of failing', async () => {
    h.sim.setFault('user', { kind: 'unknown-enums' });
    const response = await h.gql(
      `{ viewer { mailingListStatus subscription { status } services { status } profile { autoSelectSubtitle } } }`,
      {},
      bearer(token),
    );
    expect(response.body.errors).toBeUndefined();
    const viewer = response.body.data!['viewer'] as Record<string, any>;
    expect(viewer['mailingListStatus']).toBe('UNKNOWN');
    expect(viewer['subscription'].status).toBe('UNKNOWN');
    expect(viewer['services'].map((service: { status: string }) => service.status)).toContain('UNKNOWN');
    expect(viewer['profile'].autoSelectSubtitle).toBe('UNKNOWN');
  });

  it.each([
    [{ kind: 'status', status: 500 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'status', status: 502 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'invalid-json' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'xml' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'missing-fields' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'hang' } as const, 'UPSTREAM_TIMEOUT'],
    [{ kind: 'delay', ms: 4000 } as const, 'UPSTREAM_TIMEOUT'],
    [{ kind: 'rate-limit' } as const, 'RATE_LIMITED'],
  ])('turns the upstream fault %o into %s', async (fault, expected) => {
    h.sim.setFault('user', fault);
    const response = await h.gql(ViewerNameDocument, {}, bearer(token));
    expect(response.body.data).toEqual({ viewer: null });
    expect(code(response)).toBe(expected);
    expect(response.text).not.toMatch(/<\?xml|<user|stack|at .*\.ts/);
  });

  it('carries retryAfterSeconds on RATE_LIMITED when plex.tv sends Retry-After', async () => {
    h.sim.setFault('user', { kind: 'rate-limit', retryAfter: 17 });
    const response = await h.gql(ViewerNameDocument, {}, bearer(token));
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 17 });
  });

  it('answers UPSTREAM_UNAVAILABLE when plex.tv cannot be reached', async () => {
    const { startHarness: start } = await import('./support/servers.js');
    const other = await start({ PLEX_API_URL: 'http://127.0.0.1:1' });
    try {
      const response = await other.gql(ViewerNameDocument, {}, bearer(token));
      expect(code(response)).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      await other.close();
    }
  });

  it('logs one line per operation with its name, upstream calls and result, and a request id', async () => {
    h.logs.length = 0;
    const response = await h.gql(`query WhoAmI { viewer { id } }`, {}, { ...bearer(token), 'x-request-id': 'req-123' });
    expect(response.headers.get('x-request-id')).toBe('req-123');
    const lines = h.logs.map((line) => JSON.parse(line)).filter((line) => line.msg === 'operation');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      requestId: 'req-123',
      operationName: 'WhoAmI',
      result: 'OK',
      upstream: [{ endpoint: 'user', status: 200 }],
    });
  });
});
