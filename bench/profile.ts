// Profile: the product under load with V8's CPU profiler on (`node --cpu-prof dist/main.js`), one process per
// scenario, then where its busy time went: by package or source file (self time, and the share of samples with that
// package anywhere on the stack) and by function (self time). The profiles are kept beside the report, for Chrome
// DevTools or speedscope. The profiler slows the product: compare shares between runs, not req/s with the matrix.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig, runLoad, RAISED_LIMITS } from './matrix.js';
import { log, ROOT, startServer, startSimulator, warnings } from './processes.js';
import { fixed } from './report.js';
import { prepareTargets, type ScenarioName } from './scenarios.js';
import { summarise } from './summary.js';
import type { Summary } from './types.js';

export interface ProfileOptions {
  readonly latencyMs: number;
  readonly connections: number;
  readonly scenarios: readonly ScenarioName[];
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly timeoutSeconds: number;
  /** Also profile the baseline product (--baseline), right before the product, for each scenario. */
  readonly baselineScript?: string;
}

interface Share {
  readonly name: string;
  /** Of the busy samples (everything but idle). */
  readonly share: number;
}

export interface ScenarioProfile {
  readonly row: 'product' | 'baseline';
  readonly scenario: ScenarioName;
  readonly file: string;
  readonly summary: Summary;
  readonly selfByArea: readonly Share[];
  readonly totalByArea: readonly Share[];
  readonly selfByFunction: readonly Share[];
}

export interface ProfileResult {
  readonly options: ProfileOptions;
  readonly profiles: readonly ScenarioProfile[];
  readonly productWarnings: { count: number; last: string[] };
}

interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: a package, a file of the product, a Node.js module, or V8's own bucket. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1]!;
  const own = /\/dist\/(.+)$/.exec(url);
  if (own) return `src/${own[1]!.replace(/\.js$/, '.ts')}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:');
  return url;
}

function shortUrl(url: string): string {
  return url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'src/');
}

const top = (totals: Map<string, number>, busy: number, count: number): Share[] =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, share: us / busy }));

/**
 * Self and inclusive time per area, and self time per function, over the samples of a V8 .cpuprofile taken within
 * `window` (µs on the monotonic clock V8 and process.hrtime share).
 */
export function analyse(profile: CpuProfile, window: readonly [number, number], count = 25): { busyUs: number; selfByArea: Share[]; totalByArea: Share[]; selfByFunction: Share[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfArea = new Map<string, number>();
  const totalArea = new Map<string, number>();
  const selfFunction = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let busyUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    if (at < window[0] || at > window[1]) continue;
    const node = byId.get(profile.samples[i]!)!;
    // A sample's time is the delta to the next sample (the last one has none).
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    add(selfArea, areaOf(url, functionName), us);
    add(selfFunction, `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`, us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') continue;
      seen.add(areaOf(frame.url, frame.functionName));
    }
    for (const area of seen) add(totalArea, area, us);
  }
  // On the stack: the packages and the product's files (Node.js's own modules are on nearly every stack).
  for (const area of totalArea.keys()) if (area.startsWith('node:') || area.startsWith('(')) totalArea.delete(area);
  return { busyUs, selfByArea: top(selfArea, busyUs, count), totalByArea: top(totalArea, busyUs, count), selfByFunction: top(selfFunction, busyUs, count) };
}

export async function runProfile(options: ProfileOptions, logDir: string, profileDir: string): Promise<ProfileResult> {
  const profiles: ScenarioProfile[] = [];
  const productWarnings = { count: 0, last: [] as string[] };
  const simulator = await startSimulator(options.latencyMs);
  try {
    for (const scenario of options.scenarios) {
      for (const row of options.baselineScript === undefined ? (['product'] as const) : (['baseline', 'product'] as const)) {
        const name = `${row}-${scenario}-${options.latencyMs}ms-c${options.connections}.cpuprofile`;
        const logFile = join(logDir, `${row}-${scenario}.log`);
        const product = await startServer(row, {
          simulator,
          env: RAISED_LIMITS,
          logFile,
          script: options.baselineScript,
          nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}`],
        });
        let summary: Summary;
        let window: readonly [number, number];
        try {
          const target = (await prepareTargets(simulator, { [row]: product }))(row, scenario);
          const result = await runLoad(loadConfig(target, simulator, options), simulator);
          summary = summarise([result]);
          window = result.window.monotonicUs;
        } finally {
          // The profile is written when the process exits.
          await product.proc.stop();
        }
        const found = await warnings(logFile);
        productWarnings.count += found.count;
        productWarnings.last.push(...found.last);
        if (!readdirSync(profileDir).includes(name)) throw new Error(`the ${row} wrote no profile ${name}: ${product.proc.diagnosis()}`);
        const file = join(profileDir, name);
        const shares = analyse(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, window);
        if (shares.busyUs === 0) throw new Error(`${name} has no sample within the measured window`);
        profiles.push({ row, scenario, file, summary, selfByArea: shares.selfByArea, totalByArea: shares.totalByArea, selfByFunction: shares.selfByFunction });
        log(`  ${row} ${scenario}: ${Math.round(summary.reqPerSec)} req/s under the profiler, ${fixed(summary.serverCpuMsPerOp, 3)} CPU ms/op, others' CPU ${summary.othersCpuShare === null ? '—' : Math.round(summary.othersCpuShare * 100)} %`);
      }
    }
  } finally {
    await simulator.proc.stop();
  }
  return { options, profiles, productWarnings };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

export function profileReport(result: ProfileResult, started: Date, header: string): string {
  const { options } = result;
  const out: string[] = [`### CPU profile of the product ${started.toISOString()}`, '', header, ''];
  out.push(
    `\`node --cpu-prof dist/main.js\` (the matrix's configuration) at ${options.latencyMs} ms upstream latency, ${options.connections} connections, ${options.warmupSeconds} s of load then ${options.seconds} s measured. ` +
      'Shares are of the busy samples (idle excluded) within the measured window; **self** is time in the code of that package or file, **on stack** the share of samples with it anywhere on the stack (time spent in what it calls included).',
    '',
  );
  for (const profile of result.profiles) {
    const s = profile.summary;
    out.push(
      `#### ${profile.row === 'baseline' ? 'baseline product' : 'product'}, ${profile.scenario}: ${Math.round(s.reqPerSec)} req/s under the profiler, ${fixed(s.serverCpuMsPerOp, 3)} CPU ms/op, others' CPU ${s.othersCpuShare === null ? '—' : `${Math.round(s.othersCpuShare * 100)} %`}, ${s.failures} errors`,
      '',
      `Profile: \`${relative(ROOT, profile.file)}\``,
      '',
      '| package or file | self | on stack | function | self |',
      '|---|--:|--:|---|--:|',
    );
    const rows = Math.max(profile.selfByArea.length, profile.selfByFunction.length);
    const onStack = new Map(profile.totalByArea.map((share) => [share.name, share.share]));
    for (let i = 0; i < rows; i++) {
      const area = profile.selfByArea[i];
      const fn = profile.selfByFunction[i];
      out.push(
        `| ${area ? `\`${area.name}\`` : ''} | ${area ? percent(area.share) : ''} | ${area && onStack.has(area.name) ? percent(onStack.get(area.name)!) : area ? '—' : ''} | ${fn ? `\`${fn.name.replace(/\|/g, '\\|')}\`` : ''} | ${fn ? percent(fn.share) : ''} |`,
      );
    }
    out.push('', `Packages and files of the product on the stack (top): ${profile.totalByArea.map((share) => `\`${share.name}\` ${percent(share.share)}`).join(', ')}.`, '');
  }
  out.push(`Product log lines at warn or above: ${result.productWarnings.count}${result.productWarnings.last.length ? ` (last: \`${result.productWarnings.last.at(-1)}\`)` : ''}.`, '');
  return `${out.join('\n')}\n`;
}
