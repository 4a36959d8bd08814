import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { DigestVerifier } from './digest-verifier.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
/** A sink that keeps every chunk it is given, in order. */
const collector = (into: Buffer[]) =>
  new Writable({
    write: (c: Buffer, _e, cb) => {
      into.push(c);
      cb();
    },
  });
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('passes matching bytes and reports progress', async () => {
  const data = Buffer.alloc(3 * 1024 * 1024, 7);
  const seen: number[] = [];
  const verifier = new DigestVerifier(digestOf(data), data.length, (n) => seen.push(n));
  await pipeline(Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), verifier, sink());
  assert.equal(verifier.transferred, data.length);
  assert.equal(seen.at(-1), data.length);
});

test('fails the stream on a digest mismatch', async () => {
  const data = Buffer.from('hello');
  const verifier = new DigestVerifier(digestOf(Buffer.from('other')), data.length);
  await assert.rejects(pipeline(Readable.from([data]), verifier, sink()), { code: 'DIGEST_MISMATCH' });
});

test('fails the stream as soon as there are more bytes than expected, and when there are fewer', async () => {
  const data = Buffer.from('hello world');
  await assert.rejects(pipeline(Readable.from([data]), new DigestVerifier(digestOf(data), 5), sink()), { code: 'SIZE_MISMATCH' });
  await assert.rejects(pipeline(Readable.from([data]), new DigestVerifier(digestOf(data), 50), sink()), { code: 'SIZE_MISMATCH' });
});

test('on a mismatch the last chunk is never passed on, so the upload it feeds cannot complete', async () => {
  const chunks = [Buffer.from('first-'), Buffer.from('second-'), Buffer.from('last')];
  const whole = Buffer.concat(chunks);
  const passed: Buffer[] = [];
  const collect = collector(passed);
  await assert.rejects(
    pipeline(Readable.from(chunks), new DigestVerifier(digestOf(Buffer.from('something else')), whole.length), collect),
    { code: 'DIGEST_MISMATCH' },
  );
  assert.ok(Buffer.concat(passed).length < whole.length, `only ${Buffer.concat(passed).length} of ${whole.length} bytes went on`);
  assert.deepEqual(passed.map(String), ['first-', 'second-']);

  const ok: Buffer[] = [];
  await pipeline(Readable.from(chunks), new DigestVerifier(digestOf(whole), whole.length), collector(ok));
  assert.deepEqual(Buffer.concat(ok), whole, 'verified bytes all go on, in order');
});

test('resumeAt goes on from a checkpoint: its output starts at the offset, and the whole blob is verified', async () => {
  const size = 40 * 1024 * 1024 + 123;
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) & 0xff;
  const digest = digestOf(data);
  const first = new DigestVerifier(digest, size);
  // The first attempt got 35 MiB through before its upload broke; the target holds 33 MiB.
  const chunks = (from: number, to: number) =>
    Array.from({ length: Math.ceil((to - from) / 1048576) }, (_, i) =>
      data.subarray(from + i * 1048576, Math.min(to, from + (i + 1) * 1048576)),
    );
  await pipeline(Readable.from(chunks(0, 35 * 1024 * 1024)), first, sink()).catch(() => undefined);
  const offset = 33 * 1024 * 1024 + 7;
  const { verifier, readFrom } = first.resumeAt(offset);
  assert.equal(readFrom, 32 * 1024 * 1024, 'the last checkpoint at or before the offset (every 16 MiB)');
  const out: Buffer[] = [];
  const collect = collector(out);
  await pipeline(Readable.from(chunks(readFrom, size)), verifier, collect);
  assert.ok(Buffer.concat(out).equals(data.subarray(offset)), 'exactly the bytes from the offset on');
  // Resumed with the wrong bytes after the checkpoint: the whole-blob digest catches it.
  const { verifier: wrong, readFrom: again } = first.resumeAt(offset);
  const corrupt = Buffer.from(data.subarray(again));
  corrupt.writeUInt8((corrupt.readUInt8(corrupt.length - 1) ^ 1) & 0xff, corrupt.length - 1);
  await assert.rejects(pipeline(Readable.from([corrupt]), wrong, sink()), { code: 'DIGEST_MISMATCH' });
});
