import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteRunStore } from '../store/sqlite-run-store.js';
import { Scheduler } from './scheduler.js';
import { ControlledRunner, eventsOf, ManualTickers, registryConfig, until } from './scheduler-test-kit.js';
import type { RunClaim, RunClaims } from './run-claims.js';

/**
 * Claims as ScheduleClaims keeps them in Redis (a key per tick, a lock per registry), in memory:
 * what two servers sharing one store of claims do with them. The Redis side is tested end to end
 * (test/e2e/queue-schedules.test.ts).
 */
class SharedClaims {
  readonly ticks = new Set<string>();
  readonly locks = new Map<string, string>();
  released = 0;

  for(server: string): RunClaims {
    return {
      claim: async (registry, trigger, scheduledAt): Promise<RunClaim | undefined> => {
        if (trigger === 'schedule' && scheduledAt !== undefined) {
          const key = `${registry}@${scheduledAt}`;
          if (this.ticks.has(key)) return undefined;
          this.ticks.add(key);
        }
        if (this.locks.has(registry)) return undefined;
        this.locks.set(registry, server);
        return {
          release: async () => {
            this.released++;
            this.locks.delete(registry);
          },
        };
      },
    };
  }
}

function server(name: string, claims: SharedClaims) {
  const tickers = new ManualTickers();
  const runner = new ControlledRunner();
  const events: unknown[] = [];
  const store = SqliteRunStore.open(':memory:');
  const scheduler = new Scheduler({
    store,
    runner: runner.runner,
    tickers: tickers.factory,
    claims: claims.for(name),
    emit: (e) => events.push(e),
  });
  return { tickers, runner, events, store, scheduler };
}

const PATTERN = '* * * * * *';
const UTC = { timezone: 'UTC', runOnStart: false };

test('two schedulers sharing claims: a tick runs on the one that claimed it; the other records nothing and says where it went', async () => {
  const claims = new SharedClaims();
  const a = server('a', claims);
  const b = server('b', claims);
  await a.scheduler.start([registryConfig('r.example', PATTERN)], UTC);
  await b.scheduler.start([registryConfig('r.example', PATTERN)], UTC);

  a.tickers.live(PATTERN).fire(1_000);
  b.tickers.live(PATTERN).fire(1_000);
  await until(() => a.runner.runs.length === 1 && eventsOf(b.events, 'sync-run-elsewhere').length === 1, 'one run, one tick elsewhere');
  assert.equal(b.runner.runs.length, 0);
  assert.deepEqual(
    eventsOf(b.events, 'sync-run-elsewhere').map((e) => [e.trigger, e.scheduledAt]),
    [['schedule', 1_000]],
  );
  assert.deepEqual(
    eventsOf(a.events, 'sync-run-started').map((e) => [e.trigger, e.scheduledAt]),
    [['schedule', 1_000]],
  );
  assert.equal(b.scheduler.get('r.example')?.state, 'scheduled', 'b is not running it');

  // While a runs, b's next tick (a new one) finds the run lock taken: still no second run.
  b.tickers.live(PATTERN).fire(2_000);
  await until(() => eventsOf(b.events, 'sync-run-elsewhere').length === 2, 'the second tick elsewhere');
  assert.equal(b.runner.runs.length, 0);

  a.runner.runs[0]?.finish();
  await a.scheduler.get('r.example')?.idle();
  assert.equal(claims.released, 1, 'the run lock is released when the run ends');
  b.tickers.live(PATTERN).fire(3_000);
  await until(() => b.runner.runs.length === 1, 'b runs the next tick');
  b.runner.runs[0]?.finish();
  await b.scheduler.get('r.example')?.idle();
  assert.deepEqual(
    [(await a.store.listRuns('r.example', 10)).length, (await b.store.listRuns('r.example', 10)).length],
    [1, 1],
    'each run recorded once, by the server that ran it',
  );
  await Promise.all([a.scheduler.stop(0), b.scheduler.stop(0)]);
  await Promise.all([a.store.close(), b.store.close()]);
});
