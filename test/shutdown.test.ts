import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { startRealServer, type RealServer } from './support/servers.js';

/** The raw answer, with the Connection header as the server wrote it (fetch hides it). */
async function raw(url: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {}) {
  const response = await request(url, { method: init.method ?? 'GET', body: init.body, headers: init.headers });
  return { status: response.statusCode, connection: response.headers['connection'], text: await response.body.text() };
}

describe('draining (SIGTERM, before the server stops accepting)', () => {
  let s: RealServer;
  beforeAll(async () => {
    s = await startRealServer();
  });
  afterAll(() => s.close());

  it('answers /health with 503 and closes each connection after its answer, while serving everything else', async () => {
    const token = s.sim.issueToken(DEMO_ACCOUNTS.plain.login);
    const viewer = { method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ viewer { username } }' }) };
    expect(await raw(`${s.url}/health`)).toMatchObject({ status: 200, connection: 'keep-alive', text: '{"status":"ok"}' });
    expect((await raw(`${s.url}/graphql`, viewer)).connection).toBe('keep-alive');

    s.running.drain();
    expect(await raw(`${s.url}/health`)).toMatchObject({ status: 503, connection: 'close', text: '{"status":"draining"}' });
    const served = await raw(`${s.url}/graphql`, viewer);
    expect(served.status).toBe(200);
    expect(served.connection).toBe('close');
    expect(JSON.parse(served.text)).toEqual({ data: { viewer: { username: DEMO_ACCOUNTS.plain.username } } });
    // Still accepting new connections.
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
  });
});

describe('closing', () => {
  it('lets a request in flight make its later plex.tv calls: the pool is released only after it', async () => {
    const s = await startRealServer({}, { limits: { plex: { timeoutMs: 3000 } } });
    const created = await s.gql('mutation { createSignInPin { id code } }');
    const pin: { id: string; code: string } = created.body.data.createSignInPin;
    s.sim.approvePin(pin.id, DEMO_ACCOUNTS.plain.login);
    // GET /pins/{id} is still on its way when close() starts; the GET /user that follows it starts after.
    s.sim.setFault('pin', { kind: 'delay', ms: 300 }, 1);
    const inFlight = s.gql(
      'query P($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename ... on SignInSuccess { user { username } } } }',
      pin,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = s.running.close();
    const result = await inFlight;
    expect(result.body).toEqual({ data: { signInPin: { __typename: 'SignInSuccess', user: { username: DEMO_ACCOUNTS.plain.username } } } });
    await closing;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
    await s.sim.close();
  });
});
