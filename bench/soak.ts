// The soak: the product under a steady mix of viewer and signIn (each connection alternates them) at the chosen
// upstream latency for N seconds. Memory is read after a full garbage collection (through the inspector) once the
// warm-up is over and again after the load, both with the product idle, and sampled (VmRSS) every second under load.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, RAISED_LIMITS, runLoad } from './matrix.js';
import { collectGarbage, log, settle, startServer, startSimulator, warnings } from './processes.js';
import { memory } from './proc.mjs';
import { fixed, mib } from './report.js';
import { prepareTargets } from './scenarios.js';
import { summarise, withoutLatencies } from './summary.js';
import type { LoadResult, Summary } from './types.js';

export interface SoakOptions {
  readonly seconds: number;
  readonly latencyMs: number;
  readonly connections: number;
  readonly timeoutSeconds: number;
}

interface AfterGc {
  readonly rss: number;
  readonly heapUsed: number;
}

export interface SoakResult {
  readonly options: SoakOptions;
  readonly warmup: Omit<LoadResult, 'latencies'>;
  readonly load: Omit<LoadResult, 'latencies'>;
  readonly summary: Summary;
  readonly afterWarmup: AfterGc;
  readonly afterSoak: AfterGc;
  readonly rssTrendMiBPerMinute: number;
  readonly rssFirstTenthMiB: number;
  readonly rssLastTenthMiB: number;
  readonly flat: boolean;
  readonly failures: number;
  readonly productWarnings: { count: number; last: string[] };
}

function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
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

export async function runSoak(options: SoakOptions, logDir: string): Promise<SoakResult> {
  log(`soak: ${options.seconds} s, viewer and signIn alternating on ${options.connections} connections, upstream latency ${options.latencyMs} ms`);
  const simulator = await startSimulator(options.latencyMs);
  const logFile = join(logDir, 'product-soak.log');
  const product = await startServer('product', { simulator, env: RAISED_LIMITS, inspect: true, logFile }).catch(async (error: unknown) => {
    await simulator.proc.stop();
    throw error;
  });
  try {
    const target = await prepareTargets(simulator, { product });
    const viewer = target('product', 'viewer');
    const signIn = target('product', 'signIn');
    const mixed = (seconds: number, keepRssSeries: boolean) => ({
      ...loadConfig(viewer, simulator, { connections: options.connections, warmupSeconds: 0, seconds, timeoutSeconds: options.timeoutSeconds }),
      requests: [viewer.request, signIn.request],
      // What both answers hold (the account); each is also checked for `"errors"`.
      expect: { contains: viewer.expect.contains },
      rssSampleMs: 1000,
      keepRssSeries,
    });
    const afterGc = async (): Promise<AfterGc> => {
      await settle(simulator);
      await sleep(500);
      const { heapUsed } = await collectGarbage(product.inspectorUrl!);
      return { rss: memory(product.proc.pid).rss, heapUsed };
    };

    log('  warm-up: 10 s');
    const warmup = await runLoad(mixed(10, false), simulator);
    const afterWarmup = await afterGc();
    log(`  after warm-up, after GC: RSS ${mib(afterWarmup.rss).toFixed(1)} MiB, heap ${mib(afterWarmup.heapUsed).toFixed(1)} MiB`);
    const load = await runLoad(mixed(options.seconds, true), simulator);
    const afterSoak = await afterGc();
    log(`  after the soak, after GC: RSS ${mib(afterSoak.rss).toFixed(1)} MiB, heap ${mib(afterSoak.heapUsed).toFixed(1)} MiB; ${load.run.ok} ok, ${load.run.failures} failures`);

    const series = load.rssSeries.map((s) => [s.t / 60, mib(s.rss)] as const);
    // The trend leaves out the first third, where RSS climbs to its working size under this load.
    const settled = series.slice(Math.floor(series.length / 3));
    const tenth = Math.max(1, Math.floor(series.length / 10));
    const mean = (points: readonly (readonly [number, number])[]) => points.reduce((sum, p) => sum + p[1], 0) / Math.max(1, points.length);
    // Flat: the live heap after GC grew by less than 2 MiB, and RSS after GC by less than 10 %.
    const flat = afterSoak.heapUsed - afterWarmup.heapUsed < 2 * 2 ** 20 && afterSoak.rss < afterWarmup.rss * 1.1;
    return {
      options,
      warmup: withoutLatencies(warmup),
      load: withoutLatencies(load),
      summary: summarise([load]),
      afterWarmup,
      afterSoak,
      rssTrendMiBPerMinute: slope(settled),
      rssFirstTenthMiB: mean(series.slice(0, tenth)),
      rssLastTenthMiB: mean(series.slice(-tenth)),
      flat,
      failures: warmup.run.failures + load.run.failures,
      productWarnings: await warnings(logFile),
    };
  } finally {
    await product.proc.stop();
    await simulator.proc.stop();
  }
}

export function soakReport(result: SoakResult, started: Date, header: string): string {
  const { options, load, afterWarmup, afterSoak } = result;
  const w = result.summary;
  const growth = (after: number, before: number) => `${after - before >= 0 ? '+' : ''}${mib(after - before).toFixed(1)}`;
  const lines = [
    `### Soak ${started.toISOString()}: ${options.seconds} s at ${options.latencyMs} ms upstream latency, ${options.connections} connections, viewer and signIn alternating`,
    '',
    header,
    '',
    'The product as in the matrix (`node dist/main.js`, production, default log level, sign-in throttles raised), started with `--inspect=127.0.0.1:0` so that garbage can be collected from outside (HeapProfiler.collectGarbage, twice) with the product idle after a 10 s warm-up and again after the soak.',
    '',
    '| operations | failures | req/s | p50 ms | p99 ms | CPU ms/op | upstream/op | RSS after GC: warm-up → end | heap after GC: warm-up → end | RSS under load: first → last tenth | RSS trend (last ⅔) | peak RSS | memory | others\' CPU |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|',
    `| ${load.run.ok} | ${result.failures} | ${Math.round(w.reqPerSec)} | ${fixed(w.latencyMs.p50, 1)} | ${fixed(w.latencyMs.p99, 1)} | ${fixed(w.serverCpuMsPerOp, 3)} | ${fixed(w.upstreamPerOp, 2)} | ${mib(afterWarmup.rss).toFixed(1)} → ${mib(afterSoak.rss).toFixed(1)} MiB (${growth(afterSoak.rss, afterWarmup.rss)}) | ${mib(afterWarmup.heapUsed).toFixed(1)} → ${mib(afterSoak.heapUsed).toFixed(1)} MiB (${growth(afterSoak.heapUsed, afterWarmup.heapUsed)}) | ${result.rssFirstTenthMiB.toFixed(1)} → ${result.rssLastTenthMiB.toFixed(1)} MiB | ${result.rssTrendMiBPerMinute >= 0 ? '+' : ''}${result.rssTrendMiBPerMinute.toFixed(2)} MiB/min | ${mib(load.peakRssBytes).toFixed(0)} MiB | ${result.flat ? 'flat' : 'GROWS'} | ${w.othersCpuShare === null ? '—' : `${Math.round(w.othersCpuShare * 100)} %`} |`,
    '',
    '"flat": the live heap after GC grew by less than 2 MiB and RSS after GC by less than 10 % over the soak. Failures count the warm-up too: non-2xx, socket errors, timeouts, and bodies with `"errors"` or without the account.',
    '',
    `Product log lines at warn or above: ${result.productWarnings.count}${result.productWarnings.last.length ? ` (last: \`${result.productWarnings.last.at(-1)}\`)` : ''}.${load.failureSamples.length ? ` Failure samples: ${load.failureSamples.map((s) => `\`${s}\``).join(', ')}.` : ''}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
