import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../config/index.js';
import { until } from '../scheduler/scheduler-test-kit.js';
import { API_TOKEN, PUSH_PASSWORD, testApi, testConfig } from './api-test-kit.js';

test('auth: /healthz is open; everything else needs the bearer token, checked per request', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const health = await api.app.inject({ url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(health.json(), { status: 'ok' });

  for (const headers of [
    {},
    { authorization: 'Bearer wrong-token' },
    { authorization: `Basic ${API_TOKEN}` },
    { authorization: 'Bearer' },
    { authorization: '  ' },
    { authorization: 'wrong-token' },
    { authorization: `${API_TOKEN}x` },
    { authorization: `Bearer ${API_TOKEN} extra` },
  ]) {
    const denied = await api.app.inject({ url: '/list?type=active', headers });
    assert.equal(denied.statusCode, 401, JSON.stringify(headers));
    assert.match(String(denied.headers['www-authenticate']), /^Bearer realm="picture-book"/);
    assert.equal(denied.json().error.code, 'UNAUTHORIZED');
  }
  const unknownRoute = await api.app.inject({ url: '/nothing-here' });
  assert.equal(unknownRoute.statusCode, 401, 'unknown paths do not tell strangers what exists');
  assert.equal((await api.app.inject({ url: '/metrics', headers: api.auth })).statusCode, 200);
  for (const authorization of [API_TOKEN, ` ${API_TOKEN} `, `bearer ${API_TOKEN}`, `Bearer  ${API_TOKEN}`]) {
    assert.equal(
      (await api.app.inject({ url: '/list?type=active', headers: { authorization } })).statusCode,
      200,
      `"Authorization: ${authorization}" is accepted`,
    );
  }

  api.setConfig(testConfig({ enableAuth: false }));
  assert.equal((await api.app.inject({ url: '/list?type=active' })).statusCode, 200, 'a reload turning auth off applies at once');
  api.setConfig(testConfig({ authToken: 'rotated' }));
  assert.equal((await api.app.inject({ url: '/list?type=active', headers: api.auth })).statusCode, 401);
  assert.equal((await api.app.inject({ url: '/list?type=active', headers: { authorization: 'Bearer rotated' } })).statusCode, 200);
});

test('/list: configured registries with secrets redacted; active synchronizers with state and runs', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const configured = await api.app.inject({ url: '/list?type=configured', headers: api.auth });
  assert.equal(configured.statusCode, 200);
  assert.equal(configured.body.includes(PUSH_PASSWORD), false);
  assert.equal(configured.body.includes(API_TOKEN), false);
  const body = configured.json();
  assert.deepEqual(
    body.registries.map((r: { hostname: string }) => r.hostname),
    ['mirror.example:5000', 'other.example'],
  );
  assert.equal(body.registries[0].pushAuth.password, '***');

  api.tickers.live('*/2 * * * * *').fire();
  await until(() => api.runner.runs.length === 1, 'a run');
  let active = (await api.app.inject({ url: '/list?type=active', headers: api.auth })).json();
  assert.deepEqual(
    active.synchronizers.map((s: { hostname: string; state: string }) => [s.hostname, s.state]),
    [
      ['mirror.example:5000', 'running'],
      ['other.example', 'scheduled'],
    ],
  );
  api.runner.runs[0]?.finish();
  await api.scheduler.get('mirror.example:5000')?.idle();
  active = (await api.app.inject({ url: '/list?type=active', headers: api.auth })).json();
  const [mirror] = active.synchronizers;
  assert.equal(mirror.state, 'scheduled');
  assert.equal(mirror.schedule, '*/2 * * * * *');
  assert.equal(mirror.nextRun, '2030-01-01T00:00:00.000+00:00');
  assert.equal(mirror.runs, 1);
  assert.equal(mirror.lastRun.result, 'succeeded');
  assert.equal(mirror.lastRun.copied, 1);

  for (const url of ['/list', '/list?type=bogus']) {
    const bad = await api.app.inject({ url, headers: api.auth });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { error: { code: 'INVALID_QUERY', message: 'type must be "configured" or "active"' } });
  }
});

test('/list and /ops details show values taken from the environment as written (${VAR}), never their value', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-api-env-'));
  const secret = 'script-key-9c3d';
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'list.sh'), '#!/bin/sh\n');
  await chmod(join(dir, 'list.sh'), 0o755);
  const yaml = [
    'registries:',
    '  - hostname: mirror.example:5000',
    "    syncPeriod: '*/2 * * * * *'",
    "    syncerScript: '${SCRIPTS}/list.sh'",
    "    syncerScriptArgs: &args '--api-key ${SCRIPT_KEY}'",
    '  - hostname: other.example',
    '    syncerScript: ./list.sh',
    '    syncerScriptArgs: *args',
    '    images: [nginx]',
    'api: {enableAuth: true, authToken: api-token-9d2e}',
    'sync: {runOnStart: false}',
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yaml'), yaml);
  const { config } = await loadConfig(join(dir, 'config.yaml'), { SCRIPT_KEY: secret, SCRIPTS: dir });
  assert.equal(config.registries[0]?.syncerScriptArgs, `--api-key ${secret}`, 'the run itself gets the value');
  const api = await testApi(config);
  t.after(() => api.close());
  const configured = await api.app.inject({ url: '/list?type=configured', headers: api.auth });
  assert.equal(configured.statusCode, 200);
  assert.equal(configured.body.includes(secret), false, 'the value is in /list');
  const [mirror, other] = configured.json().registries;
  assert.equal(mirror.syncerScriptArgs, '--api-key ${SCRIPT_KEY}');
  assert.equal(mirror.syncerScript, '${SCRIPTS}/list.sh');
  assert.equal(other.syncerScriptArgs, '--api-key ${SCRIPT_KEY}', 'also where an alias repeats it');
  const details = await api.app.inject({ url: '/ops?sync=mirror.example:5000&action=details', headers: api.auth });
  assert.equal(details.statusCode, 200);
  assert.equal(details.body.includes(secret), false, 'the value is in /ops details');
  assert.equal(details.json().registry.syncerScriptArgs, '--api-key ${SCRIPT_KEY}');
});

test('/ops: clear 400s and 404s, details, pause cancels a run, run and resume', async (t) => {
  const api = await testApi();
  const ops = (query: string) => api.app.inject({ url: `/ops?${query}`, headers: api.auth });
  t.after(() => api.close());
  const missing = await ops('action=details');
  assert.equal(missing.statusCode, 400);
  assert.match(missing.json().error.message, /^sync is required/);
  const unknown = await ops('sync=nope.example&action=details');
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.json().error.message, /configured: mirror\.example:5000, other\.example/);
  const badAction = await ops('sync=other.example&action=explode');
  assert.equal(badAction.statusCode, 400);
  assert.equal(badAction.json().error.message, 'action must be one of: details, pause, resume, run, prune-confirm');

  const details = await ops('sync=mirror.example:5000&action=details');
  assert.equal(details.statusCode, 200);
  assert.equal(details.body.includes(PUSH_PASSWORD), false);
  assert.equal(details.json().registry.hostname, 'mirror.example:5000');
  assert.equal(details.json().synchronizer.state, 'scheduled');
  assert.deepEqual(details.json().recentRuns, []);
  assert.deepEqual(details.json().recentPrunes, [], 'no deletion yet');

  const run = await ops('sync=mirror.example:5000&action=run');
  assert.equal(run.statusCode, 202);
  assert.equal(run.json().state, 'running');
  const again = await ops('sync=mirror.example:5000&action=run');
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error.message, /already going/);

  await until(() => api.runner.runs.length === 1, 'the manual run');
  const paused = await api.app.inject({ method: 'POST', url: '/ops?sync=mirror.example:5000&action=pause', headers: api.auth });
  assert.deepEqual(paused.json(), { hostname: 'mirror.example:5000', state: 'paused', cancelledRun: true });
  assert.equal(api.runner.runs[0]?.signal.aborted, true);
  assert.equal((await ops('sync=mirror.example:5000&action=run')).statusCode, 409);
  const history = (await ops('sync=mirror.example:5000&action=details')).json();
  assert.deepEqual(
    history.recentRuns.map((r: { trigger: string; result: string }) => [r.trigger, r.result]),
    [['manual', 'cancelled']],
  );

  const resumed = await ops('sync=mirror.example:5000&action=resume');
  assert.deepEqual(resumed.json(), { hostname: 'mirror.example:5000', state: 'scheduled', nextRun: '2030-01-01T00:00:00.000+00:00' });
});

test('metrics: Prometheus text that moves with runs, skipped ticks and requests', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  api.tickers.live('*/2 * * * * *').fire();
  api.tickers.live('*/2 * * * * *').fire();
  await until(() => api.runner.runs.length === 1, 'a run');
  api.runner.runs[0]?.finish();
  await api.scheduler.get('mirror.example:5000')?.idle();
  await api.store.createJob('j1', {}, 1);
  const metrics = await api.app.inject({ url: '/metrics', headers: api.auth });
  assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = metrics.body;
  assert.match(text, /^# TYPE picture_book_sync_runs_total counter$/m);
  assert.match(text, /^picture_book_sync_runs_total\{registry="mirror\.example:5000",result="succeeded"\} 1$/m);
  assert.match(text, /^picture_book_sync_images_total\{registry="mirror\.example:5000",status="up_to_date"\} 2$/m);
  assert.match(text, /^picture_book_sync_bytes_total\{registry="mirror\.example:5000"\} 100$/m);
  assert.match(text, /^picture_book_sync_referrers_total\{registry="mirror\.example:5000",status="copied"\} 3$/m);
  assert.match(text, /^picture_book_sync_referrers_total\{registry="mirror\.example:5000",status="present"\} 4$/m);
  assert.match(text, /^picture_book_sync_referrers_total\{registry="mirror\.example:5000",status="failed"\} 1$/m);
  // The run's record in the API carries the same counts.
  const details = await api.app.inject({ url: '/ops?sync=mirror.example:5000&action=details', headers: api.auth });
  assert.deepEqual(details.json().recentRuns[0].referrers, { copied: 3, present: 4, failed: 1 });
  assert.match(text, /^picture_book_sync_skipped_ticks_total\{registry="mirror\.example:5000"\} 1$/m);
  assert.match(text, /^picture_book_sync_run_duration_seconds_count\{registry="mirror\.example:5000"\} 1$/m);
  assert.match(text, /^picture_book_synchronizers\{registry="other\.example",state="scheduled"\} 1$/m);
  assert.match(text, /^picture_book_distribute_jobs\{state="QUEUED"\} 1$/m);
  const again = (await api.app.inject({ url: '/metrics', headers: api.auth })).body;
  assert.match(again, /^picture_book_http_requests_total\{method="GET",route="\/metrics",status="200"\} 1$/m);
});

test('the OpenAPI document describes exactly the routes the app serves', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const served = await api.app.inject({ url: '/openapi.json', headers: api.auth });
  assert.equal(served.json().openapi, '3.1.0');
  const documented = Object.entries(served.json().paths as Record<string, object>).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  for (const route of documented) {
    const [method, url] = route.split(' ') as [string, string];
    assert.equal(api.app.hasRoute({ method, url }), true, `${route} is documented but not served`);
  }
  assert.deepEqual(documented.sort(), [
    'GET /',
    'GET /api/distribute/image',
    'GET /api/distribute/image/:id',
    'GET /api/sync/live',
    'GET /api/sync/overview',
    'GET /api/sync/runs',
    'GET /api/sync/runs/:id',
    'GET /healthz',
    'GET /list',
    'GET /livez',
    'GET /metrics',
    'GET /openapi.json',
    'GET /ops',
    'GET /ui',
    'GET /ui/',
    'GET /ui/:file',
    'POST /api/distribute/image',
    'POST /ops',
  ]);
});

/** Starts the API on a config file of `lines` (read with `env`) and asks it for /list?type=configured. */
async function configuredList(t: TestContext, prefix: string, env: Record<string, string>, lines: string[]) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'config.yaml'), lines.join('\n'));
  const { config } = await loadConfig(join(dir, 'config.yaml'), env);
  const api = await testApi(config);
  t.after(() => api.close());
  return api.app.inject({ url: '/list?type=configured', headers: api.auth });
}

test('/list?type=configured shows sources: too, their auth redacted', async (t) => {
  const secret = 'source-pw-4c1d';
  const configured = await configuredList(t, 'pb-api-sources-', { SOURCE_PW: secret }, [
    'registries: [{hostname: mirror.example, images: [registry.internal:5000/app:v1]}]',
    'sources:',
    "  'registry.internal:5000': {auth: 'puller:${SOURCE_PW}', tlsVerify: false}",
    "  'build-cache.lan:5000': {insecure: true}",
    '',
  ]);
  assert.equal(configured.body.includes(secret), false);
  assert.equal(configured.body.includes(Buffer.from(`puller:${secret}`).toString('base64')), false);
  const { sources } = configured.json();
  assert.deepEqual(Object.keys(sources), ['registry.internal:5000', 'build-cache.lan:5000']);
  assert.deepEqual(sources['registry.internal:5000'].auth, { kind: 'username:password', username: 'puller', password: '***' });
  assert.equal(sources['registry.internal:5000'].tlsVerify, false);
  assert.equal(sources['build-cache.lan:5000'].insecure, true);
  assert.equal(sources['build-cache.lan:5000'].auth, '');
});

test('/list?type=configured shows targets: and notifications: when written, every secret redacted', async (t) => {
  const secrets = { TEAM_PW: 'team-pw-77e1' };
  const configured = await configuredList(t, 'pb-api-configured-', secrets, [
    'registries: [{hostname: mirror.example, images: [registry.internal:5000/app:v1]}]',
    'targets:',
    "  'mirror.example/team-a': {auth: 'robot-a:${TEAM_PW}'}",
    'notifications:',
    '  webhooks:',
    "    - url: 'https://hooks.example:8443/services/T000/literal-path-5d1e?channel=ops'",
    "      secret: 'literal-secret-1f0a'",
    '      headers: {X-Api-Key: literal-key-9e2b}',
    '',
  ]);
  assert.equal(configured.statusCode, 200);
  for (const secret of [...Object.values(secrets), 'literal-path-5d1e', 'literal-secret-1f0a', 'literal-key-9e2b'])
    assert.equal(configured.body.includes(secret), false, `${secret} is not shown`);
  const body = configured.json();
  assert.deepEqual(Object.keys(body.targets), ['mirror.example/team-a']);
  assert.equal(body.targets['mirror.example/team-a'].auth.username, 'robot-a');
  assert.equal(body.targets['mirror.example/team-a'].auth.password, '***');
  assert.equal(body.notifications.webhooks.length, 1);
  assert.equal(body.notifications.webhooks[0].url, 'https://hooks.example:8443/***');
  assert.equal(body.notifications.webhooks[0].secret, '***');
  assert.deepEqual(body.notifications.webhooks[0].headers, { 'X-Api-Key': '***' });
  // Without them, the answer keeps the seed's shape.
  const plain = await testApi(testConfig());
  t.after(() => plain.close());
  const answer = (await plain.app.inject({ url: '/list?type=configured', headers: plain.auth })).json();
  assert.deepEqual(Object.keys(answer).sort(), ['file', 'registries', 'sources']);
});
