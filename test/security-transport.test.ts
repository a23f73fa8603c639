import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, loadConfig, type Config } from '../src/config.js';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { errorCode, JSON_HEADERS, SIGN_IN, startRealServer, type RealServer } from './support/servers.js';

const plain = DEMO_ACCOUNTS.plain;
const SECRET = 'Sup3r-Secret-Pa55word';
const signInDocument = `mutation { signIn(input: { login: "${plain.login}", password: "${plain.password}" }) { __typename } }`;

let s: RealServer;
beforeAll(async () => {
  s = await startRealServer();
});
afterAll(() => s.close());
afterEach(() => s.sim.reset());

describe('CSRF', () => {
  const form = new URLSearchParams({ query: signInDocument }).toString();
  const multipart = () => {
    const data = new FormData();
    data.set('operations', JSON.stringify({ query: signInDocument }));
    data.set('map', '{}');
    return data;
  };

  it.each([
    ['application/x-www-form-urlencoded', () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })],
    ['text/plain', () => ({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: signInDocument }) })],
    ['multipart/form-data', () => ({ headers: {}, body: multipart() })],
  ])('rejects a %s POST without a preflight header with 403 CSRF_REJECTED, running nothing', async (_type, init) => {
    const result = await s.fetch({ method: 'POST', ...init() });
    expect(result.status).toBe(403);
    expect(errorCode(result)).toBe('CSRF_REJECTED');
    expect(s.sim.count()).toBe(0);
  });

  it('lets the same form through with a preflight header (which a cross-site page cannot set without CORS)', async () => {
    const result = await s.fetch({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-csrf': '1' },
      body: form,
    });
    expect(result.status).toBe(200);
    expect(result.body.data.signIn.__typename).toBe('SignInSuccess');
    expect(s.sim.count('signin')).toBe(1);
  });

  it('rejects a mutation over GET with 405, calling nothing', async () => {
    const result = await s.fetch({ method: 'GET', path: `/graphql?query=${encodeURIComponent(signInDocument)}`, headers: { accept: 'application/graphql-response+json' } });
    expect(result.status).toBe(405);
    expect(result.headers.get('allow')).toBe('POST');
    expect(s.sim.count()).toBe(0);
  });

  it('still serves queries over GET', async () => {
    const result = await s.fetch({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}` });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('request body limit (100 KB by default)', () => {
  const padded = (bytes: number) => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
    return body.replace('"pad":""', `"pad":"${'x'.repeat(bytes - body.length)}"`);
  };

  it('accepts a body of exactly 100 KB', async () => {
    const result = await s.fetch({ method: 'POST', headers: JSON_HEADERS, body: padded(100 * 1024) });
    expect(result.status).toBe(200);
  });

  it('answers 413 to a larger body, from its Content-Length, before parsing', async () => {
    const result = await s.fetch({ method: 'POST', headers: JSON_HEADERS, body: padded(100 * 1024 + 1) });
    expect(result.status).toBe(413);
    expect(errorCode(result)).toBe('REQUEST_ENTITY_TOO_LARGE');
  });

  it('answers 413 to a chunked body that grows past the limit', async () => {
    const url = new URL(`${s.url}/graphql`);
    const status = await new Promise<number>((resolve, reject) => {
      let answered = false;
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: JSON_HEADERS }, (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The server may cut the connection once it has answered; only an error before the answer is a failure.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      const chunk = 'x'.repeat(16 * 1024);
      req.write(`{"query":"{ __typename }","variables":{"pad":"`);
      const writeMore = (left: number) => {
        if (answered || req.destroyed) return;
        if (left === 0) {
          req.end('"}}');
          return;
        }
        req.write(chunk, () => setTimeout(() => writeMore(left - 1), 5));
      };
      writeMore(12);
    });
    expect(status).toBe(413);
  });

  it('follows MAX_REQUEST_BODY_BYTES', async () => {
    const small = await startRealServer({ MAX_REQUEST_BODY_BYTES: '200' });
    try {
      expect((await small.fetch({ method: 'POST', headers: JSON_HEADERS, body: padded(201) })).status).toBe(413);
      expect((await small.fetch({ method: 'POST', headers: JSON_HEADERS, body: padded(200) })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('request timeout', () => {
  it('cuts a client that never finishes its request (requestTimeoutMs)', async () => {
    const slow = await startRealServer({}, { limits: { http: { requestTimeoutMs: 400 } } });
    try {
      const url = new URL(slow.url);
      const socket = connect(Number(url.port), url.hostname);
      await once(socket, 'connect');
      socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      await once(socket, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(slow.sim.count()).toBe(0);
    } finally {
      await slow.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (server: RealServer, origin: string) =>
    server.fetch({ method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });

  it('allows any origin without credentials when CORS_ORIGINS is unset', async () => {
    const result = await preflight(s, 'https://anywhere.example');
    expect(result.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
    expect(result.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('allows only the listed origins, with credentials, when CORS_ORIGINS is set', async () => {
    const listed = await startRealServer({ CORS_ORIGINS: 'https://app.example, https://admin.example' });
    try {
      const allowed = await preflight(listed, 'https://admin.example');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      const other = await preflight(listed, 'https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('access-control-allow-credentials')).toBeNull();
      const post = await listed.gql('{ __typename }', {}, { origin: 'https://evil.example' });
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await listed.close();
    }
  });
});

describe('production mode (NODE_ENV=production)', () => {
  let prod: RealServer;
  beforeAll(async () => {
    prod = await startRealServer({ NODE_ENV: 'production' });
  });
  afterAll(() => prod.close());

  it('refuses introspection, unless GRAPHQL_INTROSPECTION=true', async () => {
    const closed = await prod.gql('{ __schema { queryType { name } } }');
    expect(closed.status).toBe(400);
    expect(closed.body.data).toBeUndefined();
    const open = await startRealServer({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
    try {
      expect((await open.gql('{ __schema { queryType { name } } }')).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await open.close();
    }
    // Outside production it is on.
    expect((await s.gql('{ __schema { queryType { name } } }')).status).toBe(200);
  });

  it('refuses _service { sdl } like introspection, also inside fragments, and plex.tv is not called', async () => {
    for (const document of ['{ _service { sdl } }', '{ ...Sdl } fragment Sdl on Query { service: _service { sdl } }', '{ ... on Query { _service { __typename } } }']) {
      const closed = await prod.gql(document);
      expect(closed.status, document).toBe(400);
      expect(closed.body.data, document).toBeUndefined();
      expect(errorCode(closed), document).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(closed.body.errors[0].message, document).toMatch(/"_service".*schema\.subgraph\.graphql/);
      expect(closed.text, document).not.toContain('@key');
    }
    expect(prod.sim.count()).toBe(0);
  });

  it('serves _service { sdl } with GRAPHQL_INTROSPECTION=true, or to a gateway while introspection stays off', async () => {
    const sdl = readFileSync(new URL('../schema.subgraph.graphql', import.meta.url), 'utf8');
    const sdlOnly = (c: Config): Config => ({ ...c, graphql: { ...c.graphql, subgraphSdl: true } });
    const cases: { env: Record<string, string>; configure?: (c: Config) => Config }[] = [{ env: { GRAPHQL_INTROSPECTION: 'true' } }, { env: {}, configure: sdlOnly }];
    for (const options of cases) {
      const open = await startRealServer({ NODE_ENV: 'production', ...options.env }, options);
      try {
        const served = await open.gql('{ _service { sdl } }');
        expect(served.status).toBe(200);
        expect(`${served.body.data._service.sdl}\n`).toBe(sdl);
        if (options.configure) expect((await open.gql('{ __schema { queryType { name } } }')).status).toBe(400);
      } finally {
        await open.close();
      }
    }
    // Outside production it is served, like introspection.
    expect((await s.gql('{ _service { sdl } }')).status).toBe(200);
  });

  it('does not serve GraphiQL, unless GRAPHQL_INTROSPECTION=true', async () => {
    const page = await prod.fetch({ method: 'GET', headers: { accept: 'text/html' } });
    expect(page.text).not.toContain('Plex account GraphQL');
    const enabled = await startRealServer({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
    try {
      expect((await enabled.fetch({ method: 'GET', headers: { accept: 'text/html' } })).text).toContain('Plex account GraphQL');
    } finally {
      await enabled.close();
    }
  });

  it('hides field suggestions ("Did you mean")', async () => {
    const typo = '{ viewr { id } }';
    expect((await s.gql(typo)).text).toContain('Did you mean');
    const result = await prod.gql(typo);
    expect(result.status).toBe(400);
    expect(result.text).not.toMatch(/Did you mean|"viewer"/);
  });

  it('sends no stack trace, whatever fails', async () => {
    prod.sim.setFault('*', { kind: 'invalid-json' });
    const result = await prod.gql(SIGN_IN, { input: { login: plain.login, password: plain.password } });
    expect(errorCode(result)).toBe('UPSTREAM_BAD_RESPONSE');
    expect(result.text).not.toMatch(/stack|\.ts:\d+|at [\w.]+ \(/);
  });
});

describe('tokens', () => {
  it.each(['token', 'X-Plex-Token', 'access_token', 'authToken'])('never reads one from the query string (?%s=)', async (param) => {
    const token = s.sim.issueToken(plain.login);
    const result = await s.fetch({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ viewer { id } }')}&${param}=${token}` });
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    expect(s.sim.count()).toBe(0);
  });
});

describe('malformed requests never echo the request back', () => {
  it.each([
    ['invalid JSON', `{"query": "mutation { signIn(input: {login: \\"a\\", password: \\"${SECRET}`],
    ['a variables string', JSON.stringify({ query: SIGN_IN, variables: `{"input":{"password":"${SECRET}"}}` })],
    ['a password of the wrong type', JSON.stringify({ query: SIGN_IN, variables: { input: { login: plain.login, password: { value: SECRET } } } })],
    ['an unknown input field', JSON.stringify({ query: SIGN_IN, variables: { input: { login: plain.login, password: 'x', passwd: SECRET } } })],
    ['a wrong-typed 2FA code', JSON.stringify({ query: SIGN_IN, variables: { input: { login: plain.login, password: SECRET, verificationCode: 123456 } } })],
    ['a document that does not parse', JSON.stringify({ query: `mutation { signIn(input: { login: "a", password: "${SECRET}" } ` })],
    ['an unterminated string literal', JSON.stringify({ query: `mutation { signIn(input: { login: "a", password: "${SECRET} }) { __typename } }` })],
    ['an unquoted password literal', JSON.stringify({ query: `mutation { signIn(input: { login: "a", password: ${SECRET.replace(/-/g, '_')} }) { __typename } }` })],
    ['a number literal for the password', JSON.stringify({ query: `mutation { signIn(input: { login: "a", password: 9876543210123 }) { __typename } }` })],
  ])('%s: a short error, no secret, no call to plex.tv', async (_name, body) => {
    const result = await s.fetch({ method: 'POST', headers: JSON_HEADERS, body });
    // 4xx from Yoga's own checks; bad variables answer 200 to clients that also accept application/json.
    expect(result.status).toBeLessThan(500);
    expect(result.body.errors.length).toBeGreaterThan(0);
    expect(result.text).not.toContain(SECRET);
    expect(result.text).not.toContain(SECRET.replace(/-/g, '_'));
    expect(result.text).not.toContain('9876543210123');
    expect(result.text.length).toBeLessThan(1200);
    expect(s.sim.count()).toBe(0);
  });

  it('still says where the problem is', async () => {
    const result = await s.fetch({
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ query: SIGN_IN, variables: { input: { login: plain.login, password: { value: SECRET } } } }),
    });
    expect(result.body.errors[0].message).toBe('input.password must be a string.');
    expect(result.text).not.toContain(SECRET);
    expect(result.body.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('defaults', () => {
  it('are the documented ones', () => {
    const loaded = loadConfig({});
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const { throttles, trustProxy, maxRequestBodyBytes } = loaded.config;
    expect(throttles.signIn).toEqual({ loginFailuresPerMinute: 5, loginFailuresPerQuarterHour: 100, addressAttemptsPerMinute: 30 });
    expect(throttles.pins).toEqual({ creationsPerMinute: 10, pollsPerMinute: 60, subscriptionsPerMinute: 30 });
    expect(throttles.rateLimitPerMinute).toBe(0);
    expect(trustProxy).toBe(false);
    expect(maxRequestBodyBytes).toBe(100 * 1024);
    expect(LIMITS.operations).toEqual({ maxDepth: 10, maxAliases: 15, maxTokens: 1000, maxDirectives: 20, maxCost: 5000 });
    expect(LIMITS.plex).toEqual({ timeoutMs: 10_000, maxConcurrency: 1024, userRetries: 2, breakerFailures: 5, breakerCooldownMs: 15_000 });
  });

  it('reject a bad TRUST_PROXY or CORS_ORIGINS with a clear problem', () => {
    const loaded = loadConfig({ TRUST_PROXY: 'not-an-address', CORS_ORIGINS: 'https://app.example/path', SHUTDOWN_DRAIN_MS: '-1' });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.join('\n')).toMatch(/TRUST_PROXY/);
    expect(loaded.problems.join('\n')).toMatch(/CORS_ORIGINS/);
    expect(loaded.problems.join('\n')).toMatch(/SHUTDOWN_DRAIN_MS/);
  });
});

describe('logs', () => {
  it('put the request id on every line written while serving a request, upstream diagnostics included', async () => {
    const token = s.sim.issueToken(plain.login);
    s.sim.setFault('user', { kind: 'invalid-json' }, 1);
    s.logs.length = 0;
    const result = await s.gql('query Who { viewer { id } }', {}, { authorization: `Bearer ${token}`, 'x-request-id': 'req-logs-1' });
    expect(errorCode(result)).toBe('UPSTREAM_BAD_RESPONSE');
    const lines = s.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => String(line['msg']).startsWith('plex.tv user'))).toBe(true);
    expect(lines.some((line) => line['msg'] === 'operation')).toBe(true);
    expect(lines.map((line) => line['requestId'])).toEqual(Array(lines.length).fill('req-logs-1'));
    expect(s.logs.join('\n')).not.toContain(token);
  });
});
