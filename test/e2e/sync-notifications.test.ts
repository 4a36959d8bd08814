import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Notification } from '../../src/server/notifications/notification.js';
import { startReceiver, type WebhookReceiver } from '../../src/server/notifications/webhook-receiver-kit.js';
import { makeTempDir } from '../harness/procs.js';
import { pushImage, startRegistry, startedSoFar, type BuiltImage, type TestRegistry } from '../harness/index.js';
import { ociImage } from './fixtures.js';
import { apiPort, digestAt, startSync, until, writeConfig, type SyncProcess } from './sync-kit.js';

/*
 * Webhooks of `picture-book sync` (README "Notifications"), end to end: the real server process
 * mirrors from the real registry, one registry's run succeeds and another's fails, and three real
 * receivers on loopback hear of it: one that answers (its bodies and signatures checked), one that
 * answers 500 and one that never answers. Neither of those holds a run, the log or the stop.
 */

const TOKEN = 'notify-test-api-token-51c2';
const PATH_SECRET = 'p4th-secret-9f1e';
const QUERY_SECRET = 'qu3ry-secret-77ab';
const SIGNING_SECRET = 'sign1ng-secret-c0de';
const HEADER_SECRET = 'h3ader-secret-5eed';
const SECRETS = [PATH_SECRET, QUERY_SECRET, SIGNING_SECRET, HEADER_SECRET];

let source: TestRegistry;
let targetOk: TestRegistry;
let targetBad: TestRegistry;
let built: BuiltImage;
let good: WebhookReceiver;
let broken: WebhookReceiver;
let silent: WebhookReceiver;
let dir: string;
let server: SyncProcess | undefined;

before(async () => {
  [source, targetOk, targetBad, good, broken, silent] = await Promise.all([
    startRegistry(),
    startRegistry(),
    startRegistry(),
    startReceiver([200]),
    startReceiver([500]),
    startReceiver(['hang']),
  ]);
  built = await pushImage(ociImage, source, 'library/app:v1');
  dir = await makeTempDir('sync-notify');
});

after(async () => {
  if (server) await server.kill();
  const started = startedSoFar({ source, targetOk, targetBad, good, broken, silent });
  await Promise.all([
    started.source?.stop(),
    started.targetOk?.stop(),
    started.targetBad?.stop(),
    started.good?.close(),
    started.broken?.close(),
    started.silent?.close(),
  ]);
});

function verified(received: WebhookReceiver['received'][number]): Notification {
  const header = String(received.headers['x-picture-book-signature-256'] ?? '');
  const expected = `sha256=${createHmac('sha256', SIGNING_SECRET).update(received.body).digest('hex')}`;
  assert.ok(header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected)), 'the signature checks out');
  const body = JSON.parse(received.body) as Notification;
  assert.equal(received.headers['x-picture-book-event'], body.event);
  assert.equal(received.headers['x-picture-book-delivery'], body.id);
  return body;
}

test('a failed and a succeeded run are told to the webhooks, signed; a 500 and a silent receiver are retried and logged without secrets, and hold neither the runs nor the stop', async () => {
  const port = await apiPort();
  const missing = `${source.host}/library/missing:v1`;
  const config = {
    registries: [
      { hostname: targetOk.host, repository: 'mirror', images: [`${source.host}/library/app:v1`] },
      { hostname: targetBad.host, repository: 'mirror', images: [missing] },
    ],
    api: { enabled: true, port, enableAuth: true, authToken: TOKEN },
    state: { path: join(dir, 'state.db') },
    sync: { runOnStart: true, gracePeriodSeconds: 1 },
    notifications: {
      webhooks: [
        {
          url: `${good.url}/hooks/${PATH_SECRET}?key=${QUERY_SECRET}`,
          secret: SIGNING_SECRET,
          headers: { Authorization: `Bearer ${HEADER_SECRET}` },
          events: ['run-finished', 'run-failed', 'image-failed'],
          timeoutSeconds: 3,
        },
        { url: `${silent.url}/hang`, timeoutSeconds: 1, retries: 1, events: ['run-failed'] },
        { url: `${broken.url}/broken`, retries: 1, events: ['run-failed'] },
      ],
    },
  };
  server = await startSync(await writeConfig(dir, config), { port, token: TOKEN, cwd: dir });
  const s = server;

  await until(() => s.events('sync-run-finished').length === 2, 'both runs to finish', 60_000);
  assert.equal(s.events('sync-run-finished', targetOk.host)[0]?.result, 'succeeded');
  assert.equal(s.events('sync-run-finished', targetBad.host)[0]?.result, 'failed');
  assert.equal(await digestAt(targetOk, 'mirror/library/app:v1'), built.digest);

  await until(() => good.received.length === 4, 'four notifications at the good receiver', 30_000);
  const bodies = good.received.map(verified);
  for (const received of good.received) {
    assert.equal(received.path, `/hooks/${PATH_SECRET}?key=${QUERY_SECRET}`);
    assert.equal(received.headers.authorization, `Bearer ${HEADER_SECRET}`);
    assert.equal(received.headers['content-type'], 'application/json');
  }
  const byEvent = (event: string, registry: string) => bodies.filter((b) => b.event === event && b.registry === registry);
  assert.equal(byEvent('run-finished', targetOk.host).length, 1);
  assert.equal(byEvent('run-finished', targetBad.host).length, 1);
  const [failed] = byEvent('run-failed', targetBad.host);
  assert.ok(failed?.run);
  assert.equal(failed.run.result, 'failed');
  assert.equal(failed.run.failed, 1);
  assert.equal(failed.run.trigger, 'start');
  assert.equal(typeof failed.run.id, 'number');
  assert.deepEqual(
    failed.run.failedImages.map((i) => [i.source, i.target]),
    [[missing, `${targetBad.host}/mirror/library/missing:v1`]],
  );
  assert.equal(failed.run.failedImages[0]?.code, 'IMAGE_NOT_FOUND');
  const [image] = byEvent('image-failed', targetBad.host);
  assert.equal(image?.image?.source, missing);
  assert.equal(byEvent('run-failed', targetOk.host).length, 0, 'the succeeded run is not a failure');

  // The broken receiver: run-failed tried twice, then a warning. The silent one: two attempts of 1 s each.
  const brokenLine = await s.waitForLog(
    (l) => l.event === 'notification-failed' && String(l.webhook).includes('webhooks[2]'),
    'the 500 logged',
    0,
    30_000,
  );
  assert.equal(brokenLine.level, 'warn');
  assert.equal(brokenLine.notification, 'run-failed');
  assert.equal(
    brokenLine.msg,
    `notifications.webhooks[2] (${broken.url}/***) was not told of run-failed (${targetBad.host}) after 2 attempts: HTTP 500`,
  );
  assert.equal(broken.received.length, 2);
  const silentLine = await s.waitForLog(
    (l) => l.event === 'notification-failed' && String(l.webhook).includes('webhooks[1]'),
    'the timeout logged',
    0,
    30_000,
  );
  assert.equal(silentLine.reason, 'no answer within 1s (timeoutSeconds)');
  assert.equal(silentLine.attempts, 2);
  assert.equal(silent.received.length, 2);

  // Nothing shows a webhook's secrets: not the log, not the API's view of the configuration.
  const configured = await s.api('/list?type=configured');
  assert.equal(configured.status, 200);
  for (const text of [s.rawLines.join('\n'), s.stderr, configured.text]) {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} is not shown`);
  }

  // A new failure while the silent receiver holds a delivery: SIGTERM still ends the process promptly
  // (what is waiting gets one attempt's time, the longest timeoutSeconds: 3 s).
  silent.answers = ['hang'];
  const before = s.events('sync-run-finished', targetBad.host).length;
  assert.equal((await s.api(`/ops?sync=${encodeURIComponent(targetBad.host)}&action=run`, { method: 'POST' })).status < 300, true);
  await until(() => s.events('sync-run-finished', targetBad.host).length > before, 'the manual run to finish', 60_000);
  await until(() => silent.received.length === 3, 'the silent receiver to hold the new delivery', 30_000);
  const stopping = Date.now();
  const exit = await s.stop();
  server = undefined;
  assert.equal(exit.code, 0);
  assert.ok(Date.now() - stopping < 20_000, `stopped in ${Date.now() - stopping} ms`);
});
