import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startRegistry, type BuiltImage, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { apiPort, digestAt, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

const TOKEN = 'overlap-test-api-token-3a7e';
let source: TestRegistry;
let target: TestRegistry;
let built: BuiltImage;
let dir: string;
let fifo: string;
let server: SyncProcess | undefined;

/** Whether a process has the FIFO open for reading (a syncer script waiting for the test). */
function scriptWaiting(): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); // the reader sees EOF and exits
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false; // no reader
    throw error;
  }
}

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  built = await pushImage(ociImage, source, 'library/app:v1');
  dir = await makeTempDir('sync-overlap');
  fifo = join(dir, 'images.fifo');
  execFileSync('mkfifo', [fifo]);
});

after(async () => {
  const started = startedSoFar({ source, target });
  if (server) await server.kill();
  if (fifo) scriptWaiting(); // never leave a script blocked on the FIFO
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('a run that outlasts its 1-second schedule: ticks are skipped, logged and counted, until the run is let go; pause and SIGTERM end a blocked run', async () => {
  // The syncer script prints the image list only once the test writes it into the FIFO.
  const script = join(dir, 'list-images.sh');
  await writeFile(script, '#!/bin/sh\n# timeout: a bound in case this test dies and leaves the script behind\nexec timeout 300 cat "$1"\n');
  await chmod(script, 0o755);
  const port = await apiPort();
  const registry = {
    hostname: target.host,
    repository: 'mirror',
    syncerScript: script,
    syncerScriptArgs: fifo,
    syncerScriptTimeoutSeconds: 600,
    syncPeriod: '* * * * * *',
  };
  const config = {
    registries: [registry],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true, gracePeriodSeconds: 1 },
  };
  server = await startSync(await writeConfig(dir, config), { port, token: TOKEN, cwd: dir });
  const s = server;
  const host = target.host;

  await until(() => s.events('sync-tick-skipped', host).length >= 3, 'three skipped ticks', 15_000);
  const skipped = s.events('sync-tick-skipped', host);
  assert.deepEqual(
    skipped.slice(0, 3).map((l) => [l.level, l.skippedTicks, l.msg]),
    [1, 2, 3].map((n) => ['warn', n, `tick skipped: the previous run is still going (${n} skipped so far)`]),
  );
  assert.equal(s.events('sync-run-started', host).length, 1, 'never two runs at once');
  assert.equal(s.events('sync-run-started', host)[0]?.trigger, 'start');

  const countedBefore = s.events('sync-tick-skipped', host).length;
  const metrics = (await s.api('/metrics')).text;
  const active = (await s.api('/list?type=active')).json.synchronizers[0];
  const countedAfter = s.events('sync-tick-skipped', host).length;
  const counted = Number(new RegExp(`^picture_book_sync_skipped_ticks_total\\{registry="${host}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
  assert.ok(
    counted >= countedBefore && counted <= countedAfter,
    `metrics count ${counted} skipped ticks, the log ${countedBefore}..${countedAfter}`,
  );
  assert.equal(active.state, 'running');
  assert.ok(active.skippedTicks >= countedBefore && active.skippedTicks <= countedAfter, `active view: ${active.skippedTicks}`);
  assert.deepEqual([active.runs, active.lastRun.trigger, active.lastRun.result, active.lastRun.endedAt], [1, 'start', 'running', null]);
  const runNow = await s.api(`/ops?sync=${host}&action=run`);
  assert.deepEqual(
    [runNow.status, runNow.json.error.code, runNow.json.error.message],
    [409, 'CONFLICT', `${host}: a run is already going`],
  );

  // Let the run go: the script prints the image, the run copies it and ends; the next tick runs again.
  await writeFile(fifo, `${source.host}/library/app:v1\n`);
  const finished = await s.waitForLog((l) => l.event === 'sync-run-finished', 'the held run to finish');
  assert.deepEqual([finished.result, finished.copied, finished.failed], ['succeeded', 1, 0]);
  assert.equal(await digestAt(target, 'mirror/library/app:v1'), built.digest);
  const skippedWhenFinished = s.events('sync-tick-skipped', host).length;
  await until(() => s.events('sync-run-started', host).length === 2, 'the next tick to start a run');
  assert.equal(s.events('sync-run-started', host)[1]?.trigger, 'schedule');
  await until(() => s.events('sync-tick-skipped', host).length > skippedWhenFinished, 'the new run to block too, and a tick to be skipped');

  // Pause cancels the blocked run at once: its script is stopped, the run ends cancelled.
  const paused = await s.api(`/ops?sync=${host}&action=pause`);
  assert.deepEqual([paused.status, paused.json], [200, { hostname: host, state: 'paused', cancelledRun: true }]);
  const cancelled = s.events('sync-run-finished', host)[1];
  assert.deepEqual([cancelled?.result, cancelled?.copied], ['cancelled', 0]);
  assert.equal(scriptWaiting(), false, "the cancelled run's script is gone");

  // Resume: a new run blocks on the script again; SIGTERM ends it within the 1 s grace period, exit 0.
  const resumed = await s.api(`/ops?sync=${host}&action=resume`);
  assert.equal(resumed.json.state, 'scheduled');
  await until(() => s.events('sync-run-started', host).length === 3, 'a run after resume');
  const skippedAtThirdRun = s.events('sync-tick-skipped', host).length;
  await until(() => s.events('sync-tick-skipped', host).length > skippedAtThirdRun, 'the third run to block on its script');
  assert.equal(s.events('sync-run-finished', host).length, 2);
  const stopped = await s.stop();
  assert.equal(stopped.code, 0, s.stderr);
  assert.deepEqual(
    s.events('sync-run-finished', host).map((l) => l.result),
    ['succeeded', 'cancelled', 'cancelled'],
  );
  assert.equal(scriptWaiting(), false, 'no script left behind by the stop');
  assert.equal(
    s.rawLines.some((l) => l.includes(TOKEN)),
    false,
  );
  server = undefined;
});
