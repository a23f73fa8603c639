// Preloaded (`node --import ./bench/probe.mjs`) into the processes the benchmark measures. Over the IPC channel the
// runner opens, it answers `{ probe: id, gc? }` with the process's own CPU time and memory (a ProbeSample, see
// probe.ts), so no product code needs a benchmark endpoint. Without an IPC channel it does nothing. Plain JavaScript
// so that the facade runs as `npm start` runs it, without a TypeScript loader (and its extra thread) in the process.

if (process.send !== undefined) {
  process.on('message', (message) => {
    if (typeof message !== 'object' || message === null || typeof message.probe !== 'number') return;
    // Collect garbage first (needs --expose-gc), to compare live memory rather than allocation timing.
    if (message.gc) globalThis.gc?.();
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    process.send?.({
      probe: message.probe,
      cpuMicros: cpu.user + cpu.system,
      rss: memory.rss,
      maxRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: memory.heapUsed,
      at: Date.now(),
    });
  });
  // The IPC channel must not keep a process alive that would otherwise exit.
  process.channel?.unref();
}
