import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedLock } from './keyed-lock.js';

test('tasks of one key run one at a time in order; other keys run beside them; a failure frees the key', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const task = (name: string) => () =>
    new Promise<string>((resolve) => {
      log.push(`start ${name}`);
      gates.set(name, () => {
        log.push(`end ${name}`);
        resolve(name);
      });
    });
  const a1 = lock.run('a', task('a1'));
  const failing = lock.run('a', () => Promise.reject(new Error('boom')));
  const a2 = lock.run('a', task('a2'));
  const b1 = lock.run('b', task('b1'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['start a1', 'start b1']);
  gates.get('a1')?.();
  await assert.rejects(failing, /boom/);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['start a1', 'start b1', 'end a1', 'start a2']);
  gates.get('a2')?.();
  gates.get('b1')?.();
  assert.deepEqual(await Promise.all([a1, a2, b1]), ['a1', 'a2', 'b1']);
  await new Promise((r) => setImmediate(r));
  assert.equal(lock.size, 0);
});
