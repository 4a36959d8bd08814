import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../../scheduler/scheduler-test-kit.js';
import { API_TOKEN, testApi, testConfig } from '../api-test-kit.js';
import { OVERDUE_AFTER_MS } from './overdue.js';

const MIRROR = 'mirror.example:5000';

/** The next piece of a stream, or a failure after 5 s: a stream that never ends fails the test instead of hanging it. */
async function next(reader: ReadableStreamDefaultReader<Uint8Array> | undefined): Promise<{ done: boolean; text: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the stream sent nothing for 5 s')), 5000)));
  try {
    const piece = await Promise.race([reader?.read() ?? Promise.reject(new Error('no body')), late]);
    return { done: piece.done, text: new TextDecoder().decode(piece.value) };
  } finally {
    clearTimeout(timer);
  }
}

test('overview: every registry with its warnings; a schedule whose tick is over a minute late is overdue until it ticks', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const overview = async () => (await api.app.inject({ url: '/api/sync/overview', headers: api.auth })).json();
  let body = await overview();
  assert.deepEqual(
    body.registries.map((r: { hostname: string; overdue: boolean }) => [r.hostname, r.overdue]),
    [
      [MIRROR, false],
      ['other.example', false],
    ],
  );
  const mirror = body.registries[0];
  assert.ok(Date.parse(mirror.expectedTick) - Date.now() <= 2000, 'owed within the 2 s of its schedule');
  assert.ok(Date.parse(body.registries[1].expectedTick) - Date.now() <= 5 * 60_000, 'within the 5 minutes of its schedule');
  await api.app.inject({ method: 'POST', url: '/ops?sync=other.example&action=pause', headers: api.auth });
  assert.equal((await overview()).registries[1].expectedTick, null, 'a paused registry owes no tick');

  // As if the schedule was set 5 minutes ago and never ticked since (the process was suspended).
  api.dashboard.observe({
    type: 'sync-scheduled',
    registry: MIRROR,
    schedule: '*/2 * * * * *',
    nextRun: null,
    time: Date.now() - OVERDUE_AFTER_MS - 5 * 60_000,
  });
  body = await overview();
  assert.equal(body.registries[0].overdue, true);
  api.tickers.live('*/2 * * * * *').fire();
  await until(() => api.runner.runs.length === 1, 'the tick to start a run');
  body = await overview();
  assert.deepEqual([body.registries[0].state, body.registries[0].overdue, body.registries[0].live.phase], ['running', false, 'listing']);
  api.runner.runs[0]?.finish(new Error('the runner broke'));
  await api.scheduler.get(MIRROR)?.idle();
  body = await overview();
  assert.deepEqual(
    [body.registries[0].overdue, body.registries[0].failedStreak, body.registries[0].live.phase, body.registries[0].live.result],
    [false, 1, 'done', 'failed'],
  );
});

test('run history: pages, the failed-only filter, a run with its images; bad cursors and ids answered', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const ids: number[] = [];
  for (const [i, failed] of [0, 1, 0].entries()) {
    const id = await api.store.startRun(MIRROR, 'schedule', 1000 * (i + 1));
    const images = [
      {
        source: 'src.example/app:v1',
        target: `${MIRROR}/mirror/app:v1`,
        status: failed ? ('failed' as const) : ('copied' as const),
        bytes: failed ? 0 : 4000,
        ...(failed ? { error: { code: 'IMAGE_NOT_FOUND', message: 'no such image' } } : { digest: 'sha256:aa' }),
      },
    ];
    await api.store.finishRun(id, {
      endedAt: 1000 * (i + 1) + 500,
      result: failed ? 'failed' : 'succeeded',
      copied: 1 - failed,
      upToDate: 0,
      failed,
      bytes: failed ? 0 : 4000,
      images,
    });
    ids.push(id);
  }
  const get = (url: string) => api.app.inject({ url, headers: api.auth });
  const first = (await get(`/api/sync/runs?registry=${MIRROR}&limit=2`)).json();
  assert.deepEqual(
    first.runs.map((r: { id: number }) => r.id),
    [ids[2], ids[1]],
  );
  assert.equal(first.next, ids[1]);
  assert.deepEqual(first.runs[0].bytesPerSecond, 8000, '4000 bytes in half a second');
  assert.equal(first.runs[0].registry, MIRROR);
  const second = (await get(`/api/sync/runs?registry=${MIRROR}&limit=2&before=${first.next}`)).json();
  assert.deepEqual([second.runs.map((r: { id: number }) => r.id), second.next], [[ids[0]], null]);
  const failed = (await get(`/api/sync/runs?registry=${MIRROR}&failed=true`)).json();
  assert.deepEqual(
    failed.runs.map((r: { id: number }) => r.id),
    [ids[1]],
  );
  assert.deepEqual((await get('/api/sync/runs?registry=other.example')).json(), { runs: [], next: null });

  const detail = (await get(`/api/sync/runs/${ids[1]}`)).json();
  assert.deepEqual(detail.images, [
    {
      source: 'src.example/app:v1',
      target: `${MIRROR}/mirror/app:v1`,
      status: 'failed',
      digest: null,
      bytes: 0,
      error: { code: 'IMAGE_NOT_FOUND', message: 'no such image' },
      note: null,
    },
  ]);
  assert.equal(detail.live, null);
  assert.deepEqual(detail.prunes, [], 'a run that pruned nothing');

  for (const [url, status, message] of [
    ['/api/sync/runs?before=99999', 400, /^before: no run 99999/],
    ['/api/sync/runs?limit=0', 400, /limit: must be 1 or more/],
    ['/api/sync/runs?failed=yes', 400, /failed: must be true or false/],
    ['/api/sync/runs/99999', 404, /^no run 99999/],
    ['/api/sync/runs/abc', 400, /must be a run id/],
  ] as const) {
    const answer = await get(url);
    assert.equal(answer.statusCode, status, url);
    assert.match(answer.json().error.message, message, url);
  }
});

test("a run's detail lists the tags its pruning deleted or kept, oldest first, and no other run's", async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const [first, second] = [await api.store.startRun(MIRROR, 'manual', 1000), await api.store.startRun(MIRROR, 'manual', 2000)];
  const pruned = (runId: number | undefined, tag: string, prunedAt: number) => ({
    runId: runId ?? null,
    registry: MIRROR,
    rule: 'mirrors[0]',
    target: `${MIRROR}/mirror/app:${tag}`,
    digest: `sha256:${tag}`,
    reason: 'gone from the source',
    prunedAt,
  });
  await api.store.ownership.recordPruned(pruned(first, 'v1', 1500));
  await api.store.ownership.recordPruned(pruned(second, 'v2', 2500));
  await api.store.ownership.recordPruned(pruned(second, 'v3', 2600));
  await api.store.ownership.recordSkipped([
    {
      runId: second,
      rule: 'mirrors[0]',
      target: `${MIRROR}/mirror/app:v4`,
      digest: 'sha256:v4',
      outcome: 'kept',
      reason: 'the registry deletes by digest only, ...: kept',
      at: 2550,
    },
  ]);
  const detail = async (id: number | undefined) => (await api.app.inject({ url: `/api/sync/runs/${id}`, headers: api.auth })).json();
  assert.deepEqual((await detail(second)).prunes, [
    {
      rule: 'mirrors[0]',
      target: `${MIRROR}/mirror/app:v2`,
      digest: 'sha256:v2',
      outcome: 'deleted',
      reason: 'gone from the source',
      at: '1970-01-01T00:00:02.500+00:00',
    },
    {
      rule: 'mirrors[0]',
      target: `${MIRROR}/mirror/app:v4`,
      digest: 'sha256:v4',
      outcome: 'kept',
      reason: 'the registry deletes by digest only, ...: kept',
      at: '1970-01-01T00:00:02.550+00:00',
    },
    {
      rule: 'mirrors[0]',
      target: `${MIRROR}/mirror/app:v3`,
      digest: 'sha256:v3',
      outcome: 'deleted',
      reason: 'gone from the source',
      at: '1970-01-01T00:00:02.600+00:00',
    },
  ]);
  assert.deepEqual(
    (await detail(first)).prunes.map((p: { target: string }) => p.target),
    [`${MIRROR}/mirror/app:v1`],
  );
});

test('the page and its files are open, carry no data, say whether a token is needed, and are never framed', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  for (const url of ['/', '/ui']) {
    const redirect = await api.app.inject({ url });
    assert.deepEqual([redirect.statusCode, redirect.headers.location], [302, 'ui/'], url);
  }
  const page = await api.app.inject({ url: '/ui/' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<body data-auth="on">/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'.*frame-ancestors 'none'/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.body.includes(API_TOKEN), false);
  const script = await api.app.inject({ url: '/ui/app.js' });
  assert.deepEqual([script.statusCode, String(script.headers['content-type'])], [200, 'text/javascript; charset=utf-8']);
  assert.equal((await api.app.inject({ url: '/ui/app.js', headers: { 'if-none-match': String(script.headers.etag) } })).statusCode, 304);
  assert.equal(
    (await api.app.inject({ url: '/ui/../list?type=active' })).statusCode,
    401,
    "no way around the token through the page's path",
  );
  assert.equal((await api.app.inject({ url: '/ui/secrets.json' })).statusCode, 404);

  api.setConfig(testConfig({ enableAuth: false }));
  const open = await api.app.inject({ url: '/ui/' });
  assert.match(open.body, /<body data-auth="off">/);
  assert.notEqual(open.headers.etag, page.headers.etag, 'a cached page does not keep the old setting');
});

test('the live stream needs the token, and ends when a reload replaces it; closing the server ends open streams', async (t) => {
  const api = await testApi();
  let closed = false;
  t.after(() => (closed ? undefined : api.close()));
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  assert.equal((await fetch(`${base}/api/sync/live`)).status, 401);
  assert.equal((await fetch(`${base}/api/sync/live`, { headers: { authorization: 'Bearer wrong' } })).status, 401);

  const head = await fetch(`${base}/api/sync/live`, { method: 'HEAD', headers: api.auth, signal: AbortSignal.timeout(5000) });
  assert.deepEqual([head.status, head.headers.get('content-type')], [200, 'text/event-stream; charset=utf-8'], 'HEAD answers at once');
  const stream = await fetch(`${base}/api/sync/live`, { headers: api.auth });
  const reader = stream.body?.getReader();
  const first = (await next(reader)).text;
  const data = JSON.parse(/^event: live\ndata: (.*)\n\n$/.exec(first)?.[1] ?? 'null');
  assert.deepEqual(data.changed, { overview: false, registries: [], jobs: false });

  api.tickers.live('*/2 * * * * *').fire();
  await until(() => api.runner.runs.length === 1, 'a run');
  api.dashboard.flush();
  const second = (await next(reader)).text;
  const message = JSON.parse(/^event: live\ndata: (.*)\n\n$/.exec(second)?.[1] ?? 'null');
  assert.deepEqual(
    message.runs.map((r: { registry: string; phase: string }) => [r.registry, r.phase]),
    [[MIRROR, 'listing']],
  );
  assert.ok(message.changed.overview && message.changed.registries.includes(MIRROR));

  api.setConfig(testConfig({ authToken: 'rotated-token' }));
  api.dashboard.flush();
  assert.equal((await next(reader)).done, true, 'the stream ended with its token');

  const other = await fetch(`${base}/api/sync/live`, { headers: { authorization: 'Bearer rotated-token' } });
  const otherReader = other.body?.getReader();
  await next(otherReader);
  closed = true;
  await api.close();
  assert.equal((await next(otherReader)).done, true, 'closed with the server');
});
