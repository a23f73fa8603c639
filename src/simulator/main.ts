// Standalone plex.tv simulator: `tsx src/simulator/main.ts` (PORT env, default 0).
// Prints {"simulator":"<url>"} on one line once listening. SIMULATOR_LOG=1 logs requests to stderr.
// SIMULATOR_DELAY_MS=<ms> delays every plex.tv answer by that long (plex.tv's latency as a client far from it sees it).
import { createPlexSimulator } from './server.js';

const port = Number(process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`simulator: invalid PORT ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(1);
}

const delayMs = Number(process.env.SIMULATOR_DELAY_MS ?? 0);
if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) {
  process.stderr.write(`simulator: invalid SIMULATOR_DELAY_MS ${JSON.stringify(process.env.SIMULATOR_DELAY_MS)} (0–60000)\n`);
  process.exit(1);
}

const simulator = createPlexSimulator({
  // Long-running (benchmark) use: keep counters only, not every request.
  record: false,
  log: process.env.SIMULATOR_LOG === '1' ? (msg) => process.stderr.write(`${msg}\n`) : undefined,
});

// Every plex.tv route, every time; the simulator's own pages (/simulator/…) answer at once.
if (delayMs > 0) simulator.setFault('*', { kind: 'delay', ms: delayMs });

const url = await simulator.listen(port, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ simulator: url })}\n`);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  void simulator.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
