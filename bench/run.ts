// `npm run bench` — the facade against the raw upstream, on loopback, bounded in time.
//   npm run bench                      full run: (a)–(d) × 1/20/64 connections, warm-up, two interleaved rounds
//   npm run bench -- --quick           smoke: one short round
//   npm run bench -- --soak 60         soak: mixed load for 60 s, RSS growth and errors
//   npm run bench -- --profile [b|c|d] the facade under --cpu-prof, then its top costs
//   npm run bench -- --seconds 5       seconds per measurement
//   npm run bench -- --viewer-cache 5000  the optional viewer cache (TTL in ms) against none, viewer scenarios only
//   npm run bench -- --fast-route      FAST_ROUTE=off against on, (b)–(d), side by side in one run
//   npm run bench -- --connections 20  only these connection counts (comma-separated)
// Writes bench/results/<timestamp>.json and prints a markdown table.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { measure, type Measurement } from './measure.js';
import { ROOT, startFacade, startSimulator, type Facade, type Simulator } from './processes.js';
import { summariseProfile } from './profile-summary.js';
import { buildScenarios, SCENARIO_NAMES, signInToSimulator, type Scenario, type ScenarioId } from './scenarios.js';
import { compareBenchmark, type CompareOptions } from './compare.js';

const RESULTS_DIR = join(ROOT, 'bench', 'results');

/**
 * Limits raised for the load generator, which signs in thousands of times a minute from one address. Everything
 * else (error masking, operation limits, CSRF, redaction) stays as configured by default.
 */
export const RAISED_LIMITS: Record<string, string> = {
  // Raised, not switched off (0), so the throttle's own cost stays in the numbers.
  SIGN_IN_ADDRESS_ATTEMPTS_PER_MINUTE: '1000000000',
  // Attempts on a login are counted up front and forgiven on success, so 20 parallel sign-ins exceed the default 5.
  SIGN_IN_LOGIN_FAILURES_PER_MINUTE: '1000000000',
  SIGN_IN_LOGIN_FAILURES_PER_QUARTER_HOUR: '1000000000',
};

interface Options {
  readonly quick: boolean;
  readonly soakSeconds: number | null;
  readonly viewerCacheTtlMs: number | null;
  readonly fastRoute: boolean;
  readonly profile: ScenarioId | null;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly connections: readonly number[];
}

function parseArgs(argv: readonly string[]): Options {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const quick = has('--quick');
  const soak = has('--soak') ? Number(value('--soak') ?? 60) : null;
  const viewerCache = has('--viewer-cache') ? Number(value('--viewer-cache') ?? 5000) : null;
  if (viewerCache !== null && !(Number.isInteger(viewerCache) && viewerCache > 0 && viewerCache <= 60_000)) {
    throw new Error('--viewer-cache takes a TTL in milliseconds, 1–60000');
  }
  if (soak !== null && !(soak > 0)) throw new Error('--soak takes a number of seconds');
  const profileArg = has('--profile') ? (value('--profile') ?? 'b') : null;
  const profile = profileArg === null ? null : /^[bcd]$/.test(profileArg) ? (profileArg as ScenarioId) : 'b';
  const seconds = Number(value('--seconds') ?? (quick ? 1 : profile ? 10 : 5));
  if (!(seconds > 0)) throw new Error('--seconds takes a positive number');
  const connections = has('--connections') ? (value('--connections') ?? '').split(',').map(Number) : undefined;
  if (connections && !connections.every((count) => Number.isInteger(count) && count > 0 && count <= 1000)) {
    throw new Error('--connections takes connection counts, e.g. 20 or 1,20,64');
  }
  return {
    quick,
    soakSeconds: soak,
    viewerCacheTtlMs: viewerCache,
    fastRoute: has('--fast-route'),
    profile,
    seconds,
    warmupSeconds: quick ? 0.5 : 2,
    rounds: quick ? 1 : 2,
    connections: connections ?? [1, 20, 64],
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const mb = (bytes: number) => bytes / 2 ** 20;
const fixed = (value: number | null | undefined, digits: number) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

interface Row {
  scenario: ScenarioId;
  connections: number;
  reqPerSec: number;
  ratioToRaw: number | null;
  p50: number;
  p99: number;
  max: number;
  facadeCpuMsPerOp: number | null;
  simulatorCpuMsPerOp: number;
  upstreamPerOp: number | null;
  facadePeakRssMiB: number | null;
  failures: number;
  ok: number;
}

/** Rounds folded into one row: means of req/s, ratio, p50 and CPU; the worse round's p99 and max; failures summed. */
function summarise(measurements: readonly Measurement[]): Row[] {
  const rows: Row[] = [];
  const keys = [...new Set(measurements.map((m) => `${m.connections}:${m.scenario}`))];
  for (const key of keys) {
    const group = measurements.filter((m) => `${m.connections}:${m.scenario}` === key);
    const first = group[0]!;
    const ratios = group.map((m) => {
      const raw = measurements.find((r) => r.scenario === 'a' && r.connections === m.connections && r.round === m.round);
      return raw && raw.reqPerSec > 0 ? m.reqPerSec / raw.reqPerSec : null;
    });
    const nonNull = (values: (number | null)[]) => (values.every((v) => v !== null) ? mean(values as number[]) : null);
    rows.push({
      scenario: first.scenario,
      connections: first.connections,
      reqPerSec: mean(group.map((m) => m.reqPerSec)),
      ratioToRaw: first.scenario === 'a' ? 1 : nonNull(ratios),
      p50: mean(group.map((m) => m.latencyMs.p50)),
      p99: Math.max(...group.map((m) => m.latencyMs.p99)),
      max: Math.max(...group.map((m) => m.latencyMs.max)),
      facadeCpuMsPerOp: nonNull(group.map((m) => m.facadeCpuMsPerOp)),
      simulatorCpuMsPerOp: mean(group.map((m) => m.simulatorCpuMsPerOp)),
      upstreamPerOp: nonNull(group.map((m) => m.upstreamPerOp)),
      facadePeakRssMiB: first.facadePeakRssBytes === null ? null : mb(Math.max(...group.map((m) => m.facadePeakRssBytes ?? 0))),
      failures: group.reduce((sum, m) => sum + m.failures, 0),
      ok: group.reduce((sum, m) => sum + m.ok, 0),
    });
  }
  return rows.sort((x, y) => x.connections - y.connections || x.scenario.localeCompare(y.scenario));
}

function table(rows: readonly Row[]): string {
  const header =
    '| scenario | conns | req/s | × raw | p50 ms | p99 ms | max ms | facade CPU ms/op | upstream calls/op | facade peak RSS MiB | failures |';
  const rule = '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map(
    (r) =>
      `| ${SCENARIO_NAMES[r.scenario]} | ${r.connections} | ${Math.round(r.reqPerSec)} | ${fixed(r.ratioToRaw, 2)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${fixed(r.max, 1)} | ${fixed(r.facadeCpuMsPerOp, 3)} | ${fixed(r.upstreamPerOp, 2)} | ${fixed(r.facadePeakRssMiB, 0)} | ${r.failures} |`,
  );
  return [header, rule, ...lines].join('\n');
}

interface Target {
  readonly what: string;
  readonly met: boolean;
  readonly measured: string;
}

function targets(rows: readonly Row[]): Target[] {
  const row = (scenario: ScenarioId, connections: number) => rows.find((r) => r.scenario === scenario && r.connections === connections);
  const out: Target[] = [];
  for (const scenario of ['b', 'd'] as const) {
    const r = row(scenario, 20);
    if (!r) continue;
    out.push({ what: `${SCENARIO_NAMES[scenario]} at 20 connections ≥ 0.35 × raw req/s`, met: (r.ratioToRaw ?? 0) >= 0.35, measured: fixed(r.ratioToRaw, 2) });
    out.push({ what: `${SCENARIO_NAMES[scenario]} at 20 connections ≤ 0.2 ms facade CPU/op`, met: (r.facadeCpuMsPerOp ?? Infinity) <= 0.2, measured: fixed(r.facadeCpuMsPerOp, 3) });
  }
  for (const r of rows.filter((x) => x.connections === 20 && x.scenario !== 'a')) {
    out.push({ what: `${SCENARIO_NAMES[r.scenario]} p99 ≤ 10 ms at 20 connections`, met: r.p99 <= 10, measured: `${fixed(r.p99, 2)} ms` });
  }
  for (const r of rows.filter((x) => x.scenario !== 'a')) {
    if (r.upstreamPerOp !== null && Math.abs(r.upstreamPerOp - 1) >= 0.005) {
      out.push({ what: `${SCENARIO_NAMES[r.scenario]} at ${r.connections}: 1.00 upstream call/op`, met: false, measured: fixed(r.upstreamPerOp, 3) });
    }
  }
  if (!out.some((t) => t.what.includes('upstream'))) out.push({ what: 'exactly 1.00 upstream call per operation (every facade row)', met: true, measured: '1.00' });
  const peak = Math.max(...rows.filter((r) => r.connections === 64).map((r) => r.facadePeakRssMiB ?? 0));
  out.push({ what: 'facade peak RSS ≤ 150 MB at 64 connections', met: peak * 2 ** 20 <= 150e6, measured: `${peak.toFixed(0)} MiB` });
  const failures = rows.reduce((sum, r) => sum + r.failures, 0);
  out.push({ what: 'no failed or wrong responses', met: failures === 0, measured: String(failures) });
  return out;
}

function writeResults(kind: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}${kind === 'bench' ? '' : `-${kind}`}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

async function warmUp(scenarios: readonly Scenario[], seconds: number, simulator: Simulator, facade: Facade): Promise<void> {
  for (const scenario of scenarios) {
    const m = await measure({ scenario, connections: 20, seconds, round: 0, simulator, facade });
    if (m.failures > 0 || m.ok === 0) {
      throw new Error(`warm-up of ${scenario.name} failed (${m.failures} failures, ${m.ok} ok): ${m.failureSamples.join('\n')}`);
    }
  }
}

function describe(m: Measurement): string {
  return `  ${SCENARIO_NAMES[m.scenario].padEnd(38)} c=${String(m.connections).padStart(2)} r${m.round}: ${Math.round(m.reqPerSec)} req/s, p99 ${m.latencyMs.p99} ms, facade ${fixed(m.facadeCpuMsPerOp, 3)} ms/op, upstream ${fixed(m.upstreamPerOp, 3)}/op${m.failures ? `, ${m.failures} FAILURES` : ''}`;
}

async function withProcesses<T>(env: Record<string, string>, nodeFlags: readonly string[], work: (sim: Simulator, facade: Facade) => Promise<T>): Promise<T> {
  const simulator = await startSimulator();
  let facade: Facade | undefined;
  const cleanup = () => {
    simulator.process.child.kill('SIGTERM');
    facade?.process.child.kill('SIGTERM');
  };
  process.once('exit', cleanup);
  try {
    facade = await startFacade({ simulatorUrl: simulator.url, env, nodeFlags });
    return await work(simulator, facade);
  } finally {
    await facade?.process.stop();
    await simulator.process.stop();
    process.off('exit', cleanup);
  }
}

async function benchmark(options: Options): Promise<number> {
  const started = new Date();
  log(`benchmark: ${options.rounds} round(s) × (a)–(d) × ${options.connections.join('/')} connections × ${options.seconds} s`);
  const measurements: Measurement[] = [];
  let facadeWarnLines = 0;
  let facadeMaxRss = 0;
  let context: { fullSelectionFields: number; rawBodyBytes: number } | undefined;
  await withProcesses(RAISED_LIMITS, [], async (simulator, facade) => {
    const token = await signInToSimulator(simulator.url);
    const built = await buildScenarios(simulator.url, facade.url, token);
    context = { fullSelectionFields: built.fullSelectionFields, rawBodyBytes: built.rawBodyBytes };
    const order: ScenarioId[] = ['a', 'b', 'c', 'd'];
    log(`warm-up: ${options.warmupSeconds} s per scenario`);
    await warmUp(order.map((id) => built.scenarios[id]), options.warmupSeconds, simulator, facade);
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate the order so no scenario always runs first or last in a round.
      const scenarioOrder = round % 2 === 1 ? order : [...order].reverse();
      for (const connections of options.connections) {
        for (const id of scenarioOrder) {
          const m = await measure({ scenario: built.scenarios[id], connections, seconds: options.seconds, round, simulator, facade });
          measurements.push(m);
          log(describe(m));
        }
      }
    }
    facadeWarnLines = facade.process.lineCount;
    facadeMaxRss = (await facade.process.sample()).maxRss;
    if (facadeWarnLines > 0) log(`facade logged ${facadeWarnLines} line(s) at warn or above; last:\n${facade.process.lines.slice(-5).join('\n')}`);
  });

  const rows = summarise(measurements);
  const checks = targets(rows);
  const info = machine();
  const file = writeResults('bench', {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: info,
    options,
    raisedLimits: RAISED_LIMITS,
    context,
    facadeMaxRssBytes: facadeMaxRss,
    facadeWarnLines,
    rows,
    targets: checks,
    measurements,
  });

  const out: string[] = [];
  out.push(`### Benchmark ${started.toISOString()}`);
  out.push('');
  out.push(
    `Machine: ${info.cpu}, ${info.cores} cores shared by load generator (autocannon), facade and simulator; ${info.memoryGiB} GiB; ${info.os}; Node ${info.node}; load average at start ${info.loadAverageAtStart.join(' ')}.`,
  );
  out.push(
    `Facade: as \`npm start\` runs it (compiled \`dist/main.js\`) with NODE_ENV=production, LOG_LEVEL=warn; plex.tv: the simulator (separate process, ${context?.rawBodyBytes ?? '?'}-byte user body). ${options.rounds} interleaved round(s) of ${options.seconds} s per cell after a ${options.warmupSeconds} s warm-up; every body checked.`,
  );
  out.push(
    `Raised for the load generator only: ${Object.entries(RAISED_LIMITS).map(([k, v]) => `${k}=${v}`).join(', ')} (the sign-in throttle; the load generator signs in to one login thousands of times a minute, in parallel, from one address). Every other limit keeps its default. Error masking, operation limits, CSRF and redaction stay on.`,
  );
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push(`× raw: req/s relative to (a) at the same connection count in the same round. p50 is the mean of rounds; p99 and max the worse round. Facade max RSS over the run: ${mb(facadeMaxRss).toFixed(0)} MiB.`);
  out.push('');
  out.push('Targets:');
  for (const t of checks) out.push(`- ${t.met ? '✓' : '✗'} ${t.what}: ${t.measured}`);
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
  log(`results: ${file}`);
  return rows.some((r) => r.failures > 0) ? 1 : 0;
}

async function soak(seconds: number): Promise<number> {
  const started = new Date();
  log(`soak: ${seconds} s of (b), (c), (d) in turn at 20 connections`);
  return withProcesses(RAISED_LIMITS, ['--expose-gc'], async (simulator, facade) => {
    const token = await signInToSimulator(simulator.url);
    const built = await buildScenarios(simulator.url, facade.url, token);
    const mix = [built.scenarios.b, built.scenarios.c, built.scenarios.d];
    await warmUp(mix, 5, simulator, facade);
    const baseline = await facade.process.sample(true);
    const samples: { t: number; rss: number }[] = [];
    const t0 = Date.now();
    const measurements: Measurement[] = [];
    const segment = Math.min(5, seconds);
    let i = 0;
    while ((Date.now() - t0) / 1000 < seconds - 0.5) {
      const scenario = mix[i++ % mix.length]!;
      const left = seconds - (Date.now() - t0) / 1000;
      const m = await measure({
        scenario,
        connections: 20,
        seconds: Math.max(1, Math.min(segment, Math.round(left))),
        round: i,
        simulator,
        facade,
        rssIntervalMs: 1000,
        onRss: (rss) => samples.push({ t: (Date.now() - t0) / 1000, rss }),
      });
      measurements.push(m);
      if (m.failures > 0) log(describe(m));
    }
    const end = await facade.process.sample(true);
    const slopeMiBPerMin = slope(samples.map((s) => [s.t / 60, mb(s.rss)] as const));
    const firstTenth = samples.slice(0, Math.max(1, Math.floor(samples.length / 10)));
    const lastTenth = samples.slice(-Math.max(1, Math.floor(samples.length / 10)));
    const failures = measurements.reduce((sum, m) => sum + m.failures, 0);
    const ops = measurements.reduce((sum, m) => sum + m.ok, 0);
    const upstream = measurements.reduce((sum, m) => sum + m.upstreamCalls, 0);
    const summary = {
      seconds,
      operations: ops,
      failures,
      upstreamPerOp: upstream / Math.max(1, measurements.reduce((sum, m) => sum + m.sent, 0)),
      rssAfterWarmupMiB: mb(baseline.rss),
      rssEndMiB: mb(end.rss),
      rssGrowthMiB: mb(end.rss - baseline.rss),
      heapAfterWarmupMiB: mb(baseline.heapUsed),
      heapEndMiB: mb(end.heapUsed),
      heapGrowthMiB: mb(end.heapUsed - baseline.heapUsed),
      rssFirstTenthMeanMiB: mean(firstTenth.map((s) => mb(s.rss))),
      rssLastTenthMeanMiB: mean(lastTenth.map((s) => mb(s.rss))),
      rssTrendMiBPerMin: slopeMiBPerMin,
      peakRssMiB: mb(Math.max(end.maxRss, ...samples.map((s) => s.rss))),
    };
    const file = writeResults('soak', { startedAt: started.toISOString(), machine: machine(), raisedLimits: RAISED_LIMITS, summary, samples, measurements });
    const lines = [
      `### Soak ${started.toISOString()} (${seconds} s, (b)/(c)/(d) in turn at 20 connections)`,
      '',
      `| operations | failures | upstream calls/op | RSS after warm-up (after GC) | RSS at end (after GC) | growth | heap after warm-up → end (after GC) | RSS trend under load | peak RSS |`,
      '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      `| ${ops} | ${failures} | ${summary.upstreamPerOp.toFixed(3)} | ${summary.rssAfterWarmupMiB.toFixed(1)} MiB | ${summary.rssEndMiB.toFixed(1)} MiB | ${summary.rssGrowthMiB >= 0 ? '+' : ''}${summary.rssGrowthMiB.toFixed(1)} MiB | ${summary.heapAfterWarmupMiB.toFixed(1)} → ${summary.heapEndMiB.toFixed(1)} MiB | ${summary.rssTrendMiBPerMin >= 0 ? '+' : ''}${summary.rssTrendMiBPerMin.toFixed(2)} MiB/min | ${summary.peakRssMiB.toFixed(0)} MiB |`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    log(`results: ${file}`);
    return failures > 0 ? 1 : 0;
  });
}

function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const mx = mean(points.map((p) => p[0]));
  const my = mean(points.map((p) => p[1]));
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function profile(options: Options, scenarioId: ScenarioId): Promise<number> {
  const dir = join(RESULTS_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  const startedAt = Date.now();
  log(`profile: facade under --cpu-prof, ${SCENARIO_NAMES[scenarioId]} at 20 connections for ${options.seconds} s`);
  await withProcesses(RAISED_LIMITS, ['--cpu-prof', '--cpu-prof-dir', dir], async (simulator, facade) => {
    const token = await signInToSimulator(simulator.url);
    const built = await buildScenarios(simulator.url, facade.url, token);
    await warmUp([built.scenarios[scenarioId]], options.warmupSeconds, simulator, facade);
    const m = await measure({ scenario: built.scenarios[scenarioId], connections: 20, seconds: options.seconds, round: 1, simulator, facade });
    log(describe(m));
  });
  await sleep(200);
  const written = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).mtimeMs >= startedAt)
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (others are loader workers).
    .filter((path) => /\.\d+\.0\.\d+\.cpuprofile$/.test(path))
    .sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs);
  const latest = written[0];
  if (latest === undefined) throw new Error('the facade wrote no profile');
  process.stdout.write(`${summariseProfile(latest, 25, options.seconds)}\n`);
  log(`profile: ${latest}`);
  return 0;
}

const options = parseArgs(process.argv.slice(2));
async function compare(options: Options, name: string, heading: string, setup: Pick<CompareOptions, 'title' | 'base' | 'variant' | 'column' | 'scenarios' | 'floor'>): Promise<number> {
  const started = new Date();
  const result = await compareBenchmark({ ...setup, ...options, raisedLimits: RAISED_LIMITS });
  const file = writeResults(name, { startedAt: started.toISOString(), machine: machine(), options, raisedLimits: RAISED_LIMITS, rows: result.rows, measurements: result.measurements });
  process.stdout.write(`### ${heading} ${started.toISOString()}\n\n${result.markdown}\n`);
  log(`results: ${file}`);
  return result.rows.some((r) => r.failures > 0) ? 1 : 0;
}

const viewerCache = (options: Options, ttlMs: number) =>
  compare(options, 'viewer-cache', 'Viewer cache', {
    title: `Viewer cache (VIEWER_CACHE_TTL_MS=${ttlMs}) against no cache, same run, same simulator, interleaved; one token refetching \`viewer\` (the cache's best case). Not the headline: the headline table runs without the cache.`,
    base: { label: 'off', env: {} },
    variant: { label: `${ttlMs} ms`, env: { VIEWER_CACHE_TTL_MS: String(ttlMs) } },
    column: 'viewer cache',
    scenarios: ['b', 'c'],
  });

const fastRoute = (options: Options) =>
  compare(options, 'fast-route', 'Fast route', {
    title: 'FAST_ROUTE=off (every request through Yoga\'s HTTP layer) against on (the default), same run, same simulator, same build, interleaved. Both facades as `npm start` runs them, production mode, logs at warn.',
    base: { label: 'off', env: { FAST_ROUTE: 'off' } },
    variant: { label: 'on', env: { FAST_ROUTE: 'on' } },
    column: 'FAST_ROUTE',
    scenarios: ['b', 'c', 'd'],
    floor: true,
  });

const code = options.fastRoute
  ? await fastRoute(options)
  : options.viewerCacheTtlMs !== null
    ? await viewerCache(options, options.viewerCacheTtlMs)
    : options.soakSeconds !== null
    ? await soak(options.soakSeconds)
    : options.profile !== null
      ? await profile(options, options.profile)
      : await benchmark(options);
process.exit(code);
