// The matrix as markdown: one table per upstream latency, the rows of each (connections, scenario) together, then the
// targets the run has cells for.
import type { MatrixOptions, MatrixResult } from './matrix.js';
import { ROW_NAMES, ROWS } from './scenarios.js';
import { BUSY_SHARE, isBusy, targetsReport } from './targets.js';

export const fixed = (value: number | null | undefined, digits: number) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));
const signed = (value: number | null, digits: number) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`);
export const mib = (bytes: number) => bytes / 2 ** 20;

type ReportOptions = Pick<MatrixOptions, 'latencies' | 'connections' | 'scenarios' | 'rows' | 'warmupSeconds' | 'seconds' | 'rounds'> & {
  readonly raisedLimits: Readonly<Record<string, string>>;
};

export function matrixReport(result: MatrixResult, options: ReportOptions, started: Date, header: string): string {
  const out: string[] = [];
  out.push(`### Benchmark ${started.toISOString()}`, '');
  out.push(header, '');
  out.push(
    `Each cell: ${options.rounds} round(s) per row of ${options.warmupSeconds} s of load then a ${+(options.seconds / options.rounds).toFixed(2)} s measured window (req/s, latencies, CPU and upstream calls all over the windows; connections already open), ${options.seconds} s measured in all. ` +
      `The rows of a cell run in turn against the same simulator, in an order rotated from cell to cell and reversed every other round. The product runs as \`node dist/main.js\` with NODE_ENV=production, its default log level (info: one line per operation, to a file), ` +
      `PLEX_API_URL at the simulator and PLEX_CLIENT_IDENTIFIER set; raised for the load generator: ${Object.entries(options.raisedLimits).map(([k, v]) => `${k}=${v}`).join(', ')}; every other setting is its default.`,
    '',
  );
  out.push(
    'Columns: **req/s** correct answers per second; **× direct** req/s over the direct row\'s; **p50/p99** latency in ms of the responses in the window; **+p50/+p99** those minus the direct row\'s (the latency the row adds); ' +
      '**CPU ms/op** user+system CPU of the server process (/proc/<pid>/stat) per response in the window (for the direct row: the simulator\'s); **peak RSS** the server\'s VmHWM over the runs (reset before each); ' +
      '**upstream/op** plex.tv calls the simulator counted over the whole runs (warm-up, window, and a drain in which every request in flight is answered) per request answered or timed out: exact; **errors** non-2xx, socket errors and timeouts, and 2xx bodies with `"errors"` or without the expected account, over the whole run; ' +
      "**others' CPU** the share of the machine's CPU time (all cores) that processes other than the server, the simulator and the load generator used during the window: " +
      `above ${Math.round(BUSY_SHARE * 100)} % the row is marked (busy): it was measured on a busy machine, and no target is judged from it.`,
    '',
  );
  for (const latencyMs of options.latencies) {
    out.push(`#### Upstream latency ${latencyMs} ms`, '');
    out.push('| conns | scenario | row | req/s | × direct | p50 ms | p99 ms | +p50 ms | +p99 ms | CPU ms/op | peak RSS MiB | upstream/op | errors | others\' CPU |');
    out.push('|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const connections of options.connections) {
      for (const scenario of options.scenarios) {
        const cells = result.cells.filter((c) => c.latencyMs === latencyMs && c.connections === connections && c.scenario === scenario);
        const direct = cells.find((c) => c.row === 'direct')?.summary;
        for (const row of ROWS) {
          const cell = cells.find((c) => c.row === row);
          if (cell === undefined) continue;
          const w = cell.summary;
          const added = (value: number | null, base: number | null | undefined) => (row === 'direct' || value === null || base === null || base === undefined ? null : value - base);
          out.push(
            `| ${connections} | ${scenario} | ${ROW_NAMES[row]} | ${Math.round(w.reqPerSec)} | ${row === 'direct' ? '1' : direct ? fixed(w.reqPerSec / direct.reqPerSec, 2) : '—'} | ${fixed(w.latencyMs.p50, 1)} | ${fixed(w.latencyMs.p99, 1)} | ${signed(added(w.latencyMs.p50, direct?.latencyMs.p50), 1)} | ${signed(added(w.latencyMs.p99, direct?.latencyMs.p99), 1)} | ${fixed(w.serverCpuMsPerOp, 3)} | ${mib(w.peakRssBytes).toFixed(0)} | ${row === 'direct' ? '—' : fixed(w.upstreamPerOp, 2)} | ${w.failures} | ${w.othersCpuShare === null ? '—' : `${Math.round(w.othersCpuShare * 100)} %${isBusy(w) ? ' (busy)' : ''}`} |`,
          );
        }
      }
    }
    out.push('');
  }
  out.push(...targetsReport(result.cells, options.scenarios));
  const failures = result.cells.filter((c) => c.summary.failures > 0);
  if (failures.length > 0) {
    out.push('Errors:', '');
    for (const c of failures) {
      const s = c.summary;
      out.push(
        `- ${c.latencyMs} ms, ${c.connections} connections, ${c.scenario}, ${ROW_NAMES[c.row]}: ${s.failures} (status codes ${JSON.stringify(s.statusCodes)}, ${s.badBody} wrong bodies, ${s.errors} socket errors of which ${s.timeouts} timeouts)${s.failureSamples.length ? `; e.g. \`${s.failureSamples[0]}\`` : ''}`,
      );
    }
    out.push('');
  }
  out.push(`Product log lines at warn or above: ${result.productWarnings.count}${result.productWarnings.last.length ? ` (last: \`${result.productWarnings.last.at(-1)}\`)` : ''}.`, '');
  return `${out.join('\n')}\n`;
}
