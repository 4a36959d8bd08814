import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { apiPort, startSync, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * An image a platform filter that skips leaves out (`missingPlatforms: skip`) is counted as skipped
 * wherever a sync run's other outcomes are: the run-finished event and log line, the stored history
 * (`/api/sync/runs`, `details`, the image with its note in `/api/sync/runs/{id}`) and `/metrics`.
 */

const TOKEN = 'sync-platform-skips-token-7f3a';

let source: TestRegistry;
let target: TestRegistry;
let dir: string;
let server: SyncProcess | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await makeTempDir('sync-platform-skips');
  await pushImage(ociIndex, source, 'team/multi:v1');
  await pushImage(ociImage, source, 'team/single:v1');
});

after(async () => {
  const started = startedSoFar({ source, target });
  if (server) await server.kill();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('a platform-skipped image is counted as skipped, with its note, in the run event, the stored history and the metrics', async () => {
  const port = await apiPort();
  const file = await writeConfig(dir, {
    registries: [
      {
        hostname: target.host,
        repository: 'm',
        referrers: false,
        syncPeriod: '0 0 1 1 *',
        mirrors: [
          // The index has arm64: copied. The single image is amd64: skipped.
          { source: `${source.host}/team/multi:v1`, platforms: ['linux/arm64'], missingPlatforms: 'skip' },
          { source: `${source.host}/team/single:v1`, platforms: ['linux/arm64'], missingPlatforms: 'skip' },
        ],
      },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: `${dir}/state.db` },
    sync: { runOnStart: true },
  });
  const s = (server = await startSync(file, { port, token: TOKEN, cwd: dir }));
  const finished = await s.waitForLog((l) => l.event === 'sync-run-finished', 'the first run to finish', 0, 120_000);
  assert.deepEqual([finished.result, finished.copied, finished.upToDate, finished.failed, finished.skipped], ['succeeded', 1, 0, 0, 1]);
  assert.match(finished.msg, /1 copied, 0 up to date, 1 skipped \(platform\), 0 failed/);

  const page = await s.api(`/api/sync/runs?registry=${encodeURIComponent(target.host)}`);
  assert.equal(page.status, 200, page.text);
  const run = page.json.runs[0];
  assert.deepEqual([run.copied, run.upToDate, run.failed, run.cancelled, run.skipped], [1, 0, 0, 0, 1]);

  const detail = await s.api(`/api/sync/runs/${run.id}`);
  assert.equal(detail.status, 200, detail.text);
  assert.equal(detail.json.run.skipped, 1);
  const skipped = detail.json.images.filter((i: { status: string }) => i.status === 'skipped');
  assert.deepEqual(
    skipped.map((i: { source: string }) => i.source),
    [`${source.host}/team/single:v1`],
  );
  assert.match(skipped[0].note, /not linux\/arm64: it is a single-platform linux\/amd64 image/);

  const active = await s.api('/list?type=active');
  assert.equal(active.json.synchronizers[0].lastRun.skipped, 1);

  const metrics = (await s.api('/metrics')).text;
  assert.match(metrics, new RegExp(`picture_book_sync_images_total\\{registry="${target.host}",status="skipped"\\} 1\\n`));
  assert.match(metrics, new RegExp(`picture_book_sync_images_total\\{registry="${target.host}",status="copied"\\} 1\\n`));
});
