import { networkInterfaces } from 'node:os';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig, testLimits } from './support/servers.js';

// Mock mode as `main.ts --mock` (and `docker run -p 4000:4000 IMAGE --mock`) runs it: the simulator mounted under
// /simulator on the server's own port, the plex client calling it there over loopback HTTP.

const CREATE_PIN = 'mutation { createSignInPin { id code authUrl qr } }';
const PIN_STATUS = `query ($id: ID!, $code: String!) { signInPin(id: $id, code: $code) {
  __typename ... on SignInSuccess { authToken user { username thumb } } } }`;

/** An IPv4 address of this machine other than loopback, as a browser on another machine (or a container's host) would use. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Plain HTTP to the server's port with any Host header (fetch does not let a caller choose it). */
async function send(port: number, path: string, options: { host: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  const response = await request(`http://127.0.0.1:${port}${path}`, {
    method: (options.method ?? 'GET') as 'GET',
    headers: { host: options.host, ...options.headers },
    body: options.body,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

function graphql(port: number, host: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return send(port, '/graphql', {
    host,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  }).then((reply) => ({ ...reply, body: JSON.parse(reply.text) }));
}

async function mockServer(env: Record<string, string> = {}): Promise<{ sim: PlexSimulator; server: RunningServer; port: number }> {
  const sim = createPlexSimulator();
  // PLEX_API_URL is not used in mock mode: the server points its plex client at itself.
  const config = testConfig('https://plex.invalid', { HOST: '0.0.0.0', PORT: '0', ...env });
  const server = await startServer({ config, logger: capturingLogger('warn').logger, simulator: sim, limits: testLimits({ plex: { timeoutMs: 5000 } }) });
  return { sim, server, port: Number(new URL(server.url).port) };
}

describe('mock mode: the simulator on the server’s own port', () => {
  let sim: PlexSimulator;
  let server: RunningServer;
  let port: number;
  beforeAll(async () => {
    ({ sim, server, port } = await mockServer());
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  it('calls the simulator over loopback HTTP under /simulator, and the simulator listens on no port of its own', async () => {
    const signIn = await graphql(port, `localhost:${port}`, 'mutation { signIn(input: { login: "demo", password: "demo-password" }) { __typename } }');
    expect(signIn.body).toEqual({ data: { signIn: { __typename: 'SignInSuccess' } } });
    expect(sim.requests.map((r) => [r.route, r.path, r.headers['host']])).toEqual([['signin', '/api/v2/users/signin', `127.0.0.1:${port}`]]);
    expect(() => sim.url).toThrow(/not listening/);
    // plex.tv's paths, under the prefix, answer anyone who can reach the API.
    const direct = await send(port, '/simulator/api/v2/pins?strong=true', {
      host: `localhost:${port}`,
      method: 'POST',
      headers: { accept: 'application/json', 'x-plex-client-identifier': 'curl' },
    });
    expect(direct.status).toBe(201);
    expect(JSON.parse(direct.text).qr).toMatch(new RegExp(`^http://localhost:${port}/simulator/api/v2/pins/qr/`));
    expect(JSON.parse((await send(port, '/simulator/stats', { host: `localhost:${port}` })).text)).toMatchObject({ routes: { signin: 1, pins: 1 } });
    expect((await send(port, '/simulatorx', { host: `localhost:${port}` })).status).toBe(404);
  });

  it('builds every address it hands out from the Host the client used (here, a container port published as 8080)', async () => {
    const host = 'plex-demo.example:8080';
    const created = await graphql(port, host, CREATE_PIN);
    const pin = created.body.data.createSignInPin;
    expect(pin.authUrl).toMatch(/^http:\/\/plex-demo\.example:8080\/simulator\/approve#\?clientID=/);
    expect(pin.qr).toBe(`http://plex-demo.example:8080/simulator/api/v2/pins/qr/${pin.code}`);
    expect(created.text).not.toMatch(/127\.0\.0\.1|plex\.tv/);

    // The approval page and the QR image are where those addresses say, on the same port.
    const page = await send(port, `/simulator/approve?${new URL(pin.authUrl).hash.slice(2)}`, { host, headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post" action="approve">');
    expect((await send(port, new URL(pin.qr).pathname, { host })).headers['content-type']).toBe('image/svg+xml');
    const approved = await send(port, '/simulator/approve', {
      host,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: `pin=${pin.id}&login=${encodeURIComponent(DEMO_ACCOUNTS.twoFactor.login)}`,
    });
    expect(approved.text).toContain('Approved');

    const status = await graphql(port, host, PIN_STATUS, { id: pin.id, code: pin.code });
    const { user } = status.body.data.signInPin;
    expect(user.username).toBe(DEMO_ACCOUNTS.twoFactor.username);
    expect(user.thumb).toMatch(/^http:\/\/plex-demo\.example:8080\/simulator\/users\/[0-9a-f]+\/avatar\?c=\d+$/);
    const avatar = await send(port, new URL(user.thumb).pathname + new URL(user.thumb).search, { host });
    expect(avatar.status).toBe(200);
    expect(avatar.headers['content-type']).toBe('image/svg+xml');
    expect(status.text).not.toContain('127.0.0.1');

    // Another client, another Host: the same account's avatar at that client's address.
    const token = status.body.data.signInPin.authToken;
    const viewer = await graphql(port, `localhost:${port}`, '{ viewer { thumb } }', {}, { authorization: `Bearer ${token}` });
    expect(viewer.body.data.viewer.thumb).toBe(user.thumb.replace('http://plex-demo.example:8080', `http://localhost:${port}`));
  });

  it('ignores X-Forwarded-Host and -Proto from peers TRUST_PROXY does not trust', async () => {
    const created = await graphql(port, `localhost:${port}`, CREATE_PIN, {}, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(created.body.data.createSignInPin.authUrl).toMatch(new RegExp(`^http://localhost:${port}/simulator/approve#`));
  });

  const address = externalAddress();
  it.runIf(address !== undefined)('completes a PIN sign-in through a non-loopback address of this machine', async () => {
    const base = `http://${address}:${port}`;
    const post = (query: string, variables: Record<string, unknown> = {}) =>
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then(
        (response) => response.json(),
      );
    const { createSignInPin: pin } = (await post(CREATE_PIN)).data;
    expect(pin.authUrl.startsWith(`${base}/simulator/approve#?`)).toBe(true);
    // What the approval page's script does with the fragment, then what its form sends.
    const page = await fetch(pin.authUrl.replace('#?', '?'), { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain(`name="pin" value="${pin.id}"`);
    const approved = await fetch(new URL('approve', page.url), { method: 'POST', body: new URLSearchParams({ pin: pin.id }) });
    expect(await approved.json()).toEqual({ approved: true, pin: Number(pin.id), login: DEMO_ACCOUNTS.plain.login });
    const { signInPin } = (await post(PIN_STATUS, { id: pin.id, code: pin.code })).data;
    expect(signInPin.__typename).toBe('SignInSuccess');
    expect(signInPin.user.thumb.startsWith(`${base}/simulator/users/`)).toBe(true);
    expect((await fetch(signInPin.user.thumb)).headers.get('content-type')).toBe('image/svg+xml');
  });
});

describe('mock mode behind a proxy', () => {
  it('uses X-Forwarded-Proto and -Host from a proxy TRUST_PROXY trusts', async () => {
    const { sim, server, port } = await mockServer({ TRUST_PROXY: 'loopback' });
    try {
      const headers = { 'x-forwarded-host': 'plex-demo.example', 'x-forwarded-proto': 'https' };
      const created = await graphql(port, `127.0.0.1:${port}`, CREATE_PIN, {}, headers);
      const pin = created.body.data.createSignInPin;
      expect(pin.authUrl).toMatch(/^https:\/\/plex-demo\.example\/simulator\/approve#\?/);
      expect(pin.qr).toBe(`https://plex-demo.example/simulator/api/v2/pins/qr/${pin.code}`);
    } finally {
      await server.close();
      await sim.close();
    }
  });

  it('uses PUBLIC_URL, path prefix included, whatever the request says', async () => {
    const { sim, server, port } = await mockServer({ PUBLIC_URL: 'https://demo.example/plex/' });
    try {
      const pin = (await graphql(port, `localhost:${port}`, CREATE_PIN)).body.data.createSignInPin;
      expect(pin.authUrl).toMatch(/^https:\/\/demo\.example\/plex\/simulator\/approve#\?/);
      expect(pin.qr).toBe(`https://demo.example/plex/simulator/api/v2/pins/qr/${pin.code}`);
      sim.approvePin(pin.id);
      const status = await graphql(port, 'elsewhere.example', PIN_STATUS, { id: pin.id, code: pin.code });
      expect(status.body.data.signInPin.user.thumb).toMatch(/^https:\/\/demo\.example\/plex\/simulator\/users\//);
    } finally {
      await server.close();
      await sim.close();
    }
  });
});
