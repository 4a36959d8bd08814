import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What marks a line of process-probe.ts on a process's stderr. */
export const PROBE_MARK = 'bench-probe ';

/** One report of process-probe.ts: a process's CPU time and event-loop delay since its previous report. */
export interface ProbeFigures {
  why: 'signal' | 'exit';
  pid: number;
  wallMs: number;
  cpuMs: number;
  /** Delay of a 2 ms timer beyond its due time (monitorEventLoopDelay), ms; null when it never ran. */
  loopDelayMs: { mean: number; p50: number; p99: number; max: number; samples: number } | null;
}

/** The environment that loads the probe into a node process (its NODE_OPTIONS kept). */
export function probeEnv(): NodeJS.ProcessEnv {
  const probe = fileURLToPath(new URL('./process-probe.js', import.meta.url));
  return { NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${probe}`].filter(Boolean).join(' ') };
}

/** The probe's reports in a process's stderr, in order; other stderr lines are left alone. */
export function probeReports(stderr: string): ProbeFigures[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith(PROBE_MARK))
    .map((l) => JSON.parse(l.slice(PROBE_MARK.length)) as ProbeFigures);
}

/** CPU time (user + system, ms) of each live child process of this one, by pid, with its command line. */
export type ChildCpu = Map<number, { args: string; cpuMs: number }>;

let ticksPerSecond: number | undefined;

export function childCpu(): ChildCpu {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const children: ChildCpu = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat.ppid !== process.pid) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      children.set(Number(entry), { args, cpuMs: Math.round(((stat.utime + stat.stime) * 1000) / ticksPerSecond) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return children;
}

/** The fields of /proc/PID/stat the bench needs; the command name (field 2) may hold spaces and parentheses. */
export function parseStat(text: string): { ppid: number; utime: number; stime: number } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) ... utime(14) stime(15), so index = field - 3.
  const at = (field: number): number => Number(fields[field - 3]);
  return { ppid: at(4), utime: at(14), stime: at(15) };
}

/**
 * CPU each role used between two snapshots, ms: `roleOf` names a child by its command line (processes
 * it names nothing are left out); a child started between the snapshots counts from 0.
 */
export function cpuByRole(before: ChildCpu, after: ChildCpu, roleOf: (args: string) => string | undefined): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [pid, { args, cpuMs }] of after) {
    const role = roleOf(args);
    if (role === undefined) continue;
    used[role] = (used[role] ?? 0) + cpuMs - (before.get(pid)?.cpuMs ?? 0);
  }
  return used;
}
