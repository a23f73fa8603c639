// `npm run bench -- --viewer-cache <ms>`: the optional viewer cache, measured apart from the headline table. One
// simulator, two facades from the same build (cache off, and VIEWER_CACHE_TTL_MS=<ms>), the viewer scenarios run
// against each in turn, interleaved, in the same run. The load is one token refetching `viewer`: the case the cache is
// for, and its best case (every request after the first in a TTL window is a hit).
import { measure, type Measurement } from './measure.js';
import { startFacade, startSimulator, type Facade, type Simulator } from './processes.js';
import { buildScenarios, SCENARIO_NAMES, signInToSimulator, type Scenario, type ScenarioId } from './scenarios.js';

export interface ViewerCacheBenchOptions {
  readonly ttlMs: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly connections: readonly number[];
  /** The limits raised for the load generator, as in the headline run (the viewer scenarios do not reach them). */
  readonly raisedLimits: Record<string, string>;
}

export interface ViewerCacheRow {
  readonly scenario: ScenarioId;
  readonly connections: number;
  readonly cache: 'off' | 'on';
  readonly reqPerSec: number;
  readonly ratioToRaw: number | null;
  readonly p50: number;
  readonly p99: number;
  readonly facadeCpuMsPerOp: number | null;
  readonly upstreamCalls: number;
  readonly upstreamPerOp: number | null;
  readonly failures: number;
}

export interface ViewerCacheBenchResult {
  readonly rows: ViewerCacheRow[];
  readonly measurements: (Measurement & { cache: 'off' | 'on' | 'raw' })[];
  readonly markdown: string;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const fixed = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));
const log = (message: string) => process.stderr.write(`${message}\n`);

export async function viewerCacheBenchmark(options: ViewerCacheBenchOptions): Promise<ViewerCacheBenchResult> {
  const simulator = await startSimulator();
  const facades: { off?: Facade; on?: Facade } = {};
  const cleanup = () => {
    simulator.process.child.kill('SIGTERM');
    facades.off?.process.child.kill('SIGTERM');
    facades.on?.process.child.kill('SIGTERM');
  };
  process.once('exit', cleanup);
  try {
    facades.off = await startFacade({ simulatorUrl: simulator.url, env: options.raisedLimits });
    facades.on = await startFacade({
      simulatorUrl: simulator.url,
      env: { ...options.raisedLimits, VIEWER_CACHE_TTL_MS: String(options.ttlMs) },
    });
    return await run(options, simulator, facades.off, facades.on);
  } finally {
    await facades.on?.process.stop();
    await facades.off?.process.stop();
    await simulator.process.stop();
    process.off('exit', cleanup);
  }
}

async function run(options: ViewerCacheBenchOptions, simulator: Simulator, off: Facade, on: Facade): Promise<ViewerCacheBenchResult> {
  const token = await signInToSimulator(simulator.url);
  // The reference answers come from the facade without the cache: the cached one must give exactly the same bodies.
  const built = await buildScenarios(simulator.url, off.url, token);
  const viewerScenarios: Scenario[] = [built.scenarios.b, built.scenarios.c];
  const measurements: (Measurement & { cache: 'off' | 'on' | 'raw' })[] = [];

  log(`viewer cache: VIEWER_CACHE_TTL_MS=${options.ttlMs} against off, ${options.rounds} round(s) × ${options.connections.join('/')} connections × ${options.seconds} s`);
  for (const facade of [off, on]) {
    for (const scenario of viewerScenarios) {
      const m = await measure({ scenario, connections: 20, seconds: options.warmupSeconds, round: 0, simulator, facade });
      if (m.failures > 0 || m.ok === 0) throw new Error(`warm-up of ${scenario.name} failed: ${m.failureSamples.join('\n')}`);
    }
  }
  for (let round = 1; round <= options.rounds; round++) {
    // Alternate which facade goes first, so neither always runs on a warmer (or more tired) machine.
    const order: ['off' | 'on', Facade][] = round % 2 === 1 ? [['off', off], ['on', on]] : [['on', on], ['off', off]];
    for (const connections of options.connections) {
      const raw = await measure({ scenario: built.scenarios.a, connections, seconds: options.seconds, round, simulator, facade: off });
      measurements.push({ ...raw, cache: 'raw' });
      for (const scenario of viewerScenarios) {
        for (const [cache, facade] of order) {
          const m = await measure({ scenario, connections, seconds: options.seconds, round, simulator, facade });
          measurements.push({ ...m, cache });
          log(
            `  ${SCENARIO_NAMES[scenario.id].padEnd(34)} cache ${cache.padEnd(3)} c=${String(connections).padStart(2)} r${round}: ${Math.round(m.reqPerSec)} req/s, facade ${fixed(m.facadeCpuMsPerOp, 3)} ms/op, upstream ${m.upstreamCalls} calls (${fixed(m.upstreamPerOp, 4)}/op)${m.failures ? `, ${m.failures} FAILURES` : ''}`,
          );
        }
      }
    }
  }
  const rows = summarise(measurements);
  return { rows, measurements, markdown: markdown(options, rows) };
}

function summarise(measurements: readonly (Measurement & { cache: 'off' | 'on' | 'raw' })[]): ViewerCacheRow[] {
  const rows: ViewerCacheRow[] = [];
  const groups = new Map<string, (Measurement & { cache: 'off' | 'on' | 'raw' })[]>();
  for (const m of measurements) {
    if (m.cache === 'raw') continue;
    const key = `${m.connections}:${m.scenario}:${m.cache}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const ratios = group.map((m) => {
      const raw = measurements.find((r) => r.cache === 'raw' && r.connections === m.connections && r.round === m.round);
      return raw && raw.reqPerSec > 0 ? m.reqPerSec / raw.reqPerSec : null;
    });
    const sent = group.reduce((sum, m) => sum + m.sent, 0);
    const upstreamCalls = group.reduce((sum, m) => sum + m.upstreamCalls, 0);
    rows.push({
      scenario: first.scenario,
      connections: first.connections,
      cache: first.cache as 'off' | 'on',
      reqPerSec: mean(group.map((m) => m.reqPerSec)),
      ratioToRaw: ratios.every((r) => r !== null) ? mean(ratios as number[]) : null,
      p50: mean(group.map((m) => m.latencyMs.p50)),
      p99: Math.max(...group.map((m) => m.latencyMs.p99)),
      facadeCpuMsPerOp: group.every((m) => m.facadeCpuMsPerOp !== null) ? mean(group.map((m) => m.facadeCpuMsPerOp!)) : null,
      upstreamCalls,
      upstreamPerOp: sent === 0 ? null : upstreamCalls / sent,
      failures: group.reduce((sum, m) => sum + m.failures, 0),
    });
  }
  return rows.sort((x, y) => x.connections - y.connections || x.scenario.localeCompare(y.scenario) || x.cache.localeCompare(y.cache));
}

function markdown(options: ViewerCacheBenchOptions, rows: readonly ViewerCacheRow[]): string {
  const lines = [
    `Viewer cache (VIEWER_CACHE_TTL_MS=${options.ttlMs}) against no cache, same run, same simulator, interleaved; one token refetching \`viewer\` (the cache's best case). Not the headline: the headline table runs without the cache.`,
    '',
    '| scenario | conns | viewer cache | req/s | × raw | p50 ms | p99 ms | facade CPU ms/op | upstream calls | upstream calls/op | failures |',
    '|---|--:|:-:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map(
      (r) =>
        `| ${SCENARIO_NAMES[r.scenario]} | ${r.connections} | ${r.cache === 'on' ? `${options.ttlMs} ms` : 'off'} | ${Math.round(r.reqPerSec)} | ${fixed(r.ratioToRaw, 2)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${fixed(r.facadeCpuMsPerOp, 3)} | ${r.upstreamCalls} | ${fixed(r.upstreamPerOp, 4)} | ${r.failures} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
