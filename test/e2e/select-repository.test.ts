import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Credentials } from '../../src/auth/credentials.js';
import { RegistryClients } from '../../src/registry/index.js';
import { compileRule, planSelection, registryLister, type RuleSpec, type SelectionEvent } from '../../src/select/index.js';
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

const ETCD_TAGS = ['v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.5.2-rc.1', 'v3.6.0', 'latest', 'main'];
const target = { hostname: 'mirror.example:5000', repository: 'mirror' };

let source: TestRegistry;
let token: TestRegistry;
let proxy: FaultProxy;
const clients = new RegistryClients();

before(async () => {
  [source, token] = await Promise.all([startRegistry(), startRegistry({ auth: 'token' })]);
  proxy = await startFaultProxy(source);
  const serially = async (registry: TestRegistry, repository: string, tags: string[]): Promise<void> => {
    for (const tag of tags) await pushImage(ociImage, registry, `${repository}:${tag}`); // never two pushes into one repository at once
  };
  await Promise.all([
    serially(source, 'coreos/etcd', ETCD_TAGS),
    serially(source, 'loop/a', ['v1']),
    serially(source, 'loop/b', ['v1', 'v2']),
    serially(token, 'team/app', ['v1', 'v2']),
  ]);
});

after(async () => {
  const started = startedSoFar({ proxy, source, token });
  await clients.close();
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.token?.stop()]);
});

async function plan(specs: RuleSpec[], host = source.host, events: SelectionEvent[] = [], lister = registryLister(clients)) {
  const rules = specs.map((spec, i) => compileRule({ ...spec, source: `${host}/${spec.source}` }, `mirrors[${i}]`));
  return planSelection(rules, { lister, target, onEvent: (e) => events.push(e) });
}

test('a repository rule selects every tag the registry has (as skopeo list-tags sees them), mapped under the target prefix', async () => {
  const result = await plan([{ source: 'coreos/etcd' }]);
  const listed = await skopeoListTags(`${source.host}/coreos/etcd`, source);
  assert.deepEqual([...listed].sort(), [...ETCD_TAGS].sort());
  assert.deepEqual(
    result.images.map((i) => i.source),
    [...listed].sort().map((tag) => `${source.host}/coreos/etcd:${tag}`),
  );
  assert.deepEqual(
    result.images.map((i) => i.target),
    [...listed].sort().map((tag) => `mirror.example:5000/mirror/coreos/etcd:${tag}`),
  );
  assert.deepEqual(result.problems, []);
});

test('tag filters against the real tag list: include, exclude, semver and latest, alone and combined', async () => {
  const kept = async (tags: RuleSpec['tags']): Promise<string[]> =>
    (await plan([{ source: 'coreos/etcd', tags }])).images.map((i) => i.source.split(':').at(-1) ?? '');
  assert.deepEqual(await kept({ include: ['v3\\.5\\..*'] }), ['v3.5.0', 'v3.5.1', 'v3.5.2-rc.1']);
  assert.deepEqual(await kept({ exclude: ['.*-rc.*', 'main', 'latest'] }), ['v3.4.0', 'v3.5.0', 'v3.5.1', 'v3.6.0']);
  assert.deepEqual(await kept({ semver: '>=3.5 <4' }), ['v3.5.0', 'v3.5.1', 'v3.6.0']);
  assert.deepEqual(await kept({ latest: 2 }), ['v3.5.2-rc.1', 'v3.6.0']);
  assert.deepEqual(await kept({ semver: '*', latest: 2 }), ['v3.5.1', 'v3.6.0']);
  assert.deepEqual(await kept({ include: ['v.*'], exclude: ['v3\\.6\\..*'], semver: '>=3.5', latest: 1 }), ['v3.5.1']);
  const combined = await plan([
    { source: 'coreos/etcd', tags: { include: ['v.*'], exclude: ['v3\\.6\\..*'], semver: '>=3.5', latest: 1 } },
  ]);
  assert.deepEqual(
    combined.expansions[0]?.dropped.map((d) => `${d.tag}:${d.filter}`),
    ['latest:include', 'main:include', 'v3.4.0:semver', 'v3.5.0:latest', 'v3.5.2-rc.1:semver', 'v3.6.0:exclude'],
  );
});

test('a rename puts every tag under the new path; platforms and force ride along to the copy task', async () => {
  const result = await plan([
    { source: 'coreos/etcd', tags: { include: ['v3\\.5\\.[01]'] }, target: 'tools/etcd', platforms: ['linux/amd64'], force: true },
  ]);
  assert.deepEqual(result.images, [
    {
      source: `${source.host}/coreos/etcd:v3.5.0`,
      target: 'mirror.example:5000/mirror/tools/etcd:v3.5.0',
      platforms: ['linux/amd64'],
      force: true,
      rule: 'mirrors[0]',
      rules: ['mirrors[0]'],
    },
    {
      source: `${source.host}/coreos/etcd:v3.5.1`,
      target: 'mirror.example:5000/mirror/tools/etcd:v3.5.1',
      platforms: ['linux/amd64'],
      force: true,
      rule: 'mirrors[0]',
      rules: ['mirrors[0]'],
    },
  ]);
});

test('tags are read page by page to the end when the registry pages them (n=2 through a paging proxy)', async () => {
  proxy.clearRequests();
  proxy.addFault({
    method: 'GET',
    pathPattern: /\/coreos\/etcd\/tags\/list/,
    times: 10,
    action: { kind: 'paginate', field: 'tags', size: 2 },
  });
  const events: SelectionEvent[] = [];
  try {
    const result = await plan([{ source: 'coreos/etcd' }], proxy.host, events, registryLister(clients, { tagPageSize: 2 }));
    assert.deepEqual(
      result.images.map((i) => i.source.split(':').at(-1)),
      [...ETCD_TAGS].sort(),
    );
  } finally {
    proxy.clearFaults();
  }
  const pages = proxy.requests.filter((r) => r.path.includes('/tags/list')).map((r) => r.path);
  assert.deepEqual(pages, [
    '/v2/coreos/etcd/tags/list?n=2',
    '/v2/coreos/etcd/tags/list?n=2&last=main',
    '/v2/coreos/etcd/tags/list?n=2&last=v3.5.0',
    '/v2/coreos/etcd/tags/list?n=2&last=v3.5.2-rc.1',
  ]);
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'tags-found' ? [e.found] : [])),
    [2, 4, 6, 7],
    'progress after every page',
  );
});

test('a Link loop stops that repository with an error naming the registry and the page; the rest of the rule goes on', async () => {
  proxy.clearRequests();
  const loop = (path: string): string =>
    path.includes('last=') ? '</v2/loop/a/tags/list?n=1000>; rel="next"' : '</v2/loop/a/tags/list?last=v1>; rel="next"';
  proxy.addFault({ method: 'GET', pathPattern: /\/loop\/a\/tags\/list/, times: 50, action: { kind: 'link', link: loop } });
  let result;
  try {
    result = await plan([{ source: 'loop/' }], proxy.host);
  } finally {
    proxy.clearFaults();
  }
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${proxy.host}/loop/b:v1`, `${proxy.host}/loop/b:v2`],
  );
  assert.equal(result.problems.length, 1);
  const [problem] = result.problems;
  assert.equal(problem?.code, 'LISTING_FAILED');
  assert.equal(problem.severity, 'error');
  assert.equal(problem.repository, 'loop/a');
  assert.equal(
    problem.message,
    `mirrors[0]: listing the tags of ${proxy.host}/loop/a failed: ${proxy.host}: listing tags stopped: Link rel="next" points back to http://${proxy.host}/v2/loop/a/tags/list?n=1000, a page already read`,
  );
  assert.equal(proxy.count('GET', /\/loop\/a\/tags\/list/), 2, 'each page once, then stopped');
});

test('behind token auth the listing asks for registry:catalog:* and repository:NAME:pull, nothing more', async () => {
  const endpoint = { credentials: new Credentials(token.username ?? '', token.password ?? '') };
  const issuer = token.tokenIssuer;
  assert.ok(issuer);
  issuer.requests.length = 0;
  const result = await plan([{ source: 'team/' }], token.host, [], registryLister(clients, { endpoint: () => endpoint }));
  assert.deepEqual(
    result.images.map((i) => i.source),
    [`${token.host}/team/app:v1`, `${token.host}/team/app:v2`],
  );
  const scopes = new Set(issuer.requests.flatMap((r) => r.scopes));
  assert.deepEqual([...scopes].sort(), ['registry:catalog:*', 'repository:team/app:pull']);
});
