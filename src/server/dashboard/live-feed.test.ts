import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DashboardFeed, type FeedMessage } from './live-feed.js';

test('the feed: the state at once, then one message per flush while something changed or a run goes on', (t) => {
  let now = 1000;
  const feed = new DashboardFeed({ now: () => now, intervalMs: 60_000 });
  t.after(() => feed.close());
  feed.observe({ type: 'sync-run-started', registry: 'done.example', runId: 1, trigger: 'start', time: 10 });
  feed.observe({
    type: 'sync-run-finished',
    registry: 'done.example',
    runId: 1,
    trigger: 'start',
    result: 'succeeded',
    copied: 1,
    upToDate: 0,
    failed: 0,
    cancelled: 0,
    bytes: 5,
    durationMs: 5,
    error: undefined,
    time: 15,
  });
  const heard: FeedMessage[] = [];
  const unsubscribe = feed.subscribe((m) => heard.push(m));
  assert.deepEqual(
    heard.map((m) => [m.time, m.runs.map((r) => [r.registry, r.phase]), m.changed]),
    [[1000, [['done.example', 'done']], { overview: false, registries: [], jobs: false }]],
    'a new listener hears every live run, ended ones too',
  );

  feed.flush();
  assert.equal(heard.length, 2, 'the events before it are still news to the others');
  feed.flush();
  assert.equal(heard.length, 2, 'nothing changed, no run going: nothing sent');

  now = 2000;
  feed.observe({ type: 'sync-run-started', registry: 'a.example', runId: 2, trigger: 'manual', time: 1500 });
  feed.observe({ type: 'job-queued', id: 'j', targets: 1, time: 1500 });
  feed.observe({ type: 'api-request', method: 'GET', route: '/x', path: '/x', status: 200, durationMs: 1, time: 1500 });
  feed.flush();
  const third = heard[2];
  assert.deepEqual(third?.changed, { overview: true, registries: ['a.example'], jobs: true });
  assert.deepEqual(
    third.runs.map((r) => r.registry),
    ['a.example'],
    'ended runs that did not change are left out',
  );
  feed.flush();
  assert.equal(heard.length, 4, 'a run going on is sent every time (its rate and times move)');
  assert.deepEqual(heard[3]?.changed, { overview: false, registries: [], jobs: false });

  unsubscribe();
  feed.flush();
  assert.equal(heard.length, 4);
});

test('config reloads and pauses change the overview; API requests alone change nothing', () => {
  const feed = new DashboardFeed({ intervalMs: 60_000 });
  const heard: FeedMessage[] = [];
  feed.subscribe((m) => heard.push(m));
  feed.flush();
  feed.observe({ type: 'sync-paused', registry: 'a.example', cancelledRun: false, time: 1 });
  feed.observe({
    type: 'config-reloaded',
    file: 'c.yaml',
    kept: [],
    added: [],
    removed: [],
    changed: [],
    unchanged: [],
    sources: { added: [], removed: [], changed: [] },
    settings: [],
    time: 1,
  });
  feed.flush();
  assert.deepEqual(heard.at(-1)?.changed, { overview: true, registries: ['a.example'], jobs: false });
  feed.close();
});

test("the other servers' runs: asked only while someone listens, their registries told changed, one question at a time", async () => {
  const feed = new DashboardFeed({ intervalMs: 60_000 });
  const answers: Array<(registries: string[]) => void> = [];
  feed.watchElsewhere(() => new Promise((resolve) => answers.push(resolve)));
  const heard: FeedMessage[] = [];
  feed.subscribe((m) => heard.push(m));
  const asking = feed.askElsewhere();
  void feed.askElsewhere();
  assert.equal(answers.length, 1, 'no second question while one is unanswered');
  answers[0]?.(['b.example']);
  await asking;
  feed.flush();
  assert.deepEqual(heard.at(-1)?.changed, { overview: true, registries: ['b.example'], jobs: false });
  const after = feed.askElsewhere();
  answers[1]?.([]);
  await after;
  feed.flush();
  assert.equal(heard.length, 2, 'nothing changed elsewhere: nothing sent');
  feed.close();
});
