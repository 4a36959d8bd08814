import { spawn } from 'node:child_process';
import { errorMessage, InvalidReferenceError } from '../errors/index.js';
import { maskUserinfo } from '../errors/mask-userinfo.js';
import { parseImageEntry, RuleError, type ImageEntry } from '../select/index.js';
import { DEFAULT_SCRIPT_MAX_LINE_BYTES, DEFAULT_SCRIPT_MAX_LINES } from '../config/schema-limits.js';
import { splitScriptArgs } from '../config/script-args.js';
import { BoundedLines } from './bounded-lines.js';

/** A line that names one image or (`repo:*`, `repo:/regex/`) a repository's tags, or one that is not valid. */
export type ScriptLine = { line: number; text: string } & ({ kind: 'image'; entry: ImageEntry } | { kind: 'invalid'; error: string });

/** How messages name a script line's rule (collisions, empty selections). */
export function scriptLineLabel(line: number): string {
  return `syncer script line ${line}`;
}

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
  /** The script was killed for printing more than a cap allows (`line`: the stdout line it broke on). */
  limitHit?: { what: 'line-length' | 'line-count'; line: number; limit: number } | undefined;
}

export interface SyncerScriptOptions {
  script: string;
  args: string;
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the script and its children at once (a paused or stopping run must not wait for it). */
  signal?: AbortSignal | undefined;
  /** Longest stdout line accepted, in bytes; a longer one stops the script. */
  maxLineBytes?: number | undefined;
  /** Most stdout lines accepted (blank lines and comments count); one more stops the script. */
  maxLines?: number | undefined;
}

const STDERR_LINES = 20;
/** An invalid line is shown (twice: as it happens and in the summary) up to this many characters. */
const SHOWN_LINE_CHARS = 200;
/** Stderr is only shown, never parsed: longer lines are cut, not a reason to stop the script. */
const STDERR_LINE_BYTES = 1000;

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/**
 * One line of script output: an image reference, or an explicit all-tags form (`repo:*`,
 * `repo:/regex/`, see parseImageEntry). Blank lines and `#` comments are skipped (undefined).
 */
export function parseScriptLine(text: string, line: number): ScriptLine | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  try {
    return { line, text: trimmed, kind: 'image', entry: parseImageEntry(trimmed, scriptLineLabel(line)) };
  } catch (error) {
    // The line is echoed in logs, the run summary and the server log: never with a password in it,
    // and once (the error would quote it again).
    const shown = maskUserinfo(trimmed);
    let reason = errorMessage(error);
    if (error instanceof InvalidReferenceError) reason = `invalid reference: ${reason.replace(`invalid reference "${error.input}": `, '')}`;
    else if (error instanceof RuleError) reason = `invalid image: ${reason.replace(`invalid image "${trimmed}": `, '')}`;
    return { line, text: shorten(shown, SHOWN_LINE_CHARS), kind: 'invalid', error: shorten(reason, SHOWN_LINE_CHARS + 100) };
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
    const startError = `syncerScriptArgs: ${errorMessage(error)}`;
    return Promise.resolve({
      ok: false,
      exitCode: null,
      signal: null,
      timedOut: false,
      aborted: false,
      durationMs: 0,
      startError,
      stderrTail,
      entries,
    });
  }
  const { signal } = options;
  if (signal?.aborted)
    return Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, aborted: true, durationMs: 0, stderrTail, entries });
  return new Promise((resolve) => {
    const child = spawn(options.script, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
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
    const maxLines = options.maxLines ?? DEFAULT_SCRIPT_MAX_LINES;
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_SCRIPT_MAX_LINE_BYTES;
    let limitHit: SyncerScriptResult['limitHit'];
    // Nothing more is read or kept once a cap is hit: the script is killed and its output dropped.
    const stop = (hit: NonNullable<SyncerScriptResult['limitHit']>): void => {
      limitHit ??= hit;
      child.stdout.destroy();
      killGroup();
    };
    let lineNumber = 0;
    const stdout = new BoundedLines(
      maxLineBytes,
      (text) => {
        if (limitHit) return;
        if (++lineNumber > maxLines) return stop({ what: 'line-count', line: lineNumber, limit: maxLines });
        const entry = parseScriptLine(text, lineNumber);
        if (entry) entries.push(entry);
      },
      () => {
        if (!limitHit) stop({ what: 'line-length', line: lineNumber + 1, limit: maxLineBytes });
      },
    );
    child.stdout.on('data', (chunk: Buffer) => {
      if (!limitHit) stdout.push(chunk);
    });
    child.stdout.on('end', () => stdout.end());
    const keepStderr = (text: string): void => {
      stderrTail.push(text);
      if (stderrTail.length > STDERR_LINES) stderrTail.shift();
    };
    const stderr = new BoundedLines(STDERR_LINE_BYTES, keepStderr, (kept) =>
      keepStderr(`${kept}… (line cut at ${STDERR_LINE_BYTES} bytes)`),
    );
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stderr.on('end', () => stderr.end());
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'not executable (permission denied)' : error.message;
    });
    child.on('close', (exitCode, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const ok = !timedOut && !aborted && !startError && !limitHit && exitCode === 0;
      resolve({
        ok,
        exitCode,
        signal: killedBy,
        timedOut,
        aborted,
        durationMs: Date.now() - started,
        startError,
        stderrTail,
        entries,
        limitHit,
      });
    });
  });
}

/**
 * One line saying why a script's output cannot be used, starting with `script` (a description
 * such as `syncer script "list.sh" (relative to the config file: /etc/pb/list.sh)`). Its stderr is
 * not in it: the caller shows `stderrTail` (or its last line) beside it, once.
 */
export function describeScriptFailure(result: SyncerScriptResult, script: string): string {
  if (result.startError) return `${script} could not be run: ${result.startError}`;
  if (result.aborted) return `${script} was stopped: the run was cancelled`;
  if (result.limitHit?.what === 'line-length')
    return `${script} printed a line longer than ${result.limitHit.limit} bytes (line ${result.limitHit.line}; syncerScriptMaxLineBytes) and was stopped`;
  if (result.limitHit?.what === 'line-count')
    return `${script} printed more than ${result.limitHit.limit} lines (syncerScriptMaxLines) and was stopped at line ${result.limitHit.line}`;
  if (result.timedOut) return `${script} timed out after ${(result.durationMs / 1000).toFixed(1)}s and was killed`;
  return result.exitCode !== null ? `${script} exited with code ${result.exitCode}` : `${script} was killed by ${result.signal}`;
}
