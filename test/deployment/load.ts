// Steady load for the rolling restart: a fixed number of keep-alive connections, each from a loopback address of its
// own, each sending one request after the other. Bounded in count and in time; every answer is checked.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';

export interface LoadOptions {
  /** Where to send (nginx). */
  readonly origin: string;
  readonly connections: number;
  /** Connection i comes from `addressOf(i)`. */
  readonly addressOf: (connection: number) => string;
  /** Stops after this many requests in all… */
  readonly maxRequests: number;
  /** …or after this long, whichever comes first. */
  readonly maxDurationMs: number;
  /** Each connection sends at most one request per this many ms (a frontend polling once a second). */
  readonly intervalMs: number;
  readonly path: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** True when the answer is the expected one. */
  readonly accept: (status: number, body: string) => boolean;
}

export interface LoadFailure {
  /** Epoch milliseconds when the request was sent. */
  readonly at: number;
  readonly connection: number;
  readonly status: number | null;
  readonly detail: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly succeeded: number;
  readonly failures: LoadFailure[];
  readonly durationMs: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Requests answered per second, second by second from the start. */
  readonly perSecond: number[];
}

export interface RunningLoad {
  /** Ends the run early (the requests in flight are still awaited and counted). */
  stop(): void;
  readonly done: Promise<LoadResult>;
  /** Requests answered so far. */
  answered(): number;
}

export function startLoad(options: LoadOptions): RunningLoad {
  const started = Date.now();
  const deadline = started + options.maxDurationMs;
  let sent = 0;
  let answered = 0;
  let succeeded = 0;
  let stopped = false;
  const failures: LoadFailure[] = [];
  const latencies: number[] = [];
  const perSecond: number[] = [];

  async function worker(connection: number): Promise<void> {
    const client = new Client(options.origin, {
      localAddress: options.addressOf(connection),
      pipelining: 1,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    try {
      while (!stopped && sent < options.maxRequests && Date.now() < deadline) {
        sent += 1;
        const at = Date.now();
        let status: number | null = null;
        try {
          const response = await client.request({ path: options.path, method: 'POST', headers: options.headers, body: options.body });
          status = response.statusCode;
          const body = await response.body.text();
          if (options.accept(status, body)) succeeded += 1;
          else failures.push({ at, connection, status, detail: body.slice(0, 300) });
        } catch (error) {
          failures.push({ at, connection, status, detail: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300) });
        }
        const end = Date.now();
        answered += 1;
        latencies.push(end - at);
        const second = Math.floor((end - started) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
        if (end - at < options.intervalMs) await sleep(options.intervalMs - (end - at));
      }
    } finally {
      await client.close().catch(() => {});
    }
  }

  const done = Promise.all(Array.from({ length: options.connections }, (_, index) => worker(index))).then((): LoadResult => {
    const durationMs = Date.now() - started;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      requests: answered,
      succeeded,
      failures,
      durationMs,
      requestsPerSecond: Math.round((answered / durationMs) * 1000),
      latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 },
      perSecond: Array.from(perSecond, (count) => count ?? 0),
    };
  });
  return {
    stop: () => {
      stopped = true;
    },
    done,
    answered: () => answered,
  };
}
