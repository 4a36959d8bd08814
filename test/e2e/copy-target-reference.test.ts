import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CopyEngine } from '../../src/copy/index.js';
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
import { ociImage } from './fixtures.js';

/* What the target reference says is what the target gets: its tag, its digest, its platform. */

const BIN = fileURLToPath(new URL('../../bin/picture-book.js', import.meta.url));

let source: TestRegistry;
let target: TestRegistry;
let targetProxy: FaultProxy;
let built: BuiltImage;
let engine: CopyEngine;

before(async () => {
  [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  targetProxy = await startFaultProxy(target);
  built = await pushImage(ociImage, source, 'ref/app:v1');
  engine = new CopyEngine();
});

after(async () => {
  const started = startedSoFar({ engine, targetProxy, source, target });
  await started.engine?.close();
  await started.targetProxy?.close();
  await Promise.all([started.source?.stop(), started.target?.stop()]);
});

const writes = () => targetProxy.requests.filter((r) => r.method === 'PUT' || r.method === 'POST' || r.method === 'PATCH');

test('a target without tag takes the source tag (copy SRC:TAG DST-REPO)', async () => {
  const result = await engine.copy({ source: `${source.host}/ref/app:v1`, target: `${target.host}/ref/notag` });
  assert.equal(result.target, `${target.host}/ref/notag:v1`);
  assert.equal((await skopeoInspectRaw(`${target.host}/ref/notag:v1`, target)).digest, built.digest);
  assert.deepEqual(await skopeoListTags(`${target.host}/ref/notag`, target), ['v1']);
});

test('the CLI prints the tag it wrote', async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'copy', `${source.host}/ref/app:v1`, `${target.host}/ref/cli`],
      { env: { ...process.env, DOCKER_CONFIG: '/nonexistent' } },
      (error, out, err) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err });
      },
    );
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, new RegExp(`-> ${target.host}/ref/cli:v1\\n`));
  assert.equal((await skopeoInspectRaw(`${target.host}/ref/cli:v1`, target)).digest, built.digest);
});

test('a source named by digest alone keeps the target by digest: nothing to name a tag after', async () => {
  const result = await engine.copy({ source: `${source.host}/ref/app@${built.digest}`, target: `${target.host}/ref/bydigest` });
  assert.equal(result.target, `${target.host}/ref/bydigest`);
  assert.equal((await skopeoInspectRaw(`${target.host}/ref/bydigest@${built.digest}`, target)).digest, built.digest);
  // Distribution 2.8 answers tags/list of a repository without tags with 404.
  const tags = await fetch(`${target.url}/v2/ref/bydigest/tags/list`);
  assert.ok(tags.status === 404 || ((await tags.json()) as { tags?: string[] | null }).tags?.length === 0, `no tag (${tags.status})`);
});

test('a target by the source digest is copied there', async () => {
  const result = await engine.copy({ source: `${source.host}/ref/app:v1`, target: `${target.host}/ref/pinned@${built.digest}` });
  assert.equal(result.digest, built.digest);
  assert.equal((await skopeoInspectRaw(`${target.host}/ref/pinned@${built.digest}`, target)).digest, built.digest);
});

test('a target by another digest is an error before anything is written', async () => {
  const other = `sha256:${'0'.repeat(64)}`;
  targetProxy.clearRequests();
  await assert.rejects(
    engine.copy({ source: `${source.host}/ref/app:v1`, target: `${targetProxy.host}/ref/wrong@${other}` }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'TARGET_DIGEST_MISMATCH');
      assert.equal(
        error.message,
        `${source.host}/ref/app:v1 is ${built.digest}, not ${other} as the target ${targetProxy.host}/ref/wrong@${other} requires: nothing was copied`,
      );
      return true;
    },
  );
  assert.deepEqual(writes(), []);
  await assert.rejects(skopeoInspectRaw(`${target.host}/ref/wrong@${built.digest}`, target));
});

test('a platform filter on a single-platform image of another platform is an error, before anything is written', async () => {
  targetProxy.clearRequests();
  await assert.rejects(
    engine.copy({ source: `${source.host}/ref/app:v1`, target: `${targetProxy.host}/ref/arm:v1`, platforms: ['linux/arm64'] }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'PLATFORM_NOT_FOUND');
      assert.equal(error.message, `${source.host}/ref/app:v1 has no linux/arm64 image (it is a single-platform linux/amd64 image)`);
      return true;
    },
  );
  assert.deepEqual(writes(), []);
  await assert.rejects(skopeoInspectRaw(`${target.host}/ref/arm:v1`, target));
  // Its own platform is copied as it is.
  const result = await engine.copy({
    source: `${source.host}/ref/app:v1`,
    target: `${target.host}/ref/amd:v1`,
    platforms: ['linux/amd64'],
  });
  assert.equal(result.digest, built.digest);
});
