import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.js';
import { prerequisiteError } from './prerequisite.js';

export const REDIS_SERVER_MISSING =
  'redis-server not found: install Redis (apt-get install redis-server) to run these tests';

/** A redis-server of a test's own, on a free loopback port, keeping nothing on disk. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); safe to call when it has already exited. */
  stop(): Promise<void>;
}

/** The redis-server executable on PATH, if any. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** One PING over a fresh connection; true when the answer is +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

const lastLine = (log: string) => log.trim().split('\n').at(-1) ?? '';
const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function startOnce(binary: string, port: number): Promise<TestRedis | { exited: string }> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Redis logs to stdout; the last lines say why a server that exited did.
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // A run that dies (a crashed worker, a failed hook) must not leave its Redis behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited(child)) return;
    const gone = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((resolve) => setTimeout(resolve, 50))]);
    if (failed) throw prerequisiteError(`redis-server could not be started (${binary}): ${failed.message}`);
    // Exited early: most likely another process took the port between freePort() and the spawn; the caller retries.
    if (exited(child)) {
      process.off('exit', killOnExit);
      return { exited: lastLine(log) || `exit code ${child.exitCode ?? child.signalCode}` };
    }
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, port, process: child, stop };
  }
  await stop();
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s${log ? `: ${lastLine(log)}` : ''}`);
}

/**
 * Starts a redis-server of the test's own on a free loopback port (`--save '' --appendonly no`) and waits until it
 * answers PING. Fails with one line naming the prerequisite when no redis-server is installed.
 */
export async function startRedis(): Promise<TestRedis> {
  const binary = findRedisServer();
  if (!binary) throw prerequisiteError(REDIS_SERVER_MISSING);
  let last = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const started = await startOnce(binary, await freePort());
    if (!('exited' in started)) return started;
    last = started.exited;
  }
  throw new Error(`redis-server exited right after starting, three times; the last time: ${last}`);
}
