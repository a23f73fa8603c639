import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../src/simulator/index.js';
import { startHarness, type Harness } from './support/servers.js';

const plain = DEMO_ACCOUNTS.plain;
const SIGN_IN = 'mutation SignIn($input: SignInInput!) { signIn(input: $input) { __typename ... on SignInSuccess { authToken } } }';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await h.yoga.fetch('http://facade.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('bounded metrics', () => {
  it('10 000 random operation names grow /metrics by less than 200 KB: unknown names share the (other) label', async () => {
    const scrape = async () => (await h.yoga.fetch('http://facade.test/metrics')).text();
    // Warm up the series and the process before measuring.
    for (let i = 0; i < 200; i++) await post(JSON.stringify({ query: `query Warm${i} { __typename }` }));
    const before = await scrape();
    for (let i = 0; i < 10_000; i++) {
      const name = `Op${Math.random().toString(36).slice(2)}${i}`;
      const response = await post(JSON.stringify({ query: `query ${name} { __typename }` }));
      expect(response.status).toBe(200);
    }
    const after = await scrape();
    expect(after.length - before.length).toBeLessThan(200 * 1024);
    expect(after).toMatch(/operationName="\(other\)"/);
  }, 120_000);
});

describe('response hygiene', () => {
  it('never echoes the JSON parser error: no originalError, no parser name, 400 for every client', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const response = await post('{"query": "{ viewer { id } }", "variables": {"password": "s3cret"', { accept });
      expect(response.status).toBe(400);
      expect(response.text).not.toMatch(/originalError|SyntaxError|s3cret|stack/);
      expect(JSON.parse(response.text).errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    }
  });

  it('answers Cache-Control: no-store on every GraphQL response, the token-bearing signIn included', async () => {
    const signedIn = await post(JSON.stringify({ query: SIGN_IN, variables: { input: { login: plain.login, password: plain.password } } }));
    expect(JSON.parse(signedIn.text).data.signIn.__typename).toBe('SignInSuccess');
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    const failed = await post(JSON.stringify({ query: '{ viewer { id } }' }));
    expect(failed.headers.get('cache-control')).toBe('no-store');
    const get = await h.yoga.fetch('http://facade.test/graphql?query=%7B__typename%7D', { headers: { accept: 'application/json' } });
    expect(get.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a variable that fails coercion with 400 to application/graphql-response+json clients, naming the field', async () => {
    h.sim.reset();
    const response = await post(JSON.stringify({ query: SIGN_IN, variables: { input: { login: 'demo' } } }));
    expect(response.status).toBe(400);
    const error = JSON.parse(response.text).errors[0];
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('password');
    expect(h.sim.count()).toBe(0);
  });

  it('refuses a request with more header fields than maxRequestHeaders (431), before anything runs', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 500; i++) headers[`x-filler-${i}`] = 'x';
    const response = await post(JSON.stringify({ query: '{ __typename }' }), headers);
    expect(response.status).toBe(431);
    expect(JSON.parse(response.text).errors[0].extensions.code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
    const fine = await post(JSON.stringify({ query: '{ __typename }' }), { 'x-one': '1' });
    expect(fine.status).toBe(200);
  });
});

describe('credentials', () => {
  const VIEWER = JSON.stringify({ query: '{ viewer { username } }' });

  it('refuses Authorization and X-Plex-Token together with UNAUTHENTICATED, saying why, without calling plex.tv', async () => {
    const token = h.sim.issueToken(plain.login);
    h.sim.reset();
    const response = await post(VIEWER, { authorization: `Bearer ${token}`, 'x-plex-token': token });
    const error = JSON.parse(response.text).errors[0];
    expect(error.extensions.code).toBe('UNAUTHENTICATED');
    expect(error.message).toMatch(/one header/);
    expect(h.sim.count()).toBe(0);
  });

  it('never lets a malformed Authorization hide a valid X-Plex-Token: the malformed header is named', async () => {
    const token = h.sim.issueToken(plain.login);
    const response = await post(VIEWER, { authorization: 'Basic dXNlcjpwYXNz', 'x-plex-token': token });
    const error = JSON.parse(response.text).errors[0];
    expect(error.extensions.code).toBe('UNAUTHENTICATED');
    const alone = await post(VIEWER, { authorization: 'Token abc' });
    expect(JSON.parse(alone.text).errors[0].message).toMatch(/Authorization header is malformed/);
  });

  it('serves either header alone', async () => {
    const token = h.sim.issueToken(plain.login);
    const both: Record<string, string>[] = [{ authorization: `Bearer ${token}` }, { 'x-plex-token': token }];
    for (const headers of both) {
      const response = await post(VIEWER, headers);
      expect(JSON.parse(response.text).data.viewer.username).toBe(plain.username);
    }
  });
});
