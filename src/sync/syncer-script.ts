import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { maskUserinfo } from '../errors/mask-userinfo.js';
import { parseReference, type Reference } from '../reference/index.js';
import { splitScriptArgs } from '../config/script-args.js';

export type ScriptLine = { line: number; text: string } & ({ kind: 'image'; reference: Reference } | { kind: 'invalid'; error: string });

export interface SyncerScriptResult {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Killed because `signal` aborted (the run was cancelled). */
  aborted: boolean;
  durationMs: number;
  /** Why the script could not start (ENOENT, EACCES, bad args), if it did not. */
  startError?: string | undefined;
  stderrTail: string[];
  entries: ScriptLine[];
}

export interface SyncerScriptOptions {
  script: string;
  args: string;
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the script and its children at once (a paused or stopping run must not wait for it). */
  signal?: AbortSignal | undefined;
}

const STDERR_LINES = 20;

/** One line of script output: blank lines and `#` comments are skipped (undefined). */
export function parseScriptLine(text: string, line: number): ScriptLine | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  try {
    return { line, text: trimmed, kind: 'image', reference: parseReference(trimmed) };
  } catch (error) {
    // The line is echoed in logs, the run summary and the server log: never with a password in it.
    return { line, text: maskUserinfo(trimmed), kind: 'invalid', error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Runs a registry's syncer script without a shell, with a timeout (or an abort) that kills its
 * whole process group (a script's children must not outlive it), reading one image reference per
 * stdout line.
 */
export function runSyncerScript(options: SyncerScriptOptions): Promise<SyncerScriptResult> {
  const started = Date.now();
  const stderrTail: string[] = [];
  const entries: ScriptLine[] = [];
  let args: string[];
  try {
    args = splitScriptArgs(options.args);
  } catch (error) {
    const startError = `syncerScriptArgs: ${(error as Error).message}`;
    return Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, aborted: false, durationMs: 0, startError, stderrTail, entries });
  }
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, aborted: true, durationMs: 0, stderrTail, entries });
  return new Promise((resolve) => {
    const child = spawn(options.script, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    let aborted = false;
    let startError: string | undefined;
    const killGroup = (): void => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let lineNumber = 0;
    createInterface({ input: child.stdout }).on('line', (text) => {
      const entry = parseScriptLine(text, ++lineNumber);
      if (entry) entries.push(entry);
    });
    createInterface({ input: child.stderr }).on('line', (text) => {
      stderrTail.push(text);
      if (stderrTail.length > STDERR_LINES) stderrTail.shift();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'not executable (permission denied)' : error.message;
    });
    child.on('close', (exitCode, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const ok = !timedOut && !aborted && !startError && exitCode === 0;
      resolve({ ok, exitCode, signal: killedBy, timedOut, aborted, durationMs: Date.now() - started, startError, stderrTail, entries });
    });
  });
}

/** One line saying why a script's output cannot be used. */
export function describeScriptFailure(result: SyncerScriptResult, script: string): string {
  if (result.startError) return `syncer script ${script} could not be run: ${result.startError}`;
  if (result.aborted) return `syncer script ${script} was stopped: the run was cancelled`;
  if (result.timedOut) return `syncer script ${script} timed out after ${(result.durationMs / 1000).toFixed(1)}s and was killed`;
  const last = result.stderrTail.at(-1);
  const how = result.exitCode !== null ? `exited with code ${result.exitCode}` : `was killed by ${result.signal}`;
  return `syncer script ${script} ${how}${last ? `: ${last}` : ''}`;
}
