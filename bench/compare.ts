// Two configurations of the facade side by side: one simulator, two facades from the same build (a base and a
// variant, differing only in their environment), the chosen scenarios run against each in turn, interleaved, in the
// same run, so that their ratio does not depend on how busy the machine was. Used by
//   npm run bench -- --fast-route          FAST_ROUTE=off (Yoga's HTTP layer for every request) against on
//   npm run bench -- --viewer-cache <ms>   no viewer cache against VIEWER_CACHE_TTL_MS=<ms>; the load is one token
//                                          refetching `viewer`: the case the cache is for, and its best case.
import { measure, type Measurement } from './measure.js';
import { startFacade, startSimulator, type Facade, type Simulator } from './processes.js';
import { buildScenarios, SCENARIO_NAMES, signInToSimulator, type Scenario, type ScenarioId } from './scenarios.js';

export interface Variant {
  /** How the table names it. */
  readonly label: string;
  /** Its environment, on top of the raised limits. */
  readonly env: Record<string, string>;
}

export interface CompareOptions {
  /** The paragraph above the table. */
  readonly title: string;
  readonly base: Variant;
  readonly variant: Variant;
  /** The column naming the configuration. */
  readonly column: string;
  readonly scenarios: readonly ScenarioId[];
  /** Also measure bench/floor.mjs (node:http + undici + JSON, no GraphQL) with (b)'s requests, as a reference. */
  readonly floor?: boolean;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly connections: readonly number[];
  /** The limits raised for the load generator, as in the headline run (the viewer scenarios do not reach them). */
  readonly raisedLimits: Record<string, string>;
}

type Which = 'base' | 'variant' | 'floor';

export interface CompareRow {
  readonly scenario: ScenarioId;
  readonly connections: number;
  readonly which: Which;
  readonly reqPerSec: number;
  readonly ratioToRaw: number | null;
  readonly p50: number;
  readonly p99: number;
  readonly facadeCpuMsPerOp: number | null;
  readonly upstreamCalls: number;
  readonly upstreamPerOp: number | null;
  readonly failures: number;
}

type Tagged = Measurement & { which: Which | 'raw' };

export interface CompareResult {
  readonly rows: CompareRow[];
  readonly measurements: Tagged[];
  readonly markdown: string;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const fixed = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));
const log = (message: string) => process.stderr.write(`${message}\n`);

export async function compareBenchmark(options: CompareOptions): Promise<CompareResult> {
  const simulator = await startSimulator();
  const facades: { base?: Facade; variant?: Facade; floor?: Facade } = {};
  const cleanup = () => {
    simulator.process.child.kill('SIGTERM');
    facades.base?.process.child.kill('SIGTERM');
    facades.variant?.process.child.kill('SIGTERM');
    facades.floor?.process.child.kill('SIGTERM');
  };
  process.once('exit', cleanup);
  try {
    facades.base = await startFacade({ simulatorUrl: simulator.url, env: { ...options.raisedLimits, ...options.base.env } });
    facades.variant = await startFacade({ simulatorUrl: simulator.url, env: { ...options.raisedLimits, ...options.variant.env } });
    if (options.floor) facades.floor = await startFacade({ simulatorUrl: simulator.url, script: 'bench/floor.mjs' });
    return await run(options, simulator, facades.base, facades.variant, facades.floor);
  } finally {
    await facades.floor?.process.stop();
    await facades.variant?.process.stop();
    await facades.base?.process.stop();
    await simulator.process.stop();
    process.off('exit', cleanup);
  }
}

async function run(options: CompareOptions, simulator: Simulator, base: Facade, variant: Facade, floor?: Facade): Promise<CompareResult> {
  const token = await signInToSimulator(simulator.url);
  // The reference answers come from the base facade: the variant must give exactly the same bodies.
  const built = await buildScenarios(simulator.url, base.url, token);
  const scenarios: Scenario[] = options.scenarios.map((id) => built.scenarios[id]);
  const measurements: Tagged[] = [];
  // (b)'s request, answered by the floor proxy: a JSON body with the account (not GraphQL's shape, so checked loosely).
  const floorScenario: Scenario = { ...built.scenarios.b, verify: (body) => body.startsWith('{"data":{"viewer":{"id":') };
  if (floor) {
    const m = await measure({ scenario: floorScenario, connections: 20, seconds: options.warmupSeconds, round: 0, simulator, facade: floor });
    if (m.failures > 0 || m.ok === 0) throw new Error(`warm-up of the floor failed: ${m.failureSamples.join('\n')}`);
  }

  log(`${options.variant.label} against ${options.base.label}, ${options.rounds} round(s) × ${options.connections.join('/')} connections × ${options.seconds} s`);
  for (const facade of [base, variant]) {
    for (const scenario of scenarios) {
      const m = await measure({ scenario, connections: 20, seconds: options.warmupSeconds, round: 0, simulator, facade });
      if (m.failures > 0 || m.ok === 0) throw new Error(`warm-up of ${scenario.name} failed: ${m.failureSamples.join('\n')}`);
    }
  }
  for (let round = 1; round <= options.rounds; round++) {
    // Alternate which facade goes first, so neither always runs on a warmer (or more tired) machine.
    const order: ['base' | 'variant', Facade][] = round % 2 === 1 ? [['base', base], ['variant', variant]] : [['variant', variant], ['base', base]];
    for (const connections of options.connections) {
      const raw = await measure({ scenario: built.scenarios.a, connections, seconds: options.seconds, round, simulator, facade: base });
      measurements.push({ ...raw, which: 'raw' });
      if (floor) {
        const m = await measure({ scenario: floorScenario, connections, seconds: options.seconds, round, simulator, facade: floor });
        measurements.push({ ...m, which: 'floor' });
        log(`  floor (node:http + undici + JSON)         c=${String(connections).padStart(2)} r${round}: ${Math.round(m.reqPerSec)} req/s, ${fixed(m.facadeCpuMsPerOp, 3)} ms/op${m.failures ? `, ${m.failures} FAILURES` : ''}`);
      }
      for (const scenario of scenarios) {
        for (const [which, facade] of order) {
          const m = await measure({ scenario, connections, seconds: options.seconds, round, simulator, facade });
          measurements.push({ ...m, which });
          log(
            `  ${SCENARIO_NAMES[scenario.id].padEnd(34)} ${options[which].label.padEnd(12)} c=${String(connections).padStart(2)} r${round}: ${Math.round(m.reqPerSec)} req/s, facade ${fixed(m.facadeCpuMsPerOp, 3)} ms/op, upstream ${m.upstreamCalls} calls (${fixed(m.upstreamPerOp, 4)}/op)${m.failures ? `, ${m.failures} FAILURES` : ''}`,
          );
        }
      }
    }
  }
  const rows = summarise(measurements);
  return { rows, measurements, markdown: markdown(options, rows) };
}

function summarise(measurements: readonly Tagged[]): CompareRow[] {
  const rows: CompareRow[] = [];
  const groups = new Map<string, Tagged[]>();
  for (const m of measurements) {
    if (m.which === 'raw') continue;
    const key = `${m.connections}:${m.scenario}:${m.which}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const ratios = group.map((m) => {
      const raw = measurements.find((r) => r.which === 'raw' && r.connections === m.connections && r.round === m.round);
      return raw && raw.reqPerSec > 0 ? m.reqPerSec / raw.reqPerSec : null;
    });
    const sent = group.reduce((sum, m) => sum + m.sent, 0);
    const upstreamCalls = group.reduce((sum, m) => sum + m.upstreamCalls, 0);
    rows.push({
      scenario: first.scenario,
      connections: first.connections,
      which: first.which as Which,
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
  const order: Record<Which, number> = { floor: 0, base: 1, variant: 2 };
  return rows.sort((x, y) => x.connections - y.connections || order[x.which] - order[y.which] || x.scenario.localeCompare(y.scenario) || x.which.localeCompare(y.which));
}

function markdown(options: CompareOptions, rows: readonly CompareRow[]): string {
  const lines = [
    options.title,
    '',
    `| scenario | conns | ${options.column} | req/s | × raw | p50 ms | p99 ms | facade CPU ms/op | variant ÷ base CPU/op | upstream calls/op | failures |`,
    '|---|--:|:-:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((r) => {
      const base = rows.find((b) => b.which === 'base' && b.scenario === r.scenario && b.connections === r.connections);
      const ratio = r.which === 'variant' && base?.facadeCpuMsPerOp && r.facadeCpuMsPerOp !== null ? r.facadeCpuMsPerOp / base.facadeCpuMsPerOp : null;
      const name = r.which === 'floor' ? 'floor: (b)\'s request through node:http + undici + JSON, no GraphQL' : SCENARIO_NAMES[r.scenario];
      return `| ${name} | ${r.connections} | ${r.which === 'floor' ? '—' : options[r.which].label} | ${Math.round(r.reqPerSec)} | ${fixed(r.ratioToRaw, 2)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${fixed(r.facadeCpuMsPerOp, 3)} | ${fixed(ratio, 2)} | ${fixed(r.upstreamPerOp, 4)} | ${r.failures} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
