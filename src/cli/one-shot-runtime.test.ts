import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const RUNTIME = new URL('./one-shot-runtime.js', import.meta.url).href;

/**
 * A workload shaped like a copy's: many short-lived objects and a sliding window of survivors (what
 * makes V8 grow the young generation), then the young generation's committed size in MiB.
 */
const WORKLOAD = `
const tune = process.argv[1] === 'tuned';
if (tune) (await import(${JSON.stringify(RUNTIME)})).tuneForOneShotRun();
const { getHeapSpaceStatistics } = await import('node:v8');
const window = [];
for (let i = 0; i < 2e6; i++) {
  const request = { id: i, url: 'http://127.0.0.1/v2/x/blobs/' + i, headers: [i, i + 1] };
  if (i % 3 === 0) window.push(request);
  if (window.length > 100000) window.splice(0, 50000);
}
const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
process.stdout.write(String(young.space_size / 1048576));
`;

async function youngGenerationMiB(mode: 'tuned' | 'default'): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', WORKLOAD, mode], { timeout: 120_000 });
  return Number(stdout);
}

test('a one-shot run keeps the young generation at its first size, where V8 would grow it', async () => {
  const [grown, kept] = await Promise.all([youngGenerationMiB('default'), youngGenerationMiB('tuned')]);
  // The workload does grow it without the setting (else this test would show nothing)...
  assert.ok(grown >= 8, `untuned young generation ${grown} MiB`);
  // ...and with it stays at its first size (2 x 1 MiB semi-spaces on 64-bit V8).
  assert.ok(kept <= 4, `tuned young generation ${kept} MiB`);
});
