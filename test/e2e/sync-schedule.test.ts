import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import {
  pushImage,
  skopeoInspectRaw,
  startRegistry,
  type BuiltImage,
  type ImageSpec,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { dockerImage, ociImage } from './fixtures.js';
import { apiPort, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

const TOKEN = 'schedule-test-api-token-7c1f';
const changedApp: ImageSpec = {
  kind: 'image',
  format: 'oci',
  layers: [{ seed: 'schedule-changed', size: 64 * 1024 }],
  platform: { os: 'linux', architecture: 'amd64' },
};

let source: TestRegistry;
let targetA: TestRegistry;
let targetB: TestRegistry;
let dir: string;
let port: number;
let appV1: BuiltImage;
let server: SyncProcess | undefined;

function configFor(extraImagesForB: string[] = []) {
  return {
    registries: [
      {
        hostname: targetA.host,
        repository: 'mirror-a',
        images: [`${source.host}/library/app:v1`],
        syncPeriod: '*/1 * * * * *',
        pushAuthConfig: `${targetA.username}:${targetA.password}`,
      },
      {
        hostname: targetB.host,
        repository: 'mirror-b',
        images: [`${source.host}/library/other:v1`, ...extraImagesForB],
        syncPeriod: '*/1 * * * * *',
      },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: `${dir}/state/picture-book.db` },
    sync: { runOnStart: false, gracePeriodSeconds: 5 },
  };
}

const digestAt = async (registry: TestRegistry, ref: string): Promise<string | undefined> =>
  (await skopeoInspectRaw(`${registry.host}/${ref}`, registry).catch(() => undefined))?.digest;
const finishedRuns = (s: SyncProcess, host: string) => s.events('sync-run-finished', host).length;

before(async () => {
  [source, targetA, targetB] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' }), startRegistry()]);
  dir = await makeTempDir('sync-schedule');
  port = await apiPort();
  [appV1] = await Promise.all([pushImage(ociImage, source, 'library/app:v1'), pushImage(dockerImage, source, 'library/other:v1')]);
});

after(async () => {
  const started = startedSoFar({ source, targetA, targetB });
  if (server) await server.kill();
  await Promise.all([started.source?.stop(), started.targetA?.stop(), started.targetB?.stop()]);
});

test('sync mirrors on a 6-field schedule; pause holds (checked on the target), resume catches up; details, lists, metrics, redaction, reload, restart', async () => {
  const file = await writeConfig(dir, configFor());
  server = await startSync(file, { port, token: TOKEN, cwd: dir });
  const s = server;
  const metricsBefore = (await s.api('/metrics')).text;
  assert.doesNotMatch(metricsBefore, new RegExp(`picture_book_sync_runs_total\\{registry="${targetA.host}"`));

  // Scheduled runs mirror both registries (runOnStart is off: the first tick does it).
  await until(
    async () => (await digestAt(targetA, 'mirror-a/library/app:v1')) === appV1.digest,
    'the first scheduled run to mirror app:v1 into A',
  );
  await until(() => finishedRuns(s, targetB.host) >= 2, 'two runs of B');
  const started = s.events('sync-run-started', targetA.host);
  assert.equal(started[0]?.trigger, 'schedule');

  const active = await s.api('/list?type=active');
  assert.equal(active.status, 200);
  const a = active.json.synchronizers.find((x: { hostname: string }) => x.hostname === targetA.host);
  assert.equal(a.schedule, '*/1 * * * * *');
  assert.equal(a.timezone, 'UTC');
  assert.ok(a.runs >= 1);
  assert.match(a.nextRun, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  const configured = await s.api('/list?type=configured');
  assert.deepEqual(
    configured.json.registries.map((r: { hostname: string }) => r.hostname),
    [targetA.host, targetB.host],
  );
  const details = await s.api(`/ops?sync=${targetA.host}&action=details`);
  assert.equal(details.json.registry.pushAuth.password, '***');
  assert.equal(details.json.recentRuns.find((r: { copied: number }) => r.copied === 1)?.result, 'succeeded');

  const metrics = (await s.api('/metrics')).text;
  assert.match(metrics, new RegExp(`picture_book_sync_runs_total\\{registry="${targetA.host}",result="succeeded"\\} [1-9]`));
  assert.match(metrics, new RegExp(`picture_book_sync_images_total\\{registry="${targetA.host}",status="copied"\\} 1\\n`));
  assert.match(metrics, new RegExp(`picture_book_sync_bytes_total\\{registry="${targetA.host}"\\} [1-9]\\d*`));

  // Pause A, change its source image: B keeps running, A's target keeps the old digest.
  const paused = await s.api(`/ops?sync=${targetA.host}&action=pause`);
  assert.equal(paused.json.state, 'paused');
  const runsOfAWhenPaused = finishedRuns(s, targetA.host);
  const changed = await pushImage(changedApp, source, 'library/app:v1');
  const bRuns = finishedRuns(s, targetB.host);
  await until(() => finishedRuns(s, targetB.host) >= bRuns + 3, 'three more runs of B while A is paused');
  assert.equal(finishedRuns(s, targetA.host), runsOfAWhenPaused, 'no run of A while paused');
  assert.equal(await digestAt(targetA, 'mirror-a/library/app:v1'), appV1.digest);
  const pausedView = (await s.api('/list?type=active')).json.synchronizers.find((x: { hostname: string }) => x.hostname === targetA.host);
  assert.equal(pausedView.state, 'paused');
  assert.equal(pausedView.nextRun, null);

  // A broken config change is rejected, the running one stays; a good one is applied.
  await writeFile(file, 'registries: [ {hostname: ');
  await s.waitForLog((l) => l.event === 'config-rejected', 'the broken config to be rejected');
  assert.equal((await s.api('/list?type=active')).json.synchronizers.length, 2);
  const otherV1 = `${source.host}/library/app:v1`;
  await writeConfig(dir, configFor([otherV1]));
  await s.waitForLog((l) => l.event === 'config-reloaded', 'the fixed config to be reloaded');
  await until(
    async () => (await digestAt(targetB, 'mirror-b/library/app:v1')) === changed.digest,
    'B to mirror the image added by the reload',
  );
  assert.equal(
    (await s.api('/list?type=active')).json.synchronizers.find((x: { hostname: string }) => x.hostname === targetA.host).state,
    'paused',
    'a reload keeps the pause',
  );

  // Restart while paused: the pause and the history survive.
  const stopped = await s.stop();
  assert.equal(stopped.code, 0, s.stderr);
  server = await startSync(file, { port, token: TOKEN, cwd: dir });
  const again = server;
  const afterRestart = (await again.api('/list?type=active')).json.synchronizers.find(
    (x: { hostname: string }) => x.hostname === targetA.host,
  );
  assert.equal(afterRestart.state, 'paused');
  assert.ok(afterRestart.runs >= runsOfAWhenPaused, 'run history survived the restart');
  await until(() => finishedRuns(again, targetB.host) >= 2, 'B running after the restart');
  assert.equal(finishedRuns(again, targetA.host), 0);
  assert.equal(await digestAt(targetA, 'mirror-a/library/app:v1'), appV1.digest);

  // Resume: A catches up with the changed source.
  const resumed = await again.api(`/ops?sync=${targetA.host}&action=resume`);
  assert.equal(resumed.status, 200);
  assert.equal(resumed.json.state, 'scheduled');
  assert.ok(Date.parse(resumed.json.nextRun) - Date.now() <= 1500, 'next run within the second');
  await until(
    async () => (await digestAt(targetA, 'mirror-a/library/app:v1')) === changed.digest,
    'A to mirror the changed image after resume',
  );

  // No secret from the config in any answer or log line.
  const answers = [
    metricsBefore,
    metrics,
    active.text,
    configured.text,
    details.text,
    paused.text,
    resumed.text,
    (await again.api('/openapi.json')).text,
  ];
  const lines = [...s.rawLines, ...again.rawLines];
  for (const secret of [TOKEN, targetA.password ?? '']) {
    assert.ok(secret.length > 8);
    for (const text of [...answers, ...lines, s.stderr, again.stderr])
      assert.equal(text.includes(secret), false, `secret leaked in: ${text.slice(0, 200)}`);
  }
  assert.ok(
    lines.every((l) => typeof JSON.parse(l).msg === 'string'),
    'one JSON object per log line',
  );
  const finalStop = await again.stop();
  assert.equal(finalStop.code, 0);
  server = undefined;
});
