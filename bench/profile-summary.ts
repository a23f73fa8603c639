// Reads a V8 .cpuprofile and lists where the time went: by function (self time) and by package.
// `npx tsx bench/profile-summary.ts <file.cpuprofile>`
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function origin(url: string): string {
  if (url === '') return '(native/V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node core';
  const src = /\/(src\/.*|bench\/.*)$/.exec(url);
  return src ? src[1]! : url;
}

/** `lastSeconds`: only the samples of the profile's last seconds (the measured load, without start-up and warm-up). */
export function summariseProfile(path: string, top = 25, lastSeconds?: number): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  let first = 0;
  if (lastSeconds !== undefined) {
    const total = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
    for (let elapsed = 0; first < profile.timeDeltas.length && elapsed < total - lastSeconds * 1e6; first++) elapsed += profile.timeDeltas[first]!;
  }
  for (let i = first; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let busy = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    busy += micros;
    const name = frame.functionName || '(anonymous)';
    const where = frame.url === '' ? '' : ` ${origin(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(`${name}${where}`, (byFunction.get(`${name}${where}`) ?? 0) + micros);
    const group = frame.url === '' ? name.startsWith('(') ? name : '(native/V8)' : origin(frame.url);
    byOrigin.set(group, (byOrigin.get(group) ?? 0) + micros);
  }
  // Total (inclusive) time: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.url === '' || frame.functionName === '' || frame.functionName === '(root)') continue;
      const key = `${frame.functionName} ${origin(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  const pct = (micros: number) => `${((micros / busy) * 100).toFixed(1)}%`;
  const window = lastSeconds === undefined ? '' : ` (last ${lastSeconds} s)`;
  const lines = [`CPU profile ${path}${window}`, `busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`, '', 'Self time by function:'];
  for (const [name, micros] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top)) {
    lines.push(`  ${pct(micros).padStart(6)}  ${name}`);
  }
  lines.push('', 'Total time by function (self + callees):');
  for (const [name, micros] of [...inclusive].sort((x, y) => y[1] - x[1]).slice(0, top * 2)) {
    lines.push(`  ${pct(micros).padStart(6)}  ${name}`);
  }
  lines.push('', 'Self time by package / file:');
  for (const [name, micros] of [...byOrigin].sort((x, y) => y[1] - x[1]).slice(0, top)) {
    lines.push(`  ${pct(micros).padStart(6)}  ${name}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile-summary.ts <file.cpuprofile>\n');
    process.exit(2);
  }
  process.stdout.write(`${summariseProfile(file, Number(process.argv[3] ?? 25), process.argv[4] === undefined ? undefined : Number(process.argv[4]))}\n`);
}
