import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveReporter } from './live-reporter.js';
import { PlainReporter } from './plain-reporter.js';
import { escapeControl } from './terminal.js';
import type { LoadEvent } from '../load/events.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

test('escapeControl shows C0, DEL and C1 characters as \\xHH and leaves the rest', () => {
  assert.equal(escapeControl('a\x1b[2Jb\x07c\td\ne\x7f\u009bé…'), 'a\\x1b[2Jb\\x07c\\x09d\\x0ae\\x7f\\x9bé…');
});

test('plain and live output never carry a control character a script or a registry sent', () => {
  const events: LoadEvent[] = [
    { type: 'run-started', registries: ['r'], dryRun: false, time: T0 },
    {
      type: 'registry-script-failed',
      registry: 'r',
      message: 'syncer script "x" exited with code 1',
      stderrTail: ['\x1b]0;pwned\x07', 'clear \x1b[2J'],
      time: T0,
    },
    {
      type: 'image-failed',
      registry: 'r',
      source: 's/a:1',
      target: 'r/a:1',
      error: { code: 'HTTP', message: 'denied\x1b[31m red' },
      time: T0,
    },
  ];
  let plain = '';
  const reporter = new PlainReporter({ write: (s) => ((plain += s), true) }, { now: () => T0 });
  for (const e of events) reporter.handle(e);
  reporter.close();
  assert.equal(RAW_CONTROL.test(plain), false, plain);
  assert.match(plain, /\| clear \\x1b\[2J\n/);
  assert.match(plain, /denied\\x1b\[31m red/);

  let live = '';
  const screen = new LiveReporter({ write: (s) => ((live += s), true), isTTY: true, columns: 200 }, { now: () => T0, refreshMs: 0 });
  for (const e of events) screen.handle(e);
  screen.close();
  // The display's own escapes (cursor up, erase, cursor show/hide) are the only ones left.
  const own = live.replace(/\x1b\[\d*F|\x1b\[J|\x1b\[\?25[hl]/g, '');
  assert.equal(RAW_CONTROL.test(own.replace(/\n/g, '')), false, JSON.stringify(own));
  assert.match(own, /\\x1b\]0;pwned\\x07/);
});
