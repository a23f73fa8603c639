import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createPlexSimulator, DEMO_ACCOUNTS, type PlexSimulator } from '../src/simulator/index.js';
import { capturingLogger, testConfig } from './support/servers.js';
import { curl, readmeCommands } from './readme.js';

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
  it('answers /health with 200 {"status":"ok"}', async () => {
    const response = await fetch(`${running.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok' });
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

function run(args: string[], env: Record<string, string>, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts', ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return { child, output: () => stdout + stderr, stdout: () => stdout, stderr: () => stderr };
}

/** The line a start-up failure prints: exit code 1, one line on stderr, no stack trace, nothing on stdout. */
async function startupFailure(env: Record<string, string>, args: string[] = []): Promise<string> {
  const { child, stdout, stderr } = run(args, { PLEX_CLIENT_IDENTIFIER: 'smoke', ...env });
  const [code] = await once(child, 'exit');
  expect(code).toBe(1);
  expect(stdout()).toBe('');
  expect(stderr()).toMatch(/^Cannot start: [^\n]+\n$/);
  expect(stderr()).not.toMatch(/\bat .*\(|node:internal|\.ts:\d+/);
  return stderr().trim();
}

/** Resolves with the first match of `pattern` in the child's stdout. */
function waitFor(child: ReturnType<typeof run>, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${pattern} not seen: ${child.output()}`)), timeoutMs);
    const check = () => {
      const match = pattern.exec(child.stdout());
      if (match) {
        clearTimeout(timer);
        child.child.stdout.off('data', check);
        resolve(match);
      }
    };
    child.child.stdout.on('data', check);
    check();
  });
}

describe('src/main.ts', () => {
  it('exits 1 and lists every bad variable in one line', async () => {
    const line = await startupFailure({ PORT: 'x', PLEX_API_URL: 'not a url' });
    expect(line).toBe(
      'Cannot start: environment variables to fix: PORT: must be a number; PLEX_API_URL: must be an http(s) URL such as https://plex.tv. docs/configuration.md lists every variable, its valid values and its default.',
    );
  }, 45_000);

  it('says that PLEX_AUTH_MODE=jwt needs AUTH_SEALING_KEY, and how to make one', async () => {
    expect(await startupFailure({ PORT: '0', HOST: '127.0.0.1', PLEX_AUTH_MODE: 'jwt' })).toBe(
      `Cannot start: environment variable to fix: AUTH_SEALING_KEY is required with PLEX_AUTH_MODE=jwt (it seals refresh tokens): generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))". docs/configuration.md lists every variable, its valid values and its default.`,
    );
  }, 45_000);

  it('refuses an unknown flag in one line naming it and the known ones', async () => {
    expect(await startupFailure({ PORT: '0', HOST: '127.0.0.1' }, ['--mok'])).toBe('Cannot start: unknown option --mok. Known options: --mock.');
  }, 45_000);

  it('says in one line that the port is taken, and how to fix it', async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const line = await startupFailure({ PORT: String(port), HOST: '127.0.0.1' });
      expect(line).toBe(
        `Cannot start: port ${port} is already in use (HOST 127.0.0.1). Stop the process that listens on it, or set PORT to a free port (e.g. PORT=${port + 1}).`,
      );
    } finally {
      taken.close();
    }
  }, 45_000);

  it('says in one line that the persisted-operations manifest cannot be read, and how to fix it', async () => {
    const missing = await startupFailure({ PORT: '0', HOST: '127.0.0.1', PERSISTED_OPERATIONS_MANIFEST: '/nonexistent/manifest.json' });
    expect(missing).toBe(
      'Cannot start: the persisted-operations manifest /nonexistent/manifest.json does not exist. Run npm run codegen to write it, or set PERSISTED_OPERATIONS_MANIFEST to the path of a valid manifest.',
    );
    const broken = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'manifest.json');
    writeFileSync(broken, '{"sha256:');
    expect(await startupFailure({ PORT: '0', HOST: '127.0.0.1', PERSISTED_OPERATIONS_MANIFEST: broken })).toBe(
      `Cannot start: the persisted-operations manifest ${broken} is not valid JSON. Run npm run codegen to write it, or set PERSISTED_OPERATIONS_MANIFEST to the path of a valid manifest.`,
    );
  }, 60_000);

  it('starts against any plex.tv-compatible server (one warning for a variable it no longer reads) and stops on SIGTERM', async () => {
    const main = run([], { PORT: '0', HOST: '127.0.0.1', PLEX_API_URL: sim.url, PLEX_CLIENT_IDENTIFIER: 'smoke', SHUTDOWN_DRAIN_MS: '200', PLEX_TIMEOUT_MS: '5000' });
    try {
      const [, url] = await waitFor(main, /"url":"(http:[^"]+)"/);
      const token = sim.issueToken(DEMO_ACCOUNTS.twoFactor.login);
      const response = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plex-token': token },
        body: JSON.stringify({ query: '{ viewer { username twoFactorEnabled } }' }),
      });
      expect(await response.json()).toEqual({ data: { viewer: { username: DEMO_ACCOUNTS.twoFactor.username, twoFactorEnabled: true } } });
      const replaced = main.stdout().split('\n').filter((line) => line.includes('PLEX_TIMEOUT_MS'));
      expect(replaced).toHaveLength(1);
      expect(JSON.parse(replaced[0]!)).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^PLEX_TIMEOUT_MS is set but no longer read: .*fixed limit/) });
      // The listening line names the demo page as well as the API.
      expect(main.stdout()).toMatch(/"msg":"listening: demo page http:\/\/127\.0\.0\.1:\d+\/, GraphQL http:\/\/127\.0\.0\.1:\d+\/graphql"/);
    } finally {
      main.child.kill('SIGTERM');
    }
    const [code] = await once(main.child, 'exit');
    expect(code).toBe(0);
    expect(main.output()).not.toContain('authToken');
    // On a supported Node.js, no word about the version.
    expect(main.output()).not.toContain('is not supported');
  }, 45_000);

  it('on a Node.js older than 22.15, logs one warning naming it and the supported ones, then serves', async () => {
    // process.versions.node as Node.js 20 reports it; the rest of the process is this Node.js.
    const node20 = 'data:text/javascript,Object.defineProperty(process.versions, "node", { value: "20.19.5" })';
    const main = run(['--mock'], { PORT: '0', HOST: '127.0.0.1' }, ['--import', node20]);
    try {
      const [, url] = await waitFor(main, /"url":"(http:[^"]+)"/);
      const warnings = main.stdout().split('\n').filter((line) => line.includes('Node.js'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({
        level: 'warn',
        msg: 'Node.js 20.19.5 is not supported: this server supports Node.js 22.15 or newer (24 LTS recommended). Starting anyway; upgrade Node.js.',
      });
      const response = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      main.child.kill('SIGTERM');
    }
    expect((await once(main.child, 'exit'))[0]).toBe(0);
  }, 45_000);
});

/** An IPv4 address of this machine other than loopback (what a browser elsewhere, or a container's host, connects to). */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
}

describe('src/main.ts --mock', () => {
  it('with PLEX_AUTH_MODE=jwt and no AUTH_SEALING_KEY, says it made a sealing key for the process and what that means', async () => {
    const main = run(['--mock'], { PORT: '0', HOST: '127.0.0.1', PLEX_AUTH_MODE: 'jwt' });
    const sealingKeyLine = /"msg":"PLEX_AUTH_MODE=jwt without AUTH_SEALING_KEY: --mock made a sealing key for this process, so the refresh tokens it hands out stop working when it restarts. Set AUTH_SEALING_KEY to keep them across restarts."/;
    try {
      await waitFor(main, /"msg":"listening: /);
      expect(main.stdout()).toMatch(sealingKeyLine);
    } finally {
      main.child.kill('SIGTERM');
    }
    expect((await once(main.child, 'exit'))[0]).toBe(0);
    // With a key of its own, nothing is made and nothing is said.
    const keyed = run(['--mock'], { PORT: '0', HOST: '127.0.0.1', PLEX_AUTH_MODE: 'jwt', AUTH_SEALING_KEY: Buffer.alloc(32, 7).toString('base64url') });
    try {
      await waitFor(keyed, /"msg":"listening: /);
      expect(keyed.stdout()).not.toMatch(/sealing key/);
    } finally {
      keyed.child.kill('SIGTERM');
    }
    expect((await once(keyed.child, 'exit'))[0]).toBe(0);
  }, 60_000);

  it('runs the README\'s terminal PIN sign-in, through this machine\'s network address when it has one', async () => {
    const main = run(['--mock'], { PORT: '0', HOST: '0.0.0.0', SHUTDOWN_DRAIN_MS: '200' });
    try {
      const [, port] = await waitFor(main, /"msg":"listening: demo page http:\/\/localhost:(\d+)\/, GraphQL http:\/\/localhost:\d+\/graphql"/);
      expect(main.stdout()).toMatch(/SIMULATOR MODE: plex.tv is simulated by this server at http:\/\/localhost:\d+\/simulator/);
      const base = `http://${externalAddress() ?? 'localhost'}:${port}`;
      const steps = readmeCommands('The same PIN sign-in from a terminal');
      expect(steps).toHaveLength(3);
      const EXAMPLE_CODE = 'mq0c8kfwl3yd6oh1w2t4zu9xa';
      // The commands as printed; only the address (this run's port) and, in step 3, the code step 1 printed differ.
      const expected = (output: string) =>
        new RegExp(
          `^${output
            .replaceAll('http://localhost:4000', base)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
            .replace(EXAMPLE_CODE, '([a-z0-9]{25})')
            .replaceAll('…', '[^"]*')}$`,
        );
      const created = await curl(steps[0]!.command.replaceAll('http://localhost:4000', base));
      const [, code] = expected(steps[0]!.output!).exec(created) ?? expect.unreachable(`step 1 answered ${created}`);
      const approved = await curl(steps[1]!.command.replaceAll('http://localhost:4000', base));
      expect(approved).toBe(steps[1]!.output);
      const signedIn = await curl(steps[2]!.command.replaceAll('http://localhost:4000', base).replaceAll(EXAMPLE_CODE, code!));
      expect(signedIn).toMatch(expected(steps[2]!.output!));
    } finally {
      main.child.kill('SIGTERM');
    }
    const [exitCode] = await once(main.child, 'exit');
    expect(exitCode).toBe(0);
  }, 60_000);
});
