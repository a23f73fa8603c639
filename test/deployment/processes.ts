// Programs the tests run as processes of their own on loopback (redis-server here; the deployment's parts in
// parts.ts). Every wait is bounded; every process is stopped by the one that started it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { prerequisiteError } from '../support/prerequisite.js';
import { REDIS_SERVER_MISSING } from '../support/redis.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export { prerequisiteError } from '../support/prerequisite.js';

/** `name` on PATH or in the sbin directories (Debian installs nginx in /usr/sbin, which is not on a user's PATH). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

import { freePort } from '../support/ports.js';

export { freePort };

/** Resolves once something accepts TCP connections on the port; throws after `timeoutMs`. */
export async function waitForPort(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export { until } from '../support/until.js';

/** A child process with its output kept (the last 2000 lines). */
export class Child {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(line);
        if (this.lines.length > 2_000) this.lines.shift();
      }
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  logged(text: string): boolean {
    return this.lines.some((line) => line.includes(text));
  }

  /** Sends `signal`, and SIGKILL if it has not exited after `graceMs`. Resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<number | null> {
    if (!this.running) return this.process.exitCode;
    this.process.kill(signal);
    const exited = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!exited) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
    return this.process.exitCode;
  }

  tail(count = 20): string {
    return this.lines.slice(-count).join('\n');
  }
}

// ---- Redis ---------------------------------------------------------------------------------------------------------


/** A redis-server of the test's own, keeping nothing on disk; `stop()` and `start()` again keep its port. */
export class TestRedis {
  private child: Child | undefined;
  private constructor(
    private readonly binary: string,
    readonly port: number,
  ) {}

  static async start(): Promise<TestRedis> {
    const binary = findExecutable('redis-server');
    if (binary === undefined) throw prerequisiteError(REDIS_SERVER_MISSING);
    const redis = new TestRedis(binary, await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
    this.child = new Child('redis', spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    await waitForPort(this.port, 'redis-server');
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 5_000);
  }
}
