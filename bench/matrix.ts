// The matrix: for each upstream latency, one simulator with that delay and the servers beside it; for each
// connection count and scenario, the rows measured back to back (their order rotated from cell to cell), so that
// every ratio compares numbers taken minutes apart on the same machine.
import { join } from 'node:path';
import { apiCalls, inChild, log, settle, simulatorStats, startServer, startSimulator, warnings, type Server, type ServerKind, type Simulator } from './processes.js';
import { prepareTargets, ROW_NAMES, type RowKind, type ScenarioName, type Target } from './scenarios.js';
import { summarise, withoutLatencies } from './summary.js';
import type { LoadConfig, LoadResult, Summary } from './types.js';

/**
 * The product's sign-in throttles, raised for the load generator (thousands of sign-ins a minute to one login from one
 * address), and its connections from that one address. Raised rather than switched off (0), so the throttles' own cost
 * stays in the numbers. Nothing else changes.
 */
export const RAISED_LIMITS: Readonly<Record<string, string>> = {
  // The per-login quarter-hour limit follows (20 times it).
  SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '1000000000',
  // The PIN limits follow: the subscriptions mode creates and follows many PINs from one address.
  SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '1000000000',
  // The load generator is one address with up to 1000 connections (the default allows 200 per address).
  MAX_CONNECTIONS_PER_ADDRESS: '5000',
};

export interface MatrixOptions {
  readonly latencies: readonly number[];
  readonly connections: readonly number[];
  readonly scenarios: readonly ScenarioName[];
  readonly rows: readonly RowKind[];
  readonly warmupSeconds: number;
  /** The measured seconds of a cell, split evenly over its rounds. */
  readonly seconds: number;
  /** Rounds per cell: the rows run in turn, in the opposite order each round (ABCD DCBA). */
  readonly rounds: number;
  readonly timeoutSeconds: number;
  /** The baseline product's script (the `baseline` row). */
  readonly baselineScript?: string;
}

export interface Cell {
  readonly latencyMs: number;
  readonly connections: number;
  readonly scenario: ScenarioName;
  readonly row: RowKind;
  readonly summary: Summary;
  readonly rounds: readonly Omit<LoadResult, 'latencies'>[];
}

export interface MatrixResult {
  readonly cells: Cell[];
  readonly productWarnings: { count: number; last: string[] };
}

export function loadConfig(target: Target, simulator: Simulator, options: { connections: number; warmupSeconds: number; seconds: number; timeoutSeconds: number }): LoadConfig {
  return {
    origin: target.origin,
    requests: [target.request],
    connections: options.connections,
    warmupSeconds: options.warmupSeconds,
    seconds: options.seconds,
    timeoutSeconds: options.timeoutSeconds,
    expect: target.expect,
    serverPid: target.serverPid,
    simulatorPid: simulator.proc.pid,
    simulatorUrl: simulator.url,
  };
}

/**
 * One run of the load generator; then, once the simulator has seen no call for a while, the plex.tv calls of the
 * whole run.
 */
export async function runLoad(config: LoadConfig, simulator: Simulator): Promise<LoadResult> {
  const maxMs = (config.warmupSeconds + config.seconds + 2 * config.timeoutSeconds + 60) * 1000;
  const result = await inChild<LoadResult>('autocannon', 'load.mjs', 'run', config, maxMs);
  await settle(simulator);
  if (result.upstreamBefore !== null) result.upstreamRunCalls = apiCalls(await simulatorStats(simulator.url)) - result.upstreamBefore;
  return result;
}

const fixed = (value: number | null | undefined, digits: number) => (value === null || value === undefined ? '—' : value.toFixed(digits));

export function describe(what: string, s: Summary): string {
  return `  ${what.padEnd(62)} ${Math.round(s.reqPerSec).toString().padStart(6)} req/s  p50 ${fixed(s.latencyMs.p50, 1)}  p99 ${fixed(s.latencyMs.p99, 1)} ms  cpu ${fixed(s.serverCpuMsPerOp, 3)} ms/op  rss ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB  upstream ${fixed(s.upstreamPerOp, 3)}/op  others ${s.othersCpuShare === null ? '—' : Math.round(s.othersCpuShare * 100)} %${s.failures ? `  ${s.failures} ERRORS ${JSON.stringify(s.statusCodes)} ${s.failureSamples.join(' | ')}` : ''}`;
}

export async function runMatrix(options: MatrixOptions, logDir: string): Promise<MatrixResult> {
  const cells: Cell[] = [];
  const productWarnings = { count: 0, last: [] as string[] };
  const kinds = options.rows.filter((row): row is ServerKind => row !== 'direct');
  for (const latencyMs of options.latencies) {
    log(`upstream latency ${latencyMs} ms: starting the simulator and ${kinds.join(', ')}`);
    const simulator = await startSimulator(latencyMs);
    const servers: Partial<Record<ServerKind, Server>> = {};
    const logFile = join(logDir, `product-${latencyMs}ms.log`);
    try {
      for (const kind of kinds) {
        const product = kind === 'product' || kind === 'baseline';
        servers[kind] = await startServer(kind, {
          simulator,
          env: product ? RAISED_LIMITS : undefined,
          logFile: kind === 'product' ? logFile : kind === 'baseline' ? join(logDir, `baseline-${latencyMs}ms.log`) : undefined,
          script: options.baselineScript,
        });
      }
      const target = await prepareTargets(simulator, servers);
      // A first short run of every (row, scenario) at a few connections: JIT, pools, caches.
      for (const scenario of options.scenarios) {
        for (const row of options.rows) {
          const result = await runLoad(loadConfig(target(row, scenario), simulator, { connections: 20, warmupSeconds: 0, seconds: 2, timeoutSeconds: options.timeoutSeconds }), simulator);
          if (result.run.failures > 0 || result.run.ok === 0) {
            throw new Error(`warm-up of ${row} ${scenario} failed: ${JSON.stringify(result.run)} ${result.failureSamples.join(' | ')}`);
          }
        }
      }
      let turn = 0;
      const perRound = options.seconds / options.rounds;
      for (const connections of options.connections) {
        for (const scenario of options.scenarios) {
          // Rotate the order of the rows from cell to cell, and reverse it every other round, so that none is always
          // measured first or last, or always on the same side of a burst of other work on the machine.
          const order = options.rows.map((_, i) => options.rows[(i + turn) % options.rows.length]!);
          turn++;
          const runs = new Map<RowKind, LoadResult[]>();
          for (let round = 0; round < options.rounds; round++) {
            for (const row of round % 2 === 0 ? order : [...order].reverse()) {
              for (const server of Object.values(servers)) {
                if (!server.proc.running) throw new Error(server.proc.diagnosis());
              }
              const result = await runLoad(loadConfig(target(row, scenario), simulator, { ...options, connections, seconds: perRound }), simulator);
              runs.set(row, [...(runs.get(row) ?? []), result]);
              log(describe(`${latencyMs} ms  c=${connections}  ${scenario}  ${ROW_NAMES[row]}  r${round + 1}`, summarise([result])));
            }
          }
          for (const row of options.rows) {
            const results = runs.get(row) ?? [];
            cells.push({ latencyMs, connections, scenario, row, summary: summarise(results), rounds: results.map(withoutLatencies) });
          }
        }
      }
    } finally {
      for (const server of Object.values(servers)) await server.proc.stop();
      await simulator.proc.stop();
    }
    const found = await warnings(logFile);
    productWarnings.count += found.count;
    productWarnings.last.push(...found.last);
  }
  return { cells, productWarnings };
}
