import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLError } from 'graphql';
import { createPlexClient, parseRetryAfter, type Plex, type PlexClient, type UpstreamCall } from '../src/plex/client.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger } from './support/servers.js';

let sim: PlexSimulator;
let client: PlexClient;
let plex: Plex;
const { logger, lines } = capturingLogger();
/** The diagnostics the client logged. */
const diagnostics = (from = lines) => from.map((line) => JSON.parse(line).upstream).filter(Boolean);

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  client = createPlexClient({
    baseUrl: sim.url,
    clientIdentifier: 'client-test',
    product: 'Client Tests',
    version: '1.2.3',
    timeoutMs: 250,
    logger,
  });
  plex = client.forRequest();
});
afterAll(async () => {
  await client.close();
  await sim.close();
});
afterEach(() => {
  sim.reset();
  lines.length = 0;
});

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    // By name: vitest may load graphql's ESM and CJS builds side by side, so instanceof is not reliable here.
    expect((error as Error).name).toBe('GraphQLError');
    return (error as GraphQLError).extensions['code'];
  }
  throw new Error('expected a rejection');
}

describe('plex client', () => {
  it.each([
    ['in one piece', 1],
    ['in many chunks', 64],
  ])('refuses a body over 1 MiB (%s) as UPSTREAM_BAD_RESPONSE without keeping it, and answers afterwards', async (_name, pieces) => {
    const { createServer } = await import('node:http');
    const padding = 'x'.repeat(Math.ceil((1024 * 1024 + 10) / pieces));
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"padding":"');
      let sent = 0;
      const next = () => {
        if (sent === pieces) {
          res.end('"}');
          return;
        }
        sent += 1;
        if (res.write(padding)) setImmediate(next);
        else res.once('drain', next);
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const seen = capturingLogger();
    const other = createPlexClient({ baseUrl: `http://127.0.0.1:${port}`, clientIdentifier: 'c', product: 'p', version: '1', timeoutMs: 2_000, logger: seen.logger });
    try {
      expect(await codeOf(other.forRequest().currentUser('token-0123456789abcdef'))).toBe('UPSTREAM_BAD_RESPONSE');
      expect(diagnostics(seen.lines).map((event: { problem: string }) => event.problem)).toContain('body too large');
    } finally {
      await other.close();
      server.closeAllConnections();
      server.close();
    }
    // The client is still usable against a well-behaved server.
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await plex.currentUser(token)).username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it('signs in and parses the user: timestamps become Dates, the token is split off', async () => {
    const outcome = await plex.signIn({ login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password, rememberMe: false });
    if (outcome.kind !== 'success') throw new Error(outcome.kind);
    expect(outcome.authToken).toHaveLength(20);
    expect(outcome.user.joinedAt).toBeInstanceOf(Date);
    expect(outcome.user.subscription?.subscribedAt).toBeInstanceOf(Date);
    expect(outcome.user).not.toHaveProperty('authToken');
    expect(outcome.user.id).toBe('31415926');
  });

  it('reports each call it makes with endpoint, status and duration', async () => {
    const calls: UpstreamCall[] = [];
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const bound = client.forRequest({ onCall: (call) => calls.push(call) });
    await bound.currentUser(token);
    sim.setFault('user', { kind: 'hang' }, 1);
    await codeOf(bound.currentUser(token));
    expect(calls).toEqual([
      { endpoint: 'user', status: 200, durationMs: expect.any(Number) },
      { endpoint: 'user', status: 'timeout', durationMs: expect.any(Number) },
    ]);
  });

  it('keeps connections alive between calls', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    await plex.currentUser(token);
    await plex.currentUser(token);
    const [first, second] = sim.requests;
    expect(first?.headers['connection']).not.toBe('close');
    expect(second?.headers['connection']).not.toBe('close');
  });

  it('sends no token to sign-in and the token only to /user', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    await plex.signIn({ login: 'nobody', password: 'x', rememberMe: false });
    await plex.currentUser(token);
    expect(sim.requests.map((request) => [request.route, request.headers['x-plex-token']])).toEqual([
      ['signin', undefined],
      ['user', token],
    ]);
  });

  it.each([
    [{ kind: 'status', status: 500 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'xml' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'invalid-json' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'missing-fields' } as const, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'delay', ms: 600 } as const, 'UPSTREAM_TIMEOUT'],
    [{ kind: 'rate-limit', retryAfter: 9 } as const, 'RATE_LIMITED'],
  ])('maps %o on /user to %s and explains it without secrets', async (fault, code) => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    sim.setFault('user', fault);
    expect(await codeOf(plex.currentUser(token))).toBe(code);
    if (code !== 'RATE_LIMITED') expect(diagnostics()).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('names the missing fields, but not their values, when a body fails its schema', async () => {
    sim.setFault('user', { kind: 'missing-fields' });
    await codeOf(plex.currentUser(sim.issueToken(DEMO_ACCOUNTS.plain.login)));
    expect(diagnostics()[0]).toMatchObject({ endpoint: 'user', problem: 'body does not match its schema', issues: expect.arrayContaining([expect.stringMatching(/^id:/), expect.stringMatching(/^uuid:/)]) });
  });

  it('answers UNAUTHENTICATED for a rejected token', async () => {
    expect(await codeOf(plex.currentUser('no-such-token'))).toBe('UNAUTHENTICATED');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('99999999', now)).toBe(86_400);
  });
});

describe('plex client: the account after sign-in', () => {
  it('sends the token and the documented query flags; the switch PIN goes in the query string', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect((await plex.resources(token)).length).toBeGreaterThan(0);
    const home = await plex.home(token);
    const kid = home!.users.find((user) => user.restricted)!;
    expect(await plex.switchHomeUser(token, kid.uuid, '1234')).toEqual({ kind: 'pin-invalid' });
    const [resources, homeUsers, switchCall] = sim.requests;
    expect(resources).toMatchObject({ method: 'GET', path: '/api/v2/resources' });
    expect(Object.fromEntries(resources!.query)).toEqual({ includeHttps: '1', includeRelay: '1', includeIPv6: '1' });
    expect(homeUsers).toMatchObject({ method: 'GET', path: '/api/v2/home/users' });
    expect(switchCall).toMatchObject({ method: 'POST', path: `/api/v2/home/users/${kid.uuid}/switch` });
    expect(switchCall!.query.get('pin')).toBe('1234');
    for (const request of sim.requests) {
      expect(request.headers['x-plex-token']).toBe(token);
      expect(request.headers['x-plex-client-identifier']).toBe('client-test');
    }
  });

  it('maps refusals: 401 UNAUTHENTICATED, 498 TOKEN_EXPIRED, 429 outcomes or RATE_LIMITED, other 403s UPSTREAM_BAD_RESPONSE', async () => {
    expect(await codeOf(plex.resources('not-a-token'))).toBe('UNAUTHENTICATED');
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    sim.setFault('devices', { kind: 'status', status: 498 }, 1);
    await expect(plex.devices(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } });
    sim.setFault('homeSwitch', { kind: 'rate-limit', retryAfter: 9 }, 1);
    expect(await plex.switchHomeUser(token, 'a1b2c3d4e5f60718', null)).toEqual({ kind: 'throttled', retryAfterSeconds: 9 });
    sim.setFault('homeUsers', { kind: 'status', status: 403 }, 1);
    expect(await codeOf(plex.home(token))).toBe('UPSTREAM_BAD_RESPONSE');
    sim.setFault('homeSwitch', { kind: 'status', status: 403 }, 1);
    expect(await codeOf(plex.switchHomeUser(token, 'a1b2c3d4e5f60718', null))).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('a device id that is not 1 to 20 digits never becomes part of a path', async () => {
    const token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
    expect(await plex.revokeDevice(token, '../user')).toEqual({ kind: 'not-found' });
    expect(sim.count()).toBe(0);
  });
});
