// What bench/probe.mjs (preloaded into the measured processes) answers over IPC.

export interface ProbeSample {
  readonly probe: number;
  /** User + system CPU time since the process started, in microseconds. */
  readonly cpuMicros: number;
  readonly rss: number;
  /** Peak resident set size of the process so far (getrusage), in bytes. */
  readonly maxRss: number;
  readonly heapUsed: number;
  readonly at: number;
}
