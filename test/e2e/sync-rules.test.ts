import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, skopeoInspectRaw, skopeoListTags, startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { apiPort, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * `picture-book sync` runs mirrors: rules with the same code as `load`: every run lists anew, so a
 * tag pushed between two runs is mirrored by the next; the API shows the rules and the runs.
 */

const TOKEN = 'sync-rules-api-token-4d2e';

let source: TestRegistry;
let target: TestRegistry;
let dir: string;
let server: SyncProcess | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await makeTempDir('sync-rules');
  for (const tag of ['v1', 'v2', 'skip-me']) await pushImage(ociImage, source, `team/app:${tag}`);
});

after(async () => {
  const started = startedSoFar({ source, target });
  if (server) await server.kill();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('a sync run with a repository rule copies the selected tags; the next run lists again and picks up a new tag', async () => {
  const rule = { source: `${source.host}/team/app`, tags: { exclude: ['skip-.*'] }, target: 'apps/app' };
  const port = await apiPort();
  const file = await writeConfig(dir, {
    registries: [{ hostname: target.host, repository: 'm', mirrors: [rule], syncPeriod: '0 0 1 1 *' }],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: `${dir}/state.db` },
    sync: { runOnStart: true },
  });
  const s = (server = await startSync(file, { port, token: TOKEN, cwd: dir }));
  const first = await s.waitForLog((l) => l.event === 'sync-run-finished', 'the first run to finish');
  assert.deepEqual([first.result, first.copied, first.failed], ['succeeded', 2, 0]);
  assert.deepEqual((await skopeoListTags(`${target.host}/m/apps/app`, target)).sort(), ['v1', 'v2']);
  const selected = s.events('rule-selected', target.host);
  assert.deepEqual(
    selected.map((l) => [l.rule, l.msg]),
    [['mirrors[0]', `mirrors[0] ${source.host}/team/app: 3 tags, 2 selected (1 dropped by exclude)`]],
  );
  assert.equal(selected[0]?.droppedTags, undefined, 'the server log keeps the counts, not the names');

  const configured = await s.api('/list?type=configured');
  assert.equal(configured.status, 200);
  assert.deepEqual(configured.json.registries[0].mirrors, [rule]);

  await pushImage(ociImage, source, 'team/app:v3');
  const runNow = await s.api(`/ops?sync=${target.host}&action=run`, { method: 'POST' });
  assert.equal(runNow.status, 202, runNow.text);
  await until(() => s.events('sync-run-finished', target.host).length === 2, 'the second run to finish');
  const second = s.events('sync-run-finished', target.host)[1];
  assert.deepEqual([second?.result, second?.copied, second?.upToDate], ['succeeded', 1, 2]);
  assert.equal(
    (await skopeoInspectRaw(`${target.host}/m/apps/app:v3`, target)).digest,
    (await skopeoInspectRaw(`${source.host}/team/app:v3`, source)).digest,
  );
  const details = await s.api(`/ops?sync=${target.host}&action=details`);
  assert.deepEqual(
    details.json.recentRuns.map((r: { trigger: string; result: string; copied: number; upToDate: number }) => [
      r.trigger,
      r.result,
      r.copied,
      r.upToDate,
    ]),
    [
      ['manual', 'succeeded', 1, 2],
      ['start', 'succeeded', 2, 0],
    ],
  );
});

test('a sync run whose rule cannot list fails with the selection error in its history', async () => {
  assert.ok(server);
  const s = server;
  await s.stop();
  server = undefined;
  const port = await apiPort();
  const file = await writeConfig(dir, {
    registries: [{ hostname: target.host, repository: 'n', mirrors: [{ source: `${source.host}/team/missing` }], syncPeriod: '0 0 1 1 *' }],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: `${dir}/state.db` },
    sync: { runOnStart: true },
  });
  const again = (server = await startSync(file, { port, token: TOKEN, cwd: dir }));
  const finished = await again.waitForLog((l) => l.event === 'sync-run-finished', 'the run to finish');
  assert.equal(finished.result, 'failed');
  assert.match(
    String(finished.error),
    new RegExp(`^1 selection error\\(s\\), the first: mirrors\\[0\\]: ${source.host}/team/missing: repository not found`),
  );
  const problem = again.events('selection-problem', target.host)[0];
  assert.deepEqual([problem?.level, problem?.code, problem?.severity], ['warn', 'REPOSITORY_NOT_FOUND', 'error']);
  const details = await again.api(`/ops?sync=${target.host}&action=details`);
  assert.match(details.json.recentRuns[0].error, /selection error/);
});
