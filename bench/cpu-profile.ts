import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile this summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by area: picture-book's own code, undici, node internals, GC, idle. */
  byArea: Record<string, number>;
  /** The functions with the most self time. */
  top: Array<{ fn: string; where: string; selfMs: number; percent: number }>;
}

function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'gc';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'program (native, unattributed)';
  if (url.includes('/dist/src/')) return `picture-book ${url.split('/dist/src/')[1]?.split('/')[0] ?? ''}`;
  if (url.includes('node_modules/undici')) return 'undici';
  if (url.includes('node_modules/')) return `npm ${url.split('node_modules/')[1]?.split('/')[0] ?? ''}`;
  if (url.startsWith('node:')) return 'node internals';
  return url ? 'other' : 'native';
}

function shortWhere(url: string, line: number): string {
  const trimmed = url.replace(/^file:\/\/.*?\/(dist\/|node_modules\/)/, '$1');
  return trimmed ? `${trimmed}:${line + 1}` : '(native)';
}

/** Self time per function and per area from a .cpuprofile (sample counts x sampling deltas). */
export function summarizeProfile(profile: CpuProfile, file: string, topN = 15): ProfileSummary {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  const byArea: Record<string, number> = {};
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    const where = shortWhere(url, lineNumber);
    const key = `${fn}@${where}`;
    const entry = byFn.get(key) ?? { fn, where, us: 0 };
    entry.us += us;
    byFn.set(key, entry);
    const a = area(url, fn);
    byArea[a] = (byArea[a] ?? 0) + us / 1000;
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const top = [...byFn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: Math.round(e.us / 100) / 10, percent: Math.round((e.us / 10 / totalMs) * 10) / 10 }));
  const rounded = Object.fromEntries(
    Object.entries(byArea)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, Math.round(v)]),
  );
  return { file, totalMs: Math.round(totalMs), byArea: rounded, top };
}

/** The newest .cpuprofile in a directory. */
export async function newestProfile(dir: string): Promise<{ file: string; profile: CpuProfile }> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const last = files[files.length - 1];
  if (!last) throw new Error(`no .cpuprofile in ${dir}`);
  const file = join(dir, last);
  return { file, profile: JSON.parse(await readFile(file, 'utf8')) as CpuProfile };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`cpu profile ${summary.file} (${summary.totalMs} ms wall)`, '  self time by area (ms):'];
  for (const [name, ms] of Object.entries(summary.byArea)) lines.push(`    ${String(ms).padStart(7)}  ${name}`);
  lines.push('  top functions by self time:');
  for (const t of summary.top) lines.push(`    ${String(t.selfMs).padStart(7)} ms ${String(t.percent).padStart(5)}%  ${t.fn}  ${t.where}`);
  return lines.join('\n');
}
