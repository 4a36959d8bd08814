import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { DigestVerifier } from './digest-verifier.js';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
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
