import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { sha256Digest } from '../registry/index.js';
import { ArchiveStorage } from './archive-storage.js';

const run = promisify(execFile);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pb-archive-append-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** GNU tar's listing of the archive (not picture-book's reading of it). */
async function gnuTarList(file: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tf', file]);
  return stdout.split('\n').filter((line) => line !== '');
}

/** One writing run: the blobs, then index.json and an inventory, then finish. */
async function writeRun(file: string, blobs: Buffer[], index: string, inventory = 'inventory'): Promise<void> {
  const storage = new ArchiveStorage(file);
  await storage.prepareWrite();
  for (const bytes of blobs) {
    const sink = await storage.beginBlob();
    await sink.write(Readable.from([bytes]), sha256Digest(bytes), bytes.length);
  }
  await storage.writeIndex(Buffer.from(index));
  await storage.writeFile('picture-book-inventory.json', Buffer.from(inventory));
  await storage.finish();
}

const member = (bytes: Buffer) => `blobs/sha256/${sha256Digest(bytes).slice('sha256:'.length)}`;

test('appending to a finished archive leaves its old bytes as they were up to its end blocks, and joins the new members on', async () => {
  const file = join(dir, 'append.tar');
  const one = Buffer.from('first blob');
  const two = Buffer.alloc(70_000, 7);
  await writeRun(file, [one], '{"schemaVersion":2,"manifests":[]}\n');
  const old = await readFile(file);
  assert.deepEqual(await gnuTarList(file), ['oci-layout', member(one), 'picture-book-inventory.json', 'index.json']);

  await writeRun(file, [two], '{"schemaVersion":2,"manifests":[],"second":true}\n', 'inventory 2');
  const now = await readFile(file);
  const oldEnd = old.length - 1024;
  assert.ok(now.subarray(0, oldEnd).equals(old.subarray(0, oldEnd)), 'the old members are not touched');
  assert.ok(
    now.subarray(oldEnd + 512, oldEnd + 1024).every((b) => b === 0),
    "the joint member's bytes are the old second end block",
  );
  assert.deepEqual(await gnuTarList(file), [
    'oci-layout',
    member(one),
    'picture-book-inventory.json',
    'index.json',
    'picture-book-appended',
    member(two),
    'picture-book-inventory.json',
    'index.json',
  ]);
  const reader = new ArchiveStorage(file);
  assert.equal(
    (await reader.readIndex())?.bytes.toString(),
    '{"schemaVersion":2,"manifests":[],"second":true}\n',
    'the last index.json counts',
  );
  assert.equal(await reader.blobSize(sha256Digest(two)), two.length);
  assert.equal(await reader.blobSize(sha256Digest(one)), one.length);
});

test('a run with nothing new leaves a finished archive byte for byte as it was', async () => {
  const file = join(dir, 'same.tar');
  const one = Buffer.from('only blob');
  const index = '{"schemaVersion":2,"manifests":[]}\n';
  await writeRun(file, [one], index);
  const old = await readFile(file);
  await writeRun(file, [], index);
  assert.ok((await readFile(file)).equals(old));
});

test('an archive GNU tar wrote (end blocks, then zeros to a whole record) is appended to and stays readable by GNU tar', async () => {
  const src = join(dir, 'src');
  await run('mkdir', ['-p', src]);
  await writeFile(join(src, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}\n');
  await writeFile(join(src, 'index.json'), '{"schemaVersion":2,"manifests":[]}\n');
  const file = join(dir, 'gnu.tar');
  await run('tar', ['-cf', file, '-C', src, 'oci-layout', 'index.json']);
  assert.equal((await readFile(file)).length % 10240, 0, 'GNU tar pads to a whole record');
  const blob = Buffer.from('appended later');
  await writeRun(file, [blob], '{"schemaVersion":2,"manifests":[],"later":true}\n');
  assert.deepEqual(await gnuTarList(file), [
    'oci-layout',
    'index.json',
    'picture-book-appended',
    member(blob),
    'picture-book-inventory.json',
    'index.json',
  ]);
  assert.equal((await new ArchiveStorage(file).readIndex())?.bytes.toString(), '{"schemaVersion":2,"manifests":[],"later":true}\n');
});
