import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { pushImage, sha256, skopeo, skopeoInspectRaw, startRegistry, startedSoFar, type TestRegistry } from '../harness/index.js';
import { trackChild } from '../harness/procs.js';
import { dockerImage, ociImage, ociIndex } from './fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    trackChild(child);
  });
}

let source: TestRegistry;
let target: TestRegistry;
let scratch: string;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  scratch = await mkdtemp(join(tmpdir(), 'pb-archive-'));
});

after(async () => {
  const started = startedSoFar({ source, target });
  await Promise.all([started.source?.stop(), started.target?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

test('copy writes an oci-archive: (two images appended to one tar) that skopeo reads, and imports it back with every digest kept', async () => {
  const index = await pushImage(ociIndex, source, 'arc/index:v1');
  const image = await pushImage(ociImage, source, 'arc/image:v1');
  const file = join(scratch, 'bundle.tar');
  const first = await cli(['copy', `${source.host}/arc/index:v1`, `oci-archive:${file}:arc/index:v1`]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^copied ${source.host}/arc/index:v1 -> oci-archive:${file}:arc/index:v1`, 'm'));
  const second = await cli(['copy', `${source.host}/arc/image:v1`, `oci-archive:${file}:arc/image:v1`]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /blobs: \d+ copied, 1 already present/, 'the base layer already in the tar is not appended again');
  assert.deepEqual(
    (await readdir(scratch)).filter((n) => n.startsWith('bundle')).sort(),
    ['bundle.tar', 'bundle.tar.inventory.json'],
    'no partial file is left once the archive is complete',
  );
  for (const [name, digest] of [
    ['arc/index:v1', index.digest],
    ['arc/image:v1', image.digest],
  ] as const) {
    const { stdout } = await skopeo(['inspect', '--raw', `oci-archive:${file}:${name}`]);
    assert.equal(sha256(stdout), digest, `skopeo reads ${name} from the archive`);
  }
  const back = await cli(['copy', `oci-archive:${file}:arc/index:v1`, `${target.host}/back/index:v1`]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal((await skopeoInspectRaw(`${target.host}/back/index:v1`, target)).digest, index.digest);
  for (const child of index.children ?? []) {
    assert.equal((await skopeoInspectRaw(`${target.host}/back/index@${child.digest}`, target)).digest, child.digest);
  }
  const again = await cli(['copy', `oci-archive:${file}:arc/index:v1`, `${target.host}/back/index:v1`]);
  assert.match(again.stdout, /^up to date: /);
});

test('an archive skopeo wrote is read in place and imported with its digest', async () => {
  const image = await pushImage(ociImage, source, 'arc/by-skopeo:v1');
  const file = join(scratch, 'by-skopeo.tar');
  await skopeo([
    'copy',
    '--quiet',
    ...source.skopeoFlags('src'),
    `docker://${source.host}/arc/by-skopeo:v1`,
    `oci-archive:${file}:arc/by-skopeo:v1`,
  ]);
  const before = await stat(file);
  const out = await cli(['copy', `oci-archive:${file}:arc/by-skopeo:v1`, `${target.host}/from-skopeo/app:v1`]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal((await skopeoInspectRaw(`${target.host}/from-skopeo/app:v1`, target)).digest, image.digest);
  const afterwards = await stat(file);
  assert.equal(afterwards.mtimeMs, before.mtimeMs, 'reading an archive leaves it as it was');
  assert.deepEqual(
    (await readdir(scratch)).filter((n) => n.startsWith('by-skopeo')),
    ['by-skopeo.tar'],
    'nothing extracted or written beside it',
  );
});

test('registry flags for a layout side are refused, saying why', async () => {
  await pushImage(dockerImage, source, 'arc/flags:v1');
  const out = await cli(['copy', `${source.host}/arc/flags:v1`, `oci:${join(scratch, 'flags')}:v1`, '--dest-creds', 'u:Secret1']);
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /--dest-creds does not apply to oci:.*flags: it is an OCI layout on disk/);
  assert.doesNotMatch(out.stderr, /Secret1/);
});
