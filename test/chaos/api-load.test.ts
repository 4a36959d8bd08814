import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runApiLoad } from './api-load.js';
import { chaosFigures } from './chaos-kit.js';

/*
 * 200 distribute jobs posted at once, then 2,000 API requests while a sync run is streaming: no error,
 * every job finished, the run succeeded. Latency and memory are the benchmark's business
 * (`npm run bench`, its "API under load" section): printed here for information, never asserted.
 */

const figures = chaosFigures(import.meta.filename);

test('200 jobs at once and 2,000 API requests during a running sync: no error, every job finishes, the run succeeds', async () => {
  const result = await runApiLoad({ jobs: 200, requests: 2000, concurrency: 32 });
  console.log(`api load: ${JSON.stringify({ jobsPosted: result.jobsPosted, requests: result.requests, peakRssKiB: result.peakRssKiB })}`);
  figures.runs++;
  assert.deepEqual(result.errorSamples, []);
  assert.equal(result.jobsPosted.count, 200);
  assert.equal(result.jobsPosted.errors, 0);
  assert.equal(result.requests.count, 2000);
  assert.equal(result.requests.errors, 0);
  assert.equal(result.runWasGoing, true, 'the requests were answered while the run was streaming');
  assert.deepEqual([result.jobsFinished, result.jobsFailed], [200, 0]);
  assert.equal(result.runResult, 'succeeded');
});
