// The load generator: one autocannon run in a process of its own (so the measured servers' CPU is theirs alone and the
// runner stays idle), started by bench/run.ts over IPC. A run is a warm-up followed by a measured window; at the
// window's edges it reads, at the same moment, its own response count, the measured server's CPU time (/proc) and the
// simulator's request counters, so that req/s, CPU per operation and upstream calls per operation all cover exactly
// the same interval, with the connections already open and no request cut off. Latencies are those of the responses
// that arrived in the window. Plain JavaScript: no loader thread in the load generator.
//
// Over IPC: `{ id, cmd: 'run', args: LoadConfig }` answered by `{ id, ok, result: LoadResult }` (bench/types.ts).
import autocannon from 'autocannon';
import { cpuMs, machineCpuMs, memory, resetPeak } from './proc.mjs';

const FAILURE_SAMPLES = 3;

async function simulatorCalls(simulatorUrl) {
  const response = await fetch(`${simulatorUrl}/simulator/stats`);
  if (!response.ok) throw new Error(`GET /simulator/stats answered ${response.status}`);
  const stats = await response.json();
  return Object.values(stats.routes).reduce((sum, count) => sum + count, 0);
}

function redact(body) {
  return String(body)
    .replace(/("(?:authToken|token|secret)"\s*:\s*")[^"]*"/g, '$1…"')
    .slice(0, 300);
}

async function run(config) {
  const { serverPid, simulatorPid } = config;
  const counts = { responses: 0, ok: 0, non2xx: 0, badBody: 0, errors: 0 };
  let inWindow = false;
  const windowCounts = { responses: 0, ok: 0, non2xx: 0, badBody: 0, errors: 0 };
  const latencies = [];
  const failureSamples = [];
  const statusCodes = {};
  let lastStatus = 0;

  // Opens the connection the window's stats requests reuse, and keeps it open (one request a second).
  let keepWarm;
  let upstreamBefore = null;
  if (config.simulatorUrl) {
    upstreamBefore = await simulatorCalls(config.simulatorUrl);
    keepWarm = setInterval(() => simulatorCalls(config.simulatorUrl).catch(() => {}), 1000);
  }
  const peakResettable = resetPeak(serverPid);
  let sampledPeak = memory(serverPid).rss;
  const rssSeries = [];
  const startedAt = performance.now();
  const sampler = setInterval(() => {
    try {
      const { rss } = memory(serverPid);
      sampledPeak = Math.max(sampledPeak, rss);
      if (config.keepRssSeries) rssSeries.push({ t: Math.round(performance.now() - startedAt) / 1000, rss });
    } catch {
      // the process is gone; the runner reports it
    }
  }, config.rssSampleMs ?? 250);

  const expectAll = config.expect.contains;
  const verifyBody = (body) => {
    // Runs right after the 'response' event of the same response (autocannon calls both synchronously).
    if (lastStatus < 200 || lastStatus >= 300) return true;
    let good = !body.includes('"errors"');
    for (let i = 0; good && i < expectAll.length; i++) good = body.includes(expectAll[i]);
    if (!good) {
      counts.badBody++;
      if (inWindow) windowCounts.badBody++;
      if (failureSamples.length < FAILURE_SAMPLES) failureSamples.push(redact(body));
    } else {
      counts.ok++;
      if (inWindow) windowCounts.ok++;
    }
    return true;
  };

  const clients = [];
  const instance = autocannon({
    url: config.origin,
    requests: config.requests,
    connections: config.connections,
    // The run ends by draining (below); the duration is only its upper bound.
    duration: config.warmupSeconds + config.seconds + config.timeoutSeconds + 5,
    timeout: config.timeoutSeconds,
    verifyBody,
    setupClient: (client) => clients.push(client),
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    lastStatus = status;
    counts.responses++;
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    const bad = status < 200 || status >= 300;
    if (bad) counts.non2xx++;
    if (inWindow) {
      windowCounts.responses++;
      if (bad) windowCounts.non2xx++;
      latencies.push(Math.round(ms * 100) / 100);
    }
  });
  instance.on('reqError', (error) => {
    counts.errors++;
    if (inWindow) windowCounts.errors++;
    if (failureSamples.length < FAILURE_SAMPLES) failureSamples.push(`socket: ${error?.message ?? error}`);
  });

  // The counters are read on both sides of the simulator's answer and averaged, so that the time its stats request
  // takes does not skew calls per operation (a window's edges see a few hundred responses a second go by).
  const snapshot = async () => {
    const before = { at: performance.now(), responses: counts.responses, ok: counts.ok, serverCpu: cpuMs(serverPid) };
    const simulatorCpu = simulatorPid === undefined ? null : cpuMs(simulatorPid);
    const upstream = config.simulatorUrl ? await simulatorCalls(config.simulatorUrl) : null;
    const after = { at: performance.now(), responses: counts.responses, ok: counts.ok, serverCpu: cpuMs(serverPid) };
    const mid = (key) => (before[key] + after[key]) / 2;
    const ownCpu = process.cpuUsage();
    return {
      at: mid('at'),
      // The monotonic clock in µs, as V8's CPU profiles time their samples (bench/profile.ts keeps the window's).
      monotonicUs: Number(process.hrtime.bigint() / 1000n),
      responses: mid('responses'),
      ok: mid('ok'),
      serverCpu: mid('serverCpu'),
      simulatorCpu,
      upstream,
      machine: machineCpuMs(),
      loadCpu: (ownCpu.user + ownCpu.system) / 1000,
    };
  };
  const sleepUntil = (seconds) => new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + seconds * 1000 - performance.now())));

  const windowDone = (async () => {
    await sleepUntil(config.warmupSeconds);
    inWindow = true;
    const start = await snapshot();
    await sleepUntil(config.warmupSeconds + config.seconds);
    const end = await snapshot();
    inWindow = false;
    // Drain: each connection sends nothing more and closes once its request in flight is answered, so that no request
    // is cut off: every request sent is answered (or times out), and the plex.tv calls of the whole run can be
    // compared with its requests exactly. autocannon ends at its next one-second tick after the last one.
    for (const client of clients) client.responseMax = Math.max(1, client.reqsMade);
    return { start, end };
  })();

  const result = await instance;
  const { start, end } = await windowDone;
  clearInterval(sampler);
  clearInterval(keepWarm);
  const { peak } = memory(serverPid);
  const seconds = (end.at - start.at) / 1000;
  const responses = Math.round(end.responses - start.responses);
  const ok = Math.round(end.ok - start.ok);
  const ours =
    end.serverCpu - start.serverCpu + (simulatorPid === undefined || simulatorPid === serverPid ? 0 : end.simulatorCpu - start.simulatorCpu) + (end.loadCpu - start.loadCpu);
  return {
    // Totals over the window, so that windows of several rounds add up (bench/summary.ts derives the rates).
    window: {
      seconds,
      responses,
      ok,
      failures: windowCounts.non2xx + windowCounts.badBody + windowCounts.errors,
      serverCpuMs: end.serverCpu - start.serverCpu,
      simulatorCpuMs: start.simulatorCpu === null ? null : end.simulatorCpu - start.simulatorCpu,
      upstreamCalls: start.upstream === null ? null : end.upstream - start.upstream,
      loadGeneratorCpuMs: end.loadCpu - start.loadCpu,
      // The machine's CPU time over the window (all cores), and what of it processes other than the server, the
      // simulator and this load generator used: other work competing for the cores.
      machineCpuMs: end.machine.total - start.machine.total,
      othersCpuMs: Math.max(0, end.machine.busy - start.machine.busy - ours),
      monotonicUs: [start.monotonicUs, end.monotonicUs],
    },
    latencies,
    // The simulator's count before the run; the runner reads it again once the server has settled.
    upstreamBefore,
    run: {
      seconds: result.duration,
      sent: result.requests.sent,
      responses: counts.responses,
      ok: counts.ok,
      non2xx: counts.non2xx,
      badBody: counts.badBody,
      errors: counts.errors,
      timeouts: result.timeouts,
      statusCodes,
      failures: counts.non2xx + counts.badBody + counts.errors,
    },
    // VmHWM since the run started (reset through clear_refs), or the highest VmRSS sampled every 250 ms.
    peakRssBytes: peakResettable ? Math.max(peak, sampledPeak) : sampledPeak,
    peakRssSource: peakResettable ? 'VmHWM' : 'sampled VmRSS',
    rssSeries,
    failureSamples,
  };
}

process.on('message', ({ id, cmd, args }) => {
  if (cmd !== 'run') {
    process.send({ id, ok: false, error: `unknown command ${cmd}` });
    return;
  }
  run(args).then(
    (result) => process.send({ id, ok: true, result }),
    (error) => process.send({ id, ok: false, error: String(error?.stack ?? error) }),
  );
});
process.once('SIGTERM', () => process.exit(0));
