import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { test } from 'node:test';
import { teeStream } from './tee-stream.js';

const CHUNK = 1024;

/** A source of `chunks` numbered chunks that counts how many were pulled from it. */
function countedSource(chunks: number, failAt?: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (failAt !== undefined && pulled === failAt) {
        this.destroy(new Error('source broke'));
        return;
      }
      if (pulled === chunks) {
        this.push(null);
        return;
      }
      this.push(Buffer.alloc(CHUNK, pulled++ % 256));
    },
  });
  return { stream, pulled: () => pulled };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

const expected = (chunks: number): Buffer => Buffer.concat(Array.from({ length: chunks }, (_, i) => Buffer.alloc(CHUNK, i % 256)));

test('every branch gets every byte, in order', async () => {
  const { stream } = countedSource(50);
  const branches = teeStream(stream, 3, CHUNK);
  const bodies = await Promise.all(branches.map(readAll));
  for (const body of bodies) assert.deepEqual(body, expected(50));
});

test('the source goes at the pace of the slowest branch: one not read holds it back', async () => {
  const { stream, pulled } = countedSource(200);
  const [fast, slow] = teeStream(stream, 2, CHUNK);
  assert.ok(fast && slow);
  const fastParts: Buffer[] = [];
  fast.on('data', (part: Buffer) => fastParts.push(part));
  for (let i = 0; i < 50; i++) await tick();
  // The slow branch reads nothing: its buffer and the source's fill, and the source stops there.
  const heldAt = pulled();
  assert.ok(heldAt < 20, `the source was read ${heldAt} chunks ahead of a branch that reads nothing`);
  assert.ok(Buffer.concat(fastParts).length <= heldAt * CHUNK);
  const slowBody = readAll(slow);
  await once(fast, 'end');
  assert.deepEqual(Buffer.concat(fastParts), expected(200));
  assert.deepEqual(await slowBody, expected(200));
  assert.equal(pulled(), 200);
});

test('a branch destroyed by its reader is dropped: the others get everything', async () => {
  const { stream } = countedSource(100);
  const [kept, broken] = teeStream(stream, 2, CHUNK);
  assert.ok(kept && broken);
  broken.on('error', () => {});
  let seen = 0;
  broken.on('data', (part: Buffer) => {
    seen += part.length;
    if (seen >= 10 * CHUNK) broken.destroy(new Error('upload failed'));
  });
  assert.deepEqual(await readAll(kept), expected(100));
  assert.ok(broken.destroyed);
  assert.ok(seen < 100 * CHUNK);
});

test('a branch that is never read and then destroyed does not hold the others', async () => {
  const { stream } = countedSource(100);
  const [kept, unused] = teeStream(stream, 2, CHUNK);
  assert.ok(kept && unused);
  const body = readAll(kept);
  for (let i = 0; i < 20; i++) await tick();
  unused.destroy();
  assert.deepEqual(await body, expected(100));
});

test('when every branch is gone the source is destroyed', async () => {
  const { stream, pulled } = countedSource(1000);
  const branches = teeStream(stream, 2, CHUNK);
  const closed = new Promise((resolve) => stream.once('close', resolve));
  for (const branch of branches) branch.destroy();
  await closed;
  assert.ok(stream.destroyed);
  assert.ok(pulled() < 1000);
});

test('a source that fails fails every branch with its error', async () => {
  const { stream } = countedSource(100, 30);
  const branches = teeStream(stream, 2, CHUNK);
  await Promise.all(branches.map((branch) => assert.rejects(readAll(branch), /source broke/)));
});
