import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeTempDir } from '../harness/procs.js';
import { pushRawImage, skopeo, skopeoListTags, startRegistry, type TestRegistry, startedSoFar } from '../harness/index.js';
import { apiPort, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * `picture-book sync` with a `prune:` rule: the guard stops a run's prune, the API's
 * action=prune-confirm lifts it for one run, and the deletion shows in details and /metrics.
 */

const TOKEN = 'sync-prune-api-token-81c3';

let source: TestRegistry;
let target: TestRegistry;
let dir: string;
let server: SyncProcess | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  dir = await makeTempDir('sync-prune');
  for (const tag of ['v1', 'v2', 'v3']) await pushRawImage(source, `team/app:${tag}`, { seed: `sync-prune ${tag}` });
});

after(async () => {
  const started = startedSoFar({ source, target });
  if (server) await server.kill();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('sync: the guard holds a prune, action=prune-confirm lifts it once; details and /metrics show the deletion', async () => {
  const port = await apiPort();
  const file = await writeConfig(dir, {
    registries: [
      { hostname: target.host, repository: 'm', mirrors: [{ source: `${source.host}/team/app`, prune: true }], syncPeriod: '0 0 1 1 *' },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: `${dir}/state.db` },
    sync: { runOnStart: true },
  });
  const s = (server = await startSync(file, { port, token: TOKEN, cwd: dir }));
  const finished = () => s.events('sync-run-finished', target.host);
  await until(() => finished().length === 1, 'the first run to finish');
  assert.deepEqual((await skopeoListTags(`${target.host}/m/team/app`, target)).sort(), ['v1', 'v2', 'v3']);
  await skopeo(['delete', ...source.skopeoFlags('plain'), `docker://${source.host}/team/app:v2`]);

  const run = await s.api(`/ops?sync=${target.host}&action=run`, { method: 'POST' });
  assert.equal(run.status, 202, run.text);
  await until(() => finished().length === 2, 'the guarded run to finish');
  assert.equal(finished()[1]?.result, 'failed', 'a held prune fails the run');
  assert.match(
    String(finished()[1]?.error),
    /1 selection error\(s\), the first: mirrors\[0\]: prune stopped by its guard: it would delete 1 tag/,
  );
  assert.deepEqual((await skopeoListTags(`${target.host}/m/team/app`, target)).sort(), ['v1', 'v2', 'v3'], 'nothing deleted');
  const guarded = (await s.api(`/api/sync/runs?registry=${target.host}&limit=1`)).json.runs[0].id;
  const held = (await s.api(`/api/sync/runs/${guarded}`)).json.prunes;
  assert.deepEqual(
    held.map((p: { target: string; outcome: string }) => [p.target, p.outcome]),
    [[`${target.host}/m/team/app:v2`, 'kept']],
    "the held prune is in the run's detail",
  );
  assert.match(held[0].reason, /^gone from the source; held by the guard \(/);

  const confirm = await s.api(`/ops?sync=${target.host}&action=prune-confirm`, { method: 'POST' });
  assert.equal(confirm.status, 202, confirm.text);
  await until(() => finished().length === 3, 'the confirmed run to finish');
  assert.equal(finished()[2]?.result, 'succeeded');
  assert.deepEqual((await skopeoListTags(`${target.host}/m/team/app`, target)).sort(), ['v1', 'v3']);

  const details = await s.api(`/ops?sync=${target.host}&action=details`);
  assert.equal(details.status, 200, details.text);
  const [pruned] = details.json.recentPrunes;
  assert.deepEqual(
    [pruned.rule, pruned.target, pruned.reason, pruned.runId],
    ['mirrors[0]', `${target.host}/m/team/app:v2`, 'gone from the source', details.json.recentRuns[0].id],
  );
  const confirmed = (await s.api(`/api/sync/runs/${details.json.recentRuns[0].id}`)).json.prunes;
  assert.deepEqual(
    confirmed.map((p: { target: string; outcome: string; reason: string }) => [p.target, p.outcome, p.reason]),
    [[`${target.host}/m/team/app:v2`, 'deleted', 'gone from the source']],
  );
  assert.deepEqual(
    details.json.recentRuns.map((r: { pruned: number }) => r.pruned),
    [1, 0, 0],
    'the run history counts the deletions of each run',
  );
  const metrics = await s.api('/metrics');
  assert.match(metrics.text, new RegExp(`picture_book_pruned_total\\{registry="${target.host}",rule="mirrors\\[0\\]"\\} 1`));

  const again = await s.api(`/ops?sync=${target.host}&action=run`, { method: 'POST' });
  assert.equal(again.status, 202, again.text);
  await until(() => finished().length === 4, 'a fourth run to finish');
  assert.equal(finished()[3]?.result, 'succeeded', 'nothing left to prune');
});
