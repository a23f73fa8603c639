import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig } from './harness.js';

let sim: PlexSimulator;
let running: RunningServer;

beforeAll(async () => {
  sim = createPlexSimulator();
  await sim.listen(0, '127.0.0.1');
  const config = { ...testConfig(sim.url), port: 0, host: '127.0.0.1' };
  running = await startServer({ config, logger: capturingLogger().logger });
});
afterAll(async () => {
  await running.close();
  await sim.close();
});

describe('the node:http server', () => {
  it('answers /health with 200', async () => {
    const response = await fetch(`${running.url}/health`);
    expect(response.status).toBe(200);
  });

  it('serves GraphiQL to browsers at /graphql', async () => {
    const response = await fetch(`${running.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('Plex account GraphQL');
  });

  it('signs in and reads the viewer over real sockets', async () => {
    const post = (query: string, variables: unknown, headers: Record<string, string> = {}) =>
      fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      }).then((response) => response.json());
    const signIn = await post('mutation S($input: SignInInput!) { signIn(input: $input) { ... on SignInSuccess { authToken } } }', {
      input: { login: DEMO_ACCOUNTS.plain.login, password: DEMO_ACCOUNTS.plain.password },
    });
    const token = signIn.data.signIn.authToken;
    expect(token).toEqual(expect.any(String));
    const viewer = await post('{ viewer { username } }', {}, { authorization: `Bearer ${token}` });
    expect(viewer).toEqual({ data: { viewer: { username: DEMO_ACCOUNTS.plain.username } } });
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${running.url}/nope`)).status).toBe(404);
  });
});

describe('src/main.ts', () => {
  function run(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    return { child, output: () => output };
  }

  it('exits 1 and lists every bad variable', async () => {
    const { child, output } = run([], { PORT: 'x', PLEX_API_URL: 'not a url' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output()).toContain('PORT');
    expect(output()).toContain('PLEX_API_URL');
  }, 20_000);

  it('starts against any plex.tv-compatible server and stops on SIGTERM', async () => {
    const { child, output } = run([], { PORT: '0', HOST: '127.0.0.1', PLEX_API_URL: sim.url, PLEX_CLIENT_IDENTIFIER: 'smoke', SHUTDOWN_DRAIN_MS: '200' });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${output()}`)), 15_000);
        child.stdout.on('data', () => {
          const match = /"url":"(http:[^"]+)"/.exec(output());
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      const token = sim.issueToken(DEMO_ACCOUNTS.twoFactor.login);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plex-token': token },
        body: JSON.stringify({ query: '{ viewer { username twoFactorEnabled } }' }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { username: DEMO_ACCOUNTS.twoFactor.username, twoFactorEnabled: true } } });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output()).not.toContain(sim.url.includes('token') ? 'x' : 'authToken');
  }, 20_000);
});
