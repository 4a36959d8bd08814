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

test('HostGate: a 429 inside a pause that lengthens it by a second or more is told (lengthened); one that lengthens it less is not', async () => {
  const events: HostEvent[] = [];
  let now = 1_000_000;
  const gates = new HostGates(() => now);
  gates.listen((event) => events.push(event));
  const gate = gates.gate('r.example');
  // Three requests in flight when the first 429 comes: their answers arrive during the pause.
  const passes = await Promise.all([1, 2, 3].map(() => gate.enter('GET', blob, undefined)));
  const answer = (index: number, retryAfter: string): void => {
    passes[index]?.answered(429, (name) => (name === 'retry-after' ? retryAfter : undefined));
    passes[index]?.release();
  };
  answer(0, '60');
  now += 200;
  answer(1, '60'); // ends 200 ms later than told: the jitter of answers sent together
  answer(2, '600');
  const paused = events.filter((e) => e.type === 'host-paused' && e.reason === 'rate-limited');
  assert.deepEqual(
    paused.map((e) => [e.waitMs, e.lengthened ?? false]),
    [
      [60_000, false],
      [600_000, true],
    ],
  );
});
