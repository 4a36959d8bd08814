import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pushImage, startFaultProxy, startRegistry, type FaultProxy, type TestRegistry } from '../harness/index.js';
import { makeTempDir } from '../harness/procs.js';
import { largeImage, ociImage } from '../e2e/fixtures.js';
import { apiPort, getJob, startSync, until, writeConfig, type SyncProcess } from '../e2e/sync-kit.js';

/**
 * The API under load, shared by the chaos suite (which asserts only that nothing failed) and the
 * benchmark (which records the figures): N distribute jobs posted at once, then M API requests while a
 * sync run is streaming a 110 MiB layer (held mid-stream by a fault proxy, so it is surely running).
 */

export interface LatencyFigures {
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ApiLoadFigures {
  jobsPosted: LatencyFigures;
  requests: LatencyFigures;
  /** The requests by path (without the query). */
  byPath: Record<string, LatencyFigures>;
  jobsFinished: number;
  jobsFailed: number;
  /** The sync run was still streaming when the last request was answered. */
  runWasGoing: boolean;
  runResult: string;
  /** Peak resident set of the `sync` process (VmHWM), KiB. */
  peakRssKiB: number;
  /** A few of the errors, for the message of a failing test. */
  errorSamples: string[];
}

export interface ApiLoadOptions {
  jobs: number;
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
  log?: (line: string) => void;
}

function figuresOf(samples: Array<{ ms: number; ok: boolean }>): LatencyFigures {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: samples.length,
    errors: samples.filter((s) => !s.ok).length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted.at(-1) ?? 0),
  };
}

async function timed(
  server: SyncProcess,
  path: string,
  options: { method?: string; body?: unknown } = {},
): Promise<{ ms: number; ok: boolean; status: number; text: string }> {
  const started = performance.now();
  try {
    const answer = await server.api(path, options);
    const expected = options.method === 'POST' ? 201 : 200;
    return { ms: performance.now() - started, ok: answer.status === expected, status: answer.status, text: answer.text };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, status: 0, text: String(error) };
  }
}

async function peakRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
}

interface Setup {
  source: TestRegistry;
  target: TestRegistry;
  proxy: FaultProxy;
  server?: SyncProcess;
}

export async function runApiLoad(options: ApiLoadOptions): Promise<ApiLoadFigures> {
  const log = options.log ?? (() => undefined);
  const [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  const setup: Setup = { source, target, proxy: await startFaultProxy(source) };
  try {
    return await measure(setup, options, log);
  } finally {
    await setup.server?.kill();
    await setup.proxy.close();
    await Promise.all([source.stop(), target.stop()]);
  }
}

async function measure(setup: Setup, options: ApiLoadOptions, log: (line: string) => void): Promise<ApiLoadFigures> {
  const { source, target, proxy } = setup;
  const built = await pushImage(largeImage, source, 'library/large:v1');
  await pushImage(ociImage, source, 'library/app:v1');
  const layer = built.blobs.reduce((a, b) => (b.size > a.size ? b : a));
  proxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(`/blobs/${layer.digest}`),
    times: 1,
    action: { kind: 'stall', afterBytes: 8 * 1024 * 1024 },
  });
  const dir = await makeTempDir('api-load');
  const port = await apiPort();
  const registry = { hostname: target.host, repository: 'loaded', images: [`${proxy.host}/library/large:v1`] };
  const file = await writeConfig(dir, {
    registries: [registry],
    api: { enabled: true, port, enableAuth: true, authToken: 'api-load-token' },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true },
  });
  const server = await startSync(file, { port, token: 'api-load-token', cwd: dir });
  setup.server = server; // killed by runApiLoad whatever happens here
  await until(() => proxy.stalled.length > 0, 'the sync run to be streaming the large layer', 60_000);
  log(`sync run streaming (held after 8 MiB); posting ${options.jobs} jobs at once`);

  const body = {
    source: { endpoint: `http://${source.host}/v2`, image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: `http://${target.host}/v2` }],
  };
  const posted = await Promise.all(
    Array.from({ length: options.jobs }, () => timed(server, '/api/distribute/image', { method: 'POST', body })),
  );
  const ids = posted.filter((p) => p.ok).map((p) => (JSON.parse(p.text) as { id: string }).id);
  const errorSamples = posted
    .filter((p) => !p.ok)
    .slice(0, 3)
    .map((p) => `POST job: ${p.status} ${p.text}`);

  log(`${ids.length} jobs accepted; ${options.requests} API requests, ${options.concurrency} at once`);
  const paths = [
    '/list?type=active',
    '/list?type=configured',
    `/ops?sync=${target.host}&action=details`,
    '/metrics',
    '/api/distribute/image?limit=20',
    '/healthz',
    ...ids.slice(0, 20).map((id) => `/api/distribute/image/${id}`),
  ];
  const samples: Array<{ path: string; ms: number; ok: boolean }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.requests) {
        const path = paths[next++ % paths.length] ?? '/healthz';
        const answer = await timed(server, path);
        samples.push({ path: path.split('?')[0]?.replace(/image\/[^/]+$/, 'image/{id}') ?? path, ms: answer.ms, ok: answer.ok });
        if (!answer.ok && errorSamples.length < 6) errorSamples.push(`GET ${path}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }),
  );
  const active = (await server.api('/list?type=active')).json as { synchronizers: Array<{ state: string }> };
  const runWasGoing = active.synchronizers[0]?.state === 'running' && proxy.stalled.length > 0;

  proxy.clearFaults();
  proxy.release();
  log('run released; waiting for every job and the run to end');
  const ended = await until(
    async () => {
      const states = await Promise.all(ids.map(async (id) => (await getJob(server, id)).value));
      return states.every((s) => s === 'FINISHED' || s === 'FAILED') ? states : undefined;
    },
    'every job to end',
    300_000,
  );
  const run = await server.waitForLog((l) => l.event === 'sync-run-finished', 'the run to end', 0, 120_000);
  const peak = await peakRssKiB(server.pid);
  await server.stop();

  const byPath: Record<string, LatencyFigures> = {};
  for (const path of new Set(samples.map((s) => s.path))) byPath[path] = figuresOf(samples.filter((s) => s.path === path));
  return {
    jobsPosted: figuresOf(posted),
    requests: figuresOf(samples),
    byPath,
    jobsFinished: ended.filter((s) => s === 'FINISHED').length,
    jobsFailed: ended.filter((s) => s === 'FAILED').length,
    runWasGoing,
    runResult: String(run.result),
    peakRssKiB: peak,
    errorSamples,
  };
}
