// What the runner and the load generator (bench/load.mjs) exchange.

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface LoadConfig {
  /** http://127.0.0.1:port of the server under load. */
  readonly origin: string;
  /** Sent in turn on every connection (one request for a scenario; several for the soak's mix). */
  readonly requests: readonly LoadRequest[];
  readonly connections: number;
  /** Load before the measured window (connections opened, JIT warm). */
  readonly warmupSeconds: number;
  /** The measured window. */
  readonly seconds: number;
  readonly timeoutSeconds: number;
  /** A 2xx body is right when it holds every one of these strings and no `"errors"`. */
  readonly expect: { readonly contains: readonly string[] };
  /** The measured server (CPU, RSS). */
  readonly serverPid: number;
  readonly simulatorPid?: number;
  /** Upstream calls are counted when set. */
  readonly simulatorUrl?: string;
  readonly rssSampleMs?: number;
  readonly keepRssSeries?: boolean;
}

export interface Latency {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

export interface LoadResult {
  /** Totals over the measured window. */
  readonly window: {
    readonly seconds: number;
    readonly responses: number;
    readonly ok: number;
    readonly failures: number;
    readonly serverCpuMs: number;
    readonly simulatorCpuMs: number | null;
    readonly upstreamCalls: number | null;
    readonly loadGeneratorCpuMs: number;
    /** The machine's CPU time over the window, all cores. */
    readonly machineCpuMs: number;
    /** Of it, what processes other than the server, the simulator and the load generator used. */
    readonly othersCpuMs: number;
    /** The window's start and end on the machine's monotonic clock, µs. */
    readonly monotonicUs: readonly [number, number];
  };
  /** Latency of each response that arrived in the window, ms. */
  readonly latencies: readonly number[];
  /** The simulator's plex.tv calls before the run (null when they are not counted). */
  readonly upstreamBefore: number | null;
  /** plex.tv calls of the whole run, drained and settled (set by the runner). */
  upstreamRunCalls?: number;
  /** The whole run, warm-up included. */
  readonly run: {
    readonly seconds: number;
    readonly sent: number;
    readonly responses: number;
    readonly ok: number;
    readonly non2xx: number;
    readonly badBody: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly statusCodes: Record<string, number>;
    readonly failures: number;
  };
  readonly peakRssBytes: number;
  readonly peakRssSource: string;
  readonly rssSeries: readonly { readonly t: number; readonly rss: number }[];
  readonly failureSamples: readonly string[];
}

/** One or more runs of the same row folded together (bench/summary.ts). */
export interface Summary {
  readonly rounds: number;
  readonly seconds: number;
  readonly responses: number;
  readonly ok: number;
  readonly reqPerSec: number;
  readonly latencyMs: Latency;
  readonly serverCpuMsPerOp: number | null;
  readonly serverCpuMsPerSecond: number;
  readonly simulatorCpuMsPerOp: number | null;
  /** plex.tv calls per request over the whole runs, drained: exact. */
  readonly upstreamPerOp: number | null;
  /** The same over the measured windows only (in-flight requests at their edges make it approximate). */
  readonly upstreamPerOpWindow: number | null;
  readonly loadGeneratorCpuMsPerSecond: number;
  /** Share of the machine's CPU time used by other processes during the windows. */
  readonly othersCpuShare: number | null;
  readonly peakRssBytes: number;
  /** Failures over the whole runs, warm-ups included. */
  readonly failures: number;
  readonly statusCodes: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  readonly badBody: number;
  readonly failureSamples: readonly string[];
}
