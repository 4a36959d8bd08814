import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import {
  pushImage,
  skopeoInspectRaw,
  startRegistry,
  type BuiltImage,
  type ImageSpec,
  type TestRegistry,
  startedSoFar,
} from '../harness/index.js';
import { trackChild } from '../harness/procs.js';

const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));
const GNU_TIME = '/usr/bin/time'; // reports the child's peak resident set size (%M, KiB)
const MiB = 1024 * 1024;

const image = (seed: string, size: number): ImageSpec => ({
  kind: 'image',
  format: 'oci',
  layers: [{ seed, size }],
  platform: { os: 'linux', architecture: 'amd64' },
});
const medium = image('mem-64m-test', 64 * MiB);
const large = image('mem-1g-test', 1024 * MiB);

let source: TestRegistry;
let target: TestRegistry;
let work: string;
const built: Record<'medium' | 'large', BuiltImage | undefined> = { medium: undefined, large: undefined };

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  work = await mkdtemp(join(tmpdir(), 'pb-memory-'));
  built.medium = await pushImage(medium, source, 'mem/medium:v1');
  built.large = await pushImage(large, source, 'mem/large:v1');
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

/** `picture-book copy` under GNU time; resolves with its peak RSS in MiB, rejects on a failed copy. */
function copyPeakMiB(name: string): Promise<number> {
  const report = join(work, `${name}.time`);
  const args = ['-f', '%M', '-o', report, process.execPath, BIN, 'copy', `${source.host}/mem/${name}:v1`, `${target.host}/mem/${name}:v1`];
  return new Promise((resolve, reject) => {
    const child = execFile(GNU_TIME, args, { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`copy of ${name} failed: ${stderr}`));
      readFile(report, 'utf8').then((text) => resolve(Number(text.trim().split('\n').pop()) / 1024), reject);
    });
    trackChild(child); // killed with this test file if it is stopped
  });
}

test('a 1 GiB layer is streamed: peak memory is that of a 64 MiB copy, not of the blob', { timeout: 600_000 }, async () => {
  const mediumPeak = await copyPeakMiB('medium');
  const largePeak = await copyPeakMiB('large');
  assert.equal(
    (await skopeoInspectRaw(`${target.host}/mem/large:v1`, target)).digest,
    built.large?.digest,
    'the large image arrived whole',
  );
  assert.ok(Number.isFinite(mediumPeak) && mediumPeak > 0, `a peak was measured (${mediumPeak})`);
  // Sixteen times the bytes, the same memory: a blob held in a Buffer would add 1024 MiB here.
  assert.ok(
    largePeak <= mediumPeak + 48,
    `1 GiB copy peaked at ${largePeak.toFixed(0)} MiB, the 64 MiB copy at ${mediumPeak.toFixed(0)} MiB`,
  );
  assert.ok(largePeak <= 200, `1 GiB copy peaked at ${largePeak.toFixed(0)} MiB`);
});
