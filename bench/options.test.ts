import assert from 'node:assert/strict';
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
