import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { until } from '../../scheduler/scheduler-test-kit.js';
import { testApi, testConfig } from '../api-test-kit.js';

/** The document is generated from the routes: checked against fastify's own route table and the OpenAPI 3.1 schema. */

/** Open to anyone: the readiness and liveness probes, and the dashboard's page and files (they hold no data). */
const PUBLIC_PATHS = ['/healthz', '/livez', '/', '/ui', '/ui/', '/ui/{file}'];

interface Route {
  method: string;
  url: string;
  schema: FastifySchema | undefined;
}

/** Every route the app registers, as fastify announces them (its onRoute hook), HEAD aside: fastify adds one per GET. */
async function routeTable(api: Awaited<ReturnType<typeof testApi>>): Promise<Route[]> {
  const routes: Route[] = [];
  api.app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema });
  });
  await api.app.ready();
  assert.ok(routes.length > 0, 'the routes are added when the app gets ready');
  for (const head of routes.filter((r) => r.method === 'HEAD'))
    assert.ok(
      routes.some((r) => r.method === 'GET' && r.url === head.url),
      `HEAD ${head.url} answers as its GET`,
    );
  return routes.filter((r) => r.method !== 'HEAD');
}

interface Operation {
  security?: unknown[];
  responses: Record<string, unknown>;
  parameters?: Array<{ in: string; name: string }>;
}

interface Document {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

async function servedDocument(api: Awaited<ReturnType<typeof testApi>>): Promise<Document> {
  const served = await api.app.inject({ url: '/openapi.json', headers: api.auth });
  assert.equal(served.statusCode, 200);
  return served.json();
}

test('the OpenAPI document lists every route fastify registered, each with its errors, and no other', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const routes = await routeTable(api);
  const document = await servedDocument(api);
  const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  assert.deepEqual(documented.sort(), routes.map((r) => `${r.method} ${r.url}`).sort());

  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (PUBLIC_PATHS.includes(path)) {
        assert.deepEqual(operation.security, [], `${where} needs no token`);
        continue;
      }
      assert.equal(operation.security, undefined, `${where} needs the token (the document's default)`);
      for (const status of ['401', '503']) {
        const { description, content } = (operation.responses[status] ?? {}) as { description?: string; content?: unknown };
        assert.match(description ?? '', /^(UNAUTHORIZED|STARTING): /, `${where} says when it answers ${status}`);
        assert.deepEqual(
          content,
          { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          `${where} answers ${status} in the error shape`,
        );
      }
      for (const name of path.match(/\{(\w+)\}/g) ?? [])
        assert.ok(
          operation.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name),
          `${where} describes ${name}`,
        );
    }
  }
});

test('the OpenAPI document is valid OpenAPI 3.1, carries the package version and names its shared shapes', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const document = await servedDocument(api);
  const validator = new Validator();
  const result = await validator.validate(document as unknown as Record<string, unknown>);
  assert.deepEqual(result.errors, undefined);
  assert.equal(result.valid, true);
  assert.equal(validator.version, '3.1');
  assert.equal(document.openapi, '3.1.0');
  const { version } = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(document.info.version, version);

  const text = JSON.stringify(document);
  const refs = new Set([...text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]));
  assert.deepEqual([...refs].sort(), Object.keys(document.components.schemas).sort(), 'every component is used, every $ref resolves');
  assert.deepEqual(document.components.schemas.Error, {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', description: 'Stable, e.g. INVALID_QUERY, UNAUTHORIZED, JOB_NOT_FOUND' },
          message: { type: 'string' },
        },
        required: ['code', 'message'],
        additionalProperties: false,
      },
    },
    required: ['error'],
    additionalProperties: false,
  });
  assert.equal(text.includes('"not":{}'), false, 'optional values are not written as "absent or ..."');
});

test('every answer the API gives is documented for its route and status, and matches the response schema', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const routes = await routeTable(api);
  const checked = new Set<string>();
  const answer = async (
    method: 'GET' | 'POST',
    route: string,
    url: string,
    options: { headers?: Record<string, string>; payload?: string; status: number },
  ) => {
    const response = await api.app.inject({
      method,
      url,
      headers: { ...api.auth, ...options.headers },
      ...(options.payload === undefined ? {} : { payload: options.payload }),
    });
    assert.equal(response.statusCode, options.status, `${method} ${url}: ${response.body}`);
    const schema = (routes.find((r) => r.method === method && r.url === route)?.schema?.response as Record<number, unknown> | undefined)?.[
      response.statusCode
    ];
    assert.ok(schema instanceof z.ZodType, `${method} ${route} documents ${response.statusCode}`);
    const body: unknown = response.headers['content-type']?.toString().startsWith('application/json')
      ? response.json()
      : response.body === ''
        ? null
        : response.body;
    const parsed = schema.safeParse(body);
    assert.ok(parsed.success, `${method} ${url} ${response.statusCode}: ${parsed.error?.message ?? ''}`);
    checked.add(`${method} ${route}`);
  };
  const json = { 'content-type': 'application/json' };
  const request = {
    source: { endpoint: 'http://127.0.0.1:5000/v2', image: 'library/app', ref: 'v1' },
    targets: [{ endpoint: 'mirror.example:5000' }],
  };

  api.tickers.live('*/2 * * * * *').fire();
  await until(() => api.runner.runs.length === 1, 'a run');
  api.runner.runs[0]?.finish();
  await api.scheduler.get('mirror.example:5000')?.idle();
  await api.store.createJob('j1', request, 1);

  await answer('GET', '/healthz', '/healthz', { status: 200 });
  await answer('GET', '/livez', '/livez', { status: 200 });
  await answer('GET', '/metrics', '/metrics', { status: 200 });
  await answer('GET', '/metrics', '/metrics', { headers: { authorization: 'wrong' }, status: 401 });
  await answer('GET', '/openapi.json', '/openapi.json', { status: 200 });
  await answer('GET', '/list', '/list?type=configured', { status: 200 });
  await answer('GET', '/list', '/list?type=active', { status: 200 });
  await answer('GET', '/list', '/list?type=everything', { status: 400 });
  await answer('GET', '/ops', '/ops?sync=mirror.example:5000&action=details', { status: 200 });
  await answer('GET', '/ops', '/ops?sync=nowhere.example&action=details', { status: 404 });
  await answer('GET', '/ops', '/ops?action=details', { status: 400 });
  await answer('POST', '/ops', '/ops?sync=other.example&action=pause', { status: 200 });
  await answer('POST', '/ops', '/ops?sync=other.example&action=run', { status: 409 });
  await answer('POST', '/ops', '/ops?sync=other.example&action=resume', { status: 200 });
  await answer('POST', '/ops', '/ops?sync=other.example&action=run', { status: 202 });
  await answer('POST', '/ops', '/ops?sync=other.example&action=pause', { headers: { origin: 'http://evil.example' }, status: 403 });
  await answer('POST', '/ops', '/ops?sync=other.example&action=details', {
    headers: { 'content-type': 'application/xml' },
    payload: '<a/>',
    status: 415,
  });
  await answer('POST', '/api/distribute/image', '/api/distribute/image', { headers: json, payload: JSON.stringify(request), status: 201 });
  await answer('POST', '/api/distribute/image', '/api/distribute/image', { headers: json, payload: '{}', status: 400 });
  await answer('POST', '/api/distribute/image', '/api/distribute/image', {
    headers: { ...json, origin: 'http://evil.example' },
    payload: '{}',
    status: 403,
  });
  await answer('POST', '/api/distribute/image', '/api/distribute/image', {
    headers: json,
    payload: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
    status: 413,
  });
  await answer('GET', '/api/distribute/image', '/api/distribute/image?limit=5', { status: 200 });
  await answer('GET', '/api/distribute/image', '/api/distribute/image?limit=0', { status: 400 });
  await answer('GET', '/api/distribute/image/:id', '/api/distribute/image/j1', { status: 200 });
  await answer('GET', '/api/distribute/image/:id', '/api/distribute/image/j2', { status: 404 });

  const [run] = (await api.store.listRunPage({ limit: 1 }))?.runs ?? [];
  await answer('GET', '/api/sync/overview', '/api/sync/overview', { status: 200 });
  await answer('GET', '/api/sync/runs', '/api/sync/runs?registry=mirror.example:5000&failed=true', { status: 200 });
  await answer('GET', '/api/sync/runs', '/api/sync/runs?before=0', { status: 400 });
  await answer('GET', '/api/sync/runs/:id', `/api/sync/runs/${run?.id}`, { status: 200 });
  await answer('GET', '/api/sync/runs/:id', '/api/sync/runs/99999', { status: 404 });
  await answer('GET', '/api/sync/runs/:id', '/api/sync/runs/x', { status: 400 });
  await answer('GET', '/', '/', { status: 302 });
  await answer('GET', '/ui', '/ui', { status: 302 });
  await answer('GET', '/ui/', '/ui/', { status: 200 });
  const etag = (await api.app.inject({ url: '/ui/app.js' })).headers.etag;
  await answer('GET', '/ui/:file', '/ui/app.js', { status: 200 });
  await answer('GET', '/ui/:file', '/ui/app.js', { headers: { 'if-none-match': String(etag) }, status: 304 });
  await answer('GET', '/ui/:file', '/ui/nothing.js', { status: 404 });
  // The stream never ends by itself: read over HTTP up to its first message.
  const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const stream = await fetch(`${address}/api/sync/live`, { headers: api.auth });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = stream.body?.getReader();
  const first = await reader?.read();
  assert.match(new TextDecoder().decode(first?.value), /^event: live\ndata: \{/);
  await reader?.cancel();
  checked.add('GET /api/sync/live');

  api.setConfig(testConfig({ enableAuth: false }));
  await answer('GET', '/ops', '/ops?sync=other.example&action=pause', { status: 405 });
  assert.deepEqual([...checked].sort(), routes.map((r) => `${r.method} ${r.url}`).sort(), 'every route was called');
});

test('the webhook body is documented as the webhooks section of the document, its schema the Notification component', async (t) => {
  const api = await testApi();
  t.after(() => api.close());
  const document = (await servedDocument(api)) as Document & { webhooks?: Record<string, Record<string, unknown>> };
  const post = document.webhooks?.notification?.post as
    { requestBody: { content: Record<string, { schema: unknown }> }; description: string } | undefined;
  assert.ok(post);
  assert.deepEqual(post.requestBody.content['application/json']?.schema, { $ref: '#/components/schemas/Notification' });
  assert.match(post.description, /X-Picture-Book-Signature-256/);
  const notification = document.components.schemas.Notification as { properties: { event: { enum: string[] } }; required: string[] };
  assert.deepEqual(notification.properties.event.enum, [
    'run-finished',
    'run-failed',
    'run-recovered',
    'image-failed',
    'schedule-missed',
    'quota-paused',
    'prune-done',
  ]);
  assert.deepEqual(notification.required.sort(), ['event', 'id', 'message', 'registry', 'time']);
});
