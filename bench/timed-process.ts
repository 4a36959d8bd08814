import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** What one measured process did. */
export interface Measured {
  /** Wall time from spawn to exit, as seen by the benchmark (process start-up included). */
  wallMs: number;
  /** Peak resident set size of the measured process (GNU time's %M), KiB. */
  peakRssKiB: number;
  stdoutTail: string;
  stderrTail: string;
}

export interface TimedOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Keep the whole stdout in `stdoutTail` (a JSON event log to read afterwards), not only its tail. */
  keepStdout?: boolean;
}

/**
 * The environment a measured tool runs with: the same few variables for picture-book and skopeo,
 * not the caller's whole environment, which may hold settings that change a measurement
 * (NODE_EXTRA_CA_CERTS, set on some build machines, makes every Node start parse that CA bundle:
 * about 40 ms on the reference machine, which skopeo never pays).
 */
export function minimalEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: home };
}

const TAIL = 16 * 1024;
export const GNU_TIME = '/usr/bin/time';

/**
 * Runs `cmd args` under GNU time, which reports the child's peak RSS; the wall time is taken here.
 * The command runs in its own process group so a timeout kills all of it; a non-zero exit or a
 * timeout rejects with the tail of its output, because a failed run must never count as a figure.
 */
export async function runTimed(cmd: string, args: readonly string[], options: TimedOptions): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'pb-bench-time-'));
  const report = join(dir, 'time.txt');
  try {
    const started = performance.now();
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', report, cmd, ...args], {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    const stdoutLimit = options.keepStdout ? Infinity : TAIL;
    child.stdout
      .setEncoding('utf8')
      .on('data', (s: string) => (stdout = stdoutLimit === Infinity ? stdout + s : (stdout + s).slice(-stdoutLimit)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-TAIL)));
    let timedOut = false as boolean; // set by the timer: its callback is invisible to narrowing
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    const wallMs = performance.now() - started;
    clearTimeout(timer);
    const shown = `${cmd} ${args.join(' ')}`.slice(0, 400);
    if (timedOut) throw new Error(`timed out after ${options.timeoutMs} ms: ${shown}\n${stderr.slice(-2000)}`);
    if (code !== 0) throw new Error(`exit ${String(code)}: ${shown}\n${stderr.slice(-3000)}${stdout.slice(-1000)}`);
    const text = await readFile(report, 'utf8');
    const peakRssKiB = Number(text.trim().split('\n').pop());
    if (!Number.isFinite(peakRssKiB)) throw new Error(`cannot read GNU time's report: ${text}`);
    return { wallMs, peakRssKiB, stdoutTail: stdout, stderrTail: stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
