import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSignInPinDocument,
  SignInPinDocument,
  ViewerNameDocument,
  WatchSignInPinDocument,
} from '../operations/generated/graphql.js';
import { print } from 'graphql';
import { approvalUrl, createPlexClient, type PlexClient } from '../src/plex/client.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createPinWatcher, pinStatus, type PinStatus, type PinWatcherOptions } from '../src/auth/pin-sign-in.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import packageJson from '../package.json' with { type: 'json' };
import { subscribeSse, type SseEvent } from './support/sse.js';
import { bearer, capturingLogger, CLIENT_ID, ISO_DATE_TIME, startHarness, testConfig, testLimits, type Harness } from './support/servers.js';

let h: Harness;
beforeAll(async () => {
  // Every test here creates PINs from one address; the per-address limit has its own tests (security-pin-throttle).
  h = await startHarness({ SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '3000' }, { limits: { pins: { pollIntervalMs: 50 } } });
});
afterAll(() => h.close());
afterEach(() => h.sim.reset());

const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) =>
  response.body.errors?.[0]?.extensions?.['code'];

async function createPin(input: { forwardUrl?: string } = {}) {
  const response = await h.gql(CreateSignInPinDocument, { input });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.createSignInPin;
}

/** The parameters app.plex.tv reads from the fragment of authUrl. */
function authParams(authUrl: string): URLSearchParams {
  const hash = new URL(authUrl).hash;
  expect(hash.startsWith('#?')).toBe(true);
  return new URLSearchParams(hash.slice(2));
}

describe('createSignInPin', () => {
  it('creates a strong PIN at plex.tv with the client headers and returns the approval page address', async () => {
    const pin = await createPin({ forwardUrl: 'https://app.example/after sign-in?x=1&y=2' });
    expect(pin.id).toMatch(/^\d+$/);
    expect(pin.code).toMatch(/^[a-z0-9]{25}$/);
    expect(pin.expiresAt).toMatch(ISO_DATE_TIME);
    expect(Date.parse(pin.expiresAt)).toBeGreaterThan(Date.now());
    // The simulator serves its own QR image where plex.tv serves its own.
    expect(pin.qr).toBe(`${h.sim.url}/api/v2/pins/qr/${pin.code}`);

    const [request] = h.sim.requests;
    expect(request).toMatchObject({ method: 'POST', route: 'pins', path: '/api/v2/pins' });
    expect(request?.query.get('strong')).toBe('true');
    expect(request?.headers['x-plex-client-identifier']).toBe(CLIENT_ID);
    expect(request?.headers['x-plex-product']).toBe('Plex Account GraphQL');
    expect(request?.headers['x-plex-version']).toBe(packageJson.version);
    expect(request?.headers['x-plex-token']).toBeUndefined();

    // PLEX_API_URL is the simulator: its approval page stands in for app.plex.tv/auth.
    expect(pin.authUrl.startsWith(`${h.sim.url}/simulator/approve#?clientID=`)).toBe(true);
    // Every part is percent-encoded, brackets included.
    expect(pin.authUrl).toContain('&context%5Bdevice%5D%5Bproduct%5D=Plex%20Account%20GraphQL');
    const params = authParams(pin.authUrl);
    expect(params.get('clientID')).toBe(CLIENT_ID);
    expect(params.get('code')).toBe(pin.code);
    expect(params.get('context[device][product]')).toBe('Plex Account GraphQL');
    expect(params.get('forwardUrl')).toBe('https://app.example/after%20sign-in?x=1&y=2');
  });

  it('accepts forwardUrl written inline in the document, as with a variable (graphql-js semantics)', async () => {
    const response = await h.gql('mutation { createSignInPin(input: { forwardUrl: "https://app.example/signed-in" }) { id authUrl } }');
    expect(response.body.errors).toBeUndefined();
    const created = (response.body.data as { createSignInPin: { authUrl: string } }).createSignInPin;
    expect(authParams(created.authUrl).get('forwardUrl')).toBe('https://app.example/signed-in');
  });

  it('leaves forwardUrl out of authUrl when none is given, and takes no input at all', async () => {
    const response = await h.gql('mutation { createSignInPin { id authUrl } }');
    expect(response.body.errors).toBeUndefined();
    const { authUrl } = (response.body.data as { createSignInPin: { authUrl: string } }).createSignInPin;
    expect(authParams(authUrl).has('forwardUrl')).toBe(false);
  });

  it.each(['javascript:alert(1)', 'ftp://files.example/x', 'not a url'])(
    'rejects the forward URL %s as BAD_USER_INPUT without calling plex.tv',
    async (forwardUrl) => {
      const response = await h.gql(CreateSignInPinDocument, { input: { forwardUrl } });
      expect(code(response)).toBe('BAD_USER_INPUT');
      expect(h.sim.count()).toBe(0);
    },
  );

  it('builds authUrl on the approval page (the simulator page in simulator mode)', () => {
    const url = approvalUrl('http://127.0.0.1:9/simulator/approve#old', {
      clientIdentifier: 'id with space',
      code: 'abc',
      product: 'P&Q',
    });
    expect(url).toBe('http://127.0.0.1:9/simulator/approve#?clientID=id%20with%20space&code=abc&context%5Bdevice%5D%5Bproduct%5D=P%26Q');
  });

  it('maps plex.tv failures to error codes', async () => {
    h.sim.setFault('pins', { kind: 'status', status: 503 }, 1);
    expect(code(await h.gql(CreateSignInPinDocument, { input: {} }))).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.setFault('pins', { kind: 'rate-limit', retryAfter: 7 }, 1);
    const limited = await h.gql(CreateSignInPinDocument, { input: {} });
    expect(code(limited)).toBe('RATE_LIMITED');
    expect(limited.body.errors?.[0]?.extensions?.['retryAfterSeconds']).toBe(7);
    h.sim.setFault('pins', { kind: 'missing-fields' }, 1);
    expect(code(await h.gql(CreateSignInPinDocument, { input: {} }))).toBe('UPSTREAM_BAD_RESPONSE');
  });
});

describe('Query.signInPin', () => {
  it('is pending until the user approves, then a SignInSuccess with a working token', async () => {
    const pin = await createPin();
    const pending = await h.gql(SignInPinDocument, { id: pin.id, code: pin.code });
    expect(pending.body.data?.signInPin).toEqual({ __typename: 'SignInPinPending', id: pin.id, expiresAt: pin.expiresAt });

    expect(h.sim.approvePin(pin.id)).toBe(true);
    const approved = await h.gql(SignInPinDocument, { id: pin.id, code: pin.code });
    const success = approved.body.data?.signInPin;
    expect(success?.__typename).toBe('SignInSuccess');
    if (success?.__typename !== 'SignInSuccess') throw new Error('not a success');
    expect(success.user.username).toBe(DEMO_ACCOUNTS.plain.username);
    expect(success.authToken).toMatch(/^\w{20}$/);

    // Create and poll carry the same client identifier: plex.tv only shows a PIN to the client that created it.
    const pinCalls = h.sim.requests.filter((r) => r.route === 'pins' || r.route === 'pin');
    expect(pinCalls.map((r) => r.path)).toEqual(['/api/v2/pins', `/api/v2/pins/${pin.id}`, `/api/v2/pins/${pin.id}`]);
    for (const call of pinCalls) expect(call.headers['x-plex-client-identifier']).toBe(CLIENT_ID);
    // One GET /user with the new token, for the account.
    const userCalls = h.sim.requests.filter((r) => r.route === 'user');
    expect(userCalls).toHaveLength(1);
    expect(userCalls[0]?.headers['x-plex-token']).toBe(success.authToken);

    const viewer = await h.gql(ViewerNameDocument, {}, bearer(success.authToken));
    expect(viewer.body.data?.viewer?.username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it('answers SignInPinExpiredError for an expired PIN', async () => {
    const pin = await createPin();
    h.sim.expirePin(pin.id);
    const response = await h.gql(SignInPinDocument, { id: pin.id, code: pin.code });
    expect(response.body.data?.signInPin).toMatchObject({ __typename: 'SignInPinExpiredError', id: pin.id, message: expect.any(String) });
  });

  it('answers SignInPinExpiredError for a PIN plex.tv does not know (404, code 1020)', async () => {
    const response = await h.gql(SignInPinDocument, { id: '123', code: 'abc' });
    expect(response.body.data?.signInPin).toMatchObject({ __typename: 'SignInPinExpiredError', id: '123' });
    expect(h.sim.count('pin')).toBe(1);
  });

  it('answers a wrong code exactly like an unknown PIN, even after approval, and never reveals the token', async () => {
    const pin = await createPin();
    h.sim.approvePin(pin.id);
    const response = await h.gql(SignInPinDocument, { id: pin.id, code: 'x'.repeat(pin.code.length) });
    expect(response.body.data?.signInPin).toMatchObject({ __typename: 'SignInPinExpiredError', id: pin.id });
    expect(response.text).not.toContain('authToken');
    expect(h.sim.count('user')).toBe(0);
  });

  it("does not see another client identifier's PIN", async () => {
    const other = await startHarness({ PLEX_CLIENT_IDENTIFIER: 'another-client' });
    try {
      const pin = await createPin();
      h.sim.approvePin(pin.id);
      const response = await other.gql(SignInPinDocument, { id: pin.id, code: pin.code });
      expect(response.body.data?.signInPin?.__typename).toBe('SignInPinExpiredError');
    } finally {
      await other.close();
    }
  });

  it.each([
    ['a path', '../user'],
    ['letters', '12a'],
    ['an empty id', ''],
    ['a negative number', '-1'],
    ['too many digits', '1'.repeat(21)],
  ])('rejects %s as id with BAD_USER_INPUT before any upstream call', async (_name, id) => {
    const response = await h.gql(SignInPinDocument, { id, code: 'abc' });
    expect(code(response)).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0]?.extensions?.['issues']).toEqual([expect.objectContaining({ path: ['id'] })]);
    expect(h.sim.count()).toBe(0);
  });

  it('rejects a malformed code with BAD_USER_INPUT before any upstream call', async () => {
    const response = await h.gql(SignInPinDocument, { id: '123', code: 'a/b' });
    expect(code(response)).toBe('BAD_USER_INPUT');
    expect(h.sim.count()).toBe(0);
  });

  it('costs one upstream call per distinct PIN however many aliases poll it', async () => {
    const first = await createPin();
    const second = await createPin();
    h.sim.reset();
    const fields = '__typename ... on SignInPinPending { id }';
    const response = await h.gql(
      `query ($a: ID!, $ca: String!, $b: ID!, $cb: String!) {
        a1: signInPin(id: $a, code: $ca) { ${fields} }
        a2: signInPin(id: $a, code: $ca) { ${fields} }
        a3: signInPin(id: $a, code: $ca) { ${fields} }
        b1: signInPin(id: $b, code: $cb) { ${fields} }
        b2: signInPin(id: $b, code: $cb) { ${fields} }
      }`,
      { a: first.id, ca: first.code, b: second.id, cb: second.code },
    );
    expect(response.body.errors).toBeUndefined();
    expect(Object.values(response.body.data ?? {}).map((v) => (v as { __typename: string }).__typename)).toEqual(
      Array(5).fill('SignInPinPending'),
    );
    expect(h.sim.count('pin')).toBe(2);
  });

  it('maps plex.tv failures while polling to error codes', async () => {
    const pin = await createPin();
    h.sim.setFault('pin', { kind: 'status', status: 500 }, 1);
    expect(code(await h.gql(SignInPinDocument, { id: pin.id, code: pin.code }))).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.setFault('pin', { kind: 'invalid-json' }, 1);
    expect(code(await h.gql(SignInPinDocument, { id: pin.id, code: pin.code }))).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('treats a PIN past its expiresAt as expired even when plex.tv still returns it', async () => {
    const pin = { id: '1', code: 'abc', qr: null, clientIdentifier: CLIENT_ID, expiresAt: new Date(Date.now() - 1000), authToken: null };
    const loadUser = () => Promise.reject(new Error('not called'));
    expect(await pinStatus('1', 'abc', pin, loadUser)).toEqual({ kind: 'expired', id: '1' });
    expect(await pinStatus('1', 'abc', { ...pin, expiresAt: new Date(Date.now() + 60_000) }, loadUser)).toMatchObject({ kind: 'pending' });
  });
});


describe('Subscription.signInPin over Server-Sent Events', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      config: testConfig(h.sim.url, { PORT: '0', HOST: '127.0.0.1' }),
    limits: testLimits({ pins: { pollIntervalMs: 50 } }),
      logger: capturingLogger().logger,
    });
  });
  afterAll(() => server.close());

  it('emits pending, then SignInSuccess once approved, then completes', async () => {
    const pin = await createPin();
    const events: SseEvent[] = [];
    for await (const event of subscribeSse(server.url, print(WatchSignInPinDocument), { id: pin.id, code: pin.code })) {
      events.push(event);
      if (events.length === 1) h.sim.approvePin(pin.id, DEMO_ACCOUNTS.twoFactor.login);
    }
    expect(events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
    const statuses = events.slice(0, 2).map((e) => JSON.parse(e.data).data.signInPin);
    expect(statuses[0]).toEqual({ __typename: 'SignInPinPending', id: pin.id, expiresAt: pin.expiresAt });
    expect(statuses[1]).toMatchObject({ __typename: 'SignInSuccess', user: { username: DEMO_ACCOUNTS.twoFactor.username } });
    expect(h.sim.requests.filter((r) => r.route === 'pin').every((r) => r.headers['x-plex-client-identifier'] === CLIENT_ID)).toBe(true);
  });

  it('emits SignInPinExpiredError and completes when the PIN expires', async () => {
    const pin = await createPin();
    const events: SseEvent[] = [];
    for await (const event of subscribeSse(server.url, print(WatchSignInPinDocument), { id: pin.id, code: pin.code })) {
      events.push(event);
      if (events.length === 1) h.sim.expirePin(pin.id);
    }
    expect(events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
    expect(JSON.parse(events[1]!.data).data.signInPin).toMatchObject({ __typename: 'SignInPinExpiredError', id: pin.id });
  });

  it('answers the same with the arguments written inline as with variables (graphql-js semantics)', async () => {
    const pin = await createPin();
    const inline = `subscription { signInPin(id: "${pin.id}", code: "${pin.code}") { __typename ... on SignInPinPending { id } ... on SignInSuccess { user { username } } } }`;
    const events: SseEvent[] = [];
    for await (const event of subscribeSse(server.url, inline, {})) {
      events.push(event);
      if (events.length === 1) h.sim.approvePin(pin.id, DEMO_ACCOUNTS.plain.login);
    }
    expect(events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
    expect(JSON.parse(events[0]!.data).data.signInPin).toEqual({ __typename: 'SignInPinPending', id: pin.id });
    expect(JSON.parse(events[1]!.data).data.signInPin).toEqual({ __typename: 'SignInSuccess', user: { username: DEMO_ACCOUNTS.plain.username } });
    expect(h.sim.count('pin')).toBeGreaterThanOrEqual(2);
  });

  it('rejects a malformed id with BAD_USER_INPUT and starts no poller', async () => {
    const events: SseEvent[] = [];
    for await (const event of subscribeSse(server.url, print(WatchSignInPinDocument), { id: '1;2', code: 'abc' })) events.push(event);
    expect(JSON.parse(events[0]!.data).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(h.sim.count()).toBe(0);
  });
});

it('ends open subscriptions when the server closes, with a last SHUTTING_DOWN event, instead of holding the shutdown open', async () => {
  const own = await startServer({
    config: testConfig(h.sim.url, { PORT: '0', HOST: '127.0.0.1' }),
    limits: testLimits({ pins: { pollIntervalMs: 50 } }),
    logger: capturingLogger().logger,
  });
  const pin = await createPin();
  const events: SseEvent[] = [];
  let closing: Promise<void> | undefined;
  for await (const event of subscribeSse(own.url, print(WatchSignInPinDocument), { id: pin.id, code: pin.code })) {
    events.push(event);
    closing ??= own.close();
  }
  await closing;
  expect(events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
  expect(JSON.parse(events[1]!.data).errors[0].extensions).toEqual({ code: 'SHUTTING_DOWN' });
});

describe('the PIN watcher', () => {
  const clients: PlexClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });
  const plexFor = () => {
    const client = createPlexClient({ baseUrl: h.sim.url, clientIdentifier: CLIENT_ID, product: 'Facade Tests', version: '9.9.9', timeoutMs: 300 });
    clients.push(client);
    return client.forRequest();
  };
  /** A legacy-mode watcher over `plex`. */
  const watcherOf = (plex: ReturnType<typeof plexFor>, options: Omit<PinWatcherOptions, 'poll' | 'loadUser'>) =>
    createPinWatcher({ poll: (id) => plex.getPin(id), loadUser: (token) => plex.currentUser(token), ...options });

  // The abuse limits out of the way, except where a test sets one.
  const LIMITS = { maxPerAddress: 5, pollsPerSecond: 1000, backoffAfterMs: 15 * 60_000, maxIntervals: 1 };

  async function next(iterator: AsyncIterator<PinStatus>): Promise<PinStatus> {
    const result = await iterator.next();
    if (result.done) throw new Error('the watch ended');
    return result.value;
  }

  it('shares one poller per PIN between subscribers', async () => {
    const plex = plexFor();
    // A long interval: only the first poll happens during this test.
    const watcher = watcherOf(plex, { ...LIMITS, intervalMs: 60_000 });
    try {
      const pin = await plex.createPin({});
      const first = watcher.watch(pin.id, pin.code);
      expect(await next(first)).toMatchObject({ kind: 'pending', id: pin.id });
      const second = watcher.watch(pin.id, pin.code);
      const third = watcher.watch(pin.id, pin.code);
      expect(await next(second)).toMatchObject({ kind: 'pending' });
      expect(await next(third)).toMatchObject({ kind: 'pending' });
      expect(h.sim.count('pin')).toBe(1);
      expect(watcher.size).toBe(1);
      await first.return?.();
      await second.return?.();
      expect(watcher.size).toBe(1);
      await third.return?.();
      expect(watcher.size).toBe(0);
    } finally {
      watcher.close();
    }
  });

  it('ends every subscriber after success and stops polling', async () => {
    const plex = plexFor();
    const watcher = watcherOf(plex, { ...LIMITS, intervalMs: 50 });
    try {
      const pin = await plex.createPin({});
      const a = watcher.watch(pin.id, pin.code);
      const b = watcher.watch(pin.id, pin.code);
      expect(await next(a)).toMatchObject({ kind: 'pending' });
      expect(await next(b)).toMatchObject({ kind: 'pending' });
      h.sim.approvePin(pin.id);
      expect(await next(a)).toMatchObject({ kind: 'success' });
      expect(await next(b)).toMatchObject({ kind: 'success' });
      expect((await a.next()).done).toBe(true);
      expect((await b.next()).done).toBe(true);
      expect(watcher.size).toBe(0);
    } finally {
      watcher.close();
    }
  });

  it('refuses one address more distinct PINs than its cap with RATE_LIMITED, and lets other addresses watch', async () => {
    const plex = plexFor();
    const watcher = watcherOf(plex, { ...LIMITS, intervalMs: 60_000, maxPerAddress: 1 });
    try {
      const pin = await plex.createPin({});
      const watching = watcher.watch(pin.id, pin.code, '192.0.2.1');
      await next(watching);
      // The same PIN joins the existing poller; another one is refused.
      const again = watcher.watch(pin.id, pin.code, '192.0.2.1');
      await next(again);
      const refused = { extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) };
      expect(() => watcher.watch('999', 'abc', '192.0.2.1')).toThrowError(expect.objectContaining(refused));
      const elsewhere = watcher.watch('999', 'abc', '192.0.2.2');
      expect(await next(elsewhere)).toMatchObject({ kind: 'expired' });
      await watching.return?.();
      await again.return?.();
      expect(() => watcher.watch('999', 'abc', '192.0.2.1')).not.toThrow();
    } finally {
      watcher.close();
    }
  });

  it('gives subscribers the error after repeated failed polls', async () => {
    const plex = plexFor();
    const watcher = watcherOf(plex, { ...LIMITS, intervalMs: 50, maxFailures: 2 });
    try {
      const pin = await plex.createPin({});
      h.sim.setFault('pin', { kind: 'status', status: 503 });
      const watching = watcher.watch(pin.id, pin.code);
      await expect(watching.next()).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect(h.sim.count('pin')).toBe(2);
      expect(watcher.size).toBe(0);
    } finally {
      watcher.close();
    }
  });
});
