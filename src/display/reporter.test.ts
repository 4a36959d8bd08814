import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createReporter } from './index.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function output(isTTY: boolean) {
  let text = '';
  return { out: { isTTY, columns: 80, write: (s: string) => ((text += s), true) }, text: () => text };
}

it('falls back from spinner to plain lines when the output is not a terminal', () => {
  const { out, text } = output(false);
  const reporter = createReporter('spinner', out, { refreshMs: 0 });
  reporter.handle({ type: 'warning', message: 'hello', time: T0 });
  reporter.close();
  assert.equal(text(), '2026-11-22T10:00:00.000Z warning: hello\n');
});

it('draws the live view with escapes on a terminal', () => {
  const { out, text } = output(true);
  const reporter = createReporter('spinner', out, { refreshMs: 0, now: () => T0 });
  reporter.handle({ type: 'run-started', registries: ['r'], dryRun: false, time: T0 });
  assert.match(text(), /\x1b\[\?25l/);
  assert.match(text(), /· r {2}waiting/);
  reporter.close();
  assert.match(text(), /\x1b\[\?25h$/);
});

it('writes JSON lines in json mode, whatever the output', () => {
  const { out, text } = output(true);
  const reporter = createReporter('json', out);
  reporter.handle({ type: 'warning', message: 'hello', time: T0 });
  assert.deepEqual(JSON.parse(text()), { type: 'warning', message: 'hello', time: '2026-11-22T10:00:00.000Z' });
});
