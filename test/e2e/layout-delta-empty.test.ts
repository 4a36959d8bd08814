import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
import { ociImage } from './fixtures.js';
import { runCli, tempDir } from './load-harness.js';

/*
 * A delta bundle with nothing new to carry is still made: a valid, empty OCI layout (`oci-layout`,
 * an `index.json` listing no manifest, no blob) with its inventory, which covers the base. So the
 * transfer finds a bundle where it expects one, the next delta is made `--since` it, and importing
 * it brings nothing, with a warning, and fails nothing.
 */

let source: TestRegistry;
let target: TestRegistry;
/** In front of the source: what an export reads there. */
let upstream: FaultProxy;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  upstream = await startFaultProxy(source);
  scratch = await tempDir('pb-layout-delta-empty-');
});

after(async () => {
  const started = startedSoFar({ source, target, upstream });
  await started.upstream?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

async function config(name: string, body: string): Promise<string> {
  const file = join(scratch, `${name}.yaml`);
  await writeFile(file, body);
  return file;
}

const exportTo = (name: string, image: string) =>
  config(name, `registries:\n  - hostname: 'oci:${name}'\n    referrers: false\n    images:\n      - '${image}'\n`);

test('a delta with nothing new is an empty layout with its inventory: the next delta is made --since it, and importing it fails nothing', async () => {
  const built = await pushImage(ociImage, source, 'quiet/app:v1');
  const image = `${upstream.host}/quiet/app:v1`;
  const full = await runCli(['load', '--all', '-c', await exportTo('full', image)]);
  assert.equal(full.code, 0, full.stdout + full.stderr);

  upstream.clearRequests();
  const first = await runCli(['load', '--all', '-c', await exportTo('delta-1', image), '--since', join(scratch, 'full')]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout + first.stderr, /1 up to date/);
  assert.equal(upstream.count('GET', /\/blobs\//), 0, 'nothing read at the source');
  const delta = join(scratch, 'delta-1');
  assert.deepEqual((await readdir(delta)).sort(), ['blobs', 'index.json', 'oci-layout', 'picture-book-inventory.json']);
  assert.deepEqual(JSON.parse(await readFile(join(delta, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(await readFile(join(delta, 'index.json'), 'utf8')) as { schemaVersion: number; manifests: unknown[] };
  assert.equal(index.schemaVersion, 2);
  assert.deepEqual(index.manifests, [], 'no manifest listed');
  assert.deepEqual(await readdir(join(delta, 'blobs', 'sha256')), [], 'no blob carried');
  const inventory = JSON.parse(await readFile(`${delta}.inventory.json`, 'utf8')) as { since?: string; images: Record<string, string> };
  assert.equal(inventory.since, 'full');
  assert.deepEqual(inventory.images, { 'quiet/app:v1': built.digest }, 'it covers the base');

  // The next trip is made against the empty delta: the image is still known, nothing is carried.
  const second = await runCli(['load', '--all', '-c', await exportTo('delta-2', image), '--since', delta]);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.match(second.stdout + second.stderr, /1 up to date/);
  assert.deepEqual(await readdir(join(scratch, 'delta-2', 'blobs', 'sha256')), []);

  // Machine B: the base, then the empty delta by a rule over the whole layout: nothing to do, no failure.
  const base = await runCli([
    'load',
    '--all',
    '-c',
    await config(
      'b-full',
      `registries:\n  - hostname: '${target.host}'\n    images:\n      - 'oci:${join(scratch, 'full')}:quiet/app:v1'\n`,
    ),
  ]);
  assert.equal(base.code, 0, base.stdout + base.stderr);
  const imported = await runCli([
    'load',
    '--all',
    '-c',
    await config('b-delta', `registries:\n  - hostname: '${target.host}'\n    mirrors:\n      - source: 'oci:${delta}'\n`),
  ]);
  assert.equal(imported.code, 0, imported.stdout + imported.stderr);
  assert.match(imported.stdout + imported.stderr, /selected no image/);
  assert.equal((await skopeoInspectRaw(`${target.host}/quiet/app:v1`, target)).digest, built.digest);
});
