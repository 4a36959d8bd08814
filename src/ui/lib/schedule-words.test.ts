import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleInWords } from './schedule-words.js';

test('schedules in words: seconds and minutes as they are, times of day with their timezone', () => {
  assert.equal(scheduleInWords('*/10 * * * * *', 'UTC'), 'Every 10 seconds');
  assert.equal(scheduleInWords('*/5 * * * *', 'Europe/Berlin'), 'Every 5 minutes');
  assert.equal(scheduleInWords('* * * * *', 'UTC'), 'Every minute');
  assert.equal(scheduleInWords('0 3 * * 1-5', 'Europe/Berlin'), 'At 03:00, Monday through Friday (Europe/Berlin)');
  assert.equal(scheduleInWords(' 30 2 1 * * ', 'UTC'), 'At 02:30, on day 1 of the month (UTC)');
  assert.equal(scheduleInWords('0 */6 * * *', 'Asia/Kolkata'), 'On the hour, every 6 hours (Asia/Kolkata)');
});

test('no schedule, and a pattern the describer cannot read, still say something true', () => {
  assert.equal(scheduleInWords(undefined, 'UTC'), 'No schedule: runs at start and on demand');
  assert.equal(scheduleInWords('not a cron', 'UTC'), 'cron "not a cron" (UTC)');
});
