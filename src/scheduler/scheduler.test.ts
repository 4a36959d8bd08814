import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import { ScheduleError } from './schedule-error.js';
import { Scheduler } from './scheduler.js';
import { ControlledRunner, eventsOf, ManualTickers, outcome, registryConfig, until } from './scheduler-test-kit.js';

function setup(options: { store?: SqliteRunStore } = {}) {
  const store = options.store ?? SqliteRunStore.open(':memory:');
  const tickers = new ManualTickers();
  const runner = new ControlledRunner();
  const events: unknown[] = [];
  const scheduler = new Scheduler({ store, runner: runner.runner, tickers: tickers.factory, emit: (e) => events.push(e) });
  return { store, tickers, runner, events, scheduler };
}

const UTC = { timezone: 'UTC', runOnStart: false };

test('a tick runs the registry; a tick during that run is skipped and counted', async () => {
  const { store, tickers, runner, events, scheduler } = setup();
  await scheduler.start([registryConfig('a.example', '*/2 * * * * *')], UTC);
  const sync = scheduler.get('a.example');
  assert.equal(sync?.state, 'scheduled');
  assert.equal(runner.runs.length, 0, 'runOnStart off: waits for the first tick');
  const ticker = tickers.live('*/2 * * * * *');
  assert.equal(ticker.timezone, 'UTC');

  ticker.fire();
  assert.equal(sync.state, 'running');
  ticker.fire();
  ticker.fire();
  await until(() => runner.runs.length === 1, 'the first run');
  assert.equal(runner.runs.length, 1, 'no overlapping run');
  assert.equal(sync.skippedTicks, 2);
  assert.deepEqual(
    eventsOf(events, 'sync-tick-skipped').map((e) => e.skippedTicks),
    [1, 2],
  );

  runner.runs[0]?.finish(outcome('a.example', { copied: 3, bytes: 42 }));
  await sync.idle();
  assert.equal(sync.state, 'scheduled');
  ticker.fire();
  await until(() => runner.runs.length === 2, 'the second run');
  runner.runs[1]?.finish(outcome('a.example', { ok: false, failed: 1, scriptError: 'script exited 3' }));
  await sync.idle();

  const runs = await store.listRuns('a.example', 10);
  assert.deepEqual(
    runs.map((r) => [r.trigger, r.result, r.error]),
    [
      ['schedule', 'failed', 'script exited 3'],
      ['schedule', 'succeeded', null],
    ],
  );
  assert.equal(runs[1]?.copied, 3);
  assert.equal(runs[1].bytes, 42);
  const finished = eventsOf(events, 'sync-run-finished');
  assert.deepEqual(
    finished.map((e) => e.result),
    ['succeeded', 'failed'],
  );
});

test('runOnStart starts a first run at once, for every unpaused registry', async () => {
  const { runner, scheduler, store } = setup();
  await store.setPaused('paused.example', true, 1);
  await scheduler.start([registryConfig('a.example'), registryConfig('paused.example')], { timezone: 'UTC', runOnStart: true });
  await until(() => runner.runs.length === 1, 'the start run');
  assert.equal(runner.runs[0]?.registry.hostname, 'a.example');
  assert.equal(scheduler.get('paused.example')?.state, 'paused');
  assert.equal(scheduler.get('paused.example')?.nextRun(), null);
  runner.runs[0].finish();
  await scheduler.get('a.example')?.idle();
  assert.equal((await store.listRuns('a.example', 1))[0]?.trigger, 'start');
});

test('pause cancels the running run through its signal, survives a restart; resume schedules again', async () => {
  const store = SqliteRunStore.open(':memory:');
  const first = setup({ store });
  await first.scheduler.start([registryConfig('a.example')], UTC);
  const sync = first.scheduler.get('a.example');
  first.tickers.live('*/5 * * * *').fire();
  await until(() => first.runner.runs.length === 1, 'a run');
  const running = first.runner.runs[0];

  await sync?.pause();
  assert.equal(running?.signal.aborted, true);
  assert.equal(sync?.state, 'paused');
  assert.equal(sync.nextRun(), null);
  assert.equal((await store.listRuns('a.example', 1))[0]?.result, 'cancelled');
  assert.deepEqual(
    eventsOf(first.events, 'sync-paused').map((e) => e.cancelledRun),
    [true],
  );
  assert.equal(
    first.tickers.made.every((t) => t.stopped),
    true,
    'no ticker left running',
  );
  assert.deepEqual(sync.runNow(), { started: false, reason: 'paused' });
  await first.scheduler.stop(0);

  const second = setup({ store });
  await second.scheduler.start([registryConfig('a.example')], { timezone: 'UTC', runOnStart: true });
  const again = second.scheduler.get('a.example');
  assert.equal(again?.state, 'paused', 'pause state came from the store');
  assert.equal(second.runner.runs.length, 0);
  assert.equal(second.tickers.made.length, 0);

  const next = await again.resume();
  assert.deepEqual(next, new Date(Date.UTC(2030, 0, 1)));
  assert.deepEqual(await store.pausedRegistries(), []);
  second.tickers.live('*/5 * * * *').fire();
  await until(() => second.runner.runs.length === 1, 'a run after resume');
  second.runner.runs[0]?.finish();
  await again.idle();
});

test('runNow starts a manual run, refuses a second one while it goes', async () => {
  const { runner, scheduler, store } = setup();
  await scheduler.start([registryConfig('a.example')], UTC);
  const sync = scheduler.get('a.example');
  assert.deepEqual(sync?.runNow(), { started: true });
  assert.deepEqual(sync.runNow(), { started: false, reason: 'running' });
  await until(() => runner.runs.length === 1, 'the manual run');
  runner.runs[0]?.finish(new Error('runner blew up'));
  await sync.idle();
  const [run] = await store.listRuns('a.example', 1);
  assert.equal(run?.trigger, 'manual');
  assert.equal(run.result, 'failed');
  assert.equal(run.error, 'runner blew up');
});

test('reload keeps state of registries that stay, stops removed ones, starts added ones', async () => {
  const { tickers, runner, events, scheduler } = setup();
  await scheduler.start([registryConfig('keep.example', '0 * * * *'), registryConfig('gone.example', '1 * * * *')], UTC);
  tickers.live('0 * * * *').fire();
  tickers.live('0 * * * *').fire();
  tickers.live('1 * * * *').fire();
  await until(() => runner.runs.length === 2, 'both runs');
  const goneRun = runner.runs.find((r) => r.registry.hostname === 'gone.example');

  const summary = await scheduler.reload([registryConfig('keep.example', '30 * * * *'), registryConfig('new.example', '2 * * * *')], {
    timezone: 'Europe/Berlin',
    runOnStart: true,
  });
  assert.deepEqual(summary, { added: ['new.example'], removed: ['gone.example'], kept: ['keep.example'] });
  assert.equal(goneRun?.signal.aborted, true, 'a removed registry stops its run');
  assert.equal(scheduler.get('gone.example'), undefined);
  const kept = scheduler.get('keep.example');
  assert.equal(kept?.state, 'running', 'the kept registry carries on with its run');
  assert.equal(kept.skippedTicks, 1);
  assert.equal(kept.registry.syncPeriod, '30 * * * *');
  assert.equal(tickers.live('30 * * * *').timezone, 'Europe/Berlin');
  assert.equal(tickers.made.find((t) => t.pattern === '0 * * * *')?.stopped, true);
  await until(() => runner.runs.some((r) => r.registry.hostname === 'new.example'), 'the added registry runs on start');
  assert.deepEqual(
    eventsOf(events, 'sync-removed').map((e) => e.registry),
    ['gone.example'],
  );

  await assert.rejects(
    scheduler.reload([registryConfig('keep.example', 'not a cron'), registryConfig('x.example', '* * * *')], UTC),
    (e: unknown) =>
      e instanceof ScheduleError &&
      e.problems.length === 2 &&
      e.message.includes('x.example: syncPeriod: cron needs 5 fields (or 6 with seconds), got 4'),
  );
  assert.deepEqual(
    scheduler
      .list()
      .map((s) => s.hostname)
      .sort(),
    ['keep.example', 'new.example'],
    'a broken reload changes nothing',
  );
  assert.equal(scheduler.get('keep.example')?.registry.syncPeriod, '30 * * * *');
  for (const run of runner.runs) run.finish();
  await scheduler.stop(0);
});

test('stop lets a run finish within the grace period, aborts it after', async () => {
  const { runner, scheduler, store } = setup();
  await scheduler.start([registryConfig('quick.example'), registryConfig('slow.example', '3 * * * *')], {
    timezone: 'UTC',
    runOnStart: true,
  });
  await until(() => runner.runs.length === 2, 'two runs');
  const [quick, slow] = ['quick.example', 'slow.example'].map((h) => runner.runs.find((r) => r.registry.hostname === h));
  const stopping = scheduler.stop(200);
  quick?.finish();
  await stopping;
  assert.equal(quick?.signal.aborted, false);
  assert.equal(slow?.signal.aborted, true);
  assert.equal((await store.listRuns('quick.example', 1))[0]?.result, 'succeeded');
  assert.equal((await store.listRuns('slow.example', 1))[0]?.result, 'cancelled');
  assert.deepEqual(
    scheduler.list().map((s) => s.state),
    ['stopped', 'stopped'],
  );
  assert.deepEqual(scheduler.get('quick.example')?.runNow(), { started: false, reason: 'stopped' });
});

test('stop drains at once: the run is told to start no new image, and is aborted only if the grace runs out', async () => {
  const { runner, scheduler, store } = setup();
  await scheduler.start([registryConfig('a.example')], { timezone: 'UTC', runOnStart: true });
  await until(() => runner.runs.length === 1, 'the start run');
  const [run] = runner.runs;
  assert.equal(run?.drain?.aborted, false);
  const stopping = scheduler.stop(60_000);
  assert.equal(run.drain.aborted, true, 'no new image starts during the grace period');
  assert.equal(run.signal.aborted, false, 'images under way may finish');
  run.finish(outcome('a.example', { copied: 1, cancelled: 2 }));
  await stopping;
  assert.equal(run.signal.aborted, false);
  const [stored] = await store.listRuns('a.example', 1);
  assert.deepEqual(
    [stored?.result, stored?.copied, stored?.failed, stored?.cancelled],
    ['cancelled', 1, 0, 2],
    'images left unstarted make the run cancelled',
  );
});

test('a registry without syncPeriod is unscheduled: it runs on start and on demand only', async () => {
  const { runner, scheduler, tickers } = setup();
  await scheduler.start([{ ...registryConfig('manual.example'), syncPeriod: undefined }], { timezone: 'UTC', runOnStart: true });
  const sync = scheduler.get('manual.example');
  await until(() => runner.runs.length === 1, 'the start run');
  runner.runs[0]?.finish();
  await sync?.idle();
  assert.equal(sync?.state, 'unscheduled');
  assert.equal(sync.nextRun(), null);
  assert.equal(tickers.made.length, 0);
  assert.deepEqual(sync.runNow(), { started: true });
  await until(() => runner.runs.length === 2, 'the manual run');
  runner.runs[1]?.finish();
  await sync.idle();
});
