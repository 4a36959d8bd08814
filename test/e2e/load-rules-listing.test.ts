import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseManifest } from '../../src/registry/index.js';
import {
  pushImage,
  skopeoInspectRaw,
  skopeoListTags,
  startFaultProxy,
  startRegistry,
  type BuiltImage,
  type FaultProxy,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';
import { writeConfig } from './sync-kit.js';

/*
 * `picture-book load` with mirrors: rules, as the registry pages, refuses or loops its listings
 * (a fault proxy in front of the real registry), and with platforms and force per rule.
 */

const SEED: Record<string, string[]> = {
  'team/app': ['v1', 'v2', 'v3'],
  'team/db': ['1.0.0', '1.1.0', '2.0.0'],
  'loop/a': ['v1'],
  'other/tool': ['a', 'b', 'c', 'd', 'e'],
};

let source: TestRegistry;
let target: TestRegistry;
let proxy: FaultProxy;
let dir: string;
let multi: BuiltImage;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(source);
  dir = await tempDir('pb-load-listing-');
  await Promise.all([
    ...Object.entries(SEED).map(async ([repository, tags]) => {
      for (const tag of tags) await pushImage(ociImage, source, `${repository}:${tag}`);
    }),
    pushImage(ociIndex, source, 'multi/app:v1').then((built) => (multi = built)),
  ]);
});

after(async () => {
  const started = startedSoFar({ proxy, source, target });
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(name: string, entry: Record<string, unknown>, flags: string[] = ['--log-format', 'json']) {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  const file = await writeConfig(work, { registries: [{ hostname: target.host, ...entry }] });
  return runCli(['load', '--config', file, '--all', ...flags]);
}

const tagsAt = async (repository: string): Promise<string[]> => (await skopeoListTags(`${target.host}/${repository}`, target)).sort();
const problems = (stdout: string) => jsonLines(stdout).filter((e) => e.type === 'selection-problem');

test('catalog and tags served in pages of n=2: a registry rule follows every Link to the end (checked with skopeo)', async (t) => {
  proxy.clearRequests();
  proxy.addFault({
    method: 'GET',
    pathPattern: /^\/v2\/_catalog/,
    times: 100,
    action: { kind: 'paginate', field: 'repositories', size: 2 },
  });
  proxy.addFault({ method: 'GET', pathPattern: /\/tags\/list/, times: 100, action: { kind: 'paginate', field: 'tags', size: 2 } });
  t.after(() => proxy.clearFaults());
  const result = await load('paged', {
    repository: 'p',
    // The rule's own listing is counted: signatures and attestations (which list each repository's
    // tags again for cosign tags) are off here.
    referrers: false,
    mirrors: [{ source: proxy.host, repositories: { exclude: ['loop/.*', 'multi/.*'] } }],
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(
    proxy.requests.filter((r) => r.path.startsWith('/v2/_catalog')).map((r) => r.path),
    ['/v2/_catalog?n=1000', '/v2/_catalog?n=2&last=multi%2Fapp', '/v2/_catalog?n=2&last=team%2Fapp'],
  );
  assert.equal(proxy.requests.filter((r) => r.path.startsWith('/v2/other/tool/tags/list')).length, 3, '5 tags in pages of 2');
  for (const [repository, tags] of Object.entries(SEED).filter(([r]) => !r.startsWith('loop/'))) {
    assert.deepEqual(await tagsAt(`p/${repository}`), [...tags].sort(), repository);
    assert.deepEqual(await tagsAt(`p/${repository}`), (await skopeoListTags(`${source.host}/${repository}`, source)).sort());
  }
});

test('a registry that does not offer _catalog (404): the rule fails naming the registry and what to do; other rules are copied; exit 1', async (t) => {
  proxy.addFault({
    method: 'GET',
    pathPattern: /^\/v2\/_catalog/,
    times: 10,
    action: { kind: 'status', status: 404, body: '404 page not found\n', headers: { 'content-type': 'text/plain' } },
  });
  t.after(() => proxy.clearFaults());
  const result = await load('no-catalog', {
    repository: 'n',
    mirrors: [{ source: `${proxy.host}/team/` }, { source: `${proxy.host}/team/db` }],
  });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.deepEqual(
    problems(result.stdout).map((p) => [p.code, p.severity, p.rule, p.message]),
    [
      [
        'CATALOG_UNAVAILABLE',
        'error',
        'mirrors[0]',
        `mirrors[0]: ${proxy.host} does not let us list its repositories (GET http://${proxy.host}/v2/_catalog?n=1000: 404 Not Found: 404 page not found): list the repositories explicitly, one repository rule (or images: entry) each`,
      ],
    ],
  );
  assert.deepEqual(await tagsAt('n/team/db'), ['1.0.0', '1.1.0', '2.0.0']);
  const finished = jsonLines(result.stdout).find((e) => e.type === 'run-finished');
  assert.deepEqual([finished?.ok, finished?.selectionErrors, finished?.copied], [false, 1, 3]);
});

test('a Link loop on tags/list stops that listing with an error (each page read once); the rest of the rule is copied', async (t) => {
  proxy.clearRequests();
  const loop = (path: string): string =>
    path.includes('last=') ? '</v2/loop/a/tags/list?n=1000>; rel="next"' : '</v2/loop/a/tags/list?last=v1>; rel="next"';
  proxy.addFault({ method: 'GET', pathPattern: /\/loop\/a\/tags\/list/, times: 50, action: { kind: 'link', link: loop } });
  t.after(() => proxy.clearFaults());
  const result = await load('loop', {
    repository: 'l',
    mirrors: [{ source: `${proxy.host}/loop/` }, { source: `${proxy.host}/team/app` }],
  });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const [problem, ...others] = problems(result.stdout);
  assert.deepEqual(others, []);
  assert.equal(problem?.code, 'LISTING_FAILED');
  assert.equal(
    problem.message,
    `mirrors[0]: listing the tags of ${proxy.host}/loop/a failed: ${proxy.host}: listing tags stopped: Link rel="next" points back to http://${proxy.host}/v2/loop/a/tags/list?n=1000, a page already read`,
  );
  assert.equal(proxy.count('GET', /\/loop\/a\/tags\/list/), 2);
  assert.deepEqual(await tagsAt('l/team/app'), ['v1', 'v2', 'v3']);
});

test('platforms and force per rule: one platform of an index lands as that image; a forced rule copies again, the other is up to date', async () => {
  const entry = {
    repository: 'pf',
    mirrors: [
      { source: `${source.host}/multi/app`, platforms: ['linux/arm64'], target: 'arm/app' },
      { source: `${source.host}/team/app`, tags: { include: ['v1'] }, force: true },
    ],
  };
  const first = await load('platform-force', entry);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const served = await skopeoInspectRaw(`${target.host}/pf/arm/app:v1`, target);
  assert.equal(parseManifest(served.raw, undefined).kind, 'image', 'one platform: the image itself, not an index');
  const index = parseManifest(multi.manifest, undefined);
  const arm = index.kind === 'index' ? index.manifests.find((d) => d.platform?.architecture === 'arm64') : undefined;
  assert.equal(served.digest, arm?.digest, 'the linux/arm64 child of the source index');
  const second = jsonLines((await load('platform-force', entry)).stdout);
  assert.deepEqual(
    second.filter((e) => e.type === 'image-done').map((e) => e.target),
    [`${target.host}/pf/team/app:v1`],
    'forced: copied again',
  );
  assert.deepEqual(
    second.filter((e) => e.type === 'image-skipped').map((e) => e.target),
    [`${target.host}/pf/arm/app:v1`],
  );
});
