import assert from 'node:assert/strict';
import { test } from 'node:test';
import { absolute, bytes, counts, duration, percent, progress, rate, relative } from './format.js';

test('sizes in decimal units, rates per second', () => {
  const expected = ['0 B', '830 B', '1.0 KB', '12.3 KB', '1.5 MB', '123 MB', '2.0 TB', '5000 TB'];
  assert.deepEqual([0, 830, 1000, 12_345, 1_500_000, 123_456_789, 2e12, 5e15].map(bytes), expected);
  assert.equal(rate(4_200_000), '4.2 MB/s');
});

test('durations: the two largest units that matter', () => {
  const expected = ['850 ms', '1.0 s', '12 s', '59 s', '1 min 5 s', '1 h', '2 h 10 min', '1 d 1 h'];
  assert.deepEqual([850, 1000, 12_340, 59_400, 65_000, 3_600_000, 7_800_000, 90_061_000].map(duration), expected);
});

test('relative times: ahead, behind, now', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(relative(now + 4 * 60_000, now), 'in 4 min');
  assert.equal(relative(now - 12_300, now), '12 s ago');
  assert.equal(relative(now + 5_400, now), 'in 5 s', 'no tenths in a countdown');
  assert.equal(relative(now + 400, now), 'now');
  assert.equal(relative(now - 3 * 86_400_000, now), '3 d ago');
});

test('absolute times in the configured timezone', () => {
  const at = Date.parse('2025-05-06T10:15:20Z');
  assert.equal(absolute(at, 'UTC'), '6 May 2025, 10:15:20 UTC');
  assert.equal(absolute(at, 'Asia/Tokyo'), '6 May 2025, 19:15:20 GMT+9');
  assert.equal(absolute(at, 'No/Such_Zone'), '2025-05-06T10:15:20.000Z', 'a zone the browser does not know: ISO in UTC');
});

test('progress and counts', () => {
  assert.equal(progress(3, 10), '3 of 10');
  assert.equal(progress(0, null), '0 of ?');
  assert.deepEqual([percent(3, 10), percent(1, 3), percent(5, 0), percent(1, null), percent(12, 10)], [30, 33, 0, 0, 100]);
  assert.equal(counts({ copied: 2, upToDate: 3, failed: 1, cancelled: 0 }), '2 copied, 3 up to date, 1 failed');
  assert.equal(counts({ copied: 0, upToDate: 3, failed: 0, cancelled: 2 }), '0 copied, 3 up to date, 2 cancelled');
  assert.equal(counts({ copied: 0, upToDate: 0, failed: 0, cancelled: 0 }), 'no images');
  assert.equal(counts({ copied: 1, upToDate: 0, failed: 0, cancelled: 0, skipped: 2 }), '1 copied, 2 skipped (platform)');
  assert.equal(
    counts({ copied: 0, upToDate: 0, failed: 0, cancelled: 0, skipped: 1 }),
    '0 copied, 1 skipped (platform)',
    'a run that only skipped has images',
  );
});
