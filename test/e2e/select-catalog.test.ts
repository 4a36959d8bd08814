import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RegistryClients } from '../../src/registry/index.js';
import { compileRule, planSelection, registryLister, type Lister, type RuleSpec, type SelectionEvent } from '../../src/select/index.js';
import {
  pushImage,
  skopeoListTags,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { ociImage } from './fixtures.js';

const REPOSITORIES: Record<string, string[]> = {
  'other/db': ['5.7.0', '8.0.0'],
  'team/app': ['v1', 'v2'],
  'team/old-app': ['v1'],
  'team/sub/tool': ['1.0.0'],
  'teamwork/app': ['v1'],
};
const target = { hostname: 'mirror.example:5000', repository: '' };

let source: TestRegistry;
let anonymous: TestRegistry;
let proxy: FaultProxy;
const clients = new RegistryClients();

async function seed(registry: TestRegistry, repositories: Record<string, string[]>): Promise<void> {
  // Repositories at once, the tags of one repository one after the other.
  await Promise.all(
    Object.entries(repositories).map(async ([repository, tags]) => {
      for (const tag of tags) await pushImage(ociImage, registry, `${repository}:${tag}`);
    }),
  );
}

before(async () => {
  [source, anonymous] = await Promise.all([startRegistry(), startRegistry({ auth: 'token', token: { allowAnonymousPull: true } })]);
  proxy = await startFaultProxy(source);
  await Promise.all([seed(source, REPOSITORIES), seed(anonymous, { 'public/app': ['v1'] })]);
});

after(async () => {
  const started = startedSoFar({ proxy, source, anonymous });
  await clients.close();
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.anonymous?.stop()]);
});

function plan(specs: Array<RuleSpec & { source: string }>, options: { lister?: Lister; events?: SelectionEvent[] } = {}) {
  const rules = specs.map((spec, i) => compileRule(spec, `mirrors[${i}]`));
  return planSelection(rules, { lister: options.lister ?? registryLister(clients), target, onEvent: (e) => options.events?.push(e) });
}

test('a namespace rule mirrors every tag of every repository under it (checked with skopeo), minus the repositories filtered out', async () => {
  const result = await plan([{ source: `${source.host}/team/`, repositories: { exclude: ['team/old-.*'] } }]);
  const expected: string[] = [];
  for (const repository of ['team/app', 'team/sub/tool']) {
    for (const tag of (await skopeoListTags(`${source.host}/${repository}`, source)).sort())
      expected.push(`${source.host}/${repository}:${tag}`);
  }
  assert.deepEqual(
    result.images.map((i) => i.source),
    expected,
  );
  assert.deepEqual(
    result.images.map((i) => i.target),
    expected.map((s) => s.replace(source.host, 'mirror.example:5000')),
  );
  assert.deepEqual(result.expansions[0]?.droppedRepositories, [
    { repository: 'team/old-app', filter: 'exclude', reason: 'matches exclude "team/old-.*"' },
  ]);
  assert.deepEqual(result.problems, []);
});

test('a registry rule covers the whole catalog; repositories.include narrows it', async () => {
  const all = await plan([{ source: source.host }]);
  assert.equal(all.images.length, Object.values(REPOSITORIES).flat().length);
  const some = await plan([{ source: source.host, repositories: { include: ['other/.*', 'teamwork/.*'] }, tags: { exclude: ['5\\..*'] } }]);
  assert.deepEqual(
    some.images.map((i) => i.source),
    [`${source.host}/other/db:8.0.0`, `${source.host}/teamwork/app:v1`],
  );
});

test('the catalog is read in pages of n=2 to the end, with progress after each page', async () => {
  proxy.clearRequests();
  const events: SelectionEvent[] = [];
  const result = await plan([{ source: `${proxy.host}/team/` }], { lister: registryLister(clients, { catalogPageSize: 2 }), events });
  assert.equal(result.images.length, 4);
  assert.deepEqual(
    proxy.requests.filter((r) => r.path.startsWith('/v2/_catalog')).map((r) => r.path),
    ['/v2/_catalog?n=2', '/v2/_catalog?last=team%2Fapp&n=2', '/v2/_catalog?last=team%2Fsub%2Ftool&n=2'],
  );
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'repositories-found' ? [[e.found, e.selected]] : [])),
    [
      [2, 1],
      [4, 3],
      [5, 3],
    ],
  );
});

test('a registry that does not offer its catalog (404) fails the rule, saying to list repositories explicitly; other rules go on', async () => {
  proxy.addFault({
    method: 'GET',
    pathPattern: /^\/v2\/_catalog/,
    times: 5,
    action: { kind: 'status', status: 404, body: '404 page not found\n', headers: { 'content-type': 'text/plain' } },
  });
  let result;
  try {
    result = await plan([{ source: `${proxy.host}/team/` }, { source: `${proxy.host}/other/db` }]);
  } finally {
    proxy.clearFaults();
  }
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${proxy.host}/other/db:5.7.0`, `${proxy.host}/other/db:8.0.0`],
  );
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0]?.code, 'CATALOG_UNAVAILABLE');
  assert.equal(result.problems[0].severity, 'error');
  assert.equal(
    result.problems[0].message,
    `mirrors[0]: ${proxy.host} does not let us list its repositories (GET http://${proxy.host}/v2/_catalog?n=1000: 404 Not Found: 404 page not found): list the repositories explicitly, one repository rule (or images: entry) each`,
  );
});

test('a catalog answered with the registry code UNSUPPORTED (whatever the status) fails the rule the same way', async () => {
  const body = JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
  proxy.addFault({
    method: 'GET',
    pathPattern: /^\/v2\/_catalog/,
    times: 5,
    action: { kind: 'status', status: 400, body, headers: { 'content-type': 'application/json' } },
  });
  let result;
  try {
    result = await plan([{ source: proxy.host }]);
  } finally {
    proxy.clearFaults();
  }
  assert.deepEqual(result.images, []);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity, p.message]),
    [
      [
        'CATALOG_UNAVAILABLE',
        'error',
        `mirrors[0]: ${proxy.host} does not let us list its repositories (GET http://${proxy.host}/v2/_catalog?n=1000: 400 Bad Request: UNSUPPORTED: The operation is unsupported.): list the repositories explicitly, one repository rule (or images: entry) each`,
      ],
    ],
  );
});

test('a registry whose token server grants no registry:catalog:* (anonymous) fails a registry rule clearly; a repository rule still lists', async () => {
  const result = await plan([{ source: anonymous.host }, { source: `${anonymous.host}/public/app` }]);
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${anonymous.host}/public/app:v1`],
  );
  assert.deepEqual(
    result.problems.map((p) => p.code),
    ['CATALOG_UNAVAILABLE'],
  );
  assert.match(
    result.problems[0]?.message ?? '',
    new RegExp(
      `^mirrors\\[0\\]: ${anonymous.host} does not let us list its repositories \\(GET http://${anonymous.host}/v2/_catalog\\?n=1000: 401 Unauthorized: UNAUTHORIZED: .*\\): list the repositories explicitly`,
    ),
  );
});

test('a repository deleted between catalog and tags is reported and skipped; the rest is selected', async (t) => {
  const doomed = await startRegistry();
  t.after(() => doomed.stop());
  await seed(doomed, { 'keep/app': ['v1'], 'gone/app': ['v1'] });
  const real = registryLister(clients);
  // The catalog is read for real; then the repository disappears from storage before its tags are asked for.
  const lister: Lister = {
    async repositories(registry, options) {
      const names = await real.repositories(registry, options);
      await rm(join(doomed.rootDir, 'docker/registry/v2/repositories/gone'), { recursive: true });
      return names;
    },
    tags: (registry, repository, options) => real.tags(registry, repository, options),
  };
  const result = await plan([{ source: doomed.host }], { lister });
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${doomed.host}/keep/app:v1`],
  );
  assert.equal(result.problems.length, 1);
  const [problem] = result.problems;
  assert.equal(problem?.code, 'REPOSITORY_NOT_FOUND');
  assert.equal(problem.severity, 'warning');
  assert.equal(problem.repository, 'gone/app');
  assert.match(
    problem.message,
    new RegExp(
      `^mirrors\\[0\\]: ${doomed.host}/gone/app was in the catalog but is gone now \\(GET http://${doomed.host}/v2/gone/app/tags/list\\?n=1000: 404 Not Found: NAME_UNKNOWN: .*\\); skipped$`,
    ),
  );
});

test('an empty selection is reported with the registry and rule; an error only when required', async () => {
  const result = await plan([
    { source: `${source.host}/nobody/` },
    { source: `${source.host}/team/app`, tags: { include: ['v9'] }, required: true },
  ]);
  assert.deepEqual(
    result.problems.map((p) => [p.code, p.severity, p.message]),
    [
      [
        'EMPTY_SELECTION',
        'warning',
        `mirrors[0]: selected no image from ${source.host} (no repository under nobody/ in the catalog of ${source.host})`,
      ],
      [
        'EMPTY_SELECTION',
        'error',
        `mirrors[1]: selected no image from ${source.host} (all 2 tags were filtered out), and the rule is required`,
      ],
    ],
  );
});

test('two rules selecting different sources for one target tag are an error naming both, before any copy', async () => {
  const result = await plan([{ source: `${source.host}/team/app` }, { source: `${source.host}/teamwork/app`, target: 'team/app' }]);
  assert.deepEqual(
    result.images.map((i) => i.target),
    ['mirror.example:5000/team/app:v2'],
  );
  assert.deepEqual(
    result.problems.map((p) => p.code),
    ['TARGET_COLLISION'],
  );
  assert.equal(
    result.problems[0]?.message,
    `mirror.example:5000/team/app:v1 is selected from different sources: ${source.host}/team/app:v1 (mirrors[0]) and ${source.host}/teamwork/app:v1 (mirrors[1]); a tag holds one image, so none of them is copied there: rename one with target: or filter it out`,
  );
});
