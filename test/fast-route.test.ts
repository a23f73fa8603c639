import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { SignInDocument, SignOutDocument, ViewerDocument, ViewerNameDocument } from '../operations/generated/graphql.js';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { regularMediaType } from '../src/fast-route.js';
import { capturingLogger, testConfig } from './harness.js';

// The fast route must answer exactly as Yoga does. Two servers run side by side on one plex.tv simulator, one with
// the fast route and one without; every case goes to both, three times (the first run of a document is Yoga's on
// both), and status, headers, body, metrics, log lines and upstream calls are compared.

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Pair {
  readonly fast: RunningServer;
  readonly plain: RunningServer;
  readonly fastLogs: string[];
  readonly plainLogs: string[];
  close(): Promise<void>;
}

let sim: PlexSimulator;
let pair: Pair;

async function startPair(env: Record<string, string> = {}): Promise<Pair> {
  const fastLog = capturingLogger('info');
  const plainLog = capturingLogger('info');
  const base = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env };
  const fast = await startServer({ config: testConfig(sim.url, { ...base, FAST_ROUTE: 'on' }), logger: fastLog.logger });
  const plain = await startServer({ config: testConfig(sim.url, { ...base, FAST_ROUTE: 'off' }), logger: plainLog.logger });
  return {
    fast,
    plain,
    fastLogs: fastLog.lines,
    plainLogs: plainLog.lines,
    close: async () => {
      await fast.close();
      await plain.close();
    },
  };
}

// Values that legitimately differ between two servers or two runs.
const VARYING_HEADERS = new Set(['date', 'x-request-id', 'connection', 'keep-alive']);
function normalise(body: string): string {
  return body.replace(/"authToken":"[^"]+"/g, '"authToken":"<token>"').replace(/"durationMs":[\d.]+/g, '"durationMs":0');
}

async function send(server: RunningServer, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const kept = Object.fromEntries([...response.headers].filter(([name]) => !VARYING_HEADERS.has(name)));
  return { status: response.status, headers: kept, body: normalise(await response.text()) };
}

/** Sends one request to both servers `times` times; returns the plain server's answers and how many the fast route served. */
async function both(
  body: unknown,
  headersOf: Record<string, string> | (() => Record<string, string>) = {},
  times = 3,
  // Retries of GET /user after a 5xx depend on timing (jittered backoff inside the deadline), not on the route.
  exactUpstream = true,
): Promise<{ answers: Answer[]; served: number }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const before = pair.fast.fastRouteServed();
  const answers: Answer[] = [];
  for (let i = 0; i < times; i += 1) {
    const plainCalls = sim.count();
    const plain = await send(pair.plain, text, typeof headersOf === 'function' ? headersOf() : headersOf);
    const upstreamPlain = sim.count() - plainCalls;
    const fast = await send(pair.fast, text, typeof headersOf === 'function' ? headersOf() : headersOf);
    const upstreamFast = sim.count() - plainCalls - upstreamPlain;
    expect(fast, `run ${i + 1} of ${text.slice(0, 80)}`).toEqual(plain);
    if (exactUpstream) expect(upstreamFast).toBe(upstreamPlain);
    else expect(upstreamFast > 0).toBe(upstreamPlain > 0);
    answers.push(plain);
  }
  return { answers, served: pair.fast.fastRouteServed() - before };
}

let token: string;
const viewer = print(ViewerDocument);
const signIn = print(SignInDocument);

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  token = sim.issueToken(DEMO_ACCOUNTS.plain.login);
  pair = await startPair();
});
afterAll(async () => {
  await pair.close();
  await sim.close();
});

describe('fast route: the same answers as Yoga', () => {
  it('serves repeats of a document it has run, and answers the first run through Yoga', async () => {
    const { answers, served } = await both({ query: viewer }, { authorization: `Bearer ${token}` });
    expect(served).toBe(2);
    expect(answers[0]!.status).toBe(200);
    expect(JSON.parse(answers[0]!.body).data.viewer.username).toBe(DEMO_ACCOUNTS.plain.username);
  });

  it.each([
    ['no token', {}],
    ['a rejected token', { authorization: 'Bearer not-a-token-plex-knows' }],
    ['X-Plex-Token', { 'x-plex-token': '' }],
    ['graphql-response+json', { accept: 'application/graphql-response+json' }],
    ['both media types, graphql-response+json first', { accept: 'application/graphql-response+json, application/json' }],
    ['both media types, json first', { accept: 'application/json, application/graphql-response+json' }],
    ['*/*', { accept: '*/*' }],
    ['a charset in the content type', { 'content-type': 'application/json; charset=utf-8' }],
    ['a caller request id', { 'x-request-id': 'caller-id-1' }],
    ['a cross-origin request (CORS)', { origin: 'https://app.example' }],
  ])('viewer with %s', async (_name, headers: Record<string, string>) => {
    const withToken = 'x-plex-token' in headers ? { 'x-plex-token': token } : headers;
    const { served } = await both({ query: print(ViewerNameDocument), operationName: 'ViewerName' }, withToken);
    expect(served).toBeGreaterThanOrEqual(2);
  });

  it('echoes the caller request id, and sends a fresh one otherwise', async () => {
    await both({ query: print(ViewerNameDocument) });
    for (const server of [pair.fast, pair.plain]) {
      for (const [sent, expected] of [['caller-id-2', /^caller-id-2$/], [undefined, /^[0-9a-f-]{36}$/]] as const) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(sent && { 'x-request-id': sent }) },
          body: JSON.stringify({ query: print(ViewerNameDocument) }),
        });
        expect(response.headers.get('x-request-id')).toMatch(expected);
      }
    }
  });

  it.each([
    ['success', { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password }],
    ['wrong password', { login: DEMO_ACCOUNTS.plain.login, password: 'wrong-password' }],
    ['2FA required', { login: DEMO_ACCOUNTS.twoFactor.login, password: DEMO_ACCOUNTS.twoFactor.password }],
    ['2FA code', { login: DEMO_ACCOUNTS.twoFactor.login, password: DEMO_ACCOUNTS.twoFactor.password, verificationCode: '123456' }],
    ['invalid input', { login: '', password: '' }],
  ])('signIn: %s', async (_name, input) => {
    const { served } = await both({ query: signIn, variables: { input } });
    expect(served).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['a variable of the wrong type', { input: { login: 'a', password: 'b', rememberMe: 'yes' } }],
    ['a missing variable', {}],
    ['null for a required variable', { input: null }],
    ['an unknown input field', { input: { login: 'a', password: 'b', admin: true } }],
  ])('signIn with %s', async (_name, variables) => {
    const { answers, served } = await both({ query: signIn, variables });
    expect(served).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(answers[0]!.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('signOut', async () => {
    const { answers, served } = await both({ query: print(SignOutDocument) }, () => ({ authorization: `Bearer ${sim.issueToken(DEMO_ACCOUNTS.plain.login)}` }));
    expect(served).toBe(2);
    expect(JSON.parse(answers[2]!.body).data.signOut).toEqual({ signedOut: true, tokenWasValid: true });
  });

  it('runs the named operation of a document holding several, and leaves unknown names to Yoga', async () => {
    const document = 'query Name { viewer { username } } query Type { __typename }';
    const headers = { authorization: `Bearer ${token}` };
    expect((await both({ query: document, operationName: 'Type' }, headers)).served).toBe(2);
    expect((await both({ query: document, operationName: 'Name' }, headers)).served).toBe(3);
    expect((await both({ query: document, operationName: 'Nope' }, headers)).served).toBe(0);
    expect((await both({ query: document }, headers)).served).toBe(0);
  });

  it.each([
    [{ kind: 'status', status: 502 } as const],
    [{ kind: 'invalid-json' } as const],
    [{ kind: 'hang' } as const],
    [{ kind: 'missing-fields' } as const],
  ])('upstream fault %o', async (fault) => {
    const document = { query: print(ViewerNameDocument) };
    await both(document, { authorization: `Bearer ${token}` }, 1);
    sim.setFault('user', fault);
    try {
      const { served } = await both(document, { authorization: `Bearer ${token}` }, 2, fault.kind !== 'status');
      expect(served).toBe(2);
    } finally {
      sim.setFault('user', null);
    }
  });

  it('leaves documents that failed validation or limits to Yoga, every time', async () => {
    expect((await both({ query: 'query { viewer { nope } }' })).served).toBe(0);
    const deep = `query { viewer { ${'subscription { '.repeat(12)}active${' }'.repeat(12)} } }`;
    expect((await both({ query: deep })).served).toBe(0);
    const multiple = 'mutation { a: signIn(input: { login: "a", password: "b" }) { __typename } b: signIn(input: { login: "a", password: "b" }) { __typename } }';
    expect((await both({ query: multiple })).served).toBe(0);
    expect((await both({ query: '{ viewer { id }' })).served).toBe(0);
  });

  it('leaves to Yoga what it does not serve: GET, preflights, other content types, batches, extra parameters, broken JSON, big bodies', async () => {
    const query = print(ViewerNameDocument);
    await both({ query });
    const before = pair.fast.fastRouteServed();
    expect((await both([{ query }])).served).toBe(0);
    expect((await both({ query, extra: 1 })).served).toBe(0);
    expect((await both({ query, extensions: { other: 1 } })).served).toBe(0);
    expect((await both({ query, variables: [1] })).served).toBe(0);
    expect((await both({ query, operationName: 7 })).served).toBe(0);
    expect((await both(`{"query": ${JSON.stringify(query)}`)).served).toBe(0);
    expect((await both({ query }, { accept: 'text/html' })).served).toBe(0);
    expect((await both({ query }, { 'content-type': 'text/plain' })).served).toBe(0);
    // Over the body limit (100 kB by default): Yoga's 413, from the Content-Length alone.
    expect((await both({ query, variables: { padding: 'x'.repeat(200_000) } }, {}, 1)).answers[0]!.status).toBe(413);
    for (const server of [pair.fast, pair.plain]) {
      const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/json' } });
      expect(get.status).toBe(200);
      const preflight = await fetch(`${server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(204);
    }
    expect(pair.fast.fastRouteServed()).toBe(before);
  });

  it('survives a client that hangs up halfway through its body, and keeps serving', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(pair.fast.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"query":');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    expect((await both({ query: print(ViewerNameDocument) }, {}, 1)).served).toBe(1);
  });

  it('serves documents sent by persisted-operation id, and refuses unknown ids through Yoga', async () => {
    const documentId = (ViewerDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
    const headers = { authorization: `Bearer ${token}` };
    expect((await both({ documentId }, headers)).served).toBeGreaterThanOrEqual(2);
    expect((await both({ extensions: { persistedQuery: { version: 1, sha256Hash: documentId.replace('sha256:', '') } } }, headers)).served).toBe(3);
    expect((await both({ documentId: `sha256:${'0'.repeat(64)}` }, headers)).served).toBe(0);
  });

  it('counts the same metrics and writes the same operation log lines', async () => {
    const metrics = async (server: RunningServer) => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => /^(graphql_operations_total|graphql_envelop_error_result|graphql_envelop_deprecated_field|graphql_yoga_http_duration_count|graphql_operation_duration_seconds_count)\b/.test(line))
        .sort();
    };
    const [fastMetrics, plainMetrics] = [await metrics(pair.fast), await metrics(pair.plain)];
    expect(fastMetrics.length).toBeGreaterThan(10);
    expect(fastMetrics).toEqual(plainMetrics);
    const operations = (lines: string[]) =>
      lines
        .filter((line) => line.includes('"msg":"operation"'))
        .map((line) => {
          const { operationName, result, upstream } = JSON.parse(line) as { operationName: string; result: string; upstream: { endpoint: string; status: unknown }[] };
          // Distinct calls only: how often a 5xx is retried depends on timing.
          return { operationName, result, upstream: [...new Set(upstream.map((call) => `${call.endpoint} ${String(call.status)}`))] };
        });
    expect(operations(pair.fastLogs).length).toBeGreaterThan(50);
    expect(operations(pair.fastLogs)).toEqual(operations(pair.plainLogs));
    const secrets = [token, DEMO_ACCOUNTS.plain.password, '123456'];
    for (const line of pair.fastLogs) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});

describe('fast route: configurations', () => {
  it('counts each request once against RATE_LIMIT_PER_MINUTE and answers over the limit as Yoga does', async () => {
    const limited = await startPair({ RATE_LIMIT_PER_MINUTE: '4' });
    try {
      const query = JSON.stringify({ query: print(ViewerNameDocument) });
      const statuses: Record<string, number[]> = { fast: [], plain: [] };
      const bodies: Record<string, string[]> = { fast: [], plain: [] };
      for (const [name, server] of [['fast', limited.fast], ['plain', limited.plain]] as const) {
        for (let i = 0; i < 6; i += 1) {
          const answer = await send(server, query, {});
          statuses[name]!.push(answer.status);
          bodies[name]!.push(answer.body);
          if (answer.status === 429) expect(answer.headers['retry-after']).toMatch(/^\d+$/);
        }
      }
      expect(statuses['fast']).toEqual([200, 200, 200, 200, 429, 429]);
      expect(statuses['fast']).toEqual(statuses['plain']);
      expect(bodies['fast']).toEqual(bodies['plain']);
      expect(limited.fast.fastRouteServed()).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('throttles sign-in guesses exactly as Yoga does (per login, by the client address of the socket)', async () => {
    const throttled = await startPair({ SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '2' });
    try {
      const body = JSON.stringify({ query: signIn, variables: { input: { login: DEMO_ACCOUNTS.plain.login, password: 'wrong-password' } } });
      const typenames: Record<string, string[]> = { fast: [], plain: [] };
      for (let i = 0; i < 4; i += 1) {
        const [fast, plain] = [await send(throttled.fast, body, {}), await send(throttled.plain, body, {})];
        expect(fast).toEqual(plain);
        typenames['fast']!.push(JSON.parse(fast.body).data.signIn.__typename);
      }
      expect(typenames['fast']).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError', 'SignInThrottledError', 'SignInThrottledError']);
      expect(throttled.fast.fastRouteServed()).toBe(3);
    } finally {
      await throttled.close();
    }
  });

  it('answers cross-origin requests with the CORS headers Yoga gives under CORS_ORIGINS', async () => {
    const cors = await startPair({ CORS_ORIGINS: 'https://allowed.example,https://other.example' });
    try {
      const query = JSON.stringify({ query: print(ViewerNameDocument) });
      for (const origin of ['https://allowed.example', 'https://evil.example', 'https://allowed.example']) {
        for (let i = 0; i < 2; i += 1) {
          const [fast, plain] = [await send(cors.fast, query, { origin }), await send(cors.plain, query, { origin })];
          expect(fast).toEqual(plain);
          if (origin === 'https://allowed.example') expect(fast.headers['access-control-allow-origin']).toBe(origin);
          else expect(fast.headers['access-control-allow-origin']).toBeUndefined();
        }
      }
      expect(cors.fast.fastRouteServed()).toBe(5);
    } finally {
      await cors.close();
    }
  });

  it('keeps PERSISTED_OPERATIONS=only: a document run by id is still refused as text', async () => {
    const only = await startPair({ PERSISTED_OPERATIONS: 'only' });
    try {
      const documentId = (ViewerNameDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
      for (let i = 0; i < 3; i += 1) expect((await send(only.fast, JSON.stringify({ documentId }), {})).status).toBe(200);
      expect(only.fast.fastRouteServed()).toBe(2);
      const text = await send(only.fast, JSON.stringify({ query: print(ViewerNameDocument) }), {});
      expect(JSON.parse(text.body).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
      expect(only.fast.fastRouteServed()).toBe(2);
    } finally {
      await only.close();
    }
  });

  it('chooses the media type as Yoga does', () => {
    expect(regularMediaType(undefined)).toBe('application/json');
    expect(regularMediaType('*/*')).toBe('application/json');
    expect(regularMediaType('application/graphql-response+json')).toBe('application/graphql-response+json');
    expect(regularMediaType('application/json;charset=latin1')).toBeNull();
    expect(regularMediaType('text/event-stream')).toBeNull();
  });
});
