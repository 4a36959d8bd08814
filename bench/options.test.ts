import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseOptions } from './options.js';

test('--scaling-only and --baseline-cli are parsed; the scaling-only figures have a file of their own', () => {
  const options = parseOptions(['--scaling-only', '--baseline-cli', '/old/dist/bin/picture-book.js']);
  assert.equal(options.scalingOnly, true);
  assert.equal(options.baselineCli, '/old/dist/bin/picture-book.js');
  assert.equal(options.scalingOut, 'bench/results/scaling.json');
  assert.notEqual(options.scalingOut, options.out);
  const plain = parseOptions([]);
  assert.equal(plain.scalingOnly, false);
  assert.equal(plain.baselineCli, undefined);
});

test('--baseline-cli without --scaling-only is refused: no other row runs a second build', () => {
  assert.throws(() => parseOptions(['--baseline-cli', '/old/dist/bin/picture-book.js']), /--baseline-cli works with --scaling-only only/);
});

test('--queue-only, --queue-workers and --queue-out are parsed; the scale-out row runs by default with 2 workers, 0 skips it', () => {
  const only = parseOptions(['--queue-only', '--queue-workers', '3']);
  assert.equal(only.queueOnly, true);
  assert.equal(only.queueWorkers, 3);
  assert.equal(only.queueOut, 'bench/results/queue.json');
  assert.equal(parseOptions(['--queue-only', '--quick']).queueOut, '.bench/quick-queue.json');
  assert.equal(parseOptions(['--queue-out', '/tmp/q.json']).queueOut, '/tmp/q.json');
  const plain = parseOptions([]);
  assert.equal(plain.queueOnly, false);
  assert.equal(plain.queueWorkers, 2);
  assert.equal(parseOptions(['--queue-workers', '0']).queueWorkers, 0);
  assert.equal(plain.queueWorkerImages, undefined); // the in-process run's slots shared out (queue-report.ts)
  assert.equal(parseOptions(['--queue-worker-images', '8']).queueWorkerImages, 8);
  assert.throws(() => parseOptions(['--queue-worker-images', '0']), /--queue-worker-images wants an integer >= 1/);
  assert.equal(plain.queueSerialImages, 25);
  assert.equal(parseOptions(['--queue-serial-images', '0']).queueSerialImages, 0);
  assert.throws(() => parseOptions(['--queue-serial-images', 'x']), /--queue-serial-images wants an integer >= 0/);
  assert.throws(() => parseOptions(['--queue-workers=-1']), /--queue-workers wants an integer >= 0/);
  assert.throws(() => parseOptions(['--queue-only', '--queue-workers', '0']), /--queue-only wants --queue-workers of 1 or more/);
  assert.equal(plain.queueRedisFsync, 'everysec');
  assert.equal(parseOptions(['--queue-redis-fsync', 'always']).queueRedisFsync, 'always');
  assert.throws(() => parseOptions(['--queue-redis-fsync', 'no']), /--queue-redis-fsync wants always or everysec, not "no"/);
});

test('`npm run bench` with a wrong flag says what is wrong, without a stack trace, and exits 2 before starting anything', () => {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  for (const [args, said] of [
    [['--queue-worker-images', 'x'], /^bench: --queue-worker-images wants an integer >= 1, got "x" \(--help lists the options\)\n$/],
    [['--no-such-flag'], /^bench: .*--no-such-flag.*\(--help lists the options\)\n$/],
  ] as const) {
    const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, said);
    assert.equal(run.stdout, '', 'no figures, no progress lines');
  }
});
