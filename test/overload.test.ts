import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { errorCode, startRealServer, type RealServer, type ServerOptions } from './support/servers.js';

const VIEWER = '{ viewer { id } }';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let servers: RealServer[] = [];
let sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function start(env: Record<string, string>, options: ServerOptions = {}): Promise<RealServer> {
  const server = await startRealServer(env, options);
  servers.push(server);
  return server;
}

describe('a slow plex.tv and a full pool', () => {
  it('counts each deadline from the request, however long it waits for a connection, and refuses the overflow at once', async () => {
    // Two connections to plex.tv, room for 4 waiting calls per connection: 10 calls at once, 8 more refused.
    const s = await start({}, { limits: { plex: { maxConcurrency: 2, timeoutMs: 1000, userRetries: 0, breakerFailures: 1000 } } });
    s.sim.setFault('user', { kind: 'delay', ms: 3_000 });
    const tokens = Array.from({ length: 18 }, () => s.sim.issueToken(DEMO_ACCOUNTS.plain.login));
    const codes = await Promise.all(tokens.map(async (token) => errorCode(await s.gql(VIEWER, {}, bearer(token)))));
    expect(codes.filter((code) => code === 'UPSTREAM_TIMEOUT')).toHaveLength(10);
    expect(codes.filter((code) => code === 'UPSTREAM_UNAVAILABLE')).toHaveLength(8);
    // The refused calls never reached plex.tv, and the waiting ones ran out of time while waiting: a deadline counted
    // from the moment a connection is free would have sent all 10.
    expect(s.sim.count('user')).toBeLessThan(10);
  });

  it('starts the next waiting call as soon as a connection is free: waiting calls succeed without new traffic', async () => {
    const s = await start({}, { limits: { plex: { maxConcurrency: 2, timeoutMs: 3000, userRetries: 0 } } });
    s.sim.setFault('user', { kind: 'delay', ms: 200 });
    const tokens = Array.from({ length: 8 }, () => s.sim.issueToken(DEMO_ACCOUNTS.plain.login));
    const results = await Promise.all(tokens.map((token) => s.gql(VIEWER, {}, bearer(token))));
    expect(results.map((result) => result.body.errors)).toEqual(Array(8).fill(undefined));
    expect(s.sim.count('user')).toBe(8);
  });
});

function openIdle(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Resolves true when the server closes the socket within `ms`, false when it stays open. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('connection limits', () => {
  it("one address's idle connections beyond MAX_CONNECTIONS_PER_ADDRESS are closed, and other clients are still served", async () => {
    const s = await start({ MAX_CONNECTIONS_PER_ADDRESS: '10' });
    const port = Number(new URL(s.url).port);
    const hog = await Promise.all(Array.from({ length: 30 }, () => openIdle(port, '127.0.0.2').catch(() => null)));
    const closed = await Promise.all(hog.map((socket) => (socket === null ? true : closedWithin(socket, 500))));
    expect(closed.filter((wasClosed) => !wasClosed)).toHaveLength(10);
    // Another address is served while the hog keeps its ten.
    const result = await s.gql('{ __typename }');
    expect(result.status).toBe(200);
    expect(result.body.data).toEqual({ __typename: 'Query' });
  });

  it('never holds more than its maxConnections in all', async () => {
    const s = await start({ MAX_CONNECTIONS_PER_ADDRESS: '100' }, { limits: { http: { maxConnections: 12 } } });
    const port = Number(new URL(s.url).port);
    const open = await Promise.all(Array.from({ length: 20 }, (_, i) => openIdle(port, `127.0.0.${3 + (i % 4)}`).catch(() => null)));
    const closed = await Promise.all(open.map((socket) => (socket === null ? true : closedWithin(socket, 500))));
    expect(closed.filter((wasClosed) => !wasClosed)).toHaveLength(12);
  });

  it('does not apply the per-address limit to a trusted proxy', async () => {
    const s = await start({ MAX_CONNECTIONS_PER_ADDRESS: '2', TRUST_PROXY: '127.0.0.6' });
    const port = Number(new URL(s.url).port);
    const proxy = await Promise.all(Array.from({ length: 6 }, () => openIdle(port, '127.0.0.6')));
    const closed = await Promise.all(proxy.map((socket) => closedWithin(socket, 300)));
    expect(closed.every((wasClosed) => !wasClosed)).toBe(true);
  });

  it('answers 408 and closes the connection when a body is not complete in time after its headers', async () => {
    // REQUEST_TIMEOUT_MS (headers and body together) stays long: the body has its own, shorter deadline.
    const s = await start({}, { limits: { abuse: { bodyTimeoutMs: 300 } } });
    const socket = await openIdle(Number(new URL(s.url).port), '127.0.0.8');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    expect(await closedWithin(socket, 5_000)).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // A complete request on a slow plex.tv is not cut: the deadline is for the body only.
    s.sim.setFault('pins', { kind: 'delay', ms: 600 });
    const slow = await s.gql('mutation { createSignInPin { id } }');
    expect(slow.body.data.createSignInPin.id).toMatch(/^\d+$/);
  });

  it('closes a connection that sends nothing once the headers timeout passes', async () => {
    const s = await start({}, { limits: { http: { requestTimeoutMs: 400 } } });
    const socket = await openIdle(Number(new URL(s.url).port), '127.0.0.7');
    await once(socket, 'close');
  });
});
