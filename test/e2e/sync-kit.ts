import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { skopeoInspectRaw, type TestRegistry } from '../harness/index.js';
import { freePort } from '../harness/ports.js';
import { trackChild } from '../harness/procs.js';

/** Helpers for the `picture-book sync` end-to-end tests: the real server process, its log and API. */

export const CLI = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));
const ENTRY = [CLI, 'sync'];

export interface LogLine {
  level: string;
  msg: string;
  event?: string;
  registry?: string;
  [key: string]: unknown;
}

/** Resolves once `check` returns a value other than undefined/false; fails at the deadline (no fixed sleeps). */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The digest a registry serves for `repo:tag` (checked with skopeo), or undefined when it has no such tag. */
export async function digestAt(registry: TestRegistry, ref: string): Promise<string | undefined> {
  return (await skopeoInspectRaw(`${registry.host}/${ref}`, registry).catch(() => undefined))?.digest;
}

export async function writeConfig(dir: string, config: object): Promise<string> {
  const file = join(dir, 'config.yaml');
  await writeFile(file, stringify(config));
  return file;
}

export async function apiPort(): Promise<number> {
  return freePort();
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  // The reply's JSON as tests read it, unchecked like light-my-request's json() (see eslint.config.mjs).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * The exit of a process told to stop (SIGTERM), with a deadline: one that never exits fails the
 * test (with what it said) instead of hanging it.
 */
export async function exitOf(process: SyncProcess, what: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const said = (): string => process.logs.map((l) => `${String(l.event)}: ${l.msg}`).join('\n');
    timer = setTimeout(() => reject(new Error(`${what}: still running 120 s after SIGTERM; it said:\n${said()}`)), 120_000);
  });
  try {
    return await Promise.race([process.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class SyncProcess {
  readonly logs: LogLine[] = [];
  readonly rawLines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #child: ChildProcess;
  #base: string;
  #token: string | undefined;

  constructor(
    configFile: string,
    base: string,
    token: string | undefined,
    cwd: string,
    entry: readonly string[] = ENTRY,
    env: NodeJS.ProcessEnv = {},
  ) {
    this.#base = base;
    this.#token = token;
    this.#child = spawn(process.execPath, [...entry, '--config', configFile], {
      cwd,
      env: { ...process.env, DOCKER_CONFIG: '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(this.#child);
    let pending = '';
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        this.rawLines.push(line);
        this.logs.push(JSON.parse(line) as LogLine);
      }
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get url(): string {
    return this.#base;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** The first log line (after `from`) that matches; waits for it. */
  waitForLog(match: (line: LogLine) => boolean, what: string, from = 0, timeoutMs = 20_000): Promise<LogLine> {
    return until(() => this.logs.slice(from).find(match), what, timeoutMs);
  }

  events(event: string, registry?: string): LogLine[] {
    return this.logs.filter((l) => l.event === event && (registry === undefined || l.registry === registry));
  }

  async api(path: string, options: { method?: string; token?: string | null; body?: unknown } = {}): Promise<ApiAnswer> {
    const token = options.token === undefined ? this.#token : options.token;
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.#base}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal('SIGTERM');
    return this.exited;
  }

  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

/** Starts `picture-book sync`; resolves once the API listens (or, without API, once scheduled). */
export async function startSync(
  configFile: string,
  options: {
    port?: number;
    token?: string;
    cwd: string;
    waitFor?: 'api' | 'nothing';
    env?: NodeJS.ProcessEnv;
    args?: readonly string[];
  },
): Promise<SyncProcess> {
  const server = new SyncProcess(
    configFile,
    `http://127.0.0.1:${options.port ?? 0}`,
    options.token,
    options.cwd,
    [...ENTRY, ...(options.args ?? [])],
    options.env,
  );
  if (options.waitFor === 'nothing') return server;
  try {
    await Promise.race([
      // Starting node and opening the store takes 20 s and more on a loaded machine (seen at load 35).
      server.waitForLog((l) => l.event === 'api-listening', 'the API to listen', 0, 60_000),
      server.exited.then(({ code }) => {
        throw new Error(`picture-book sync exited with ${code} before listening: ${server.stderr}`);
      }),
    ]);
  } catch (error) {
    await server.kill(); // the caller never gets it to stop: its pipes would keep the test file alive
    throw error;
  }
  return server;
}

/** A registry that is never contacted (no run on start, a schedule once a year): for tests of the API and jobs. */
export const idleRegistry = { hostname: '127.0.0.1:9', images: ['127.0.0.1:10/library/app:v1'], syncPeriod: '0 0 1 1 *' };

/** GET /api/distribute/image/{id} as the transfer-service API answers it. */
export interface JobAnswer {
  value: 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED';
  started_at: string | null;
  finished_endpoints: string[];
  skipped_clusters: string[];
  finished_at: string | null;
  errors: Array<{ endpoint: string; code: string; message: string }>;
}

/** POSTs a distribute job; fails unless the answer is 201. Returns its id. */
export async function submitJob(server: SyncProcess, body: object): Promise<string> {
  const answer = await server.api('/api/distribute/image', { method: 'POST', body });
  if (answer.status !== 201) throw new Error(`POST /api/distribute/image answered ${answer.status}: ${answer.text}`);
  return (answer.json as { id: string }).id;
}

export async function getJob(server: SyncProcess, id: string): Promise<JobAnswer> {
  const answer = await server.api(`/api/distribute/image/${id}`);
  if (answer.status !== 200) throw new Error(`GET job ${id} answered ${answer.status}: ${answer.text}`);
  return answer.json as JobAnswer;
}

/** Polls the job until `accept` says yes; every distinct state seen on the way is pushed to `seen`. */
export function jobWhen(
  server: SyncProcess,
  id: string,
  accept: (job: JobAnswer) => boolean,
  what: string,
  seen: string[] = [],
  timeoutMs = 30_000,
): Promise<JobAnswer> {
  return until(
    async () => {
      const job = await getJob(server, id);
      if (seen.at(-1) !== job.value) seen.push(job.value);
      return accept(job) ? job : undefined;
    },
    `job ${id}: ${what}`,
    timeoutMs,
  );
}
