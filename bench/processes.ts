// The simulator and the facade, each in its own Node process, with the probe preloaded so that the runner can read
// their CPU time and memory over IPC.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProbeSample } from './probe.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = pathToFileURL(fileURLToPath(new URL('./probe.mjs', import.meta.url))).href;

export class ProbedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout/stderr lines, kept for diagnostics (the facade logs at warn: any line is worth a look). */
  readonly lines: string[] = [];
  lineCount = 0;
  private readonly pending = new Map<number, (sample: ProbeSample) => void>();
  private nextProbe = 1;
  private exited = false;

  constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.child = child;
    child.on('message', (message: ProbeSample) => {
      const resolve = this.pending.get(message.probe);
      if (resolve === undefined) return;
      this.pending.delete(message.probe);
      resolve(message);
    });
    child.once('exit', () => {
      this.exited = true;
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lineCount++;
        this.lines.push(line);
        if (this.lines.length > 50) this.lines.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  sample(gc = false): Promise<ProbeSample> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited:\n${this.lines.slice(-10).join('\n')}`));
    const probe = this.nextProbe++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(probe);
        reject(new Error(`${this.name} did not answer the probe`));
      }, 10_000);
      this.pending.set(probe, (sample) => {
        clearTimeout(timer);
        resolve(sample);
      });
      this.child.send({ probe, gc });
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}

function spawnProbed(name: string, script: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[]): ProbedProcess {
  // TypeScript (the simulator) runs through tsx; the facade runs compiled, as `npm start` runs it.
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeFlags, ...loader, '--import', PROBE, script], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new ProbedProcess(name, child);
}

export interface Simulator {
  readonly url: string;
  readonly process: ProbedProcess;
}

export async function startSimulator(): Promise<Simulator> {
  const proc = spawnProbed('simulator', 'src/simulator/main.ts', { ...process.env, PORT: '0', SIMULATOR_LOG: '0' }, []);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /\{"simulator":"([^"]+)"\}/.exec(buffered);
      if (match) {
        proc.child.stdout?.off('data', onData);
        resolve(match[1]!);
      }
    };
    proc.child.stdout?.on('data', onData);
    proc.child.once('exit', (code) => reject(new Error(`simulator exited (${code}):\n${proc.lines.join('\n')}`)));
  });
  return { url, process: proc };
}

export interface SimulatorStats {
  readonly total: number;
  readonly routes: Record<'signin' | 'user' | 'pins' | 'pin' | 'signout', number>;
}

export async function simulatorStats(sim: Simulator): Promise<SimulatorStats> {
  const response = await fetch(`${sim.url}/simulator/stats`);
  if (!response.ok) throw new Error(`GET /simulator/stats answered ${response.status}: is the simulator current?`);
  return (await response.json()) as SimulatorStats;
}

export function apiCalls(stats: SimulatorStats): number {
  return Object.values(stats.routes).reduce((sum, count) => sum + count, 0);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Facade {
  readonly url: string;
  readonly process: ProbedProcess;
}

export interface FacadeOptions {
  readonly simulatorUrl: string;
  /** Extra environment (limits raised for the load generator, the optional viewer cache). */
  readonly env?: Record<string, string>;
  readonly nodeFlags?: readonly string[];
  /** What to run instead of the facade (the floor proxy, bench/floor.mjs). */
  readonly script?: string;
}

let built = false;

/** `npm run build` (src/ → dist/), once per benchmark: what `npm start` does before it starts the facade. */
function buildFacade(): void {
  if (built) return;
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal})`);
  built = true;
}

/** The facade as it runs in production (`npm start`): compiled `dist/main.js`, NODE_ENV=production, logs at warn. */
export async function startFacade(options: FacadeOptions): Promise<Facade> {
  buildFacade();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    PLEX_API_URL: options.simulatorUrl,
    PLEX_CLIENT_IDENTIFIER: 'plex-account-graphql-bench',
    ...options.env,
  };
  const proc = spawnProbed(options.script ?? 'facade', options.script ?? 'dist/main.js', env, options.nodeFlags ?? []);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the facade did not start:\n${proc.lines.join('\n')}`);
    }
    await sleep(100);
  }
  return { url, process: proc };
}
