import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostEvent } from './host-events.js';
import { HostGates } from './host-gates.js';

const blob = new URL('http://r.example/v2/library/app/blobs/sha256:00');
const nextTurn = (): Promise<string> => new Promise((resolve) => setImmediate(() => resolve('waiting')));

test('HostGates.pause: a 429 seen by another process holds the requests to that host, quietly, and no other host', async () => {
  const events: HostEvent[] = [];
  const gates = new HostGates();
  gates.listen((event) => events.push(event));
  gates.pause('r.example', 60_000);
  const stop = new AbortController();
  const held = gates.gate('r.example').enter('GET', blob, stop.signal);
  assert.equal(await Promise.race([held.then(() => 'sent'), nextTurn()]), 'waiting', 'the paused host waits');
  const other = await gates.gate('s.example').enter('GET', blob, undefined);
  other.release();
  stop.abort(new Error('stopped'));
  await assert.rejects(held, /stopped|aborted/);
  assert.deepEqual(events, [], 'the process that got the 429 reports it, not this one');
});
