// Folds the runs of one row (its rounds) into the figures of the report: rates from the summed window totals,
// percentiles from every latency of every window, the highest peak RSS, every failure.
import type { Latency, LoadResult, Summary } from './types.js';

export function percentiles(values: readonly number[]): Latency {
  if (values.length === 0) return { p50: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!), mean: round(sum / sorted.length) };
}

export function summarise(results: readonly LoadResult[]): Summary {
  const total = (pick: (r: LoadResult) => number) => results.reduce((sum, r) => sum + pick(r), 0);
  const seconds = total((r) => r.window.seconds);
  const responses = total((r) => r.window.responses);
  const ok = total((r) => r.window.ok);
  const perOp = (value: number) => (responses === 0 ? null : value / responses);
  const machine = total((r) => r.window.machineCpuMs);
  const statusCodes: Record<string, number> = {};
  for (const r of results) for (const [code, count] of Object.entries(r.run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    rounds: results.length,
    seconds,
    responses,
    ok,
    reqPerSec: seconds === 0 ? 0 : ok / seconds,
    latencyMs: percentiles(results.flatMap((r) => r.latencies)),
    serverCpuMsPerOp: perOp(total((r) => r.window.serverCpuMs)),
    serverCpuMsPerSecond: seconds === 0 ? 0 : total((r) => r.window.serverCpuMs) / seconds,
    simulatorCpuMsPerOp: results.every((r) => r.window.simulatorCpuMs !== null) ? perOp(total((r) => r.window.simulatorCpuMs!)) : null,
    upstreamPerOp: results.every((r) => r.upstreamRunCalls !== undefined)
      ? total((r) => r.upstreamRunCalls!) / Math.max(1, total((r) => r.run.responses + r.run.timeouts))
      : null,
    upstreamPerOpWindow: results.every((r) => r.window.upstreamCalls !== null) ? perOp(total((r) => r.window.upstreamCalls!)) : null,
    loadGeneratorCpuMsPerSecond: seconds === 0 ? 0 : total((r) => r.window.loadGeneratorCpuMs) / seconds,
    othersCpuShare: machine <= 0 ? null : total((r) => r.window.othersCpuMs) / machine,
    peakRssBytes: Math.max(0, ...results.map((r) => r.peakRssBytes)),
    failures: total((r) => r.run.failures),
    statusCodes,
    errors: total((r) => r.run.errors),
    timeouts: total((r) => r.run.timeouts),
    badBody: total((r) => r.run.badBody),
    failureSamples: results.flatMap((r) => r.failureSamples).slice(0, 3),
  };
}

/** A run as it is kept in the JSON results: without its thousands of latencies. */
export function withoutLatencies(result: LoadResult): Omit<LoadResult, 'latencies'> {
  const { latencies: _latencies, ...rest } = result;
  return rest;
}
