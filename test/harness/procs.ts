import { execFile, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Process and temp-dir bookkeeping shared by the harness. Registries are child processes: if a test
 * file crashes or is cancelled they must not outlive it, so every child and temp dir is tracked and
 * cleaned up synchronously on process exit.
 */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooked = false;

function cleanupNow(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupNow);
  // A signal skips 'exit': clean up, then re-raise so the default action (terminate) still happens.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanupNow();
      process.kill(process.pid, signal);
    });
  }
}

export function trackChild(child: ChildProcess): void {
  hookExit();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export async function makeTempDir(prefix: string): Promise<string> {
  hookExit();
  const dir = await mkdtemp(join(tmpdir(), `pb-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** Tracks a dir made elsewhere (e.g. a fixture being built) so a crash does not leave it behind. */
export function trackTempDir(dir: string): void {
  hookExit();
  tempDirs.add(dir);
}

export function untrackTempDir(dir: string): void {
  tempDirs.delete(dir);
}

export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Replaces every secret in a text, so errors can quote command lines and output safely. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** execFile without a shell; a failure becomes an Error quoting the (redacted) command and its stderr. */
export function run(cmd: string, args: readonly string[], secrets: ReadonlyArray<string | undefined> = []): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const errText = stderr.toString('utf8');
      if (error) {
        const code = (error as { code?: unknown }).code;
        const message = `${cmd} ${args.join(' ')} failed (exit ${String(code)}): ${errText.trim() || error.message}`;
        reject(new Error(redact(message, secrets)));
        return;
      }
      resolve({ stdout, stderr: errText });
    });
  });
}
