import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  pushImage,
  sha256,
  skopeo,
  skopeoInspectRaw,
  startRegistry,
  startedSoFar,
  type BuiltImage,
  type TestRegistry,
} from '../harness/index.js';
import { runCli, tempDir } from './load-harness.js';
import { ociImage, ociIndex } from './fixtures.js';

const run = promisify(execFile);

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await tempDir('pb-load-layout-');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

/** The blob members of a tar, listed by GNU tar (not by picture-book). */
async function tarBlobs(file: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tf', file]);
  return [
    ...new Set(
      stdout
        .split('\n')
        .filter((n) => n.startsWith('blobs/sha256/'))
        .map((n) => `sha256:${n.slice('blobs/sha256/'.length)}`),
    ),
  ];
}

async function config(name: string, hostname: string, images: string[]): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, `registries:\n  - hostname: '${hostname}'\n    images:\n${images.map((i) => `      - '${i}'`).join('\n')}\n`);
  return file;
}

const allDigests = (built: BuiltImage): string[] => [
  built.digest,
  ...(built.children ?? []).map((c) => c.digest),
  ...built.blobs.map((b) => b.digest),
];

test('two trips across the gap: a full bundle, then a delta --since it carrying only what changed; base then delta import completes every image', async () => {
  const app1 = await pushImage(ociIndex, source, 'team/app:v1');
  const tool = await pushImage(ociImage, source, 'team/tool:v1');
  // Machine A, first trip: a relative oci-archive: path is relative to config.yaml.
  const first = await runCli([
    'load',
    '--all',
    '-c',
    await config('a1', 'oci-archive:trip-1.tar', [`${source.host}/team/app:v1`, `${source.host}/team/tool:v1`]),
  ]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const bundle1 = join(scratch, 'trip-1.tar');
  for (const [name, built] of [
    ['team/app:v1', app1],
    ['team/tool:v1', tool],
  ] as const) {
    assert.equal(
      sha256((await skopeo(['inspect', '--raw', `oci-archive:${bundle1}:${name}`])).stdout),
      built.digest,
      `skopeo reads ${name}`,
    );
  }

  // A new image over the same base layers; the second trip carries only it.
  const app2 = await pushImage(
    { ...ociImage, layers: [...ociImage.layers, { seed: 'app-v2-layer', size: 300 * 1024 }] },
    source,
    'team/app:v2',
  );
  const everything = [`${source.host}/team/app:v1`, `${source.host}/team/tool:v1`, `${source.host}/team/app:v2`];
  const second = await runCli(['load', '--all', '-c', await config('a2', 'oci-archive:trip-2.tar', everything), '--since', bundle1]);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  const bundle2 = join(scratch, 'trip-2.tar');
  // A registry keeps blobs per repository: what the first bundle held only for team/tool is
  // carried again for team/app (importing the base put it in team/tool, not team/app).
  const inFirstForApp = new Set(allDigests(app1));
  const expected = allDigests(app2).filter((d) => !inFirstForApp.has(d));
  assert.ok(
    expected.some((d) => allDigests(tool).includes(d)),
    'the fixture has a blob the first bundle held for team/tool only',
  );
  assert.deepEqual(
    (await tarBlobs(bundle2)).sort(),
    [...new Set(expected)].sort(),
    'the delta holds exactly the blobs and manifests the first bundle lacked',
  );
  assert.ok(expected.length < allDigests(app2).length, 'the new image shares blobs with the first bundle');
  const inventory = JSON.parse(await readFile(`${bundle2}.inventory.json`, 'utf8')) as { since?: string; images: Record<string, string> };
  assert.equal(inventory.since, 'trip-1.tar');
  assert.deepEqual(Object.keys(inventory.images).sort(), ['team/app:v1', 'team/app:v2', 'team/tool:v1']);

  // Machine B: the delta alone cannot complete its image, and says which bundle to import first.
  const early = await runCli(['load', '--all', '-c', await config('b0', target.host, [`oci-archive:${bundle2}:team/app:v2`])]);
  assert.equal(early.code, 1);
  assert.match(early.stdout + early.stderr, /came in the earlier bundle "trip-1\.tar".*import the bundle "trip-1\.tar" there first/s);
  await assert.rejects(skopeoInspectRaw(`${target.host}/team/app:v2`, target), /manifest unknown|not found/i, 'nothing tagged');

  // Base then delta.
  const base = await runCli([
    'load',
    '--all',
    '-c',
    await config('b1', target.host, [`oci-archive:${bundle1}:team/app:v1`, `oci-archive:${bundle1}:team/tool:v1`]),
  ]);
  assert.equal(base.code, 0, base.stdout + base.stderr);
  const delta = await runCli(['load', '--all', '-c', await config('b2', target.host, [`oci-archive:${bundle2}:team/app:v2`])]);
  assert.equal(delta.code, 0, delta.stdout + delta.stderr);
  for (const [name, built] of [
    ['team/app:v1', app1],
    ['team/tool:v1', tool],
    ['team/app:v2', app2],
  ] as const) {
    assert.equal((await skopeoInspectRaw(`${target.host}/${name}`, target)).digest, built.digest, `${name} complete at the target`);
  }
});

test('load --since with no layout target is refused', async () => {
  const out = await runCli([
    'load',
    '--all',
    '-c',
    await config('bad-since', target.host, [`${source.host}/team/x:v1`]),
    '--since',
    '/nowhere',
  ]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /--since makes delta bundles/);
});
