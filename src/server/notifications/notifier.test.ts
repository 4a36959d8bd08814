import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { notificationsSchema, type NotificationSettings } from '../../config/notifications-schema.js';
import { dockerHubQuotaPause } from '../../display/fixtures.js';
import { SecretScrubber } from '../../errors/secret-scrubber.js';
import { AgentPool } from '../../transport/index.js';
import type { ServiceEvent } from '../service-events.js';
import type { ServerEvent } from '../sync-service.js';
import { notificationSchema, type Notification } from './notification.js';
import { NotificationEvents } from './notification-events.js';
import { Notifier } from './notifier.js';
import { deliver } from './webhook-delivery.js';
import { startReceiver } from './webhook-receiver-kit.js';

const T = Date.UTC(2026, 11, 2, 1, 0, 0);
const counts = { copied: 0, upToDate: 1, failed: 0, cancelled: 0, bytes: 0 };

function runFinished(registry: string, result: 'succeeded' | 'failed', failed = 0): ServerEvent {
  return {
    type: 'sync-run-finished',
    registry,
    runId: 7,
    trigger: 'schedule',
    result,
    durationMs: 1200,
    error: undefined,
    time: T,
    ...counts,
    failed,
  };
}

function settings(webhooks: Array<Record<string, unknown>>): NotificationSettings {
  return notificationsSchema.parse({ webhooks });
}

test('runs become run-finished, run-failed (with the failed images) and run-recovered; ticks, quota pauses and late ticks their own events; every body fits the documented schema', () => {
  const events = new NotificationEvents();
  const all: Notification[] = [];
  const observe = (event: ServerEvent) => all.push(...events.observe(event));
  observe({ type: 'sync-run-started', registry: 'mirror:5000', runId: 7, trigger: 'schedule', time: T });
  observe({
    type: 'image-failed',
    registry: 'mirror:5000',
    source: 'src:5000/app:v1',
    target: 'mirror:5000/app:v1',
    error: { code: 'NOT_FOUND', message: 'no such image' },
    time: T,
  });
  observe(runFinished('mirror:5000', 'failed', 1));
  observe({ type: 'sync-run-started', registry: 'mirror:5000', runId: 8, trigger: 'schedule', time: T });
  observe(runFinished('mirror:5000', 'succeeded'));
  observe(runFinished('mirror:5000', 'succeeded'));
  observe({ type: 'sync-tick-skipped', registry: 'mirror:5000', skippedTicks: 2, time: T });
  observe(dockerHubQuotaPause(T, 1));
  observe({ type: 'host-paused', host: 'docker.io', reason: 'rate-limited', waitMs: 100, retryAfter: false, time: T });

  assert.deepEqual(
    all.map((n) => n.event),
    ['image-failed', 'run-finished', 'run-failed', 'run-finished', 'run-recovered', 'run-finished', 'schedule-missed', 'quota-paused'],
  );
  for (const n of all) notificationSchema.parse(n);
  const failed = all.find((n) => n.event === 'run-failed');
  assert.ok(failed?.run);
  assert.deepEqual(failed.run.failedImages, [
    { source: 'src:5000/app:v1', target: 'mirror:5000/app:v1', code: 'NOT_FOUND', message: 'no such image' },
  ]);
  assert.equal(failed.run.previousResult, null);
  assert.equal(failed.time, new Date(T).toISOString());
  assert.match(failed.message, /^mirror:5000: run failed/);
  const recovered = all.find((n) => n.event === 'run-recovered');
  assert.ok(recovered?.run);
  assert.equal(recovered.run.previousResult, 'failed');
  assert.deepEqual(recovered.run.failedImages, [], 'the second run had no failed image');
  assert.deepEqual(all.find((n) => n.event === 'schedule-missed')?.schedule, {
    pattern: null,
    reason: 'run-still-going',
    skippedTicks: 2,
    expectedTick: null,
  });
  assert.deepEqual(all.find((n) => n.event === 'quota-paused')?.quota, {
    host: 'docker.io',
    remaining: 10,
    limit: 100,
    windowSeconds: 21600,
    reserve: 10,
  });
  assert.equal(new Set(all.map((n) => n.id)).size, all.length, 'each notification has its own id');

  // A schedule whose tick did not come: one schedule-missed for it, none again until a new tick.
  const late = new NotificationEvents();
  late.observe({ type: 'sync-scheduled', registry: 'mirror:5000', schedule: '*/5 * * * *', nextRun: T + 300_000, time: T });
  const schedule = { hostname: 'mirror:5000', state: 'scheduled' as const, schedule: '*/5 * * * *', timezone: 'UTC' };
  const schedules = [schedule];
  assert.deepEqual(late.overdue(schedules, T + 330_000), [], 'within the minute of slack');
  const missed = late.overdue(schedules, T + 400_000);
  assert.equal(missed.length, 1);
  assert.deepEqual(missed[0]?.schedule, {
    pattern: '*/5 * * * *',
    reason: 'overdue',
    skippedTicks: null,
    expectedTick: new Date(T + 300_000).toISOString(),
  });
  assert.deepEqual(late.overdue(schedules, T + 500_000), [], 'once per missed tick');
  assert.deepEqual(late.overdue([{ ...schedule, state: 'running' }], T + 900_000), [], 'a running registry is not late');
});

test('tags a run pruned (deleted, or failed to delete) become one prune-done after its run, listed up to the cap; kept or planned tags none', () => {
  const events = new NotificationEvents();
  const all: Notification[] = [];
  const observe = (event: ServerEvent) => all.push(...events.observe(event));
  const prune = (target: string, action: 'deleted' | 'failed' | 'kept' | 'would-delete'): ServerEvent => ({
    type: 'prune',
    registry: 'mirror:5000',
    rule: 'mirrors[0]',
    target,
    digest: 'sha256:' + 'a'.repeat(64),
    action,
    reason: action === 'failed' ? 'DELETE answered 500' : 'gone from the source',
    source: 'src:5000/app',
    lastSeenAt: T,
    time: T,
  });
  observe({ type: 'sync-run-started', registry: 'mirror:5000', runId: 7, trigger: 'schedule', time: T });
  for (let i = 0; i < 22; i++) observe(prune(`mirror:5000/app:v${i}`, 'deleted'));
  observe(prune('mirror:5000/app:old', 'failed'));
  observe(prune('mirror:5000/app:grace', 'kept'));
  observe(runFinished('mirror:5000', 'succeeded'));
  // The next run prunes nothing: no prune-done for it.
  observe({ type: 'sync-run-started', registry: 'mirror:5000', runId: 8, trigger: 'schedule', time: T });
  observe(prune('mirror:5000/app:planned', 'would-delete'));
  observe(runFinished('mirror:5000', 'succeeded'));

  assert.deepEqual(
    all.map((n) => n.event),
    ['run-finished', 'prune-done', 'run-finished'],
  );
  for (const n of all) notificationSchema.parse(n);
  const done = all[1];
  assert.ok(done?.prune);
  assert.equal(done.prune.deleted, 22);
  assert.equal(done.prune.failed, 1);
  assert.equal(done.prune.tags.length, 20, 'listed up to the cap');
  assert.deepEqual(done.prune.tags[0], {
    rule: 'mirrors[0]',
    target: 'mirror:5000/app:v0',
    digest: 'sha256:' + 'a'.repeat(64),
    action: 'deleted',
    reason: 'gone from the source',
  });
  assert.equal(done.message, 'mirror:5000: pruned 22 tag(s), 1 could not be deleted');
});

test('a delivery is POSTed as JSON with its event, id and HMAC signature headers; 5xx is tried again, 4xx is not, a silent receiver times out', async (t) => {
  const good = await startReceiver([503, 200]);
  const refusing = await startReceiver([400]);
  const silent = await startReceiver(['hang']);
  const agents = new AgentPool();
  t.after(async () => {
    await agents.close();
    await Promise.all([good.close(), refusing.close(), silent.close()]);
  });
  const dispatcher = agents.acquire({ tlsVerify: true, caFile: undefined, maxConnections: 2 });
  const options = { dispatcher, signal: new AbortController().signal, baseBackoffMs: 10 };
  const [webhook] = settings([
    { url: `${good.url}/hook?key=k3y-in-query`, secret: 's3cr3t-signing-key', headers: { Authorization: 'Bearer hdr-t0ken' }, retries: 2 },
  ]).webhooks;
  assert.ok(webhook);
  const body = JSON.stringify({ event: 'run-failed', hello: 'world' });

  const result = await deliver(webhook, { event: 'run-failed', id: 'delivery-1' }, body, options);
  assert.deepEqual(result, { ok: true, attempts: 2 });
  assert.equal(good.received.length, 2);
  const last = good.received[1];
  assert.ok(last);
  assert.equal(last.path, '/hook?key=k3y-in-query');
  assert.equal(last.body, body);
  assert.equal(last.headers['content-type'], 'application/json');
  assert.equal(last.headers['x-picture-book-event'], 'run-failed');
  assert.equal(last.headers['x-picture-book-delivery'], 'delivery-1');
  assert.equal(last.headers.authorization, 'Bearer hdr-t0ken');
  assert.equal(
    last.headers['x-picture-book-signature-256'],
    `sha256=${createHmac('sha256', 's3cr3t-signing-key').update(body).digest('hex')}`,
  );
  assert.match(String(last.headers['user-agent']), /^picture-book\//);

  const refused = await deliver({ ...webhook, url: refusing.url }, { event: 'run-failed', id: 'd2' }, body, options);
  assert.deepEqual(refused, { ok: false, attempts: 1, reason: 'HTTP 400' });
  assert.equal(refusing.received.length, 1, 'a 4xx is not tried again');
  assert.equal(refusing.received[0]?.headers['x-picture-book-signature-256'] !== undefined, true);

  const started = Date.now();
  const timedOut = await deliver(
    { ...webhook, url: silent.url, timeoutSeconds: 0.3, retries: 1 },
    { event: 'run-failed', id: 'd3' },
    body,
    options,
  );
  assert.deepEqual(timedOut, { ok: false, attempts: 2, reason: 'no answer within 0.3s (timeoutSeconds)' });
  assert.equal(silent.received.length, 2);
  assert.ok(Date.now() - started < 20_000, 'bounded by the timeouts');
});

test('the notifier only queues: a hanging and a failing receiver neither hold the caller nor the others; failures are told without the URL path, query, headers or secret; stop is bounded', async (t) => {
  const good = await startReceiver([200]);
  const broken = await startReceiver([500]);
  const silent = await startReceiver(['hang']);
  const emitted: ServiceEvent[] = [];
  const current = settings([
    { url: `${silent.url}/hang/p4th-secret`, timeoutSeconds: 60, retries: 0, events: ['run-finished'] },
    { url: `${broken.url}/broken?token=qu3ry-secret`, secret: 'sign1ng-secret', retries: 1, events: ['run-finished'] },
    { url: `${good.url}/ok`, headers: { 'X-Token': 'h3ader-secret' }, events: ['run-finished', 'run-failed'] },
  ]);
  const notifier = new Notifier({
    settings: () => current,
    schedules: () => [],
    emit: (event) => emitted.push(event),
    scrubber: new SecretScrubber(),
    baseBackoffMs: 10,
  });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await notifier.stop(0);
    await Promise.all([good.close(), broken.close(), silent.close()]);
  });

  const started = Date.now();
  notifier.observe({ type: 'sync-run-started', registry: 'mirror:5000', runId: 1, trigger: 'start', time: T });
  notifier.observe(runFinished('mirror:5000', 'failed'));
  notifier.observe(runFinished('mirror:5000', 'succeeded'));
  // A caller held by the silent receiver would wait its 60 s timeout; 5 s leaves a loaded machine room (100 ms failed there).
  assert.ok(Date.now() - started < 5_000, 'observe() returns at once');

  await waitFor(() => good.received.length === 3 && emitted.length === 2, 'the good receiver to get three, the broken one to fail twice');
  assert.deepEqual(
    good.received.map((r) => (JSON.parse(r.body) as Notification).event),
    ['run-finished', 'run-failed', 'run-finished'],
    'in the order of the events, run-recovered not asked for',
  );
  assert.equal(broken.received.length, 4, 'two notifications, each tried twice (retries: 1)');
  assert.deepEqual(
    emitted.map((e) => e.type === 'notification-failed' && [e.webhook, e.notification, e.attempts, e.reason]),
    [
      [`notifications.webhooks[1] (${broken.url}/***)`, 'run-finished', 2, 'HTTP 500'],
      [`notifications.webhooks[1] (${broken.url}/***)`, 'run-finished', 2, 'HTTP 500'],
    ],
  );
  assert.equal(silent.received.length, 1, 'the silent receiver got the first and holds it');

  const stopping = Date.now();
  await notifier.stop(200);
  stopped = true;
  assert.ok(Date.now() - stopping < 10_000, 'stop does not wait for the 60 s timeout');
  const told = JSON.stringify(emitted);
  assert.match(told, /notifications\.webhooks\[0\].*not sent: the server stopped/, 'the one left waiting is told');
  for (const secret of ['p4th-secret', 'qu3ry-secret', 'sign1ng-secret', 'h3ader-secret']) assert.ok(!told.includes(secret), secret);
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
