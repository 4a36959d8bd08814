import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackChild } from '../harness/procs.js';

/**
 * Helpers for end-to-end tests that run the real `picture-book` CLI as a child process. Every child
 * is tracked: if the test file is stopped (a timeout, a signal), it is killed with it.
 */
export const CLI = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { ...process.env, DOCKER_CONFIG: '/nonexistent', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number | string }).code ?? 1) : 0, stdout, stderr });
      },
    );
    trackChild(child);
  });
}

/** Runs the CLI with its stdout a pipe whose reader is gone from the start (`picture-book ... | head -0`). */
export function runCliWithClosedStdout(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Omit<CliResult, 'stdout'>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, DOCKER_CONFIG: '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('close', (code, signal) => resolve({ code: code ?? 128, stderr: signal ? `${stderr}(killed by ${signal})` : stderr }));
  });
}

/** Runs the CLI under util-linux `script`, so its stdout is a real pseudo-terminal. */
export function runCliInPty(args: string[], env: NodeJS.ProcessEnv = {}, columns = 110): Promise<CliResult> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = execFile(
      'script',
      ['-qfec', `stty cols ${columns} rows 40; ${quoted}`, '/dev/null'],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent', TERM: 'xterm', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number | string }).code ?? 1) : 0, stdout, stderr });
      },
    );
    trackChild(child);
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes an executable syncer script that prints `lines` (and optionally fails or hangs). */
export async function writeScript(dir: string, name: string, lines: string[], tail = ''): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\ncat <<'EOF'\n${lines.join('\n')}\nEOF\n${tail}\n`);
  await chmod(path, 0o755);
  return path;
}

/** Parses `--log-format json` output: every line must be one JSON object. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
