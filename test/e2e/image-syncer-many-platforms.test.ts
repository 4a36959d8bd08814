import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import {
  pushImage,
  skopeoInspectRaw,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { ociImage, ociIndex } from './fixtures.js';
import { tags, workDir as inDir } from './image-syncer-kit.js';
import { jsonLines, runCli, tempDir } from './load-harness.js';

/*
 * A list of destinations with `--os`/`--arch`, and of a multi-platform index: the source is read
 * once for all targets (its blob GETs counted at a fault proxy, per source repository so that no
 * case depends on another), and every target checked with skopeo.
 */

let source: TestRegistry;
let first: TestRegistry;
let second: TestRegistry;
let proxy: FaultProxy;
let dir: string;

before(async () => {
  [source, first, second] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  proxy = await startFaultProxy(source);
  dir = await tempDir('pb-image-syncer-many-platforms-');
  // One repository per case, pushed one after the other.
  await pushImage(ociIndex, source, 'whole/multi:v1');
  await pushImage(ociIndex, source, 'subset/multi:v1');
  await pushImage(ociIndex, source, 'child/multi:v1');
  await pushImage(ociImage, source, 'single/app:v1');
});

after(async () => {
  const started = startedSoFar({ source, first, second, proxy });
  await started.proxy?.close();
  await Promise.all([started.source?.stop(), started.first?.stop(), started.second?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Index {
  manifests: Array<{ digest: string; platform: { architecture: string } }>;
}
interface Image {
  config: { digest: string };
  layers: Array<{ digest: string }>;
}

/** The blob digests GET from `repository` at the source, in order, repeats included. */
const blobGets = (repository: string): string[] =>
  proxy.requests
    .filter((r) => r.method === 'GET' && r.path.includes(`/v2/${repository}/blobs/sha256:`))
    .map((r) => r.path.split('/').pop() ?? '');

const raw = async (reference: string, registry: TestRegistry): Promise<{ digest: string; doc: unknown }> => {
  const { digest, raw } = await skopeoInspectRaw(reference, registry);
  return { digest, doc: JSON.parse(raw.toString('utf8')) };
};

/** Every blob of these images (config and layers), each once. */
async function blobsOf(repository: string, digests: readonly string[]): Promise<string[]> {
  const images = await Promise.all(digests.map((d) => raw(`${source.host}/${repository}@${d}`, source)));
  return [...new Set(images.flatMap(({ doc }) => [(doc as Image).config.digest, ...(doc as Image).layers.map((l) => l.digest)]))].sort();
}

/** Runs image-syncer for one source to both targets (repository `path` on each); exit 0 expected. */
async function syncBoth(name: string, repository: string, path: string, ...flags: string[]): Promise<Array<Record<string, unknown>>> {
  const images = `${proxy.host}/${repository}:v1:\n  - ${first.host}/${path}\n  - ${second.host}/${path}\n`;
  const work = await inDir(dir, name, { 'images.yaml': images });
  const result = await runCli(['image-syncer', '--images', 'images.yaml', '--log-format', 'json', ...flags], {}, work);
  assert.equal(result.code, 0, result.stderr);
  return jsonLines(result.stderr);
}

test('a multi-platform index to two registries: every blob of every child read once, both targets hold the index', async () => {
  await syncBoth('whole', 'whole/multi', 'whole/multi');
  const want = await raw(`${source.host}/whole/multi:v1`, source);
  const children = (want.doc as Index).manifests.map((m) => m.digest);
  for (const registry of [first, second]) {
    assert.equal((await skopeoInspectRaw(`${registry.host}/whole/multi:v1`, registry)).digest, want.digest);
    for (const child of children) assert.equal((await skopeoInspectRaw(`${registry.host}/whole/multi@${child}`, registry)).digest, child);
  }
  assert.deepEqual(blobGets('whole/multi').sort(), await blobsOf('whole/multi', children), 'every blob GET exactly once at the source');
});

test('--os linux --arch amd64,arm64 to two registries: the same new index at both, each blob of the two kept children read once', async () => {
  const events = await syncBoth('subset', 'subset/multi', 'subset/multi', '--os', 'linux', '--arch', 'amd64,arm64');
  const index = (await raw(`${source.host}/subset/multi:v1`, source)).doc as Index;
  const kept = index.manifests.filter((m) => m.platform.architecture !== 'arm').map((m) => m.digest);
  const [a, b] = await Promise.all([raw(`${first.host}/subset/multi:v1`, first), raw(`${second.host}/subset/multi:v1`, second)]);
  assert.equal(a.digest, b.digest, 'one new index, the same at both targets');
  assert.deepEqual((a.doc as Index).manifests.map((m) => m.digest).sort(), [...kept].sort());
  for (const [registry, child] of [first, second].flatMap((r) => kept.map((k) => [r, k] as const)))
    assert.equal((await skopeoInspectRaw(`${registry.host}/subset/multi@${child}`, registry)).digest, child);
  assert.deepEqual(blobGets('subset/multi').sort(), await blobsOf('subset/multi', kept), 'every kept blob GET exactly once');
  const done = events.filter((e) => e.type === 'image-done');
  assert.deepEqual(
    done.map((e) => e.digest),
    [a.digest, a.digest],
  );
});

test('--arch arm64 to two registries: the arm64 image itself at both, its blobs read once; again: up to date at both, nothing read', async () => {
  await syncBoth('child', 'child/multi', 'child/multi', '--arch', 'arm64');
  const index = (await raw(`${source.host}/child/multi:v1`, source)).doc as Index;
  const arm64 = index.manifests.find((m) => m.platform.architecture === 'arm64')?.digest ?? '';
  for (const registry of [first, second]) assert.equal((await skopeoInspectRaw(`${registry.host}/child/multi:v1`, registry)).digest, arm64);
  assert.deepEqual(blobGets('child/multi').sort(), await blobsOf('child/multi', [arm64]), 'every blob GET exactly once');

  const before = blobGets('child/multi').length;
  const again = await syncBoth('child-again', 'child/multi', 'child/multi', '--arch', 'arm64');
  assert.deepEqual(
    again.filter((e) => e.type === 'image-skipped').map((e) => [e.reason, e.digest]),
    [
      ['up-to-date', arm64],
      ['up-to-date', arm64],
    ],
  );
  assert.equal(blobGets('child/multi').length, before, 'no blob read when both are up to date');
});

test('a single-platform image: --arch amd64 copies it to both reading each blob once; --arch arm64 skips it at both, untagged', async () => {
  const skipped = await syncBoth('single-skip', 'single/app', 'skip/app', '--arch', 'arm64');
  assert.deepEqual(
    skipped
      .filter((e) => e.type === 'image-skipped')
      .map((e) => [e.target, e.reason])
      .sort(),
    [
      [`${first.host}/skip/app:v1`, 'platform'],
      [`${second.host}/skip/app:v1`, 'platform'],
    ].sort(),
  );
  assert.deepEqual(await tags(first, 'skip/app'), []);
  assert.deepEqual(await tags(second, 'skip/app'), []);
  const want = await raw(`${source.host}/single/app:v1`, source);
  assert.deepEqual(blobGets('single/app'), [(want.doc as Image).config.digest], 'only its config read, once, to know its platform');

  await syncBoth('single', 'single/app', 'single/app', '--arch', 'amd64');
  for (const registry of [first, second])
    assert.equal((await skopeoInspectRaw(`${registry.host}/single/app:v1`, registry)).digest, want.digest);
  const config = (want.doc as Image).config.digest;
  assert.deepEqual(
    blobGets('single/app').sort(),
    [config, config, ...(await blobsOf('single/app', [want.digest]))].sort(),
    'the config read once by the skipping run, once more to know the platform, then every blob once for both targets',
  );
});
