// Every process of a benchmark, each its own Node process on 127.0.0.1: the plex.tv simulator, the servers measured
// (the product as `node dist/main.js`, the two floors and the Apollo Server facade in bench/), and the load generators (bench/load.mjs,
// bench/sse-clients.mjs). The product is a black box here: configured by environment variables, talked to over HTTP,
// measured through /proc, its garbage collected (soak and subscription modes only) through the inspector protocol.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync, createReadStream, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';
import { machineCpuMs } from './proc.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = join(ROOT, 'bench');

export const log = (message: string) => process.stderr.write(`${message}\n`);

/** Raises the soft open-files limit of every child to its hard limit (1000 connections need well over 1024). */
const ULIMIT_WRAPPER = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

export function openFilesLimit(): { soft: number; hard: number } {
  const run = (flag: string) => Number(spawnSync('/bin/sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim()) || 0;
  const hard = spawnSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return { soft: run('-n'), hard: hard === 'unlimited' ? Infinity : Number(hard) || 0 };
}

export class Proc {
  readonly lines: string[] = [];
  private exited = false;
  /** How it ended: an exit code or a signal name. */
  exit: string | undefined;
  readonly exitedPromise: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    /** Where its stdout goes when it is not piped (the product logs a line per operation). */
    readonly logFile?: string,
  ) {
    this.exitedPromise = once(child, 'exit').then(([code, signal]) => {
      this.exited = true;
      this.exit = signal ? `signal ${String(signal)}` : `code ${String(code)}`;
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(line);
        if (this.lines.length > 100) this.lines.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !this.exited && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Why it is not running: how it ended, and its last output (piped, or the end of its log file). */
  diagnosis(): string {
    let tail = '';
    if (this.logFile !== undefined && existsSync(this.logFile)) {
      const text = readFileSync(this.logFile, 'utf8');
      tail = text.slice(-3000);
    }
    return `${this.name} (pid ${this.pid}) ended with ${this.exit ?? `exit code ${this.child.exitCode}, signal ${this.child.signalCode}`}:\n${[...this.lines, tail].join('\n')}`;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exitedPromise.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) {
      this.child.kill('SIGKILL');
      await this.exitedPromise;
    }
  }
}

const children = new Set<Proc>();
process.once('exit', () => {
  for (const proc of children) if (proc.running) proc.child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const proc of children) if (proc.running) proc.child.kill('SIGKILL');
    process.exit(130);
  });
}

interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly nodeArgs?: readonly string[];
  /** Send stdout to this file instead of a pipe. */
  readonly stdoutFile?: string;
  readonly ipc?: boolean;
}

export function spawnNode(name: string, script: string, options: SpawnOptions): Proc {
  const out = options.stdoutFile === undefined ? 'pipe' : openSync(options.stdoutFile, 'w');
  const child = spawn('/bin/sh', ['-c', ULIMIT_WRAPPER, 'sh', process.execPath, ...(options.nodeArgs ?? []), script], {
    cwd: ROOT,
    env: options.env,
    stdio: ['ignore', out, 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  if (typeof out === 'number') closeSync(out);
  const proc = new Proc(name, child, options.stdoutFile);
  children.add(proc);
  void proc.exitedPromise.then(() => children.delete(proc));
  return proc;
}

/** `npm run build` (src/ → dist/): the product and the simulator run compiled, as `npm start` runs the product. */
export function build(): void {
  log('npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal})`);
}

/**
 * The product as it was at a git revision, built into a temporary directory (the repository's node_modules linked
 * in): its dist/main.js, to measure beside this one in the same run.
 */
export function buildBaseline(revision: string, into: string): { script: string; commit: string } {
  const run = (command: string, args: string[], cwd: string) => {
    const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
    return result.stdout.trim();
  };
  const commit = run('git', ['rev-parse', '--short', `${revision}^{commit}`], ROOT);
  log(`building the baseline product at ${revision} (${commit}) in ${into}`);
  mkdirSync(into, { recursive: true });
  run('/bin/sh', ['-c', `git archive --format=tar "$1" | tar -x -C "$2"`, 'sh', commit, into], ROOT);
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], into);
  return { script: join(into, 'dist', 'main.js'), commit };
}

export interface Simulator {
  readonly url: string;
  readonly proc: Proc;
  readonly delayMs: number;
}

export async function startSimulator(delayMs: number): Promise<Simulator> {
  const script = join(ROOT, 'dist', 'simulator', 'main.js');
  if (!existsSync(script)) throw new Error('dist/simulator/main.js is missing: run npm run build');
  const proc = spawnNode('simulator', script, {
    env: { ...process.env, PORT: '0', SIMULATOR_LOG: '0', SIMULATOR_DELAY_MS: String(delayMs) },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the simulator did not start:\n${proc.lines.join('\n')}`)), 30_000);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /\{"simulator":"([^"]+)"\}/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        proc.child.stdout?.off('data', onData);
        resolve(match[1]!);
      }
    };
    proc.child.stdout?.on('data', onData);
    void proc.exitedPromise.then(() => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited:\n${proc.lines.join('\n')}`));
    });
  });
  return { url, proc, delayMs };
}

export interface SimulatorStats {
  readonly total: number;
  readonly routes: Record<'signin' | 'user' | 'pins' | 'pin' | 'signout', number>;
}

export async function simulatorStats(url: string): Promise<SimulatorStats> {
  const response = await fetch(`${url}/simulator/stats`);
  if (!response.ok) throw new Error(`GET /simulator/stats answered ${response.status}`);
  return (await response.json()) as SimulatorStats;
}

export const apiCalls = (stats: SimulatorStats) => Object.values(stats.routes).reduce((sum, count) => sum + count, 0);

/**
 * Waits until the simulator has seen no plex.tv call for a while: requests that a server had queued when the load
 * stopped are finished before the next measurement starts. Bounded.
 */
export async function settle(simulator: Simulator, maxMs = 20_000): Promise<void> {
  const quietMs = Math.max(300, 2 * simulator.delayMs + 100);
  const deadline = Date.now() + maxMs;
  let last = apiCalls(await simulatorStats(simulator.url));
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(100);
    const now = apiCalls(await simulatorStats(simulator.url));
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
  }
}

/** `baseline`: the product built from another commit (--baseline), measured beside this one. */
export type ServerKind = 'product' | 'baseline' | 'floor' | 'yoga' | 'apollo';

export interface Server {
  readonly kind: ServerKind;
  readonly url: string;
  readonly proc: Proc;
  /** The inspector's WebSocket URL when started with `inspect`. */
  readonly inspectorUrl?: string;
}

const SCRIPTS: Record<Exclude<ServerKind, 'baseline'>, string> = {
  product: join(ROOT, 'dist', 'main.js'),
  floor: join(BENCH, 'floor.mjs'),
  yoga: join(BENCH, 'yoga-floor.mjs'),
  apollo: join(BENCH, 'apollo-facade.mjs'),
};

/** How a server says it is ready: `/health`, or for Apollo Server its documented health check (a preflighted GET). */
const READY: Record<ServerKind, { path: string; headers?: Record<string, string> }> = {
  product: { path: '/health' },
  baseline: { path: '/health' },
  floor: { path: '/health' },
  yoga: { path: '/health' },
  apollo: { path: '/graphql?query=%7B__typename%7D', headers: { 'apollo-require-preflight': 'true' } },
};

export const PLEX_CLIENT_IDENTIFIER = 'plex-account-graphql-bench';

export interface ServerOptions {
  readonly simulator: Simulator;
  /** Extra environment (the product: limits raised for the load generator). */
  readonly env?: Record<string, string>;
  /** Open the inspector on a loopback port (for collecting garbage from outside). */
  readonly inspect?: boolean;
  /** More arguments to node (the profile mode: --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** Where the product's stdout (its log) goes. */
  readonly logFile?: string;
  /** The script of a baseline product (buildBaseline). */
  readonly script?: string;
}

/** The product's METRICS_TOKEN: the benchmark scrapes /metrics with it. */
export const BENCH_METRICS_TOKEN = randomBytes(24).toString('base64url');

/**
 * The product as it runs in production: `node dist/main.js`, NODE_ENV=production, the default log level, plex.tv at
 * the simulator. The floors and the Apollo facade get the same PORT/HOST/PLEX_* variables.
 */
export async function startServer(kind: ServerKind, options: ServerOptions): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    // In production /metrics answers only with it, as a bearer token (Prometheus' `authorization` setting).
    METRICS_TOKEN: BENCH_METRICS_TOKEN,
    HOST: '127.0.0.1',
    PORT: String(port),
    PLEX_API_URL: options.simulator.url,
    PLEX_CLIENT_IDENTIFIER,
    ...options.env,
  };
  // The product's log level is its production default, whatever the shell running the benchmark has.
  delete env.LOG_LEVEL;
  delete env.NODE_OPTIONS;
  const nodeArgs = [...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), ...(options.nodeArgs ?? [])];
  const script = kind === 'baseline' ? options.script : SCRIPTS[kind];
  if (script === undefined) throw new Error(`no script for the ${kind} row`);
  const proc = spawnNode(kind, script, { env, nodeArgs, stdoutFile: options.logFile });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}${READY[kind].path}`, { headers: READY[kind].headers });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (!proc.running || Date.now() > deadline) throw new Error(`${kind} did not start:\n${proc.lines.join('\n')}`);
    await sleep(100);
  }
  let inspectorUrl: string | undefined;
  if (options.inspect) {
    inspectorUrl = proc.lines.map((line) => /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
    if (inspectorUrl === undefined) throw new Error(`${kind} did not open the inspector:\n${proc.lines.join('\n')}`);
  }
  return { kind, url, proc, inspectorUrl };
}

/** Counts the lines of a pino log at warn or above, and keeps the last few. */
export async function warnings(file: string | undefined): Promise<{ count: number; last: string[] }> {
  if (file === undefined || !existsSync(file)) return { count: 0, last: [] };
  let count = 0;
  const last: string[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!/"level":(?:"(?:warn|error|fatal)"|[456]0\b)/.test(line)) continue;
    count++;
    last.push(line.slice(0, 400));
    if (last.length > 5) last.shift();
  }
  return { count, last };
}

/**
 * Collects garbage in a process started with `inspect` (HeapProfiler.collectGarbage over the inspector's WebSocket)
 * and returns its used JS heap afterwards.
 */
export async function collectGarbage(inspectorUrl: string): Promise<{ heapUsed: number }> {
  const socket = new WebSocket(inspectorUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${inspectorUrl}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (value: { result?: Record<string, unknown>; error?: unknown }) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  const send = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 30_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`inspector: ${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result ?? {});
      });
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    // Twice: the first pass may leave objects that only a second one frees (weak references, finalizers).
    await send('HeapProfiler.collectGarbage');
    await send('HeapProfiler.collectGarbage');
    const usage = await send('Runtime.getHeapUsage');
    return { heapUsed: Number(usage.usedSize) };
  } finally {
    socket.close();
  }
}

/**
 * A helper process spoken to over IPC: `call(cmd, args)` sends `{ id, cmd, args }` and resolves with the child's
 * `{ id, ok, result }` (or rejects with its `error`), each call bounded in time.
 */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(readonly proc: Proc) {
    proc.child.on('message', (reply: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`${proc.name}: ${reply.error}`));
    });
    void proc.exitedPromise.then(() => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${proc.name} exited:\n${proc.lines.join('\n')}`));
      this.pending.clear();
    });
  }

  call<T>(cmd: string, args: unknown, maxMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.proc.name}: ${cmd} did not finish within ${maxMs} ms`));
      }, maxMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.proc.child.send({ id, cmd, args });
    });
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

export function startChild(name: string, script: string): Child {
  return new Child(spawnNode(name, join(BENCH, script), { env: { ...process.env, NODE_OPTIONS: '' }, ipc: true }));
}

/** One call in a fresh child, which is stopped afterwards. */
export async function inChild<T>(name: string, script: string, cmd: string, args: unknown, maxMs: number): Promise<T> {
  const child = startChild(name, script);
  try {
    return await child.call<T>(cmd, args, maxMs);
  } finally {
    await child.stop();
  }
}

/** The share of the machine's CPU time (all cores) that was busy over `ms`. */
export async function machineBusyShare(ms: number): Promise<number> {
  const before = machineCpuMs();
  await sleep(ms);
  const after = machineCpuMs();
  const total = after.total - before.total;
  return total <= 0 ? 0 : (after.busy - before.busy) / total;
}

/**
 * Waits, bounded, for the machine to be mostly idle before a run starts (other work on it skews every number), and
 * says how busy it still was when the wait ends.
 */
export async function waitForQuietMachine(maxSeconds: number, threshold = 0.2): Promise<number> {
  const deadline = Date.now() + maxSeconds * 1000;
  let busy = await machineBusyShare(2000);
  while (busy > threshold && Date.now() < deadline) {
    log(`the machine is ${Math.round(busy * 100)} % busy before the run: waiting for it to quieten (at most ${Math.round((deadline - Date.now()) / 1000)} s more)`);
    await sleep(8000);
    busy = await machineBusyShare(2000);
  }
  if (busy > threshold) log(`the machine is still ${Math.round(busy * 100)} % busy: measuring anyway (see the others' CPU column)`);
  return busy;
}
