// One bounded autocannon run against one scenario, with the facade's and the simulator's own CPU time, the facade's
// RSS and the simulator's per-route counters read around it.
import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiCalls, simulatorStats, type Facade, type Simulator } from './processes.js';
import type { Scenario, ScenarioId } from './scenarios.js';

export interface Measurement {
  readonly scenario: ScenarioId;
  readonly connections: number;
  readonly round: number;
  readonly seconds: number;
  /** Responses whose body was the right answer. */
  readonly ok: number;
  /** Responses with a wrong or error body, plus connection errors and timeouts. */
  readonly failures: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly sent: number;
  readonly reqPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** CPU time of the facade process per completed operation (null for the raw scenario). */
  readonly facadeCpuMsPerOp: number | null;
  readonly simulatorCpuMsPerOp: number;
  /** plex.tv API calls the simulator counted, per completed operation (null for the raw scenario). */
  readonly upstreamPerOp: number | null;
  readonly upstreamCalls: number;
  /** Highest facade RSS sampled during the run (null for the raw scenario). */
  readonly facadePeakRssBytes: number | null;
  readonly failureSamples: readonly string[];
}

export interface MeasureOptions {
  readonly scenario: Scenario;
  readonly connections: number;
  readonly seconds: number;
  readonly round: number;
  readonly simulator: Simulator;
  readonly facade: Facade;
  /** Called with each RSS sample (soak mode keeps them). */
  readonly onRss?: (rss: number) => void;
  readonly rssIntervalMs?: number;
}

function redact(body: string): string {
  return body.replace(/("(?:authToken|token|secret)"\s*:\s*")[^"]*"/g, '$1…"').slice(0, 400);
}

export async function measure(options: MeasureOptions): Promise<Measurement> {
  const { scenario, connections, seconds, simulator, facade } = options;
  const base = scenario.target === 'simulator' ? simulator.url : facade.url;
  let ok = 0;
  let bad = 0;
  const failureSamples: string[] = [];

  const statsBefore = await simulatorStats(simulator);
  const [facadeBefore, simBefore] = await Promise.all([facade.process.sample(), simulator.process.sample()]);
  let peakRss = facadeBefore.rss;
  const sampler = setInterval(() => {
    facade.process.sample().then(
      (sample) => {
        peakRss = Math.max(peakRss, sample.rss);
        options.onRss?.(sample.rss);
      },
      () => {},
    );
  }, options.rssIntervalMs ?? 250);

  // autocannon's histogram keeps whole milliseconds; the response events carry the exact time.
  const latencies: number[] = [];
  let result: autocannon.Result;
  try {
    const instance = autocannon({
      url: `${base}${scenario.path}`,
      method: scenario.method,
      headers: scenario.headers,
      body: scenario.body,
      connections,
      duration: seconds,
      timeout: 5,
      verifyBody: (body) => {
        if (scenario.verify(String(body))) {
          ok++;
          return true;
        }
        bad++;
        if (failureSamples.length < 3) failureSamples.push(redact(String(body)));
        return false;
      },
    });
    // Without a callback autocannon returns an instance that is also a promise of the result.
    const running = instance as unknown as autocannon.Instance & Promise<autocannon.Result>;
    running.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
    result = await running;
  } finally {
    clearInterval(sampler);
  }
  // Requests cut off when the run stopped may still be finishing their upstream call.
  await sleep(150);
  const [facadeAfter, simAfter] = await Promise.all([facade.process.sample(), simulator.process.sample()]);
  const statsAfter = await simulatorStats(simulator);

  const completed = ok + bad;
  const perOp = (value: number) => (completed === 0 ? 0 : value / completed);
  const raw = scenario.target === 'simulator';
  const upstreamCalls = apiCalls(statsAfter) - apiCalls(statsBefore);
  const duration = result.duration > 0 ? result.duration : seconds;
  return {
    scenario: scenario.id,
    connections,
    round: options.round,
    seconds: duration,
    ok,
    failures: bad + result.errors,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    sent: result.requests.sent,
    reqPerSec: ok / duration,
    latencyMs: percentiles(latencies),
    facadeCpuMsPerOp: raw ? null : perOp((facadeAfter.cpuMicros - facadeBefore.cpuMicros) / 1000),
    simulatorCpuMsPerOp: perOp((simAfter.cpuMicros - simBefore.cpuMicros) / 1000),
    // Upstream calls are made once per request the facade received; requests cut off at the end of the run were
    // received but never answered, so `sent` is the denominator.
    upstreamPerOp: raw ? null : result.requests.sent === 0 ? 0 : upstreamCalls / result.requests.sent,
    upstreamCalls,
    facadePeakRssBytes: raw ? null : Math.max(peakRss, facadeAfter.rss),
    failureSamples,
  };
}

function percentiles(values: number[]): Measurement['latencyMs'] {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}
