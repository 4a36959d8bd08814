import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from '../harness/procs.js';
import { CLI } from './load-harness.js';

/** Helpers shared by the stop/cancel end-to-end tests (cancel-copy, load-stop, load-listeners). */

/** Resolves once `check` holds; a deadline, not a sleep: it fails loudly instead of waiting on. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The largest blob of an image: the one a stall holds mid-stream. */
export function largestBlob(image: { blobs: Array<{ digest: string; size: number }> }): { digest: string; size: number } {
  const [first, ...rest] = image.blobs;
  if (!first) throw new Error('image without blobs');
  return rest.reduce((a, b) => (b.size > a.size ? b : a), first);
}

/** `picture-book load --log-format json` as a child process, its events read as they come. */
export class LoadProcess {
  readonly events: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #child: ChildProcess;

  constructor(args: string[], cwd: string) {
    this.#child = spawn(process.execPath, [CLI, 'load', '--log-format', 'json', ...args], {
      cwd,
      env: { ...process.env, DOCKER_CONFIG: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(this.#child);
    let pending = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) this.events.push(JSON.parse(line) as Record<string, unknown>);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Waits for the first event that matches (a deadline, not a sleep). */
  async waitForEvent(match: (event: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    await waitFor(() => this.events.some(match), what);
    return this.events.find(match) as Record<string, unknown>;
  }

  ofType(type: string): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.type === type);
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** For after hooks: SIGKILL unless it already exited, then wait for it (its pipes keep a test file alive). */
  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.exited;
  }
}
