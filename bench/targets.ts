// The product's performance targets, judged from the cells of one run: against the Apollo Server facade and the bare
// Yoga floor measured beside it. A comparison is judged only when every row it uses was measured with others' CPU at
// most BUSY_SHARE of the machine: on a busy machine every row is slower, by amounts that differ from row to row.
import type { Cell } from './matrix.js';
import type { RowKind, ScenarioName } from './scenarios.js';
import type { Summary } from './types.js';

/** Above this share of the machine's CPU used by other processes, a cell is marked busy and not judged. */
export const BUSY_SHARE = 0.1;

export const isBusy = (summary: Summary) => summary.othersCpuShare !== null && summary.othersCpuShare > BUSY_SHARE;

interface Target {
  readonly latencyMs: number;
  readonly connections: number;
  readonly what: string;
  /** The rows the comparison reads (direct for added latencies). */
  readonly rows: readonly RowKind[];
  /** The product's figure, the bound, and whether it holds. */
  readonly judge: (row: (kind: RowKind) => Summary) => { measured: number; bound: number; unit: string; holds: boolean };
}

const addedP50 = (row: (kind: RowKind) => Summary, kind: RowKind) => row(kind).latencyMs.p50! - row('direct').latencyMs.p50!;
const addedP99 = (row: (kind: RowKind) => Summary, kind: RowKind) => row(kind).latencyMs.p99! - row('direct').latencyMs.p99!;
const atMost = (measured: number, bound: number, unit: string) => ({ measured, bound, unit, holds: measured <= bound });
const atLeast = (measured: number, bound: number, unit: string) => ({ measured, bound, unit, holds: measured >= bound });

export const TARGETS: readonly Target[] = [
  { latencyMs: 0, connections: 20, what: 'req/s ≥ 1.0 × Apollo', rows: ['apollo', 'product'], judge: (r) => atLeast(r('product').reqPerSec / r('apollo').reqPerSec, 1, '× Apollo') },
  {
    latencyMs: 0,
    connections: 20,
    what: 'CPU ms/op ≤ 1.5 × bare Yoga',
    rows: ['yoga', 'product'],
    judge: (r) => atMost(r('product').serverCpuMsPerOp! / r('yoga').serverCpuMsPerOp!, 1.5, '× Yoga'),
  },
  { latencyMs: 150, connections: 300, what: 'req/s ≥ 0.95 × bare Yoga', rows: ['yoga', 'product'], judge: (r) => atLeast(r('product').reqPerSec / r('yoga').reqPerSec, 0.95, '× Yoga') },
  { latencyMs: 150, connections: 300, what: 'req/s ≥ 0.9 × Apollo', rows: ['apollo', 'product'], judge: (r) => atLeast(r('product').reqPerSec / r('apollo').reqPerSec, 0.9, '× Apollo') },
  {
    latencyMs: 150,
    connections: 300,
    what: '+p50 ≤ bare Yoga +p50 + 5 ms',
    rows: ['direct', 'yoga', 'product'],
    judge: (r) => atMost(addedP50(r, 'product'), addedP50(r, 'yoga') + 5, 'ms'),
  },
  { latencyMs: 150, connections: 20, what: '+p50 ≤ 2 ms', rows: ['direct', 'product'], judge: (r) => atMost(addedP50(r, 'product'), 2, 'ms') },
  { latencyMs: 150, connections: 20, what: '+p99 ≤ 10 ms', rows: ['direct', 'product'], judge: (r) => atMost(addedP99(r, 'product'), 10, 'ms') },
  { latencyMs: 150, connections: 1000, what: '0 errors', rows: ['product'], judge: (r) => atMost(r('product').failures, 0, 'errors') },
  {
    latencyMs: 150,
    connections: 1000,
    what: 'peak RSS ≤ 1.1 × bare Yoga',
    rows: ['yoga', 'product'],
    judge: (r) => atMost(r('product').peakRssBytes / r('yoga').peakRssBytes, 1.1, '× Yoga'),
  },
];

const pct = (share: number | null) => (share === null ? '—' : `${Math.round(share * 100)} %`);
const figure = (value: number, unit: string) => `${unit === 'ms' ? value.toFixed(1) : unit === 'errors' ? value.toFixed(0) : value.toFixed(2)} ${unit}`;

/** The targets this run has cells for, as markdown lines (empty when it has none). */
export function targetsReport(cells: readonly Cell[], scenarios: readonly ScenarioName[]): string[] {
  const lines: string[] = [];
  for (const target of TARGETS) {
    for (const scenario of scenarios) {
      const found = new Map<RowKind, Summary>();
      for (const cell of cells) {
        if (cell.latencyMs === target.latencyMs && cell.connections === target.connections && cell.scenario === scenario) found.set(cell.row, cell.summary);
      }
      if (!target.rows.every((row) => found.has(row))) continue;
      const busiest = Math.max(...target.rows.map((row) => found.get(row)!.othersCpuShare ?? 0));
      const result = target.judge((row) => found.get(row)!);
      if (!Number.isFinite(result.measured)) continue;
      const verdict = target.rows.some((row) => isBusy(found.get(row)!)) ? `not judged: others' CPU ${pct(busiest)} > ${pct(BUSY_SHARE)}` : result.holds ? 'holds' : '**missed**';
      lines.push(`| ${target.latencyMs} ms × ${target.connections} | ${scenario} | ${target.what} | ${figure(result.measured, result.unit)} | ${verdict} | ${pct(busiest)} |`);
    }
  }
  if (lines.length === 0) return [];
  return [
    `Targets (judged only where every row compared ran with others' CPU ≤ ${pct(BUSY_SHARE)}):`,
    '',
    "| cell | scenario | target | product | verdict | others' CPU (highest of the rows) |",
    '|---|---|---|--:|---|--:|',
    ...lines,
    '',
  ];
}
