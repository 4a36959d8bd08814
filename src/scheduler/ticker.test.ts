import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronTicker } from './ticker.js';

test('the cron ticker reads patterns in the given timezone and fires', async (t) => {
  const berlin = cronTicker('0 12 * * *', 'Europe/Berlin', () => undefined);
  const utc = cronTicker('0 12 * * *', 'UTC', () => undefined);
  t.after(() => {
    berlin.stop();
    utc.stop();
  });
  assert.equal(utc.nextRun()?.getUTCHours(), 12);
  assert.ok([10, 11].includes(berlin.nextRun()?.getUTCHours() ?? -1), 'noon in Berlin is 10:00 or 11:00 UTC');
  let every: ReturnType<typeof cronTicker> | undefined;
  t.after(() => every?.stop()); // a ticker that never fired must not keep the process alive
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('no tick within 3s')), 3000);
    every = cronTicker('* * * * * *', 'UTC', () => {
      clearTimeout(deadline);
      resolve();
    });
  });
});
