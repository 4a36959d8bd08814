import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skopeo } from '../harness/index.js';
import { makeTempDir, removeTempDir } from '../harness/procs.js';
import { until } from './sync-kit.js';

/**
 * `npm run demo -- sync` as a user runs it: the demo (after the set-up and build `npm run demo` does
 * first) in its own process group, as a shell starts a job; stopped with Ctrl-C, i.e. SIGINT to that
 * whole group. It runs in a temp dir, so its `.demo/` is not the developer's.
 */
const DEMO = fileURLToPath(new URL('../../demo/main.js', import.meta.url));

/** Whether `pid` still runs: an exited process its parent has not reaped yet (state Z) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The processes under `root` (children, their children, ...), from /proc. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": the name may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** The running processes whose command line names `text` (the demo's dir: its server, scripts and registries). */
function mentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    });
}

interface DemoProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDemo(cwd: string, args: string[]): DemoProcess {
  const child = spawn(process.execPath, [DEMO, ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/** The demo registries' process ids, from the state files the demo keeps under `.demo/`. */
async function registryPids(cwd: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of ['source', 'target']) {
    const state = await readFile(join(cwd, '.demo', name, 'state.json'), 'utf8').catch(() => undefined);
    if (state) pids.push((JSON.parse(state) as { pid: number }).pid);
  }
  return pids;
}

let cwd: string | undefined;
let demo: DemoProcess | undefined;
after(async () => {
  // Whatever happened above: no demo, server or registry outlives the test.
  if (demo?.child.pid !== undefined) {
    try {
      process.kill(-demo.child.pid, 'SIGKILL');
    } catch {
      // The demo's process group is gone already (the test stopped it).
    }
    await demo.exited;
  }
  if (cwd === undefined) return;
  for (const pid of await registryPids(cwd)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await removeTempDir(cwd);
});

test(
  'npm run demo -- sync: prints the dashboard and token, its first run fills the target; Ctrl-C stops it with 0 and nothing left running',
  { timeout: 600_000 },
  async () => {
    cwd = await makeTempDir('demo-sync');
    const running = (demo = startDemo(cwd, ['sync']));
    const pid = running.child.pid ?? assert.fail('the demo did not start');

    const printed = await until(
      () =>
        /Dashboard: (http:\/\/\S+)\/ui\/\nToken: +(\S+)\n/.exec(running.output()) ??
        (running.child.exitCode !== null && assert.fail(running.output())),
      'the demo to print the dashboard and its token (it seeds its source registry first)',
      300_000,
    );
    const [, url = '', token = ''] = printed;
    const target = /target registry (\S+) /.exec(running.output())?.[1] ?? assert.fail(running.output());
    const api = async (path: string) => {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      assert.equal(response.status, 200, `${path}: ${response.status}`);
      return response.json() as Promise<{ runs: Array<{ result: string; copied: number; failed: number }> }>;
    };

    // Every registry runs at start: the first run ends.
    const run = await until(
      async () => {
        const first = (await api(`/api/sync/runs?registry=${encodeURIComponent(target)}`)).runs.at(-1); // newest first
        return first?.result !== 'running' && first;
      },
      'the first run to end',
      300_000,
    );
    assert.equal(run.result, 'succeeded', JSON.stringify(run));
    assert.equal(run.failed, 0);
    assert.ok(run.copied > 0, 'it copied images');

    const tags = async (repository: string) =>
      (
        JSON.parse((await skopeo(['list-tags', '--tls-verify=false', `docker://${target}/${repository}`])).stdout.toString('utf8')) as {
          Tags: string[];
        }
      ).Tags.sort((x, y) => x.localeCompare(y));
    assert.deepEqual(await tags('mirror/library/nginx-demo'), ['1.27'], 'an image the syncer script lists');
    assert.deepEqual(await tags('mirror/team/api'), ['v2', 'v2.1'], "the rule's tags, without the release candidate");

    const log = await readFile(join(cwd, '.demo', 'sync.log'), 'utf8');
    assert.match(log, /"event":"api-listening"/, 'the server log goes to .demo/sync.log');
    assert.equal(log.includes(token), false, 'the token is not logged');

    // Ctrl-C: the terminal signals the whole foreground group.
    const registries = await registryPids(cwd);
    assert.equal(registries.length, 2);
    const server = descendants(pid).filter((p) => !registries.includes(p));
    assert.ok(
      server.some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes('sync')),
      'picture-book sync runs under the demo',
    );
    process.kill(-pid, 'SIGINT');
    const { code, signal } = await running.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, running.output());
    await until(() => server.every((p) => !alive(p)), 'the sync server to be gone', 30_000);
    const logged = (await readFile(join(cwd, '.demo', 'sync.log'), 'utf8')).split('\n').filter((line) => line.startsWith('{'));
    const events = logged.map((line) => JSON.parse(line) as { event?: string; signal?: string });
    // Had the terminal's SIGINT reached the server beside the demo's SIGTERM, the second signal could kill it mid-stop.
    assert.deepEqual(
      events.filter((e) => e.event === 'signal').map((e) => e.signal),
      ['SIGTERM'],
      "the server was told to stop once, by the demo's SIGTERM",
    );
    assert.equal(events.at(-1)?.event, 'server-stopped', 'it stopped gracefully');
    assert.deepEqual(
      mentioning(cwd).filter((p) => !registries.includes(p)),
      [],
      'nothing of the demo runs but its registries',
    );

    // The registries outlive the demo on purpose; `npm run demo -- stop` ends them.
    assert.ok(registries.every(alive), 'the registries keep running for a look at the result');
    const stop = startDemo(cwd, ['stop']);
    assert.deepEqual(await stop.exited, { code: 0, signal: null }, stop.output());
    assert.equal(stop.output(), 'source: stopped\ntarget: stopped\n');
    await until(() => registries.every((p) => !alive(p)), 'the registries to stop', 30_000);
    assert.deepEqual(mentioning(cwd), [], 'nothing of the demo runs');
  },
);
