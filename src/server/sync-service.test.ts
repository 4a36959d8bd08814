import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../config/index.js';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import { describeServerEvent } from './describe-server-event.js';
import { SyncService, type ServerEvent } from './sync-service.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A temp dir, an in-memory store and the events of the service a test starts; the service stops and the dir goes after it. */
async function serviceFixture(t: TestContext, prefix: string) {
  const fixture = {
    dir: await mkdtemp(join(tmpdir(), prefix)),
    store: SqliteRunStore.open(':memory:'),
    events: [] as ServerEvent[],
    service: undefined as SyncService | undefined,
  };
  t.after(async () => {
    await fixture.service?.stop();
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}

test('at start the service prunes ended runs and jobs older than state.retentionDays, keeps the rest, and says so', async (t) => {
  const fixture = await serviceFixture(t, 'pb-retention-');
  const { dir, store, events } = fixture;
  const now = Date.now();
  const ended = { result: 'succeeded' as const, copied: 0, upToDate: 1, failed: 0, bytes: 0, images: [] };
  const old = await store.startRun('mirror.example', 'schedule', now - 40 * DAY_MS);
  await store.finishRun(old, { ...ended, endedAt: now - 40 * DAY_MS + 1000 });
  const recent = await store.startRun('mirror.example', 'schedule', now - 10 * DAY_MS);
  await store.finishRun(recent, { ...ended, endedAt: now - 10 * DAY_MS + 1000 });
  await store.createJob('old-job', { source: {} }, now - 40 * DAY_MS);
  await store.startJob('old-job', now - 40 * DAY_MS);
  await store.finishJob('old-job', 'FINISHED', now - 40 * DAY_MS + 1000, { source: {} });

  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    [
      'registries:',
      '  - hostname: mirror.example',
      '    images: [127.0.0.1:9/app:v1]',
      'state: {retentionDays: 30}',
      'sync: {runOnStart: false}',
      '',
    ].join('\n'),
  );
  const { config } = await loadConfig(file);
  fixture.service = await SyncService.start(config, { store, emit: (e) => events.push(e) });

  assert.deepEqual(
    (await store.listRuns('mirror.example', 10)).map((r) => r.id),
    [recent],
  );
  assert.equal(await store.getJob('old-job'), undefined);
  const pruned = events.find((e) => e.type === 'history-pruned');
  assert.deepEqual(pruned && { runs: pruned.runs, jobs: pruned.jobs }, { runs: 1, jobs: 1 });
});

test('a registry whose last two runs died with the process gets no run at start; the run is marked failed with the reason', async (t) => {
  const fixture = await serviceFixture(t, 'pb-crash-loop-');
  const { dir, store, events } = fixture;
  // Two earlier processes died during a run of looping.example; steady.example's crash was once.
  const now = Date.now();
  await store.startRun('looping.example', 'start', now - 2000);
  await store.closeInterruptedRuns(now - 1500);
  const second = await store.startRun('looping.example', 'start', now - 1000);
  await store.startRun('steady.example', 'start', now - 1000);
  const file = join(dir, 'config.yaml');
  const registry = (host: string) => [`  - hostname: ${host}`, '    images: [127.0.0.1:9/app:v1]'];
  await writeFile(
    file,
    ['registries:', ...registry('looping.example'), ...registry('steady.example'), 'sync: {runOnStart: true}', ''].join('\n'),
  );
  const { config } = await loadConfig(file);
  const started: string[] = [];
  const runner = async (r: { hostname: string }) => {
    started.push(r.hostname);
    return {
      registry: r.hostname,
      ok: true,
      copied: 0,
      upToDate: 0,
      failed: 0,
      cancelled: 0,
      bytes: 0,
      startedAt: 0,
      durationMs: 0,
      invalidLines: [],
      selectionProblems: [],
      images: [],
      referrers: { copied: 0, present: 0, failed: 0 },
    };
  };
  const service = (fixture.service = await SyncService.start(config, { store, emit: (e) => events.push(e), runner }));
  await service.scheduler.get('steady.example')?.idle();
  assert.deepEqual(started, ['steady.example'], 'the crash-looping registry was not run at start');
  const run = await store.getRun(second);
  assert.deepEqual([run?.result, run?.error], ['failed', 'interrupted by a crash 2 times; not resumed']);
  const notResumed = events.filter((e) => e.type === 'work-not-resumed');
  assert.deepEqual(
    notResumed.map((e) => e.kind === 'run' && [e.registry, e.runId]),
    [['looping.example', second]],
  );
  assert.equal(service.scheduler.get('looping.example')?.state, 'unscheduled', 'still configured, runs on demand');
});

test('a reload says which registries were added, removed or changed (which keys) and which sources and settings changed, never a value', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-reload-diff-'));
  const events: ServerEvent[] = [];
  let service: SyncService | undefined;
  const env = { OLD_PW: 'old-push-pw-61a2', NEW_PW: 'new-push-pw-83b4' };
  Object.assign(process.env, env);
  t.after(async () => {
    for (const name of Object.keys(env)) delete process.env[name];
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'config.yaml');
  const write = (lines: string[]) =>
    writeFile(file, [...lines, `state: {path: ${join(dir, 'state.db')}}`, 'sync: {runOnStart: false}', ''].join('\n'));
  await write([
    'registries:',
    "  - {hostname: steady.example, images: ['127.0.0.1:9/app:v1']}",
    "  - {hostname: retimed.example, images: ['127.0.0.1:9/app:v1'], syncPeriod: '0 * * * *'}",
    "  - {hostname: repassed.example, images: ['127.0.0.1:9/app:v1'], pushAuthConfig: 'pusher:${OLD_PW}'}",
    "  - {hostname: gone.example, images: ['127.0.0.1:9/app:v1']}",
    "sources: {'src.example': {tlsVerify: false}}",
    'api: {authToken: first-token-1234}',
  ]);
  const { config } = await loadConfig(file);
  service = await SyncService.start(config, { emit: (e) => events.push(e) });
  await write([
    'registries:',
    "  - {hostname: steady.example, images: ['127.0.0.1:9/app:v1']}",
    "  - {hostname: retimed.example, images: ['127.0.0.1:9/app:v1', '127.0.0.1:9/other:v1'], syncPeriod: '30 * * * *'}",
    "  - {hostname: repassed.example, images: ['127.0.0.1:9/app:v1'], pushAuthConfig: 'pusher:${NEW_PW}', mirrors: [{source: 'src.example/team/'}]}",
    "  - {hostname: new.example, images: ['127.0.0.1:9/app:v1']}",
    "sources: {'src.example': {tlsVerify: true}, 'added.example': {insecure: true}}",
    'api: {authToken: second-token-5678}',
  ]);
  assert.equal(await service.reload(), true);
  const reloaded = events.find((e) => e.type === 'config-reloaded');
  assert.ok(reloaded);
  assert.deepEqual(reloaded.changed, [
    { registry: 'retimed.example', keys: ['syncPeriod', 'images'] },
    { registry: 'repassed.example', keys: ['pushAuthConfig', 'mirrors'] },
  ]);
  assert.deepEqual([reloaded.added, reloaded.removed, reloaded.unchanged], [['new.example'], ['gone.example'], ['steady.example']]);
  assert.deepEqual(reloaded.sources, { added: ['added.example'], removed: [], changed: [{ host: 'src.example', keys: ['tlsVerify'] }] });
  assert.deepEqual(reloaded.settings, ['api.authToken']);
  const line = describeServerEvent(reloaded);
  assert.equal(
    line,
    'configuration reloaded: 1 added (new.example), 1 removed (gone.example), 2 changed (retimed.example: syncPeriod, images; repassed.example: pushAuthConfig, mirrors), 1 unchanged; sources: 1 added (added.example), 0 removed, 1 changed (src.example: tlsVerify); settings changed: api.authToken',
  );
  const everything = JSON.stringify(reloaded) + line;
  for (const secret of [...Object.values(env), 'first-token-1234', 'second-token-5678'])
    assert.equal(everything.includes(secret), false, secret);
});
