import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { expandRule } from './expand-rule.js';
import { layoutAwareLister } from './layout-lister.js';
import { FakeLister } from './lister-test-kit.js';
import { compileRule, type RuleSpec } from './rule.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (name: string, c: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: digest(c),
  size: 500,
  annotations: { 'org.opencontainers.image.ref.name': name },
});

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-layout-lister-'));
  // index.json as skopeo or picture-book write it: repository:tag names, a bare tag, a digest name, an entry without a name.
  const manifests = [
    entry('team/app:v1.0.0', 'a'),
    entry('team/app:v1.1.0-rc1', 'b'),
    entry('team/app:v1.1.0', 'c'),
    entry('team/tool:edge', 'd'),
    entry('other/db:8.0.0', 'e'),
    entry('v9', 'f'),
    entry(`team/app@${digest('a')}`, 'a'),
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digest('0'), size: 10 },
  ];
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}\n');
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The registry side records what it is asked: a layout source must be read from the disk only. */
let registries = new FakeLister({});
const expand = (spec: RuleSpec) => {
  registries = new FakeLister({});
  return expandRule(compileRule(spec, 'rule-1'), {
    lister: layoutAwareLister(registries),
    target: { hostname: 'registry.internal:5000', repository: 'm' },
  });
};
const pairs = (images: Array<{ source: string; target: string }>) => images.map((i) => `${i.source} -> ${i.target}`);

test("a mirrors: rule whose source is a whole layout lists every repository:tag of its index.json, with the rule's filters", async () => {
  const result = await expand({ source: `oci:${dir}`, tags: { exclude: ['.*-rc.*'] }, repositories: { exclude: ['other/.*'] } });
  assert.deepEqual(pairs(result.images), [
    `oci:${dir}:team/app:v1.0.0 -> registry.internal:5000/m/team/app:v1.0.0`,
    `oci:${dir}:team/app:v1.1.0 -> registry.internal:5000/m/team/app:v1.1.0`,
    `oci:${dir}:team/tool:edge -> registry.internal:5000/m/team/tool:edge`,
  ]);
  assert.deepEqual(
    result.dropped.map((d) => `${d.repository}:${d.tag} ${d.filter}`),
    ['team/app:v1.1.0-rc1 exclude'],
  );
  assert.deepEqual(
    result.droppedRepositories.map((d) => d.repository),
    ['other/db'],
  );
  assert.deepEqual(result.problems, []);
  assert.deepEqual(registries.calls, [], 'no registry was asked');
});

test('a layout repository rule and a layout namespace rule list only their images; semver and latest apply', async () => {
  const repository = await expand({ source: `oci:${dir}:team/app`, tags: { semver: '>=1.0.0', latest: 1 }, target: 'apps/app' });
  assert.deepEqual(pairs(repository.images), [`oci:${dir}:team/app:v1.1.0 -> registry.internal:5000/m/apps/app:v1.1.0`]);
  const namespace = await expand({ source: `oci:${dir}:team/` });
  assert.deepEqual(
    namespace.repositories.map((r) => `${r.repository}: ${r.kept.join(' ')}`),
    ['team/app: v1.0.0 v1.1.0 v1.1.0-rc1', 'team/tool: edge'],
  );
});

test('a layout that is not there, and a repository it does not name, are errors naming them', async () => {
  const missing = await expand({ source: `oci:${join(dir, 'nope')}` });
  assert.equal(missing.images.length, 0);
  const [problem] = missing.problems;
  assert.ok(problem);
  assert.equal(problem.severity, 'error');
  assert.match(problem.message, /is not an OCI layout: .*nope\/index\.json does not exist/);
  const [absent] = (await expand({ source: `oci:${dir}:team/gone` })).problems;
  assert.ok(absent);
  assert.equal(absent.code, 'REPOSITORY_NOT_FOUND');
  assert.match(absent.message, /no image of oci:.* is named team\/gone:TAG/);
});
