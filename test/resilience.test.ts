import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, retryWithinDeadline } from '../src/plex/resilience.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { errorCode, SIGN_IN, startRealServer, type RealServer } from './support/servers.js';

const plain = DEMO_ACCOUNTS.plain;
const VIEWER = '{ viewer { id } }';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('retries of GET /user (at most 2, within one deadline)', () => {
  let s: RealServer;
  let token: string;
  beforeAll(async () => {
    s = await startRealServer({}, { limits: { plex: { timeoutMs: 2000 } } });
    token = s.sim.issueToken(plain.login);
  });
  afterAll(() => s.close());
  afterEach(() => s.sim.reset());

  it('retries a 503 twice and succeeds on the third call', async () => {
    s.sim.setFault('user', { kind: 'status', status: 503 }, 2);
    const result = await s.gql(VIEWER, {}, bearer(token));
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.viewer.id).toBeTruthy();
    expect(s.sim.count('user')).toBe(3);
  });

  it('gives up after 2 retries: 3 calls in all', async () => {
    s.sim.setFault('user', { kind: 'status', status: 502 });
    const result = await s.gql(VIEWER, {}, bearer(token));
    expect(errorCode(result)).toBe('UPSTREAM_UNAVAILABLE');
    expect(s.sim.count('user')).toBe(3);
  });

  it('honours Retry-After when it fits in the deadline', async () => {
    s.sim.setFault('user', { kind: 'rate-limit', retryAfter: 1 }, 1);
    const result = await s.gql(VIEWER, {}, bearer(token));
    expect(result.body.errors).toBeUndefined();
    expect(s.sim.count('user')).toBe(2);
  });

  it('does not wait past the deadline: a Retry-After longer than what is left ends the call', async () => {
    s.sim.setFault('user', { kind: 'rate-limit', retryAfter: 5 }, 1);
    const result = await s.gql(VIEWER, {}, bearer(token));
    expect(result.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 5 });
    expect(s.sim.count('user')).toBe(1);
  });

  it('does not retry a rejected token (401)', async () => {
    const result = await s.gql(VIEWER, {}, bearer('not-a-real-token-0000'));
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(s.sim.count('user')).toBe(1);
  });

  it('never retries POST /users/signin', async () => {
    s.sim.setFault('signin', { kind: 'status', status: 503 });
    const result = await s.gql(SIGN_IN, { input: { login: plain.login, password: plain.password } });
    expect(errorCode(result)).toBe('UPSTREAM_UNAVAILABLE');
    expect(s.sim.count('signin')).toBe(1);
  });

  it('spends one deadline on the whole call: a hung plex.tv is called once', async () => {
    const quick = await startRealServer({}, { limits: { plex: { timeoutMs: 200 } } });
    try {
      quick.sim.setFault('user', { kind: 'hang' });
      const result = await quick.gql(VIEWER, {}, bearer(quick.sim.issueToken(plain.login)));
      expect(errorCode(result)).toBe('UPSTREAM_TIMEOUT');
      expect(quick.sim.count('user')).toBe(1);
    } finally {
      await quick.close();
    }
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter', () => {
    expect([0, 1, 2].map((attempt) => backoffMs(attempt, () => 0))).toEqual([50, 100, 200]);
    expect([0, 1, 2].map((attempt) => backoffMs(attempt, () => 1))).toEqual([100, 200, 400]);
  });

  it('stops retrying when the next attempt would start past the deadline', async () => {
    let attempts = 0;
    const policy = retryWithinDeadline<number>({
      retries: 2,
      deadline: Date.now() + 60,
      retryAfterMs: () => null,
      retryOnError: () => true,
      random: () => 1,
    });
    // The first backoff (100 ms) does not fit in 60 ms.
    expect(await policy.execute(async () => ++attempts)).toBe(1);
  });

  it('retries within the deadline, up to the number of retries', async () => {
    let attempts = 0;
    const policy = retryWithinDeadline<number>({
      retries: 2,
      deadline: Date.now() + 5_000,
      retryAfterMs: () => null,
      retryOnError: () => true,
      random: () => 0,
    });
    expect(await policy.execute(async () => ++attempts)).toBe(3);
  });
});

describe('circuit breaker', () => {
  let s: RealServer;
  let token: string;
  beforeAll(async () => {
    s = await startRealServer({ SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '0' }, { limits: { plex: { breakerFailures: 3, breakerCooldownMs: 300, userRetries: 0 } } });
    token = s.sim.issueToken(plain.login);
  });
  afterAll(() => s.close());
  afterEach(() => s.sim.reset());

  it('is not opened by 4xx answers such as wrong passwords', async () => {
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const result = await s.gql(SIGN_IN, { input: { login: plain.login, password: `wrong-${attempt}` } });
      expect(result.body.data.signIn.__typename).toBe('InvalidCredentialsError');
    }
    expect(s.sim.count('signin')).toBe(6);
  });

  it('opens after a run of failures, fails fast without calling plex.tv, then probes and closes after the cool-down', async () => {
    s.sim.setFault('user', { kind: 'status', status: 500 });
    for (let attempt = 0; attempt < 3; attempt += 1) expect(errorCode(await s.gql(VIEWER, {}, bearer(token)))).toBe('UPSTREAM_UNAVAILABLE');
    expect(s.sim.count('user')).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.logs.some((line) => line.includes('circuit open'))).toBe(true);

    // Open: plex.tv is not called at all, for viewer or sign-in.
    s.sim.setFault('user', null);
    expect(errorCode(await s.gql(VIEWER, {}, bearer(token)))).toBe('UPSTREAM_UNAVAILABLE');
    expect(errorCode(await s.gql(SIGN_IN, { input: { login: plain.login, password: plain.password } }))).toBe('UPSTREAM_UNAVAILABLE');
    expect(s.sim.count()).toBe(3);

    // After the cool-down one probe goes through; plex.tv has recovered, so the circuit closes.
    await new Promise((resolve) => setTimeout(resolve, 350));
    const probe = await s.gql(VIEWER, {}, bearer(token));
    expect(probe.body.errors).toBeUndefined();
    expect(s.sim.count('user')).toBe(4);
    expect((await s.gql(VIEWER, {}, bearer(token))).body.errors).toBeUndefined();
    expect(s.logs.some((line) => line.includes('circuit closed'))).toBe(true);
  });

  it('counts timeouts and network errors as failures', async () => {
    const down = await startRealServer({ PLEX_API_URL: 'http://127.0.0.1:1' }, { limits: { plex: { breakerFailures: 2, userRetries: 0 } } });
    try {
      for (let attempt = 0; attempt < 2; attempt += 1) await down.gql(VIEWER, {}, bearer('token-0000000000000000'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(down.logs.some((line) => line.includes('circuit open'))).toBe(true);
    } finally {
      await down.close();
    }
  });
});

describe('concurrency cap on upstream calls', () => {
  let sim: PlexSimulator;
  let proxy: Server;
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    sim = createPlexSimulator();
    await sim.listen(0, '127.0.0.1');
    const upstream = new URL(sim.url);
    // A counting pass-through in front of the simulator: it sees exactly the calls the facade makes.
    proxy = createServer((req, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => (inFlight -= 1));
      });
      req.pipe(forward);
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
  });
  afterAll(async () => {
    proxy.close();
    await sim.close();
  });

  it('never has more than maxConcurrency calls in flight; the rest wait their turn and succeed', async () => {
    const port = (proxy.address() as AddressInfo).port;
    const capped = await startRealServer({ PLEX_API_URL: `http://127.0.0.1:${port}` }, { sim, limits: { plex: { maxConcurrency: 2, timeoutMs: 3000 } } });
    try {
      sim.setFault('user', { kind: 'delay', ms: 60 });
      const tokens = Array.from({ length: 8 }, () => sim.issueToken(plain.login));
      const results = await Promise.all(tokens.map((token) => capped.gql(VIEWER, {}, bearer(token))));
      expect(results.map((result) => result.body.errors)).toEqual(Array(8).fill(undefined));
      expect(sim.count('user')).toBe(8);
      expect(maxInFlight).toBe(2);
    } finally {
      await capped.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes requests in flight, then stops accepting', async () => {
    const s = await startRealServer();
    const token = s.sim.issueToken(plain.login);
    s.sim.setFault('user', { kind: 'delay', ms: 150 });
    const inFlight = s.gql(VIEWER, {}, bearer(token));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = s.running.close();
    const result = await inFlight;
    expect(result.status).toBe(200);
    expect(result.body.data.viewer.id).toBeTruthy();
    await closing;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
    await s.sim.close();
  });

  it('on SIGTERM, answers the request in flight and exits 0', async () => {
    const sim = createPlexSimulator();
    await sim.listen(0, '127.0.0.1');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PLEX_API_URL: sim.url, PLEX_CLIENT_IDENTIFIER: 'shutdown-test', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_MS: '200' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 15_000);
        child.stdout.on('data', () => {
          const match = /"url":"(http:[^"]+)"/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      sim.setFault('user', { kind: 'delay', ms: 300 });
      const inFlight = fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(sim.issueToken(plain.login)) },
        body: JSON.stringify({ query: VIEWER }),
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: { viewer: { id: string } } }).data.viewer.id).toBeTruthy();
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(output).toContain('shutting down');
      expect(output).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await sim.close();
    }
  }, 20_000);
});
