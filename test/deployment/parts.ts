// The parts of a deployment, each a process of its own on loopback: the plex.tv simulator, the product
// (node dist/main.js) and nginx from the distribution (redis-server is in processes.ts).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, findExecutable, freePort, prerequisiteError, ROOT, until, waitForPort } from './processes.js';

/** `npm run build`: the instances run the compiled JavaScript, as `npm start` and the Docker image do. */
export function build(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}

// ---- the plex.tv simulator -----------------------------------------------------------------------------------------

export interface SimulatorStats {
  total: number;
  routes: { signin: number; user: number; pins: number; pin: number; signout: number };
}

/** `node dist/simulator/main.js`, the standalone simulator, with plex.tv's latency. */
export class SimulatorProcess {
  private constructor(
    readonly child: Child,
    readonly url: string,
  ) {}

  static async start(delayMs: number): Promise<SimulatorProcess> {
    const child = new Child(
      'simulator',
      spawn(process.execPath, [join(ROOT, 'dist/simulator/main.js')], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', PORT: '0', SIMULATOR_DELAY_MS: String(delayMs) },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let url: string | undefined;
    await until(() => {
      const line = child.lines.find((entry) => entry.startsWith('{"simulator"'));
      if (line) url = (JSON.parse(line) as { simulator: string }).simulator;
      if (!child.running) throw new Error(`the simulator exited:\n${child.tail()}`);
      return url !== undefined;
    }, 'the simulator to start');
    return new SimulatorProcess(child, url!);
  }

  async stats(): Promise<SimulatorStats> {
    const response = await fetch(`${this.url}/simulator/stats`);
    return (await response.json()) as SimulatorStats;
  }

  /** Approves a PIN on the simulator's page, as the user would on app.plex.tv. */
  async approvePin(id: string, login: string): Promise<void> {
    const response = await fetch(`${this.url}/simulator/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pin: id, login }).toString(),
    });
    if (response.status !== 200) throw new Error(`approving PIN ${id}: HTTP ${response.status}`);
  }
}

// ---- the product ---------------------------------------------------------------------------------------------------

/** One instance of the product (`node dist/main.js`) on a port of its own, which it keeps across restarts. */
export class Instance {
  child: Child | undefined;
  /** Every process this instance has run, oldest first (a restart starts a new one). */
  readonly runs: Child[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = new Child(
      this.name,
      spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child = child;
    this.runs.push(child);
    await until(async () => {
      if (!child.running) throw new Error(`${this.name} exited:\n${child.tail()}`);
      try {
        return (await fetch(`${this.url}/health`)).status === 200;
      } catch {
        return false;
      }
    }, `${this.name} to answer /health`, 60_000);
  }

  logged(text: string): boolean {
    return this.runs.some((run) => run.logged(text));
  }

  /** One value of this instance's /metrics (0 when the series does not exist yet), scraped with its METRICS_TOKEN. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const token = this.env['METRICS_TOKEN'];
    const response = await fetch(`${this.url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`${this.name}: /metrics answered ${response.status}`);
    const text = await response.text();
    const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (wanted.every((pair) => line.includes(pair))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }
}

// ---- nginx ---------------------------------------------------------------------------------------------------------

export const NGINX_MISSING = 'nginx not found: install it (apt-get install nginx) to run the deployment test';

/**
 * nginx from the distribution, as a child process that is not a daemon (`-g 'daemon off;'`), with deploy/nginx.conf
 * filled in: its pid file, logs and temporary files in a directory of its own.
 */
export class Nginx {
  private constructor(
    readonly child: Child,
    readonly prefix: string,
    readonly port: number,
  ) {}

  static async start(instances: readonly Instance[]): Promise<Nginx> {
    const binary = findExecutable('nginx');
    if (binary === undefined) throw prerequisiteError(NGINX_MISSING);
    const prefix = mkdtempSync(join(tmpdir(), 'plex-account-nginx-'));
    // Started as root, nginx runs its workers as an unprivileged user, which must reach the temporary directories.
    chmodSync(prefix, 0o755);
    const port = await freePort();
    const values: Record<string, string> = { PREFIX: prefix, LISTEN: `127.0.0.1:${port}` };
    instances.forEach((instance, index) => (values[`INSTANCE_${index + 1}`] = instance.address));
    const template = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
    const config = template.replace(/\$\{([A-Z_0-9]+)\}/g, (placeholder, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`deploy/nginx.conf: nothing to fill in for ${placeholder}`);
      return value;
    });
    const configPath = join(prefix, 'nginx.conf');
    writeFileSync(configPath, config);
    const child = new Child(
      'nginx',
      spawn(binary, ['-p', prefix, '-c', configPath, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    await Promise.race([
      waitForPort(port, 'nginx'),
      child.exited.then((code) => {
        throw new Error(`nginx exited with ${code}:\n${child.tail()}`);
      }),
    ]);
    return new Nginx(child, prefix, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The access log (format `upstreams` in deploy/nginx.conf), one parsed entry per request. */
  accessLog(): AccessLogEntry[] {
    let text = '';
    try {
      text = readFileSync(join(this.prefix, 'access.log'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [msec, remote, method, uri, status, upstreamAddr, upstreamStatus, requestTime] = line.split('\t');
        return {
          at: Number(msec) * 1000,
          remote: remote!,
          method: method!,
          uri: uri!,
          status: Number(status),
          upstreams: (upstreamAddr ?? '').split(SEPARATORS).filter((entry) => entry && entry !== '-'),
          upstreamStatuses: (upstreamStatus ?? '').split(SEPARATORS).filter((entry) => entry && entry !== '-'),
          requestTimeMs: Number(requestTime) * 1000,
        };
      });
  }

  async stop(): Promise<void> {
    await this.child.stop('SIGQUIT', 10_000);
    rmSync(this.prefix, { recursive: true, force: true });
  }
}

// nginx separates the upstreams of one request with ", " (a retry on the next server) and " : " (an internal redirect).
const SEPARATORS = /\s*,\s*|\s+:\s+/;

export interface AccessLogEntry {
  /** Epoch milliseconds when the request ended. */
  readonly at: number;
  readonly remote: string;
  readonly method: string;
  readonly uri: string;
  readonly status: number;
  /** Every upstream tried, in order: more than one when nginx retried on another instance. */
  readonly upstreams: string[];
  readonly upstreamStatuses: string[];
  readonly requestTimeMs: number;
}
