// Preloaded (`node --import ./bench/probe.ts`) into the processes the benchmark measures. Over the IPC channel the
// runner opens, it answers `{ probe: id, gc? }` with the process's own CPU time and memory, so no product code
// needs a benchmark endpoint. Without an IPC channel it does nothing.

interface ProbeRequest {
  readonly probe: number;
  /** Collect garbage first (needs --expose-gc), to compare live memory rather than allocation timing. */
  readonly gc?: boolean;
}

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

function isProbeRequest(message: unknown): message is ProbeRequest {
  return typeof message === 'object' && message !== null && typeof (message as ProbeRequest).probe === 'number';
}

if (process.send !== undefined) {
  process.on('message', (message) => {
    if (!isProbeRequest(message)) return;
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const sample: ProbeSample = {
      probe: message.probe,
      cpuMicros: cpu.user + cpu.system,
      rss: memory.rss,
      maxRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: memory.heapUsed,
      at: Date.now(),
    };
    process.send?.(sample);
  });
  // The IPC channel must not keep a process alive that would otherwise exit.
  process.channel?.unref();
}
