// `npm run bench`: the product against the plex.tv simulator called directly, a bare node:http + undici floor, a
// bare graphql-yoga floor and an Apollo Server 5 + datasource-rest facade, side by side in one run, on 127.0.0.1, every loop bounded in count and time.
//
//   npm run bench                                   the full matrix: latency 0,150 ms × 20,300,1000 connections ×
//                                                   viewer,signIn × the five rows (≈18 min on 2 cores)
//   npm run bench -- --latency 150 --connections 300 --scenario viewer --duration 10
//                                                   a subset (comma-separated lists)
//   npm run bench -- --rows direct,product          only some rows (direct, floor, yoga, apollo, product)
//   npm run bench -- --baseline main                one more row: the product built from that git revision
//   npm run bench -- --subscriptions 1000           1000 signInPin subscriptions over SSE (--per-pin 5, --hold 20)
//   npm run bench -- --soak 60                      60 s of mixed load at 150 ms, memory after GC, failures
//   npm run bench -- --profile                      the product alone under node --cpu-prof (0 ms, 20 connections,
//                                                   each scenario): where its CPU time goes (with --baseline: the
//                                                   baseline product too)
//   --duration 8 (measured seconds per cell and row, split over --rounds 2, each after --warmup 2 seconds of load), --no-build (use dist/ as it is), --wait 120 (at most
//   that many seconds of waiting for a quiet machine first), --timeout 10 (autocannon's request timeout, s)
//
// Prints a markdown report and writes it to bench/results/<timestamp>.md (the raw numbers beside it as .json).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runMatrix, RAISED_LIMITS } from './matrix.js';
import { build, buildBaseline, log, openFilesLimit, ROOT, waitForQuietMachine } from './processes.js';
import { matrixReport } from './report.js';
import { ROW_NAMES, ROWS, SCENARIOS, type RowKind, type ScenarioName } from './scenarios.js';
import { profileReport, runProfile } from './profile.js';
import { runSoak, soakReport } from './soak.js';
import { runSubscriptions, subscriptionsReport } from './subscriptions.js';

interface Options {
  readonly latencies: number[];
  readonly connections: number[];
  readonly scenarios: ScenarioName[];
  readonly rows: RowKind[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly timeoutSeconds: number;
  readonly subscriptions: number | null;
  readonly perPin: number;
  readonly holdSeconds: number;
  readonly soakSeconds: number | null;
  readonly profile: boolean;
  readonly baseline: string | null;
  readonly build: boolean;
  readonly waitSeconds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const known = new Set(['--latency', '--connections', '--scenario', '--rows', '--duration', '--warmup', '--subscriptions', '--per-pin', '--hold', '--soak', '--no-build', '--timeout', '--wait', '--rounds', '--profile', '--baseline']);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}`);
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    const next = at === -1 ? undefined : argv[at + 1];
    return next === undefined || next.startsWith('--') ? undefined : next;
  };
  const numbers = (flag: string, fallback: number[], check: (n: number) => boolean): number[] => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const list = raw.split(',').map(Number);
    if (!list.every((n) => Number.isFinite(n) && check(n))) throw new Error(`${flag} ${raw}: out of range`);
    return list;
  };
  const number = (flag: string, fallback: number, check: (n: number) => boolean) => numbers(flag, [fallback], check)[0]!;
  const names = <T extends string>(flag: string, all: readonly T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return [...all];
    const list = raw.split(',').map((name) => all.find((known) => known.toLowerCase() === name.trim().toLowerCase()));
    if (list.some((name) => name === undefined)) throw new Error(`${flag} takes some of ${all.join(', ')}`);
    return list as T[];
  };
  const soak = has('--soak') ? number('--soak', 60, (n) => n >= 5 && n <= 3600) : null;
  const subscriptions = has('--subscriptions') ? number('--subscriptions', 1000, (n) => Number.isInteger(n) && n >= 1 && n <= 20_000) : null;
  const baseline = value('--baseline') ?? null;
  if (has('--baseline') && baseline === null) throw new Error('--baseline takes a git revision');
  const rows = names('--rows', ROWS.filter((row) => row !== 'baseline' || baseline !== null));
  if (rows.includes('baseline') && baseline === null) throw new Error('the baseline row needs --baseline <git revision>');
  const profile = has('--profile');
  return {
    latencies: numbers('--latency', soak !== null || subscriptions !== null ? [150] : profile ? [0] : [0, 150], (n) => Number.isInteger(n) && n >= 0 && n <= 5000),
    connections: numbers('--connections', soak !== null ? [300] : profile ? [20] : [20, 300, 1000], (n) => Number.isInteger(n) && n >= 1 && n <= 5000),
    scenarios: names('--scenario', SCENARIOS),
    // The added latency of a row is measured against the direct row: keep it in every run.
    rows: rows.includes('direct') ? rows : ['direct', ...rows],
    seconds: number('--duration', 8, (n) => n >= 1 && n <= 600),
    warmupSeconds: number('--warmup', 2, (n) => n >= 0 && n <= 60),
    rounds: number('--rounds', 2, (n) => Number.isInteger(n) && n >= 1 && n <= 10),
    timeoutSeconds: number('--timeout', 10, (n) => n >= 1 && n <= 120),
    subscriptions,
    perPin: number('--per-pin', 5, (n) => Number.isInteger(n) && n >= 1 && n <= 1000),
    holdSeconds: number('--hold', 20, (n) => n >= 5 && n <= 600),
    soakSeconds: soak,
    profile,
    baseline,
    build: !has('--no-build'),
    waitSeconds: number('--wait', 120, (n) => n >= 0 && n <= 3600),
  };
}

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `${commit}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores shared by every process (load generator, simulator, servers), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}; load average at start ${load}; product built from ${gitDescription()}`;
}

const options = parseArgs(process.argv.slice(2));
const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, '-');
const resultsDir = join(ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
// The product logs a line per operation at its default level: to a file, not through this process.
const logDir = mkdtempSync(join(os.tmpdir(), 'plex-bench-'));

const files = openFilesLimit();
const needed = 4 * Math.max(...options.connections, options.subscriptions ?? 0) + 1000;
if (files.hard < needed) log(`warning: the open-files limit is ${files.hard}; ${needed} or more is needed for ${Math.max(...options.connections)} connections (raise it with ulimit -Hn as root)`);

if (options.build) build();
const busyAtStart = await waitForQuietMachine(options.waitSeconds);
let header = `Machine: ${machineLine()}; ${Math.round(busyAtStart * 100)} % of its CPU busy just before the run.`;
let markdown: string;
let baselineNote = '';
let raw: unknown;
let failed: boolean;
try {
  if (options.subscriptions !== null) {
    const result = await runSubscriptions({ count: options.subscriptions, perPin: options.perPin, holdSeconds: options.holdSeconds, latencyMs: options.latencies[0]! }, logDir);
    markdown = subscriptionsReport(result, started, header);
    raw = result;
    failed = result.failures > 0;
  } else if (options.soakSeconds !== null) {
    const result = await runSoak(
      { seconds: options.soakSeconds, latencyMs: options.latencies[0]!, connections: options.connections[0]!, timeoutSeconds: options.timeoutSeconds },
      logDir,
    );
    markdown = soakReport(result, started, header);
    raw = result;
    failed = result.failures > 0;
  } else if (options.profile) {
    const profileDir = join(resultsDir, `${stamp}-profiles`);
    mkdirSync(profileDir, { recursive: true });
    const baseline = options.baseline === null ? undefined : buildBaseline(options.baseline, join(logDir, 'baseline'));
    if (baseline !== undefined) header += `\n\nThe baseline product is built from ${options.baseline} (${baseline.commit}).`;
    const result = await runProfile(
      {
        latencyMs: options.latencies[0]!,
        connections: options.connections[0]!,
        scenarios: options.scenarios,
        warmupSeconds: options.warmupSeconds,
        seconds: options.seconds,
        timeoutSeconds: options.timeoutSeconds,
        baselineScript: baseline?.script,
      },
      logDir,
      profileDir,
    );
    markdown = profileReport(result, started, header);
    raw = result;
    failed = result.profiles.some((profile) => profile.summary.failures > 0);
  } else {
    let baselineScript: string | undefined;
    if (options.baseline !== null) {
      const built = buildBaseline(options.baseline, join(logDir, 'baseline'));
      baselineScript = built.script;
      baselineNote = `The row "${ROW_NAMES.baseline}" is the product built from ${options.baseline} (${built.commit}), run exactly as the product row.`;
    }
    log(`matrix: latency ${options.latencies.join(',')} ms × ${options.connections.join(',')} connections × ${options.scenarios.join(',')} × ${options.rows.join(',')}; per cell and row ${options.rounds} × (${options.warmupSeconds} s warm-up + ${+(options.seconds / options.rounds).toFixed(2)} s measured)`);
    const result = await runMatrix({ ...options, baselineScript }, logDir);
    markdown = matrixReport(result, { ...options, raisedLimits: RAISED_LIMITS }, started, baselineNote === '' ? header : `${header}\n\n${baselineNote}`);
    raw = result;
    failed = result.cells.some((cell) => cell.summary.failures > 0);
  }
} catch (error) {
  log(`the run failed; the product's log is kept in ${logDir}`);
  throw error;
}
rmSync(logDir, { recursive: true, force: true });
markdown += `Load average at the end: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}.\n`;
const kind = options.subscriptions !== null ? '-subscriptions' : options.soakSeconds !== null ? '-soak' : options.profile ? '-profile' : '';
const file = join(resultsDir, `${stamp}${kind}.md`);
writeFileSync(file, markdown);
writeFileSync(join(resultsDir, `${stamp}${kind}.json`), `${JSON.stringify({ startedAt: started.toISOString(), options, machine: machineLine(), raw }, null, 2)}\n`);
process.stdout.write(markdown);
log(`results: ${file}`);
process.exit(failed ? 1 : 0);
