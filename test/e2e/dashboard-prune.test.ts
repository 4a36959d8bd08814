import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { makeTempDir } from '../harness/procs.js';
import { pushRawImage, skopeo, skopeoListTags, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { launchChromium, watchedPage } from './browser-kit.js';
import { signIn } from './dashboard-kit.js';
import { apiPort, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * A run's pruning in its API answer and on its dashboard page (Debian's chromium): the real
 * `picture-book sync` with a `prune:` rule, against real registries with deletes on.
 */

const TOKEN = 'dashboard-prune-token-4d71';

let source: TestRegistry;
let target: TestRegistry;
let server: SyncProcess | undefined;
let browser: Browser | undefined;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  for (const tag of ['v1', 'v2']) await pushRawImage(source, `team/app:${tag}`, { seed: `dashboard-prune ${tag}` });
});

after(async () => {
  // The browser first: its live stream would hold the server's close.
  await browser?.close();
  const started = startedSoFar({ source, target });
  if (server) await server.kill();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

test('a run that prunes a tag lists it in GET /api/sync/runs/:id and in the Pruned section of its page', { timeout: 240_000 }, async () => {
  const dir = await makeTempDir('dashboard-prune');
  const port = await apiPort();
  const file = await writeConfig(dir, {
    registries: [
      {
        hostname: target.host,
        repository: 'm',
        // No guard in the way: one tag of two is half the rule's tags.
        mirrors: [{ source: `${source.host}/team/app`, prune: { maxFraction: 1 } }],
        syncPeriod: '0 0 1 1 *',
      },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: `${dir}/state.db` },
    sync: { runOnStart: true },
  });
  const s = (server = await startSync(file, { port, token: TOKEN, cwd: dir }));
  const finished = () => s.events('sync-run-finished', target.host);
  await until(() => finished().length === 1, 'the first run to finish');
  const firstId = (await s.api(`/api/sync/runs?registry=${target.host}`)).json.runs[0].id as number;
  const copied = (await s.api(`/api/sync/runs/${firstId}`)).json;
  const v2 = copied.images.find((i: { target: string }) => i.target.endsWith(':v2'));
  assert.match(String(v2?.digest), /^sha256:/, 'the first run copied v2');
  assert.deepEqual(copied.prunes, [], 'the first run pruned nothing');

  await skopeo(['delete', ...source.skopeoFlags('plain'), `docker://${source.host}/team/app:v2`]);
  const run = await s.api(`/ops?sync=${target.host}&action=run`, { method: 'POST' });
  assert.equal(run.status, 202, run.text);
  await until(() => finished().length === 2, 'the pruning run to finish');
  assert.deepEqual(await skopeoListTags(`${target.host}/m/team/app`, target), ['v1'], 'v2 was pruned');

  const runs = (await s.api(`/api/sync/runs?registry=${target.host}`)).json.runs as Array<{ id: number; pruned: number }>;
  const [pruning, first] = runs;
  assert.ok(pruning && first, 'two runs');
  assert.equal(pruning.pruned, 1);
  const detail = await s.api(`/api/sync/runs/${pruning.id}`);
  assert.equal(detail.status, 200, detail.text);
  assert.deepEqual(
    detail.json.prunes.map((p: Record<string, unknown>) => ({ ...p, at: typeof p.at })),
    [
      {
        rule: 'mirrors[0]',
        target: `${target.host}/m/team/app:v2`,
        digest: v2.digest,
        outcome: 'deleted',
        reason: 'gone from the source',
        at: 'string',
      },
    ],
  );

  browser = await launchChromium();
  const { page, problems } = await watchedPage(browser);
  await signIn(page, `http://127.0.0.1:${port}/ui/#/run/${pruning.id}`, TOKEN);
  const row = page.locator('.pruned table.prunes tbody tr');
  await row.waitFor();
  assert.equal(await page.locator('.pruned h2').textContent(), 'Pruned');
  assert.equal(await row.count(), 1);
  assert.deepEqual(await row.locator('td').allTextContents(), [
    'deleted',
    `${target.host}/m/team/app:v2`,
    `${String(v2.digest).slice(0, 19)}…`,
    'mirrors[0]: gone from the source',
  ]);
  assert.equal(await row.locator('td[data-label="Digest"]').getAttribute('title'), v2.digest, 'the whole digest on hover');
  // Each outcome its own look: neither a deletion nor a kept tag looks like a cancelled run.
  const looks = JSON.parse(
    String(
      await page.evaluate(`(() => {
        const look = (e) => { const s = getComputedStyle(e); return [s.backgroundColor, s.color, s.boxShadow].join(' '); };
        const deleted = document.querySelector('.pruned table.prunes tbody tr .badge');
        const probe = (result) => {
          const badge = document.createElement('span');
          badge.className = 'badge result-' + result;
          deleted.parentElement.append(badge);
          return look(badge);
        };
        return JSON.stringify({ deleted: look(deleted), kept: probe('kept'), cancelled: probe('cancelled') });
      })()`),
    ),
  ) as Record<string, string>;
  assert.equal(new Set(Object.values(looks)).size, 3, `three distinct looks: ${JSON.stringify(looks)}`);

  // The first run pruned nothing: its page has no Pruned section.
  await page.goto(`http://127.0.0.1:${port}/ui/#/run/${first.id}`);
  await page.locator('h1', { hasText: `Run #${first.id}` }).waitFor();
  await page.locator('table.images tbody tr').first().waitFor();
  assert.equal(await page.locator('.pruned').isHidden(), true, 'no Pruned section for a run that pruned nothing');
  assert.deepEqual(problems, [], 'no console errors');
});
