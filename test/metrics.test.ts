import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { CreateSignInPinDocument, SignInDocument, ViewerNameDocument, WatchSignInPinDocument } from '../operations/generated/graphql.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { bearer, startHarness, type Harness } from './support/servers.js';

/** One sample of a Prometheus text exposition: the value of `name` whose labels include all of `labels` (summed). */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) {
      total += Number(match[3]);
      found = true;
    }
  }
  return found ? total : 0;
}

const plain = DEMO_ACCOUNTS.plain;

describe('GET /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  async function scrape(harness = h): Promise<string> {
    const response = await harness.yoga.fetch('http://facade.test/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  it('a sign-in moves the operation series and the plex.tv signin series', async () => {
    const before = await scrape();
    const signedIn = { operationName: 'SignIn', operationType: 'mutation', result: 'SignInSuccess' };
    // plex.tv answers a successful sign-in with 201 Created.
    const signinCall = { endpoint: 'signin', status: '201' };

    const { body } = await h.gql(SignInDocument, { input: { login: plain.login, password: plain.password } });
    expect(body.data?.signIn.__typename).toBe('SignInSuccess');

    const after = await scrape();
    expect(sample(after, 'graphql_operations_total', signedIn) - sample(before, 'graphql_operations_total', signedIn)).toBe(1);
    const timed = { operationName: 'SignIn', operationType: 'mutation' };
    expect(sample(after, 'graphql_envelop_request_duration_count', timed) - sample(before, 'graphql_envelop_request_duration_count', timed)).toBe(1);
    expect(sample(after, 'graphql_envelop_request_duration_sum', timed)).toBeGreaterThan(0);
    expect(sample(after, 'plex_request_duration_seconds_count', signinCall) - sample(before, 'plex_request_duration_seconds_count', signinCall)).toBe(1);
    // The +Inf bucket holds every observation.
    expect(sample(after, 'plex_request_duration_seconds_bucket', { ...signinCall, le: '+Inf' })).toBe(sample(after, 'plex_request_duration_seconds_count', signinCall));
    // No other plex.tv endpoint was called.
    expect(sample(after, 'plex_request_duration_seconds_count', { endpoint: 'user' })).toBe(sample(before, 'plex_request_duration_seconds_count', { endpoint: 'user' }));
  });

  it('labels refusals and errors with their result, and upstream failures with their status', async () => {
    await h.gql(SignInDocument, { input: { login: plain.login, password: 'wrong-password' } });
    await h.gql(ViewerNameDocument);
    h.sim.setFault('user', { kind: 'hang' });
    await h.gql(ViewerNameDocument, {}, bearer(h.sim.issueToken(plain.login)));
    h.sim.reset();

    const metrics = await scrape();
    expect(sample(metrics, 'graphql_operations_total', { operationName: 'SignIn', result: 'InvalidCredentialsError' })).toBe(1);
    expect(sample(metrics, 'plex_request_duration_seconds_count', { endpoint: 'signin', status: '401' })).toBe(1);
    // Without a token, viewer fails before any plex.tv call.
    expect(sample(metrics, 'graphql_operations_total', { operationName: 'ViewerName', operationType: 'query', result: 'UNAUTHENTICATED' })).toBe(1);
    expect(sample(metrics, 'graphql_operations_total', { operationName: 'ViewerName', result: 'UPSTREAM_TIMEOUT' })).toBe(1);
    expect(sample(metrics, 'plex_request_duration_seconds_count', { endpoint: 'user', status: 'timeout' })).toBe(1);
  });

  it('counts documents that fail validation by phase, without executing them', async () => {
    const before = await scrape();
    const { body } = await h.gql('query Broken { viewer { noSuchField } }');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await scrape();
    expect(sample(after, 'graphql_envelop_error_result', { phase: 'validate' }) - sample(before, 'graphql_envelop_error_result', { phase: 'validate' })).toBe(1);
    expect(sample(after, 'graphql_operations_total', { operationName: 'Broken' })).toBe(0);
  });

  it('exposes process metrics and HTTP durations', async () => {
    const metrics = await scrape();
    expect(sample(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(metrics, 'graphql_yoga_http_duration_count', { method: 'POST', statusCode: '200' })).toBeGreaterThan(0);
  });

  it('counts a subscription once, with its last event, and the background PIN poller’s plex.tv calls', async () => {
    const pins = await startHarness({}, { limits: { pins: { pollIntervalMs: 50 } } });
    try {
      const created = await pins.gql(CreateSignInPinDocument, {});
      const pin = created.body.data!.createSignInPin;
      const response = await pins.yoga.fetch('http://facade.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: print(WatchSignInPinDocument), variables: { id: pin.id, code: pin.code } }),
      });
      const reader = response.body!.getReader();
      let stream = '';
      while (!stream.includes('SignInPinPending')) stream += new TextDecoder().decode((await reader.read()).value);
      // Approved after the first event: only the poller, outside any request, can notice it.
      pins.sim.approvePin(pin.id, plain.login);
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) stream += new TextDecoder().decode(chunk.value);
      expect(stream).toContain('SignInSuccess');

      const metrics = await scrape(pins);
      const watched = { operationName: 'WatchSignInPin', operationType: 'subscription' };
      expect(sample(metrics, 'graphql_operations_total', watched)).toBe(1);
      expect(sample(metrics, 'graphql_operations_total', { ...watched, result: 'SignInSuccess' })).toBe(1);
      expect(sample(metrics, 'plex_request_duration_seconds_count', { endpoint: 'pins', status: '201' })).toBe(1);
      expect(sample(metrics, 'plex_request_duration_seconds_count', { endpoint: 'pin', status: '200' })).toBe(pins.sim.count('pin'));
      expect(pins.sim.count('pin')).toBeGreaterThanOrEqual(2);
      expect(sample(metrics, 'plex_request_duration_seconds_count', { endpoint: 'user' })).toBe(pins.sim.count('user'));
    } finally {
      await pins.close();
    }
  });

  it('keeps each server’s series apart', async () => {
    const other = await startHarness();
    try {
      const metrics = await scrape(other);
      expect(sample(metrics, 'graphql_operations_total')).toBe(0);
      expect(sample(metrics, 'plex_request_duration_seconds_count')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('never puts tokens, credentials or documents in the exposition', async () => {
    const token = h.sim.issueToken(plain.login);
    await h.gql(ViewerNameDocument, {}, bearer(token));
    const metrics = await scrape();
    expect(metrics).not.toContain(token);
    expect(metrics).not.toContain(plain.password);
    expect(metrics).not.toContain('wrong-password');
    expect(metrics).not.toContain('viewer {');
  });
});
