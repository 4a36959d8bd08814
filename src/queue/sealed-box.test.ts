import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PictureBookError } from '../errors/index.js';
import { queueKey } from './queue-key.js';
import { seal, unseal } from './sealed-box.js';

const SECRET = { password: 'hunter2-in-a-box' };

test('seal: the value opens with the key and context it was sealed with, and is not readable in the sealed text', () => {
  const key = randomBytes(32);
  const sealed = seal(key, 'a\nb', SECRET);
  assert.match(sealed, /^v1\./);
  assert.ok(!sealed.includes('hunter2'));
  assert.ok(!Buffer.from(sealed.slice(3), 'base64').toString('latin1').includes('hunter2'));
  assert.notEqual(seal(key, 'a\nb', SECRET), sealed, 'a fresh IV each time');
  assert.deepEqual(unseal(key, 'a\nb', sealed, 't'), SECRET);
});

test('unseal: another key, another context (a box moved to another job) or an altered box is a QUEUE error that quotes nothing', () => {
  const key = randomBytes(32);
  const sealed = seal(key, 'a\nb', SECRET);
  const refused = (attempt: () => unknown, pattern: RegExp): void =>
    assert.throws(attempt, (error: unknown) => {
      assert.ok(error instanceof PictureBookError);
      assert.equal(error.code, 'QUEUE');
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes(sealed.slice(3, 20)));
      return true;
    });
  refused(() => unseal(randomBytes(32), 'a\nb', sealed, 'reg/app:v1'), /^reg\/app:v1: .*do not open with this worker's queue key/);
  refused(() => unseal(key, 'a\nc', sealed, 't'), /do not open/);
  const flipped = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  refused(() => unseal(key, 'a\nb', flipped, 't'), /do not open/);
  refused(() => unseal(key, 'a\nb', 'plain text', 't'), /not in a known format/);
});

test('queueKey: queue.keyFile (relative to the config file) wins over $PICTURE_BOOK_QUEUE_KEY; a short key or a missing file is refused without quoting the key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pb-queue-key-'));
  const configFile = join(dir, 'config.yaml');
  const long = 'f'.repeat(64);
  await writeFile(join(dir, 'queue.key'), `${long}\n`);
  const fromFile = queueKey({ keyFile: 'queue.key' }, configFile, { PICTURE_BOOK_QUEUE_KEY: 'e'.repeat(64) });
  assert.equal(fromFile?.length, 32);
  assert.deepEqual(
    queueKey({}, configFile, { PICTURE_BOOK_QUEUE_KEY: long }),
    fromFile,
    'the same text is the same key (trailing newline aside)',
  );
  assert.equal(queueKey({}, configFile, {}), undefined);
  assert.throws(
    () => queueKey({}, configFile, { PICTURE_BOOK_QUEUE_KEY: 'short-Key-9' }),
    (error: unknown) =>
      error instanceof PictureBookError &&
      /PICTURE_BOOK_QUEUE_KEY: .*11 characters, fewer than 32/.test(error.message) &&
      !error.message.includes('short-Key-9'),
  );
  assert.throws(
    () => queueKey({ keyFile: 'absent.key' }, configFile, {}),
    (error: unknown) =>
      error instanceof PictureBookError && error.message.includes('queue.keyFile') && error.message.includes(join(dir, 'absent.key')),
  );
});
