import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { LoadEvent } from '../load/events.js';
import { APP_TARGET, DB_TARGET, REGISTRY_A, REGISTRY_B, twoRegistryRun } from './fixtures.js';
import { LiveReporter } from './live-reporter.js';
import { VirtualScreen } from './virtual-screen.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

function terminal(columns = 80) {
  const screen = new VirtualScreen();
  const writes: string[] = [];
  const out = { isTTY: true, columns, write: (s: string) => (writes.push(s), screen.write(s), true) };
  return { screen, writes, out };
}

function live(columns = 80) {
  const term = terminal(columns);
  let now = T0;
  const reporter = new LiveReporter(term.out, { now: () => now, refreshMs: 0 });
  return { ...term, reporter, setNow: (t: number) => (now = t) };
}

const run = twoRegistryRun(T0);
const upTo = (type: LoadEvent['type']): LoadEvent[] => run.slice(0, run.findIndex((e) => e.type === type) + 1);

describe('LiveReporter', () => {
  it('prints a failure above the live block and keeps both registries live below it', () => {
    const { reporter, screen, setNow } = live(120);
    for (const e of upTo('image-failed')) reporter.handle(e);
    setNow(T0 + 1000);
    reporter.render();
    const lines = screen.lines();
    assert.equal(
      lines[0],
      `[${REGISTRY_B}] FAILED 127.0.0.1:5001/library/missing:v9 -> 127.0.0.1:5003/mirror/library/missing:v9: manifest unknown: missing:v9`,
    );
    assert.match(lines[1] ?? '', new RegExp(`^. ${REGISTRY_A}  0 copied, 0 up to date, 0 failed of 1  1.00 MiB$`));
    assert.match(lines[2] ?? '', new RegExp(`^    ${APP_TARGET}  3.00 MiB / 6.00 MiB`));
    assert.match(lines[3] ?? '', new RegExp(`^. ${REGISTRY_B}  0 copied, 0 up to date, 1 failed of 2  2.00 MiB$`));
    assert.match(lines[4] ?? '', new RegExp(`^    ${DB_TARGET}  2.00 MiB / 8.00 MiB`));
    assert.equal(lines[5], '  all registries: 1/3 images  3.00 MiB  3.00 MiB/s  1.0s');
    assert.equal(lines.length, 6);
    assert.equal(screen.cursorVisible, false);
  });

  it('redraws in place: many renders leave one block on screen', () => {
    const { reporter, screen } = live();
    for (const e of upTo('blob-progress')) reporter.handle(e);
    reporter.render();
    const once = screen.lines();
    for (let i = 0; i < 5; i++) reporter.render();
    assert.equal(screen.lines().length, once.length);
    assert.notEqual(screen.lines()[0], once[0], 'the spinner frame moves on');
  });

  it('leaves the final screen at run-finished: registries with ✔/✖ and the summary', () => {
    const { reporter, screen } = live();
    for (const e of run) reporter.handle(e);
    reporter.close();
    assert.deepEqual(screen.lines().slice(1), [
      `✔ ${REGISTRY_A}  1 copied, 0 up to date, 0 failed of 1  4.00 MiB`,
      `✖ ${REGISTRY_B}  1 copied, 0 up to date, 1 failed of 2  8.00 MiB`,
      'images: 2 copied, 0 up to date, 1 failed',
      'bytes moved: 12.0 MiB (27.9 MiB/s)',
      'time: 430ms',
      'failed images (1):',
      `  [${REGISTRY_B}] 127.0.0.1:5001/library/missing:v9 -> 127.0.0.1:5003/mirror/library/missing:v9: manifest unknown: missing:v9`,
    ]);
    assert.equal(screen.cursorVisible, true);
  });

  it('gives an interrupted run its final screen at close()', () => {
    const { reporter, screen, setNow } = live();
    for (const e of upTo('image-failed')) reporter.handle(e);
    setNow(T0 + 2000);
    reporter.close();
    const lines = screen.lines();
    assert.equal(lines[1], `- ${REGISTRY_A}  0 copied, 0 up to date, 0 failed of 1  1.00 MiB`);
    assert.ok(lines.includes('images: 0 copied, 0 up to date, 1 failed'), lines.join('\n'));
    assert.ok(lines.includes('time: 2.0s'), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('all registries')), 'no live block left behind');
  });

  it('prints a syncer script failure with its stderr tail above the block', () => {
    const { reporter, screen } = live();
    reporter.handle({ type: 'registry-started', registry: 'r', time: T0 });
    reporter.handle({
      type: 'registry-script-failed',
      registry: 'r',
      message: 'syncer script "x" exited with code 1',
      stderrTail: ['line one', 'line two'],
      time: T0,
    });
    const lines = screen.lines();
    assert.deepEqual(
      lines.slice(0, 3),
      ['[r] FAILED syncer script "x" exited with code 1; its stderr ended with:', '    | line one', '    | line two'],
      'each stderr line once',
    );
    assert.match(lines[3] ?? '', /^⠙ r {2}syncer script "x" exited with code 1: line two$/);
  });

  it('truncates the block to the terminal width so lines never wrap', () => {
    const { reporter, writes } = live(40);
    for (const e of upTo('image-failed')) reporter.handle(e);
    reporter.render();
    const block = (writes.at(-1) ?? '')
      .replace(/^(\x1b\[\d*[FJ])+/, '')
      .split('\n')
      .filter(Boolean);
    assert.equal(block.length, 5);
    assert.ok(
      block.every((l) => l.length <= 39),
      block.join('\n'),
    );
  });

  it('starts a fresh block for the next run of a sync and keeps the previous final screen', () => {
    const { reporter, screen } = live();
    for (const e of run) reporter.handle(e);
    reporter.handle({ type: 'run-started', registries: ['next:5000'], dryRun: false, time: T0 + 60_000 });
    assert.match(screen.lines().at(-2) ?? '', /^· next:5000 {2}waiting$/, 'drawn at once');
    reporter.handle({ type: 'registry-started', registry: 'next:5000', time: T0 + 60_000 });
    reporter.render();
    const lines = screen.lines();
    assert.ok(lines.includes('time: 430ms'));
    assert.match(lines.at(-2) ?? '', /^. next:5000 {2}listing images…$/);
    assert.equal(lines.filter((l) => l.includes(REGISTRY_A)).length, 1, 'the old registries are not drawn again');
  });

  it('redraws on its timer, and stops at close()', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const { out, writes } = terminal();
      const reporter = new LiveReporter(out, { now: () => T0, refreshMs: 100 });
      for (const e of upTo('blob-progress')) reporter.handle(e);
      const before = writes.length;
      mock.timers.tick(300);
      assert.equal(writes.length, before + 3);
      reporter.close();
      const closed = writes.length;
      mock.timers.tick(300);
      reporter.handle(run[0] as LoadEvent);
      assert.equal(writes.length, closed);
    } finally {
      mock.timers.reset();
    }
  });

  it('verbose: every event with a line goes above the block; without a final screen the block is erased and nothing stays', () => {
    const term = terminal(120);
    const reporter = new LiveReporter(term.out, { now: () => T0 + 500, refreshMs: 0, verbose: true, finalScreen: false });
    for (const e of run) reporter.handle(e);
    reporter.close();
    const lines = term.screen.lines();
    assert.ok(lines.includes(`[${REGISTRY_A}] blob sha256:222222222222 (4.00 MiB) copied to ${APP_TARGET} in 240ms`), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`[${REGISTRY_A}] wrote manifest sha256:444444444444 to ${APP_TARGET}`)));
    assert.equal(
      lines.some((l) => l.includes('all registries') || l.startsWith('images:')),
      false,
      'no block, no summary left',
    );
    assert.equal(term.screen.cursorVisible, true);
  });
});
