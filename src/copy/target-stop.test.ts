import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError, HttpError } from '../errors/index.js';
import type { CopyEvent } from './events.js';
import { TargetStop } from './target-stop.js';

const refused = (status: number) =>
  new HttpError({ status, method: 'PUT', url: 'http://127.0.0.1:5000/v2/app/blobs/uploads/x', errors: [] });

test('the first failure aborts the signal with itself as the reason and is told once, naming the target', () => {
  const events: CopyEvent[] = [];
  const stop = new TargetStop('127.0.0.1:5000/app:v1', (e) => events.push(e));
  const first = refused(403);
  assert.equal(stop.signal.aborted, false);
  stop.fail(first);
  stop.fail(refused(500));
  assert.equal(stop.signal.aborted, true);
  assert.equal(stop.signal.reason, first, 'the failure as it was, for the transfers it cuts to reject with');
  assert.equal(events.length, 1);
  const [event] = events;
  assert.ok(event?.type === 'target-failed');
  assert.equal(event.target, '127.0.0.1:5000/app:v1');
  assert.equal(event.error.message, first.message);
});

test('a stopped run cuts the transfers too, but says nothing: image-cancelled tells it', () => {
  const events: CopyEvent[] = [];
  const stop = new TargetStop('127.0.0.1:5000/app:v1', (e) => events.push(e));
  stop.fail(new CancelledError('stopped'));
  assert.equal(stop.signal.aborted, true);
  assert.deepEqual(events, []);
});
