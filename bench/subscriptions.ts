// Subscriptions: N concurrent `signInPin` subscribers over SSE (several per PIN, many PINs) held open against the
// product, then every PIN approved at the simulator. Reported: memory per subscription (RSS and live heap after GC,
// with the subscribers against without), the plex.tv polls per second the simulator sees against one per PIN per
// its poll interval, the product's largest event-loop delay (its own Prometheus gauge), and whether every
// subscriber got its SignInSuccess.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LIMITS } from '../src/config.js';
import { RAISED_LIMITS } from './matrix.js';
import { BENCH_METRICS_TOKEN, collectGarbage, log, settle, simulatorStats, startChild, startServer, startSimulator, warnings, type Server, type Simulator } from './processes.js';
import { cpuMs, machineCpuMs, memory } from './proc.mjs';
import { fixed, mib } from './report.js';
import { DOCUMENTS } from './scenarios.js';

/** The product's fixed poll interval: the expected poll rate. */
const POLL_INTERVAL_MS = LIMITS.pins.pollIntervalMs;

export interface SubscriptionOptions {
  readonly count: number;
  readonly perPin: number;
  readonly holdSeconds: number;
  readonly latencyMs: number;
}

interface Counts {
  readonly subscribers: number;
  readonly pending: number;
  readonly success: number;
  readonly completed: number;
  readonly failed: number;
  readonly samples: string[];
}

export interface SubscriptionResult {
  readonly options: SubscriptionOptions;
  readonly pins: number;
  readonly subscribers: number;
  readonly env: Record<string, string>;
  readonly rampMs: number;
  readonly opened: Counts;
  readonly baseline: { rss: number; heapUsed: number };
  readonly held: { rss: number; heapUsed: number };
  readonly released: { rss: number; heapUsed: number };
  readonly peakRss: number;
  readonly polls: { perSecond: number; expectedPerInterval: number; expectedWithLatency: number; seconds: number };
  readonly cpuMsPerSecondHeld: number;
  readonly othersCpuShareHeld: number;
  readonly eventLoopMaxMs: { ramp: number | null; held: number | null; approval: number | null };
  readonly approval: Counts & { ms: number; allDone: boolean; userCallsPerPin: number };
  readonly failures: number;
  readonly productWarnings: { count: number; last: string[] };
}

/** The product's nodejs_eventloop_lag_max_seconds, in ms; prom-client resets that histogram on every scrape. */
async function eventLoopMaxMs(product: Server): Promise<number | null> {
  const response = await fetch(`${product.url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  if (!response.ok) return null;
  const match = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(await response.text());
  return match ? Number(match[1]) * 1000 : null;
}

async function graphql<T>(product: Server, body: unknown): Promise<T> {
  const response = await fetch(`${product.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: T; errors?: unknown };
  if (response.status !== 200 || json.errors || json.data === undefined) throw new Error(`POST /graphql answered ${response.status}: ${JSON.stringify(json).slice(0, 400)}`);
  return json.data;
}

async function createPins(product: Server, count: number): Promise<{ id: string; code: string }[]> {
  const pins: { id: string; code: string }[] = [];
  const next = async () => {
    while (pins.length < count) {
      pins.push({ id: '', code: '' });
      const slot = pins.length - 1;
      const data = await graphql<{ createSignInPin: { id: string; code: string } }>(product, DOCUMENTS.createPin);
      pins[slot] = { id: data.createSignInPin.id, code: data.createSignInPin.code };
    }
  };
  await Promise.all(Array.from({ length: Math.min(10, count) }, next));
  return pins;
}

async function approve(simulator: Simulator, pins: readonly { id: string }[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < pins.length) {
      const pin = pins[next++]!;
      const response = await fetch(`${simulator.url}/simulator/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ pin: pin.id }).toString(),
      });
      await response.text();
      if (response.status !== 200) throw new Error(`approving PIN ${pin.id} answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
}

export async function runSubscriptions(options: SubscriptionOptions, logDir: string): Promise<SubscriptionResult> {
  const pinCount = Math.ceil(options.count / options.perPin);
  const subscribers = pinCount * options.perPin;
  const env: Record<string, string> = { ...RAISED_LIMITS };
  log(`subscriptions: ${subscribers} subscribers, ${options.perPin} per PIN, ${pinCount} PINs, upstream latency ${options.latencyMs} ms, held ${options.holdSeconds} s`);

  const simulator = await startSimulator(options.latencyMs);
  const logFile = join(logDir, 'product-subscriptions.log');
  let product: Server | undefined;
  const clients = startChild('sse-clients', 'sse-clients.mjs');
  try {
    product = await startServer('product', { simulator, env, inspect: true, logFile });
    const p = product;
    const gc = async () => {
      const { heapUsed } = await collectGarbage(p.inspectorUrl!);
      return { rss: memory(p.proc.pid).rss, heapUsed };
    };
    const timeoutMs = 60_000;
    const open = (pins: { id: string; code: string }[], perPin: number) =>
      clients.call<Counts & { allPending: boolean; ms: number }>('open', { origin: p.url, document: DOCUMENTS.watchPin, pins, perPin, batch: 100, timeoutMs }, timeoutMs * 3);
    const waitDone = () => clients.call<Counts & { allDone: boolean; ms: number }>('waitDone', { timeoutMs }, timeoutMs + 10_000);

    // Warm-up: the whole path once for a few PINs (first use of the subscription code, pools, JIT).
    const warmPins = await createPins(p, 10);
    const warm = await open(warmPins, 2);
    await approve(simulator, warmPins);
    const warmDone = await waitDone();
    if (!warm.allPending || !warmDone.allDone || warmDone.failed > 0) throw new Error(`the subscription warm-up failed: ${JSON.stringify({ warm, warmDone })}`);
    await clients.call('closeAll', {}, 10_000);
    await settle(simulator);
    await sleep(1000);

    const pins = await createPins(p, pinCount);
    await settle(simulator);
    const baseline = await gc();
    log(`  baseline after GC: RSS ${mib(baseline.rss).toFixed(1)} MiB, heap ${mib(baseline.heapUsed).toFixed(1)} MiB`);

    await eventLoopMaxMs(p);
    const opened = await open(pins, options.perPin);
    log(`  ${opened.pending}/${subscribers} subscribers pending after ${(opened.ms / 1000).toFixed(1)} s, ${opened.failed} failed`);
    await sleep(2000);
    const rampLag = await eventLoopMaxMs(p);

    // Held: the product polls each PIN; nothing else happens.
    const heldStart = { at: performance.now(), pin: (await simulatorStats(simulator.url)).routes.pin, cpu: cpuMs(p.proc.pid), machine: machineCpuMs() };
    let heldLag: number | null = null;
    let peakRss = memory(p.proc.pid).rss;
    const holdEnd = Date.now() + options.holdSeconds * 1000;
    for (let second = 1; Date.now() < holdEnd && second <= options.holdSeconds + 5; second++) {
      await sleep(Math.min(1000, Math.max(0, holdEnd - Date.now())));
      peakRss = Math.max(peakRss, memory(p.proc.pid).rss);
      if (second % 5 === 0) {
        const lag = await eventLoopMaxMs(p);
        if (lag !== null) heldLag = Math.max(heldLag ?? 0, lag);
      }
    }
    const heldEnd = { at: performance.now(), pin: (await simulatorStats(simulator.url)).routes.pin, cpu: cpuMs(p.proc.pid), machine: machineCpuMs() };
    const lastLag = await eventLoopMaxMs(p);
    if (lastLag !== null) heldLag = Math.max(heldLag ?? 0, lastLag);
    const heldSeconds = (heldEnd.at - heldStart.at) / 1000;
    const held = await gc();
    log(`  held: ${((heldEnd.pin - heldStart.pin) / heldSeconds).toFixed(1)} polls/s; after GC RSS ${mib(held.rss).toFixed(1)} MiB, heap ${mib(held.heapUsed).toFixed(1)} MiB`);

    await eventLoopMaxMs(p);
    const beforeApproval = (await simulatorStats(simulator.url)).routes.user;
    await approve(simulator, pins);
    const done = await waitDone();
    const approvalLag = await eventLoopMaxMs(p);
    await settle(simulator);
    const userCalls = (await simulatorStats(simulator.url)).routes.user - beforeApproval;
    log(`  approved: ${done.completed}/${subscribers} got SignInSuccess and completed in ${(done.ms / 1000).toFixed(1)} s, ${done.failed} failed`);
    await clients.call('closeAll', {}, 10_000);
    await sleep(1000);
    const released = await gc();

    // Every subscriber must have stayed open, got SignInSuccess and seen its stream complete.
    const failures = subscribers - done.completed;
    return {
      options,
      pins: pinCount,
      subscribers,
      env,
      rampMs: opened.ms,
      opened,
      baseline,
      held,
      released,
      peakRss,
      polls: {
        perSecond: (heldEnd.pin - heldStart.pin) / heldSeconds,
        expectedPerInterval: pinCount / (POLL_INTERVAL_MS / 1000),
        expectedWithLatency: pinCount / ((POLL_INTERVAL_MS + options.latencyMs) / 1000),
        seconds: heldSeconds,
      },
      cpuMsPerSecondHeld: (heldEnd.cpu - heldStart.cpu) / heldSeconds,
      // Everything else on the machine while held (the SSE clients and the simulator included: both nearly idle then).
      othersCpuShareHeld: Math.max(0, (heldEnd.machine.busy - heldStart.machine.busy - (heldEnd.cpu - heldStart.cpu)) / Math.max(1, heldEnd.machine.total - heldStart.machine.total)),
      eventLoopMaxMs: { ramp: rampLag, held: heldLag, approval: approvalLag },
      approval: { ...done, userCallsPerPin: userCalls / pinCount },
      failures,
      productWarnings: await warnings(logFile),
    };
  } finally {
    await clients.stop();
    await product?.proc.stop();
    await simulator.proc.stop();
  }
}

export function subscriptionsReport(r: SubscriptionResult, started: Date, header: string): string {
  const perSub = (after: number, before: number) => `${((after - before) / r.subscribers / 1024).toFixed(1)} KiB`;
  const lines = [
    `### Subscriptions ${started.toISOString()}: ${r.subscribers} signInPin subscribers over SSE, ${r.options.perPin} per PIN, ${r.pins} PINs, upstream latency ${r.options.latencyMs} ms`,
    '',
    header,
    '',
    `The product as in the matrix, with ${Object.entries(r.env).map(([k, v]) => `${k}=${v}`).join(', ')}, started with \`--inspect=127.0.0.1:0\` to collect garbage from outside. ` +
      `PINs are created through \`createSignInPin\`; the subscribers (a separate process, one connection each) are opened 100 at a time, held ${r.options.holdSeconds} s, then every PIN is approved at the simulator.`,
    '',
    '| subscribers | PINs | all pending after | RSS after GC: without → with | per subscription (RSS) | live heap per subscription | RSS after GC once closed | plex.tv polls/s (1 per PIN per interval; with the latency) | product CPU while held | event-loop delay max: opening / held / approval | SignInSuccess delivered (time) | GET /user per PIN on approval | failures | others\' CPU while held |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    `| ${r.subscribers} | ${r.pins} | ${(r.rampMs / 1000).toFixed(1)} s | ${mib(r.baseline.rss).toFixed(1)} → ${mib(r.held.rss).toFixed(1)} MiB | ${perSub(r.held.rss, r.baseline.rss)} | ${perSub(r.held.heapUsed, r.baseline.heapUsed)} | ${mib(r.released.rss).toFixed(1)} MiB | ${r.polls.perSecond.toFixed(1)} (${r.polls.expectedPerInterval.toFixed(0)}; ${r.polls.expectedWithLatency.toFixed(1)}) | ${(r.cpuMsPerSecondHeld / 10).toFixed(1)} % of a core | ${fixed(r.eventLoopMaxMs.ramp, 0)} / ${fixed(r.eventLoopMaxMs.held, 0)} / ${fixed(r.eventLoopMaxMs.approval, 0)} ms | ${r.approval.completed}/${r.subscribers} (${(r.approval.ms / 1000).toFixed(1)} s) | ${r.approval.userCallsPerPin.toFixed(2)} | ${r.failures} | ${Math.round(r.othersCpuShareHeld * 100)} % |`,
    '',
    `Polls: each PIN is polled one poll interval after its previous answer, so the exact expectation is PINs / (interval + latency); "1 per PIN per interval" is the ceiling. ` +
      'Event-loop delay: the product\'s `nodejs_eventloop_lag_max_seconds` (prom-client, reset at each scrape) over each phase; it includes prom-client\'s 10 ms sampling interval, so an idle process shows 10–15 ms. ' +
      `Live heap: V8's used heap after GC. Peak RSS while held: ${mib(r.peakRss).toFixed(0)} MiB.`,
    '',
    `Product log lines at warn or above: ${r.productWarnings.count}${r.productWarnings.last.length ? ` (last: \`${r.productWarnings.last.at(-1)}\`)` : ''}.${r.approval.samples.length ? ` Failure samples: ${r.approval.samples.map((s) => `\`${s}\``).join(', ')}.` : ''}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
