import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  pushImage,
  sha256,
  skopeo,
  startFaultProxy,
  startRegistry,
  startedSoFar,
  type FaultProxy,
  type TestRegistry,
} from '../harness/index.js';
import { trackChild } from '../harness/procs.js';
import { CLI, runCli, tempDir } from './load-harness.js';
import { largeImage, ociImage } from './fixtures.js';

const MiB = 1024 * 1024;
const run = promisify(execFile);

let source: TestRegistry;
let proxy: FaultProxy;
let scratch: string;

before(async () => {
  source = await startRegistry();
  proxy = await startFaultProxy(source);
  scratch = await tempDir('pb-layout-kill-');
});

after(async () => {
  const started = startedSoFar({ source, proxy });
  await started.proxy?.close();
  await started.source?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Polls the file system until `ready` holds (the condition is on disk, where the child writes). */
async function until<T>(what: string, ready: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ready();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** The largest blob: the large layer. */
function biggest<T extends { size: number }>(blobs: T[]): T {
  const [first] = [...blobs].sort((a, b) => b.size - a.size);
  assert.ok(first);
  return first;
}

const temps = async (dir: string) => (await readdir(dir)).filter((n) => n.startsWith('.picture-book-'));
const blobFile = (dir: string, digest: string) => join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));

test('kill -9 during the export of a large layer leaves a valid layout listing only complete images; the rerun writes only what was missing', async (t) => {
  const first = await pushImage(ociImage, source, 'kill/first:v1');
  const large = await pushImage(largeImage, source, 'kill/large:v1');
  const layout = join(scratch, 'mirror');
  const done = await runCli(['copy', `${source.host}/kill/first:v1`, `oci:${layout}:kill/first:v1`]);
  assert.equal(done.code, 0, done.stderr);

  const big = biggest(large.blobs);
  assert.ok(big.size > 100 * MiB);
  // The large layer's download is held after 40 MiB, so the kill lands mid-blob, whatever the speed.
  proxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(big.digest.slice('sha256:'.length)),
    times: 1,
    action: { kind: 'stall', afterBytes: 40 * MiB },
  });
  const child = spawn(process.execPath, [CLI, 'copy', `${proxy.host}/kill/large:v1`, `oci:${layout}:kill/large:v1`], {
    env: { ...process.env, DOCKER_CONFIG: '/nonexistent' },
    stdio: 'ignore',
  });
  trackChild(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => {
    child.kill('SIGKILL');
    proxy.clearFaults();
    proxy.release();
  });
  const others = large.blobs.filter((b) => b.digest !== big.digest);
  await until('the small blobs in place and the large one 30 MiB into its temporary file', async () => {
    for (const blob of others) if (!(await stat(blobFile(layout, blob.digest)).catch(() => undefined))) return undefined;
    for (const name of await temps(layout)) if ((await stat(join(layout, name))).size >= 30 * MiB) return name;
    return undefined;
  });
  child.kill('SIGKILL');
  await exited;
  proxy.clearFaults();
  proxy.release();

  // What the killed run left: the complete image only, which skopeo reads; the big blob not in place.
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  assert.deepEqual(
    index.manifests.map((m) => m.digest),
    [first.digest],
    'index.json lists only the image completed before the kill',
  );
  assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${layout}:kill/first:v1`])).stdout), first.digest);
  assert.equal(await stat(blobFile(layout, big.digest)).catch(() => undefined), undefined, 'no partial blob under its digest');
  assert.equal((await temps(layout)).length, 1, 'the partial blob is a temporary file');
  const kept = new Map<string, number>();
  for (const blob of others) kept.set(blob.digest, (await stat(blobFile(layout, blob.digest))).ino);

  const rerun = await runCli(['copy', `${source.host}/kill/large:v1`, `oci:${layout}:kill/large:v1`]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, new RegExp(`blobs: 1 copied, ${others.length} already present`), 'only the large layer is written again');
  for (const [digest, ino] of kept) assert.equal((await stat(blobFile(layout, digest))).ino, ino, `${digest} was not rewritten`);
  assert.deepEqual(await temps(layout), [], "the killed run's temporary file is removed");
  for (const [name, built] of [
    ['kill/first:v1', first],
    ['kill/large:v1', large],
  ] as const) {
    assert.equal(sha256((await skopeo(['inspect', '--raw', `oci:${layout}:${name}`])).stdout), built.digest, `skopeo reads ${name}`);
  }
  // skopeo verifies every blob it copies out of the layout.
  await skopeo(['copy', '--quiet', `oci:${layout}:kill/large:v1`, `oci:${join(scratch, 'check')}:large`]);
});

test('kill -9 while appending a large layer to an oci-archive: the rerun takes over the partial tar, keeps its complete members and seals it', async (t) => {
  const first = await pushImage(ociImage, source, 'kill/a-first:v1');
  const large = await pushImage(largeImage, source, 'kill/a-large:v1');
  const file = join(scratch, 'bundle.tar');
  const done = await runCli(['copy', `${source.host}/kill/a-first:v1`, `oci-archive:${file}:kill/a-first:v1`]);
  assert.equal(done.code, 0, done.stderr);

  const big = biggest(large.blobs);
  proxy.addFault({
    method: 'GET',
    pathPattern: new RegExp(big.digest.slice('sha256:'.length)),
    times: 1,
    action: { kind: 'stall', afterBytes: 40 * MiB },
  });
  const child = spawn(process.execPath, [CLI, 'copy', `${proxy.host}/kill/a-large:v1`, `oci-archive:${file}:kill/a-large:v1`], {
    env: { ...process.env, DOCKER_CONFIG: '/nonexistent' },
    stdio: 'ignore',
  });
  trackChild(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => {
    child.kill('SIGKILL');
    proxy.clearFaults();
    proxy.release();
  });
  // The small blobs go first (the large one waits its turn at the tar's end); then 30 MiB of it.
  const partial = `${file}.partial`;
  await until('the partial archive 30 MiB longer than the first bundle', async () => {
    const size = (await stat(partial).catch(() => undefined))?.size ?? 0;
    return size >= 30 * MiB ? size : undefined;
  });
  child.kill('SIGKILL');
  await exited;
  proxy.clearFaults();
  proxy.release();
  assert.equal(await stat(file).catch(() => undefined), undefined, 'the archive being appended to is the partial file until sealed');

  const rerun = await runCli(['copy', `${source.host}/kill/a-large:v1`, `oci-archive:${file}:kill/a-large:v1`]);
  assert.equal(rerun.code, 0, rerun.stderr);
  // The blobs appended whole before the kill are found in the partial tar, not appended again; the
  // member cut by the kill is cut off and written whole, once.
  const counts = /blobs: (\d+) copied, (\d+) already present/.exec(rerun.stdout);
  assert.equal(Number(counts?.[1]) + Number(counts?.[2]), large.blobs.length, rerun.stdout);
  const { stdout: listing } = await run('tar', ['-tf', file]);
  const blobMembers = listing.split('\n').filter((n) => n.startsWith('blobs/'));
  assert.deepEqual(
    blobMembers.filter((n, i) => blobMembers.indexOf(n) !== i),
    [],
    'GNU tar lists every blob once: the cut member is gone',
  );
  assert.ok(blobMembers.includes(`blobs/sha256/${big.digest.slice('sha256:'.length)}`));
  assert.equal(await stat(partial).catch(() => undefined), undefined, 'sealed: no partial file left');
  for (const [name, built] of [
    ['kill/a-first:v1', first],
    ['kill/a-large:v1', large],
  ] as const) {
    assert.equal(sha256((await skopeo(['inspect', '--raw', `oci-archive:${file}:${name}`])).stdout), built.digest, `skopeo reads ${name}`);
  }
  await skopeo(['copy', '--quiet', `oci-archive:${file}:kill/a-large:v1`, `oci:${join(scratch, 'check-archive')}:large`]);
});
